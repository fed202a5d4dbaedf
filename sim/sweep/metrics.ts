// The headline figures of one run: a row of runs.csv. Indicators (0 or 1)
// have a mean that is a probability over the sweep.

import type { RunResult } from '../result.ts';

export interface Metric {
  /** The column name in runs.csv and summary.csv; the unit is in the name. */
  name: string;
  meaning: string;
  /** How the reports show one value. */
  unit: 'count' | 'ms' | 'fraction' | 'percent' | 'indicator';
  of(result: RunResult): number;
}

const unavailableSpans = (r: RunResult): number[] =>
  r.incidents.filter((i) => i.unavailableAtMs !== null).map((i) => (i.resumedAtMs ?? r.durationMs) - i.unavailableAtMs!);

export const METRICS: readonly Metric[] = [
  { name: 'faultsDrawn', unit: 'count', meaning: 'occurrences of the random fault processes', of: (r) => r.faults.length },
  { name: 'offeredRecords', unit: 'count', meaning: 'records the workspaces sent', of: (r) => r.totals.ingestion.offeredRecords },
  { name: 'droppedRecords', unit: 'count', meaning: 'records lost, for any reason', of: (r) => r.totals.ingestion.droppedRecords },
  { name: 'droppedRevokedRecords', unit: 'count', meaning: 'records lost because the key was revoked', of: (r) => r.totals.ingestion.droppedByReason.revoked },
  { name: 'droppedBufferExpiredRecords', unit: 'count', meaning: 'records lost because the MMK buffer kept them too long', of: (r) => r.totals.ingestion.droppedByReason.bufferExpired },
  { name: 'replayedRecords', unit: 'count', meaning: 'records buffered under the MMK and replayed', of: (r) => r.totals.ingestion.replayedRecords },
  { name: 'queryAvailability', unit: 'fraction', meaning: 'queries succeeded / attempted', of: (r) => r.totals.query.availability },
  { name: 'queryFailed', unit: 'count', meaning: 'queries that failed', of: (r) => r.totals.query.failed },
  { name: 'queryUnavailableMs', unit: 'ms', meaning: 'time during which queries of some workspace failed', of: (r) => r.totals.query.unavailableMs },
  { name: 'longestUnavailableMs', unit: 'ms', meaning: 'longest incident users saw, from unavailable to resumed (or the end)', of: (r) => Math.max(0, ...unavailableSpans(r)) },
  { name: 'incidentsSeen', unit: 'count', meaning: 'incidents that made a storage account unavailable or revoked', of: (r) => unavailableSpans(r).length },
  { name: 'queryGoodMinutes', unit: 'fraction', meaning: 'share of minutes in which every query succeeded', of: (r) => r.slo.queries.availabilityByGoodMinutes },
  { name: 'errorBudgetUsed', unit: 'fraction', meaning: 'share of the query error budget spent (above 1: the SLO is missed)', of: (r) => r.slo.queries.errorBudgetUsed },
  { name: 'serviceCreditPercent', unit: 'percent', meaning: 'service credit earned under the configured tiers', of: (r) => r.slo.serviceCredit.creditPercent },
  { name: 'unwrapFailures', unit: 'count', meaning: 'failed unwrap calls to Key Vault', of: (r) => r.totals.keyVault.unwrapFailures },
  { name: 'anyRecordLost', unit: 'indicator', meaning: '1 when any record was lost', of: (r) => (r.totals.ingestion.droppedRecords > 0 ? 1 : 0) },
  { name: 'anyQueryOutage', unit: 'indicator', meaning: '1 when any query failed', of: (r) => (r.totals.query.failed > 0 ? 1 : 0) },
  { name: 'sloMissed', unit: 'indicator', meaning: '1 when query availability fell below the SLO target', of: (r) => (r.slo.availability < r.slo.target ? 1 : 0) },
  { name: 'invariantViolations', unit: 'count', meaning: 'documented rules broken (always 0 on the model)', of: (r) => r.invariants.violations.length },
  { name: 'expectationsFailed', unit: 'count', meaning: "the scenario's expectations that failed", of: (r) => r.expectations.filter((e) => !e.pass).length },
];

/** One row of runs.csv: the seed, then every metric in METRICS order. */
export type RunRow = { seed: number } & Record<string, number>;

export function rowOf(result: RunResult): RunRow {
  const row: RunRow = { seed: result.seed };
  for (const metric of METRICS) row[metric.name] = metric.of(result);
  return row;
}

export const RUN_COLUMNS: readonly string[] = ['seed', ...METRICS.map((m) => m.name)];
