// What a storage account keeps at rest: its sealed blocks, one time-ordered
// log per retention, each block with its SSD hot-cache copy while it has one.
// Retention drops blocks from the front of a log and hot copies age out the
// same way, so both cost O(1) per block over a run, however long.
//
// The bytes are sealed straight into slabs of the store's own (or copied
// there), one run of slabs per log for the blocks and one for their hot
// copies: what lives together dies together, in the order it was written, so
// a slab empties soon after its last block and is written again, and memory
// stays flat once retention is reached. (A block
// kept in a buffer of its own, about 1 KiB, costs an allocation the memory
// allocator frees out of order; one cut from Node's shared 8 KiB pool keeps
// the whole slab alive for the block's retention.)

import { bytesFingerprint, setDigest, type Destination } from '../crypto/index.ts';
import { TimeLog } from '../engine/time-log.ts';
import type { Composition } from '../workload/composition.ts';

export interface StoredBlock {
  readonly id: string;
  readonly createdMs: number;
  readonly composition: Composition;
  /** Which chain sealed it: the account's customer-key AEK, or its Microsoft-managed one. */
  readonly encryption: 'cmk' | 'mmk';
  /** Sealed under the block's chain, then the infrastructure layer where double encryption is on. */
  readonly bytes: Buffer;
  /** The SSD hot-cache copy, MMK-sealed (2020-11); null once purged or aged out. */
  hot: Buffer | null;
}

/** Bytes are written this many at a time into a slab of their own: larger than the 128 KiB past which malloc maps memory directly. */
const SLAB_BYTES = 256 * 1024;
/** Emptied slabs a run of slabs keeps to write again, at most; past that they are left to the garbage collector. */
const FREE_SLABS_MAX = 16;

/** A slab, and how many of the buffers given out from it are still stored. */
interface Slab {
  readonly bytes: Buffer;
  live: number;
}

/**
 * Bytes written one after another into slabs that hold nothing else. A slab
 * whose buffers have all been released (retention, hot copies aging out) is
 * written again: memory already touched, none to wait for the garbage collector.
 */
class Slabs {
  private current: Slab = { bytes: Buffer.alloc(0), live: 0 };
  private usedBytes = 0;
  /** The slab of each buffer given out, by the memory they share (a block's bytes keep their slab). */
  private readonly slabOf = new WeakMap<ArrayBufferLike, Slab>();
  /** Slabs with nothing stored in them, to write again before a new one is made. */
  private readonly free: Slab[] = [];
  /** The bytes given out last, until they are kept. */
  private lastTaken: Buffer | null = null;
  /** Where the next bytes go: a Destination for sealBlock and the infrastructure layer. */
  readonly into: Destination = (bytes) => (this.lastTaken = this.take(bytes));

  /** The bytes as they are here: themselves if they are the last given out by `into`, else a copy. */
  keep(bytes: Buffer): Buffer {
    if (bytes === this.lastTaken) {
      this.lastTaken = null;
      return bytes;
    }
    const own = this.take(bytes.length);
    bytes.copy(own);
    return own;
  }

  /** Kept bytes are no longer stored: once nothing else in their slab is, it is written again. Each kept buffer is released once. */
  release(bytes: Buffer): void {
    const slab = this.slabOf.get(bytes.buffer);
    // A buffer of its own, past SLAB_BYTES: the garbage collector's.
    if (slab === undefined) return;
    if (slab.live <= 0) throw new Error('internal: stored bytes released twice');
    slab.live--;
    if (slab.live === 0 && slab !== this.current) this.recycle(slab);
  }

  /** The next `bytes` bytes of the slab (a buffer of their own past SLAB_BYTES). */
  private take(bytes: number): Buffer {
    if (bytes > SLAB_BYTES) return Buffer.allocUnsafeSlow(bytes);
    if (this.usedBytes + bytes > this.current.bytes.length) {
      const done = this.current;
      this.current = this.free.pop() ?? this.newSlab();
      this.usedBytes = 0;
      if (done.live === 0 && done.bytes.length > 0) this.recycle(done);
    }
    const start = this.usedBytes;
    this.usedBytes += bytes;
    this.current.live++;
    return this.current.bytes.subarray(start, this.usedBytes);
  }

  private newSlab(): Slab {
    const slab: Slab = { bytes: Buffer.allocUnsafeSlow(SLAB_BYTES), live: 0 };
    this.slabOf.set(slab.bytes.buffer, slab);
    return slab;
  }

  private recycle(slab: Slab): void {
    if (this.free.length < FREE_SLABS_MAX) this.free.push(slab);
  }
}

/** One retention's blocks, and the slabs their bytes and hot copies are written into. */
interface Log {
  readonly blocks: TimeLog<StoredBlock>;
  readonly cold: Slabs;
  readonly hot: Slabs;
}

export class BlockStore {
  /** One log per retention, in the order the retentions first appeared. */
  private readonly logs = new Map<number, Log>();
  /** Customer-key blocks held per composition, so "does this workspace have CMK data here" costs no scan. */
  private readonly cmkBlocks = new Map<Composition, number>();
  private hotCount = 0;

  get hotBlocks(): number {
    return this.hotCount;
  }

  /**
   * Where to seal a block of this retention so that add() keeps the bytes as
   * they are: the last bytes taken from these destinations, written in place.
   */
  destinations(retentionDays: number): { cold: Destination; hot: Destination } {
    const log = this.logOf(retentionDays);
    return { cold: log.cold.into, hot: log.hot.into };
  }

  /**
   * Stores the block. Bytes just sealed into its destinations() stay where
   * they are; any others are copied, so the caller's buffers are its own again.
   */
  add(sealed: StoredBlock): void {
    const log = this.logOf(sealed.composition.retentionDays);
    const { id, createdMs, composition, encryption } = sealed;
    const block: StoredBlock = { id, createdMs, composition, encryption, bytes: log.cold.keep(sealed.bytes), hot: sealed.hot === null ? null : log.hot.keep(sealed.hot) };
    log.blocks.push(block);
    if (block.hot !== null) this.hotCount++;
    if (block.encryption === 'cmk') this.cmkBlocks.set(block.composition, (this.cmkBlocks.get(block.composition) ?? 0) + 1);
  }

  /**
   * Drops every block created before its log's cutoff and reports how many
   * left each log; hot copies of blocks created before hotFromMs go too.
   */
  ageOut(cutoffMs: (retentionDays: number) => number, hotFromMs: number): { retentionDays: number; blocks: number }[] {
    const purged: { retentionDays: number; blocks: number }[] = [];
    for (const [retentionDays, { blocks: log, cold }] of this.logs) {
      const keepFromMs = cutoffMs(retentionDays);
      let blocks = 0;
      for (let front = log.front(); front !== undefined && front.createdMs < keepFromMs; front = log.front()) {
        log.shift();
        blocks++;
        cold.release(front.bytes);
        this.dropHot(front);
        if (front.encryption === 'cmk') this.cmkBlocks.set(front.composition, this.cmkBlocks.get(front.composition)! - 1);
      }
      if (blocks > 0) purged.push({ retentionDays, blocks });
      log.visitOlderThan(hotFromMs, (block) => this.dropHot(block));
    }
    return purged;
  }

  /** Deletes every hot copy; returns how many there were. */
  purgeHot(): number {
    let purged = 0;
    for (const block of this.all()) {
      if (block.hot === null) continue;
      this.dropHot(block);
      purged++;
    }
    return purged;
  }

  /** Gives the block a hot copy (2023-06 "recently queried"). */
  heat(block: StoredBlock, hot: Buffer): void {
    this.dropHot(block);
    block.hot = this.logOf(block.composition.retentionDays).hot.keep(hot);
    this.hotCount++;
  }

  clear(): void {
    this.logs.clear();
    this.cmkBlocks.clear();
    this.hotCount = 0;
  }

  /** Whether the workspace has data here under the customer key. */
  holdsCmkDataOf(workspace: string): boolean {
    for (const [composition, blocks] of this.cmkBlocks) if (blocks > 0 && composition.has(workspace)) return true;
    return false;
  }

  newestCmkBlockOf(workspace: string): StoredBlock | undefined {
    for (const { blocks: log } of this.logs.values()) for (const block of log.newest()) if (block.encryption === 'cmk' && block.composition.has(workspace)) return block;
    return undefined;
  }

  /** The newest block of all, whatever its chain. */
  newest(): StoredBlock | undefined {
    let newest: StoredBlock | undefined;
    for (const { blocks: log } of this.logs.values()) {
      const back = log.back();
      if (back !== undefined && (newest === undefined || back.createdMs > newest.createdMs)) newest = back;
    }
    return newest;
  }

  /**
   * The blocks a sampled query opens: the newest of its window (up to max - 1)
   * and the oldest, so a window reaching past the hot cache really reads cold.
   */
  window(workspace: string, fromMs: number, max: number): StoredBlock[] {
    const found: StoredBlock[] = [];
    for (const { blocks: log } of this.logs.values()) {
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

  /** The blocks of the workspace created at or after fromMs, newest first. */
  *since(workspace: string, fromMs: number): Generator<StoredBlock> {
    for (const { blocks: log } of this.logs.values()) {
      for (const block of log.newest()) {
        if (block.createdMs < fromMs) break;
        if (block.composition.has(workspace)) yield block;
      }
    }
  }

  /** Every block created at or after fromMs that has no hot copy (what a reload of the hot cache reads from storage), newest first per log. */
  *coldSince(fromMs: number): Generator<StoredBlock> {
    for (const { blocks: log } of this.logs.values()) {
      for (const block of log.newest()) {
        if (block.createdMs < fromMs) break;
        if (block.hot === null) yield block;
      }
    }
  }

  /** Oldest first within each log. */
  *all(): Generator<StoredBlock> {
    for (const { blocks: log } of this.logs.values()) yield* log.oldest();
  }

  /** The oldest stored block of each retention group. */
  oldestBlocks(): { retentionDays: number; oldestMs: number }[] {
    const oldest: { retentionDays: number; oldestMs: number }[] = [];
    for (const [retentionDays, { blocks: log }] of this.logs) {
      const front = log.front();
      if (front !== undefined) oldest.push({ retentionDays, oldestMs: front.createdMs });
    }
    return oldest;
  }

  /** The digest of every stored block's bytes as they are now (fingerprints computed afresh from the bytes). */
  digest(): string {
    return setDigest((function* (store: BlockStore) {
      for (const block of store.all()) yield bytesFingerprint(block.bytes);
    })(this));
  }

  private logOf(retentionDays: number): Log {
    let log = this.logs.get(retentionDays);
    if (log === undefined) this.logs.set(retentionDays, (log = { blocks: new TimeLog(), cold: new Slabs(), hot: new Slabs() }));
    return log;
  }

  private dropHot(block: StoredBlock): void {
    if (block.hot === null) return;
    this.logOf(block.composition.retentionDays).hot.release(block.hot);
    block.hot = null;
    this.hotCount--;
  }
}
