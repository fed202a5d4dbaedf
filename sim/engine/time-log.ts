// Records in time order, dropped from the front as they age out: push,
// shift and aging cost O(1) amortised per record, lookups by time are binary
// searches.
//
// ColumnLog keeps its records as columns (one array per field, numbers in
// typed arrays) in a ring that doubles when full and is never compacted: a
// store's blocks and the checker's record of them, kept for months of
// simulated time, are a few arrays rather than an object per block. (Objects
// that live for weeks reach V8's old generation and die there; a year of them
// is what made a long run's memory swing, and grow, with its age.) TimeLog is
// the same ring holding one object per record, for what lives hours.

/** A column: numbers in a typed array, anything else in a plain array. */
export type Column = Float64Array | Int32Array | Uint8Array | unknown[];

export type Columns = Record<string, Column>;

/** Slots a log starts with; it doubles from there. */
const INITIAL_CAPACITY = 16;

/**
 * Records as columns in a ring. Each record has a sequence number, fixed for
 * its life (the first record is 0); push() gives the slot to fill in every
 * column, slotOf() finds a record's slot while it is in the log.
 */
export class ColumnLog<C extends Columns> {
  private cols: C;
  /** capacity - 1; capacity is a power of two. */
  private mask: number;
  private headSlot = 0;
  private count = 0;
  private shiftedCount = 0;
  /** Columns that hold references, cleared as records leave so nothing they held stays alive. */
  private readonly referenceColumns: string[];

  constructor(private readonly allocate: (capacity: number) => C) {
    this.cols = allocate(INITIAL_CAPACITY);
    this.mask = INITIAL_CAPACITY - 1;
    this.referenceColumns = Object.keys(this.cols).filter((name) => Array.isArray(this.cols[name]));
  }

  /** The columns, indexed by slot. push() may replace them: read them after it. */
  get columns(): C {
    return this.cols;
  }

  get size(): number {
    return this.count;
  }

  /** The sequence number of the oldest record (of the next one pushed, when empty). */
  get firstSeq(): number {
    return this.shiftedCount;
  }

  /** One past the newest record's sequence number. */
  get endSeq(): number {
    return this.shiftedCount + this.count;
  }

  /** The slot of record `seq`, or -1 when it is not in the log. */
  slotOf(seq: number): number {
    const offset = seq - this.shiftedCount;
    if (!Number.isInteger(offset) || offset < 0 || offset >= this.count) return -1;
    return (this.headSlot + offset) & this.mask;
  }

  /** Adds a record at the back; returns its slot, for the caller to fill in every column. */
  push(): number {
    if (this.count > this.mask) this.grow();
    const slot = (this.headSlot + this.count) & this.mask;
    this.count++;
    return slot;
  }

  /** Drops the oldest record; false when there is none. */
  shift(): boolean {
    if (this.count === 0) return false;
    for (const name of this.referenceColumns) (this.cols[name] as unknown[])[this.headSlot] = undefined;
    this.headSlot = (this.headSlot + 1) & this.mask;
    this.count--;
    this.shiftedCount++;
    return true;
  }

  /** The sequence number of the oldest record created at or after ms (endSeq when none): a binary search, records are in time order. */
  firstAtOrAfter(this: ColumnLog<C & { createdMs: Float64Array }>, ms: number): number {
    const createdMs = this.cols.createdMs;
    let low = 0;
    let high = this.count;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (createdMs[(this.headSlot + mid) & this.mask]! < ms) low = mid + 1;
      else high = mid;
    }
    return this.shiftedCount + low;
  }

  /** Twice the slots, the records moved to the front in order. */
  private grow(): void {
    const capacity = (this.mask + 1) * 2;
    const next = this.allocate(capacity);
    const firstRun = Math.min(this.count, this.mask + 1 - this.headSlot);
    for (const name of Object.keys(next)) {
      const from = this.cols[name]!;
      const to = next[name]!;
      if (Array.isArray(from)) {
        for (let i = 0; i < this.count; i++) (to as unknown[])[i] = from[(this.headSlot + i) & this.mask];
      } else {
        (to as Float64Array).set((from as Float64Array).subarray(this.headSlot, this.headSlot + firstRun));
        (to as Float64Array).set((from as Float64Array).subarray(0, this.count - firstRun), firstRun);
      }
    }
    this.cols = next;
    this.mask = capacity - 1;
    this.headSlot = 0;
  }
}

/** Objects in time order, one per record: the ring of ColumnLog for what lives hours (an MMK buffer). */
export class TimeLog<T> {
  private readonly log = new ColumnLog((capacity) => ({ item: new Array<T | undefined>(capacity) }));

  get size(): number {
    return this.log.size;
  }

  push(item: T): void {
    const slot = this.log.push();
    this.log.columns.item[slot] = item;
  }

  front(): T | undefined {
    return this.log.size === 0 ? undefined : this.log.columns.item[this.log.slotOf(this.log.firstSeq)];
  }

  shift(): T | undefined {
    const front = this.front();
    this.log.shift();
    return front;
  }
}
