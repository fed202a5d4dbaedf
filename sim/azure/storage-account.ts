// One storage account of a cluster: its AEK (wrapped by the customer's KEK,
// cached while polls succeed), its blocks, its SSD hot cache and its MMK
// buffer, and the 2020-11 rules of DOMAIN.md "Storage account behaviour".

import {
  AEK_BYTES,
  type InfrastructureLayer,
  type PlatformKey,
  openBlock,
  sealBlock,
  sealedBytes,
  sealedFromBytes,
  zeroize,
} from '../crypto/index.ts';
import type { EventHandle, RecurringHandle, Scheduler } from '../engine/scheduler.ts';
import type { Random } from '../engine/random.ts';
import type { EventBus, StorageState } from '../observe/events.ts';
import { MS_PER_DAY } from '../engine/duration.ts';
import { drawDelay, type Params } from './profiles.ts';
import type { Cause, KeyRef, KeyVault, VaultAnswer } from './key-vault.ts';
import { IncidentLog } from './incidents.ts';
import { type Composition, type RecordLedger } from '../workload/ledger.ts';
import { makePayload, readHeader } from '../workload/payload.ts';

export interface StoredBlock {
  readonly id: string;
  readonly createdMs: number;
  readonly composition: Composition;
  readonly encryption: 'cmk' | 'mmk';
  /** Sealed under the block's chain, then the infrastructure layer where double encryption is on. */
  readonly bytes: Buffer;
  /** The SSD hot-cache copy, MMK-sealed (2020-11); null once purged or aged out. */
  hot: Buffer | null;
}

interface BufferedBlock {
  readonly id: string;
  readonly createdMs: number;
  readonly composition: Composition;
  readonly bytes: Buffer;
}

/** The cluster as its storage accounts see it: who they are to Key Vault. */
export interface ClusterIdentity {
  readonly name: string;
  /** The denial cause once the identity was set to None, else null. */
  identityNoneCause(): Cause | null;
}

export interface StorageAccountDeps {
  scheduler: Scheduler;
  bus: EventBus;
  params: Params;
  startIso: string;
  cluster: ClusterIdentity;
  vaults: ReadonlyMap<string, KeyVault>;
  ledger: RecordLedger;
  platformKey: PlatformKey;
  infrastructure: InfrastructureLayer | null;
  streams: { poll: Random; delays: Random; keys: Random; payload: Random; queries: Random };
  /** Called after every change of `state`, so the world can re-evaluate the queries that depend on it. */
  onStateChange: (account: StorageAccount) => void;
}

export interface SampledQuery {
  ok: boolean;
  hot: boolean;
  latencyMs: number;
  blocksOpened: number;
  why: string | null;
}

/** Blocks in time order, dropped from the front as they age out. */
class BlockLog<T extends { createdMs: number }> {
  private items: T[] = [];
  private head = 0;
  /** Absolute index of the first item visitOlderThan has not visited yet. */
  private visited = 0;

  push(item: T): void {
    this.items.push(item);
  }

  get size(): number {
    return this.items.length - this.head;
  }

  front(): T | undefined {
    return this.items[this.head];
  }

  shift(): T | undefined {
    const item = this.items[this.head];
    if (item === undefined) return undefined;
    this.head++;
    // Drop the shifted front once it is most of the array (amortised O(1); visitOlderThan clamps visited to head).
    if (this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.visited -= this.head;
      this.head = 0;
    }
    return item;
  }

  /** Visits each item once, in order, as soon as it is older than `ms` (so aging costs O(1) per item). */
  visitOlderThan(ms: number, visit: (item: T) => void): void {
    this.visited = Math.max(this.visited, this.head);
    for (let item = this.items[this.visited]; item !== undefined && item.createdMs < ms; item = this.items[++this.visited]) visit(item);
  }

  /** The oldest item created at or after ms (binary search: items are in time order). */
  firstAtOrAfter(ms: number): T | undefined {
    let low = this.head;
    let high = this.items.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.items[mid]!.createdMs < ms) low = mid + 1;
      else high = mid;
    }
    return this.items[low];
  }

  /** Newest first. */
  *newest(): Generator<T> {
    for (let i = this.items.length - 1; i >= this.head; i--) yield this.items[i]!;
  }

  /** Oldest first. */
  *oldest(): Generator<T> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i]!;
  }
}

export class StorageAccount {
  readonly id: string;
  readonly incidents: IncidentLog;
  state: StorageState;
  /** Compositions writing here, one per retention; set by the world when links or workloads change. */
  compositions: readonly Composition[] = [];
  /** Blocks purged by retention, dropped from the buffer, replayed: for the report. */
  readonly counters = { blocksSealed: 0, blocksPurged: 0, hotCachePurges: 0, sampledQueries: 0 };

  private wrappedAek: { ref: KeyRef; bytes: Buffer } | null = null;
  /** The AEK cache: the only place the unwrapped AEK lives. */
  private aekCache: Buffer | null = null;
  /** The key version whose wrapped AEK this cache was last really unwrapped under. */
  private verifiedVersion: string | null = null;
  private readonly mmkAek: Buffer;
  private readonly mmkWrapped: Buffer;
  private lastUnwrapOkMs = 0;
  private failureStreak = 0;
  private poller: RecurringHandle | null = null;
  private unavailableTimer: EventHandle | null = null;
  private pendingRevocation: EventHandle | null = null;
  private pendingResume: EventHandle | null = null;
  private readonly blocks = new Map<number, BlockLog<StoredBlock>>();
  private readonly buffer = new BlockLog<BufferedBlock>();
  /** CMK blocks held per composition, so "does this workspace have CMK data here" costs no scan. */
  private readonly cmkBlocks = new Map<Composition, number>();
  private hotBlocks = 0;
  /** Start of the earliest cause among the failures since the last successful unwrap. */
  private failingSinceMs: number | null = null;
  /** What the pending revocation answers: the change and the poll that saw it. */
  private revocationCause: { causeStartMs: number; deniedSeenMs: number } | null = null;

  constructor(
    clusterName: string,
    readonly index: number,
    private readonly deps: StorageAccountDeps,
    initialState: 'provisioning' | 'noKey',
  ) {
    this.id = `${clusterName}/${index}`;
    this.state = initialState;
    this.incidents = new IncidentLog(this.id);
    // The MMK chain: a per-account AEK wrapped by the platform key. Microsoft
    // keys are always available, so it stays unwrapped.
    const mmkAek = deps.streams.keys.bytes(AEK_BYTES);
    this.mmkWrapped = deps.platformKey.wrap(mmkAek);
    this.mmkAek = deps.platformKey.unwrap(this.mmkWrapped);
    zeroize(mmkAek);
  }

  get keyRef(): KeyRef | null {
    return this.wrappedAek?.ref ?? null;
  }

  /** Whether the AEK is in memory (it never is while revoked or unavailable). */
  get aekInMemory(): boolean {
    return this.aekCache !== null;
  }

  get bufferedBlocks(): number {
    return this.buffer.size;
  }

  get hotCacheBlocks(): number {
    return this.hotBlocks;
  }

  /** Access is back (the AEK unwrapped again) and ingestion and queries resume soon. */
  get recovering(): boolean {
    return this.pendingResume !== null;
  }

  /** Whether queries of its workspaces succeed now. */
  get serving(): boolean {
    return this.state === 'healthy' || this.state === 'noKey';
  }

  /** The cluster finished provisioning: data is stored (under Microsoft keys until a key is set). */
  provisioned(): void {
    if (this.state !== 'provisioning') return;
    this.setState('noKey');
    this.deps.bus.emit({ t: this.deps.scheduler.nowMs, type: 'storage.provisioned', entity: this.id });
  }

  /** The cluster is deleted: polling stops, the AEK is zeroed, the data is gone. */
  shutDown(): void {
    if (this.poller !== null) this.deps.scheduler.cancel(this.poller);
    this.poller = null;
    this.cancel('unavailableTimer');
    this.cancel('pendingRevocation');
    this.cancel('pendingResume');
    this.evictAek();
    // What the MMK buffer still held can never be replayed now.
    for (const item of this.buffer.oldest()) this.deps.ledger.move(item.composition, 'buffered', 'bufferExpired');
    while (this.buffer.shift() !== undefined);
    this.blocks.clear();
    this.cmkBlocks.clear();
    this.hotBlocks = 0;
    this.setState('deleted');
    this.deps.bus.emit({ t: this.deps.scheduler.nowMs, type: 'storage.deleted', entity: this.id });
  }

  /**
   * Sets or changes the key: the AEK is (re)wrapped by the new KEK version;
   * blocks are not touched. Returns why it failed, or null.
   */
  configureKey(ref: KeyRef): string | null {
    const now = this.deps.scheduler.nowMs;
    const vault = this.vault(ref);
    let aek: Buffer;
    if (this.wrappedAek === null) {
      aek = this.deps.streams.keys.bytes(AEK_BYTES);
    } else if (this.aekCache !== null) {
      aek = Buffer.from(this.aekCache);
    } else {
      const current = this.wrappedAek;
      const { answer, aek: unwrapped } = this.vault(current.ref).unwrapKey(now, this.principal, current.ref, current.bytes);
      if (unwrapped === null) {
        return `the account key of ${this.id} cannot be unwrapped with the current key ${describe(current.ref)} (${answerText(answer)}), so it cannot be re-wrapped with the new one`;
      }
      aek = unwrapped;
    }
    const { answer, wrapped } = vault.wrapKey(now, this.principal, ref, aek);
    if (wrapped === null) {
      zeroize(aek);
      return `Key Vault ${ref.vault} refused to wrap the account key of ${this.id} with ${describe(ref)} (${answerText(answer)})`;
    }
    this.wrappedAek = { ref, bytes: wrapped };
    if (this.aekCache === null) this.aekCache = aek;
    else zeroize(aek);
    this.verifiedVersion = null;
    this.deps.bus.emit({ t: now, type: 'storage.keyConfigured', entity: this.id, vault: ref.vault, key: ref.key, version: ref.version });
    if (this.state === 'noKey') {
      this.lastUnwrapOkMs = now;
      this.setState('healthy');
    }
    this.poller ??= this.deps.scheduler.every(() => this.drawPollGapMs(), () => this.poll(), this.drawPollGapMs());
    return null;
  }

  // ---- polling and the cache's three lifetimes ---------------------------

  private poll(): void {
    const now = this.deps.scheduler.nowMs;
    const wrapped = this.wrappedAek!;
    const identityNone = this.deps.cluster.identityNoneCause();
    let answer: VaultAnswer;
    if (identityNone !== null) {
      // Without an identity the cluster cannot even authenticate to the vault.
      answer = { kind: 'denial', reason: 'identityNone', cause: identityNone };
    } else if (this.verifiedVersion === wrapped.ref.version) {
      // (verifiedVersion is only set while the AEK is cached.)
      answer = this.vault(wrapped.ref).pollUnwrap(now, this.principal, wrapped.ref);
    } else {
      // The first unwrap under a key version is a real one: its result can differ.
      const result = this.vault(wrapped.ref).unwrapKey(now, this.principal, wrapped.ref, wrapped.bytes);
      answer = result.answer;
      if (result.aek !== null) this.acceptUnwrapped(result.aek, wrapped.ref.version);
    }
    switch (answer.kind) {
      case 'success':
        return this.unwrapSucceeded(now);
      case 'error':
        return this.unwrapErred(now, answer);
      case 'denial':
        return this.unwrapDenied(now, answer);
      default:
        return assertNever(answer);
    }
  }

  private acceptUnwrapped(aek: Buffer, version: string): void {
    if (this.aekCache !== null) {
      // Rotation re-wraps; it never changes the AEK. The checker holds the model to it.
      this.deps.bus.emit({ t: this.deps.scheduler.nowMs, type: 'storage.aekVerified', entity: this.id, version, unchanged: this.aekCache.equals(aek) });
      zeroize(aek);
    } else {
      this.aekCache = aek;
    }
    this.verifiedVersion = version;
  }

  private unwrapSucceeded(now: number): void {
    if (this.failureStreak > 0) {
      this.deps.bus.emit({ t: now, type: 'storage.unwrapSucceeded', entity: this.id, afterFailures: this.failureStreak });
      this.failureStreak = 0;
    }
    this.failingSinceMs = null;
    this.lastUnwrapOkMs = now;
    this.cancel('unavailableTimer');
    if (this.pendingRevocation !== null) {
      this.cancel('pendingRevocation');
      this.revocationCause = null;
      this.deps.bus.emit({ t: now, type: 'storage.revocationCancelled', entity: this.id });
    }
    this.incidents.unwrapSucceeded(now, this.serving);
    if (!this.serving && this.pendingResume === null) {
      const resumeDueMs = now + this.drawWithin(this.deps.params.resumeWithin);
      const restoredAtMs = now;
      this.pendingResume = this.deps.scheduler.at(resumeDueMs, () => this.resume(restoredAtMs));
      this.deps.bus.emit({ t: now, type: 'storage.accessRestored', entity: this.id, resumeDueMs });
    }
  }

  private unwrapErred(now: number, answer: Extract<VaultAnswer, { kind: 'error' }>): void {
    this.noteFailure(now, answer);
    if (this.deps.params.outageHandling === 'keepCachedKey') return;
    // "Stay in cache for a short while longer": until outageToUnavailable after the last success.
    const recovering = this.pendingResume !== null;
    if ((this.state === 'healthy' || recovering) && this.unavailableTimer === null) {
      const outageToUnavailable = this.deps.params.outageToUnavailable / (this.deps.params.brokenRule === 'earlyUnavailable' ? 3 : 1);
      const dueMs = Math.max(now, this.lastUnwrapOkMs + outageToUnavailable);
      this.unavailableTimer = this.deps.scheduler.at(dueMs, () => this.becomeUnavailable());
    }
  }

  private unwrapDenied(now: number, answer: Extract<VaultAnswer, { kind: 'denial' }>): void {
    this.noteFailure(now, answer);
    if (this.state === 'revoked' && this.pendingResume === null) return;
    if (this.pendingRevocation !== null) return;
    // Revocation is bound to the change, not to the poll that noticed it.
    const lateMs = this.deps.params.brokenRule === 'lateRevocation' ? this.deps.params.revocationWithin / 2 : 0;
    const dueMs = Math.max(now, answer.cause.startMs + this.drawWithin(this.deps.params.revocationWithin) + lateMs);
    this.revocationCause = { causeStartMs: answer.cause.startMs, deniedSeenMs: now };
    this.pendingRevocation = this.deps.scheduler.at(dueMs, () => this.revoke(answer.reason));
    this.deps.bus.emit({ t: now, type: 'storage.revocationScheduled', entity: this.id, dueMs, reason: answer.reason });
  }

  private noteFailure(now: number, answer: Exclude<VaultAnswer, { kind: 'success' }>): void {
    if (this.failureStreak === 0) {
      this.deps.bus.emit({ t: now, type: 'storage.unwrapFailed', entity: this.id, answer: answer.kind, reason: answer.reason });
    }
    this.failureStreak++;
    this.failingSinceMs = Math.min(this.failingSinceMs ?? answer.cause.startMs, answer.cause.startMs);
    this.incidents.failureSeen(answer.cause);
  }

  private becomeUnavailable(): void {
    this.unavailableTimer = null;
    const now = this.deps.scheduler.nowMs;
    this.evictAek();
    if (this.pendingResume !== null) {
      this.cancel('pendingResume');
      return;
    }
    // The timer only runs while healthy or recovering: revocation and shutdown cancel it.
    this.setState('unavailable');
    this.deps.bus.emit({ t: now, type: 'storage.unavailable', entity: this.id, lastUnwrapOkMs: this.lastUnwrapOkMs, failingSinceMs: this.failingSinceMs ?? now });
    this.incidents.interrupted(now);
  }

  private revoke(reason: Extract<VaultAnswer, { kind: 'denial' }>['reason']): void {
    this.pendingRevocation = null;
    const now = this.deps.scheduler.nowMs;
    this.cancel('pendingResume');
    this.cancel('unavailableTimer');
    const aekZeroed = this.deps.params.brokenRule === 'aekKeptWhenRevoked' ? false : this.evictAek();
    if (this.deps.params.brokenRule !== 'hotCacheKeptWhenRevoked') this.purgeHotCache(now);
    this.setState('revoked');
    const { causeStartMs, deniedSeenMs } = this.revocationCause!;
    this.revocationCause = null;
    this.deps.bus.emit({ t: now, type: 'storage.revoked', entity: this.id, reason, aekZeroed, causeStartMs, deniedSeenMs, keyVersion: this.wrappedAek!.ref.version });
    this.incidents.interrupted(now);
  }

  private resume(restoredAtMs: number): void {
    this.pendingResume = null;
    const now = this.deps.scheduler.nowMs;
    if (this.aekCache === null) throw new Error(`internal: ${this.id} resumes without its AEK`);
    const fromState = this.state;
    this.setState('healthy');
    this.replayBuffer(now);
    const accessBackMs = this.incidents.accessBackMs();
    this.deps.bus.emit({ t: now, type: 'storage.resumed', entity: this.id, fromState, restoredAtMs, accessBackMs });
    this.incidents.resumed(now);
  }

  // ---- ingestion -----------------------------------------------------------

  /** The records of one slice, ending now, for every composition writing here. */
  ingestSlice(sliceIndex: number): void {
    const now = this.deps.scheduler.nowMs;
    this.expireBuffer(now);
    this.ageOut(now);
    for (const composition of this.compositions) {
      if (composition.recordsPerSlice === 0) continue;
      const { ledger } = this.deps;
      ledger.add(composition, 'offered');
      const id = `${this.id}/${sliceIndex}/r${composition.retentionDays}`;
      switch (this.state) {
        case 'provisioning':
          // "If you link workspaces and ingest data prior to the provisioning, ingested data will be dropped."
          ledger.add(composition, 'notProvisioned');
          break;
        case 'deleted':
          throw new Error(`internal: ${this.id} is deleted but still receives ingestion`);
        case 'noKey':
          this.store(now, id, composition, this.payload(id, composition, now), 'mmk');
          ledger.add(composition, 'mmk');
          break;
        case 'healthy':
          this.store(now, id, composition, this.payload(id, composition, now), 'cmk');
          ledger.add(composition, 'cmk');
          break;
        case 'unavailable':
          this.bufferBlock(now, id, composition);
          ledger.add(composition, 'buffered');
          this.incidents.count('buffered', composition.recordsPerSlice);
          break;
        case 'revoked':
          ledger.add(composition, 'revoked');
          this.incidents.count('dropped', composition.recordsPerSlice);
          break;
        default:
          assertNever(this.state);
      }
    }
  }

  private store(now: number, id: string, composition: Composition, payload: Buffer, encryption: 'cmk' | 'mmk'): void {
    const aek = encryption === 'cmk' ? this.aekCache! : this.mmkAek;
    const bytes = this.outerSeal(id, sealedBytes(sealBlock(aek, id, payload)));
    // 2020-11: the hot cache holds the same data under Microsoft keys.
    const hot = this.deps.params.hotCacheDays > 0 ? sealedBytes(sealBlock(this.mmkAek, `${id}#hot`, payload)) : null;
    this.logFor(composition.retentionDays).push({ id, createdMs: now, composition, encryption, bytes, hot });
    if (hot !== null) this.hotBlocks++;
    this.counters.blocksSealed++;
    if (encryption === 'cmk') this.cmkBlocks.set(composition, (this.cmkBlocks.get(composition) ?? 0) + 1);
  }

  private bufferBlock(now: number, id: string, composition: Composition): void {
    if (this.buffer.size === 0) this.deps.bus.emit({ t: now, type: 'buffer.started', entity: this.id });
    const payload = this.payload(id, composition, now);
    const bytes = this.outerSeal(id, sealedBytes(sealBlock(this.mmkAek, id, payload)));
    this.buffer.push({ id, createdMs: now, composition, bytes });
  }

  /** Each buffered record is decrypted with the MMK and sealed under the CMK chain. */
  private replayBuffer(now: number): void {
    let records = 0;
    let blocks = 0;
    for (let item = this.buffer.shift(); item !== undefined; item = this.buffer.shift()) {
      const payload = openBlock(this.mmkAek, sealedFromBytes(item.id, this.outerOpen(item.id, item.bytes)));
      // The same block id under another AEK: the CMK chain never sealed this slice before.
      this.store(now, item.id, item.composition, payload, 'cmk');
      this.deps.ledger.move(item.composition, 'buffered', 'cmk');
      this.deps.ledger.add(item.composition, 'replayed');
      records += item.composition.recordsPerSlice;
      blocks++;
    }
    if (blocks > 0) this.deps.bus.emit({ t: now, type: 'buffer.replayed', entity: this.id, records, blocks });
  }

  /** Buffered data older than mmkBufferMaxAge is dropped (bufferExpired). */
  private expireBuffer(now: number): void {
    let records = 0;
    let blocks = 0;
    const maxAgeMs = this.deps.params.mmkBufferMaxAge / (this.deps.params.brokenRule === 'bufferDropsEarly' ? 4 : 1);
    for (let front = this.buffer.front(); front !== undefined && now - front.createdMs > maxAgeMs; front = this.buffer.front()) {
      this.buffer.shift();
      this.deps.ledger.move(front.composition, 'buffered', 'bufferExpired');
      this.incidents.count('dropped', front.composition.recordsPerSlice);
      records += front.composition.recordsPerSlice;
      blocks++;
    }
    if (blocks > 0) this.deps.bus.emit({ t: now, type: 'buffer.expired', entity: this.id, records, blocks, outageSinceMs: this.incidents.interruptedSinceMs() ?? now });
  }

  /** Retention purges blocks, readable or not; the hot cache keeps hotCacheDays. */
  private ageOut(now: number): void {
    const hotFromMs = now - this.deps.params.hotCacheDays * MS_PER_DAY;
    for (const [retentionDays, log] of this.blocks) {
      const keepFromMs = now - retentionDays * MS_PER_DAY;
      for (let front = log.front(); front !== undefined && front.createdMs < keepFromMs; front = log.front()) {
        log.shift();
        this.counters.blocksPurged++;
        if (front.hot !== null) this.hotBlocks--;
        if (front.encryption === 'cmk') this.cmkBlocks.set(front.composition, this.cmkBlocks.get(front.composition)! - 1);
      }
      log.visitOlderThan(hotFromMs, (block) => {
        if (block.hot === null) return;
        block.hot = null;
        this.hotBlocks--;
      });
    }
  }

  // ---- queries ---------------------------------------------------------------

  /**
   * A sampled query really opens the blocks it reads (the newest of its
   * lookback, up to querySampleMaxBlocks) and checks each block's record count.
   */
  sampleQuery(workspace: string, lookbackMs: number): SampledQuery {
    const now = this.deps.scheduler.nowMs;
    this.counters.sampledQueries++;
    const { params, streams } = this.deps;
    const window = this.blocksOf(workspace, now - lookbackMs, params.querySampleMaxBlocks);
    if (this.state === 'provisioning') return failed(`the cluster of ${this.id} is still provisioning: nothing is stored yet`);
    if (this.state === 'unavailable') {
      const why = this.pendingResume === null ? 'Key Vault has not answered an unwrap for outageToUnavailable' : 'access is restored but ingestion and queries have not resumed yet';
      return failed(`storage account ${this.id} is unavailable: ${why}`);
    }
    if (this.state === 'revoked' && this.holdsCmkDataOf(workspace)) {
      // "data is inaccessible and queries to these workspaces fail": try the newest block under the customer key.
      const block = this.newestCmkBlockOf(workspace)!;
      return failed(`storage account ${this.id} is revoked: block ${block.id} is sealed under the customer key and no AEK is in memory to derive its DEK`);
    }
    let hot = true;
    for (const block of window) {
      if (block.hot !== null) this.checkHeader(block, openBlock(this.mmkAek, sealedFromBytes(`${block.id}#hot`, block.hot)));
      else {
        hot = false;
        this.checkHeader(block, this.openCold(block));
      }
    }
    // 2023-06: "last 14 days or recently queried": a cold query brings its whole window into the hot cache.
    if (!hot && params.hotCacheScope === 'lastDaysOrRecentlyQueried') this.heat(workspace, now - lookbackMs);
    const [min, max] = hot ? params.hotQueryLatency : params.coldQueryLatency;
    return { ok: true, hot, latencyMs: streams.queries.uniformInt(min, max), blocksOpened: window.length, why: null };
  }

  /** Opens a block from its stored bytes: the infrastructure layer, then its own chain. */
  private openCold(block: StoredBlock): Buffer {
    const aek = block.encryption === 'cmk' ? this.aekCache : this.mmkAek;
    if (aek === null) throw new Error(`internal: ${this.id} reads customer-key block ${block.id} without an AEK (${this.state})`);
    return openBlock(aek, sealedFromBytes(block.id, this.outerOpen(block.id, block.bytes)));
  }

  private checkHeader(block: StoredBlock, payload: Buffer): void {
    const header = readHeader(payload);
    if (header.block !== block.id || header.records !== block.composition.recordsPerSlice) {
      throw new Error(`internal: block ${block.id} opened with header ${JSON.stringify(header)}`);
    }
  }

  private heat(workspace: string, fromMs: number): void {
    for (const log of this.blocks.values()) {
      for (const block of log.newest()) {
        if (block.createdMs < fromMs) break;
        if (block.hot !== null || !block.composition.has(workspace)) continue;
        block.hot = sealedBytes(sealBlock(this.mmkAek, `${block.id}#hot`, this.openCold(block)));
        this.hotBlocks++;
      }
    }
  }

  /** Whether the workspace has data here under the customer key (revocation makes such queries fail). */
  holdsCmkDataOf(workspace: string): boolean {
    for (const [composition, blocks] of this.cmkBlocks) if (blocks > 0 && composition.has(workspace)) return true;
    return false;
  }

  /** The oldest stored block of each retention group. */
  oldestBlocks(): { retentionDays: number; oldestMs: number }[] {
    const oldest: { retentionDays: number; oldestMs: number }[] = [];
    for (const [retentionDays, log] of this.blocks) {
      const front = log.front();
      if (front !== undefined) oldest.push({ retentionDays, oldestMs: front.createdMs });
    }
    return oldest;
  }

  /** Tries to open every block with what the account holds now; counts what opens. For tests and checks. */
  openableBlocks(): { cmk: number; mmk: number; unreadable: number } {
    const result = { cmk: 0, mmk: 0, unreadable: 0 };
    for (const log of this.blocks.values()) {
      for (const block of log.oldest()) {
        try {
          this.openCold(block);
          result[block.encryption]++;
        } catch {
          result.unreadable++;
        }
      }
    }
    return result;
  }

  // ---- internals -------------------------------------------------------------

  private get principal(): string {
    return this.deps.cluster.name;
  }

  private vault(ref: KeyRef): KeyVault {
    return this.deps.vaults.get(ref.vault)!;
  }

  private setState(state: StorageState): void {
    this.state = state;
    this.deps.onStateChange(this);
  }

  private evictAek(): boolean {
    if (this.aekCache === null) return false;
    zeroize(this.aekCache);
    this.aekCache = null;
    this.verifiedVersion = null;
    return true;
  }

  private purgeHotCache(now: number): void {
    let purged = 0;
    for (const log of this.blocks.values()) {
      for (const block of log.oldest()) {
        if (block.hot === null) continue;
        block.hot = null;
        purged++;
      }
    }
    this.hotBlocks = 0;
    this.counters.hotCachePurges++;
    this.deps.bus.emit({ t: now, type: 'hotCache.purged', entity: this.id, blocks: purged });
  }

  /**
   * The blocks a sampled query opens: the newest of its window (up to max - 1)
   * and the oldest, so a window reaching past the hot cache really reads cold.
   */
  private blocksOf(workspace: string, fromMs: number, max: number): StoredBlock[] {
    const found: StoredBlock[] = [];
    for (const log of this.blocks.values()) {
      const oldest = log.firstAtOrAfter(fromMs);
      let taken = 0;
      for (const block of log.newest()) {
        if (block.createdMs < fromMs || taken >= max - 1) break;
        if (block.composition.has(workspace)) {
          found.push(block);
          taken++;
        }
      }
      if (oldest !== undefined && oldest.composition.has(workspace) && !found.includes(oldest)) found.push(oldest);
    }
    return found;
  }


  private newestCmkBlockOf(workspace: string): StoredBlock | undefined {
    for (const log of this.blocks.values()) for (const block of log.newest()) if (block.encryption === 'cmk' && block.composition.has(workspace)) return block;
    return undefined;
  }

  private logFor(retentionDays: number): BlockLog<StoredBlock> {
    let log = this.blocks.get(retentionDays);
    if (log === undefined) {
      log = new BlockLog();
      this.blocks.set(retentionDays, log);
    }
    return log;
  }

  private payload(id: string, composition: Composition, now: number): Buffer {
    const header = { block: id, records: composition.recordsPerSlice, workspaces: composition.workspaces, sliceEndMs: now };
    return makePayload(header, this.deps.streams.payload, this.deps.params.blockPayloadBytes, this.deps.startIso);
  }

  private outerSeal(id: string, sealed: Buffer): Buffer {
    return this.deps.infrastructure === null ? sealed : this.deps.infrastructure.encrypt(id, sealed);
  }

  private outerOpen(id: string, bytes: Buffer): Buffer {
    return this.deps.infrastructure === null ? bytes : this.deps.infrastructure.decrypt(id, bytes);
  }

  private drawPollGapMs(): number {
    return drawDelay(this.deps.params.unwrapPollInterval, this.deps.params.delayMode, this.deps.streams.poll);
  }

  /** A delay documented as "within bound". */
  private drawWithin(boundMs: number): number {
    return drawDelay([0, boundMs], this.deps.params.delayMode, this.deps.streams.delays);
  }

  private cancel(field: 'unavailableTimer' | 'pendingRevocation' | 'pendingResume'): void {
    const handle = this[field];
    if (handle !== null) this.deps.scheduler.cancel(handle);
    this[field] = null;
  }
}

function failed(why: string): SampledQuery {
  return { ok: false, hot: false, latencyMs: 0, blocksOpened: 0, why };
}

function describe(ref: KeyRef): string {
  return `${ref.vault}/${ref.key}/${ref.version}`;
}

function answerText(answer: VaultAnswer): string {
  return answer.kind === 'success' ? 'success' : `${answer.kind}: ${answer.reason}`;
}

export function assertNever(value: never): never {
  throw new Error(`internal: unhandled ${JSON.stringify(value)}`);
}
