// The scheduler against a plain binary heap of (time, seq), on the same
// workload in the same process: `pending` events, each of which re-schedules
// itself at a random later time until `events` have run. The random gaps are
// drawn up front from a seeded stream, so both queues see the same times and
// the timing measures the queues, not the random number generator.

import { pathToFileURL } from 'node:url';
import { RandomStreams, Scheduler } from '../sim/engine/index.ts';
import { MinHeap } from '../sim/engine/min-heap.ts';

export interface EngineBenchResult {
  eventsPerSecond: number;
  heapEventsPerSecond: number;
  /** ours / heap */
  ratio: number;
  pending: number;
  events: number;
}

interface Queue {
  readonly nowMs: number;
  at(timeMs: number, handler: () => void): unknown;
  step(): boolean;
}

/** The yardstick: the array-backed binary min-heap the checker keeps its deadlines in. */
class HeapScheduler implements Queue {
  private readonly heap = new MinHeap<{ timeMs: number; seq: number; handler: () => void }>();
  private nextSeq = 0;
  nowMs = 0;

  at(timeMs: number, handler: () => void): void {
    this.heap.push({ timeMs, seq: this.nextSeq++, handler });
  }

  step(): boolean {
    const top = this.heap.pop();
    if (top === undefined) return false;
    this.nowMs = top.timeMs;
    top.handler();
    return true;
  }
}

const GAP_TABLE_SIZE = 1 << 16;
const MAX_GAP_MS = 60_000;

function gapTable(seed: number): Int32Array {
  const stream = new RandomStreams(seed).stream('bench/gaps');
  return Int32Array.from({ length: GAP_TABLE_SIZE }, () => stream.uniformInt(1, MAX_GAP_MS));
}

/** Runs the workload; returns events per second and a checksum of the order events ran in. */
function runWorkload(queue: Queue, gapsMs: Int32Array, pending: number, events: number) {
  let drawn = 0;
  let toSchedule = events - pending;
  let checksum = 0;
  const tick = (): void => {
    checksum = (Math.imul(checksum, 31) + queue.nowMs) | 0;
    if (toSchedule-- > 0) queue.at(queue.nowMs + gapsMs[drawn++ & (GAP_TABLE_SIZE - 1)]!, tick);
  };
  for (let i = 0; i < pending; i++) queue.at(gapsMs[drawn++ & (GAP_TABLE_SIZE - 1)]!, tick);
  const startedMs = performance.now();
  let ran = 0;
  while (queue.step()) ran++;
  const elapsedSeconds = (performance.now() - startedMs) / 1000;
  if (ran !== events) throw new Error(`ran ${ran} events, expected ${events}`);
  return { eventsPerSecond: events / elapsedSeconds, checksum };
}

export async function benchEngine(pending = 1_000, events = 2_000_000): Promise<EngineBenchResult> {
  const gapsMs = gapTable(1);
  // Warm both up so neither pays for the JIT inside the timed run.
  runWorkload(new Scheduler(), gapsMs, Math.min(pending, 1_000), 50_000);
  runWorkload(new HeapScheduler(), gapsMs, Math.min(pending, 1_000), 50_000);

  const ours = runWorkload(new Scheduler(), gapsMs, pending, events);
  const heap = runWorkload(new HeapScheduler(), gapsMs, pending, events);
  if (ours.checksum !== heap.checksum) throw new Error('the scheduler and the heap ran events in different orders');
  return {
    eventsPerSecond: Math.round(ours.eventsPerSecond),
    heapEventsPerSecond: Math.round(heap.eventsPerSecond),
    ratio: Number((ours.eventsPerSecond / heap.eventsPerSecond).toFixed(3)),
    pending,
    events,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const pending of [1_000, 100_000]) console.log(await benchEngine(pending));
}
