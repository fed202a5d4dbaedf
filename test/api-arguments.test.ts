// The library checks what a caller passes as the command line checks its
// flags (hostile-input audit, 2026-12-01): an InputError naming the function
// and the argument, never a TypeError from inside, and never a sweep the
// command line and merge would refuse.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError, loadScenario, mergeSweeps, parseScenario, runScenario, runSweep } from '../sim/index.ts';

const scenario = loadScenario('kv-outage-20m');

/** The problems of a call that must be refused, as "function: path: found ...". */
async function refused(call: () => unknown): Promise<string[]> {
  try {
    await call();
  } catch (error) {
    assert.instance(error, InputError, String(error));
    return (error as InputError).problems.map((p) => `${p.file}: ${p.path}: found ${p.found}`);
  }
  assert.unreachable('accepted');
  return [];
}

test('runSweep refuses the runs, first seed, shard and workers the command line refuses, before any run', async () => {
  const options = { runs: 2, firstSeed: 1, shard: null, workers: 1 };
  assert.equal(await refused(() => runSweep(scenario, { ...options, runs: -1 })), ['runSweep: options.runs: found -1']);
  assert.equal(await refused(() => runSweep(scenario, { ...options, runs: 2.5 })), ['runSweep: options.runs: found 2.5']);
  assert.equal(await refused(() => runSweep(scenario, { ...options, firstSeed: -5 })), ['runSweep: options.firstSeed: found -5']);
  assert.equal(await refused(() => runSweep(scenario, { ...options, shard: { index: 5, count: 2 } })), ['runSweep: options.shard: found {"index":5,"count":2}']);
  assert.equal(await refused(() => runSweep(scenario, { ...options, workers: 0 })), ['runSweep: options.workers: found 0']);
  assert.equal(await refused(() => runSweep(scenario, {} as never)), ['runSweep: options.runs: found nothing', 'runSweep: options.shard: found nothing', 'runSweep: options.workers: found nothing']);
  assert.is((await runSweep(scenario, options)).rows.length, 2, 'the same options, well formed, run');
});

test('runScenario, loadScenario, parseScenario and mergeSweeps name a wrong argument instead of failing inside', async () => {
  assert.equal(await refused(() => runScenario(null as never)), ['runScenario: scenario: found null']);
  assert.equal(await refused(() => runScenario('kv-outage-45m' as never)), ['runScenario: scenario: found "kv-outage-45m"']);
  assert.equal(await refused(() => runScenario(scenario, { onEvent: 42 as never })), ['runScenario: options.onEvent: found 42']);
  assert.equal(await refused(() => loadScenario({ name: 'x' } as never)), ['loadScenario: nameOrPath: found {"name":"x"}']);
  assert.equal(await refused(() => loadScenario('kv-outage-45m', { params: 'delayMode=worst' as never })), ['loadScenario: options.params: found "delayMode=worst"']);
  assert.equal(await refused(() => loadScenario('kv-outage-45m', { params: [42] as never })), ['loadScenario: options.params: found [42]']);
  assert.equal(await refused(() => parseScenario({ name: 'x' } as never, 'x.yaml', 'yaml')), ['parseScenario: text: found {"name":"x"}']);
  assert.equal(await refused(() => parseScenario('name: x', 'x.yaml', 'toml' as never)), ['parseScenario: format: found "toml"']);
  assert.equal(await refused(() => mergeSweeps([])), ['mergeSweeps: dirs: found []']);
});

test.run();
