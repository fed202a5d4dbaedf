// Over the rows of a sweep: the distribution of each metric (nearest-rank
// percentiles) and, for the 0/1 indicators, the probability with its 95 %
// Wilson interval; per cell for a grid, with the main effect of each varied
// name; and the exceedance P(metric > x) with its band. Pure functions of the
// rows in order, so a merged sweep summarizes to exactly the same figures as
// an unsharded one.

import { percentile } from '../observe/stats.ts';
import { METRICS, type Metric, type RunRow } from './metrics.ts';
import { cellCount, cellValues, type GridAxis } from './plan.ts';

export interface MetricSummary {
  metric: string;
  runs: number;
  mean: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface Probability {
  metric: string;
  meaning: string;
  /** Runs where the indicator is 1. */
  hits: number;
  runs: number;
  probability: number;
  /** 95 % Wilson score interval. */
  low: number;
  high: number;
}

export interface SweepSummary {
  runs: number;
  /** In METRICS order. */
  metrics: MetricSummary[];
  probabilities: Probability[];
}

/** The summary of one cell of a grid (the only cell of a plain sweep). */
export interface CellSummary {
  cell: number;
  /** The cell's value of each varied name. */
  values: string[];
  summary: SweepSummary;
}

export const SUMMARY_COLUMNS = ['metric', 'runs', 'mean', 'min', 'p50', 'p90', 'p99', 'max'] as const;

/** The 97.5th percentile of the standard normal: a two-sided 95 % interval. */
const Z_975 = 1.959963984540054;

/** The values of metric `index` over the rows, in row order. */
export const column = (rows: readonly RunRow[], index: number): number[] => rows.map((row) => row.values[index]!);

export function summarize(rows: readonly RunRow[]): SweepSummary {
  const metrics = METRICS.map((metric, i) => summarizeMetric(metric, column(rows, i)));
  const probabilities = METRICS.flatMap((metric, i) => {
    if (metric.unit !== 'indicator') return [];
    const hits = rows.filter((row) => row.values[i] === 1).length;
    return [{ metric: metric.name, meaning: metric.meaning, hits, runs: rows.length, probability: rows.length === 0 ? 0 : hits / rows.length, ...wilson(hits, rows.length) }];
  });
  return { runs: rows.length, metrics, probabilities };
}

/** One summary per cell, in cell order; the rows of a cell are those with its index, in row order. */
export function summarizeCells(rows: readonly RunRow[], grid: readonly GridAxis[]): CellSummary[] {
  const byCell: RunRow[][] = Array.from({ length: cellCount(grid) }, () => []);
  for (const row of rows) byCell[row.cell]!.push(row);
  return byCell.map((cellRows, cell) => ({ cell, values: cellValues(grid, cell), summary: summarize(cellRows) }));
}

function summarizeMetric(metric: Metric, values: readonly number[]): MetricSummary {
  const sorted = [...values].sort((a, b) => a - b);
  // Summed in row order: the same rows give the same mean, bit for bit.
  const mean = values.length === 0 ? 0 : values.reduce((sum, v) => sum + v, 0) / values.length;
  return {
    metric: metric.name,
    runs: values.length,
    mean,
    min: sorted[0] ?? 0,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? 0,
  };
}

/** The Wilson score interval of a binomial proportion: sensible at 0 and 1 hits, where the normal one is not. */
export function wilson(hits: number, runs: number): { low: number; high: number } {
  if (runs === 0) return { low: 0, high: 1 };
  const p = hits / runs;
  const z2 = Z_975 * Z_975;
  const centre = (p + z2 / (2 * runs)) / (1 + z2 / runs);
  const half = (Z_975 * Math.sqrt((p * (1 - p)) / runs + z2 / (4 * runs * runs))) / (1 + z2 / runs);
  // At 0 hits (or all) the bound is exactly 0 (or 1); rounding would leave a speck.
  return { low: hits === 0 ? 0 : centre - half, high: hits === runs ? 1 : centre + half };
}

export interface ExceedancePoint {
  x: number;
  /** P(metric > x) over the runs. */
  probability: number;
  /** Its 95 % Wilson interval, at this x (pointwise, not a band for the whole curve at once). */
  low: number;
  high: number;
}

/** P(value > x) at each x, from the values sorted ascending. */
export function exceedance(sortedAscending: readonly number[], xs: readonly number[]): ExceedancePoint[] {
  const runs = sortedAscending.length;
  return xs.map((x) => {
    // The first index whose value is above x: every value from there on exceeds x.
    let lo = 0;
    let hi = runs;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sortedAscending[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    const hits = runs - lo;
    return { x, probability: runs === 0 ? 0 : hits / runs, ...wilson(hits, runs) };
  });
}

export interface MainEffect {
  /** The varied name. */
  name: string;
  /** For each of its values, the metric's mean over every cell with that value (over every value of the other names); null when none of those cells has runs (a shard's folder). */
  means: (number | null)[];
}

/**
 * How far each varied name moves a metric: for each value of the name, the
 * mean of the cell means over all cells with that value (the other names
 * at every value, equally weighted: the grid is complete, so this is the
 * main effect of a full factorial design). Cells without runs, which only a
 * shard's folder has, are left out.
 */
export function mainEffects(cells: readonly CellSummary[], grid: readonly GridAxis[], metricIndex: number): MainEffect[] {
  return grid.map((axis, a) => ({
    name: axis.name,
    means: axis.values.map((value) => {
      const same = cells.filter((c) => c.values[a] === value && c.summary.runs > 0);
      return same.length === 0 ? null : same.reduce((sum, c) => sum + c.summary.metrics[metricIndex]!.mean, 0) / same.length;
    }),
  }));
}
