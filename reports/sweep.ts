// The files of a sweep: runs.csv (one row per seed), summary.csv and
// summary.md (the distribution of each metric, the probabilities), and
// summary.html (a histogram per metric, self-contained SVG). Each is a pure
// function of the manifest and the rows, so a merged sweep writes the same
// bytes as an unsharded one.

import { parse as parseCsv } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { InputError } from '../sim/input-error.ts';
import { METRICS, RUN_COLUMNS, type Metric, type RunRow } from '../sim/sweep/metrics.ts';
import type { SweepManifest } from '../sim/sweep/plan.ts';
import { SUMMARY_COLUMNS, type MetricSummary, type SweepSummary } from '../sim/sweep/summary.ts';
import { count, escapeHtml, percent, span } from './format.ts';

export function renderRunsCsv(rows: readonly RunRow[]): string {
  return stringify(
    rows.map((row) => RUN_COLUMNS.map((column) => row[column])),
    { header: true, columns: [...RUN_COLUMNS] },
  );
}

/** The rows of a runs.csv written by renderRunsCsv; anything else is an InputError naming the file, line and column. */
export function parseRunsCsv(text: string, file: string): RunRow[] {
  let records: string[][];
  try {
    records = parseCsv(text, { relax_column_count: false }) as string[][];
  } catch (error) {
    throw new InputError([{ file, path: '', found: (error as Error).message, expected: 'a runs.csv written by cmk-sim sweep' }]);
  }
  const header = records[0] ?? [];
  if (header.join(',') !== RUN_COLUMNS.join(',')) {
    throw new InputError([{ file, path: 'line 1', found: header.join(',') || 'nothing', expected: `the columns ${RUN_COLUMNS.join(',')} (a runs.csv of this cmk-sim version)` }]);
  }
  return records.slice(1).map((record, i) => {
    const row = { seed: 0 } as RunRow;
    record.forEach((cell, c) => {
      const value = Number(cell);
      if (cell.trim() === '' || !Number.isFinite(value)) {
        throw new InputError([{ file, path: `line ${i + 2}, column ${RUN_COLUMNS[c]}`, found: JSON.stringify(cell), expected: 'a number' }]);
      }
      row[RUN_COLUMNS[c]!] = value;
    });
    return row;
  });
}

export function renderSummaryCsv(summary: SweepSummary): string {
  return stringify(
    summary.metrics.map((m) => SUMMARY_COLUMNS.map((column) => m[column])),
    { header: true, columns: [...SUMMARY_COLUMNS] },
  );
}

function show(metric: Metric, value: number): string {
  switch (metric.unit) {
    case 'ms':
      return span(Math.round(value));
    case 'fraction':
    case 'indicator':
      return percent(value);
    case 'percent':
      return `${Number(value.toFixed(2))} %`;
    case 'count':
      return count(Number(value.toFixed(2)));
  }
}

const seedRange = (m: SweepManifest) => `seeds ${m.firstSeed} to ${m.firstSeed + m.runs - 1}`;

export function renderSummaryMarkdown(manifest: SweepManifest, summary: SweepSummary): string {
  const lines = [`# Sweep of ${manifest.scenario}: ${count(summary.runs)} runs`, ''];
  lines.push(`Profile ${manifest.profile}, ${seedRange(manifest)}, cmk-sim ${manifest.version}, scenario ${manifest.scenarioDigest.slice(0, 19)}.`, '');
  lines.push('## How likely', '', '| event | runs | probability | 95 % interval (Wilson) |', '|---|---|---|---|');
  for (const p of summary.probabilities) {
    lines.push(`| ${p.meaning.replace(/^1 when /, '')} | ${count(p.hits)} of ${count(p.runs)} | ${percent(p.probability, 1)} | ${percent(p.low, 1)} to ${percent(p.high, 1)} |`);
  }
  lines.push('', '## Distributions', '', 'Percentiles are nearest-rank over the runs.', '', '| metric | meaning | mean | p50 | p90 | p99 | max |', '|---|---|---|---|---|---|---|');
  METRICS.forEach((metric, i) => {
    if (metric.unit === 'indicator') return;
    const s = summary.metrics[i]!;
    lines.push(`| \`${metric.name}\` | ${metric.meaning} | ${show(metric, s.mean)} | ${show(metric, s.p50)} | ${show(metric, s.p90)} | ${show(metric, s.p99)} | ${show(metric, s.max)} |`);
  });
  return lines.join('\n') + '\n';
}

/** The metrics drawn as histograms in summary.html. */
const HISTOGRAMS = ['droppedRecords', 'queryUnavailableMs', 'longestUnavailableMs', 'queryAvailability', 'errorBudgetUsed', 'serviceCreditPercent', 'faultsDrawn', 'replayedRecords'];
const BINS = 20;

const WIDTH = 520;
const HEIGHT = 200;
const LEFT = 48;
const TOP = 10;
const PLOT_WIDTH = WIDTH - LEFT - 10;
const PLOT_HEIGHT = HEIGHT - 40 - TOP;

/** A histogram of one metric over the runs, with its p50, p90 and p99 marked; one line of text when every run has the same value. */
function histogram(metric: Metric, values: readonly number[], quantiles: MetricSummary): string {
  const min = quantiles.min;
  const max = quantiles.max;
  const axis = `<line x1="${LEFT}" y1="${TOP + PLOT_HEIGHT}" x2="${WIDTH - 10}" y2="${TOP + PLOT_HEIGHT}" stroke="#444"/>`;
  let body: string;
  if (max === min) {
    body = `<text x="${(LEFT + WIDTH) / 2}" y="${HEIGHT / 2}" font-size="14" text-anchor="middle" fill="#555">${escapeHtml(`all ${count(values.length)} runs: ${show(metric, min)}`)}</text>`;
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
      return `<rect x="${(LEFT + i * barWidth + 1).toFixed(1)}" y="${(TOP + PLOT_HEIGHT - h).toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${above ? '#d35400' : '#3b6ea8'}"><title>${escapeHtml(label)}</title></rect>`;
    });
    const markers = (['p50', 'p90', 'p99'] as const).map((q) => {
      const x = (LEFT + ((quantiles[q] - min) / (high - min)) * regular * barWidth).toFixed(1);
      return `<line x1="${x}" y1="${TOP}" x2="${x}" y2="${TOP + PLOT_HEIGHT}" stroke="#c0392b" stroke-dasharray="4 3"><title>${q} ${escapeHtml(show(metric, quantiles[q]))}</title></line>`;
    });
    const right = tail ? `p99 ${show(metric, high)} | above, up to ${show(metric, max)}` : show(metric, max);
    body = [
      ...bars,
      ...markers,
      `<text x="${LEFT}" y="${HEIGHT - 22}" font-size="11">${escapeHtml(show(metric, min))}</text>`,
      `<text x="${WIDTH - 10}" y="${HEIGHT - 22}" font-size="11" text-anchor="end">${escapeHtml(right)}</text>`,
      `<text x="${LEFT - 6}" y="${TOP + 6}" font-size="11" text-anchor="end">${tallest}</text>`,
      `<text x="${LEFT - 6}" y="${TOP + PLOT_HEIGHT}" font-size="11" text-anchor="end">0</text>`,
      `<text x="${(LEFT + WIDTH) / 2}" y="${HEIGHT - 6}" font-size="11" text-anchor="middle">${escapeHtml(metric.name)} (runs per bin)</text>`,
    ].join('');
  }
  const svg = `<svg role="img" aria-label="histogram of ${escapeHtml(metric.name)}" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}">${axis}${body}</svg>`;
  const figures = `mean ${show(metric, quantiles.mean)}, p50 ${show(metric, quantiles.p50)}, p90 ${show(metric, quantiles.p90)}, p99 ${show(metric, quantiles.p99)} (dashed)`;
  return `<figure><figcaption><code>${escapeHtml(metric.name)}</code>: ${escapeHtml(metric.meaning)}<br><span class="q">${escapeHtml(figures)}</span></figcaption>${svg}</figure>`;
}

export function renderSummaryHtml(manifest: SweepManifest, summary: SweepSummary, rows: readonly RunRow[]): string {
  const probabilities = summary.probabilities
    .map((p) => `<tr><td>${escapeHtml(p.meaning.replace(/^1 when /, ''))}</td><td>${count(p.hits)} of ${count(p.runs)}</td><td>${percent(p.probability, 1)}</td><td>${percent(p.low, 1)} to ${percent(p.high, 1)}</td></tr>`)
    .join('\n');
  const figures =
    rows.length === 0
      ? '<p>No runs.</p>'
      : HISTOGRAMS.map((name) => {
          const i = METRICS.findIndex((m) => m.name === name);
          return histogram(METRICS[i]!, rows.map((r) => r[name]!), summary.metrics[i]!);
        }).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Sweep of ${escapeHtml(manifest.scenario)}: ${count(summary.runs)} runs</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 1120px; margin: 24px auto; color: #222; }
table { border-collapse: collapse; margin: 8px 0 24px; }
td, th { border: 1px solid #ccc; padding: 4px 10px; text-align: left; }
th { background: #f1f3f6; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
figure { margin: 0; }
figcaption { font-size: 13px; margin-bottom: 4px; }
.q { color: #c0392b; }
</style>
</head>
<body>
<h1>Sweep of ${escapeHtml(manifest.scenario)}: ${count(summary.runs)} runs</h1>
<p>Profile ${escapeHtml(manifest.profile)}, ${seedRange(manifest)}, cmk-sim ${escapeHtml(manifest.version)}.</p>
<h2>How likely</h2>
<table>
<tr><th>event</th><th>runs</th><th>probability</th><th>95 % interval (Wilson)</th></tr>
${probabilities}
</table>
<h2>Distributions</h2>
<div class="grid">
${figures}
</div>
</body>
</html>
`;
}
