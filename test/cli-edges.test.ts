// Edges of the command line (README "Limits"): each is refused before any
// work with exit 2 and a problem naming the flag or the file, or handled;
// none is a crash, a stack trace or a silent no-op.

import { availableParallelism } from 'node:os';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_SWEEP_RUNS } from '../sim/sweep/plan.ts';
import { assertBadInput, assertNoStackTrace, cli, scratchFolder, show, SMALL_SCENARIO_TEXT, STATUS } from './cli-helpers.ts';

const { root, fresh, small: SMALL } = scratchFolder('cmk-sim-edges-', test.after);

// ---- sweep and merge sizes -------------------------------------------------------

test('sweep --runs 1000000000 is refused before any run: the most is 500,000 runs in all, because every row is kept in memory; 1e9 is not written in digits', async () => {
  const dir = fresh('huge');
  const o = await cli('sweep', SMALL, '--runs', '1000000000', '--out', dir);
  assertBadInput(o, '--runs');
  assert.ok(o.err.startsWith('--runs: found 1000000000; expected a whole number of runs from 1 to 500,000 (every row is kept in memory)'), o.err);
  // What was typed is what the message quotes.
  for (const typed of ['1e9', '0x10', 'Infinity', 'abc', '']) assert.ok((await cli('sweep', SMALL, '--runs', typed, '--out', dir)).err.startsWith(`--runs: found ${JSON.stringify(typed)}; expected`), typed);
  assert.is(MAX_SWEEP_RUNS, 500_000);
  assertBadInput(await cli('sweep', SMALL, '--runs', String(MAX_SWEEP_RUNS + 1), '--out', dir), '--runs');
});

/** A shard folder with this manifest and no runs.csv: a check that passes would read it and fail for its absence. */
function shardFolder(manifest: Record<string, unknown>): string {
  const dir = fresh('shard');
  mkdirSync(dir);
  writeFileSync(join(dir, 'sweep.json'), JSON.stringify({ scenario: 'small', scenarioDigest: `sha256:${'0'.repeat(64)}`, profile: '2020-11', version: '0.1.0', firstSeed: 1, runs: 2, shard: null, ...manifest }));
  return dir;
}

test('merge refuses a sweep.json claiming 10^9 runs before reading its rows (there are none to read)', async () => {
  const dir = shardFolder({ runs: 1e9 });
  const o = await cli('merge', dir, '--out', fresh('merged'));
  assertBadInput(o, `${join(dir, 'sweep.json')}: runs`);
  assert.match(o.err, /found 1000000000; expected a whole number of runs from 1 to 500,000/);
});

test('merge refuses a sweep.json whose first seed would take the last seed past Number.MAX_SAFE_INTEGER', async () => {
  const dir = shardFolder({ firstSeed: Number.MAX_SAFE_INTEGER });
  assertBadInput(await cli('merge', dir, '--out', fresh('merged')), `${join(dir, 'sweep.json')}: firstSeed`);
});

test('merge refuses a sweep.json whose run count disagrees with its rows', async () => {
  const dir = fresh('sweep');
  assert.is((await cli('sweep', SMALL, '--runs', '2', '--workers', '1', '--out', dir)).status, STATUS.ok);
  const manifest = JSON.parse(readFileSync(join(dir, 'sweep.json'), 'utf8')) as { runs: number };
  writeFileSync(join(dir, 'sweep.json'), JSON.stringify({ ...manifest, runs: 3 }));
  const o = await cli('merge', dir, '--out', fresh('merged'));
  assert.is(o.status, STATUS.badInput, show(o));
  assert.match(o.err, /runs\.csv: found 2 rows; expected 3, one per run of sweep\.json/);
});

test('--seed 9007199254740990 --runs 4 is refused before any run; 9007199254740988 is the largest first seed of 4 runs, and all 4 run', async () => {
  const o = await cli('sweep', SMALL, '--seed', '9007199254740990', '--runs', '4', '--workers', '1', '--out', fresh('past'));
  assertBadInput(o, '--seed');
  assert.match(o.err, /expected a whole number from 0 to 9007199254740988, so that the last of the 4 seeds is at most 9007199254740991/);
  const dir = fresh('largest');
  const ok = await cli('sweep', SMALL, '--seed', '9007199254740988', '--runs', '4', '--workers', '1', '--out', dir);
  assert.is(ok.status, STATUS.ok, show(ok));
  const seeds = readFileSync(join(dir, 'runs.csv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split(',')[0]);
  assert.equal(seeds, ['9007199254740988', '9007199254740989', '9007199254740990', '9007199254740991']);
});

test("a first seed from the file's seed: field that the runs would carry past the largest safe integer names the file's field", async () => {
  const file = join(root, 'late-seed.yaml');
  writeFileSync(file, `${SMALL_SCENARIO_TEXT}seed: ${Number.MAX_SAFE_INTEGER}\n`);
  assertBadInput(await cli('sweep', file, '--runs', '2', '--out', fresh('late')), `${file}: seed`);
});

test('--workers above the cores is cut to the cores, with a one-line notice on stderr', async () => {
  const cores = availableParallelism();
  const o = await cli('sweep', SMALL, '--runs', '2', '--workers', '100', '--out', fresh('workers'));
  assert.is(o.status, STATUS.ok, show(o));
  assert.is(o.err, `using ${cores} worker${cores === 1 ? '' : 's'}: this machine has ${cores} core${cores === 1 ? '' : 's'}`);
  const threads = Math.min(cores, 2);
  assert.match(o.out, new RegExp(`in [\\d.]+ s on ${threads} worker${threads === 1 ? '' : 's'}\\b`));
});

test('--shard -1/2 reaches the shard check instead of being read as flags', async () => {
  const o = await cli('sweep', SMALL, '--runs', '2', '--shard', '-1/2', '--out', fresh('shard'));
  assertBadInput(o, '--shard');
  assert.ok(o.err.startsWith('--shard: found "-1/2"; expected i/n with n at least 1 and i from 0 to n-1'), o.err);
  assertBadInput(await cli('run', SMALL, '--seed', '-5', '--out', fresh('seed')), '--seed');
});

test('--shard with more shards than runs is refused: a shard with no run would write an empty folder', async () => {
  const o = await cli('sweep', SMALL, '--runs', '2', '--shard', '1/5', '--out', fresh('shards'));
  assertBadInput(o, '--shard');
  assert.match(o.err, /expected at most as many shards as runs \(2\)/);
});

// ---- flags without their value -----------------------------------------------------

test('--param with no name=value after it is refused by run, sweep and explore, not ignored', async () => {
  for (const args of [['run', SMALL], ['sweep', SMALL, '--runs', '2'], ['explore', '--runs', '1']]) {
    const o = await cli(...args, '--param', '--out', fresh('param'));
    assertBadInput(o, '--param');
    assert.match(o.err, /^--param: found nothing; expected name=value after --param/m);
  }
});

test('a flag that takes a value, given last or before another flag, is refused naming it', async () => {
  for (const [args, flag] of [
    [['sweep', SMALL, '--runs'], '--runs'],
    [['sweep', SMALL, '--workers', '--runs', '2'], '--workers'],
    [['run', SMALL, '--seed'], '--seed'],
    [['run', SMALL, '--out'], '--out'],
    [['explore', '--path'], '--path'],
  ] as const) {
    const o = await cli(...args);
    assertBadInput(o, flag);
    assert.ok(o.err.startsWith(`${flag}: found nothing; expected a value after ${flag}`), o.err);
  }
});

// ---- explore --path ------------------------------------------------------------------

test('explore --path zzz is refused as a malformed path, not an internal error', async () => {
  const o = await cli('explore', '--path', 'zzz', '--out', fresh('path'));
  assertBadInput(o, '--path');
  assert.match(o.err, /expected the fast-check path an earlier explore printed: whole numbers separated by ":"/);
});

test('explore --path that replays no scenario is an error, not a silent pass', async () => {
  for (const path of ['1:2:999999', Array.from({ length: 999_999 }, (_, i) => i + 1).join(':')]) {
    const o = await cli('explore', '--runs', '5', '--path', path, '--out', fresh('path'));
    assertBadInput(o, '--path');
    assert.match(o.err, /which replays no scenario with seed 1; expected the path printed with this --seed/);
    assert.ok(o.err.length < 300, 'a long path is cut short in the message');
  }
});

// ---- nesting -------------------------------------------------------------------------

test('name: [[[...]]] 100,000 deep is refused as nesting deeper than 64 levels, in YAML and in JSON, without a stack overflow', async () => {
  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  const yaml = join(root, 'deep.yaml');
  writeFileSync(yaml, `name: ${deep}\nduration: 1h\n`);
  const json = join(root, 'deep.json');
  writeFileSync(json, `{"name": ${deep}, "duration": "1h"}`);
  for (const file of [yaml, json]) {
    for (const command of ['validate', 'run']) {
      const o = await cli(command, file);
      assertBadInput(o, file);
      assertNoStackTrace(o);
      assert.match(o.err, /found nesting deeper than 64 levels.*; expected lists and mappings nested at most 64 levels deep/);
    }
  }
  const o = await cli('validate', json);
  assert.ok(o.err.startsWith(`${json}: name: found nesting deeper than 64 levels`), 'the JSON problem names the field');
});

test.run();
