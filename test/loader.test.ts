// The scenario loader: a file goes in, a normalized Scenario comes out, or
// one InputError naming every problem (file, field path, found, expected).

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PROFILE_DEFAULTS } from '../sim/azure/profiles.ts';
import { DURATION_EXPECTED } from '../sim/engine/duration.ts';
import { InputError, formatProblem, type Problem } from '../sim/input-error.ts';
import { MAX_RECORDS_PER_MINUTE } from '../sim/limits.ts';
import {
  BUILTIN_DIR,
  listBuiltins,
  loadScenario,
  loadScenarioFrom,
  parseScenario,
  resolveScenario,
  type LoadOptions,
} from '../scenarios/load.ts';
import { DESCRIPTION } from '../scenarios/schema.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/scenario-files/', import.meta.url));
const FIXTURE_BUILTINS = join(FIXTURES, 'builtin');

type Data = Record<string, any>;

/** A small valid scenario to break one field at a time. */
function base(): Data {
  return {
    name: 't',
    duration: '2d',
    keyVaults: [
      { name: 'kv1', keys: [{ name: 'cmk' }] },
      { name: 'kv2', region: 'westus', keys: [{ name: 'k2', kty: 'oct-HSM' }] },
    ],
    clusters: [{ name: 'cl1', key: { vault: 'kv1', name: 'cmk' } }],
    workspaces: [{ name: 'wsp1', cluster: 'cl1' }],
  };
}

function withActions(...actions: Data[]): Data {
  return { ...base(), actions };
}

function fromData(data: unknown, options?: LoadOptions) {
  return parseScenario(JSON.stringify(data), 'test.json', 'json', options);
}

function problemsOf(run: () => unknown): Problem[] {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return [...error.problems];
    throw error;
  }
  assert.unreachable('expected an InputError');
  return [];
}

const problemsOfData = (data: unknown, options?: LoadOptions) => problemsOf(() => fromData(data, options));
const problemsOfYaml = (yaml: string, options?: LoadOptions) => problemsOf(() => parseScenario(yaml, 'test.yaml', 'yaml', options));

type Want = { [K in keyof Problem]?: string | RegExp };

function matches(problem: Problem, want: Want): boolean {
  return (Object.keys(want) as (keyof Problem)[]).every((k) => {
    const w = want[k]!;
    return typeof w === 'string' ? problem[k] === w : w.test(problem[k]);
  });
}

function assertProblem(problems: readonly Problem[], want: Want): void {
  if (!problems.some((p) => matches(p, want))) {
    assert.unreachable(`no problem like ${JSON.stringify(want, (_, v: unknown) => (v instanceof RegExp ? String(v) : v))} among:\n${problems.map(formatProblem).join('\n')}`);
  }
}

// ---------------------------------------------------------------------------
// Valid files

test('a full YAML file and the same as JSON give equal scenarios', () => {
  const fromYaml = loadScenario(join(FIXTURES, 'full.yaml'));
  const fromJson = loadScenario(join(FIXTURES, 'full.json'));
  assert.is(fromYaml.source, join(FIXTURES, 'full.yaml'));
  assert.is(fromJson.source, join(FIXTURES, 'full.json'));
  assert.equal({ ...fromYaml, source: '' }, { ...fromJson, source: '' });
  assert.is(fromYaml.actions.length, 25);
  assert.is(fromYaml.expect.length, 7);
});

test('the full file: entities and their fields as written', () => {
  const s = loadScenario(join(FIXTURES, 'full.yaml'));
  assert.is(s.name, 'full-example');
  assert.is(s.profile, '2021-07');
  assert.is(s.seed, 42);
  assert.is(s.setup, 'ready');
  const [main, other] = s.keyVaults;
  assert.equal(main, {
    name: 'kv-main',
    region: 'westeurope',
    tenant: 'fabrikam',
    subscription: 'sub9',
    softDelete: true,
    purgeProtection: true,
    softDeleteRetentionDays: 30,
    permissionModel: 'accessPolicy',
    privateLink: false,
    keys: [
      { name: 'cmk', kty: 'RSA', sizeBits: 4096, wrapAlgorithm: 'RSA-OAEP', versions: ['a1', 'b2'] },
      { name: 'hsm', kty: 'oct-HSM', sizeBits: 256, wrapAlgorithm: 'A256KW', versions: ['v1'] },
    ],
    accessPolicies: [{ principal: 'cl2', permissions: ['get', 'unwrapKey'] }],
  });
  assert.is(other!.region, 'eastus');
  assert.is(other!.tenant, 'contoso');
  assert.is(other!.purgeProtection, false);
  assert.equal(other!.keys[0], { name: 'spare', kty: 'RSA-HSM', sizeBits: 3072, wrapAlgorithm: 'RSA-OAEP-256', versions: ['v1'] });
  assert.equal(s.clusters[0], {
    name: 'cl1',
    region: 'westeurope',
    tenant: 'fabrikam',
    subscription: 'sub9',
    capacityGBPerDay: 2000,
    billingType: 'Workspaces',
    doubleEncryption: false,
    storageAccounts: 4,
    key: { vault: 'kv-main', name: 'cmk', version: 'b2' },
  });
  assert.equal(s.workspaces[0], {
    name: 'ws-one',
    region: 'westeurope',
    tenant: 'fabrikam',
    subscription: 'sub9',
    cluster: 'cl1',
    retentionDays: 90,
    savedSearches: 0,
    ingest: { gbPerDay: 600.5, recordsPerMinute: 200 },
    query: { perHour: 120, lookbackMs: 2 * 3_600_000 },
    auxiliary: { recordsPerMinute: 0, queriesPerHour: 0 },
  });
  const update = s.actions.find((a) => a.do === 'cluster.update');
  assert.equal(update, {
    atMs: 12 * 3_600_000,
    do: 'cluster.update',
    cluster: 'cl1',
    body: { properties: { keyVaultProperties: { keyVaultUri: 'https://kv-main.vault.azure.net', keyName: 'cmk', keyVersion: 'custom' } } },
  });
  assert.equal(s.actions.find((a) => a.do === 'workspace.setIngest'), {
    atMs: 18 * 3_600_000,
    do: 'workspace.setIngest',
    workspace: 'ws-one',
    ingest: { gbPerDay: 10, recordsPerMinute: 5 },
  });
  assert.equal(s.actions.find((a) => a.do === 'workspace.setQuery'), {
    atMs: 18 * 3_600_000,
    do: 'workspace.setQuery',
    workspace: 'ws-one',
    query: { perHour: 1 },
  });
  assert.equal(s.expect, [
    { metric: 'totals.ingestion.droppedRecords', op: 'equals', value: 0 },
    { metric: 'operations[3].status', op: 'equals', value: 'Failed' },
    { metric: 'incidents[0].resumedAtMs', op: 'equals', value: null },
    { metric: 'totals.query.availability', op: 'atLeast', value: 0.97 },
    { metric: 'totals.keyVault.throttled', op: 'atMost', value: 10 },
    { metric: 'totals.query.latencyMs.p99', op: 'lessThan', value: 5000 },
    { metric: 'totals.ingestion.offeredRecords', op: 'greaterThan', value: 0 },
  ]);
});

test('the parameters a scenario sets itself, in its file or by --param, are named in order; the others are its profile\'s', () => {
  const s = parseScenario('name: p\nduration: 1h\nparams: { resumeWithin: 10m, blockSlice: 1h }\n', 'p.yaml', 'yaml', { params: ['hotCacheDays=3', 'resumeWithin=20m'] });
  assert.equal(s.overriddenParams, ['blockSlice', 'hotCacheDays', 'resumeWithin']);
  assert.is(s.params.resumeWithin, 20 * 60_000, '--param wins');
  assert.equal(parseScenario('name: p\nduration: 1h\n', 'p.yaml', 'yaml').overriddenParams, []);
});

test('defaults are filled in', () => {
  const s = parseScenario('name: tiny\nduration: 1h\n', 'tiny.yaml', 'yaml');
  assert.equal(s, {
    name: 'tiny',
    description: '',
    source: 'tiny.yaml',
    profile: '2020-11',
    seed: 1,
    startIso: '2026-01-01T00:00:00.000Z',
    durationMs: 3_600_000,
    params: PROFILE_DEFAULTS['2020-11'],
    overriddenParams: [],
    setup: 'ready',
    keyVaults: [],
    clusters: [],
    workspaces: [],
    userAssignedIdentities: [],
    actions: [],
    faults: [],
    expect: [],
    slo: null,
  });
});

test('defaults of vaults, keys, clusters and workspaces', () => {
  const s = fromData({
    name: 't',
    duration: '1d',
    tenant: 'fabrikam',
    subscription: 'subX',
    region: 'northeurope',
    keyVaults: [{ name: 'kv1', keys: [{ name: 'rsa' }, { name: 'aes', kty: 'oct-HSM' }] }],
    clusters: [{ name: 'cl1' }],
    workspaces: [{ name: 'wsp1' }],
  });
  assert.equal(s.keyVaults[0], {
    name: 'kv1',
    region: 'northeurope',
    tenant: 'fabrikam',
    subscription: 'subX',
    softDelete: true,
    purgeProtection: true,
    softDeleteRetentionDays: 90,
    permissionModel: 'accessPolicy',
    privateLink: false,
    keys: [
      { name: 'rsa', kty: 'RSA', sizeBits: 2048, wrapAlgorithm: 'RSA-OAEP-256', versions: ['v1'] },
      { name: 'aes', kty: 'oct-HSM', sizeBits: 256, wrapAlgorithm: 'A256KW', versions: ['v1'] },
    ],
    accessPolicies: [],
  });
  assert.equal(s.clusters[0], {
    name: 'cl1',
    region: 'northeurope',
    tenant: 'fabrikam',
    subscription: 'subX',
    capacityGBPerDay: 1000,
    billingType: 'Cluster',
    doubleEncryption: true,
    storageAccounts: 2,
  });
  assert.equal(s.workspaces[0], {
    name: 'wsp1',
    region: 'northeurope',
    tenant: 'fabrikam',
    subscription: 'subX',
    retentionDays: 30,
    savedSearches: 0,
    ingest: { gbPerDay: 100, recordsPerMinute: 100 },
    query: { perHour: 60, lookbackMs: 3_600_000 },
    auxiliary: { recordsPerMinute: 0, queriesPerHour: 0 },
  });
});

test('null (an empty YAML value) means "not given"', () => {
  const s = parseScenario('name: t\nduration: 1h\ndescription:\nparams:\nkeyVaults:\n', 't.yaml', 'yaml');
  assert.is(s.description, '');
  assert.equal(s.keyVaults, []);
  assert.equal(s.params, PROFILE_DEFAULTS['2020-11']);
});

test('durations are parsed to milliseconds, start is normalized to UTC', () => {
  const s = fromData({
    ...withActions(
      { at: '250ms', do: 'keyVault.outage', vault: 'kv1', for: '1d6h' },
      { at: 'PT45M', do: 'key.setExpiry', vault: 'kv1', key: 'cmk', exp: 'P1DT6H' },
      { at: '90s', do: 'lockbox.request', workspace: 'wsp1', decision: 'reject', after: '0s' },
    ),
    duration: 'P2D',
    start: '2026-03-01T12:00:00+01:00',
    workspaces: [{ name: 'wsp1', cluster: 'cl1', query: { lookback: '90s' } }],
  });
  assert.is(s.durationMs, 2 * 86_400_000);
  assert.is(s.startIso, '2026-03-01T11:00:00.000Z');
  // RFC 3339 5.6: "T" and "Z" may be lower case, and a space may stand for the T.
  for (const start of ['2026-03-01t11:00:00z', '2026-03-01 11:00:00Z']) assert.is(fromData({ ...withActions(), start }).startIso, '2026-03-01T11:00:00.000Z', start);
  assert.is(s.workspaces[0]!.query.lookbackMs, 90_000);
  assert.equal(s.actions, [
    { atMs: 250, do: 'keyVault.outage', vault: 'kv1', forMs: 30 * 3_600_000 },
    { atMs: 90_000, do: 'lockbox.request', workspace: 'wsp1', decision: 'reject', afterMs: 0 },
    { atMs: 45 * 60_000, do: 'key.setExpiry', vault: 'kv1', key: 'cmk', expMs: 30 * 3_600_000 },
  ]);
});

test('parameter ranges: a list [min, max], "min..max", or one duration for both ends', () => {
  const s = fromData({ ...base(), params: { unwrapPollInterval: ['5s', '1m'], linkTime: '1m..2h', keyUpdateTime: ['PT1M', 'PT1M'], clusterProvisionTime: '1h' } });
  assert.equal(s.params.unwrapPollInterval, [5000, 60_000]);
  assert.equal(s.params.linkTime, [60_000, 7_200_000]);
  assert.equal(s.params.keyUpdateTime, [60_000, 60_000]);
  // "Provisioning takes 1 h": the range of one value.
  assert.equal(s.params.clusterProvisionTime, [3_600_000, 3_600_000]);
});

// ---------------------------------------------------------------------------
// Parameters: profile defaults, then the file, then --param

test('params: the profile gives the defaults (2021-07)', () => {
  const s = fromData({ ...base(), profile: '2021-07' });
  assert.is(s.profile, '2021-07');
  assert.equal(s.params, PROFILE_DEFAULTS['2021-07']);
  assert.is(s.params.outageHandling, 'keepCachedKey');
  assert.is(s.params.autoRotation, true);
  assert.equal(s.params.capacityTiersGBPerDay, [500, 1000, 2000, 5000]);
});

test('params: the file overrides the profile, --param overrides the file', () => {
  const data = { ...base(), profile: '2021-07', params: { outageToUnavailable: '20m', autoRotation: false, hotCacheDays: 7 } };
  const fileOnly = fromData(data);
  assert.is(fileOnly.params.outageToUnavailable, 20 * 60_000);
  assert.is(fileOnly.params.autoRotation, false);
  assert.is(fileOnly.params.hotCacheDays, 7);
  assert.is(fileOnly.params.outageHandling, 'keepCachedKey');

  const withCli = fromData(data, { params: ['outageToUnavailable=45m', 'hotCacheDays=4'] });
  assert.is(withCli.params.outageToUnavailable, 45 * 60_000);
  assert.is(withCli.params.hotCacheDays, 4);
  assert.is(withCli.params.autoRotation, false);
  // One name twice on the command line is a conflict, as any option given twice is: no value wins silently.
  assert.equal(problemsOf(() => fromData(data, { params: ['hotCacheDays=3', 'hotCacheDays=4'] })), [{ file: '--param', path: 'hotCacheDays', found: '"hotCacheDays=3" and "hotCacheDays=4"', expected: 'each parameter once in --param' }]);
});

test('params: --param values are typed like YAML (numbers, booleans, ranges, enums)', () => {
  const s = fromData(base(), {
    params: ['sloTarget=0.99', 'autoRotation=true', 'unwrapPollInterval=[5s, 10s]', 'linkTime=1s..2s', 'delayMode=worst', 'blockSlice=10m'],
  });
  assert.is(s.params.sloTarget, 0.99);
  assert.is(s.params.autoRotation, true);
  assert.equal(s.params.unwrapPollInterval, [5000, 10_000]);
  assert.equal(s.params.linkTime, [1000, 2000]);
  assert.is(s.params.delayMode, 'worst');
  assert.is(s.params.blockSlice, 10 * 60_000);
});

test('options: --profile overrides the file profile, the file params still apply over it', () => {
  const s = fromData({ ...base(), profile: '2020-11', params: { autoRotation: false } }, { profile: '2023-06' });
  assert.is(s.profile, '2023-06');
  assert.is(s.params.hotCacheScope, 'lastDaysOrRecentlyQueried');
  assert.is(s.params.maxClustersPerRegion, 5);
  assert.is(s.params.autoRotation, false);
});

test('profile latest, in the file or as --profile, is the newest documentation version (2026-04), and the run is named after it', () => {
  assert.is(fromData({ ...base(), profile: 'latest' }).profile, '2026-04');
  assert.is(fromData(base(), { profile: 'latest' }).profile, '2026-04');
  assert.equal(fromData(base(), { profile: 'latest' }).params, PROFILE_DEFAULTS['2026-04']);
});

test('options: --seed overrides the file seed', () => {
  assert.is(fromData({ ...base(), seed: 7 }).seed, 7);
  assert.is(fromData({ ...base(), seed: 7 }, { seed: 0 }).seed, 0);
  assert.is(fromData(base(), { seed: 99 }).seed, 99);
});

test('storageAccounts defaults to the resolved storageAccountsPerCluster', () => {
  const data = { ...base(), clusters: [{ name: 'cl1', key: { vault: 'kv1', name: 'cmk' } }, { name: 'cl2', storageAccounts: 5 }] };
  const s = fromData(data, { params: ['storageAccountsPerCluster=3'] });
  assert.is(s.clusters[0]!.storageAccounts, 3);
  assert.is(s.clusters[1]!.storageAccounts, 5);
});

// ---------------------------------------------------------------------------
// Actions

test('actions are sorted by time; equal times keep file order', () => {
  const s = fromData(
    withActions(
      { at: '3h', do: 'keyVault.outage', vault: 'kv1', for: '1m' },
      { at: '1h', do: 'keyVault.outage', vault: 'kv2', for: '1m' },
      { at: '2h', do: 'keyVault.outage', vault: 'kv1', for: '2m' },
      { at: '1h', do: 'keyVault.outage', vault: 'kv1', for: '3m' },
      { at: '60m', do: 'keyVault.outage', vault: 'kv2', for: '4m' },
    ),
  );
  assert.equal(
    s.actions.map((a) => [a.atMs, 'forMs' in a ? a.forMs : 0]),
    [
      [3_600_000, 60_000],
      [3_600_000, 180_000],
      [3_600_000, 240_000],
      [7_200_000, 120_000],
      [10_800_000, 60_000],
    ],
  );
});

test('key versions: a rotation creates the next v<n>, usable by later actions only', () => {
  const ok = fromData(
    withActions(
      { at: '3h', do: 'key.disable', vault: 'kv1', key: 'cmk', version: 'v2' },
      { at: '2h', do: 'key.rotate', vault: 'kv1', key: 'cmk' },
      { at: '4h', do: 'key.rotate', vault: 'kv1', key: 'cmk', version: 'mine' },
      { at: '5h', do: 'key.rotate', vault: 'kv1', key: 'cmk' },
      { at: '6h', do: 'key.enable', vault: 'kv1', key: 'cmk', version: 'v4' },
      { at: '6h', do: 'key.setExpiry', vault: 'kv1', key: 'cmk', version: 'mine', exp: '7h' },
    ),
  );
  assert.is(ok.actions.length, 6);

  const early = problemsOfData(
    withActions(
      { at: '1h', do: 'key.disable', vault: 'kv1', key: 'cmk', version: 'v2' },
      { at: '2h', do: 'key.rotate', vault: 'kv1', key: 'cmk' },
    ),
  );
  assert.equal(early, [
    { file: 'test.json', path: 'actions[0].version', found: '"v2"', expected: 'a version of key kv1/cmk at that time: v1; did you mean v1?' },
  ]);
});

test('key versions: a rotation to an existing id is a problem, named or by default', () => {
  assertProblem(problemsOfData(withActions({ at: '1h', do: 'key.rotate', vault: 'kv1', key: 'cmk', version: 'v1' })), {
    path: 'actions[0].version',
    found: '"v1"',
    expected: 'a new version id; key kv1/cmk already has v1',
  });
  const data = withActions({ at: '1h', do: 'key.rotate', vault: 'kv1', key: 'cmk' });
  data.keyVaults[0].keys[0].versions = ['v2'];
  data.clusters = [{ name: 'cl1' }];
  assertProblem(problemsOfData(data), {
    path: 'actions[0].version',
    found: 'nothing',
    expected: 'a version id: the default next id v2 is already taken by key kv1/cmk',
  });
});

// ---------------------------------------------------------------------------
// One problem per broken field

interface Case {
  title: string;
  data: Data | (() => Data);
  want: Want;
  options?: LoadOptions;
}

const edit = (change: (d: Data) => void) => () => {
  const d = base();
  change(d);
  return d;
};

const CLUSTER_NAME_EXPECTED = 'a name of 1 to 100 letters, digits, ".", "_" or "-" (Azure\'s 3 to 63 letters and digits is checked when the cluster is created)';

const cases: Case[] = [
  // top level
  { title: 'name pattern', data: edit((d) => (d.name = 'Bad Name')), want: { path: 'name', found: '"Bad Name"', expected: 'a name of 1 to 100 lowercase letters, digits and hyphens' } },
  { title: 'name missing', data: edit((d) => delete d.name), want: { path: 'name', found: 'nothing', expected: 'a name of 1 to 100 lowercase letters, digits and hyphens' } },
  { title: 'name too long for an output folder', data: edit((d) => (d.name = 'a'.repeat(101))), want: { path: 'name', found: `"${'a'.repeat(76)}...`, expected: 'a name of 1 to 100 lowercase letters, digits and hyphens' } },
  { title: 'profile unknown', data: edit((d) => (d.profile = 'newest')), want: { path: 'profile', found: '"newest"', expected: 'one of 2020-11, 2021-07, 2023-06, 2024-01, 2026-04, latest (latest: the newest, 2026-04)' } },
  { title: 'seed negative', data: edit((d) => (d.seed = -1)), want: { path: 'seed', found: '-1', expected: 'a whole number from 0 to 9007199254740991' } },
  { title: 'seed fraction', data: edit((d) => (d.seed = 1.5)), want: { path: 'seed', found: '1.5' } },
  { title: 'start not a date', data: edit((d) => (d.start = 'yesterday')), want: { path: 'start', found: '"yesterday"', expected: 'an ISO 8601 date-time with a zone, e.g. 2026-01-01T00:00:00Z' } },
  { title: 'start impossible day', data: edit((d) => (d.start = '2026-02-30T00:00:00Z')), want: { path: 'start', found: '"2026-02-30T00:00:00Z"' } },
  { title: 'start without zone', data: edit((d) => (d.start = '2026-01-01T00:00:00')), want: { path: 'start', found: '"2026-01-01T00:00:00"' } },
  { title: 'duration zero', data: edit((d) => (d.duration = '0s')), want: { path: 'duration', found: '"0s"', expected: 'a duration greater than 0' } },
  { title: 'duration a bare number', data: edit((d) => (d.duration = 45)), want: { path: 'duration', found: '45', expected: DURATION_EXPECTED } },
  { title: 'duration missing', data: edit((d) => delete d.duration), want: { path: 'duration', found: 'nothing', expected: `${DURATION_EXPECTED}, greater than 0` } },
  { title: 'setup unknown', data: edit((d) => (d.setup = 'partial')), want: { path: 'setup', found: '"partial"', expected: 'one of ready, none' } },
  { title: 'region pattern', data: edit((d) => (d.region = 'East US')), want: { path: 'region', found: '"East US"', expected: 'an Azure region name of lowercase letters and digits, e.g. eastus' } },
  { title: 'description not text', data: edit((d) => (d.description = 3)), want: { path: 'description', found: '3', expected: DESCRIPTION.expected } },
  { title: 'description with an escape sequence', data: edit((d) => (d.description = 'a \u001b[2J screen cleared')), want: { path: 'description', found: '"a \\u001b[2J screen cleared"', expected: DESCRIPTION.expected } },
  { title: 'description longer than a page', data: edit((d) => (d.description = 'x'.repeat(10_001))), want: { path: 'description', found: `"${'x'.repeat(76)}...`, expected: DESCRIPTION.expected } },
  { title: 'keyVaults not a list', data: edit((d) => (d.keyVaults = { name: 'kv1' })), want: { path: 'keyVaults', found: '{"name":"kv1"}', expected: 'a list of key vaults' } },
  { title: 'unknown top-level field', data: edit((d) => (d.duraton = '1d')), want: { path: 'duraton', found: 'unknown field "duraton"', expected: /^one of name, description, .*; did you mean duration\?$/ } },

  // params
  { title: 'param duration as a number', data: edit((d) => (d.params = { outageToUnavailable: 30 })), want: { path: 'params.outageToUnavailable', found: '30', expected: DURATION_EXPECTED } },
  { title: 'param duration text', data: edit((d) => (d.params = { mmkBufferMaxAge: 'four hours' })), want: { path: 'params.mmkBufferMaxAge', found: '"four hours"', expected: DURATION_EXPECTED } },
  { title: 'param range min > max', data: edit((d) => (d.params = { unwrapPollInterval: ['60s', '6s'] })), want: { path: 'params.unwrapPollInterval', found: '["60s","6s"]', expected: 'a range whose min is at most its max' } },
  { title: 'param region list not a list', data: edit((d) => (d.params = { doubleEncryptionUnsupportedRegions: 'eastus' })), want: { path: 'params.doubleEncryptionUnsupportedRegions', found: '"eastus"', expected: 'a list of Azure region names, e.g. [southafricawest]; [] for none' } },
  { title: 'param region list with a region twice', data: edit((d) => (d.params = { doubleEncryptionUnsupportedRegions: ['eastus', 'eastus'] })), want: { path: 'params.doubleEncryptionUnsupportedRegions[1]', found: '"eastus"', expected: 'an Azure region name of lowercase letters and digits, e.g. eastus, each at most once' } },
  { title: 'param range malformed', data: edit((d) => (d.params = { unwrapPollInterval: '6s-60s' })), want: { path: 'params.unwrapPollInterval', found: '"6s-60s"', expected: 'a range of two durations, [min, max] or "min..max", or one duration for both ends, e.g. [6s, 60s], "6s..60s" or 1h' } },
  { title: 'param range element', data: edit((d) => (d.params = { clusterProvisionTime: ['1h', 'soon'] })), want: { path: 'params.clusterProvisionTime[1]', found: '"soon"', expected: DURATION_EXPECTED } },
  { title: 'param range of three', data: edit((d) => (d.params = { linkTime: ['1m', '2m', '3m'] })), want: { path: 'params.linkTime', found: '["1m","2m","3m"]' } },
  { title: 'unwrapPollInterval min 0', data: edit((d) => (d.params = { unwrapPollInterval: ['0s', '6s'] })), want: { path: 'params.unwrapPollInterval', expected: 'a range whose min is greater than 0 (a poll every 0 ms never ends)' } },
  { title: 'param integer out of range', data: edit((d) => (d.params = { hotCacheDays: 731 })), want: { path: 'params.hotCacheDays', found: '731', expected: 'a whole number from 0 to 730' } },
  { title: 'param integer fraction', data: edit((d) => (d.params = { linkOpsPer30Days: 2.5 })), want: { path: 'params.linkOpsPer30Days', found: '2.5', expected: 'a whole number from 1 to 1000' } },
  {
    title: 'param credit tiers',
    data: edit((d) => (d.params = { serviceCreditTiers: [{ below: 0.999, creditPercent: 10 }, { below: 99, creditPercent: 25 }] })),
    want: { path: 'params.serviceCreditTiers[1].below', found: '99', expected: 'a number from 0 to 1' },
  },
  { title: 'param credit tier field', data: edit((d) => (d.params = { serviceCreditTiers: [{ below: 0.99, credit: 25 }] })), want: { path: 'params.serviceCreditTiers[0].credit', found: 'unknown field "credit"' } },
  { title: 'param fraction', data: edit((d) => (d.params = { sloTarget: 1.5 })), want: { path: 'params.sloTarget', found: '1.5', expected: 'a number from 0 to 1' } },
  { title: 'param boolean', data: edit((d) => (d.params = { autoRotation: 'yes' })), want: { path: 'params.autoRotation', found: '"yes"', expected: 'true or false' } },
  { title: 'param enum with hint', data: edit((d) => (d.params = { delayMode: 'worse' })), want: { path: 'params.delayMode', found: '"worse"', expected: 'one of uniform, worst, best; did you mean worst?' } },
  { title: 'blockSlice whole minutes', data: edit((d) => (d.params = { blockSlice: '90s' })), want: { path: 'params.blockSlice', found: '"90s"', expected: 'a positive whole number of minutes, e.g. 5m' } },
  { title: 'blockSlice zero', data: edit((d) => (d.params = { blockSlice: '0m' })), want: { path: 'params.blockSlice', expected: 'a positive whole number of minutes, e.g. 5m' } },
  { title: 'querySampleInterval zero', data: edit((d) => (d.params = { querySampleInterval: '0s' })), want: { path: 'params.querySampleInterval', expected: 'a duration greater than 0' } },
  { title: 'unknown param with hint', data: edit((d) => (d.params = { outageToUnavailabel: '30m' })), want: { path: 'params.outageToUnavailabel', found: 'unknown field "outageToUnavailabel"', expected: /did you mean outageToUnavailable\?$/ } },
  { title: 'params not a mapping', data: edit((d) => (d.params = ['outageToUnavailable=30m'])), want: { path: 'params', expected: 'a mapping of parameter names to values' } },

  // key vaults and keys
  { title: 'vault name too short', data: edit((d) => (d.keyVaults[0].name = 'kv')), want: { path: 'keyVaults[0].name', found: '"kv"', expected: '3 to 24 lowercase letters, digits and hyphens' } },
  { title: 'vault name uppercase', data: edit((d) => (d.keyVaults[1].name = 'KV2')), want: { path: 'keyVaults[1].name', found: '"KV2"' } },
  { title: 'vault name twice', data: edit((d) => (d.keyVaults[1].name = 'kv1')), want: { path: 'keyVaults[1].name', found: '"kv1"', expected: 'a name no other key vault has (keyVaults[0] has it)' } },
  { title: 'vault name missing', data: edit((d) => delete d.keyVaults[1].name), want: { path: 'keyVaults[1].name', found: 'nothing' } },
  { title: 'soft delete retention', data: edit((d) => (d.keyVaults[0].softDeleteRetentionDays = 5)), want: { path: 'keyVaults[0].softDeleteRetentionDays', found: '5', expected: 'a whole number from 7 to 90' } },
  { title: 'softDelete boolean', data: edit((d) => (d.keyVaults[0].softDelete = 'yes')), want: { path: 'keyVaults[0].softDelete', found: '"yes"', expected: 'true or false' } },
  { title: 'kty unknown', data: edit((d) => (d.keyVaults[0].keys[0].kty = 'EC')), want: { path: 'keyVaults[0].keys[0].kty', found: '"EC"', expected: 'one of RSA, RSA-HSM, oct-HSM (a cluster key wraps its AEK: EC keys cannot wrap, so they are not modelled)' } },
  { title: 'kty case', data: edit((d) => (d.keyVaults[0].keys[0].kty = 'rsa')), want: { path: 'keyVaults[0].keys[0].kty', expected: 'one of RSA, RSA-HSM, oct-HSM (a cluster key wraps its AEK: EC keys cannot wrap, so they are not modelled); did you mean RSA?' } },
  { title: 'RSA size', data: edit((d) => (d.keyVaults[0].keys[0].size = 1024)), want: { path: 'keyVaults[0].keys[0].size', found: '1024', expected: 'one of 2048, 3072, 4096 (kty RSA)' } },
  { title: 'oct-HSM size', data: edit((d) => (d.keyVaults[1].keys[0].size = 2048)), want: { path: 'keyVaults[1].keys[0].size', found: '2048', expected: '256 (kty oct-HSM): an oct-HSM key is AES-256' } },
  { title: 'oct-HSM wrap algorithm', data: edit((d) => (d.keyVaults[1].keys[0].wrapAlgorithm = 'RSA-OAEP')), want: { path: 'keyVaults[1].keys[0].wrapAlgorithm', found: '"RSA-OAEP"', expected: 'one of A256KW (kty oct-HSM)' } },
  { title: 'RSA wrap algorithm', data: edit((d) => (d.keyVaults[0].keys[0].wrapAlgorithm = 'A256KW')), want: { path: 'keyVaults[0].keys[0].wrapAlgorithm', expected: 'one of RSA-OAEP-256, RSA-OAEP (kty RSA)' } },
  { title: 'versions repeated', data: edit((d) => (d.keyVaults[0].keys[0].versions = ['v1', 'v1'])), want: { path: 'keyVaults[0].keys[0].versions[1]', found: '"v1"', expected: 'a version id of letters, digits and hyphens ([A-Za-z0-9-]+), each at most once' } },
  { title: 'versions empty', data: edit((d) => (d.keyVaults[0].keys[0].versions = [])), want: { path: 'keyVaults[0].keys[0].versions', found: '[]', expected: 'a non-empty list of version ids ([A-Za-z0-9-]+), e.g. [v1, v2]' } },
  { title: 'version id pattern', data: edit((d) => (d.keyVaults[0].keys[0].versions = ['v 1'])), want: { path: 'keyVaults[0].keys[0].versions[0]', found: '"v 1"' } },
  { title: 'key name twice', data: edit((d) => d.keyVaults[0].keys.push({ name: 'cmk' })), want: { path: 'keyVaults[0].keys[1].name', expected: 'a name no other key of this vault has (keyVaults[0].keys[0] has it)' } },
  { title: 'unknown key field', data: edit((d) => (d.keyVaults[0].keys[0].sise = 2048)), want: { path: 'keyVaults[0].keys[0].sise', found: 'unknown field "sise"', expected: 'one of name, kty, size, wrapAlgorithm, versions; did you mean size?' } },
  { title: 'access policy principal', data: edit((d) => (d.keyVaults[0].accessPolicies = [{ principal: 'nobody', permissions: ['get'] }])), want: { path: 'keyVaults[0].accessPolicies[0].principal', found: '"nobody"', expected: 'a cluster name (a name of clusters) or a name of userAssignedIdentities: cl1' } },
  { title: 'access policy permission', data: edit((d) => (d.keyVaults[0].accessPolicies = [{ principal: 'cl1', permissions: ['get', 'read'] }])), want: { path: 'keyVaults[0].accessPolicies[0].permissions[1]', found: '"read"', expected: 'one of get, wrapKey, unwrapKey' } },
  { title: 'access policy twice', data: edit((d) => (d.keyVaults[0].accessPolicies = [{ principal: 'cl1', permissions: [] }, { principal: 'cl1', permissions: ['get'] }])), want: { path: 'keyVaults[0].accessPolicies[1].principal', expected: 'a principal no other access policy of this vault has (keyVaults[0].accessPolicies[0] has it)' } },

  // clusters
  { title: 'cluster name with a space', data: edit((d) => (d.clusters[0].name = 'cl 1')), want: { path: 'clusters[0].name', found: '"cl 1"', expected: CLUSTER_NAME_EXPECTED } },
  { title: 'cluster name too long', data: edit((d) => (d.clusters[0].name = 'c'.repeat(101))), want: { path: 'clusters[0].name', expected: CLUSTER_NAME_EXPECTED } },
  { title: 'cluster name empty', data: edit((d) => (d.clusters[0].name = '')), want: { path: 'clusters[0].name', found: '""', expected: CLUSTER_NAME_EXPECTED } },
  { title: 'cluster name twice (Azure names ignore case)', data: edit((d) => d.clusters.push({ name: 'CL1' })), want: { path: 'clusters[1].name', found: '"CL1"', expected: 'a name no other cluster has (clusters[0] has it)' } },
  { title: 'capacity zero', data: edit((d) => (d.clusters[0].capacityGBPerDay = 0)), want: { path: 'clusters[0].capacityGBPerDay', found: '0', expected: 'a whole number of GB per day, from 1 to 1000000' } },
  { title: 'billing type', data: edit((d) => (d.clusters[0].billingType = 'PerGB')), want: { path: 'clusters[0].billingType', found: '"PerGB"', expected: 'one of Cluster, Workspaces' } },
  { title: 'storage accounts', data: edit((d) => (d.clusters[0].storageAccounts = 65)), want: { path: 'clusters[0].storageAccounts', found: '65', expected: 'a whole number from 1 to 64' } },
  { title: 'cluster key vault unknown', data: edit((d) => (d.clusters[0].key.vault = 'vault9')), want: { path: 'clusters[0].key.vault', found: '"vault9"', expected: 'a name of keyVaults: kv1, kv2' } },
  { title: 'cluster key version with a space', data: edit((d) => (d.clusters[0].key.version = 'v 1')), want: { path: 'clusters[0].key.version', found: '"v 1"', expected: 'a version id of letters, digits and hyphens ([A-Za-z0-9-]+), or "" to follow the newest version (profiles with auto-rotation)' } },
  { title: 'cluster key name unknown', data: edit((d) => (d.clusters[0].key.name = 'cmk2')), want: { path: 'clusters[0].key.name', found: '"cmk2"', expected: 'a key of vault kv1: cmk; did you mean cmk?' } },
  { title: 'cluster key version unknown', data: edit((d) => (d.clusters[0].key.version = 'v7')), want: { path: 'clusters[0].key.version', found: '"v7"', expected: 'a version of key kv1/cmk: v1; did you mean v1?' } },
  { title: 'cluster key missing name', data: edit((d) => delete d.clusters[0].key.name), want: { path: 'clusters[0].key.name', found: 'nothing', expected: 'a key name' } },
  { title: 'cluster key unknown field', data: edit((d) => (d.clusters[0].key.keyName = 'cmk')), want: { path: 'clusters[0].key.keyName', found: 'unknown field "keyName"', expected: 'one of vault, name, version; did you mean name?' } },
  { title: 'setup none: no cluster key', data: edit((d) => ((d.setup = 'none'), (d.workspaces = []))), want: { path: 'clusters[0].key', found: '{"vault":"kv1","name":"cmk"}', expected: 'no key with setup: none (nothing exists before t=0; set the key with a cluster.update action)' } },
  { title: 'setup none: no workspace link', data: edit((d) => ((d.setup = 'none'), (d.clusters = [{ name: 'cl1' }]))), want: { path: 'workspaces[0].cluster', found: '"cl1"', expected: 'no cluster with setup: none (nothing exists before t=0; link it with a workspace.link action)' } },

  // workspaces
  { title: 'workspace name with a forbidden character', data: edit((d) => (d.workspaces[0].name = 'ws_1')), want: { path: 'workspaces[0].name', found: '"ws_1"', expected: '1 to 63 letters, digits and hyphens' } },
  { title: 'workspace name twice', data: edit((d) => d.workspaces.push({ name: 'wsp1' })), want: { path: 'workspaces[1].name', expected: 'a name no other workspace has (workspaces[0] has it)' } },
  { title: 'saved searches negative', data: edit((d) => (d.workspaces[0].savedSearches = -1)), want: { path: 'workspaces[0].savedSearches', found: '-1', expected: 'a whole number of saved searches, from 0 to 1000000' } },
  { title: 'saved searches fraction', data: edit((d) => (d.workspaces[0].savedSearches = 2.5)), want: { path: 'workspaces[0].savedSearches', found: '2.5', expected: 'a whole number of saved searches, from 0 to 1000000' } },
  { title: 'retention', data: edit((d) => (d.workspaces[0].retentionDays = 7)), want: { path: 'workspaces[0].retentionDays', found: '7', expected: 'a whole number from 30 to 730' } },
  { title: 'ingest GB negative', data: edit((d) => (d.workspaces[0].ingest = { gbPerDay: -1 })), want: { path: 'workspaces[0].ingest.gbPerDay', found: '-1', expected: 'a number of GB per day, from 0 to 1000000' } },
  { title: 'records per minute fraction', data: edit((d) => (d.workspaces[0].ingest = { recordsPerMinute: 1.5 })), want: { path: 'workspaces[0].ingest.recordsPerMinute', found: '1.5', expected: `a whole number of records per minute, from 0 to ${MAX_RECORDS_PER_MINUTE}` } },
  { title: 'ingest unknown field', data: edit((d) => (d.workspaces[0].ingest = { gbPerDya: 1 })), want: { path: 'workspaces[0].ingest.gbPerDya', expected: 'one of gbPerDay, recordsPerMinute, auxiliaryRecordsPerMinute; did you mean gbPerDay?' } },
  { title: 'query lookback', data: edit((d) => (d.workspaces[0].query = { lookback: '1 hour' })), want: { path: 'workspaces[0].query.lookback', found: '"1 hour"', expected: DURATION_EXPECTED } },
  { title: 'queries per hour', data: edit((d) => (d.workspaces[0].query = { perHour: 'many' })), want: { path: 'workspaces[0].query.perHour', found: '"many"', expected: 'a number of queries per hour, from 0 to 60000' } },
  { title: 'workspace cluster unknown', data: edit((d) => (d.workspaces[0].cluster = 'cl9')), want: { path: 'workspaces[0].cluster', found: '"cl9"', expected: 'a name of clusters: cl1; did you mean cl1?' } },

  // actions
  { title: 'action at the end', data: withActions({ at: '2d', do: 'keyVault.outage', vault: 'kv1', for: '1m' }), want: { path: 'actions[0].at', found: '"2d"', expected: 'a time before the end (duration 2d): an action at or after the end never runs' } },
  { title: 'action at a bare number', data: withActions({ at: 0, do: 'cluster.delete', cluster: 'cl1' }), want: { path: 'actions[0].at', found: '0', expected: DURATION_EXPECTED } },
  { title: 'action at missing', data: withActions({ do: 'cluster.delete', cluster: 'cl1' }), want: { path: 'actions[0].at', found: 'nothing', expected: DURATION_EXPECTED } },
  { title: 'action do unknown', data: withActions({ at: '1h', do: 'keyVault.outages', vault: 'kv1' }), want: { path: 'actions[0].do', found: '"keyVault.outages"', expected: /^one of keyVault\.outage, .*, lockbox\.request; did you mean keyVault\.outage\?$/ } },
  { title: 'action do missing', data: withActions({ at: '1h', vault: 'kv1' }), want: { path: 'actions[0].do', found: 'nothing' } },
  { title: 'action not a mapping', data: withActions('keyVault.outage' as unknown as Data), want: { path: 'actions[0]', found: '"keyVault.outage"', expected: 'an action: {at, do, ...}' } },
  { title: 'action unknown field with hint', data: withActions({ at: '1h', do: 'keyVault.outage', vualt: 'kv1', for: '1m' }), want: { path: 'actions[0].vualt', found: 'unknown field "vualt"', expected: 'one of at, do, vault, for; did you mean vault?' } },
  { title: 'action field of another action', data: withActions({ at: '1h', do: 'keyVault.outage', vault: 'kv1', for: '1m', failureRate: 0.5 }), want: { path: 'actions[0].failureRate', expected: 'one of at, do, vault, for' } },
  { title: 'for zero', data: withActions({ at: '1h', do: 'keyVault.denyNetwork', vault: 'kv1', for: '0s' }), want: { path: 'actions[0].for', found: '"0s"', expected: 'a duration greater than 0' } },
  { title: 'for missing', data: withActions({ at: '1h', do: 'keyVault.outage', vault: 'kv1' }), want: { path: 'actions[0].for', found: 'nothing', expected: `${DURATION_EXPECTED}, greater than 0` } },
  { title: 'failure rate', data: withActions({ at: '1h', do: 'keyVault.transient', vault: 'kv1', for: '1m', failureRate: 1.5 }), want: { path: 'actions[0].failureRate', found: '1.5', expected: 'a number from 0 to 1' } },
  { title: 'throttle limit', data: withActions({ at: '1h', do: 'keyVault.throttle', vault: 'kv1', for: '1m', limitPer10s: -1 }), want: { path: 'actions[0].limitPer10s', found: '-1', expected: 'a whole number of requests per 10 seconds, from 0 to 1000000 (0: every request throttled)' } },
  { title: 'action vault unknown', data: withActions({ at: '1h', do: 'keyVault.outage', vault: 'kv3', for: '1m' }), want: { path: 'actions[0].vault', found: '"kv3"', expected: 'a name of keyVaults: kv1, kv2; did you mean kv1?' } },
  { title: 'action key unknown in its vault', data: withActions({ at: '1h', do: 'key.disable', vault: 'kv2', key: 'cmk' }), want: { path: 'actions[0].key', found: '"cmk"', expected: 'a key of vault kv2: k2' } },
  { title: 'key.setExpiry exp missing', data: withActions({ at: '1h', do: 'key.setExpiry', vault: 'kv1', key: 'cmk' }), want: { path: 'actions[0].exp', found: 'nothing', expected: DURATION_EXPECTED } },
  { title: 'accessPolicy principal unknown', data: withActions({ at: '1h', do: 'accessPolicy.remove', vault: 'kv1', principal: 'cl9' }), want: { path: 'actions[0].principal', found: '"cl9"', expected: 'a cluster name (a name of clusters) or a name of userAssignedIdentities: cl1; did you mean cl1?' } },
  { title: 'accessPolicy permissions repeated', data: withActions({ at: '1h', do: 'accessPolicy.set', vault: 'kv1', principal: 'cl1', permissions: ['get', 'get'] }), want: { path: 'actions[0].permissions[1]', found: '"get"', expected: 'one of get, wrapKey, unwrapKey, each at most once' } },
  { title: 'accessPolicy permissions not a list', data: withActions({ at: '1h', do: 'accessPolicy.set', vault: 'kv1', principal: 'cl1', permissions: 'get' }), want: { path: 'actions[0].permissions', found: '"get"', expected: 'a list of permissions from get, wrapKey, unwrapKey' } },
  { title: 'cluster.update without body', data: withActions({ at: '1h', do: 'cluster.update', cluster: 'cl1' }), want: { path: 'actions[0].body', found: 'nothing', expected: 'a JSON object (the ARM request body)' } },
  { title: 'cluster.create body a list', data: withActions({ at: '1h', do: 'cluster.create', cluster: 'cl1', body: [1] }), want: { path: 'actions[0].body', found: '[1]', expected: 'a JSON object (the ARM request body)' } },
  { title: 'cluster unknown', data: withActions({ at: '1h', do: 'cluster.delete', cluster: 'other' }), want: { path: 'actions[0].cluster', found: '"other"', expected: 'a name of clusters: cl1' } },
  { title: 'identity type', data: withActions({ at: '1h', do: 'cluster.setIdentity', cluster: 'cl1', type: 'UserAssigned' }), want: { path: 'actions[0].type', found: '"UserAssigned"', expected: 'one of SystemAssigned, None' } },
  { title: 'linked storage type', data: withActions({ at: '1h', do: 'workspace.linkStorage', workspace: 'wsp1', type: 'Logs', storageAccount: 'store1' }), want: { path: 'actions[0].type', found: '"Logs"', expected: 'one of Query, Alerts' } },
  { title: 'linked storage account name', data: withActions({ at: '1h', do: 'workspace.linkStorage', workspace: 'wsp1', type: 'Query', storageAccount: 'My_Store' }), want: { path: 'actions[0].storageAccount', found: '"My_Store"', expected: 'a storage account name: 3 to 24 lowercase letters and digits' } },
  { title: 'linked storage region', data: withActions({ at: '1h', do: 'workspace.linkStorage', workspace: 'wsp1', type: 'Query', storageAccount: 'store1', region: 'West US' }), want: { path: 'actions[0].region', found: '"West US"', expected: 'an Azure region name of lowercase letters and digits, e.g. eastus' } },
  { title: 'cluster.update body: sku.capacity', data: withActions({ at: '1h', do: 'cluster.update', cluster: 'cl1', body: { sku: { name: 'CapacityReservation', capacity: -100 } } }), want: { path: 'actions[0].body.sku.capacity', found: '-100', expected: 'a whole number of GB per day, from 1 to 1000000' } },
  { title: 'cluster.create body: unknown top-level field', data: withActions({ at: '1h', do: 'cluster.create', cluster: 'cl1', body: { propreties: {} } }), want: { path: 'actions[0].body.propreties', found: 'unknown field "propreties"', expected: 'one of identity, sku, properties, location, tags' } },
  { title: 'workspace unknown', data: withActions({ at: '1h', do: 'workspace.unlink', workspace: 'nope' }), want: { path: 'actions[0].workspace', found: '"nope"', expected: 'a name of workspaces: wsp1' } },
  { title: 'link without cluster', data: withActions({ at: '1h', do: 'workspace.link', workspace: 'wsp1' }), want: { path: 'actions[0].cluster', found: 'nothing', expected: 'a name of clusters: cl1' } },
  { title: 'setIngest with nothing to set', data: withActions({ at: '1h', do: 'workspace.setIngest', workspace: 'wsp1' }), want: { path: 'actions[0]', expected: 'at least one of gbPerDay, recordsPerMinute (the new ingest workload)' } },
  { title: 'setIngest flat and grouped', data: withActions({ at: '1h', do: 'workspace.setIngest', workspace: 'wsp1', gbPerDay: 1, ingest: { recordsPerMinute: 2 } }), want: { path: 'actions[0].ingest', expected: 'either gbPerDay, recordsPerMinute or ingest: {...}, not both' } },
  { title: 'setQuery lookback', data: withActions({ at: '1h', do: 'workspace.setQuery', workspace: 'wsp1', query: { lookback: 60 } }), want: { path: 'actions[0].query.lookback', found: '60', expected: DURATION_EXPECTED } },
  { title: 'lockbox decision', data: withActions({ at: '1h', do: 'lockbox.request', workspace: 'wsp1', decision: 'maybe', after: '1h' }), want: { path: 'actions[0].decision', found: '"maybe"', expected: 'one of approve, reject' } },
  { title: 'lockbox after', data: withActions({ at: '1h', do: 'lockbox.request', workspace: 'wsp1', decision: 'approve', after: '-5m' }), want: { path: 'actions[0].after', found: '"-5m"', expected: DURATION_EXPECTED } },

  // expectations
  { title: 'expect metric empty', data: edit((d) => (d.expect = [{ metric: '', equals: 0 }])), want: { path: 'expect[0].metric', found: '""', expected: 'a metric: a dotted path into sla.json, e.g. totals.query.availability' } },
  { title: 'expect without comparison', data: edit((d) => (d.expect = [{ metric: 'totals.query.failed' }])), want: { path: 'expect[0]', found: 'no comparison', expected: 'exactly one of equals, atLeast, atMost, lessThan, greaterThan' } },
  { title: 'expect two comparisons', data: edit((d) => (d.expect = [{ metric: 'totals.query.failed', equals: 0, atLeast: 1 }])), want: { path: 'expect[0]', found: 'equals and atLeast', expected: 'exactly one of equals, atLeast, atMost, lessThan, greaterThan' } },
  { title: 'expect bound not a number', data: edit((d) => (d.expect = [{ metric: 'totals.query.availability', atLeast: 'high' }])), want: { path: 'expect[0].atLeast', found: '"high"', expected: 'a number' } },
  { title: 'expect equals a list', data: edit((d) => (d.expect = [{ metric: 'operations', equals: [1] }])), want: { path: 'expect[0].equals', found: '[1]', expected: 'a number, text, true, false or null' } },
  { title: 'expect unknown op with hint', data: edit((d) => (d.expect = [{ metric: 'x', greaterThen: 1 }])), want: { path: 'expect[0].greaterThen', expected: 'one of metric, equals, atLeast, atMost, lessThan, greaterThan; did you mean greaterThan?' } },

  // options
  { title: '--param without =', data: base(), options: { params: ['outageToUnavailable'] }, want: { file: '--param', path: '', found: '"outageToUnavailable"', expected: 'name=value, e.g. outageToUnavailable=45m' } },
  { title: '--param unknown name', data: base(), options: { params: ['outageToUnavaliable=3m'] }, want: { file: '--param', path: 'outageToUnavaliable', found: '"outageToUnavaliable"', expected: /^a parameter name: one of unwrapPollInterval, .*; did you mean outageToUnavailable\?$/ } },
  { title: '--param duration as a number', data: base(), options: { params: ['outageToUnavailable=30'] }, want: { file: '--param', path: 'outageToUnavailable', found: '30', expected: DURATION_EXPECTED } },
  { title: '--param range min > max', data: base(), options: { params: ['unwrapPollInterval=[6s, 1s]'] }, want: { file: '--param', path: 'unwrapPollInterval', found: '["6s","1s"]', expected: 'a range whose min is at most its max' } },
  { title: '--param range element', data: base(), options: { params: ['linkTime=1m..never'] }, want: { file: '--param', path: 'linkTime', found: '"never"', expected: DURATION_EXPECTED } },
  { title: '--param boolean', data: base(), options: { params: ['autoRotation=yes'] }, want: { file: '--param', path: 'autoRotation', found: '"yes"', expected: 'true or false' } },
  { title: '--param enum', data: base(), options: { params: ['delayMode=wrost'] }, want: { file: '--param', path: 'delayMode', found: '"wrost"', expected: 'one of uniform, worst, best; did you mean worst?' } },
  { title: '--param integer', data: base(), options: { params: ['hotCacheDays=-1'] }, want: { file: '--param', path: 'hotCacheDays', found: '-1', expected: 'a whole number from 0 to 730' } },
  { title: '--param empty value', data: base(), options: { params: ['sloTarget='] }, want: { file: '--param', path: 'sloTarget', found: '""', expected: 'a number from 0 to 1' } },
  { title: '--seed negative', data: base(), options: { seed: -1 }, want: { file: '--seed', path: '', found: '-1', expected: 'a whole number from 0 to 9007199254740991' } },
  { title: '--profile unknown', data: base(), options: { profile: '2019-01' }, want: { file: '--profile', path: '', found: '"2019-01"', expected: 'one of 2020-11, 2021-07, 2023-06, 2024-01, 2026-04, latest (latest: the newest, 2026-04)' } },
];

for (const c of cases) {
  test(`problem: ${c.title}`, () => {
    const data = typeof c.data === 'function' ? c.data() : c.data;
    assertProblem(problemsOfData(data, c.options), { file: c.want.file ?? 'test.json', ...c.want });
  });
}

test('a valid base for the problem cases (each case breaks only its own field)', () => {
  const s = fromData(base());
  assert.is(s.clusters[0]!.key!.vault, 'kv1');
});

test('a workspace linked to a cluster without a key is fine with setup: ready', () => {
  const s = fromData({ ...base(), clusters: [{ name: 'cl1' }] });
  assert.is(s.workspaces[0]!.cluster, 'cl1');
  assert.is(s.clusters[0]!.key, undefined);
});

test('the rules of Azure are left to the model: regions, tenants, recoverable keys, capacity, quotas load', () => {
  // setup: ready refuses these when it runs (cmk-sim validate runs it); the loader checks only schema and references.
  const data = base();
  data.keyVaults[0].region = 'westus';
  data.keyVaults[0].tenant = 'fabrikam';
  data.keyVaults[0].purgeProtection = false;
  data.clusters[0].capacityGBPerDay = 1;
  data.clusters.push({ name: 'cl2' }, { name: 'cl3' });
  data.workspaces = [{ name: 'wsp1', cluster: 'cl1', region: 'northeurope', tenant: 'other' }, { name: 'wsp2', cluster: 'cl1' }];
  const s = fromData({ ...data, params: { maxWorkspacesPerCluster: 1 } });
  assert.is(s.clusters.length, 3);
  assert.is(s.clusters[0]!.capacityGBPerDay, 1);
  assert.equal(s.workspaces.map((w) => w.cluster), ['cl1', 'cl1']);
});

test('cluster names: any of 1 to 100 letters, digits, ".", "_" and "-" (Azure\'s rule is cluster.create\'s)', () => {
  const names = ['c', 'cl-1', 'my_cluster.2', 'x'.repeat(100)];
  const s = fromData({ ...base(), clusters: names.map((name) => ({ name })), workspaces: [] });
  assert.equal(s.clusters.map((c) => c.name), names);
});

test('savedSearches: a whole number, 0 by default', () => {
  const data = base();
  data.workspaces.push({ name: 'wsp2', savedSearches: 25 });
  const s = fromData(data);
  assert.is(s.workspaces[0]!.savedSearches, 0);
  assert.is(s.workspaces[1]!.savedSearches, 25);
});

test('workspace.linkStorage: region is optional', () => {
  const s = fromData(
    withActions(
      { at: '1h', do: 'workspace.linkStorage', workspace: 'wsp1', type: 'Query', storageAccount: 'store1', region: 'westus' },
      { at: '2h', do: 'workspace.linkStorage', workspace: 'wsp1', type: 'Alerts', storageAccount: 'store2' },
    ),
  );
  assert.equal(s.actions, [
    { atMs: 3_600_000, do: 'workspace.linkStorage', workspace: 'wsp1', type: 'Query', storageAccount: 'store1', region: 'westus' },
    { atMs: 7_200_000, do: 'workspace.linkStorage', workspace: 'wsp1', type: 'Alerts', storageAccount: 'store2' },
  ]);
});

// ---------------------------------------------------------------------------
// Cluster request bodies, read by the model's parser (sim/azure/requests.ts)

test('cluster bodies: a valid body is kept as written', () => {
  const body = {
    identity: { type: 'SystemAssigned' },
    sku: { name: 'CapacityReservation', capacity: 500 },
    properties: { keyVaultProperties: { keyVaultUri: 'https://kv1.vault.azure.net', keyName: 'cmk', keyVersion: '' }, billingType: 'Cluster' },
  };
  const s = fromData(withActions({ at: '1h', do: 'cluster.create', cluster: 'cl1', body }, { at: '2h', do: 'cluster.update', cluster: 'cl1', body }));
  assert.equal(s.actions.map((a) => ('body' in a ? a.body : undefined)), [body, body]);
});

test('cluster bodies: kyName (the documentation\'s typo) is a problem inside the body, with the keyName hint', () => {
  const body = { properties: { keyVaultProperties: { keyVaultUri: 'https://kv1.vault.azure.net', kyName: 'cmk', keyVersion: 'v1' } } };
  const problems = problemsOfData(withActions({ at: '1h', do: 'cluster.update', cluster: 'cl1', body }));
  assert.is(problems.length, 1);
  assert.is(problems[0]!.file, 'test.json');
  assert.is(problems[0]!.path, 'actions[0].body.properties.keyVaultProperties.kyName');
  assert.is(problems[0]!.found, 'unknown field "kyName"');
  assert.match(problems[0]!.expected, /did you mean keyName\?/);
});

test('cluster bodies: every problem of a body is reported, at its path', () => {
  const body = {
    identity: { type: 'UserAssigned', principalId: 'x' },
    sku: { name: 'PerGB2018', capacity: 'lots' },
    properties: { billingType: 'PerGB', isDoubleEncryptionEnabled: 'yes', keyVaultProperties: { keyVaultUri: 'https://kv1.vault.azure.net', keyName: '' } },
    colour: 'blue',
  };
  const problems = problemsOfData(withActions({ at: '1h', do: 'cluster.create', cluster: 'cl1', body }, { at: '2h', do: 'cluster.update', cluster: 'cl1', body: { sku: { capacity: 0 } } }));
  assert.equal(
    problems.map((p) => [p.path, p.found]),
    [
      ['actions[0].body.colour', 'unknown field "colour"'],
      ['actions[0].body.identity.principalId', 'unknown field "principalId"'],
      ['actions[0].body.identity.userAssignedIdentities', 'nothing'],
      ['actions[0].body.sku.name', '"PerGB2018"'],
      ['actions[0].body.sku.capacity', '"lots"'],
      ['actions[0].body.properties.billingType', '"PerGB"'],
      ['actions[0].body.properties.isDoubleEncryptionEnabled', '"yes"'],
      ['actions[0].body.properties.keyVaultProperties.keyName', '""'],
      ['actions[1].body.sku.capacity', '0'],
    ],
  );
  assert.ok(problems.every((p) => p.file === 'test.json' && p.expected !== ''));
});

test('%YAML 1.1 is refused, not read with its other meanings (yes as true, 1:00:00 as 3600); %YAML 1.2 is YAML as usual', () => {
  const body = 'name: t\nduration: 1h\n';
  assert.equal(problemsOfYaml(`%YAML 1.1\n---\n${body}`), [{ file: 'test.yaml', path: '', found: 'a %YAML 1.1 directive', expected: 'YAML 1.2 (no %YAML line, or %YAML 1.2): under 1.1, yes is true and 1:00:00 is 3600' }]);
  assert.is(parseScenario(`%YAML 1.2\n---\n${body}`, 'test.yaml', 'yaml').durationMs, 3_600_000);
});

// ---------------------------------------------------------------------------
// ---------------------------------------------------------------------------
// Several problems at once

test('every problem of a file is reported, in one InputError', () => {
  const yaml = [
    'name: Bad_Name',
    'duration: 0s',
    'profile: 2099-01',
    'params:',
    '  outageToUnavailable: 30',
    '  delayMode: worse',
    'keyVaults:',
    '  - name: kv1',
    '    keys:',
    '      - { name: cmk, kty: oct-HSM, size: 2048 }',
    'clusters:',
    '  - { name: cl1, key: { vault: kv1, name: nokey } }',
    'actions:',
    '  - { at: 1h, do: keyVault.outage, vault: kv9, for: 45m }',
    '  - { at: 2h, do: key.rotate, vault: kv1, key: cmk, versoin: v5 }',
    'expect:',
    '  - { metric: totals.query.availability, atLeast: high }',
  ].join('\n');
  let error: unknown;
  try {
    parseScenario(yaml, 'many.yaml', 'yaml', { params: ['sloTarget=2'], seed: -3 });
  } catch (e) {
    error = e;
  }
  assert.instance(error, InputError);
  const problems = (error as InputError).problems;
  // The file's problems in file order, then those of the options.
  assert.equal(
    problems.map((p) => `${p.file}: ${p.path}`),
    [
      'many.yaml: name',
      'many.yaml: profile',
      'many.yaml: duration',
      'many.yaml: params.outageToUnavailable',
      'many.yaml: params.delayMode',
      'many.yaml: keyVaults[0].keys[0].size',
      'many.yaml: clusters[0].key.name',
      'many.yaml: actions[0].vault',
      'many.yaml: actions[1].versoin',
      'many.yaml: expect[0].atLeast',
      '--seed: ',
      '--param: sloTarget',
    ],
  );
  assert.is(problems.length, 12);
  // The message lists them all, one a line, with found and expected.
  const lines = (error as InputError).message.split('\n');
  assert.is(lines.length, 12);
  assert.ok(lines.includes('many.yaml: duration: found "0s"; expected a duration greater than 0'));
  assert.ok(lines.includes('--seed: found -3; expected a whole number from 0 to 9007199254740991'));
});

test('an unknown field is reported with the closest known name', () => {
  const problems = problemsOfYaml('name: t\nduration: 1h\nclusters:\n  - name: cl1\n    capacityGbPerDay: 1000\n    storageAcounts: 2\n    colour: blue\n');
  assert.equal(problems, [
    {
      file: 'test.yaml',
      path: 'clusters[0].capacityGbPerDay',
      found: 'unknown field "capacityGbPerDay"',
      expected: 'one of name, region, tenant, subscription, capacityGBPerDay, billingType, doubleEncryption, storageAccounts, key; did you mean capacityGBPerDay?',
    },
    {
      file: 'test.yaml',
      path: 'clusters[0].storageAcounts',
      found: 'unknown field "storageAcounts"',
      expected: 'one of name, region, tenant, subscription, capacityGBPerDay, billingType, doubleEncryption, storageAccounts, key; did you mean storageAccounts?',
    },
    {
      file: 'test.yaml',
      path: 'clusters[0].colour',
      found: 'unknown field "colour"',
      expected: 'one of name, region, tenant, subscription, capacityGBPerDay, billingType, doubleEncryption, storageAccounts, key',
    },
  ]);
});

// ---------------------------------------------------------------------------
// Syntax

test('a YAML syntax error is a problem with its line', () => {
  const problems = problemsOfYaml('name: t\nduration: 1h\nactions:\n  - { at: 1h, do: keyVault.outage\n  - oops: [\n');
  assert.ok(problems.length >= 1);
  assert.is(problems[0]!.file, 'test.yaml');
  assert.is(problems[0]!.path, '');
  assert.match(problems[0]!.found, /^a YAML syntax error at line \d+, column \d+: /);
  assert.is(problems[0]!.expected, 'valid YAML');
  assert.ok(problems.length <= 5, 'one error sets off others: a few lines at most');
});

test('a key written twice in YAML is a problem with its line', () => {
  const problems = problemsOfYaml('name: t\nduration: 1h\nname: u\n');
  assert.equal(problems, [{ file: 'test.yaml', path: '', found: 'a YAML syntax error at line 3, column 1: Map keys must be unique', expected: 'valid YAML' }]);
});

test('an unquoted [ inside a YAML flow mapping is a syntax error (quote the metric)', () => {
  const problems = problemsOfYaml('name: t\nduration: 1h\nexpect:\n  - { metric: operations[3].status, equals: Failed }\n');
  assert.match(problems[0]!.found, /^a YAML syntax error at line 4, /);
});

test('an empty file and a file that is not a mapping', () => {
  assert.equal(problemsOfYaml(''), [
    { file: 'test.yaml', path: '', found: 'nothing', expected: 'a scenario: a mapping with name, duration and the other fields of INTERFACE.md' },
  ]);
  assertProblem(problemsOfYaml('- name: t\n'), { path: '', found: '[{"name":"t"}]' });
});

test('a JSON syntax error is a problem', () => {
  const problems = problemsOf(() => parseScenario('{\n  "name": "t",\n  "duration": }\n', 'bad.json', 'json'));
  assert.is(problems.length, 1);
  assert.is(problems[0]!.file, 'bad.json');
  assert.match(problems[0]!.found, /^a JSON syntax error/);
  assert.is(problems[0]!.expected, 'valid JSON');
  const truncated = problemsOf(() => parseScenario('{\n  "name": "t"', 'cut.json', 'json'));
  assert.match(truncated[0]!.found, /^a JSON syntax error at line 2, column \d+: /);
});

// ---------------------------------------------------------------------------
// Files and built-in names

test('BUILTIN_DIR is the absolute path of scenarios/builtin', () => {
  assert.ok(isAbsolute(BUILTIN_DIR));
  assert.match(BUILTIN_DIR.replaceAll('\\', '/'), /\/scenarios\/builtin$/);
});

test('listBuiltins: every *.yaml, sorted by name, with its description', () => {
  assert.equal(listBuiltins(FIXTURE_BUILTINS), [
    { name: 'alpha', description: 'The smallest fixture built-in.', path: join(FIXTURE_BUILTINS, 'alpha.yaml') },
    { name: 'beta-outage', description: 'A fixture built-in with a vault outage.', path: join(FIXTURE_BUILTINS, 'beta-outage.yaml') },
    { name: 'no-description', description: '', path: join(FIXTURE_BUILTINS, 'no-description.yaml') },
  ]);
});

test('listBuiltins reads a description however the YAML writes it: folded, quoted over lines, in a flow mapping, by alias, or not a string', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cmk-sim-loader-'));
  const files: Record<string, string> = {
    folded: 'name: folded\ndescription: >\n  Folded over\n\n  two paragraphs.\n# a comment\nduration: 1d\n',
    quoted: 'name: quoted\ndescription: "A quoted line\n  that goes on: here # not a comment"\nduration: 1d\n',
    flow: '{name: flow, description: Written in a flow mapping, duration: 1d}\n',
    alias: 'name: &text By alias\ndescription: *text\nduration: 1d\n',
    number: 'name: number\ndescription: 42\nduration: 1d\n',
    nested: 'name: nested\nworkspaces:\n  - name: ws1\n    description: a workspace note\n',
  };
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, `${name}.yaml`), text);
    assert.equal(
      Object.fromEntries(listBuiltins(dir).map((b) => [b.name, b.description])),
      {
        alias: 'By alias',
        flow: 'Written in a flow mapping',
        folded: 'Folded over\ntwo paragraphs.\n',
        nested: '',
        number: '',
        quoted: 'A quoted line that goes on: here # not a comment',
      },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('listBuiltins: a missing or empty directory has none', () => {
  assert.equal(listBuiltins(join(FIXTURES, 'no-such-dir')), []);
  const empty = mkdtempSync(join(tmpdir(), 'cmk-sim-loader-'));
  try {
    assert.equal(listBuiltins(empty), []);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

test('a built-in name resolves to builtin:<name>', () => {
  assert.equal(resolveScenario('beta-outage', FIXTURE_BUILTINS), {
    path: join(FIXTURE_BUILTINS, 'beta-outage.yaml'),
    source: 'builtin:beta-outage',
    format: 'yaml',
  });
  const s = loadScenarioFrom(FIXTURE_BUILTINS, 'beta-outage', { seed: 5 });
  assert.is(s.source, 'builtin:beta-outage');
  assert.is(s.seed, 5);
  assert.equal(s.actions, [{ atMs: 3_600_000, do: 'keyVault.outage', vault: 'kv1', forMs: 45 * 60_000 }]);
});

test('a path to an existing file wins over a built-in name; .yml and .json by extension', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cmk-sim-loader-'));
  try {
    const yml = join(dir, 'mine.yml');
    writeFileSync(yml, 'name: mine\nduration: 2h\n');
    assert.equal(resolveScenario(yml, FIXTURE_BUILTINS), { path: yml, source: yml, format: 'yaml' });
    assert.is(loadScenario(yml).durationMs, 7_200_000);
    const json = join(dir, 'mine.json');
    writeFileSync(json, '{"name": "mine", "duration": "3h"}');
    assert.equal(resolveScenario(json, FIXTURE_BUILTINS).format, 'json');
    assert.is(loadScenario(json).durationMs, 3 * 3_600_000);
    const problems = problemsOf(() => loadScenario(json, { params: ['hotCacheDays=x'] }));
    assert.equal(problems, [{ file: '--param', path: 'hotCacheDays', found: '"x"', expected: 'a whole number from 0 to 730' }]);
    writeFileSync(json, '{"name": "mine"}');
    assert.equal(problemsOf(() => loadScenario(json)), [
      { file: json, path: 'duration', found: 'nothing', expected: `${DURATION_EXPECTED}, greater than 0` },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an unknown name or a missing file is a problem listing the built-ins', () => {
  assert.equal(problemsOf(() => resolveScenario('gamma', FIXTURE_BUILTINS)), [
    {
      file: 'gamma',
      path: '',
      found: '"gamma"',
      expected: 'a scenario file (.yaml, .yml, .json) or a built-in name: alpha, beta-outage, no-description',
    },
  ]);
  assert.equal(problemsOf(() => resolveScenario('missing/file', join(FIXTURES, 'no-such-dir'))), [
    {
      file: 'missing/file',
      path: '',
      found: '"missing/file"',
      expected: 'a scenario file (.yaml, .yml, .json) or a built-in name: (there are none)',
    },
  ]);
  // A .yaml, .yml or .json name is a file, and reading it says what is wrong with it.
  assert.equal(problemsOf(() => loadScenario('missing/file.yaml')), [{ file: 'missing/file.yaml', path: '', found: 'no such file', expected: 'a scenario file' }]);
  const folder = join(mkdtempSync(join(tmpdir(), 'cmk-loader-')), 'a-folder.json');
  mkdirSync(folder);
  assert.equal(problemsOf(() => loadScenario(folder)), [{ file: folder, path: '', found: 'a folder', expected: 'a scenario file' }]);
  // A file of another kind is not a scenario file.
  assertProblem(
    problemsOf(() => resolveScenario(join(FIXTURE_BUILTINS, 'readme.txt'), FIXTURE_BUILTINS)),
    { path: '', expected: /^a scenario file \(\.yaml, \.yml, \.json\) or a built-in name: alpha, / },
  );
  assertProblem(
    problemsOf(() => loadScenario('no-such-scenario-name')),
    { file: 'no-such-scenario-name', found: '"no-such-scenario-name"' },
  );
});

test.run();
