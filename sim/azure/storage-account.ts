// One storage account of a cluster: its AEK (wrapped by the customer's KEK,
// cached while polls succeed), its blocks, its SSD hot cache and its MMK
// buffer, and the 2020-11 rules of DOMAIN.md "Storage account behaviour".
//
// Its key access is one state (Access) and every change goes through the
// table TRANSITIONS, which names it and says where it may start and lead;
// the timers pending in a state belong to it and are cancelled on leaving
// unless the next state takes them over. The AEK lives only inside the
// states that may hold it (healthy, recovering).

import {
  AEK_BYTES,
  bytesFingerprint,
  type Destination,
  InfrastructureLayer,
  isZeroized,
  keyFingerprint,
  NEW_BUFFER,
  openBlock,
  openWithDekOf,
  type PlatformKey,
  reusedBuffer,
  sealBlock,
  zeroize,
} from '../crypto/index.ts';
import type { EventHandle, RecurringHandle, Scheduler } from '../engine/scheduler.ts';
import type { Random } from '../engine/random.ts';
import type { DenialReason, EventBus, Placement, StorageState } from '../observe/events.ts';
import { MS_PER_DAY } from '../engine/duration.ts';
import { drawDelay, type Params } from './profiles.ts';
import type { Cause, Denial, KeyRef, KeyVault, VaultAnswer } from './key-vault.ts';
import { IncidentLog } from './incidents.ts';
import { BlockStore, type StoredBlock } from './block-store.ts';
import { TRANSITIONS, type AccessKind, type TransitionName } from './transitions.ts';
import { TimeLog } from '../engine/time-log.ts';
import type { Composition } from '../workload/composition.ts';
import { PayloadWriter, headerIs, readHeader } from '../workload/payload.ts';

export interface BufferedBlock {
  readonly id: string;
  readonly createdMs: number;
  readonly composition: Composition;
  readonly bytes: Buffer;
}

/** The cluster as its storage accounts see it: who they are to Key Vault. */
export interface ClusterIdentity {
  readonly name: string;
  /** Who it is to Key Vault: its system-assigned identity (the cluster's name) or its user-assigned identity; read at every poll. */
  readonly principal: string;
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
  platformKey: PlatformKey;
  /** The cluster's setting (isDoubleEncryptionEnabled): its blocks are encrypted twice. */
  doubleEncryption: boolean;
  /** The second layer that setting asks for (null: none). */
  infrastructure: InfrastructureLayer | null;
  streams: { poll: Random; delays: Random; keys: Random; payload: Random; queries: Random; hotCache: Random };
  /**
   * Called whenever what its queries can read may have changed: after every
   * change of access, and when retention purges blocks while revoked (a
   * workspace left with Microsoft-key data only is readable again).
   */
  onServingChange: (account: StorageAccount) => void;
}

export interface SampledQuery {
  ok: boolean;
  hot: boolean;
  latencyMs: number;
  blocksOpened: number;
  why: string | null;
}

/** The unwrapped AEK and the key version a real unwrap last confirmed it under. */
export interface KeyCache {
  readonly aek: Buffer;
  verifiedVersion: string | null;
}

interface Revoking {
  readonly handle: EventHandle;
  readonly reason: DenialReason;
}

/** An account's key access. Nullable timers here are conditions within a state (errors or a denial pending), never a state. */
export type Access =
  | { readonly kind: 'provisioning' }
  | { readonly kind: 'noKey' }
  | { readonly kind: 'healthy'; readonly cache: KeyCache; readonly failing: EventHandle | null; readonly revoking: Revoking | null }
  | { readonly kind: 'unavailable'; readonly revoking: Revoking | null }
  | { readonly kind: 'revoked'; readonly reason: DenialReason }
  | {
      readonly kind: 'recovering';
      /** What ingestion and queries still do until the resume: buffer (from unavailable) or drop (from revoked). */
      readonly from: 'unavailable' | 'revoked';
      readonly cache: KeyCache;
      readonly resume: EventHandle;
      readonly failing: EventHandle | null;
      readonly revoking: Revoking | null;
    }
  | { readonly kind: 'deleted' };

/** AEK buffers an account may hold at once: its cached one and one about to be wrapped or compared; more is a leak. */
const AEK_MEMORY_MAX = 4;
/** The block id whose DEK the probe tries on the first block: one no account ever seals. */
const ANOTHER_BLOCK_SUFFIX = '#another';
/** The union and the transition table name the same states: a state missing from either does not compile. */
const SAME_STATES: [Exclude<AccessKind, Access['kind']> | Exclude<Access['kind'], AccessKind>] extends [never] ? true : never = true;
void SAME_STATES;

export class StorageAccount {
  readonly id: string;
  readonly incidents: IncidentLog;
  /** Compositions writing here, one per retention; set by the world when links or workloads change. */
  compositions: readonly Composition[] = [];
  readonly counters = { blocksSealed: 0, blocksPurged: 0, hotCachePurges: 0, hotCacheReloads: 0, sampledQueries: 0 };

  protected access: Access;
  private wrappedAek: { ref: KeyRef; bytes: Buffer } | null = null;
  /**
   * Every AEK buffer this account was given (made, copied or unwrapped) and has
   * not zeroed: what a probe of its memory finds, whatever state claims to
   * hold it. Zeroed buffers leave it at the next look.
   */
  private aekMemory: Buffer[] = [];
  /** Whether the first stored block was probed for its layers and its DEK (probeBlock). */
  private blockProbed = false;
  private readonly mmkAek: Buffer;
  /** When Key Vault last answered a poll (a success or a denial): the outage clock runs from here. */
  private lastAnswerMs = 0;
  /** The kind of the last poll's answer: a change is an event. */
  private lastAnswerKind: VaultAnswer['kind'] = 'success';
  private poller: RecurringHandle | null = null;
  private readonly store = new BlockStore();
  private readonly buffer = new TimeLog<BufferedBlock>();
  /** Compositions already described in the history. */
  private readonly defined = new Set<number>();
  /** The hot cache was deleted by a revocation and not reloaded since; the reload pending, if any. */
  private hotCacheStale = false;
  private hotCacheReload: EventHandle | null = null;
  private readonly payloads: PayloadWriter;
  /** Where a block's own chain writes its bytes when the infrastructure layer encrypts them at once. */
  private readonly innerSealed = reusedBuffer();

  constructor(
    clusterName: string,
    readonly index: number,
    protected readonly deps: StorageAccountDeps,
    initialState: 'provisioning' | 'noKey',
  ) {
    this.id = `${clusterName}/${index}`;
    this.access = { kind: initialState };
    this.incidents = new IncidentLog(this.id);
    this.payloads = new PayloadWriter(deps.streams.payload, deps.params.blockPayloadBytes, deps.startIso);
    // The MMK chain: a per-account AEK wrapped by the platform key. Microsoft
    // keys are always available, so it stays unwrapped.
    const mmkAek = deps.streams.keys.bytes(AEK_BYTES);
    this.mmkAek = deps.platformKey.unwrap(deps.platformKey.wrap(mmkAek));
    zeroize(mmkAek);
    deps.bus.emit({ t: deps.scheduler.nowMs, type: 'storage.created', entity: this.id, state: initialState, mmkAek: keyFingerprint(this.mmkAek) });
  }

  get keyRef(): KeyRef | null {
    return this.wrappedAek?.ref ?? null;
  }

  /** What users see: recovering is still unavailable or revoked until the resume. */
  get state(): StorageState {
    return this.access.kind === 'recovering' ? this.access.from : this.access.kind;
  }

  get accessKind(): AccessKind {
    return this.access.kind;
  }

  /** Whether the AEK is in memory (it never is while revoked or unavailable). */
  get aekInMemory(): boolean {
    return this.heldAek() !== null;
  }

  get bufferedBlocks(): number {
    return this.buffer.size;
  }

  get hotCacheBlocks(): number {
    return this.store.hotBlocks;
  }

  /** Whether ingestion and queries of its workspaces are served now. */
  get serving(): boolean {
    return this.access.kind === 'healthy' || this.access.kind === 'noKey';
  }

  /**
   * Whether a query of the workspace's data here succeeds now. Data under
   * Microsoft keys stays readable whatever the key's state; an outage makes
   * the account unavailable; a deleted account has nothing left to fail on.
   */
  serves(workspace: string): boolean {
    switch (this.access.kind) {
      case 'healthy':
      case 'noKey':
      case 'deleted':
        return true;
      case 'provisioning':
        return false;
      // Closed to data under the customer key only: "Data that was ingested prior to the configuration, remains encrypted with Microsoft key", and is queried "seamlessly".
      case 'unavailable':
      case 'revoked':
      case 'recovering':
        return !this.store.holdsCmkDataOf(workspace);
    }
  }

  /** The cluster finished provisioning: data is stored (under Microsoft keys until a key is set). */
  provisioned(): void {
    this.enter('provisioned', { kind: 'noKey' });
    this.deps.bus.emit({ t: this.now, type: 'storage.provisioned', entity: this.id });
  }

  /** The cluster is deleted: polling stops, the AEK is zeroed, the data is gone. */
  shutDown(): void {
    if (this.poller !== null) this.deps.scheduler.cancel(this.poller);
    this.poller = null;
    this.cancelHotCacheReload();
    const cache = cacheOf(this.access);
    if (cache !== null) this.evict(cache, 'deleted');
    // What the MMK buffer still held can never be replayed now.
    this.emitExpired('clusterDeleted', this.drainBuffer());
    this.store.clear();
    this.enter('deleted', { kind: 'deleted' });
    this.deps.bus.emit({ t: this.now, type: 'storage.deleted', entity: this.id });
  }

  /**
   * Sets or changes the key: the AEK is (re)wrapped by the new KEK version;
   * blocks are not touched. While the AEK is not in memory (unavailable,
   * revoked) the update unwraps it with the current key to wrap it again and
   * zeroes it at once: only a poll brings it back into memory. Returns why it
   * failed, or null.
   */
  configureKey(ref: KeyRef): string | null {
    const now = this.now;
    const vault = this.vault(ref);
    const found = this.aekToWrap(now);
    if (typeof found === 'string') return found;
    const aek = found;
    const { answer, wrapped } = vault.wrapKey(now, this.principal, ref, aek);
    if (wrapped === null) {
      zeroize(aek);
      return `Key Vault ${ref.vault} refused to wrap the account key of ${this.id} with ${describe(ref)} (${answerText(answer)})`;
    }
    this.wrappedAek = { ref, bytes: wrapped };
    if (this.heedsDenialNotices()) vault.watch(this.denialMayHold);
    this.deps.bus.emit({ t: now, type: 'storage.keyConfigured', entity: this.id, vault: ref.vault, key: ref.key, version: ref.version, aek: keyFingerprint(aek), storedDigest: this.store.digest() });
    const access = this.access;
    if (access.kind === 'noKey') {
      this.lastAnswerMs = now;
      this.lastAnswerKind = 'success';
      this.enter('keyConfigured', { kind: 'healthy', cache: { aek, verifiedVersion: null }, failing: null, revoking: null });
      this.poller = this.deps.scheduler.every(() => this.drawPollGapMs(), () => this.poll(), this.drawPollGapMs());
      return null;
    }
    zeroize(aek);
    // The next poll unwraps under the new version for real.
    const cache = cacheOf(access);
    if (cache !== null) cache.verifiedVersion = null;
    return null;
  }

  /** The AEK to wrap with a new key: a fresh one, a copy of the cached one, or one unwrapped with the current key. */
  protected aekToWrap(nowMs: number): Buffer | string {
    const access = this.access;
    switch (access.kind) {
      case 'noKey':
        return this.remember(this.deps.streams.keys.bytes(AEK_BYTES));
      case 'healthy':
      case 'recovering':
        return this.remember(Buffer.from(access.cache.aek));
      case 'unavailable':
      case 'revoked': {
        const current = this.wrappedAek!;
        const { answer, aek } = this.vault(current.ref).unwrapKey(nowMs, this.principal, current.ref, current.bytes);
        if (aek !== null) return this.remember(aek);
        return `the account key of ${this.id} cannot be unwrapped with the current key ${describe(current.ref)} (${answerText(answer)}), so it cannot be re-wrapped with the new one`;
      }
      case 'provisioning':
      case 'deleted':
        throw new Error(`internal: a key is set on ${this.id} while ${access.kind}`);
    }
  }

  // ---- polling and the cache's three lifetimes ---------------------------

  private poll(): void {
    const now = this.now;
    const wrapped = this.wrappedAek!;
    const cache = cacheOf(this.access);
    const identityNone = this.deps.cluster.identityNoneCause();
    let answer: VaultAnswer;
    let fresh: Buffer | null = null;
    if (identityNone !== null) {
      // Without an identity the cluster cannot even authenticate to the vault.
      answer = { kind: 'denial', reason: 'identityNone', cause: identityNone };
    } else if (cache !== null && cache.verifiedVersion === wrapped.ref.version) {
      answer = this.vault(wrapped.ref).pollUnwrap(now, this.principal, wrapped.ref);
    } else {
      // A real unwrap: the first under a key version, or to bring the AEK back.
      const result = this.vault(wrapped.ref).unwrapKey(now, this.principal, wrapped.ref, wrapped.bytes);
      answer = result.answer;
      fresh = result.aek === null ? null : this.remember(result.aek);
      if (fresh !== null) this.deps.bus.emit({ t: now, type: 'storage.aekUnwrapped', entity: this.id, version: wrapped.ref.version, aek: keyFingerprint(fresh) });
    }
    if (answer.kind !== this.lastAnswerKind) {
      this.deps.bus.emit({ t: now, type: 'storage.unwrap', entity: this.id, answer: answer.kind, reason: answer.kind === 'success' ? null : answer.reason });
      this.lastAnswerKind = answer.kind;
    }
    switch (answer.kind) {
      case 'success':
        return this.succeeded(now, fresh, wrapped.ref.version);
      case 'error':
        this.incidents.failureSeen(answer.cause);
        return this.erred(now);
      case 'denial':
        this.incidents.failureSeen(answer.cause);
        this.incidents.answered(now, 'denial', this.serving);
        return this.denied(now, answer);
    }
  }

  private succeeded(now: number, fresh: Buffer | null, version: string): void {
    this.lastAnswerMs = now;
    this.incidents.answered(now, 'success', this.serving);
    const access = this.access;
    switch (access.kind) {
      case 'healthy':
      case 'recovering':
        if (fresh !== null) {
          // Rotation re-wraps; it never changes the AEK (the fingerprint in the history shows it).
          access.cache.verifiedVersion = version;
          zeroize(fresh);
        }
        // Most polls: nothing pending, nothing to change.
        if (access.failing === null && access.revoking === null) return;
        if (access.revoking !== null) this.deps.bus.emit({ t: now, type: 'storage.revocationCancelled', entity: this.id });
        return this.enter('successSeen', { ...access, failing: null, revoking: null });
      case 'unavailable':
      case 'revoked': {
        if (fresh === null) throw new Error(`internal: ${this.id} was answered without its AEK coming back`);
        if (access.kind === 'unavailable' && access.revoking !== null) this.deps.bus.emit({ t: now, type: 'storage.revocationCancelled', entity: this.id });
        const resumeDueMs = this.resumeDueMs(now);
        const resume = this.deps.scheduler.at(resumeDueMs, () => this.resumeDue());
        this.enter('accessRestored', { kind: 'recovering', from: access.kind, cache: { aek: fresh, verifiedVersion: version }, resume, failing: null, revoking: null });
        this.deps.bus.emit({ t: now, type: 'storage.accessRestored', entity: this.id, resumeDueMs });
        return;
      }
      default:
        throw new Error(`internal: ${this.id} polls while ${access.kind}`);
    }
  }

  private erred(now: number): void {
    if (this.deps.params.outageHandling === 'keepCachedKey') return;
    const access = this.access;
    if ((access.kind === 'healthy' || access.kind === 'recovering') && access.failing === null) {
      // "Stay in cache for a short while longer": until outageToUnavailable after Key Vault last answered.
      const failing = this.deps.scheduler.at(this.unavailableDueMs(now), () => this.errorsTooLong());
      this.enter('errorsBegin', { ...access, failing });
    }
  }

  private denied(now: number, answer: Denial): void {
    const access = this.access;
    if (access.kind === 'revoked') return;
    if (access.kind !== 'healthy' && access.kind !== 'unavailable' && access.kind !== 'recovering') throw new Error(`internal: ${this.id} polls while ${access.kind}`);
    const answered = this.denialIsAnAnswer();
    if (answered) this.lastAnswerMs = now;
    const revoking = access.revoking ?? this.scheduleRevocation(now, answer);
    if (access.kind === 'unavailable') return this.enter('denialSeen', { ...access, revoking });
    this.enter('denialSeen', { ...access, failing: answered ? null : access.failing, revoking });
  }

  /**
   * revocationWhileUnreachable onTime: Key Vault tells the accounts keyed to
   * it of a change that may deny them, whether or not it can answer their
   * polls, so that caching "doesn't bypass or weaken key revocation
   * controls". A denial that holds for this account schedules its
   * revocation as a poll that saw it would. Access that returns is still
   * learnt at the next poll Key Vault answers.
   */
  private readonly denialMayHold = (now: number, vaultName: string): void => {
    const access = this.access;
    if (access.kind !== 'healthy' && access.kind !== 'unavailable' && access.kind !== 'recovering') return;
    const ref = this.wrappedAek!.ref;
    if (ref.vault !== vaultName || access.revoking !== null) return;
    const denial = this.vault(ref).denialFor(now, this.principal, ref);
    if (denial === null) return;
    this.incidents.failureSeen(denial.cause);
    this.deps.bus.emit({ t: now, type: 'storage.denialNotified', entity: this.id, reason: denial.reason });
    this.enter('denialNotified', { ...access, revoking: this.scheduleRevocation(now, denial) });
  };

  private scheduleRevocation(now: number, answer: Denial): Revoking {
    // Revocation is bound to the change, not to the poll that noticed it.
    const dueMs = this.revocationDueMs(now, answer.cause.startMs);
    const handle = this.deps.scheduler.at(dueMs, () => this.revocationDue());
    this.deps.bus.emit({ t: now, type: 'storage.revocationScheduled', entity: this.id, dueMs, reason: answer.reason });
    return { handle, reason: answer.reason };
  }

  protected errorsTooLong(): void {
    const access = this.access;
    if (access.kind !== 'healthy' && access.kind !== 'recovering') throw new Error(`internal: ${this.id} times out while ${access.kind}`);
    this.evict(access.cache, 'unavailable');
    this.enter('errorsTooLong', { kind: 'unavailable', revoking: access.revoking });
    this.deps.bus.emit({ t: this.now, type: 'storage.unavailable', entity: this.id, lastAnswerMs: this.lastAnswerMs });
    this.incidents.interrupted(this.now, 'outage');
    this.probeClosed();
  }

  private revocationDue(): void {
    const access = this.access;
    if (access.kind !== 'healthy' && access.kind !== 'unavailable' && access.kind !== 'recovering') throw new Error(`internal: ${this.id} is revoked while ${access.kind}`);
    const cache = cacheOf(access);
    if (cache !== null) this.evict(cache, 'revoked');
    this.purgeHotCache();
    const reason = access.revoking!.reason;
    this.enter('revocationDue', { kind: 'revoked', reason });
    this.deps.bus.emit({ t: this.now, type: 'storage.revoked', entity: this.id, reason });
    this.incidents.interrupted(this.now, 'revocation');
    this.probeClosed();
  }

  private resumeDue(): void {
    const access = this.access;
    if (access.kind !== 'recovering') throw new Error(`internal: ${this.id} resumes while ${access.kind}`);
    this.enter('resumeDue', { kind: 'healthy', cache: access.cache, failing: access.failing, revoking: access.revoking });
    this.replayBuffer();
    this.scheduleHotCacheReload();
    this.deps.bus.emit({ t: this.now, type: 'storage.resumed', entity: this.id, fromState: access.from });
    this.incidents.resumed(this.now);
  }

  // ---- the documented figures; a self-test subclass may bend one (sim/selftest.ts) --

  /** Unavailable outageToUnavailable after Key Vault last answered. */
  protected unavailableDueMs(nowMs: number): number {
    return Math.max(nowMs, this.lastAnswerMs + this.deps.params.outageToUnavailable);
  }

  /** Revoked within revocationWithin of the change (a seen change is never revoked before now). */
  protected revocationDueMs(nowMs: number, causeStartMs: number): number {
    return Math.max(nowMs, causeStartMs + this.drawWithin(this.deps.params.revocationWithin));
  }

  /** Resumed within resumeWithin of the first successful unwrap. */
  protected resumeDueMs(nowMs: number): number {
    return nowMs + this.drawWithin(this.deps.params.resumeWithin);
  }

  /** Whether the account listens to Key Vault's notice of a denial (revocationWhileUnreachable onTime). */
  protected heedsDenialNotices(): boolean {
    return this.deps.params.revocationWhileUnreachable === 'onTime';
  }

  /** "A denial is an answer, not an outage": it restarts the outage clock. */
  protected denialIsAnAnswer(): boolean {
    return true;
  }

  protected bufferMaxAgeMs(): number {
    return this.deps.params.mmkBufferMaxAge;
  }

  /** Blocks created before this are past their retention. */
  protected retentionCutoffMs(nowMs: number, retentionDays: number): number {
    return nowMs - retentionDays * MS_PER_DAY;
  }

  /** The AEK the MMK buffer is sealed again under on replay: the customer key's. */
  protected replayAek(): Buffer {
    return cacheOf(this.access)!.aek;
  }

  /** Eviction zeroes the AEK: whoever still holds the buffer holds zeros. */
  protected evict(cache: KeyCache, _why: 'unavailable' | 'revoked' | 'deleted'): void {
    zeroize(cache.aek);
  }

  /** The AEK in the account's memory now, if any. */
  protected heldAek(): Buffer | null {
    return cacheOf(this.access)?.aek ?? null;
  }

  /**
   * "This gets deleted on key revocation operation." Then a real attempt to
   * read every hot copy there was before the purge: the history's evidence
   * that none is left, wherever it came from (ingestion, a query, a reload);
   * and when the oldest of them was created: what the cache held.
   */
  protected purgeHotCache(): void {
    this.cancelHotCacheReload();
    this.hotCacheStale = true;
    const before = this.store.hotPlaces();
    const blocks = this.store.purgeHot();
    let stillReadable = 0;
    let oldestHotMs: number | null = null;
    for (const { retentionDays, seq, createdMs } of before) {
      oldestHotMs = Math.min(oldestHotMs ?? createdMs, createdMs);
      const copy = this.store.hotCopyAt(retentionDays, seq);
      if (copy !== null && this.opens(() => openBlock(this.mmkAek, `${copy.id}#hot`, copy.hot))) stillReadable++;
    }
    this.counters.hotCachePurges++;
    this.deps.bus.emit({ t: this.now, type: 'hotCache.purged', entity: this.id, blocks, stillReadable, oldestHotMs });
  }

  /**
   * Every change of access goes through here: it must be in TRANSITIONS,
   * and the timers of the state left behind are cancelled unless the new
   * state holds them.
   */
  protected enter(name: TransitionName, next: Access): void {
    const from = this.access;
    const rule: { from: readonly AccessKind[]; to: AccessKind | 'same' } = TRANSITIONS[name];
    const to = rule.to === 'same' ? from.kind : rule.to;
    if (!rule.from.includes(from.kind) || next.kind !== to) {
      throw new Error(`internal: ${this.id} cannot take transition ${name} from ${from.kind} to ${next.kind}`);
    }
    const kept = new Set(timersOf(next));
    for (const handle of timersOf(from)) if (!kept.has(handle)) this.deps.scheduler.cancel(handle);
    this.access = next;
    if (rule.to !== 'same') this.deps.onServingChange(this);
  }

  // ---- ingestion -----------------------------------------------------------

  /** The records of one slice, ending now, for every composition writing here. */
  ingestSlice(sliceIndex: number): void {
    const now = this.now;
    this.expireBuffer(now);
    this.ageOut(now);
    if (this.compositions.every((c) => c.recordsPerSlice === 0)) return;
    const placement = this.placement();
    const parts: { composition: number; records: number; block: { id: string; aek: string; bytes: string } | null }[] = [];
    for (const composition of this.compositions) {
      if (composition.recordsPerSlice === 0) continue;
      this.define(composition);
      const id = `${this.id}/${sliceIndex}/r${composition.retentionDays}`;
      let block: { id: string; aek: string; bytes: string } | null = null;
      switch (placement) {
        case 'mmk':
          block = this.storeBlock(now, id, composition, this.payload(id, composition, now), 'mmk', this.mmkAek);
          break;
        case 'cmk':
          block = this.storeBlock(now, id, composition, this.payload(id, composition, now), 'cmk', cacheOf(this.access)!.aek);
          break;
        case 'buffered':
          block = this.bufferBlock(now, id, composition);
          this.incidents.count('buffered', composition.recordsPerSlice);
          break;
        case 'revoked':
          this.incidents.count('revoked', composition.recordsPerSlice);
          break;
        case 'notProvisioned':
          // "If you link workspaces and ingest data prior to the provisioning, ingested data will be dropped."
          break;
      }
      parts.push({ composition: composition.id, records: composition.recordsPerSlice, block });
    }
    if (parts.length > 0) this.deps.bus.emit({ t: now, type: 'storage.ingested', entity: this.id, placement, parts });
  }

  /** Where records go now: the data placement table. */
  private placement(): Placement {
    const access = this.access;
    switch (access.kind) {
      case 'provisioning':
        return 'notProvisioned';
      case 'noKey':
        return 'mmk';
      case 'healthy':
        return 'cmk';
      case 'unavailable':
        return 'buffered';
      case 'revoked':
        return 'revoked';
      case 'recovering':
        return access.from === 'unavailable' ? 'buffered' : 'revoked';
      case 'deleted':
        throw new Error(`internal: ${this.id} is deleted but still receives ingestion`);
    }
  }

  private define(composition: Composition): void {
    if (this.defined.has(composition.id)) return;
    this.defined.add(composition.id);
    const members = composition.members.map((m) => ({ workspace: m.workspace, recordsPerSlice: m.recordsPerSlice }));
    this.deps.bus.emit({ t: this.now, type: 'composition.defined', entity: this.id, composition: composition.id, retentionDays: composition.retentionDays, members });
  }

  /** Seals and stores one block; returns its evidence for the history. */
  private storeBlock(now: number, id: string, composition: Composition, payload: Buffer, encryption: 'cmk' | 'mmk', aek: Buffer): { id: string; aek: string; bytes: string } {
    // Sealed straight into the store's slabs.
    const into = this.store.destinations(composition.retentionDays);
    const bytes = this.seal(id, payload, aek, into.cold);
    // 2020-11: the hot cache holds the same data under Microsoft keys.
    const hot = this.deps.params.hotCacheDays > 0 ? sealBlock(this.mmkAek, `${id}#hot`, payload, into.hot) : null;
    this.store.add({ id, createdMs: now, composition, encryption, bytes, hot });
    this.counters.blocksSealed++;
    if (!this.blockProbed) this.probeBlock(id, bytes, aek);
    return { id, aek: keyFingerprint(aek), bytes: bytesFingerprint(bytes) };
  }

  private bufferBlock(now: number, id: string, composition: Composition): { id: string; aek: string; bytes: string } {
    if (this.buffer.size === 0) this.deps.bus.emit({ t: now, type: 'buffer.started', entity: this.id });
    const bytes = this.seal(id, this.payload(id, composition, now), this.mmkAek, NEW_BUFFER);
    this.buffer.push({ id, createdMs: now, composition, bytes });
    return { id, aek: keyFingerprint(this.mmkAek), bytes: bytesFingerprint(bytes) };
  }

  /** Each buffered record is decrypted with the MMK and sealed under the CMK chain. */
  private replayBuffer(): void {
    const now = this.now;
    const blocks: { id: string; composition: number; records: number; aek: string; bytes: string }[] = [];
    let records = 0;
    for (const item of this.drainBuffer()) {
      const payload = openBlock(this.mmkAek, item.id, this.outerOpen(item.id, item.bytes));
      // The same block id under another AEK: the CMK chain never sealed this slice before.
      const evidence = this.storeBlock(now, item.id, item.composition, payload, 'cmk', this.replayAek());
      blocks.push({ ...evidence, composition: item.composition.id, records: item.composition.recordsPerSlice });
      records += item.composition.recordsPerSlice;
    }
    if (blocks.length > 0) this.deps.bus.emit({ t: now, type: 'buffer.replayed', entity: this.id, records, blocks });
  }

  /** Everything in the MMK buffer, oldest first, leaving it empty. */
  protected drainBuffer(): BufferedBlock[] {
    const items: BufferedBlock[] = [];
    for (let item = this.buffer.shift(); item !== undefined; item = this.buffer.shift()) items.push(item);
    return items;
  }

  /** Buffered data older than mmkBufferMaxAge is dropped (bufferExpired). */
  private expireBuffer(now: number): void {
    const expired: BufferedBlock[] = [];
    const maxAgeMs = this.bufferMaxAgeMs();
    for (let front = this.buffer.front(); front !== undefined && now - front.createdMs > maxAgeMs; front = this.buffer.front()) {
      this.buffer.shift();
      expired.push(front);
    }
    this.emitExpired('age', expired);
  }

  private emitExpired(cause: 'age' | 'clusterDeleted', expired: readonly BufferedBlock[]): void {
    if (expired.length === 0) return;
    const blocks = expired.map((b) => ({ id: b.id, composition: b.composition.id, records: b.composition.recordsPerSlice }));
    const records = blocks.reduce((sum, b) => sum + b.records, 0);
    // Lost to the incident that buffered them, whether they aged out or their cluster was deleted.
    this.incidents.count('expired', records);
    this.deps.bus.emit({ t: this.now, type: 'buffer.expired', entity: this.id, cause, records, blocks });
  }

  /** Retention purges blocks, readable or not; the hot cache keeps hotCacheDays. */
  private ageOut(now: number): void {
    const purged = this.store.ageOut((days) => this.retentionCutoffMs(now, days), now - this.deps.params.hotCacheDays * MS_PER_DAY);
    for (const { retentionDays, blocks } of purged) {
      this.counters.blocksPurged += blocks;
      this.deps.bus.emit({ t: now, type: 'storage.purged', entity: this.id, retentionDays, blocks });
    }
    if (purged.length > 0 && this.state === 'revoked') this.deps.onServingChange(this);
  }

  // ---- queries ---------------------------------------------------------------

  /**
   * A sampled query really opens the blocks it reads (the newest of its
   * lookback, up to querySampleMaxBlocks) and checks each block's record count.
   */
  sampleQuery(workspace: string, lookbackMs: number): SampledQuery {
    const now = this.now;
    this.counters.sampledQueries++;
    const { params, streams } = this.deps;
    const access = this.access;
    if (access.kind === 'unavailable' || access.kind === 'revoked') this.probeClosed();
    if (access.kind === 'provisioning') return failed(`the cluster of ${this.id} is still provisioning: nothing is stored yet`);
    if (!this.serves(workspace)) {
      // "data ingestion and query resume within 30 minutes" of the first successful unwrap: until then the account is what it was.
      if (access.kind === 'recovering') return failed(`storage account ${this.id} is ${access.from}: access is restored but ingestion and queries have not resumed yet`);
      if (access.kind === 'unavailable') return failed(`storage account ${this.id} is unavailable: Key Vault has not answered an unwrap for outageToUnavailable`);
      // "data is inaccessible and queries to these workspaces fail": the newest block under the customer key cannot be opened.
      const block = this.store.newestCmkBlockOf(workspace);
      return failed(`storage account ${this.id} is revoked: block ${block?.id ?? '(none)'} is sealed under the customer key and no AEK is in memory to derive its DEK`);
    }
    const window = this.store.window(workspace, now - lookbackMs, params.querySampleMaxBlocks);
    let hot = true;
    for (const block of window) {
      if (block.hot !== null) this.checkHeader(block, openBlock(this.mmkAek, `${block.id}#hot`, block.hot));
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

  /**
   * The account's first stored block, opened two ways that must tell the
   * history what the chain is. With its own chain alone, as if no second
   * layer were there: with double encryption on ("encrypted twice") it must
   * not open; without it, it must. Past that layer, with the DEK the AEK gives
   * another block id: it must not open, since each block has a DEK of its own.
   */
  private probeBlock(id: string, stored: Buffer, aek: Buffer): void {
    this.blockProbed = true;
    const serviceLayerAlone = this.opens(() => openBlock(aek, id, stored)) ? 'opened' : 'failed';
    const anotherBlocksDek = this.opens(() => openWithDekOf(aek, `${id}${ANOTHER_BLOCK_SUFFIX}`, id, this.outerOpen(id, stored))) ? 'opened' : 'failed';
    this.deps.bus.emit({ t: this.now, type: 'storage.blockProbed', entity: this.id, block: id, doubleEncryption: this.deps.doubleEncryption, serviceLayerAlone, anotherBlocksDek });
  }

  /** A buffer of AEK bytes now in this account's memory, until it is zeroed. */
  private remember(aek: Buffer): Buffer {
    if (this.liveAeks().length >= AEK_MEMORY_MAX) throw new Error(`internal: ${this.id} holds ${this.aekMemory.length} AEK buffers not zeroed`);
    this.aekMemory.push(aek);
    return aek;
  }

  /** The AEK buffers in memory not zeroed yet; the zeroed ones are forgotten. */
  private liveAeks(): readonly Buffer[] {
    this.aekMemory = this.aekMemory.filter((b) => !isZeroized(b));
    return this.aekMemory;
  }

  /**
   * While closed (unavailable or revoked), a real attempt to open the newest
   * stored block with every AEK buffer in the account's memory (whatever its
   * state says it holds), and to read its hot copy: the history's evidence
   * that nothing opens.
   */
  private probeClosed(): void {
    const block = this.store.newest();
    if (block === undefined) return;
    const live = this.liveAeks();
    let withHeldAek: 'opened' | 'failed' | 'noAek' = live.length === 0 ? 'noAek' : 'failed';
    for (const held of live) if (this.opens(() => openBlock(held, block.id, this.outerOpen(block.id, block.bytes)))) withHeldAek = 'opened';
    const hot = block.hot;
    const hotCopy = hot === null ? 'absent' : this.opens(() => openBlock(this.mmkAek, `${block.id}#hot`, hot)) ? 'opened' : 'failed';
    this.deps.bus.emit({ t: this.now, type: 'storage.openAttempt', entity: this.id, block: block.id, withHeldAek, hotCopy });
  }

  /**
   * 2023-06: "Once the key is enabled and unwrap succeeds, SSD data is
   * reloaded from storage." From the resume, hotCacheReloadTime; until then
   * queries of data stored before the revocation read cold. A reload due
   * while the account is not serving waits for the next resume.
   */
  private scheduleHotCacheReload(): void {
    const { params, scheduler, streams } = this.deps;
    if (!params.hotCacheReload || !this.hotCacheStale || this.hotCacheReload !== null) return;
    this.hotCacheReload = scheduler.after(drawDelay(params.hotCacheReloadTime, params.delayMode, streams.hotCache), () => {
      this.hotCacheReload = null;
      if (this.access.kind !== 'healthy') return;
      let blocks = 0;
      for (const block of this.store.coldSince(this.now - params.hotCacheDays * MS_PER_DAY)) {
        this.store.heat(block, sealBlock(this.mmkAek, `${block.id}#hot`, this.openCold(block)));
        blocks++;
      }
      this.hotCacheStale = false;
      this.counters.hotCacheReloads++;
      this.deps.bus.emit({ t: this.now, type: 'hotCache.reloaded', entity: this.id, blocks });
    });
  }

  private cancelHotCacheReload(): void {
    if (this.hotCacheReload !== null) this.deps.scheduler.cancel(this.hotCacheReload);
    this.hotCacheReload = null;
  }

  private opens(open: () => Buffer): boolean {
    try {
      zeroize(open());
      return true;
    } catch {
      return false;
    }
  }

  /** Opens a block from its stored bytes: the infrastructure layer, then its own chain. */
  private openCold(block: StoredBlock): Buffer {
    const aek = block.encryption === 'cmk' ? this.heldAek() : this.mmkAek;
    if (aek === null) throw new Error(`internal: ${this.id} reads customer-key block ${block.id} without an AEK (${this.access.kind})`);
    return openBlock(aek, block.id, this.outerOpen(block.id, block.bytes));
  }

  private checkHeader(block: StoredBlock, payload: Buffer): void {
    if (!headerIs(payload, block.id, block.composition.recordsPerSlice)) {
      throw new Error(`internal: block ${block.id} opened with header ${JSON.stringify(readHeader(payload))}`);
    }
  }

  private heat(workspace: string, fromMs: number): void {
    for (const block of this.store.since(workspace, fromMs)) {
      if (block.hot === null) this.store.heat(block, sealBlock(this.mmkAek, `${block.id}#hot`, this.openCold(block)));
    }
  }

  /** The oldest stored block of each retention group. */
  oldestBlocks(): { retentionDays: number; oldestMs: number }[] {
    return this.store.oldestBlocks();
  }

  /**
   * Tries to open every block with what the account holds now; counts what
   * opens. For tests: `infrastructure` replaces the account's own second
   * layer (null: none), to show that double encryption is really there.
   */
  openableBlocks(infrastructure: InfrastructureLayer | null = this.deps.infrastructure): { cmk: number; mmk: number; unreadable: number } {
    const result = { cmk: 0, mmk: 0, unreadable: 0 };
    for (const block of this.store.all()) {
      try {
        const aek = block.encryption === 'cmk' ? this.heldAek() : this.mmkAek;
        if (aek === null) throw new Error('no AEK in memory');
        const sealed = infrastructure === null ? block.bytes : infrastructure.decrypt(block.id, block.bytes);
        openBlock(aek, block.id, sealed);
        result[block.encryption]++;
      } catch {
        result.unreadable++;
      }
    }
    return result;
  }

  // ---- internals -------------------------------------------------------------

  protected get now(): number {
    return this.deps.scheduler.nowMs;
  }

  private get principal(): string {
    return this.deps.cluster.principal;
  }

  private vault(ref: KeyRef): KeyVault {
    return this.deps.vaults.get(ref.vault)!;
  }

  private payload(id: string, composition: Composition, now: number): Buffer {
    return this.payloads.payload({ block: id, records: composition.recordsPerSlice, workspaces: composition.workspaces, sliceEndMs: now });
  }

  /** The block's own chain, then the infrastructure layer where double encryption is on: the outer bytes written where `into` says. */
  private seal(id: string, payload: Buffer, aek: Buffer, into: Destination): Buffer {
    const infrastructure = this.deps.infrastructure;
    if (infrastructure === null) return sealBlock(aek, id, payload, into);
    return infrastructure.encrypt(id, sealBlock(aek, id, payload, this.innerSealed), into);
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
}

function cacheOf(access: Access): KeyCache | null {
  return access.kind === 'healthy' || access.kind === 'recovering' ? access.cache : null;
}

function timersOf(access: Access): EventHandle[] {
  const timers: EventHandle[] = [];
  if ('failing' in access && access.failing !== null) timers.push(access.failing);
  if ('revoking' in access && access.revoking !== null) timers.push(access.revoking.handle);
  if (access.kind === 'recovering') timers.push(access.resume);
  return timers;
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
