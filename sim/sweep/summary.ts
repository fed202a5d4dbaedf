// Over the rows of a sweep: the distribution of each metric (nearest-rank
// percentiles) and, for the 0/1 indicators, the probability with its 95 %
// Wilson interval. A pure function of the rows in seed order, so a merged
// sweep summarizes to exactly the same figures as an unsharded one.

import { percentile } from '../observe/stats.ts';
import { METRICS, type Metric, type RunRow } from './metrics.ts';

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
  metrics: MetricSummary[];
  probabilities: Probability[];
}

export const SUMMARY_COLUMNS = ['metric', 'runs', 'mean', 'min', 'p50', 'p90', 'p99', 'max'] as const;

/** The 97.5th percentile of the standard normal: a two-sided 95 % interval. */
const Z_975 = 1.959963984540054;

export function summarize(rows: readonly RunRow[]): SweepSummary {
  const metrics = METRICS.map((metric) => summarizeMetric(metric, rows));
  const probabilities = METRICS.filter((m) => m.unit === 'indicator').map((metric) => {
    const hits = rows.filter((row) => row[metric.name] === 1).length;
    return { metric: metric.name, meaning: metric.meaning, hits, runs: rows.length, probability: rows.length === 0 ? 0 : hits / rows.length, ...wilson(hits, rows.length) };
  });
  return { runs: rows.length, metrics, probabilities };
}

function summarizeMetric(metric: Metric, rows: readonly RunRow[]): MetricSummary {
  const values = rows.map((row) => row[metric.name]!);
  const sorted = [...values].sort((a, b) => a - b);
  // Summed in seed order: the same rows give the same mean, bit for bit.
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
