// The headline figures of one run: a row of runs.csv. Indicators (0 or 1)
// have a mean that is a probability over the sweep. Each metric's unit fixes
// the values it can take, so a runs.csv read back (merge, resume) is checked
// cell by cell, and a few rules tie the metrics of one row together.

import type { RunResult } from '../result.ts';

export type MetricUnit = 'count' | 'ms' | 'fraction' | 'ratio' | 'percent' | 'indicator';

export interface Metric {
  /** The column name in runs.csv and summary.csv; the unit is in the name. */
  name: string;
  meaning: string;
  /** What values it takes (UNIT_RANGES) and how the reports show one. */
  unit: MetricUnit;
  /** Drawn in summary.html and tabled per cell in a grid's summary.md. */
  headline: boolean;
  of(result: RunResult): number;
}

export interface UnitRange {
  /** Whole numbers only: written with decimal digits alone. */
  whole: boolean;
  min: number;
  max: number;
  expected: string;
}

export const UNIT_RANGES: Readonly<Record<MetricUnit, UnitRange>> = {
  count: { whole: true, min: 0, max: Number.MAX_SAFE_INTEGER, expected: 'a whole number, 0 or more, in decimal digits' },
  ms: { whole: true, min: 0, max: Number.MAX_SAFE_INTEGER, expected: 'whole milliseconds, 0 or more, in decimal digits' },
  fraction: { whole: false, min: 0, max: 1, expected: 'a fraction from 0 to 1' },
  ratio: { whole: false, min: 0, max: Number.MAX_VALUE, expected: 'a finite number, 0 or more' },
  percent: { whole: false, min: 0, max: 100, expected: 'a percentage from 0 to 100' },
  indicator: { whole: true, min: 0, max: 1, expected: '0 or 1' },
};

const unavailableSpans = (r: RunResult): number[] =>
  r.incidents.filter((i) => i.unavailableAtMs !== null).map((i) => (i.resumedAtMs ?? r.durationMs) - i.unavailableAtMs!);

export const METRICS: readonly Metric[] = [
  { name: 'faultsDrawn', unit: 'count', headline: true, meaning: 'occurrences of the random fault processes', of: (r) => r.faults.length },
  { name: 'offeredRecords', unit: 'count', headline: false, meaning: 'records the workspaces sent', of: (r) => r.totals.ingestion.offeredRecords },
  { name: 'droppedRecords', unit: 'count', headline: true, meaning: 'records lost, for any reason', of: (r) => r.totals.ingestion.droppedRecords },
  { name: 'droppedRevokedRecords', unit: 'count', headline: false, meaning: 'records lost because the key was revoked', of: (r) => r.totals.ingestion.droppedByReason.revoked },
  { name: 'droppedBufferExpiredRecords', unit: 'count', headline: false, meaning: 'records lost from the MMK buffer: kept past mmkBufferMaxAge, or still in it when their cluster was deleted', of: (r) => r.totals.ingestion.droppedByReason.bufferExpired },
  { name: 'replayedRecords', unit: 'count', headline: true, meaning: 'records buffered under the MMK and replayed', of: (r) => r.totals.ingestion.replayedRecords },
  { name: 'queryAvailability', unit: 'fraction', headline: true, meaning: 'queries succeeded / attempted', of: (r) => r.totals.query.availability },
  { name: 'queryFailed', unit: 'count', headline: false, meaning: 'queries that failed', of: (r) => r.totals.query.failed },
  { name: 'queryUnavailableMs', unit: 'ms', headline: true, meaning: 'time during which queries of some workspace failed', of: (r) => r.totals.query.unavailableMs },
  { name: 'longestUnavailableMs', unit: 'ms', headline: true, meaning: 'longest incident users saw, from unavailable to resumed (or the end)', of: (r) => Math.max(0, ...unavailableSpans(r)) },
  { name: 'incidentsSeen', unit: 'count', headline: false, meaning: 'incidents that made a storage account unavailable or revoked', of: (r) => unavailableSpans(r).length },
  { name: 'queryGoodMinutes', unit: 'fraction', headline: false, meaning: 'share of minutes in which every query succeeded', of: (r) => r.slo.queries.availabilityByGoodMinutes },
  { name: 'errorBudgetUsed', unit: 'ratio', headline: true, meaning: 'share of the query error budget spent (above 1: the SLO is missed)', of: (r) => r.slo.queries.errorBudgetUsed },
  { name: 'serviceCreditPercent', unit: 'percent', headline: true, meaning: 'service credit earned under the configured tiers', of: (r) => r.slo.serviceCredit.creditPercent },
  { name: 'unwrapFailures', unit: 'count', headline: false, meaning: 'failed unwrap calls to Key Vault', of: (r) => r.totals.keyVault.unwrapFailures },
  { name: 'anyRecordLost', unit: 'indicator', headline: true, meaning: '1 when any record was lost', of: (r) => (r.totals.ingestion.droppedRecords > 0 ? 1 : 0) },
  { name: 'anyQueryOutage', unit: 'indicator', headline: true, meaning: '1 when any query failed', of: (r) => (r.totals.query.failed > 0 ? 1 : 0) },
  { name: 'sloMissed', unit: 'indicator', headline: true, meaning: '1 when query availability fell below the SLO target', of: (r) => (r.slo.met ? 0 : 1) },
  { name: 'invariantViolations', unit: 'count', headline: false, meaning: 'documented rules broken (always 0 on the model)', of: (r) => r.invariants.violations.length },
  { name: 'expectationsFailed', unit: 'count', headline: false, meaning: "the scenario's expectations that failed", of: (r) => r.expectations.filter((e) => !e.pass).length },
];

/** Where each metric sits in RunRow.values. */
const INDEX: ReadonlyMap<string, number> = new Map(METRICS.map((m, i) => [m.name, i]));

/**
 * One run of a sweep: the grid cell it ran in (0 without a grid), its seed,
 * and every metric's value in METRICS order. An array, not a field per
 * metric: a million rows take 270 MB (an object given twenty named fields one
 * by one falls back to a dictionary, 1.6 KB a row).
 */
export interface RunRow {
  cell: number;
  seed: number;
  values: readonly number[];
}

/** The value of one metric in a row, by name. */
export function valueOf(row: RunRow, name: string): number {
  const index = INDEX.get(name);
  if (index === undefined) throw new Error(`no metric named ${name}`);
  return row.values[index]!;
}

export function rowOf(result: RunResult, cell: number): RunRow {
  return { cell, seed: result.seed, values: METRICS.map((metric) => metric.of(result)) };
}

/** The columns of runs.csv after the grid's varied names: the seed, then every metric in METRICS order. */
export const RUN_COLUMNS: readonly string[] = ['seed', ...METRICS.map((m) => m.name)];

/** What must hold between the metrics of one row, as METRICS computes them: a row that breaks one was not written by a sweep. */
export const ROW_RULES: readonly { rule: string; holds: (value: (name: string) => number) => boolean }[] = [
  { rule: 'anyRecordLost is 1 exactly when droppedRecords is above 0', holds: (v) => v('anyRecordLost') === (v('droppedRecords') > 0 ? 1 : 0) },
  { rule: 'anyQueryOutage is 1 exactly when queryFailed is above 0', holds: (v) => v('anyQueryOutage') === (v('queryFailed') > 0 ? 1 : 0) },
  { rule: 'droppedRevokedRecords + droppedBufferExpiredRecords is at most droppedRecords', holds: (v) => v('droppedRevokedRecords') + v('droppedBufferExpiredRecords') <= v('droppedRecords') },
  { rule: 'droppedRecords is at most offeredRecords', holds: (v) => v('droppedRecords') <= v('offeredRecords') },
];
