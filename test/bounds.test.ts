// Issue 11, item 5: every number a scenario holds has an upper bound
// (sim/limits.ts), chosen so that every total stays an exact integer. The
// arithmetic below is done on the bounds themselves, imported from the code,
// so a bound raised past exactness fails here; the loader and the JSON Schema
// refuse what lies past each bound; and the largest scenario the bounds
// allow runs with its totals exact.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { stringify as toYaml } from 'yaml';
import { parseScenario } from '../scenarios/load.ts';
import { PARAM_NAMES, PARAM_SPECS } from '../sim/azure/profiles.ts';
import { MS_PER_HOUR, MS_PER_MINUTE, formatDuration } from '../sim/engine/duration.ts';
import { RandomStreams } from '../sim/engine/random.ts';
import { drawFaults, sampleDuration } from '../sim/faults.ts';
import { InputError } from '../sim/input-error.ts';
import {
  MAX_AUXILIARY_RECORDS_PER_MINUTE,
  MAX_CAPACITY_GB_PER_DAY,
  MAX_DURATION_MS,
  MAX_FAULT_OCCURRENCES,
  MAX_GB_PER_DAY,
  MAX_LIMIT_PER_10S,
  MAX_QUERIES_PER_HOUR,
  MAX_RECORDS_PER_MINUTE,
  MAX_SAVED_SEARCHES,
  MAX_WORKSPACES,
} from '../sim/limits.ts';
import type { FaultProcess } from '../sim/scenario.ts';
import { runScenario } from '../sim/world.ts';
import { assertBadInput, cli } from './cli-helpers.ts';

const SAFE = Number.MAX_SAFE_INTEGER;
const root = mkdtempSync(join(tmpdir(), 'cmk-sim-bounds-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

const BASE = {
  name: 'bounds',
  duration: '1d',
  keyVaults: [{ name: 'kv1', keys: [{ name: 'cmk', kty: 'RSA' }] }],
  clusters: [{ name: 'cl1', storageAccounts: 1, key: { vault: 'kv1', name: 'cmk' } }],
  workspaces: [{ name: 'ws1', cluster: 'cl1', ingest: { gbPerDay: 10, recordsPerMinute: 10 }, query: { perHour: 10, lookback: '1h' } }],
};
type Data = typeof BASE & Record<string, unknown>;
const withData = (change: (d: Data) => void): Data => {
  const data = structuredClone(BASE) as Data;
  change(data);
  return data;
};

/** The loader's problems for this data, as "path: expected" lines; [] when it loads. */
function problems(data: unknown): string[] {
  try {
    parseScenario(JSON.stringify(data), 'test.json', 'json');
    return [];
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return error.problems.map((p) => `${p.path}: ${p.expected}`);
  }
}

// ---- the cases --------------------------------------------------------------

test('a workspace with 1e308 queries per hour is refused (exit 2), naming the field, and nothing is written, where it printed "NaN % available" and exited 0', async () => {
  const file = join(root, 'nan.yaml');
  writeFileSync(file, toYaml(withData((d) => (d.workspaces[0]!.query.perHour = 1e308))));
  const out = join(root, 'nan-out');
  const o = await cli('run', file, '--out', out);
  assertBadInput(o, `${file}: workspaces[0].query.perHour`);
  assert.match(o.err, `expected a number of queries per hour, from 0 to ${MAX_QUERIES_PER_HOUR}`);
  assert.not.ok(existsSync(out), 'an output folder was written');
});

test('recordsPerMinute 9007199254740991 is refused (exit 2), naming the field and the largest accepted', async () => {
  const file = join(root, 'records.yaml');
  writeFileSync(file, toYaml(withData((d) => (d.workspaces[0]!.ingest.recordsPerMinute = 9007199254740991))));
  const o = await cli('validate', file);
  assertBadInput(o, `${file}: workspaces[0].ingest.recordsPerMinute`);
  assert.match(o.err, `from 0 to ${MAX_RECORDS_PER_MINUTE}`);
});

// ---- every bound, in the loader and in the JSON Schema ------------------------------------

/** A field, the largest value it takes, and the next one up. */
const BOUNDED: { path: string; set: (d: Data, v: unknown) => void; largest: unknown; past: unknown }[] = [
  { path: 'duration', set: (d, v) => (d.duration = v as string), largest: formatDuration(MAX_DURATION_MS), past: formatDuration(MAX_DURATION_MS + 1) },
  { path: 'workspaces[0].ingest.recordsPerMinute', set: (d, v) => (d.workspaces[0]!.ingest.recordsPerMinute = v as number), largest: MAX_RECORDS_PER_MINUTE, past: MAX_RECORDS_PER_MINUTE + 1 },
  { path: 'workspaces[0].ingest.gbPerDay', set: (d, v) => (d.workspaces[0]!.ingest.gbPerDay = v as number), largest: MAX_GB_PER_DAY, past: MAX_GB_PER_DAY + 0.5 },
  { path: 'workspaces[0].query.perHour', set: (d, v) => (d.workspaces[0]!.query.perHour = v as number), largest: MAX_QUERIES_PER_HOUR, past: MAX_QUERIES_PER_HOUR + 0.5 },
  { path: 'workspaces[0].query.lookback', set: (d, v) => (d.workspaces[0]!.query.lookback = v as string), largest: formatDuration(MAX_DURATION_MS), past: 'P1096D' },
  { path: 'workspaces[0].savedSearches', set: (d, v) => ((d.workspaces[0] as Record<string, unknown>).savedSearches = v), largest: MAX_SAVED_SEARCHES, past: MAX_SAVED_SEARCHES + 1 },
  { path: 'clusters[0].capacityGBPerDay', set: (d, v) => ((d.clusters[0] as Record<string, unknown>).capacityGBPerDay = v), largest: MAX_CAPACITY_GB_PER_DAY, past: MAX_CAPACITY_GB_PER_DAY + 1 },
  { path: 'actions[0].for', set: (d, v) => (d.actions = [{ at: '1h', do: 'keyVault.outage', vault: 'kv1', for: v }]), largest: formatDuration(MAX_DURATION_MS), past: `${MAX_DURATION_MS + 1}ms` },
  { path: 'actions[0].limitPer10s', set: (d, v) => (d.actions = [{ at: '1h', do: 'keyVault.throttle', vault: 'kv1', for: '1h', limitPer10s: v }]), largest: MAX_LIMIT_PER_10S, past: MAX_LIMIT_PER_10S + 1 },
  { path: 'actions[0].body.sku.capacity', set: (d, v) => (d.actions = [{ at: '1h', do: 'cluster.update', cluster: 'cl1', body: { sku: { name: 'CapacityReservation', capacity: v } } }]), largest: MAX_CAPACITY_GB_PER_DAY, past: MAX_CAPACITY_GB_PER_DAY + 1 },
  { path: 'actions[0].ingest.recordsPerMinute', set: (d, v) => (d.actions = [{ at: '1h', do: 'workspace.setIngest', workspace: 'ws1', ingest: { recordsPerMinute: v } }]), largest: MAX_RECORDS_PER_MINUTE, past: MAX_RECORDS_PER_MINUTE + 1 },
  { path: 'faults[0].meanTimeBetween', set: (d, v) => (d.faults = [{ process: 'keyVault.outage', vault: 'kv1', meanTimeBetween: v, duration: '1m' }]), largest: formatDuration(MAX_DURATION_MS), past: formatDuration(MAX_DURATION_MS + 1000) },
  { path: 'faults[0].duration.uniform', set: (d, v) => (d.faults = [{ process: 'keyVault.outage', vault: 'kv1', meanTimeBetween: '1d', duration: { uniform: `1m..${v}` } }]), largest: formatDuration(MAX_DURATION_MS), past: formatDuration(MAX_DURATION_MS + 1) },
  { path: 'params.unwrapPollInterval', set: (d, v) => (d.params = { unwrapPollInterval: `6s..${v}` }), largest: formatDuration(MAX_DURATION_MS), past: formatDuration(MAX_DURATION_MS + 1) },
];

for (const { path, set, largest, past } of BOUNDED) {
  test(`${path} takes ${JSON.stringify(largest)} and refuses ${JSON.stringify(past)}, naming the bound`, () => {
    assert.equal(problems(withData((d) => set(d, largest))), []);
    const found = problems(withData((d) => set(d, past)));
    assert.ok(found.some((line) => line.startsWith(`${path}: `) && /at most|from \d+ to \d+/.test(line)), found.join('\n'));
  });
}

test('every duration parameter refuses more than 1095d, and every whole-number parameter has its largest value', () => {
  for (const name of PARAM_NAMES) {
    const kind = PARAM_SPECS[name].kind;
    if (kind.type === 'duration') {
      const found = problems(withData((d) => (d.params = { [name]: formatDuration(MAX_DURATION_MS + MS_PER_MINUTE) })));
      assert.ok(found.some((line) => line.startsWith(`params.${name}: a duration of at most 1095d`)), `${name}: ${found.join('\n')}`);
    }
    if (kind.type === 'integer') {
      assert.ok(Number.isSafeInteger(kind.max), name);
      assert.ok(problems(withData((d) => (d.params = { [name]: kind.max + 1 }))).some((line) => line.startsWith(`params.${name}: `)), name);
    }
  }
});

test(`a scenario of ${MAX_WORKSPACES} workspaces loads; one more is refused at workspaces`, () => {
  const many = (n: number) => withData((d) => (d.workspaces = Array.from({ length: n }, (_, i) => ({ ...BASE.workspaces[0]!, name: `ws${i}`, cluster: undefined as unknown as string }))));
  assert.equal(problems(many(MAX_WORKSPACES)), []);
  assert.equal(problems(many(MAX_WORKSPACES + 1)), [`workspaces: at most ${MAX_WORKSPACES} workspaces`]);
});

test('the JSON Schema carries the same maxima as the loader', () => {
  const schema = JSON.parse(readFileSync(new URL('../scenarios/scenario.schema.json', import.meta.url), 'utf8')) as { properties: Record<string, unknown> };
  const text = JSON.stringify(schema);
  for (const max of [MAX_RECORDS_PER_MINUTE, MAX_AUXILIARY_RECORDS_PER_MINUTE, MAX_QUERIES_PER_HOUR, MAX_GB_PER_DAY, MAX_CAPACITY_GB_PER_DAY, MAX_LIMIT_PER_10S, MAX_SAVED_SEARCHES]) {
    assert.ok(text.includes(`"maximum": ${max}`) || text.includes(`"maximum":${max}`), `no "maximum": ${max} in the schema`);
  }
  // The seed is a name for a run, not a quantity: the only number bounded by 2^53 alone.
  const onlyBySafe = text.split(`"maximum":${SAFE}`).length - 1;
  assert.is(onlyBySafe, 1, 'a field other than seed bounded only by MAX_SAFE_INTEGER');
  assert.is(schema.properties.seed !== undefined && JSON.stringify(schema.properties.seed).includes(`"maximum":${SAFE}`), true);
});

// ---- exactness, by arithmetic on the bounds --------------------------------------------------

test('the largest record count any run can reach stays below 2^53: workspaces x (Analytics + Auxiliary records per minute) x minutes', () => {
  const minutes = MAX_DURATION_MS / MS_PER_MINUTE;
  // Records land per slice: at most duration / slice slices of (rate x slice minutes) records each, per workspace.
  const offered = MAX_WORKSPACES * (MAX_RECORDS_PER_MINUTE + MAX_AUXILIARY_RECORDS_PER_MINUTE) * minutes;
  assert.ok(offered < SAFE, `${offered} records offered in all`);
  // Every other record figure (stored, buffered, replayed, dropped and their reasons, and the sums conservation checks) is a
  // part of the offered records, and a per-workspace figure multiplies one composition's slices by one workspace's records
  // per slice: none exceeds \`offered\`.
});

test('the largest query count stays below 2^53, and so does the product QueryFlow multiplies before it divides', () => {
  // QueryFlow.settle: floor(elapsedMs x perHour / MS_PER_HOUR), exact only while elapsedMs x perHour is.
  assert.ok(MAX_DURATION_MS * MAX_QUERIES_PER_HOUR < SAFE, 'elapsed milliseconds x queries per hour');
  // Each workspace queries its Analytics tables and its Auxiliary tables at up to MAX_QUERIES_PER_HOUR each.
  const attempted = (2 * MAX_WORKSPACES * MAX_QUERIES_PER_HOUR * MAX_DURATION_MS) / MS_PER_HOUR;
  assert.ok(attempted < SAFE, `${attempted} queries attempted in all`);
});

test('the latest time anything is scheduled stays below 2^53 milliseconds, and below 2^53 microseconds in trace.json', () => {
  // An action at the end of the longest run lasting the longest duration; a fault gap: an exponential draw is at most
  // -ln(2^-53) = 36.7 means (1 - next() >= 2^-53), and a drawn duration at most MAX_DURATION_MS.
  const exponentialMax = -Math.log(2 ** -53) * MAX_DURATION_MS;
  const latestMs = MAX_DURATION_MS + MAX_DURATION_MS + exponentialMax + MAX_DURATION_MS;
  assert.ok(latestMs < SAFE, `${latestMs} ms`);
  assert.ok(latestMs * 1000 < SAFE, `${latestMs * 1000} µs`);
});

test('a drawn fault duration never passes 1095d, however long the lognormal tail', () => {
  const random = new RandomStreams(1).stream('tail');
  const longest = Math.max(...Array.from({ length: 20_000 }, () => sampleDuration({ type: 'lognormal', medianMs: 1, p90Ms: MAX_DURATION_MS }, random)));
  assert.is(longest, MAX_DURATION_MS);
});

test(`a run drawing more than ${MAX_FAULT_OCCURRENCES} fault occurrences is bad input naming the busiest process, not gigabytes of memory`, () => {
  const process = (meanTimeBetweenMs: number): FaultProcess => ({ process: 'keyVault.outage', vault: 'kv1', meanTimeBetweenMs, duration: { type: 'fixed', ms: 1 } });
  try {
    drawFaults([process(MS_PER_HOUR), process(1)], MAX_DURATION_MS, new RandomStreams(1), 'many.yaml');
    assert.unreachable('drew them all');
  } catch (error) {
    assert.instance(error, InputError);
    const [problem] = (error as InputError).problems;
    assert.is(problem!.file, 'many.yaml');
    assert.is(problem!.path, 'faults[1].meanTimeBetween');
    assert.match(problem!.expected, `at most ${MAX_FAULT_OCCURRENCES} fault occurrences in a run`);
  }
});

test(`the largest scenario the bounds allow runs with its totals exact: ${MAX_WORKSPACES} workspaces at ${MAX_RECORDS_PER_MINUTE} records a minute (and ${MAX_AUXILIARY_RECORDS_PER_MINUTE} to Auxiliary tables) and ${MAX_QUERIES_PER_HOUR} queries an hour (and as many of Auxiliary tables) for 1095d`, () => {
  const longest = formatDuration(MAX_DURATION_MS);
  const data = {
    name: 'largest',
    duration: longest,
    // The slowest polls, slices and samples the bounds allow: the totals are those of the busiest workload, the run short.
    params: { maxWorkspacesPerCluster: MAX_WORKSPACES, unwrapPollInterval: [longest, longest], blockSlice: `${MAX_DURATION_MS / MS_PER_MINUTE}m`, querySampleInterval: longest, auxiliaryTablePlan: true },
    keyVaults: BASE.keyVaults,
    clusters: [{ name: 'cl1', storageAccounts: 2, key: { vault: 'kv1', name: 'cmk' } }],
    workspaces: Array.from({ length: MAX_WORKSPACES }, (_, i) => ({
      name: `ws${i}`,
      cluster: 'cl1',
      retentionDays: 730,
      ingest: { gbPerDay: MAX_GB_PER_DAY, recordsPerMinute: MAX_RECORDS_PER_MINUTE, auxiliaryRecordsPerMinute: MAX_AUXILIARY_RECORDS_PER_MINUTE },
      query: { perHour: MAX_QUERIES_PER_HOUR, lookback: longest, auxiliaryPerHour: MAX_QUERIES_PER_HOUR },
    })),
  };
  const result = runScenario(parseScenario(JSON.stringify(data), 'largest.json', 'json'));
  const { ingestion, query } = result.totals;
  assert.is(ingestion.offeredRecords, MAX_WORKSPACES * (MAX_RECORDS_PER_MINUTE + MAX_AUXILIARY_RECORDS_PER_MINUTE) * (MAX_DURATION_MS / MS_PER_MINUTE));
  assert.is(ingestion.offeredRecords, ingestion.storedCmkRecords + ingestion.storedMmkRecords + ingestion.bufferedRecords + ingestion.droppedRecords);
  assert.is(query.attempted, (2 * MAX_WORKSPACES * MAX_QUERIES_PER_HOUR * MAX_DURATION_MS) / MS_PER_HOUR);
  assert.is(query.attempted, query.succeeded + query.failed);
  for (const figure of [ingestion.offeredRecords, query.attempted, result.slo.queries.minutes]) assert.ok(Number.isSafeInteger(figure), String(figure));
  assert.equal(result.invariants.violations, []);
});

test.run();
