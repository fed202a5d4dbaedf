// `expect:` metric paths are checked against the shape of sla.json before the
// run: a wrong one is bad input at expect[i].metric (exit 2, with "did you
// mean"), not a failed expectation found after the whole run.

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadScenario, parseScenario } from '../scenarios/load.ts';
import { metricPathProblems } from '../sim/result-shape.ts';
import { runScenario } from '../sim/world.ts';
import { cli } from './cli-helpers.ts';

const root = mkdtempSync(join(tmpdir(), 'cmk-sim-metric-paths-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

/** A scenario with two workspaces and a cluster of two storage accounts, expecting these metrics. */
function withMetrics(...metrics: string[]) {
  const data = {
    name: 'paths',
    duration: '1d',
    keyVaults: [{ name: 'kv1', keys: [{ name: 'cmk' }] }],
    clusters: [{ name: 'cl1', storageAccounts: 2, key: { vault: 'kv1', name: 'cmk' } }],
    workspaces: [{ name: 'ws-prod', cluster: 'cl1' }, { name: 'ws-dev' }],
    expect: metrics.map((metric) => ({ metric, atLeast: 0 })),
  };
  return parseScenario(JSON.stringify(data), 'paths.json', 'json');
}

function problemsOf(...metrics: string[]) {
  return metricPathProblems(withMetrics(...metrics));
}

/** Every path to a value in a JSON value: fields and [i] for each element down to numbers, texts, true/false and null, and .length of each list. */
function pathsOf(value: unknown, at = ''): string[] {
  if (Array.isArray(value)) return [`${at}.length`, ...value.flatMap((v, i) => pathsOf(v, `${at}[${i}]`))];
  if (typeof value !== 'object' || value === null) return at === '' ? [] : [at];
  return Object.entries(value).flatMap(([k, v]) => pathsOf(v, at === '' ? k : `${at}.${k}`));
}

test('every path of a real sla.json is a metric path the check accepts (built-ins with storage, deletes, linked storage and faults)', () => {
  for (const name of ['kv-outage-45m', 'provision-from-scratch', 'byos-saved-searches', 'delete-and-reuse-name', 'kv-outage-45m-random-faults', 'unlink-then-revoke']) {
    const scenario = loadScenario(name);
    const sla: unknown = JSON.parse(JSON.stringify(runScenario(scenario)));
    const paths = pathsOf(sla);
    const problems = metricPathProblems({ ...scenario, expect: paths.map((metric) => ({ metric, op: 'equals', value: 0 })) });
    assert.equal(problems.map((p) => p.found), [], `${name}: paths of its sla.json refused`);
  }
});

test('every metric path of the built-in scenarios is accepted', () => {
  for (const name of ['kv-outage-45m', 'byos-saved-searches', 'rotation-done-right', 'region-mismatch', 'unlink-then-revoke']) {
    assert.equal(metricPathProblems(loadScenario(name)), [], name);
  }
});

test('a mistyped field is bad input at expect[i].metric: the path found, a sla.json metric path expected, and did you mean the right one', () => {
  const [problem, ...rest] = problemsOf('totals.query.availability', 'totals.ingestion.dropedRecords');
  assert.equal(rest, []);
  assert.equal(problem, {
    file: 'paths.json',
    path: 'expect[1].metric',
    found: '"totals.ingestion.dropedRecords"',
    expected:
      'a sla.json metric path (totals.ingestion has no field dropedRecords: it has offeredRecords, storedCmkRecords, storedMmkRecords, bufferedRecords, replayedRecords, droppedRecords, droppedByReason); did you mean totals.ingestion.droppedRecords?',
  });
});

test('a path that skips a level is pointed at the path with the same field', () => {
  const [problem] = problemsOf('totals.droppedRecords');
  assert.match(problem!.expected, /\(totals has no field droppedRecords: it has ingestion, query, keyVault\); did you mean totals\.ingestion\.droppedRecords\?$/);
});

test('a hint keeps the index the path was written with', () => {
  assert.match(problemsOf('incidents[2].unavailbleAtMs')[0]!.expected, /did you mean incidents\[2\]\.unavailableAtMs\?$/);
  assert.match(problemsOf('operations.3.stauts')[0]!.expected, /did you mean operations\[3\]\.status\?$/);
});

test('workspace, cluster and storage-account names come from the scenario', () => {
  assert.equal(problemsOf('workspaces.ws-prod.ingestion.storedCmkRecords', 'workspaces.ws-dev.query.failed', 'clusters.cl1.provisioningState', 'storageAccounts.cl1/1.finalState', 'storageAccounts.shared/0.blocksSealed'), []);
  const [workspace, cluster, account] = problemsOf('workspaces.ws-prd.query.failed', 'clusters.cl2.settings', 'storageAccounts.cl1/2.incidents');
  assert.match(workspace!.expected, /\(workspaces is keyed by the scenario's workspaces: ws-prod, ws-dev\); did you mean workspaces\.ws-prod\.query\.failed\?$/);
  assert.match(cluster!.expected, /\(clusters is keyed by the scenario's clusters: cl1\); did you mean clusters\.cl1\.settings\?$/);
  assert.match(account!.expected, /\(storageAccounts is keyed by the scenario's storageAccounts: cl1\/0, cl1\/1, shared\/0\)/);
});

test('operations[i] is accepted for any i (the count is known only after the run), and .length on every list', () => {
  assert.equal(problemsOf('operations[0].status', 'operations[999].code', 'operations.length', 'incidents.length', 'faults.length', 'slo.queries.alerts[0].firings.length'), []);
});

test('a list needs an index, and a single value has nothing below it', () => {
  const [list, value] = problemsOf('incidents.kind', 'totals.query.availability.x');
  assert.match(list!.expected, /\(incidents is a list: incidents\[i\] or incidents\.length\); did you mean incidents\[0\]\.kind\?$/);
  assert.match(value!.expected, /\(totals\.query\.availability is a single value, with nothing below it\); did you mean totals\.query\.availability\?$/);
});

test('an object that may be null is a metric too (equals null asserts it is absent), and the events below highlights accept any field', () => {
  assert.equal(problemsOf('clusters.cl1.keyVaultProperties', 'clusters.cl1.settings', 'highlights.events[0].type', 'invariants.violations[0].events[1].untilMs'), []);
});

test('a path that ends at a mapping or a list, or an index past 2^53, is refused: an expectation compares one value', () => {
  const [mapping, list, huge] = problemsOf('totals', 'incidents', 'operations[99999999999999999999].status');
  assert.match(mapping!.expected, /\(totals is a mapping, not a value: a path to one of its values\)/);
  assert.match(list!.expected, /\(incidents is a list, not a value: incidents\[i\]\.<field> or incidents\.length\)/);
  assert.match(huge!.expected, /\(operations\[99999999999999999999\] is past any list's end: an index is at most 9007199254740991\)/);
});

test('a path nothing resembles gets no hint', () => {
  const [problem] = problemsOf('xyzzy');
  assert.ok(problem!.expected.startsWith('a sla.json metric path (sla.json has no field xyzzy: it has scenario, description,'), problem!.expected);
  assert.not.match(problem!.expected, /did you mean/);
});

function scenarioFile(name: string, metric: string): string {
  const path = join(root, `${name}.yaml`);
  writeFileSync(
    path,
    [
      `name: ${name}`,
      'duration: 1d',
      'keyVaults: [{ name: kv1, keys: [{ name: cmk }] }]',
      'clusters: [{ name: cl1, key: { vault: kv1, name: cmk } }]',
      'workspaces: [{ name: ws1, cluster: cl1 }]',
      'expect:',
      '  - { metric: totals.query.availability, atLeast: 0 }',
      `  - { metric: ${JSON.stringify(metric)}, equals: 0 }`,
      '',
    ].join('\n'),
  );
  return path;
}

test('validate reports a wrong metric path as bad input (exit 2) with did you mean', async () => {
  const file = scenarioFile('validate-typo', 'totals.ingestion.droppedRecord');
  const o = await cli('validate', file);
  assert.is(o.status, 2, o.err);
  assert.is(o.err, `${file}: expect[1].metric: found "totals.ingestion.droppedRecord"; expected a sla.json metric path (totals.ingestion has no field droppedRecord: it has offeredRecords, storedCmkRecords, storedMmkRecords, bufferedRecords, replayedRecords, droppedRecords, droppedByReason); did you mean totals.ingestion.droppedRecords?`);
});

test('run refuses a wrong metric path before running: exit 2, nothing printed on stdout, no output folder', async () => {
  const file = scenarioFile('run-typo', 'workspaces.ws2.query.failed');
  const out = join(root, 'run-typo-out');
  const o = await cli('run', file, '--out', out);
  assert.is(o.status, 2, o.err);
  assert.is(o.out, '');
  assert.match(o.err, /expect\[1\]\.metric: found "workspaces\.ws2\.query\.failed"; expected a sla\.json metric path \(workspaces is keyed by the scenario's workspaces: ws1\); did you mean workspaces\.ws1\.query\.failed\?$/);
  assert.not.ok(existsSync(out), 'the refused run created its output folder');
});

test('sweep refuses a wrong metric path before running too', async () => {
  const file = scenarioFile('sweep-typo', 'incidents[0].kinde');
  const out = join(root, 'sweep-typo-out');
  const o = await cli('sweep', file, '--runs', '2', '--workers', '1', '--out', out);
  assert.is(o.status, 2, o.err);
  assert.match(o.err, /did you mean incidents\[0\]\.kind\?$/);
  assert.not.ok(existsSync(out));
});

test.run();
