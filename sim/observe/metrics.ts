// The run's figures, folded from the history alone: where the records went,
// how many queries failed and for how long, the SLO, the query latencies of
// the sampled queries, and the notable events for the story. The model does
// not count; it acts and emits, and this reads.

import { auxiliaryTablesOf, RecordLedger, type BucketCounts } from './records.ts';
import { QueryAccounting, type QueryFlow } from './query-flow.ts';
import { RateSteps } from './rates.ts';
import { serviceCredit, sloFigures, type CreditTier, type ServiceCredit, type SloFigures, type SloSpec } from './slo.ts';
import { percentile } from './stats.ts';
import type { SimEvent, SimEventType } from './events.ts';

export interface IngestionTotals {
  offeredRecords: number;
  storedCmkRecords: number;
  storedMmkRecords: number;
  bufferedRecords: number;
  replayedRecords: number;
  droppedRecords: number;
  droppedByReason: { revoked: number; notProvisioned: number; bufferExpired: number };
}

export interface QueryTotals {
  attempted: number;
  succeeded: number;
  failed: number;
  availability: number;
  /** Time during which queries failed (for the totals: of at least one workspace). */
  unavailableMs: number;
}

export interface LatencyPercentiles {
  samples: number;
  p50: number;
  p95: number;
  p99: number;
}

export interface SloReport {
  /** Where the target, window and alerts come from: the SRE workbook (the default) or the user's spec. */
  source: string;
  target: number;
  /** The error budget's window, null for the run itself. */
  windowMs: number | null;
  /** Query availability by requests: totals.query.availability, and queries.availabilityByRequests. */
  availability: number;
  /** The queries' error budget used: queries.errorBudgetUsed. */
  errorBudgetUsed: number;
  /** The queries met the objective over the window: queries.met. */
  met: boolean;
  /** Queries and ingestion against the target: by requests, by good minutes, and the burn-rate alerts that would have fired. */
  queries: SloFigures;
  ingestion: SloFigures;
  /** The service credit the queries' downtime would earn under the configured tiers (param serviceCreditTiers). */
  serviceCredit: ServiceCredit;
}

/** A workspace's figures: all its tables, and those on the Auxiliary plan on their own. */
export interface WorkspaceFigures {
  ingestion: IngestionTotals;
  query: QueryTotals;
  auxiliary: { ingestion: IngestionTotals; query: QueryTotals };
}

export interface RunFigures {
  totals: { ingestion: IngestionTotals; query: QueryTotals & { latencyMs: LatencyPercentiles } };
  workspaces: Map<string, WorkspaceFigures>;
  slo: SloReport;
  highlights: { events: SimEvent[]; leftOut: number };
}

/** Events too frequent for the story (they stay in the timeline). */
const NOT_HIGHLIGHTS: ReadonlySet<SimEventType> = new Set<SimEventType>([
  'action',
  'storage.created',
  'storage.unwrap',
  'storage.ingested',
  'storage.purged',
  'storage.openAttempt',
  'storage.blockProbed',
  'composition.defined',
  'query.sampled',
  'workspace.workload',
  'workspace.routed',
  'workspace.queriesFailing',
  'workspace.queriesServing',
]);
const HIGHLIGHTS_MAX = 1000;

export class RunMetrics {
  private readonly records = new RecordLedger();
  private readonly queries = new QueryAccounting();
  private readonly rates = new RateSteps();
  private readonly latencies: number[] = [];
  private readonly highlights: SimEvent[] = [];
  private highlightsLeftOut = 0;

  apply(event: SimEvent): void {
    this.records.apply(event);
    this.queries.apply(event);
    this.rates.apply(event);
    if (event.type === 'query.sampled' && event.ok) this.latencies.push(event.latencyMs);
    if (NOT_HIGHLIGHTS.has(event.type)) return;
    if (this.highlights.length < HIGHLIGHTS_MAX) this.highlights.push(event);
    else this.highlightsLeftOut++;
  }

  /** The figures once scenario.end has been folded. */
  figures(workspaceNames: readonly string[], durationMs: number, slo: SloSpec, creditTiers: readonly CreditTier[]): RunFigures {
    const perWorkspace = this.records.byWorkspace([...workspaceNames, ...workspaceNames.map(auxiliaryTablesOf)]);
    const workspaces = new Map<string, WorkspaceFigures>();
    for (const name of workspaceNames) {
      const flows = [this.queries.flows.get(name), this.queries.flows.get(auxiliaryTablesOf(name))];
      const [analytics, auxiliary] = flows;
      const auxiliaryCounts = perWorkspace.get(auxiliaryTablesOf(name))!;
      workspaces.set(name, {
        ingestion: ingestionTotals(addCounts(perWorkspace.get(name)!, auxiliaryCounts)),
        // Queries of the Auxiliary tables never fail for the key: the workspace's failing time is its Analytics tables'.
        query: queryTotals(flows.filter((f) => f !== undefined), analytics?.unavailableMs ?? 0),
        auxiliary: { ingestion: ingestionTotals(auxiliaryCounts), query: queryTotals(auxiliary === undefined ? [] : [auxiliary], auxiliary?.unavailableMs ?? 0) },
      });
    }
    const latencies = [...this.latencies].sort((a, b) => a - b);
    const query = queryTotals([...this.queries.flows.values()], this.queries.unionUnavailableMs);
    const ingestion = ingestionTotals(this.records.totals());
    // "By requests" is the requests counted, so the SLO's figures are the totals' own.
    const querySlo = sloFigures(this.rates.queries, { bad: query.failed, total: query.attempted }, durationMs, slo);
    return {
      totals: {
        ingestion,
        query: { ...query, latencyMs: { samples: latencies.length, p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99) } },
      },
      workspaces,
      slo: {
        source: slo.source,
        target: slo.target,
        windowMs: slo.windowMs,
        availability: querySlo.availabilityByRequests,
        errorBudgetUsed: querySlo.errorBudgetUsed,
        met: querySlo.met,
        queries: querySlo,
        ingestion: sloFigures(this.rates.ingestion, recordsNotStoredOnArrival(ingestion), durationMs, slo),
        serviceCredit: serviceCredit(querySlo, creditTiers),
      },
      highlights: { events: this.highlights, leftOut: this.highlightsLeftOut },
    };
  }
}

function addCounts(a: BucketCounts, b: BucketCounts): BucketCounts {
  const sum = { ...a };
  for (const bucket of Object.keys(sum) as (keyof BucketCounts)[]) sum[bucket] += b[bucket];
  return sum;
}

function ingestionTotals(counts: BucketCounts): IngestionTotals {
  return {
    offeredRecords: counts.offered,
    storedCmkRecords: counts.cmk,
    storedMmkRecords: counts.mmk,
    bufferedRecords: counts.buffered,
    replayedRecords: counts.replayed,
    droppedRecords: counts.revoked + counts.notProvisioned + counts.bufferExpired,
    droppedByReason: { revoked: counts.revoked, notProvisioned: counts.notProvisioned, bufferExpired: counts.bufferExpired },
  };
}

function queryTotals(flows: readonly QueryFlow[], unavailableMs: number): QueryTotals {
  const attempted = flows.reduce((sum, f) => sum + f.attempted, 0);
  const succeeded = flows.reduce((sum, f) => sum + f.succeeded, 0);
  return { attempted, succeeded, failed: attempted - succeeded, availability: attempted === 0 ? 1 : succeeded / attempted, unavailableMs };
}

/**
 * Records as ingestion requests: offered, and bad when not stored as they landed (buffered, even if
 * replayed later, or dropped), the same rule as the rates' (rates.ts).
 */
export function recordsNotStoredOnArrival(i: IngestionTotals): { bad: number; total: number } {
  const storedOnArrival = i.storedCmkRecords - i.replayedRecords + i.storedMmkRecords;
  return { bad: i.offeredRecords - storedOnArrival, total: i.offeredRecords };
}
