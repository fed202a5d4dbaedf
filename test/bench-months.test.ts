// The month scenarios of bench/month-scenarios.ts: the committed month of
// 1,000 workspaces is exactly what the generator writes, and the two months of
// 10,000 it writes at bench time (not committed) load, as YAML and as JSON
// alike, pass the work budget and keep the documented shapes (1,000 per cluster is the documented limit of
// linked workspaces; two clusters per subscription per region).

import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MONTHS, monthJson, monthYaml } from '../bench/month-scenarios.ts';
import { parseScenario } from '../scenarios/load.ts';
import { DEFAULT_BUDGET, workProblems } from '../sim/work.ts';

test('bench/month-1000-workspaces.yaml is the generator\'s month of 1,000, byte for byte', () => {
  const month = MONTHS.find((m) => m.file === 'month-1000-workspaces.yaml')!;
  assert.is(monthYaml(month), readFileSync('bench/month-1000-workspaces.yaml', 'utf8'));
});

for (const month of MONTHS) {
  test(`${month.file}: ${month.workspaces} workspaces on ${month.clusters} cluster(s), loads and fits the default work budget`, () => {
    const scenario = parseScenario(monthYaml(month), month.file, 'yaml');
    assert.is(scenario.workspaces.length, month.workspaces);
    assert.is(scenario.clusters.length, month.clusters);
    assert.equal(workProblems(scenario, DEFAULT_BUDGET), []);
    const perCluster = new Map<string, number>();
    for (const ws of scenario.workspaces) perCluster.set(ws.cluster!, (perCluster.get(ws.cluster!) ?? 0) + 1);
    assert.equal([...perCluster.values()], Array(month.clusters).fill(month.workspaces / month.clusters));
    assert.equal(parseScenario(monthJson(month), month.file, 'json'), scenario, 'the JSON the bench also writes is the same scenario');
  });
}

test.run();
