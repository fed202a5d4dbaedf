// The files of a sweep: runs.csv (one row per run, after the cell's varied
// values), summary.csv and summary.md (the distribution of each metric, the
// probabilities; per cell for a grid), and summary.html (charts, self-contained
// SVG). Each is a pure function of the manifest and the rows, so a merged or
// resumed sweep writes the same bytes as one run in a single go. runs.csv read
// back is checked cell by cell against its metric's unit and the manifest.

import { parse as parseCsv } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { InputError, type Problem } from '../sim/input-error.ts';
import { METRICS, ROW_RULES, RUN_COLUMNS, UNIT_RANGES, valueOf, type Metric, type RunRow } from '../sim/sweep/metrics.ts';
import { cellCount, cellValues, pairsOf, type GridAxis, type SweepManifest } from '../sim/sweep/plan.ts';
import { SUMMARY_COLUMNS, column, mainEffects, type CellSummary, type Probability } from '../sim/sweep/summary.ts';
import { CURVE_COLOURS, exceedanceAxis, exceedanceChart, heatmap, histogram, show, tornado, type Curve } from './sweep-charts.ts';
import { count, escapeHtml, percent } from './format.ts';

const gridOf = (manifest: SweepManifest): readonly GridAxis[] => manifest.grid ?? [];

// ---------------------------------------------------------------------------
// runs.csv

/** runs.csv: the header (unless `header` is false: rows appended to a progress file) and a line per row. */
export function renderRunsCsv(rows: readonly RunRow[], grid: readonly GridAxis[], header = true): string {
  return stringify(
    rows.map((row) => [...cellValues(grid, row.cell), row.seed, ...row.values]),
    { header, columns: [...grid.map((axis) => axis.name), ...RUN_COLUMNS] },
  );
}

const WHOLE = /^\d+$/;
const DECIMAL = /^\d+(?:\.\d+)?(?:e[+-]?\d+)?$/;
/** Bad cells reported at most: past these, the file is plainly not what it should be. */
const MAX_PROBLEMS = 20;

export interface RunsCsvOptions {
  /** Lines before the header in the file (a progress file's manifest line): rows are numbered as the file's lines. */
  linesBefore?: number;
  /** A finished sweep's runs.csv holds every run; a progress file, the first of them. */
  complete: boolean;
}

/**
 * The rows of a runs.csv written for this manifest: every cell checked
 * against its metric's unit (decimal digits only, in range), every row's
 * cell and seed against the manifest's runs in order, and the rules between
 * a row's metrics. A problem names the file, the row (counted as a
 * spreadsheet does: the header is row 1) and the column.
 */
export function parseRunsCsv(text: string, file: string, manifest: SweepManifest, options: RunsCsvOptions): RunRow[] {
  const grid = gridOf(manifest);
  const columns = [...grid.map((axis) => axis.name), ...RUN_COLUMNS];
  const pairs = pairsOf(manifest);
  const before = options.linesBefore ?? 0;
  const problems: Problem[] = [];
  const fail = (row: number, columnName: string, found: string, expected: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push({ file, path: `row ${row + before}${columnName === '' ? '' : `, column ${columnName}`}`, found, expected });
  };
  const rows: RunRow[] = [];
  let header = true;
  let headerWrong = false;
  // After one row out of place every later one is too: the first says it all.
  let misplaced = false;
  const onRecord = (record: string[], context: { lines: number }): null => {
    const line = context.lines;
    if (header) {
      header = false;
      headerWrong = record.join(',') !== columns.join(',');
      if (headerWrong) fail(line, '', JSON.stringify(record.join(',')), `the header ${columns.join(',')} (a runs.csv of this sweep and this cmk-sim version)`);
      return null;
    }
    if (headerWrong) return null;
    if (record.length !== columns.length) {
      fail(line, '', `${record.length} cells`, `${columns.length}, one per column: ${columns.join(', ')}`);
      return null;
    }
    const pair = pairs[rows.length];
    if (pair === undefined) {
      if (!misplaced) fail(line, '', 'a row past the last run', `${count(pairs.length)} rows, one per run of sweep.json (${seedsText(manifest)})`);
      misplaced = true;
      return null;
    }
    const expectedValues = cellValues(grid, pair.cell);
    const values: number[] = [];
    let rowIsBad = false;
    const bad = (name: string, cell: string, expected: string) => {
      fail(line, name, JSON.stringify(cell), expected);
      rowIsBad = true;
    };
    record.forEach((cell, c) => {
      const name = columns[c]!;
      if (c < grid.length || name === 'seed') {
        const expected = c < grid.length ? expectedValues[c]! : String(pair.seed);
        if (cell !== expected && !misplaced) {
          const order = c < grid.length ? `runs are cell by cell in the order of sweep.json's grid, each with ${seedsText(manifest)}` : `${seedsText(manifest)}, in order, each once`;
          bad(name, cell, `${c < grid.length ? JSON.stringify(expected) : expected}: ${order}`);
          misplaced = true;
        }
        return;
      }
      const range = UNIT_RANGES[METRICS[c - grid.length - 1]!.unit];
      const value = Number(cell);
      if (!(range.whole ? WHOLE : DECIMAL).test(cell) || !(value >= range.min && value <= range.max)) bad(name, cell, range.expected);
      values.push(value);
    });
    const row: RunRow = { cell: pair.cell, seed: pair.seed, values };
    const broken = rowIsBad ? undefined : ROW_RULES.find((r) => !r.holds((name) => valueOf(row, name)));
    if (broken !== undefined) fail(line, '', 'metrics that contradict each other', `a row as a sweep writes it: ${broken.rule}`);
    rows.push(row);
    return null;
  };
  try {
    // A row of the wrong length reaches onRecord, which names it as every other bad row.
    parseCsv(text, { on_record: onRecord, relax_column_count: true });
  } catch (error) {
    // What is left is CSV that cannot be read as CSV (a quote left open): named by its line, not in the library's words.
    const lines = (error as { lines?: unknown }).lines;
    const path = typeof lines === 'number' ? `row ${lines + before}` : '';
    throw new InputError([...problems, { file, path, found: 'a line that is not CSV (a quote left open, or a stray quote inside a cell)', expected: 'a runs.csv written by cmk-sim sweep' }]);
  }
  if (problems.length === 0 && header) fail(1, '', 'nothing', `the header ${columns.join(',')}`);
  if (problems.length === 0 && options.complete && rows.length < pairs.length) {
    problems.push({ file, path: '', found: `${count(rows.length)} rows`, expected: `${count(pairs.length)}, one per run of sweep.json (${seedsText(manifest)})` });
  }
  if (problems.length > 0) throw new InputError(problems);
  return rows;
}

function seedsText(manifest: SweepManifest): string {
  const seeds = `seeds ${manifest.firstSeed} to ${manifest.firstSeed + manifest.runs - 1}`;
  const cells = cellCount(gridOf(manifest));
  const part = manifest.shard === null ? '' : `, the block of shard ${manifest.shard.index}/${manifest.shard.count}`;
  return `${cells === 1 ? seeds : `${seeds} in each of ${cells} cells`}${part}`;
}

// ---------------------------------------------------------------------------
// summary.csv and summary.md

export function renderSummaryCsv(cells: readonly CellSummary[], grid: readonly GridAxis[]): string {
  return stringify(
    cells.flatMap((c) => c.summary.metrics.map((m) => [...c.values, ...SUMMARY_COLUMNS.map((name) => m[name])])),
    { header: true, columns: [...grid.map((axis) => axis.name), ...SUMMARY_COLUMNS] },
  );
}

const seedRange = (m: SweepManifest) => `seeds ${m.firstSeed} to ${m.firstSeed + m.runs - 1}`;
const event = (p: Probability) => p.meaning.replace(/^1 when /, '');
const gridText = (grid: readonly GridAxis[]) => grid.map((axis) => `${axis.name} = ${axis.values.join(', ')}`).join('; ');
const title = (m: SweepManifest, cells: readonly CellSummary[]) => {
  const runs = cells.reduce((sum, c) => sum + c.summary.runs, 0);
  return gridOf(m).length === 0 ? `Sweep of ${m.scenario}: ${count(runs)} runs` : `Sweep of ${m.scenario}: ${count(cells.length)} cells, ${count(runs)} runs`;
};
const HEADLINE = METRICS.map((metric, index) => ({ metric, index })).filter((m) => m.metric.headline);

export function renderSummaryMarkdown(manifest: SweepManifest, cells: readonly CellSummary[]): string {
  const grid = gridOf(manifest);
  const lines = [`# ${title(manifest, cells)}`, ''];
  const seeds = grid.length === 0 ? seedRange(manifest) : `${seedRange(manifest)} in every cell`;
  lines.push(`Profile ${manifest.profile}, ${seeds}, cmk-sim ${manifest.version}, scenario ${manifest.scenarioDigest.slice(0, 19)}.`, '');
  const probabilityRow = (p: Probability) => `${count(p.hits)} of ${count(p.runs)} | ${percent(p.probability, 1)} | ${percent(p.low, 1)} to ${percent(p.high, 1)} |`;
  if (grid.length === 0) {
    const summary = cells[0]!.summary;
    lines.push('## How likely', '', '| event | runs | probability | 95 % interval (Wilson) |', '|---|---|---|---|');
    for (const p of summary.probabilities) lines.push(`| ${event(p)} | ${probabilityRow(p)}`);
    lines.push('', '## Distributions', '', 'Percentiles are nearest-rank over the runs.', '', '| metric | meaning | mean | p50 | p90 | p99 | max |', '|---|---|---|---|---|---|---|');
    METRICS.forEach((metric, i) => {
      if (metric.unit === 'indicator') return;
      const s = summary.metrics[i]!;
      lines.push(`| \`${metric.name}\` | ${metric.meaning} | ${show(metric, s.mean)} | ${show(metric, s.p50)} | ${show(metric, s.p90)} | ${show(metric, s.p99)} | ${show(metric, s.max)} |`);
    });
    return lines.join('\n') + '\n';
  }
  lines.push(`Varied: ${gridText(grid)}. Every cell runs the same seeds, so cells compare run by run. summary.csv has every metric of every cell.`, '');
  const names = grid.map((axis) => `\`${axis.name}\``).join(' | ');
  const dashes = grid.map(() => '---').join('|');
  lines.push('## How likely', '');
  for (const { metric } of HEADLINE.filter((h) => h.metric.unit === 'indicator')) {
    const at = cells[0]!.summary.probabilities.findIndex((p) => p.metric === metric.name);
    lines.push(`### ${metric.meaning.replace(/^1 when /, '')}`, '', `| ${names} | runs | probability | 95 % interval (Wilson) |`, `|${dashes}|---|---|---|`);
    for (const c of cells) lines.push(`| ${c.values.join(' | ')} | ${probabilityRow(c.summary.probabilities[at]!)}`);
    lines.push('');
  }
  lines.push('## Distributions', '', 'Percentiles are nearest-rank over the runs of each cell.', '');
  for (const { metric, index } of HEADLINE.filter((h) => h.metric.unit !== 'indicator')) {
    lines.push(`### \`${metric.name}\`: ${metric.meaning}`, '', `| ${names} | mean | p50 | p90 | p99 | max |`, `|${dashes}|---|---|---|---|---|`);
    for (const c of cells) {
      const s = c.summary.metrics[index]!;
      lines.push(`| ${c.values.join(' | ')} | ${show(metric, s.mean)} | ${show(metric, s.p50)} | ${show(metric, s.p90)} | ${show(metric, s.p99)} | ${show(metric, s.max)} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------
// summary.html

const STYLE = `body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 1120px; margin: 24px auto; color: #222; }
table { border-collapse: collapse; margin: 8px 0 24px; }
td, th { border: 1px solid #ccc; padding: 4px 10px; text-align: left; }
th { background: #f1f3f6; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
figure { margin: 0; }
figcaption { font-size: 13px; margin-bottom: 4px; }
.q { color: #c0392b; }`;

const interval = (p: Probability) => `${percent(p.low, 1)} to ${percent(p.high, 1)}`;

/** How the tail reads: at most 10 % of runs above p90, at most 1 % above p99 (nearest-rank). */
const tailText = (metric: Metric, s: CellSummary['summary']['metrics'][number]) => `at most 10 % of runs above ${show(metric, s.p90)} (p90), at most 1 % above ${show(metric, s.p99)} (p99)`;

export function renderSummaryHtml(manifest: SweepManifest, cells: readonly CellSummary[], rows: readonly RunRow[]): string {
  const grid = gridOf(manifest);
  const heading = escapeHtml(title(manifest, cells));
  const seeds = grid.length === 0 ? seedRange(manifest) : `${seedRange(manifest)} in every cell`;
  const body = grid.length === 0 ? plainBody(cells[0]!, rows) : gridBody(grid, cells, rows);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${heading}</title>
<style>
${STYLE}
</style>
</head>
<body>
<h1>${heading}</h1>
<p>Profile ${escapeHtml(manifest.profile)}, ${seeds}, cmk-sim ${escapeHtml(manifest.version)}.</p>
${body}
</body>
</html>
`;
}

function plainBody(cell: CellSummary, rows: readonly RunRow[]): string {
  const summary = cell.summary;
  const probabilities = summary.probabilities.map((p) => `<tr><td>${escapeHtml(event(p))}</td><td>${count(p.hits)} of ${count(p.runs)}</td><td>${percent(p.probability, 1)}</td><td>${interval(p)}</td></tr>`).join('\n');
  const figures =
    rows.length === 0
      ? '<p>No runs.</p>'
      : HEADLINE.filter((h) => h.metric.unit !== 'indicator')
          .map(({ metric, index }) => {
            const values = column(rows, index);
            const s = summary.metrics[index]!;
            const figures = `mean ${show(metric, s.mean)}, p50 ${show(metric, s.p50)}, p90 ${show(metric, s.p90)}, p99 ${show(metric, s.p99)} (dashed)`;
            const axis = exceedanceAxis(values);
            const curve = axis === undefined ? '' : exceedanceChart(metric, [{ label: '', sorted: [...values].sort((a, b) => a - b) }], axis);
            return `<figure><figcaption><code>${escapeHtml(metric.name)}</code>: ${escapeHtml(metric.meaning)}<br><span class="q">${escapeHtml(figures)}</span></figcaption>${histogram(metric, values, s)}</figure>
<figure><figcaption>P(<code>${escapeHtml(metric.name)}</code> &gt; x): ${escapeHtml(tailText(metric, s))}</figcaption>${curve === '' ? `<p>Every run: ${escapeHtml(show(metric, s.min))}.</p>` : curve}</figure>`;
          })
          .join('\n');
  return `<h2>How likely</h2>
<table>
<tr><th>event</th><th>runs</th><th>probability</th><th>95 % interval (Wilson)</th></tr>
${probabilities}
</table>
<h2>Distributions</h2>
<p>For each headline metric: the histogram, and the exceedance curve P(metric &gt; x), the share of runs above x, with its 95 % Wilson interval at each x (a log x axis when the values span two decades or more).</p>
<div class="grid">
${figures}
</div>`;
}

function gridBody(grid: readonly GridAxis[], cells: readonly CellSummary[], rows: readonly RunRow[]): string {
  if (rows.length === 0) return `<p>Varied: ${escapeHtml(gridText(grid))}.</p>\n<p>No runs.</p>`;
  const header = grid.map((axis) => `<th>${escapeHtml(axis.name)}</th>`).join('');
  const indicators = cells[0]!.summary.probabilities;
  const likely = cells
    .map((c) => `<tr>${c.values.map((v) => `<td>${escapeHtml(v)}</td>`).join('')}${c.summary.probabilities.map((p) => `<td>${percent(p.probability, 1)} <small>(${interval(p)})</small></td>`).join('')}</tr>`)
    .join('\n');
  const [across, down, ...rest] = grid;
  const restGrid = down === undefined ? [] : rest;
  const rowsByCell: RunRow[][] = cells.map(() => []);
  for (const row of rows) rowsByCell[row.cell]!.push(row);
  const values = new Map(grid.map((axis) => [axis.name, axis.values]));
  const sections = HEADLINE.map(({ metric, index }) => {
    const indicator = metric.unit === 'indicator';
    // An event's mean over the runs is its probability.
    const statOf = (c: CellSummary): number | null => (c.summary.runs === 0 ? null : c.summary.metrics[index]!.mean);
    const known = cells.map(statOf).filter((v) => v !== null);
    const scale = { low: Math.min(...known), high: Math.max(...known) };
    // One heatmap per combination of the names after the first two.
    const heatmaps = Array.from({ length: cellCount(restGrid) }, (_, r) => {
      const restValues = restGrid.length === 0 ? [] : cellValues(restGrid, r);
      const inMap = cells.filter((c) => restValues.every((v, k) => c.values[k + 2] === v));
      // Rows of the heatmap are the second name's values, columns the first's: reorder from cell order (first name slowest).
      const ordered = (down?.values ?? ['']).flatMap((_, d) => across!.values.map((__, a) => inMap[a * (down?.values.length ?? 1) + d]!));
      const mapCells = ordered.map((c) => ({ value: statOf(c), title: cellTitle(metric, index, c, grid) }));
      const caption = restGrid.length === 0 ? '' : `<figcaption>with ${escapeHtml(restGrid.map((axis, k) => `${axis.name} = ${restValues[k]}`).join(', '))}</figcaption>`;
      return `<figure>${caption}${heatmap(metric, across!, down, mapCells, scale)}</figure>`;
    });
    const effects = mainEffects(cells, grid, index);
    const overall = known.reduce((sum, v) => sum + v, 0) / known.length;
    const parts = [...heatmaps, `<figure><figcaption>How far each varied name moves it</figcaption>${tornado(metric, effects, values, overall)}</figure>`];
    if (!indicator) parts.push(...exceedanceFigures(metric, index, grid, cells, rowsByCell));
    const what = indicator ? 'the probability' : 'the mean';
    return `<h3><code>${escapeHtml(metric.name)}</code>: ${escapeHtml(metric.meaning)} <small>(heatmap: ${what} per cell)</small></h3>
<div class="charts">
${parts.join('\n')}
</div>`;
  });
  return `<p>Varied: ${escapeHtml(gridText(grid))}. Every cell runs the same seeds, so cells compare run by run.</p>
<p>Per headline metric: a heatmap of its mean (of the probability, for an event) over ${escapeHtml(across!.name)} (across)${down === undefined ? '' : ` and ${escapeHtml(down.name)} (down)`}${restGrid.length === 0 ? '' : ', one per combination of the other names'}, darker is larger; a tornado chart, one bar per varied name from the lowest to the highest mean over its values, each value's mean taken over all cells with that value (the other names averaged over their values); and the exceedance curves P(metric &gt; x), one curve per value of ${escapeHtml(across!.name)}${down === undefined ? '' : ', one chart per value of the other names'}, each with its 95 % Wilson interval at each x (a log x axis when the values span two decades or more).</p>
<h2>How likely</h2>
<table>
<tr>${header}${indicators.map((p) => `<th>${escapeHtml(event(p))} <small>(95 % Wilson)</small></th>`).join('')}</tr>
${likely}
</table>
<h2>Headline metrics</h2>
${sections.join('\n')}`;
}

function cellTitle(metric: Metric, index: number, c: CellSummary, grid: readonly GridAxis[]): string {
  const where = grid.map((axis, k) => `${axis.name} = ${c.values[k]}`).join(', ');
  if (c.summary.runs === 0) return `${where}: no runs in this folder (a shard's)`;
  if (metric.unit === 'indicator') {
    const p = c.summary.probabilities.find((q) => q.metric === metric.name)!;
    return `${where}: ${count(p.hits)} of ${count(p.runs)} runs, ${percent(p.probability, 1)} (95 % ${interval(p)})`;
  }
  const s = c.summary.metrics[index]!;
  return `${where}: mean ${show(metric, s.mean)}, p50 ${show(metric, s.p50)}, p90 ${show(metric, s.p90)}, p99 ${show(metric, s.p99)}, max ${show(metric, s.max)}`;
}

/** One chart per combination of the names after the first, one curve per value of the first; every chart of the metric on one x axis. */
function exceedanceFigures(metric: Metric, index: number, grid: readonly GridAxis[], cells: readonly CellSummary[], rowsByCell: readonly RunRow[][]): string[] {
  const axis = exceedanceAxis(cells.flatMap((c) => column(rowsByCell[c.cell]!, index)));
  const others = grid.slice(1);
  return Array.from({ length: cellCount(others) }, (_, o) => {
    const otherValues = others.length === 0 ? [] : cellValues(others, o);
    const inChart = cells.filter((c) => c.summary.runs > 0 && otherValues.every((v, k) => c.values[k + 1] === v));
    const curves: Curve[] = inChart.map((c) => ({ label: c.values[0]!, sorted: column(rowsByCell[c.cell]!, index).sort((a, b) => a - b) }));
    const tails = inChart.map((c, i) => `<span style="color:${CURVE_COLOURS[i % CURVE_COLOURS.length]}">${escapeHtml(c.values[0]!)}</span>: ${escapeHtml(show(metric, c.summary.metrics[index]!.p99))}`).join(', ');
    const where = others.length === 0 ? '' : ` with ${escapeHtml(others.map((a, k) => `${a.name} = ${otherValues[k]}`).join(', '))}`;
    const chart = inChart.length === 0 ? '<p>No runs in this folder.</p>' : axis === undefined ? `<p>Every run: ${escapeHtml(show(metric, inChart[0]!.summary.metrics[index]!.min))}.</p>` : exceedanceChart(metric, curves, axis);
    return `<figure><figcaption>P(<code>${escapeHtml(metric.name)}</code> &gt; x) by ${escapeHtml(grid[0]!.name)}${where}; p99 (at most 1 % of runs above): ${tails}</figcaption>${chart}</figure>`;
  });
}
