// Property-based tests of the revocation rules (fast-check, fixed seed;
// FC_SEED and FC_RUNS override, `npm run test:long` runs many more).

import * as fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseScenario } from '../scenarios/load.ts';
import { arbitraries, type ScenarioData } from '../sim/arbitraries.ts';
import { BROKEN_RULES } from '../sim/azure/profiles.ts';
import { explore } from '../sim/explore.ts';
import { RULES } from '../sim/observe/invariants.ts';
import type { RunResult } from '../sim/result.ts';
import { runScenario } from '../sim/world.ts';

const SEED = Number(process.env.FC_SEED ?? 20261128);
const RUNS = Number(process.env.FC_RUNS ?? 40);
console.log(`properties: fast-check seed ${SEED}, ${RUNS} runs (FC_SEED / FC_RUNS to change)`);

const { scenario } = arbitraries(fc);
const run = (data: ScenarioData): RunResult => runScenario(parseScenario(JSON.stringify(data), 'generated', 'json'));

// Each rule as a property over the same generated scenarios: run once, judged rule by rule.
const sample = fc.sample(scenario({ maxHours: 48 }), { seed: SEED, numRuns: RUNS }).map((data) => ({ data, result: run(data) }));

for (const { rule, name, text } of RULES.filter((r) => r.rule <= 10)) {
  test(`rule ${rule} (${name}) holds in ${RUNS} generated scenarios: ${text}`, () => {
    for (const { data, result } of sample) {
      const broken = result.invariants.violations.filter((v) => v.rule === rule);
      assert.is(broken.length, 0, `${broken.map((v) => v.message).join('\n')}\nscenario: ${JSON.stringify(data)}`);
    }
    const checks = sample.reduce((n, { result }) => n + result.invariants.rules.find((r) => r.rule === rule)!.checks, 0);
    assert.ok(checks > 0, `rule ${rule} was never checked: the generated scenarios do not exercise it`);
  });
}

test('every documented rule holds for any generated scenario (fast-check shrinks a failure)', () => {
  fc.assert(
    fc.property(scenario({ maxHours: 24, maxActions: 6 }), (data) => run(data).invariants.violations.length === 0),
    { seed: SEED + 1, numRuns: Math.ceil(RUNS / 2) },
  );
});

test('rule 12: the same generated scenario and seed give the same result', () => {
  for (const { data, result } of sample.slice(0, 5)) assert.equal(run(data), result);
});

// A deliberately broken rule is found and shrunk to a scenario of a handful of actions that `run` replays with exit 1.
for (const brokenRule of BROKEN_RULES.filter((b) => b !== 'none')) {
  test(`explore finds the deliberately broken rule ${brokenRule}, shrinks it, and run replays it with exit 1`, async () => {
    const report = explore(fc, { runs: 300, seed: SEED, maxHours: 48, fixedParams: { brokenRule } });
    assert.ok(report.failure !== null, `explore did not catch ${brokenRule}`);
    const { failure } = report;
    assert.ok(failure.scenario.actions.length <= 3, `shrunk to ${failure.scenario.actions.length} actions`);
    const dir = mkdtempSync(join(tmpdir(), 'cmk-explore-'));
    try {
      const file = join(dir, 'counterexample.yaml');
      (await import('node:fs')).writeFileSync(file, failure.yaml);
      const { main } = await import('../sim/cli.ts');
      const out: string[] = [];
      const status = await main(['run', file, '--out', join(dir, 'out')], { out: (t) => out.push(t), err: (t) => out.push(t) });
      assert.is(status, 1, out.join('\n'));
      assert.ok(out.join('\n').includes(`rule ${failure.violations[0]!.rule} (`), out.join('\n'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test.run();
