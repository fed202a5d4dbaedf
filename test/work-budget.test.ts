// Issue 11, item 6: accepted inputs that never finished. `validate`, `run`,
// `sweep` and `explore` estimate the work a scenario implies (sim/work.ts)
// and refuse what exceeds the budget before any work, naming the field that
// drives it, the figure and the budget; --max-cpu and --max-memory lift it;
// the fault processes' occurrences have a limit no flag lifts.

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { stringify as toYaml } from 'yaml';
import { listBuiltins, loadScenario, parseScenario } from '../scenarios/load.ts';
import { arbitraries, largestScenarios } from '../sim/arbitraries.ts';
import { DEFAULT_BUDGET, MAX_EXPECTED_FAULT_OCCURRENCES, estimateWork, workProblems } from '../sim/work.ts';
import { assertBadInput, cli, show, STATUS } from './cli-helpers.ts';

const SEED = Number(process.env.FC_SEED ?? 20261111);
const RUNS = Number(process.env.FC_RUNS ?? 300);

const root = mkdtempSync(join(tmpdir(), 'cmk-sim-work-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

const BASE = {
  name: 'work',
  duration: '30d',
  keyVaults: [{ name: 'kv1', keys: [{ name: 'cmk', kty: 'RSA' }] }],
  clusters: [{ name: 'cl1', storageAccounts: 2, key: { vault: 'kv1', name: 'cmk' } }],
  workspaces: [{ name: 'ws1', cluster: 'cl1', ingest: { gbPerDay: 10, recordsPerMinute: 100 }, query: { perHour: 10, lookback: '1h' } }],
};
let files = 0;
/** The scenario BASE with these top-level fields, written as a YAML file. */
function file(fields: Record<string, unknown>): string {
  const path = join(root, `scenario-${++files}.yaml`);
  writeFileSync(path, toYaml({ ...BASE, ...fields }));
  return path;
}
const freshOut = () => join(root, `out-${++files}`);

// ---- the cases: each refused by validate and run, nothing written -------------------

test('duration: 99999999d passes validate no more: validate and run exit 2 naming duration, and run writes nothing', async () => {
  const scenario = file({ duration: '99999999d' });
  assertBadInput(await cli('validate', scenario), `${scenario}: duration`);
  const out = freshOut();
  const o = await cli('run', scenario, '--out', out);
  assertBadInput(o, `${scenario}: duration`);
  assert.match(o.err, 'expected a duration of at most 1095d');
  assert.not.ok(existsSync(out));
});

test('a fault process with meanTimeBetween 1ms is refused before any draw, naming faults[0].meanTimeBetween and the occurrences it implies; no flag lifts it', async () => {
  const scenario = file({ faults: [{ process: 'keyVault.outage', vault: 'kv1', meanTimeBetween: '10s', duration: '1s' }, { process: 'keyVault.outage', vault: 'kv1', meanTimeBetween: '1ms', duration: '1s' }] });
  for (const args of [['validate', scenario], ['run', scenario, '--out', freshOut()], ['validate', scenario, '--max-cpu', '1000d', '--max-memory', '1000TiB']]) {
    const o = await cli(...args);
    assertBadInput(o, `${scenario}: faults[1].meanTimeBetween`);
    assert.match(o.err, 'about 2,592,000,000 occurrences on average in 30d');
    assert.match(o.err, `at most ${MAX_EXPECTED_FAULT_OCCURRENCES.toLocaleString('en-US')} fault occurrences on average in a run`);
    assert.match(o.err, 'no flag lifts this limit');
  }
});

test('querySampleInterval: 1ms is refused with the figure and the budget, and validate accepts it with --max-cpu at the figure it suggests', async () => {
  const scenario = file({ params: { querySampleInterval: '1ms' } });
  const o = await cli('validate', scenario);
  assertBadInput(o, `${scenario}: params.querySampleInterval`);
  assert.match(o.err, 'found 1ms, which makes about 2,592,000,000 sampled queries (30d / 1ms x 1 storage account,');
  assert.match(o.err, 'expected a run estimated to take at most 5m of CPU (the work budget; --max-cpu ');
  const suggested = /--max-cpu (\S+) runs it anyway/.exec(o.err)![1]!;
  const accepted = await cli('validate', scenario, '--max-cpu', suggested);
  assert.is(accepted.status, STATUS.ok, show(accepted));
});

test('a budget under a second and the cost past it are told apart in milliseconds, not both "under 1s"', async () => {
  const o = await cli('validate', file({ duration: '2h' }), '--max-cpu', '1ms');
  assert.is(o.status, STATUS.badInput, show(o));
  assert.match(o.err, /about \d+ms of CPU, of about \d+ms for the whole run; expected a run estimated to take at most 1ms of CPU/);
  assert.not.match(o.err, 'under 1s');
});

test('--param unwrapPollInterval=1ms..1ms is refused against --param, naming the unwrap polls it makes', async () => {
  const out = freshOut();
  const o = await cli('run', file({}), '--param', 'unwrapPollInterval=1ms..1ms', '--out', out);
  assertBadInput(o, '--param: unwrapPollInterval');
  assert.match(o.err, 'found 1ms..1ms, which makes about 5,184,000,000 unwrap polls (2 storage accounts x 30d / 1ms)');
  assert.not.ok(existsSync(out));
});

test('1 MiB block payloads every minute are refused for the memory they would hold, with --max-memory to lift it', async () => {
  const scenario = file({ params: { blockSlice: '1m', blockPayloadBytes: 1_048_576 }, workspaces: [{ ...BASE.workspaces[0], retentionDays: 90, ingest: { gbPerDay: 1000, recordsPerMinute: 100_000 } }] });
  const o = await cli('validate', scenario);
  assertBadInput(o, `${scenario}: params.blockSlice`);
  assert.match(o.err, 'of memory');
  assert.match(o.err, /--max-memory \d+GiB/);
});

test('sweep checks each run, and names the cell of a grid that is over the budget', async () => {
  const scenario = file({ duration: '1d' });
  const o = await cli('sweep', scenario, '--vary', 'querySampleInterval=1h,1ms', '--runs', '2', '--workers', '1', '--out', freshOut());
  assertBadInput(o, '--vary: querySampleInterval=1ms');
  assert.match(o.err, 'found params.querySampleInterval: 1ms, which makes about');
  const whole = await cli('sweep', file({ params: { querySampleInterval: '1ms' } }), '--runs', '2', '--workers', '1', '--out', freshOut());
  assertBadInput(whole, /params\.querySampleInterval: found 1ms/);
});

test('explore refuses fixed parameters that put its largest generated scenario over the budget', async () => {
  const o = await cli('explore', '--runs', '1', '--param', 'unwrapPollInterval=1ms..1ms', '--out', freshOut());
  assertBadInput(o, '--param: unwrapPollInterval');
  assert.match(o.err, '2 storage accounts x 33d / 1ms');
});

test('RSA key pairs are work too: 100 rotations of an RSA-4096 key are refused naming actions, 40 RSA-4096 keys naming keyVaults, before any key is generated', async () => {
  const rotations = file({ duration: '1h', keyVaults: [{ name: 'kv1', keys: [{ name: 'cmk', kty: 'RSA', size: 4096 }] }], actions: Array.from({ length: 100 }, (_, i) => ({ at: `${i + 1}s`, do: 'key.rotate', vault: 'kv1', key: 'cmk' })) });
  const rotated = await cli('validate', rotations, '--max-cpu', '1m');
  assertBadInput(rotated, /actions: found 100 key\.rotate actions, which makes about 101 RSA key pairs generated \(1 key version in keyVaults \+ 100 key\.rotates\): about 2m1s of CPU/);
  const keys = Array.from({ length: 40 }, (_, i) => ({ name: i === 0 ? 'cmk' : `k${i}`, kty: 'RSA', size: 4096 }));
  const many = await cli('validate', file({ duration: '1h', keyVaults: [{ name: 'kv1', keys }] }), '--max-cpu', '10s');
  assertBadInput(many, /keyVaults: found 40 RSA key versions, which makes about 40 RSA key pairs generated/);
  const estimate = estimateWork(parseScenario(JSON.stringify({ ...BASE, keyVaults: [{ name: 'kv1', keys: [{ name: 'cmk', kty: 'RSA', size: 2048 }, { name: 'aes', kty: 'oct-HSM' }] }] }), 's.json', 'json'));
  assert.is(estimate.terms.find((t) => t.what === 'RSA key pairs generated')!.cpuMs, 150, 'one RSA-2048 pair; the oct-HSM key is not one');
});

test('bad --max-cpu and --max-memory values are bad input, named by their flags', async () => {
  const o = await cli('run', file({}), '--max-cpu', '0s', '--max-memory', '12', '--out', freshOut());
  assertBadInput(o, '--max-cpu');
  assertBadInput(o, '--max-memory');
  assertBadInput(await cli('validate', file({}), '--max-cpu', 'soon'), '--max-cpu');
  assertBadInput(await cli('explore', '--max-memory', '-1GiB'), '--max-memory');
});

// ---- what passes -------------------------------------------------------------------------

test('bench/month-1000-workspaces.yaml passes comfortably: under a tenth of the CPU budget and a tenth of the memory budget', () => {
  const estimate = estimateWork(loadScenario('bench/month-1000-workspaces.yaml'));
  console.log(`work-budget: month-1000-workspaces estimated at ${Math.round(estimate.cpuMs / 1000)} s of CPU and ${Math.round(estimate.memoryBytes / 2 ** 20)} MiB`);
  assert.ok(estimate.cpuMs < DEFAULT_BUDGET.cpuMs / 10, `${estimate.cpuMs} ms`);
  assert.ok(estimate.memoryBytes < DEFAULT_BUDGET.memoryBytes / 10, `${estimate.memoryBytes} bytes`);
});

test('every built-in scenario is within the budget', () => {
  for (const builtin of listBuiltins()) assert.equal(workProblems(loadScenario(builtin.name), DEFAULT_BUDGET), [], builtin.name);
});

test(`every scenario explore generates implies no more work than its largest scenarios, which fit the budget (seed ${SEED}, ${RUNS} scenarios)`, () => {
  console.log(`work-budget: fast-check seed ${SEED}, ${RUNS} generated scenarios (FC_SEED and FC_RUNS change them)`);
  const largest = largestScenarios().map((data) => estimateWork(parseScenario(JSON.stringify(data), 'largest', 'json')));
  const most = { cpuMs: Math.max(...largest.map((e) => e.cpuMs)), memoryBytes: Math.max(...largest.map((e) => e.memoryBytes)) };
  assert.ok(most.cpuMs <= DEFAULT_BUDGET.cpuMs && most.memoryBytes <= DEFAULT_BUDGET.memoryBytes, JSON.stringify(most));
  fc.assert(
    fc.property(arbitraries(fc).scenario(), (data) => {
      const estimate = estimateWork(parseScenario(JSON.stringify(data), 'explore', 'json'));
      return estimate.cpuMs <= most.cpuMs && estimate.memoryBytes <= most.memoryBytes;
    }),
    { seed: SEED, numRuns: RUNS },
  );
});

test('the field named is the one that drives the work: the parameter when the scenario changed it, else the duration', () => {
  const changed = workProblems(parseScenario(JSON.stringify({ ...BASE, params: { blockSlice: '1m' } }), 's.json', 'json'), { cpuMs: 1000, memoryBytes: 2 ** 40 });
  assert.equal(changed.map((p) => p.path), ['params.blockSlice']);
  const long = workProblems(parseScenario(JSON.stringify({ ...BASE, duration: '1095d' }), 's.json', 'json'), { cpuMs: 1000, memoryBytes: 2 ** 40 });
  assert.ok(long.length > 0 && long.every((p) => p.path === 'duration'), JSON.stringify(long));
});

test.run();
