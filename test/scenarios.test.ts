// The built-in scenarios: exactly the ones the issues name, each described,
// each with expectations, each running with every expectation holding and
// with records and queries accounted for exactly (INTERFACE.md, "Meanings").

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { listBuiltins, loadScenario } from '../scenarios/load.ts';
import type { IngestionTotals, QueryTotals, RunResult } from '../sim/result.ts';
import { runScenario } from '../sim/world.ts';

const EXPECTED_BUILTINS = [
  'healthy-baseline',
  'kv-transient-blips',
  'kv-outage-20m',
  'kv-outage-45m',
  'kv-outage-45m-random-faults',
  'outage-vs-buffer-age',
  'kv-outage-8h',
  'key-disabled-and-restored',
  'access-policy-removed',
  'rotation-done-right',
  'rotation-old-version-disabled-first',
  'identity-none',
  'provision-from-scratch',
  'link-before-provisioned',
  'link-limit-reached',
  'region-mismatch',
  'vault-not-recoverable',
  'missing-get-permission',
  'update-during-operation',
  'delete-and-reuse-name',
  'cluster-deleted-during-outage',
  'unlink-then-revoke',
  'byos-saved-searches',
  'outage-2h-2020-11',
  'outage-2h-2023-06',
  'denial-then-short-outage',
  'denial-then-long-outage',
  'revoked-past-retention',
  'outage-while-resuming',
  'deleted-key-purged-after-retention',
  'auto-rotation-disable-old-too-soon',
  'kill-switch-during-outage-2026-04',
  'policy-rewritten-behind-network-2026-04',
  'capacity-tiers-and-commitment',
  'unlink-query-storage',
  'expired-key-blocks-update',
  'rbac-role-removed',
  'user-assigned-identity-key-at-create',
  'identity-type-switch',
  'identity-none-despite-switching-2026-04',
  'hot-cache-reload-after-access',
  'recently-queried-then-revoked',
  'auxiliary-tables-under-microsoft-keys',
  'cluster-quota-2023-06',
  'deleted-key-recovered',
  'lockbox-requests',
  'double-encryption-unsupported-region',
];

/** Every broken accounting rule of one ingestion block, as sentences (empty when all hold). */
function ingestionProblems(where: string, ing: IngestionTotals): string[] {
  const problems: string[] = [];
  const accounted = ing.storedCmkRecords + ing.storedMmkRecords + ing.bufferedRecords + ing.droppedRecords;
  if (ing.offeredRecords !== accounted) {
    problems.push(
      `${where}: offeredRecords ${ing.offeredRecords} != storedCmk ${ing.storedCmkRecords} + storedMmk ${ing.storedMmkRecords} + buffered ${ing.bufferedRecords} + dropped ${ing.droppedRecords} (= ${accounted})`,
    );
  }
  const reasons = Object.values(ing.droppedByReason).reduce((sum, n) => sum + n, 0);
  if (reasons !== ing.droppedRecords) {
    problems.push(`${where}: droppedByReason ${JSON.stringify(ing.droppedByReason)} sums to ${reasons}, droppedRecords is ${ing.droppedRecords}`);
  }
  for (const [field, value] of Object.entries(ing)) {
    const values: unknown[] = typeof value === 'number' ? [value] : Object.values(value as Record<string, unknown>);
    if (!values.every((n) => Number.isSafeInteger(n) && (n as number) >= 0)) problems.push(`${where}: ${field} is ${JSON.stringify(value)}, not whole non-negative counts`);
  }
  if (ing.replayedRecords > ing.storedCmkRecords) {
    problems.push(`${where}: replayedRecords ${ing.replayedRecords} > storedCmkRecords ${ing.storedCmkRecords} (replayed records are counted as stored under CMK)`);
  }
  return problems;
}

function queryProblems(where: string, q: QueryTotals): string[] {
  const problems: string[] = [];
  const wanted = q.attempted === 0 ? 1 : q.succeeded / q.attempted;
  if (Math.abs(q.availability - wanted) > 1e-12) problems.push(`${where}: availability ${q.availability} != succeeded/attempted ${q.succeeded}/${q.attempted} = ${wanted}`);
  if (q.succeeded + q.failed !== q.attempted) problems.push(`${where}: succeeded ${q.succeeded} + failed ${q.failed} != attempted ${q.attempted}`);
  return problems;
}

function accountingProblems(result: RunResult): string[] {
  const problems = [...ingestionProblems('totals.ingestion', result.totals.ingestion), ...queryProblems('totals.query', result.totals.query)];
  const names = Object.keys(result.workspaces);
  if (names.length === 0) problems.push('workspaces: none in the result');
  const sum: Record<string, number> = {};
  for (const name of names) {
    const ws = result.workspaces[name]!;
    problems.push(...ingestionProblems(`workspaces.${name}.ingestion`, ws.ingestion), ...queryProblems(`workspaces.${name}.query`, ws.query));
    for (const field of ['offeredRecords', 'storedCmkRecords', 'storedMmkRecords', 'bufferedRecords', 'droppedRecords', 'replayedRecords'] as const) {
      sum[field] = (sum[field] ?? 0) + ws.ingestion[field];
    }
  }
  // The totals are the workspaces added up.
  for (const [field, total] of Object.entries(sum)) {
    const reported = result.totals.ingestion[field as keyof typeof sum & keyof IngestionTotals];
    if (reported !== total) problems.push(`totals.ingestion.${field} ${String(reported)} != the workspaces' sum ${total}`);
  }
  if (result.slo.availability !== result.totals.query.availability) {
    problems.push(`slo.availability ${result.slo.availability} != totals.query.availability ${result.totals.query.availability}`);
  }
  return problems;
}

test('there are exactly the built-in scenarios the issues name, each with a description', () => {
  const builtins = listBuiltins();
  assert.equal(builtins.map((b) => b.name), [...EXPECTED_BUILTINS].sort());
  for (const b of builtins) assert.ok(b.description.trim() !== '', `${b.name} has no description`);
});

test('every built-in scenario loads, under its own name, with a description and at least one expectation', () => {
  for (const name of EXPECTED_BUILTINS) {
    const scenario = loadScenario(name);
    assert.is(scenario.name, name, `the file ${name}.yaml calls itself ${scenario.name}`);
    assert.ok(scenario.description.trim() !== '', `${name}: empty description`);
    assert.ok(scenario.expect.length >= 1, `${name}: no expectations`);
  }
});

for (const name of EXPECTED_BUILTINS) {
  test(`built-in ${name} runs, every expectation holds, and every record and query is accounted for`, () => {
    const scenario = loadScenario(name);
    const result = runScenario(scenario);
    assert.is(result.scenario, name);
    assert.is(result.seed, scenario.seed);
    assert.is(result.expectations.length, scenario.expect.length, `${name}: ${scenario.expect.length} expectations in the file, ${result.expectations.length} checked`);
    const failed = result.expectations.filter((e) => !e.pass);
    assert.ok(
      failed.length === 0,
      `${name}: ${failed.length} of ${result.expectations.length} expectations failed:\n` +
        failed.map((e) => `  ${e.metric} ${e.op} ${JSON.stringify(e.value)}: actual ${JSON.stringify(e.actual)}`).join('\n'),
    );
    assert.equal(result.invariants.violations, [], `${name}: invariant violations`);
    const problems = accountingProblems(result);
    assert.ok(problems.length === 0, `${name}: accounting broken:\n  ${problems.join('\n  ')}`);
  });
}

test.run();
