// An array-backed binary min-heap of entries ordered by (time, sequence
// number). The checker keeps its deadlines in one; `npm run bench` measures
// the scheduler against it. (The scheduler's own queue is the ordered map the
// project chose. A deadline queue that takes hundreds of short-lived entries a
// simulated day is better off in an array: an entry leaves it the moment it
// is popped, where the ordered map moves keys and values between tree nodes
// as it erases, and a detached node that lived long enough to be old keeps
// the entries it last held alive through every young collection until a full
// one.)

export interface HeapEntry {
  readonly timeMs: number;
  readonly seq: number;
}

const before = (a: HeapEntry, b: HeapEntry): boolean => a.timeMs < b.timeMs || (a.timeMs === b.timeMs && a.seq < b.seq);

export class MinHeap<T extends HeapEntry> {
  private readonly entries: T[] = [];

  get size(): number {
    return this.entries.length;
  }

  /** The first entry, without removing it. */
  peek(): T | undefined {
    return this.entries[0];
  }

  push(entry: T): void {
    const entries = this.entries;
    let i = entries.length;
    entries.push(entry);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, entries[parent]!)) break;
      entries[i] = entries[parent]!;
      i = parent;
    }
    entries[i] = entry;
  }

  /** Removes and returns the first entry. */
  pop(): T | undefined {
    const entries = this.entries;
    const top = entries[0];
    if (top === undefined) return undefined;
    const last = entries.pop()!;
    if (entries.length > 0) {
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= entries.length) break;
        if (child + 1 < entries.length && before(entries[child + 1]!, entries[child]!)) child++;
        if (!before(entries[child]!, last)) break;
        entries[i] = entries[child]!;
        i = child;
      }
      entries[i] = last;
    }
    return top;
  }
}
