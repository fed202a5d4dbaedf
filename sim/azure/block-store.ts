// What a storage account keeps at rest: its sealed blocks, one time-ordered
// log per retention, each block with its SSD hot-cache copy while it has one.
// Retention drops blocks from the front of a log and hot copies age out the
// same way, so both cost O(1) per block over a run, however long.
//
// A log keeps its blocks as columns (sim/engine/time-log.ts), and their bytes
// sealed straight into slabs of the store's own (or copied there), one run of
// slabs per log for the blocks and one for their hot copies: what lives
// together dies together, in the order it was written, so a slab empties
// soon after its last block and is written again. No object, view or buffer
// per block lives as long as the block does, so memory stays flat once
// retention is reached. (A block kept in a buffer of its own, about 1 KiB,
// costs an allocation the memory allocator frees out of order; one cut from
// Node's shared 8 KiB pool keeps the whole slab alive for the block's
// retention; an object per block reaches V8's old generation and dies there.)

import { bytesFingerprint, setDigest, type Destination } from '../crypto/index.ts';
import { ColumnLog } from '../engine/time-log.ts';
import type { Composition } from '../workload/composition.ts';

/** A block as it is sealed, to be stored. */
export interface SealedBlock {
  readonly id: string;
  readonly createdMs: number;
  readonly composition: Composition;
  /** Which chain sealed it: the account's customer-key AEK, or its Microsoft-managed one. */
  readonly encryption: 'cmk' | 'mmk';
  /** Sealed under the block's chain, then the infrastructure layer where double encryption is on. */
  readonly bytes: Buffer;
  /** The SSD hot-cache copy, MMK-sealed (2020-11), if it has one. */
  readonly hot: Buffer | null;
}

/** A stored block as read from the store: its bytes and hot copy are views of where they are kept, as they were when it was read. */
export interface StoredBlock extends SealedBlock {
  /** Its number in its retention's log (heat() finds it by it). */
  readonly seq: number;
}

/** Bytes are written this many at a time into a slab of their own: larger than the 128 KiB past which malloc maps memory directly. */
const SLAB_BYTES = 256 * 1024;
/** Emptied slabs a run of slabs keeps to write again, at most; past that they are left to the garbage collector. */
const FREE_SLABS_MAX = 16;

/** A slab, its number among its Slabs, and how many of the stretches given out from it are still stored. */
interface Slab {
  readonly id: number;
  readonly bytes: Buffer;
  live: number;
}

/** Where kept bytes are: a stretch of one slab. */
interface Place {
  readonly slab: number;
  readonly startBytes: number;
  readonly lengthBytes: number;
}

/**
 * Bytes written one after another into slabs that hold nothing else. A slab
 * whose stretches have all been released (retention, hot copies aging out) is
 * written again: memory already touched, none to wait for the garbage collector.
 */
class Slabs {
  /** Slabs by number; a number is free again once its slab is left to the garbage collector. */
  private readonly slabs: (Slab | undefined)[] = [];
  private readonly freeIds: number[] = [];
  private current: Slab | null = null;
  private usedBytes = 0;
  /** Slabs with nothing stored in them, to write again before a new one is made. */
  private readonly free: Slab[] = [];
  /** The bytes given out last, and where, until they are kept. */
  private lastTaken: { bytes: Buffer; place: Place } | null = null;
  /** Where the next bytes go: a Destination for sealBlock and the infrastructure layer. */
  readonly into: Destination = (lengthBytes) => {
    const place = this.take(lengthBytes);
    this.lastTaken = { bytes: this.bytesAt(place.slab, place.startBytes, place.lengthBytes), place };
    return this.lastTaken.bytes;
  };

  /** Where the bytes are kept: where they are, if they are the last given out by `into`, else a copy's place. */
  keep(bytes: Buffer): Place {
    const last = this.lastTaken;
    this.lastTaken = null;
    if (last !== null && bytes === last.bytes) return last.place;
    const place = this.take(bytes.length);
    bytes.copy(this.slabs[place.slab]!.bytes, place.startBytes);
    return place;
  }

  /** A view of kept bytes. */
  bytesAt(slab: number, startBytes: number, lengthBytes: number): Buffer {
    return this.slabs[slab]!.bytes.subarray(startBytes, startBytes + lengthBytes);
  }

  /** Kept bytes are no longer stored: once nothing else in their slab is, it is written again. Each place is released once. */
  release(id: number): void {
    const slab = this.slabs[id];
    if (slab === undefined || slab.live <= 0) throw new Error('internal: stored bytes released twice');
    slab.live--;
    if (slab.live === 0 && slab !== this.current) this.recycle(slab);
  }

  /** The next `lengthBytes` bytes of the slab (a slab of their own past SLAB_BYTES). */
  private take(lengthBytes: number): Place {
    if (lengthBytes > SLAB_BYTES) {
      const own = this.register(Buffer.allocUnsafeSlow(lengthBytes));
      own.live = 1;
      return { slab: own.id, startBytes: 0, lengthBytes };
    }
    let current = this.current;
    if (current === null || this.usedBytes + lengthBytes > current.bytes.length) {
      this.current = this.free.pop() ?? this.register(Buffer.allocUnsafeSlow(SLAB_BYTES));
      this.usedBytes = 0;
      if (current !== null && current.live === 0) this.recycle(current);
      current = this.current;
    }
    const startBytes = this.usedBytes;
    this.usedBytes += lengthBytes;
    current.live++;
    return { slab: current.id, startBytes, lengthBytes };
  }

  private register(bytes: Buffer): Slab {
    const slab: Slab = { id: this.freeIds.pop() ?? this.slabs.length, bytes, live: 0 };
    this.slabs[slab.id] = slab;
    return slab;
  }

  /** Only slabs of SLAB_BYTES are written again, up to FREE_SLABS_MAX; others are left to the garbage collector. */
  private recycle(slab: Slab): void {
    if (slab.bytes.length === SLAB_BYTES && this.free.length < FREE_SLABS_MAX) {
      this.free.push(slab);
      return;
    }
    this.slabs[slab.id] = undefined;
    this.freeIds.push(slab.id);
  }
}

/** No hot copy, in a log's hotSlab column. */
const NO_HOT = -1;

/** A retention's blocks, one column per field (sim/engine/time-log.ts). */
const blockColumns = (capacity: number) => ({
  createdMs: new Float64Array(capacity),
  /** Index in the store's composition table. */
  composition: new Int32Array(capacity),
  /** 1: sealed under the customer-key chain; 0: the Microsoft-managed one. */
  cmk: new Uint8Array(capacity),
  coldSlab: new Int32Array(capacity),
  coldStart: new Int32Array(capacity),
  coldLength: new Int32Array(capacity),
  /** NO_HOT when the block has no hot copy. */
  hotSlab: new Int32Array(capacity),
  hotStart: new Int32Array(capacity),
  hotLength: new Int32Array(capacity),
  id: new Array<string | undefined>(capacity),
});

/** One retention's blocks, and the slabs their bytes and hot copies are written into. */
interface Log {
  readonly blocks: ColumnLog<ReturnType<typeof blockColumns>>;
  readonly cold: Slabs;
  readonly hot: Slabs;
  /** The first block whose hot copy has not been aged out yet (by its sequence number). */
  hotAgedSeq: number;
}

export class BlockStore {
  /** One log per retention, in the order the retentions first appeared. */
  private readonly logs = new Map<number, Log>();
  /** The compositions blocks were stored for, each once, in the order first seen: the logs' composition column indexes it. */
  private readonly compositions: Composition[] = [];
  private readonly compositionIndex = new Map<Composition, number>();
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
  add(sealed: SealedBlock): void {
    const { composition } = sealed;
    const log = this.logOf(composition.retentionDays);
    const cold = log.cold.keep(sealed.bytes);
    const hot = sealed.hot === null ? null : log.hot.keep(sealed.hot);
    const slot = log.blocks.push();
    const columns = log.blocks.columns;
    columns.createdMs[slot] = sealed.createdMs;
    columns.composition[slot] = this.indexOf(composition);
    columns.cmk[slot] = sealed.encryption === 'cmk' ? 1 : 0;
    columns.coldSlab[slot] = cold.slab;
    columns.coldStart[slot] = cold.startBytes;
    columns.coldLength[slot] = cold.lengthBytes;
    columns.id[slot] = sealed.id;
    this.setHot(log, slot, hot);
    if (sealed.encryption === 'cmk') this.cmkBlocks.set(composition, (this.cmkBlocks.get(composition) ?? 0) + 1);
  }

  /**
   * Drops every block created before its log's cutoff and reports how many
   * left each log; hot copies of blocks created before hotFromMs go too.
   */
  ageOut(cutoffMs: (retentionDays: number) => number, hotFromMs: number): { retentionDays: number; blocks: number }[] {
    const purged: { retentionDays: number; blocks: number }[] = [];
    for (const [retentionDays, log] of this.logs) {
      const keepFromMs = cutoffMs(retentionDays);
      const { blocks } = log;
      let dropped = 0;
      for (let slot = blocks.slotOf(blocks.firstSeq); slot >= 0 && blocks.columns.createdMs[slot]! < keepFromMs; slot = blocks.slotOf(blocks.firstSeq)) {
        const columns = blocks.columns;
        log.cold.release(columns.coldSlab[slot]!);
        this.dropHot(log, slot);
        if (columns.cmk[slot] === 1) {
          const composition = this.compositions[columns.composition[slot]!]!;
          this.cmkBlocks.set(composition, this.cmkBlocks.get(composition)! - 1);
        }
        blocks.shift();
        dropped++;
      }
      if (dropped > 0) purged.push({ retentionDays, blocks: dropped });
      let seq = Math.max(log.hotAgedSeq, blocks.firstSeq);
      for (let slot = blocks.slotOf(seq); slot >= 0 && blocks.columns.createdMs[slot]! < hotFromMs; slot = blocks.slotOf(++seq)) this.dropHot(log, slot);
      log.hotAgedSeq = seq;
    }
    return purged;
  }

  /** Deletes every hot copy; returns how many there were. */
  purgeHot(): number {
    let purged = 0;
    for (const log of this.logs.values()) {
      for (let seq = log.blocks.firstSeq; seq < log.blocks.endSeq; seq++) {
        const slot = log.blocks.slotOf(seq);
        if (log.blocks.columns.hotSlab[slot] === NO_HOT) continue;
        this.dropHot(log, slot);
        purged++;
      }
    }
    return purged;
  }

  /**
   * Where every hot copy is now, found by its own walk over every block (not
   * purgeHot's): what a purge is then checked against.
   */
  hotPlaces(): { retentionDays: number; seq: number; createdMs: number }[] {
    const places: { retentionDays: number; seq: number; createdMs: number }[] = [];
    for (const [retentionDays, log] of this.logs) {
      for (let seq = log.blocks.firstSeq; seq < log.blocks.endSeq; seq++) {
        const slot = log.blocks.slotOf(seq);
        if (log.blocks.columns.hotSlab[slot] !== NO_HOT) places.push({ retentionDays, seq, createdMs: log.blocks.columns.createdMs[slot]! });
      }
    }
    return places;
  }

  /** The hot copy of the block at this place as it is now, with the block's id, or null if it has none (or is no longer stored). */
  hotCopyAt(retentionDays: number, seq: number): { id: string; hot: Buffer } | null {
    const log = this.logs.get(retentionDays);
    const slot = log === undefined ? -1 : log.blocks.slotOf(seq);
    if (slot < 0) return null;
    const c = log!.blocks.columns;
    const hotSlab = c.hotSlab[slot]!;
    return hotSlab === NO_HOT ? null : { id: c.id[slot]!, hot: log!.hot.bytesAt(hotSlab, c.hotStart[slot]!, c.hotLength[slot]!) };
  }

  /** Gives the block a hot copy (2023-06 "recently queried"). */
  heat(block: StoredBlock, hot: Buffer): void {
    const log = this.logOf(block.composition.retentionDays);
    const slot = log.blocks.slotOf(block.seq);
    if (slot < 0 || log.blocks.columns.id[slot] !== block.id) throw new Error(`internal: block ${block.id} is not stored here`);
    this.dropHot(log, slot);
    this.setHot(log, slot, log.hot.keep(hot));
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
    for (const log of this.logs.values()) {
      for (let seq = log.blocks.endSeq - 1; seq >= log.blocks.firstSeq; seq--) {
        const slot = log.blocks.slotOf(seq);
        if (log.blocks.columns.cmk[slot] === 1 && this.compositionAt(log, slot).has(workspace)) return this.blockAt(log, seq);
      }
    }
    return undefined;
  }

  /** The newest block of all, whatever its chain. */
  newest(): StoredBlock | undefined {
    let newest: StoredBlock | undefined;
    for (const log of this.logs.values()) {
      const back = log.blocks.endSeq - 1;
      const slot = log.blocks.slotOf(back);
      if (slot >= 0 && (newest === undefined || log.blocks.columns.createdMs[slot]! > newest.createdMs)) newest = this.blockAt(log, back);
    }
    return newest;
  }

  /**
   * The blocks a sampled query opens: the newest of its window (up to max - 1)
   * and the oldest, so a window reaching past the hot cache really reads cold.
   */
  window(workspace: string, fromMs: number, max: number): StoredBlock[] {
    const found: StoredBlock[] = [];
    for (const log of this.logs.values()) {
      const { blocks } = log;
      let taken = 0;
      let lowestTaken = blocks.endSeq;
      for (let seq = blocks.endSeq - 1; seq >= blocks.firstSeq && taken < max - 1; seq--) {
        const slot = blocks.slotOf(seq);
        if (blocks.columns.createdMs[slot]! < fromMs) break;
        if (this.compositionAt(log, slot).has(workspace)) {
          found.push(this.blockAt(log, seq));
          lowestTaken = seq;
          taken++;
        }
      }
      const oldest = blocks.firstAtOrAfter(fromMs);
      if (oldest < lowestTaken && this.compositionAt(log, blocks.slotOf(oldest)).has(workspace)) found.push(this.blockAt(log, oldest));
    }
    return found;
  }

  /** The blocks of the workspace created at or after fromMs, newest first. */
  *since(workspace: string, fromMs: number): Generator<StoredBlock> {
    for (const log of this.logs.values()) {
      for (let seq = log.blocks.endSeq - 1; seq >= log.blocks.firstSeq; seq--) {
        const slot = log.blocks.slotOf(seq);
        if (log.blocks.columns.createdMs[slot]! < fromMs) break;
        if (this.compositionAt(log, slot).has(workspace)) yield this.blockAt(log, seq);
      }
    }
  }

  /** Every block created at or after fromMs that has no hot copy (what a reload of the hot cache reads from storage), newest first per log. */
  *coldSince(fromMs: number): Generator<StoredBlock> {
    for (const log of this.logs.values()) {
      for (let seq = log.blocks.endSeq - 1; seq >= log.blocks.firstSeq; seq--) {
        const slot = log.blocks.slotOf(seq);
        if (log.blocks.columns.createdMs[slot]! < fromMs) break;
        if (log.blocks.columns.hotSlab[slot] === NO_HOT) yield this.blockAt(log, seq);
      }
    }
  }

  /** Oldest first within each log. */
  *all(): Generator<StoredBlock> {
    for (const log of this.logs.values()) for (let seq = log.blocks.firstSeq; seq < log.blocks.endSeq; seq++) yield this.blockAt(log, seq);
  }

  /** The oldest stored block of each retention group. */
  oldestBlocks(): { retentionDays: number; oldestMs: number }[] {
    const oldest: { retentionDays: number; oldestMs: number }[] = [];
    for (const [retentionDays, { blocks }] of this.logs) {
      const slot = blocks.slotOf(blocks.firstSeq);
      if (slot >= 0) oldest.push({ retentionDays, oldestMs: blocks.columns.createdMs[slot]! });
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
    if (log === undefined) this.logs.set(retentionDays, (log = { blocks: new ColumnLog(blockColumns), cold: new Slabs(), hot: new Slabs(), hotAgedSeq: 0 }));
    return log;
  }

  private indexOf(composition: Composition): number {
    let index = this.compositionIndex.get(composition);
    if (index === undefined) {
      index = this.compositions.push(composition) - 1;
      this.compositionIndex.set(composition, index);
    }
    return index;
  }

  private compositionAt(log: Log, slot: number): Composition {
    return this.compositions[log.blocks.columns.composition[slot]!]!;
  }

  /** The block, read out of the log's columns. */
  private blockAt(log: Log, seq: number): StoredBlock {
    const slot = log.blocks.slotOf(seq);
    const c = log.blocks.columns;
    const hotSlab = c.hotSlab[slot]!;
    return {
      id: c.id[slot]!,
      seq,
      createdMs: c.createdMs[slot]!,
      composition: this.compositionAt(log, slot),
      encryption: c.cmk[slot] === 1 ? 'cmk' : 'mmk',
      bytes: log.cold.bytesAt(c.coldSlab[slot]!, c.coldStart[slot]!, c.coldLength[slot]!),
      hot: hotSlab === NO_HOT ? null : log.hot.bytesAt(hotSlab, c.hotStart[slot]!, c.hotLength[slot]!),
    };
  }

  private setHot(log: Log, slot: number, hot: Place | null): void {
    const columns = log.blocks.columns;
    columns.hotSlab[slot] = hot === null ? NO_HOT : hot.slab;
    columns.hotStart[slot] = hot === null ? 0 : hot.startBytes;
    columns.hotLength[slot] = hot === null ? 0 : hot.lengthBytes;
    if (hot !== null) this.hotCount++;
  }

  private dropHot(log: Log, slot: number): void {
    const columns = log.blocks.columns;
    const hotSlab = columns.hotSlab[slot]!;
    if (hotSlab === NO_HOT) return;
    log.hot.release(hotSlab);
    columns.hotSlab[slot] = NO_HOT;
    this.hotCount--;
  }
}
