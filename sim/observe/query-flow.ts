// Queries as a flow: a workspace's queries arrive at a steady rate and all
// succeed or all fail while the state they depend on is unchanged, so they
// are counted per interval of unchanged state, exactly, as integers. The
// flows are folded from the workspace events (QueryAccounting).

import { MS_PER_HOUR } from '../engine/duration.ts';
import type { SimEvent } from './events.ts';

export class QueryFlow {
  attempted = 0;
  succeeded = 0;
  failed = 0;
  /** Time during which this workspace's queries failed. */
  unavailableMs = 0;
  private ok = true;
  private segmentStartMs: number;
  private countedInSegment = 0;
  private lastSettledMs: number;

  constructor(
    readonly workspace: string,
    private perHour: number,
    public lookbackMs: number,
    startMs: number,
  ) {
    this.segmentStartMs = startMs;
    this.lastSettledMs = startMs;
  }

  get queriesPerHour(): number {
    return this.perHour;
  }

  get serving(): boolean {
    return this.ok;
  }

  /** Counts the queries since the last settlement under the current outcome. */
  settle(nowMs: number): void {
    const due = Math.floor(((nowMs - this.segmentStartMs) * this.perHour) / MS_PER_HOUR);
    const count = due - this.countedInSegment;
    this.countedInSegment = due;
    this.attempted += count;
    if (this.ok) this.succeeded += count;
    else {
      this.failed += count;
      this.unavailableMs += nowMs - this.lastSettledMs;
    }
    this.lastSettledMs = nowMs;
  }

  /** Settles, then switches outcome; returns whether it changed. */
  setServing(nowMs: number, ok: boolean): boolean {
    this.settle(nowMs);
    const changed = ok !== this.ok;
    this.ok = ok;
    return changed;
  }

  setRate(nowMs: number, perHour: number): void {
    this.settle(nowMs);
    this.perHour = perHour;
    this.segmentStartMs = nowMs;
    this.countedInSegment = 0;
  }

  get availability(): number {
    return this.attempted === 0 ? 1 : this.succeeded / this.attempted;
  }
}

/** Every workspace's query flow, from its workload and its failing and serving events. */
export class QueryAccounting {
  readonly flows = new Map<string, QueryFlow>();
  private failing = 0;
  private anyFailingSinceMs = 0;
  private unionMs = 0;

  apply(event: SimEvent): void {
    switch (event.type) {
      case 'workspace.workload': {
        const flow = this.flows.get(event.entity);
        if (flow === undefined) this.flows.set(event.entity, new QueryFlow(event.entity, event.queriesPerHour, event.lookbackMs, event.t));
        else {
          if (flow.queriesPerHour !== event.queriesPerHour) flow.setRate(event.t, event.queriesPerHour);
          flow.lookbackMs = event.lookbackMs;
        }
        return;
      }
      case 'workspace.queriesFailing':
      case 'workspace.queriesServing': {
        const flow = this.flows.get(event.entity);
        if (flow === undefined) return;
        const serving = event.type === 'workspace.queriesServing';
        if (!flow.setServing(event.t, serving)) return;
        if (!serving && this.failing++ === 0) this.anyFailingSinceMs = event.t;
        if (serving && --this.failing === 0) this.unionMs += event.t - this.anyFailingSinceMs;
        return;
      }
      case 'scenario.end':
        for (const flow of this.flows.values()) flow.settle(event.t);
        if (this.failing > 0) {
          this.unionMs += event.t - this.anyFailingSinceMs;
          this.anyFailingSinceMs = event.t;
        }
        return;
      default:
        return;
    }
  }

  /**
   * Every flow's queries counted up to `nowMs`, and how many were attempted and failed in all so
   * far. Counting more often changes no total: each flow counts the queries due since its segment began.
   */
  settleAll(nowMs: number): { attempted: number; failed: number } {
    let attempted = 0;
    let failed = 0;
    for (const flow of this.flows.values()) {
      flow.settle(nowMs);
      attempted += flow.attempted;
      failed += flow.failed;
    }
    return { attempted, failed };
  }

  /** Time during which queries of at least one workspace failed (settled at scenario.end). */
  get unionUnavailableMs(): number {
    return this.unionMs;
  }
}
