// Sweeps: the files and their structure, percentiles and probabilities
// against figures computed by hand, the same rows for any number of worker
// threads, shards that merge into exactly the unsharded sweep, and merge's
// checks of every field it reads back. Grids: sweep-grid.test.ts; resuming:
// sweep-resume.test.ts.

import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '../sim/input-error.ts';
import { METRICS, RUN_COLUMNS, valueOf, type RunRow } from '../sim/sweep/metrics.ts';
import { pairsOf, parseShard, type SweepManifest } from '../sim/sweep/plan.ts';
import { runPairs } from '../sim/sweep/pool.ts';
import { summarize, summarizeCells, wilson } from '../sim/sweep/summary.ts';
import { SWEEP_FILES, mergeSweeps, readSweep } from '../sim/sweep/sweep.ts';
import { cli } from './cli-helpers.ts';
import { writeRandomFaults } from './sweep-fixtures.ts';

const root = mkdtempSync(join(tmpdir(), 'cmk-sim-sweep-'));
test.after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const fresh = (label: string) => join(root, `${++dirs}-${label}`);

const SCENARIO = writeRandomFaults(root, { accidentalDisables: true });

const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');

const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error.problems.map((p) => `${p.file}: ${p.path}: found ${p.found}; expected ${p.expected}`);
    throw error;
  }
  return [];
};

const row = (seed: number, values: Partial<Record<string, number>>): RunRow => ({ cell: 0, seed, values: METRICS.map((m) => values[m.name] ?? 0) });

const manifestOf = (runs: number): SweepManifest => ({ scenario: 't', scenarioDigest: 'sha256:0', profile: '2020-11', version: '0', firstSeed: 0, runs, shard: null });

test('percentiles are nearest-rank and the mean is exact, as computed by hand', () => {
  // droppedRecords 10, 20, ..., 100 over ten runs.
  const rows = Array.from({ length: 10 }, (_, i) => row(i, { droppedRecords: 10 * (i + 1), anyRecordLost: i < 3 ? 1 : 0 }));
  const summary = summarize(rows);
  const dropped = summary.metrics.find((m) => m.metric === 'droppedRecords')!;
  // p50: rank ceil(0.5 * 10) = 5 -> 50; p90: rank 9 -> 90; p99: rank ceil(9.9) = 10 -> 100.
  assert.equal(dropped, { metric: 'droppedRecords', runs: 10, mean: 55, min: 10, p50: 50, p90: 90, p99: 100, max: 100 });
  const lost = summary.probabilities.find((p) => p.metric === 'anyRecordLost')!;
  assert.is(lost.hits, 3);
  assert.is(lost.probability, 0.3);
  // Wilson 95 % interval of 3 in 10: 10.78 % to 60.32 % (tables of the score interval).
  assert.is(Number(lost.low.toFixed(4)), 0.1078);
  assert.is(Number(lost.high.toFixed(4)), 0.6032);
  assert.equal(wilson(0, 0), { low: 0, high: 1 });
  assert.is(wilson(0, 100).low, 0);
  assert.ok(wilson(0, 100).high > 0.03 && wilson(0, 100).high < 0.04, 'zero in 100 still allows about 3.7 %');
});

test('summary.html: a heavy tail gets its own bar above p99, so the bulk of the runs is not squeezed into one bar', async () => {
  const { renderSummaryHtml } = await import('../reports/sweep.ts');
  // 99 runs lose 1 to 99 records, one loses 10,000: p99 is 99, far left of the maximum.
  const rows = Array.from({ length: 100 }, (_, i) => row(i, { droppedRecords: i < 99 ? i + 1 : 10_000 }));
  const manifest = manifestOf(100);
  const html = renderSummaryHtml(manifest, summarizeCells(rows, []), rows);
  const figure = html.slice(html.indexOf('<code>droppedRecords</code>'), html.indexOf('</figure>', html.indexOf('<code>droppedRecords</code>')));
  assert.match(figure, /<title>above p99 \(99\) to 10,000: 1 runs<\/title>/);
  assert.match(figure, /<title>1 to 6.16: 6 runs<\/title>/, '19 bars of (99 - 1) / 19 records from 1 to p99');
  assert.match(figure, /p99 99 \| above, up to 10,000/);
  // Without a tail the bars span min to max.
  const even = Array.from({ length: 100 }, (_, i) => row(i, { droppedRecords: i }));
  assert.not.match(renderSummaryHtml(manifest, summarizeCells(even, []), even), /above p99/);
});

test('shards: i/n from 0 to n-1; their runs are contiguous blocks covering the sweep exactly once', () => {
  assert.equal(parseShard('0/4'), { index: 0, count: 4 });
  for (const bad of ['4/4', '1/0', '-1/3', '1 / 3', 'a/b', '2']) assert.is(parseShard(bad), undefined, bad);
  const base = { ...manifestOf(0), firstSeed: 5 };
  for (const runs of [1, 7, 10, 1000]) {
    for (const count of [1, 2, 3, 8, 13]) {
      const all = Array.from({ length: count }, (_, index) => pairsOf({ ...base, runs, shard: { index, count } })).flat();
      assert.equal(all, pairsOf({ ...base, runs }), `${runs} runs in ${count} shards`);
    }
  }
  assert.equal(pairsOf({ ...base, runs: 3 }).map((p) => p.seed), [5, 6, 7]);
});

test('sweep writes sweep.json, runs.csv (a row per seed), summary.csv, summary.md and summary.html', async () => {
  const dir = fresh('whole');
  const { status, out } = await cli('sweep', SCENARIO, '--runs', '6', '--workers', '1', '--out', dir);
  assert.is(status, 0, out);
  for (const file of SWEEP_FILES) assert.ok(existsSync(join(dir, file)), file);
  const runs = read(dir, 'runs.csv').trim().split('\n');
  assert.is(runs[0], RUN_COLUMNS.join(','));
  assert.equal(runs.slice(1).map((line) => Number(line.split(',')[0])), [40, 41, 42, 43, 44, 45]);
  const summary = read(dir, 'summary.csv').trim().split('\n');
  assert.is(summary[0], 'metric,runs,mean,min,p50,p90,p99,max');
  assert.equal(summary.slice(1).map((line) => line.split(',')[0]), METRICS.map((m) => m.name));
  const md = read(dir, 'summary.md');
  assert.match(md, /^# Sweep of random-faults: 6 runs/);
  assert.match(md, /\| any record was lost \| \d of 6 \| [\d.]+ % \| [\d.]+ % to [\d.]+ % \|/);
  assert.match(md, /\| any query failed \|/);
  assert.match(md, /\| `longestUnavailableMs` \|/);
  const html = read(dir, 'summary.html');
  const headline = METRICS.filter((m) => m.headline && m.unit !== 'indicator');
  assert.is(html.match(/aria-label="histogram of /g)?.length, headline.length, 'a histogram per headline metric');
  for (const metric of headline) {
    const figure = new RegExp(`P\\(<code>${metric.name}</code> &gt; x\\):[^\\n]*</figcaption>(<svg role="img" aria-label="exceedance of ${metric.name}"|<p>Every run: )`);
    assert.match(html, figure, `the exceedance curve of ${metric.name}, or the one value of every run`);
  }
  assert.is(html.match(/<svg /g)?.length, html.match(/<\/svg>/g)?.length);
  assert.not.match(html, /https?:\/\//, 'self-contained: no network');
  const manifest = JSON.parse(read(dir, 'sweep.json'));
  assert.equal({ ...manifest, scenarioDigest: manifest.scenarioDigest.slice(0, 7) }, { scenario: 'random-faults', scenarioDigest: 'sha256:', profile: '2020-11', version: manifest.version, firstSeed: 40, runs: 6, shard: null });
  assert.match(out, /sweep of random-faults: 6 runs in [\d.]+ s on 1 worker/);
});

test('any number of worker processes gives the same rows, in seed order', async () => {
  const { loadScenario } = await import('../scenarios/load.ts');
  const scenario = loadScenario(SCENARIO);
  const pairs = [3, 1, 4, 15, 9].map((seed) => ({ cell: 0, seed }));
  const delivered: number[] = [];
  const one = await runPairs([scenario], pairs, 1);
  assert.equal(one.map((r) => r.seed), [3, 1, 4, 15, 9]);
  assert.equal(await runPairs([scenario], pairs, 2, (r) => delivered.push(r.seed)), one);
  assert.equal(delivered, [3, 1, 4, 15, 9], 'rows are handed on in order as they finish');
  assert.equal(await runPairs([scenario], pairs, 3), one);
  assert.ok(new Set(one.map((r) => valueOf(r, 'faultsDrawn'))).size > 1 || new Set(one.map((r) => valueOf(r, 'queryUnavailableMs'))).size > 1, 'seeds draw different faults');
});

test('shards run apart and merged give exactly the files of the unsharded sweep', async () => {
  const whole = fresh('whole');
  assert.is((await cli('sweep', SCENARIO, '--runs', '7', '--workers', '2', '--out', whole)).status, 0);
  const shards = [0, 1, 2].map((i) => fresh(`shard${i}`));
  for (const [i, dir] of shards.entries()) {
    const { status, out } = await cli('sweep', SCENARIO, '--runs', '7', '--workers', '1', '--shard', `${i}/3`, '--out', dir);
    assert.is(status, 0);
    assert.match(out, new RegExp(`shard ${i}/3 of 7`));
  }
  assert.is(readSweep(shards[1]!).rows.length, 2, 'shard 1 of 3 takes seeds 2 and 3 of 0..6');
  const merged = fresh('merged');
  const { status } = await cli('merge', shards[2]!, shards[0]!, shards[1]!, '--out', merged);
  assert.is(status, 0);
  for (const file of SWEEP_FILES) assert.is(read(merged, file), read(whole, file), file);
});

test('merge refuses a missing shard, a shard given twice and shards of another sweep, naming each', async () => {
  const shards = [0, 1].map((i) => fresh(`part${i}`));
  for (const [i, dir] of shards.entries()) await cli('sweep', SCENARIO, '--runs', '2', '--workers', '1', '--shard', `${i}/2`, '--out', dir);
  const other = fresh('other');
  await cli('sweep', SCENARIO, '--runs', '2', '--workers', '1', '--shard', '1/2', '--seed', '99', '--out', other);
  const problems = (dirs: string[]) => problemsOf(() => mergeSweeps(dirs)).map((p) => p.slice(p.indexOf(': ') + 2).replace('; expected ', ' / ').replace(': found ', ': '));
  assert.equal(problems([shards[0]!]), [': 1 of 2 shards / every shard: 1/2 missing']);
  assert.match(problems([shards[0]!, shards[0]!]).join('\n'), /shard.index: 0 \/ a shard not given twice/);
  assert.match(problems([shards[0]!, other]).join('\n'), /firstSeed: 99 \/ 40, as in/);
  const { status, err } = await cli('merge', join(root, 'nowhere'), '--out', fresh('x'));
  assert.is(status, 2);
  assert.match(err, /nowhere\/sweep.json: found no such file; expected a folder written by cmk-sim sweep/);
});

/** A copy of a sweep folder with one cell of runs.csv replaced: data row `row` (1 is the first after the header), column `name`. */
function withCell(dir: string, row: number, name: string, value: string): string {
  const copy = fresh('edited');
  cpSync(dir, copy, { recursive: true });
  const lines = read(copy, 'runs.csv').split('\n');
  const cells = lines[row]!.split(',');
  cells[RUN_COLUMNS.indexOf(name)] = value;
  lines[row] = cells.join(',');
  writeFileSync(join(copy, 'runs.csv'), lines.join('\n'));
  return copy;
}

const cleanSweep = (async () => {
  const dir = fresh('clean');
  await cli('sweep', SCENARIO, '--runs', '4', '--workers', '1', '--out', dir);
  return dir;
})();

test('merge checks every cell of runs.csv against its metric and names the file, row and column', async () => {
  const dir = await cleanSweep;
  const cases: [string, string, RegExp][] = [
    ['anyRecordLost', '7', /expected 0 or 1/],
    ['droppedRecords', '-5', /expected a whole number, 0 or more, in decimal digits/],
    ['faultsDrawn', '0x10', /expected a whole number, 0 or more, in decimal digits/],
    ['offeredRecords', '1e3', /expected a whole number, 0 or more, in decimal digits/],
    ['queryAvailability', '1.5', /expected a fraction from 0 to 1/],
    ['queryGoodMinutes', 'NaN', /expected a fraction from 0 to 1/],
    ['errorBudgetUsed', 'Infinity', /expected a finite number, 0 or more/],
    ['serviceCreditPercent', '101', /expected a percentage from 0 to 100/],
    ['queryUnavailableMs', '', /expected whole milliseconds, 0 or more/],
    ['longestUnavailableMs', '1.5', /expected whole milliseconds, 0 or more/],
  ];
  for (const [name, bad, expected] of cases) {
    const edited = withCell(dir, 3, name, bad);
    const problems = problemsOf(() => readSweep(edited));
    assert.is(problems.length, 1, `${name}=${bad}: ${problems.join('\n')}`);
    assert.ok(problems[0]!.startsWith(`${join(edited, 'runs.csv')}: row 4, column ${name}: found ${JSON.stringify(bad)}; `), problems[0]);
    assert.match(problems[0]!, expected);
    const { status, err } = await cli('merge', edited, '--out', fresh('never'));
    assert.is(status, 2, `merge exits 2 on ${name}=${bad}`);
    assert.match(err, new RegExp(`runs.csv: row 4, column ${name}: found`));
  }
});

test('merge refuses a row whose metrics contradict each other (anyRecordLost 1 with no record dropped)', async () => {
  const dir = await cleanSweep;
  const lost = readSweep(dir).rows.findIndex((r) => valueOf(r, 'droppedRecords') === 0);
  assert.ok(lost >= 0, 'a run that lost nothing');
  const problems = problemsOf(() => readSweep(withCell(dir, lost + 1, 'anyRecordLost', '1')));
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, new RegExp(`row ${lost + 2}: found metrics that contradict each other; expected a row as a sweep writes it: anyRecordLost is 1 exactly when droppedRecords is above 0`));
});

test("merge takes the seeds of runs.csv to be exactly sweep.json's block, in order, each once", async () => {
  const dir = await cleanSweep;
  const lines = read(dir, 'runs.csv').split('\n');
  const rewrite = (rows: string[]) => {
    const copy = fresh('seeds');
    cpSync(dir, copy, { recursive: true });
    writeFileSync(join(copy, 'runs.csv'), [lines[0], ...rows, ''].join('\n'));
    return copy;
  };
  const [a, b, c, d] = lines.slice(1, 5) as [string, string, string, string];
  assert.match(problemsOf(() => readSweep(rewrite([a, c, b, d]))).join('\n'), /row 3, column seed: found "42"; expected 41: seeds 40 to 43, in order, each once/);
  assert.match(problemsOf(() => readSweep(rewrite([a, a, c, d]))).join('\n'), /row 3, column seed: found "40"; expected 41/);
  assert.match(problemsOf(() => readSweep(rewrite([a, b, c]))).join('\n'), /runs.csv: : found 3 rows; expected 4, one per run of sweep.json \(seeds 40 to 43\)/);
  assert.match(problemsOf(() => readSweep(rewrite([a, b, c, d, d]))).join('\n'), /row 6: found a row past the last run; expected 4 rows/);
});

test('a sweep.json with wrong types is reported field by field against sweep.json, never against runs.csv', async () => {
  const dir = await cleanSweep;
  const copy = fresh('manifest');
  cpSync(dir, copy, { recursive: true });
  const manifest = JSON.parse(read(dir, 'sweep.json'));
  writeFileSync(join(copy, 'sweep.json'), JSON.stringify({ ...manifest, firstSeed: '40', runs: -1, shard: '1/2', profile: 2020, extra: true, scenarioDigest: undefined }));
  const problems = problemsOf(() => readSweep(copy));
  const file = join(copy, 'sweep.json');
  assert.equal(problems.sort(), [
    `${file}: extra: found true; expected no such field (the fields are scenario, scenarioDigest, profile, version, firstSeed, runs, shard, grid)`,
    `${file}: firstSeed: found "40"; expected a whole number, 0 or more`,
    `${file}: profile: found 2020; expected one of 2020-11, 2021-07, 2023-06, 2024-01, 2026-04`,
    `${file}: runs: found -1; expected a whole number of runs from 1 to 500,000 (every row is kept in memory)`,
    `${file}: scenarioDigest: found nothing; expected a field written by cmk-sim sweep`,
    `${file}: shard: found "1/2"; expected null, or {"index": i, "count": n}`,
  ]);
  writeFileSync(join(copy, 'sweep.json'), JSON.stringify({ ...manifest, shard: { index: 2, count: 2 } }));
  assert.equal(problemsOf(() => readSweep(copy)), [`${file}: shard.index: found 2; expected a whole number from 0 to 1 (shard.count - 1)`]);
  writeFileSync(join(copy, 'sweep.json'), '[1, 2]');
  assert.equal(problemsOf(() => readSweep(copy)), [`${file}: : found [1,2]; expected an object with the manifest fields written by cmk-sim sweep`]);
});

test('bad sweep options are reported together, exit 2, and nothing is written', async () => {
  const dir = fresh('bad');
  const { status, err } = await cli('sweep', SCENARIO, '--runs', '0', '--workers', '0', '--shard', '2/2', '--out', dir);
  assert.is(status, 2);
  assert.match(err, /--runs: found 0; expected a whole number of runs from 1 to 500,000/);
  assert.match(err, /--workers: found 0/);
  assert.match(err, /--shard: found "2\/2"; expected i\/n with n at least 1 and i from 0 to n-1/);
  assert.not.ok(existsSync(dir));
});

test('the progress bar shows on a terminal only', () => {
  const args = ['--import', 'tsx', 'sim/cli.ts', 'sweep', SCENARIO, '--runs', '2', '--workers', '1'];
  const piped = spawnSync(process.execPath, [...args, '--out', fresh('piped')], { encoding: 'utf8' });
  assert.is(piped.status, 0, piped.stderr);
  assert.is(piped.stderr, '', 'no bar when stderr is not a terminal');
  // script(1) runs the command on a pseudo-terminal.
  const command = [process.execPath, ...args, '--out', fresh('tty')].map((a) => `'${a}'`).join(' ');
  const tty = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8' });
  assert.is(tty.status, 0, tty.stdout);
  assert.match(tty.stdout, /sweep \|.*\| 2\/2 runs/);
});

test.run();
