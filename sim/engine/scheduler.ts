// The virtual clock: one ordered queue of events keyed by (time, sequence
// number), and the verbs at / after / every / cancel / step / runUntil.
// Times are integer milliseconds; time never goes backwards. Ties pop in the
// order they were scheduled, so the same inputs always give the same run.

import { OrderedMap } from '@js-sdsl/ordered-map';

export type Handler = () => void;

/** An event's place in the queue; also the key it is stored under. */
export interface EventHandle {
  readonly timeMs: number;
  readonly seq: number;
}

/** A recurring event; `next` is its pending occurrence, undefined once cancelled. */
export interface RecurringHandle {
  readonly recurring: true;
  readonly next: EventHandle | undefined;
}

/** The stored event: the handle given out, plus what to run. */
interface Scheduled extends EventHandle {
  readonly handler: Handler;
}

/** A recurring event's one stored event, scheduled again for each occurrence (see every()). */
interface Occurrence extends Scheduled {
  timeMs: number;
  seq: number;
}

class Recurring implements RecurringHandle {
  readonly recurring = true;
  next: Occurrence | undefined = undefined;
}

function byTimeThenSeq(a: EventHandle, b: EventHandle): number {
  return a.timeMs - b.timeMs || a.seq - b.seq;
}

function assertMs(value: number, what: string, minimum: number): void {
  if (!Number.isSafeInteger(value) || value < minimum) {
    throw new Error(`${what} must be an integer number of milliseconds >= ${minimum}, got ${value}`);
  }
}

/**
 * Most events that may run at one instant: far above any real burst (setup
 * links thousands of workspaces at t=0), far below a handler that keeps
 * rescheduling itself at now, which would otherwise spin for ever.
 */
export const EVENTS_PER_INSTANT_MAX = 1_000_000;

export class Scheduler {
  private readonly queue = new OrderedMap<EventHandle, Scheduled>([], byTimeThenSeq);
  private currentMs: number;
  private nextSeq = 0;
  private processedCount = 0;
  /** Events run so far at currentMs. */
  private atThisInstant = 0;

  constructor(
    startMs = 0,
    private readonly eventsPerInstantMax = EVENTS_PER_INSTANT_MAX,
  ) {
    assertMs(startMs, 'startMs', 0);
    this.currentMs = startMs;
  }

  get nowMs(): number {
    return this.currentMs;
  }

  /** Events waiting to run. */
  get pending(): number {
    return this.queue.length;
  }

  /** Events run so far. */
  get processed(): number {
    return this.processedCount;
  }

  /** Schedules `handler` at `timeMs`; throws if that is before now. */
  at(timeMs: number, handler: Handler): EventHandle {
    assertMs(timeMs, 'at(timeMs)', this.currentMs);
    const event: Scheduled = { timeMs, seq: this.nextSeq++, handler };
    this.queue.setElement(event, event);
    return event;
  }

  after(delayMs: number, handler: Handler): EventHandle {
    assertMs(delayMs, 'after(delayMs)', 0);
    return this.at(this.currentMs + delayMs, handler);
  }

  /**
   * Runs `handler` every `intervalMs` until cancelled. A function interval is
   * called for each next gap, so a poll can draw a new interval each time.
   * The first run is after `firstDelayMs`, or after one interval.
   * The next occurrence is armed before the handler runs, so an active
   * recurring event always has exactly one pending event, and cancelling it
   * from inside its own handler removes that one.
   */
  every(intervalMs: number | (() => number), handler: Handler, firstDelayMs?: number): RecurringHandle {
    const nextGapMs = typeof intervalMs === 'number' ? () => intervalMs : intervalMs;
    const gapMs = (): number => {
      const gap = nextGapMs();
      assertMs(gap, 'every(intervalMs)', 1); // a zero gap would spin forever at one instant
      return gap;
    };
    const recurring = new Recurring();
    // One event object for every occurrence, keyed again each time it runs:
    // the ordered map leaves an erased event in a detached tree node, and a
    // node old enough keeps what it holds alive until a full collection, so a
    // fresh object per occurrence would reach the old generation as garbage.
    const occurrence: Occurrence = {
      timeMs: 0,
      seq: 0,
      handler: () => {
        this.queueAfter(occurrence, gapMs());
        handler();
      },
    };
    this.queueAfter(occurrence, firstDelayMs ?? gapMs());
    recurring.next = occurrence;
    return recurring;
  }

  /** Stores a recurring event's occurrence (not in the queue) again, `delayMs` from now. */
  private queueAfter(occurrence: Occurrence, delayMs: number): void {
    assertMs(delayMs, 'after(delayMs)', 0);
    const timeMs = this.currentMs + delayMs;
    assertMs(timeMs, 'at(timeMs)', this.currentMs);
    occurrence.timeMs = timeMs;
    occurrence.seq = this.nextSeq++;
    this.queue.setElement(occurrence, occurrence);
  }

  /** True if a pending event was removed (false if it already ran or was cancelled). */
  cancel(handle: EventHandle | RecurringHandle): boolean {
    if (!(handle instanceof Recurring)) return 'recurring' in handle ? false : this.remove(handle);
    const next = handle.next;
    handle.next = undefined;
    return next !== undefined && this.remove(next);
  }

  // Only the very handle this scheduler gave out: an equal (time, seq) from
  // another scheduler must not cancel one of ours.
  private remove(handle: EventHandle): boolean {
    if (this.queue.getElementByKey(handle) !== handle) return false;
    return this.queue.eraseElementByKey(handle);
  }

  /** Time of the next event, or undefined when none is pending. */
  peekMs(): number | undefined {
    return this.queue.front()?.[0].timeMs;
  }

  /** Runs the next event; false if there was none. */
  step(): boolean {
    const first = this.queue.front();
    if (first === undefined) return false;
    const event = first[1];
    this.queue.eraseElementByIterator(this.queue.begin());
    if (event.timeMs < this.currentMs) {
      throw new Error(`time went backwards: event at ${event.timeMs} ms popped at ${this.currentMs} ms`);
    }
    this.atThisInstant = event.timeMs === this.currentMs ? this.atThisInstant + 1 : 1;
    if (this.atThisInstant > this.eventsPerInstantMax) {
      throw new Error(`internal: more than ${this.eventsPerInstantMax} events at ${event.timeMs} ms: something keeps scheduling at the same instant`);
    }
    this.currentMs = event.timeMs;
    this.processedCount++;
    event.handler();
    return true;
  }

  /**
   * Runs every event with time <= endMs (including ones scheduled meanwhile),
   * then sets now to endMs and returns true; or stops after `maxEvents`
   * events and returns false, to be called again (a caller that yields in
   * between keeps its process responsive).
   */
  runUntil(endMs: number, maxEvents = Infinity): boolean {
    assertMs(endMs, 'runUntil(endMs)', this.currentMs);
    let ran = 0;
    for (let nextMs = this.peekMs(); nextMs !== undefined && nextMs <= endMs; nextMs = this.peekMs()) {
      if (ran++ >= maxEvents) return false;
      this.step();
    }
    this.currentMs = endMs;
    return true;
  }
}
