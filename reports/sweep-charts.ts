// The charts of summary.html, each one self-contained SVG (no script, nothing
// fetched): a histogram of one metric over the runs; the exceedance curve
// P(metric > x) with its 95 % band, one curve per cell; a heatmap of a metric
// over two varied names; and a tornado of how far each varied name moves a
// metric. Pure functions of the figures they are given.

import { MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND } from '../sim/engine/duration.ts';
import type { Metric } from '../sim/sweep/metrics.ts';
import { exceedance, type MainEffect, type MetricSummary } from '../sim/sweep/summary.ts';
import { count, escapeHtml, percent, span } from './format.ts';

/** One value of a metric as the reports show it. */
export function show(metric: Metric, value: number): string {
  switch (metric.unit) {
    case 'ms':
      return span(Math.round(value));
    case 'fraction':
    case 'ratio':
    case 'indicator':
      return percent(value);
    case 'percent':
      return `${Number(value.toFixed(2))} %`;
    case 'count':
      return count(Number(value.toFixed(2)));
  }
}

const px = (n: number): string => n.toFixed(1);
const text = (x: number, y: number, content: string, attributes = ''): string => `<text x="${px(x)}" y="${px(y)}" font-size="11"${attributes === '' ? '' : ' ' + attributes}>${escapeHtml(content)}</text>`;
const svg = (label: string, width: number, height: number, body: string): string =>
  `<svg role="img" aria-label="${escapeHtml(label)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${body}</svg>`;

// ---------------------------------------------------------------------------
// Histogram

const BINS = 20;
const WIDTH = 520;
const HEIGHT = 200;
const LEFT = 48;
const TOP = 10;
const PLOT_WIDTH = WIDTH - LEFT - 10;
const PLOT_HEIGHT = HEIGHT - 40 - TOP;

/** A histogram of one metric over the runs, with its p50, p90 and p99 marked; one line of text when every run has the same value. */
export function histogram(metric: Metric, values: readonly number[], quantiles: MetricSummary): string {
  const min = quantiles.min;
  const max = quantiles.max;
  const axis = `<line x1="${LEFT}" y1="${TOP + PLOT_HEIGHT}" x2="${WIDTH - 10}" y2="${TOP + PLOT_HEIGHT}" stroke="#444"/>`;
  let body: string;
  if (max === min) {
    body = text((LEFT + WIDTH) / 2, HEIGHT / 2, `all ${count(values.length)} runs: ${show(metric, min)}`, 'text-anchor="middle" fill="#555" font-size="14"');
  } else {
    // A heavy tail (p99 in the left half of the range) would squeeze every run into the first bar:
    // then the bars cover min to p99 and one last bar, in another colour, counts the runs above p99.
    const tail = quantiles.p99 > min && quantiles.p99 - min < (max - min) / 2;
    const high = tail ? quantiles.p99 : max;
    const regular = tail ? BINS - 1 : BINS;
    const binWidth = (high - min) / regular;
    const counts = new Array<number>(BINS).fill(0);
    for (const v of values) counts[v > high ? BINS - 1 : Math.min(regular - 1, Math.floor((v - min) / binWidth))]!++;
    const tallest = Math.max(...counts);
    const barWidth = PLOT_WIDTH / BINS;
    const bars = counts.map((n, i) => {
      const h = (n / tallest) * PLOT_HEIGHT;
      const above = i >= regular;
      const label = above ? `above p99 (${show(metric, high)}) to ${show(metric, max)}: ${count(n)} runs` : `${show(metric, min + i * binWidth)} to ${show(metric, min + (i + 1) * binWidth)}: ${count(n)} runs`;
      return `<rect x="${px(LEFT + i * barWidth + 1)}" y="${px(TOP + PLOT_HEIGHT - h)}" width="${px(barWidth - 2)}" height="${px(h)}" fill="${above ? '#d35400' : '#3b6ea8'}"><title>${escapeHtml(label)}</title></rect>`;
    });
    const markers = (['p50', 'p90', 'p99'] as const).map((q) => {
      const x = px(LEFT + ((quantiles[q] - min) / (high - min)) * regular * barWidth);
      return `<line x1="${x}" y1="${TOP}" x2="${x}" y2="${TOP + PLOT_HEIGHT}" stroke="#c0392b" stroke-dasharray="4 3"><title>${q} ${escapeHtml(show(metric, quantiles[q]))}</title></line>`;
    });
    const right = tail ? `p99 ${show(metric, high)} | above, up to ${show(metric, max)}` : show(metric, max);
    body = [
      ...bars,
      ...markers,
      text(LEFT, HEIGHT - 22, show(metric, min)),
      text(WIDTH - 10, HEIGHT - 22, right, 'text-anchor="end"'),
      text(LEFT - 6, TOP + 6, String(tallest), 'text-anchor="end"'),
      text(LEFT - 6, TOP + PLOT_HEIGHT, '0', 'text-anchor="end"'),
      text((LEFT + WIDTH) / 2, HEIGHT - 6, `${metric.name} (runs per bin)`, 'text-anchor="middle"'),
    ].join('');
  }
  return svg(`histogram of ${metric.name}`, WIDTH, HEIGHT, axis + body);
}

// ---------------------------------------------------------------------------
// Exceedance

/** Curves of several cells on one chart are told apart by these colours (Tableau 10), in order. */
export const CURVE_COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
/** Past this many distinct values a curve is drawn through this many points spread evenly along the axis. */
const MAX_STEPS = 120;
/** The positive values must span this factor for a log x axis (two decades): then the tail is heavy. */
const LOG_SPAN = 100;
/** Time marks for a log axis of milliseconds. */
const TIME_TICKS_MS = [1, 10, 100, MS_PER_SECOND, 10 * MS_PER_SECOND, MS_PER_MINUTE, 10 * MS_PER_MINUTE, MS_PER_HOUR, 6 * MS_PER_HOUR, MS_PER_DAY, 7 * MS_PER_DAY, 30 * MS_PER_DAY, 365 * MS_PER_DAY];

const X_LEFT = 56;
const X_TOP = 10;
const X_WIDTH = 520;
const X_HEIGHT = 230;
const X_PLOT_HEIGHT = X_HEIGHT - X_TOP - 44;

export interface Curve {
  label: string;
  /** The metric's values over the runs of one cell, sorted ascending. */
  sorted: readonly number[];
}

export interface XAxis {
  log: boolean;
  low: number;
  high: number;
}

/**
 * The x axis shared by the exceedance charts of one metric: logarithmic when
 * the positive values span two decades or more (a heavy tail), from a decade
 * at or below the smallest positive value (so the curve starts at P(> 0));
 * linear from the smallest to the largest value otherwise. Undefined when every
 * value is the same.
 */
export function exceedanceAxis(values: readonly number[]): XAxis | undefined {
  let min = Infinity;
  let max = -Infinity;
  let minPositive = Infinity;
  for (const v of values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
    if (v > 0) minPositive = Math.min(minPositive, v);
  }
  if (!(max > min)) return undefined;
  if (min >= 0 && max / minPositive >= LOG_SPAN) return { log: true, low: 10 ** Math.floor(Math.log10(minPositive) - 1e-9), high: 10 ** Math.ceil(Math.log10(max)) };
  return { log: false, low: min, high: max };
}

/**
 * P(metric > x) for each curve, on a log probability axis (a decade below
 * 1 / runs up to 100 %), each curve with its pointwise 95 % Wilson band.
 */
export function exceedanceChart(metric: Metric, curves: readonly Curve[], axis: XAxis): string {
  const legend = curves.length > 1;
  const plotWidth = X_WIDTH - X_LEFT - (legend ? 110 : 14);
  const runs = Math.max(1, ...curves.map((c) => c.sorted.length));
  const floorExponent = Math.ceil(Math.log10(1 / runs)) - 1;
  const floor = 10 ** floorExponent;
  const toX = (x: number): number =>
    X_LEFT + plotWidth * (axis.log ? (Math.log10(Math.max(x, axis.low)) - Math.log10(axis.low)) / (Math.log10(axis.high) - Math.log10(axis.low)) : (x - axis.low) / (axis.high - axis.low));
  const toY = (p: number): number => X_TOP + X_PLOT_HEIGHT * (Math.log10(Math.max(p, floor)) / floorExponent);
  const parts: string[] = [];
  // Grid lines and ticks: a decade of probability each; x at decades (time marks for milliseconds) or five even steps.
  for (let e = 0; e >= floorExponent; e--) {
    const y = toY(10 ** e);
    parts.push(`<line x1="${X_LEFT}" y1="${px(y)}" x2="${px(X_LEFT + plotWidth)}" y2="${px(y)}" stroke="#e3e3e3"/>`);
    parts.push(text(X_LEFT - 4, y + 4, `${Number((100 * 10 ** e).toPrecision(1))} %`, 'text-anchor="end"'));
  }
  for (const x of xTicks(metric, axis)) {
    parts.push(`<line x1="${px(toX(x))}" y1="${X_TOP}" x2="${px(toX(x))}" y2="${X_TOP + X_PLOT_HEIGHT}" stroke="#e3e3e3"/>`);
    parts.push(text(toX(x), X_TOP + X_PLOT_HEIGHT + 14, show(metric, x), 'text-anchor="middle"'));
  }
  parts.push(`<rect x="${X_LEFT}" y="${X_TOP}" width="${px(plotWidth)}" height="${X_PLOT_HEIGHT}" fill="none" stroke="#444"/>`);
  curves.forEach((curve, i) => {
    const colour = CURVE_COLOURS[i % CURVE_COLOURS.length]!;
    const points = exceedance(curve.sorted, [axis.low, ...breakpoints(curve.sorted, axis)]);
    // A step function, right-continuous: level until the next breakpoint, then the drop.
    const steps = (value: (p: (typeof points)[number]) => number): string[] => points.map((p, k) => `${k === 0 ? 'M' : 'H'}${px(toX(p.x))}${k === 0 ? ',' : 'V'}${px(toY(value(p)))}`);
    const upper = steps((p) => p.high);
    const lower = points.map((p, k) => `H${px(toX(points[k + 1]?.x ?? axis.high))}V${px(toY(p.low))}`).reverse();
    const band = `${upper.join('')}${lower.join('')}H${px(toX(axis.low))}Z`;
    const above0 = exceedance(curve.sorted, [0])[0]!;
    const title = `${curve.label === '' ? '' : curve.label + ': '}P(> 0) ${percent(above0.probability, 1)} over ${count(curve.sorted.length)} runs`;
    parts.push(`<path d="${band}" fill="${colour}" fill-opacity="0.15" stroke="none"/>`);
    parts.push(`<path d="${steps((p) => p.probability).join('')}H${px(toX(axis.high))}" fill="none" stroke="${colour}" stroke-width="1.5"><title>${escapeHtml(title)}</title></path>`);
    if (legend) {
      const y = X_TOP + 8 + i * 16;
      parts.push(`<rect x="${px(X_LEFT + plotWidth + 10)}" y="${px(y - 8)}" width="10" height="10" fill="${colour}"/>`);
      parts.push(text(X_LEFT + plotWidth + 24, y + 1, curve.label));
    }
  });
  parts.push(text(X_LEFT + plotWidth / 2, X_HEIGHT - 8, `P(${metric.name} > x)${axis.log ? ', log x axis' : ''}, 95 % band (Wilson, pointwise)`, 'text-anchor="middle"'));
  return svg(`exceedance of ${metric.name}`, X_WIDTH, X_HEIGHT, parts.join(''));
}

/** Where the curve can drop: at each distinct value when there are few, else at evenly spread points along the axis. */
function breakpoints(sorted: readonly number[], axis: XAxis): number[] {
  const distinct = sorted.filter((v, i) => (i === 0 || v !== sorted[i - 1]) && v > axis.low && v < axis.high);
  if (distinct.length <= MAX_STEPS) return distinct;
  return Array.from({ length: MAX_STEPS }, (_, k) => {
    const t = (k + 1) / (MAX_STEPS + 1);
    return axis.log ? axis.low * (axis.high / axis.low) ** t : axis.low + t * (axis.high - axis.low);
  });
}

/** Steps of a linear time axis: round milliseconds, seconds, minutes, hours, days. */
const TIME_STEPS_MS = [
  ...[1, 2, 5, 10, 20, 50, 100, 200, 500],
  ...[1, 2, 5, 10, 15, 30].map((n) => n * MS_PER_SECOND),
  ...[1, 2, 5, 10, 15, 30].map((n) => n * MS_PER_MINUTE),
  ...[1, 2, 3, 6, 12].map((n) => n * MS_PER_HOUR),
  ...[1, 2, 7, 14, 30, 90, 365].map((n) => n * MS_PER_DAY),
];
/** About this many ticks on a linear axis. */
const LINEAR_TICKS = 5;

function xTicks(metric: Metric, axis: XAxis): number[] {
  if (!axis.log) {
    // The smallest round step that needs no more than LINEAR_TICKS ticks: 1, 2 or 5 times a power of ten (a time step for milliseconds).
    const wanted = (axis.high - axis.low) / (LINEAR_TICKS - 1);
    const decade = 10 ** Math.floor(Math.log10(wanted));
    const step = metric.unit === 'ms' ? (TIME_STEPS_MS.find((s) => s >= wanted) ?? wanted) : [1, 2, 5, 10].map((m) => m * decade).find((s) => s >= wanted)!;
    const first = Math.ceil(axis.low / step);
    return Array.from({ length: Math.floor(axis.high / step) - first + 1 }, (_, k) => (first + k) * step);
  }
  if (metric.unit === 'ms') return TIME_TICKS_MS.filter((t) => t >= axis.low && t <= axis.high);
  const ticks: number[] = [];
  for (let t = axis.low; t <= axis.high * 1.0001; t *= 10) ticks.push(t);
  return ticks;
}

// ---------------------------------------------------------------------------
// Heatmap

const CELL_WIDTH = 92;
const CELL_HEIGHT = 30;
const LIGHT = [247, 251, 255];
const DARK = [8, 48, 107];

export interface HeatmapCell {
  /** The value shown and coloured (a mean, or a probability); null for a cell without runs (in a shard's folder). */
  value: number | null;
  /** The tooltip: the cell's values and figures. */
  title: string;
}

/**
 * A metric over two varied names: the first across (columns), the second
 * down (rows); with one varied name, a single row. Darker is larger, on the
 * scale low..high shared by every heatmap of the metric.
 */
export function heatmap(metric: Metric, across: { name: string; values: readonly string[] }, down: { name: string; values: readonly string[] } | undefined, cells: readonly HeatmapCell[], scale: { low: number; high: number }): string {
  const rows = down?.values ?? [''];
  // Room on the left for the second name and its values (about 7 px a character at 11 px).
  const left = down === undefined ? 10 : 12 + 7 * Math.max(down.name.length + 2, ...down.values.map((v) => v.length));
  const top = 34;
  const width = left + CELL_WIDTH * across.values.length + 10;
  const height = top + CELL_HEIGHT * rows.length + 10;
  const parts: string[] = [text(left + (CELL_WIDTH * across.values.length) / 2, 12, across.name, 'text-anchor="middle" font-weight="bold"')];
  if (down !== undefined) parts.push(text(4, 28, `${down.name} \u2193`, 'font-weight="bold"'));
  across.values.forEach((value, c) => parts.push(text(left + CELL_WIDTH * (c + 0.5), top - 6, value, 'text-anchor="middle"')));
  rows.forEach((value, r) => {
    if (down !== undefined) parts.push(text(left - 6, top + CELL_HEIGHT * (r + 0.5) + 4, value, 'text-anchor="end"'));
    across.values.forEach((_, c) => {
      const cell = cells[r * across.values.length + c]!;
      const x = left + CELL_WIDTH * c;
      const y = top + CELL_HEIGHT * r;
      const t = cell.value === null || scale.high <= scale.low ? 0 : (cell.value - scale.low) / (scale.high - scale.low);
      const fill = cell.value === null ? '#e5e5e5' : `rgb(${LIGHT.map((l, k) => Math.round(l + t * (DARK[k]! - l))).join(',')})`;
      parts.push(`<rect x="${x}" y="${y}" width="${CELL_WIDTH - 2}" height="${CELL_HEIGHT - 2}" fill="${fill}"><title>${escapeHtml(cell.title)}</title></rect>`);
      parts.push(text(x + CELL_WIDTH / 2 - 1, y + CELL_HEIGHT / 2 + 3, cell.value === null ? 'no runs' : show(metric, cell.value), `text-anchor="middle" fill="${t > 0.5 ? '#fff' : '#222'}"`));
    });
  });
  return svg(`heatmap of ${metric.name}`, width, height, parts.join(''));
}

// ---------------------------------------------------------------------------
// Tornado

const BAR_HEIGHT = 26;

/**
 * One bar per varied name, from the lowest to the highest mean of the metric
 * over its values (its main effect), widest on top; the ends are labelled
 * with the value that gives them, and a dashed line marks the mean over all
 * cells.
 */
export function tornado(metric: Metric, effects: readonly MainEffect[], values: ReadonlyMap<string, readonly string[]>, overall: number): string {
  const bars = effects
    .flatMap((e) => {
      const known = e.means.filter((m) => m !== null);
      if (known.length === 0) return [];
      const lowest = e.means.indexOf(Math.min(...known));
      const highest = e.means.indexOf(Math.max(...known));
      return [{ name: e.name, low: e.means[lowest]!, high: e.means[highest]!, lowValue: values.get(e.name)![lowest]!, highValue: values.get(e.name)![highest]! }];
    })
    .sort((a, b) => b.high - b.low - (a.high - a.low));
  // The names, right-aligned, end at 146; each bar's lower label needs room to the left of the plot.
  const left = 260;
  const plotWidth = 240;
  const width = left + plotWidth + 130;
  const height = 20 + BAR_HEIGHT * bars.length + 24;
  const low = Math.min(overall, ...bars.map((b) => b.low));
  const high = Math.max(overall, ...bars.map((b) => b.high));
  const toX = (v: number): number => left + (high > low ? ((v - low) / (high - low)) * plotWidth : plotWidth / 2);
  const parts: string[] = [];
  bars.forEach((bar, i) => {
    const y = 14 + BAR_HEIGHT * i;
    const x0 = toX(bar.low);
    const x1 = toX(bar.high);
    parts.push(text(146, y + 14, bar.name, 'text-anchor="end"'));
    parts.push(
      `<rect x="${px(x0)}" y="${y + 4}" width="${px(Math.max(2, x1 - x0))}" height="${BAR_HEIGHT - 8}" fill="#3b6ea8"><title>${escapeHtml(`${bar.name}: ${show(metric, bar.low)} at ${bar.lowValue} to ${show(metric, bar.high)} at ${bar.highValue}`)}</title></rect>`,
    );
    parts.push(text(x0 - 4, y + 14, `${bar.lowValue}: ${show(metric, bar.low)}`, 'text-anchor="end" fill="#555"'));
    parts.push(text(Math.max(x1, x0 + 2) + 4, y + 14, `${bar.highValue}: ${show(metric, bar.high)}`, 'fill="#555"'));
  });
  const mid = toX(overall);
  parts.push(`<line x1="${px(mid)}" y1="10" x2="${px(mid)}" y2="${height - 20}" stroke="#c0392b" stroke-dasharray="4 3"><title>${escapeHtml(`mean over all cells ${show(metric, overall)}`)}</title></line>`);
  parts.push(text(left + plotWidth / 2, height - 6, `mean of ${metric.name} as each name moves (others averaged)`, 'text-anchor="middle"'));
  return svg(`tornado of ${metric.name}`, width, height, parts.join(''));
}
