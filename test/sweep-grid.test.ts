// What-if grids (sweep --vary): every combination of the values runs the
// same seeds, the files carry the cells, shards of a grid merge into the
// unsharded grid, bad --vary values are reported as the loader would report
// them, and the statistics behind summary.html's charts against figures
// computed by hand.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { exceedanceAxis } from '../reports/sweep-charts.ts';
import { METRICS, RUN_COLUMNS } from '../sim/sweep/metrics.ts';
import { MAX_GRID_CELLS, cellValues } from '../sim/sweep/plan.ts';
import { exceedance, mainEffects, summarize, wilson, type CellSummary } from '../sim/sweep/summary.ts';
import { SWEEP_FILES } from '../sim/sweep/sweep.ts';
import { cli } from './cli-helpers.ts';

const root = mkdtempSync(join(tmpdir(), 'cmk-sim-grid-'));
test.after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const fresh = (label: string) => join(root, `${++dirs}-${label}`);
const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');

const OUTAGES = 'actions[0].for=30m,1h,2h,4h,8h';
const BUFFERS = 'mmkBufferMaxAge=2h,4h,8h';

// The built-in grid of the README, 2 seeds per cell: run once, read by several tests.
const builtinGrid = (async () => {
  const dir = fresh('builtin');
  const result = await cli('sweep', 'outage-vs-buffer-age', '--vary', OUTAGES, '--vary', BUFFERS, '--runs', '2', '--workers', '2', '--out', dir);
  return { dir, ...result };
})();

test('a grid runs the same seeds in every combination of the values, the first varied name changing slowest', async () => {
  const { dir, status, out } = await builtinGrid;
  assert.is(status, 0, out);
  for (const file of SWEEP_FILES) assert.ok(existsSync(join(dir, file)), file);
  const lines = read(dir, 'runs.csv').trim().split('\n');
  assert.is(lines[0], ['actions[0].for', 'mmkBufferMaxAge', ...RUN_COLUMNS].join(','));
  const cells = lines.slice(1).map((line) => line.split(',').slice(0, 3).join(' '));
  assert.equal(cells.slice(0, 7), ['30m 2h 1', '30m 2h 2', '30m 4h 1', '30m 4h 2', '30m 8h 1', '30m 8h 2', '1h 2h 1']);
  assert.is(cells.length, 5 * 3 * 2);
  const manifest = JSON.parse(read(dir, 'sweep.json'));
  assert.equal(manifest.grid, [
    { name: 'actions[0].for', values: ['30m', '1h', '2h', '4h', '8h'] },
    { name: 'mmkBufferMaxAge', values: ['2h', '4h', '8h'] },
  ]);
  assert.is(manifest.runs, 2, 'runs per cell');
  assert.match(out, /sweep of outage-vs-buffer-age: 30 runs \(15 cells\)/);
  assert.match(out, /\n {2}actions\[0\]\.for=4h mmkBufferMaxAge=2h: any record was lost: 100\.0 % \(2 of 2\)/);
});

test('outage-vs-buffer-age: an outage loses data when it outlasts the buffer by more than the half hour before unavailability', async () => {
  const { dir } = await builtinGrid;
  const lost = new Map<string, number>();
  const lostColumn = RUN_COLUMNS.indexOf('anyRecordLost') + 2;
  for (const line of read(dir, 'runs.csv').trim().split('\n').slice(1)) {
    const cells = line.split(',');
    const key = `${cells[0]} ${cells[1]}`;
    lost.set(key, (lost.get(key) ?? 0) + Number(cells[lostColumn]));
  }
  const losing = [...lost].filter(([, n]) => n > 0).map(([key, n]) => `${key}: ${n}`);
  assert.equal(losing, ['4h 2h: 2', '8h 2h: 2', '8h 4h: 2']);
});

test('the cells of a grid share their seeds: a parameter that only judges the runs leaves every run as it was', async () => {
  const dir = fresh('paired');
  const { status } = await cli('sweep', 'outage-vs-buffer-age', '--vary', 'sloTarget=0.9,0.999', '--runs', '3', '--workers', '1', '--out', dir);
  assert.is(status, 0);
  const rows = read(dir, 'runs.csv').trim().split('\n').slice(1).map((line) => line.split(','));
  const lax = rows.slice(0, 3);
  const strict = rows.slice(3);
  const column = (name: string) => RUN_COLUMNS.indexOf(name) + 1;
  for (const name of ['seed', 'offeredRecords', 'droppedRecords', 'queryFailed', 'queryUnavailableMs']) {
    assert.equal(strict.map((r) => r[column(name)]), lax.map((r) => r[column(name)]), name);
  }
  assert.equal(lax.map((r) => r[column('sloMissed')]), ['0', '0', '0'], 'a 90 % target is met');
  assert.equal(strict.map((r) => r[column('sloMissed')]), ['1', '1', '1'], 'a 99.9 % target is missed by the same runs');
});

test('summary.csv has a row per cell and metric; summary.md a table per headline metric with the cells as rows', async () => {
  const { dir } = await builtinGrid;
  const csv = read(dir, 'summary.csv').trim().split('\n');
  assert.is(csv[0], 'actions[0].for,mmkBufferMaxAge,metric,runs,mean,min,p50,p90,p99,max');
  assert.is(csv.length - 1, 15 * METRICS.length);
  assert.is(csv[1], '30m,2h,faultsDrawn,2,0,0,0,0,0,0');
  const md = read(dir, 'summary.md');
  assert.match(md, /^# Sweep of outage-vs-buffer-age: 15 cells, 30 runs\n/);
  assert.match(md, /Varied: actions\[0\]\.for = 30m, 1h, 2h, 4h, 8h; mmkBufferMaxAge = 2h, 4h, 8h\./);
  const lost = md.slice(md.indexOf('### any record was lost'), md.indexOf('###', md.indexOf('### any record was lost') + 4));
  assert.match(lost, /\| `actions\[0\]\.for` \| `mmkBufferMaxAge` \| runs \| probability \| 95 % interval \(Wilson\) \|/);
  assert.match(lost, /\| 8h \| 4h \| 2 of 2 \| 100\.0 % \| 34\.2 % to 100\.0 % \|/);
  assert.is(lost.match(/^\| (30m|1h|2h|4h|8h) \|/gm)?.length, 15);
  for (const metric of METRICS.filter((m) => m.headline && m.unit !== 'indicator')) assert.ok(md.includes(`### \`${metric.name}\`: ${metric.meaning}`), metric.name);
});

test('summary.html: a heatmap and a tornado per headline metric, an exceedance chart per buffer age, self-contained', async () => {
  const { dir } = await builtinGrid;
  const html = read(dir, 'summary.html');
  const headline = METRICS.filter((m) => m.headline);
  assert.is(html.match(/aria-label="heatmap of /g)?.length, headline.length);
  assert.is(html.match(/aria-label="tornado of /g)?.length, headline.length);
  // One chart per value of the second name, with a curve per value of the first; none for a metric with one value in every run.
  const exceedance = html.match(/aria-label="exceedance of (\w+)"/g)!;
  assert.ok(exceedance.length % 3 === 0 && exceedance.length > 0 && exceedance.length <= 3 * headline.filter((m) => m.unit !== 'indicator').length);
  assert.match(html, /aria-label="exceedance of droppedRecords"/);
  assert.match(html, /<title>actions\[0\]\.for = 8h, mmkBufferMaxAge = 4h: 2 of 2 runs, 100\.0 % \(95 % 34\.2 % to 100\.0 %\)<\/title>/, 'a heatmap cell of anyRecordLost');
  assert.is(html.match(/<svg /g)?.length, html.match(/<\/svg>/g)?.length);
  assert.not.match(html, /https?:\/\/|<script/, 'self-contained: nothing fetched, no script');
});

test('shards of a grid are blocks of its runs, cell by cell, and merge into exactly the files of the unsharded grid', async () => {
  const args = ['outage-vs-buffer-age', '--vary', 'actions[0].for=1h,4h', '--vary', 'mmkBufferMaxAge=2h,4h', '--runs', '3', '--workers', '1'];
  const whole = fresh('whole');
  assert.is((await cli('sweep', ...args, '--out', whole)).status, 0);
  const shards = [0, 1, 2, 3, 4].map((i) => fresh(`shard${i}`));
  for (const [i, dir] of shards.entries()) assert.is((await cli('sweep', ...args, '--shard', `${i}/5`, '--out', dir)).status, 0);
  // 12 runs in 5 shards: 2, 2, 3, 2, 3; shard 2 holds runs 4 to 6, across two cells.
  assert.equal(read(shards[2]!, 'runs.csv').trim().split('\n').slice(1).map((l) => l.split(',').slice(0, 3).join(' ')), ['1h 4h 2', '1h 4h 3', '4h 2h 1']);
  const first = read(shards[0]!, 'summary.html');
  assert.match(first, />no runs<\/text>/, "a shard's heatmaps mark the cells it did not run");
  assert.not.match(first, /NaN|Infinity/);
  const merged = fresh('merged');
  const { status, out } = await cli('merge', ...shards.reverse(), '--out', merged);
  assert.is(status, 0, out);
  for (const file of SWEEP_FILES) assert.is(read(merged, file), read(whole, file), file);
});

test('a bad --vary is reported as the loader reports a bad value, against the flag, every problem at once; nothing is written', async () => {
  const dir = fresh('bad');
  const { status, err } = await cli(
    'sweep', 'outage-vs-buffer-age', '--runs', '1', '--out', dir,
    '--vary', 'actions[0].for=5x,1h', '--vary', 'mmkBufferMaxAge=2h,2h', '--vary', 'mmkBufferMaxAg=1h', '--vary', 'actions[3].for=1h',
    '--vary', 'actions[0].bogus=1', '--vary', 'outageToUnavailable=', '--vary', 'storageAccountsPerCluster=2,99', '--vary', 'revocationWithin=1h',
    '--param', 'revocationWithin=2h',
  );
  assert.is(status, 2);
  const lines = err.split('\n');
  const expected = [
    /^--vary: actions\[0\]\.for: found "5x"; expected a duration such as 250ms/,
    /^--vary: mmkBufferMaxAge: found "2h" twice; expected each value once$/,
    /^--vary: mmkBufferMaxAg: found "mmkBufferMaxAg"; expected a parameter name \(one of .*\) or a field of an action or a fault, e\.g\. actions\[0\]\.for or faults\[1\]\.meanTimeBetween; did you mean mmkBufferMaxAge\?$/,
    /^--vary: actions\[3\]\.for: found nothing at actions\[3\] \(the scenario has actions\[0\] to actions\[0\]\); expected a field of an action or a fault the scenario has/,
    /^--vary: actions\[0\]\.bogus: found unknown field "bogus"; expected one of at, do, vault, for$/,
    /^--vary: outageToUnavailable: found ""; expected one or more values separated by commas/,
    /^--vary: storageAccountsPerCluster: found 99; expected a whole number from 1 to 64$/,
    /^--vary: revocationWithin: found a parameter also set with --param; expected a parameter either fixed \(--param\) or varied \(--vary\), not both$/,
  ];
  for (const pattern of expected) assert.ok(lines.some((line) => pattern.test(line)), `${pattern}\n${err}`);
  assert.is(lines.length, expected.length, err);
  assert.not.ok(existsSync(dir));
});

test(`a grid has at most ${MAX_GRID_CELLS} cells, and at most 500,000 runs in all`, async () => {
  const many = Array.from({ length: 40 }, (_, i) => `${i + 1}m`).join(',');
  const cells = await cli('sweep', 'outage-vs-buffer-age', '--vary', `actions[0].for=${many}`, '--vary', `actions[0].at=${many}`, '--out', fresh('x'));
  assert.is(cells.status, 2);
  assert.is(cells.err, `--vary: found 1600 cells (40 x 40); expected at most ${MAX_GRID_CELLS} cells`);
  // Said from the flags alone, before any value is built (each would set up the scenario, RSA keys and all): bad values are not reached.
  const bad = await cli('sweep', 'outage-vs-buffer-age', '--vary', `actions[0].for=${many}`, '--vary', `actions[0].at=${many.replace('1m', 'bogus')}`, '--out', fresh('x'));
  assert.is(bad.err, `--vary: found 1600 cells (40 x 40); expected at most ${MAX_GRID_CELLS} cells`);
  const runs = await cli('sweep', 'outage-vs-buffer-age', '--vary', 'mmkBufferMaxAge=2h,4h,8h', '--runs', '200000', '--out', fresh('x'));
  assert.is(runs.status, 2);
  assert.is(runs.err, '--runs: found 200000; expected at most 500,000 runs in all (cells x runs; the grid has 3 cells, so at most 166,666 runs)');
});

test('one field under two spellings, equal values written two ways, or a trailing comma are refused: each cell of a grid is a different scenario, labelled by what it ran', async () => {
  const refused = async (...vary: string[]) => {
    const o = await cli('sweep', 'outage-vs-buffer-age', '--runs', '1', '--out', fresh('same'), ...vary.flatMap((v) => ['--vary', v]));
    assert.is(o.status, 2, o.err);
    return o.err;
  };
  assert.is(await refused('actions[0].for=10m,2h', 'actions[00].for=20m'), '--vary: actions[00].for: found the field actions[0].for varied twice; expected each name in one --vary flag, with all its values');
  assert.is(await refused('actions[0].for=60m,1h'), '--vary: actions[0].for: found 60m and 1h, the same value; expected each value once');
  assert.is(await refused('mmkBufferMaxAge=PT4H,4h'), '--vary: mmkBufferMaxAge: found PT4H and 4h, the same value; expected each value once');
  assert.is(await refused('unwrapPollInterval=[6s,60s],[6s, 1m]'), '--vary: unwrapPollInterval: found [6s,60s] and [6s, 1m], the same value; expected each value once');
  assert.match(await refused('mmkBufferMaxAge=1h,'), /^--vary: mmkBufferMaxAge: found "1h,"; expected one or more values separated by commas/);
});

test('a problem of one cell names the cell, then the field, as every other problem names its path', async () => {
  const o = await cli('sweep', 'outage-vs-buffer-age', '--runs', '1', '--out', fresh('cell'), '--vary', 'actions[0].do=keyVault.throttle');
  assert.is(o.status, 2);
  assert.match(o.err, /^--vary: actions\[0\]\.do=keyVault\.throttle: actions\[0\]\.limitPer10s: found nothing; expected a whole number of requests per 10 seconds/m);
});

test('cells are numbered as nested loops over the varied names in the order given', () => {
  const grid = [
    { name: 'a', values: ['1', '2'] },
    { name: 'b', values: ['x', 'y', 'z'] },
  ];
  assert.equal(Array.from({ length: 6 }, (_, c) => cellValues(grid, c).join('')), ['1x', '1y', '1z', '2x', '2y', '2z']);
  assert.equal(cellValues([], 0), []);
});

test('exceedance: P(metric > x) over the runs with its 95 % Wilson interval, as counted by hand', () => {
  const sorted = [0, 0, 0, 0, 5, 5, 10, 20, 40, 100];
  const points = exceedance(sorted, [-1, 0, 5, 7, 100]);
  assert.equal(points.map((p) => p.probability), [1, 0.6, 0.4, 0.4, 0]);
  // Six of ten runs above 0: the interval is the one of 6 hits in 10.
  assert.equal({ low: points[1]!.low, high: points[1]!.high }, wilson(6, 10));
  assert.is(points[4]!.low, 0);
  assert.ok(points[4]!.high > 0.27 && points[4]!.high < 0.28, 'none of 10 above 100 still allows about 28 %');
});

test('the exceedance x axis is logarithmic when the positive values span two decades or more (a heavy tail)', () => {
  assert.equal(exceedanceAxis([0, 0, 3, 50, 4000]), { log: true, low: 1, high: 10_000 });
  assert.equal(exceedanceAxis([0, 10, 100, 1000]), { log: true, low: 1, high: 1000 }, 'a power of ten as the smallest positive value: the axis starts a decade lower, at P(> 0)');
  assert.equal(exceedanceAxis([0, 20, 30, 50]), { log: false, low: 0, high: 50 });
  assert.is(exceedanceAxis([7, 7, 7]), undefined, 'one value in every run: no curve');
});

test("a tornado bar spans a name's main effect: the mean over the cells of each of its values, the other names averaged", () => {
  const grid = [
    { name: 'outage', values: ['1h', '8h'] },
    { name: 'buffer', values: ['2h', '4h', '8h'] },
  ];
  // droppedRecords means per cell, first name slowest: 1h: 0, 0, 0; 8h: 90, 30, 0.
  const means = [0, 0, 0, 90, 30, 0];
  const cells: CellSummary[] = means.map((mean, cell) => {
    const summary = { ...summarize([]), runs: 10 };
    summary.metrics[2] = { ...summary.metrics[2]!, mean };
    return { cell, values: cellValues(grid, cell), summary };
  });
  assert.is(METRICS[2]!.name, 'droppedRecords');
  assert.equal(mainEffects(cells, grid, 2), [
    { name: 'outage', means: [0, 40] },
    { name: 'buffer', means: [45, 15, 0] },
  ]);
  // A shard's folder may lack a cell: it is left out, not counted as 0.
  cells[5]!.summary.runs = 0;
  assert.equal(mainEffects(cells, grid, 2)[0], { name: 'outage', means: [0, 60] });
});

test.run();
