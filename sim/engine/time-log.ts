// A log of items in time order, dropped from the front as they age out:
// push, shift and aging cost O(1) amortised per item, lookups by time are
// binary searches. Storage accounts keep their blocks in it; the checker
// keeps its own record of them the same way.

/** Items in time order, dropped from the front as they age out. */
export class TimeLog<T extends { createdMs: number }> {
  /** Shifted items are cleared at once (undefined), so what left the log is not kept alive until the next compaction. */
  private items: (T | undefined)[] = [];
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

  back(): T | undefined {
    return this.size === 0 ? undefined : this.items[this.items.length - 1];
  }

  shift(): T | undefined {
    const item = this.items[this.head];
    if (item === undefined) return undefined;
    this.items[this.head] = undefined;
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
