// DOMAIN.md "Control plane (asynchronous operations)", rule by rule, in the
// documentation's words: every rule once refused (status, code, a message
// naming the cause) and once accepted when its condition is met. Scenarios
// start from nothing (setup: none) and make the documented requests as
// actions; durations are fixed through params so completions are exact.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseScenario } from '../scenarios/load.ts';
import { PROFILE_DEFAULTS } from '../sim/azure/profiles.ts';
import { InputError } from '../sim/input-error.ts';
import type { Operation } from '../sim/result.ts';
import type { SimEvent } from '../sim/observe/events.ts';
import type { Scenario } from '../sim/scenario.ts';
import { DAY, HOUR, MINUTE, run, scenario, type Run, type ScenarioInput } from './helpers.ts';

// ---- building blocks --------------------------------------------------------

/** oct-HSM keys: no RSA key generation, so the whole file stays fast. */
const KV = { name: 'kv1', keys: [{ name: 'cmk', kty: 'oct-HSM' }] };
const FAST = {
  clusterProvisionTime: ['10m', '10m'],
  keyUpdateTime: ['1m', '1m'],
  linkTime: ['1m', '1m'],
  unlinkTime: ['1m', '1m'],
  clusterDeleteTime: ['5m', '5m'],
};
const PROVISION = 10 * MINUTE;
const KEY_UPDATE = MINUTE;
const LINK = MINUTE;
const DELETE = 5 * MINUTE;
const ALL = ['get', 'wrapKey', 'unwrapKey'];
/** Records per 5-minute slice of the workspaces below (10 per minute). */
const PER_SLICE = 50;

const ws = (name: string, extra: Record<string, unknown> = {}) => ({ name, ingest: { gbPerDay: 1, recordsPerMinute: 10 }, query: { perHour: 6, lookback: '1h' }, ...extra });
/** A workspace that ingests nothing: for rules where only the requests matter. */
const idle = (name: string, extra: Record<string, unknown> = {}) => ws(name, { ingest: { gbPerDay: 0, recordsPerMinute: 0 }, query: { perHour: 0, lookback: '1h' }, ...extra });
const cl = (name: string, extra: Record<string, unknown> = {}) => ({ name, storageAccounts: 1, ...extra });

const keyProps = (keyVersion = 'v1', keyName = 'cmk', vault = 'kv1') => ({ keyVaultUri: `https://${vault}.vault.azure.net`, keyName, keyVersion });
const keyBody = (keyVersion = 'v1', keyName = 'cmk', vault = 'kv1') => ({ properties: { keyVaultProperties: keyProps(keyVersion, keyName, vault) } });

const create = (at: string, cluster = 'cl1', body?: unknown) => ({ at, do: 'cluster.create', cluster, ...(body === undefined ? {} : { body }) });
const grant = (at: string, principal = 'cl1', permissions: string[] = ALL, vault = 'kv1') => ({ at, do: 'accessPolicy.set', vault, principal, permissions });
const update = (at: string, body: unknown, cluster = 'cl1') => ({ at, do: 'cluster.update', cluster, body });
const link = (at: string, workspace = 'ws1', cluster = 'cl1') => ({ at, do: 'workspace.link', workspace, cluster });
const unlink = (at: string, workspace = 'ws1') => ({ at, do: 'workspace.unlink', workspace });
const remove = (at: string, cluster = 'cl1') => ({ at, do: 'cluster.delete', cluster });

/**
 * The documented provisioning steps: create (Succeeded at 10m), grant get,
 * wrapKey and unwrapKey, set the key at 11m (Succeeded at 12m). Operations 0, 1, 2.
 */
const KEYED = [create('0s'), grant('11m'), update('11m', keyBody())];

/** Nothing exists before t=0: vault kv1 (oct-HSM key cmk, version v1), cluster cl1, workspace ws1, fixed durations. */
function bare(input: ScenarioInput = {}): Scenario {
  return scenario({
    duration: '6h',
    keyVaults: [KV],
    clusters: [cl('cl1')],
    workspaces: [idle('ws1')],
    ...input,
    setup: 'none',
    params: { ...FAST, ...input.params },
  });
}

function op(r: Run, index: number): Operation {
  const operation = r.result.operations[index];
  assert.ok(operation !== undefined, `operation ${index} of ${r.result.operations.length}`);
  return operation;
}

/** Events of one type (also the types that share a variant, like operation.refused and operation.failed). */
function eventsOf<T extends SimEvent['type']>(r: Run, type: T): (SimEvent & { type: T })[] {
  return r.events.filter((e): e is SimEvent & { type: T } => e.type === type);
}

/** Refused at once: Failed, the status and code, a message with every word given, and the timeline's operation.refused. */
function assertRefused(r: Run, index: number, httpStatus: number, code: string, ...words: string[]): Operation {
  const o = op(r, index);
  const seen = `${o.action} ${o.target}: ${o.status} ${o.httpStatus} ${o.code}: ${o.message}`;
  assert.is(o.status, 'Failed', seen);
  assert.is(o.httpStatus, httpStatus, seen);
  assert.is(o.code, code, seen);
  for (const word of words) assert.ok(o.message?.includes(word), `the message names "${word}": ${o.message}`);
  assert.is(o.completedAtMs, o.atMs, 'refused at once');
  const event = eventsOf(r, 'operation.refused').find((e) => e.operationId === o.id);
  assert.ok(event !== undefined && event.code === code && event.httpStatus === httpStatus && event.message === o.message, 'the timeline has the refusal');
  return o;
}

/** Succeeded, durationMs after it was made (0: at once), with the timeline's operation.succeeded. */
function assertSucceeded(r: Run, index: number, durationMs: number): Operation {
  const o = op(r, index);
  const seen = `${o.action} ${o.target}: ${o.status} ${o.httpStatus} ${o.code}: ${o.message}`;
  assert.is(o.status, 'Succeeded', seen);
  assert.is(o.httpStatus, 200, seen);
  assert.is(o.code, null, seen);
  assert.is(o.completedAtMs, o.atMs + durationMs, `${seen}: completed ${durationMs} ms after ${o.atMs}`);
  assert.ok(r.of('operation.succeeded').some((e) => e.operationId === o.id && e.t === o.completedAtMs), 'the timeline has the completion');
  return o;
}

/** Accepted as an asynchronous operation with this status. */
function assertAccepted(r: Run, index: number, status: string): void {
  const o = op(r, index);
  assert.ok(r.of('operation.accepted').some((e) => e.operationId === o.id && e.status === status && e.t === o.atMs), `${o.id} accepted as ${status}`);
}

// ---- cluster create ---------------------------------------------------------

test('cluster create: "Some operations are long and can take a while to complete -- these are cluster create": InProgress, then Succeeded after clusterProvisionTime', () => {
  const r = run(bare({ actions: [create('0s')] }));
  assertAccepted(r, 0, 'InProgress');
  assertSucceeded(r, 0, PROVISION);
  assert.is(r.result.clusters.cl1!.provisioningState, 'Succeeded');
});

test('cluster name: not 3 to 63 letters and digits is refused (400 InvalidClusterName)', () => {
  const long = `c${'1'.repeat(63)}`;
  const r = run(bare({ clusters: [cl('c1'), cl('my-cluster'), cl(long)], workspaces: [], params: { maxClustersPerRegion: 10 }, actions: [create('0s', 'c1'), create('0s', 'my-cluster'), create('0s', long)] }));
  assertRefused(r, 0, 400, 'InvalidClusterName', '"c1"', '3 to 63 letters and digits');
  assertRefused(r, 1, 400, 'InvalidClusterName', '"my-cluster"', '3 to 63 letters and digits');
  assertRefused(r, 2, 400, 'InvalidClusterName', long);
  assert.is(r.result.clusters.c1!.provisioningState, null, 'never created');
});

test('cluster name: 3 to 63 letters and digits is accepted', () => {
  const longest = `C${'9'.repeat(62)}`;
  const r = run(bare({ clusters: [cl('abc'), cl(longest)], workspaces: [], actions: [create('0s', 'abc'), create('0s', longest)] }));
  assertSucceeded(r, 0, PROVISION);
  assertSucceeded(r, 1, PROVISION);
});

test('"The max number of cluster per region and subscription is 2": a third is refused (400 ClusterQuotaExceeded)', () => {
  assert.is(PROFILE_DEFAULTS['2020-11'].maxClustersPerRegion, 2);
  const r = run(bare({ clusters: [cl('cl1'), cl('cl2'), cl('cl3')], workspaces: [], actions: [create('0s', 'cl1'), create('0s', 'cl2'), create('0s', 'cl3'), create('1h', 'cl3')] }));
  assertSucceeded(r, 0, PROVISION);
  assertSucceeded(r, 1, PROVISION);
  // Clusters still provisioning count, and so do provisioned ones.
  assertRefused(r, 2, 400, 'ClusterQuotaExceeded', 'sub1', 'eastus', 'the max number of cluster per region and subscription is 2');
  assertRefused(r, 3, 400, 'ClusterQuotaExceeded', 'is 2');
});

test('clusters per region and subscription: the third is created once one is deleted, or in another region or subscription', () => {
  const r = run(
    bare({
      clusters: [cl('cl1'), cl('cl2'), cl('cl3'), cl('cl4', { region: 'westus' }), cl('cl5', { subscription: 'sub2' })],
      workspaces: [],
      actions: [create('0s', 'cl1'), create('0s', 'cl2'), create('0s', 'cl4'), create('0s', 'cl5'), remove('20m', 'cl1'), create('30m', 'cl3')],
    }),
  );
  assertSucceeded(r, 2, PROVISION);
  assertSucceeded(r, 3, PROVISION);
  assertSucceeded(r, 4, DELETE);
  // 2020-11 counts active clusters only: a deleted one frees its place.
  assertSucceeded(r, 5, PROVISION);
});

// 2021-07: cl1, cl2 made and deleted, cl3, cl4 made, cl3 deleted: 1 active + 3 deleted in the last 14 days.
const CHURN_2021 = [
  create('0s', 'cl1'),
  create('0s', 'cl2'),
  remove('20m', 'cl1'),
  remove('20m', 'cl2'),
  create('30m', 'cl3'),
  create('30m', 'cl4'),
  remove('50m', 'cl3'),
];
const FIVE = ['cl1', 'cl2', 'cl3', 'cl4', 'cl5'].map((name) => cl(name));

test('profile 2021-07: "2 active, 4 including deleted": a cluster is refused while 4 exist or were deleted in the last 14 days (400 ClusterQuotaExceeded)', () => {
  const r = run(bare({ profile: '2021-07', duration: '2h', clusters: FIVE, workspaces: [], actions: [...CHURN_2021, create('1h', 'cl5')] }));
  for (const i of [0, 1, 4, 5]) assertSucceeded(r, i, PROVISION);
  assertRefused(r, 7, 400, 'ClusterQuotaExceeded', '1 clusters and 3 deleted in the last 14 days', 'at most 4 including deleted ones');
  // The same churn is fine in 2020-11, which counts active clusters only.
  const r2020 = run(bare({ duration: '2h', clusters: FIVE, workspaces: [], actions: [...CHURN_2021, create('1h', 'cl5')] }));
  assertSucceeded(r2020, 7, PROVISION);
});

test('profile 2021-07: clusters made and deleted in another region, or another subscription, do not count toward "4 including deleted"', () => {
  for (const where of [{ region: 'westus' }, { subscription: 'sub2' }]) {
    // Elsewhere: 1 active and 3 deleted in the last 14 days, the limit; here: cl6, then cl5, 2 active.
    const elsewhere = ['cl1', 'cl2', 'cl3', 'cl4'].map((name) => cl(name, where));
    const r = run(bare({ profile: '2021-07', duration: '2h', clusters: [...elsewhere, cl('cl5'), cl('cl6')], workspaces: [], actions: [...CHURN_2021, create('55m', 'cl6'), create('1h', 'cl5')] }));
    assertSucceeded(r, 7, PROVISION);
    assertSucceeded(r, 8, PROVISION);
  }
});

test('profile 2021-07: active clusters in other regions and subscriptions count toward neither limit here', () => {
  const others = [cl('cl1', { region: 'westus' }), cl('cl2', { region: 'westus' }), cl('cl3', { subscription: 'sub2' }), cl('cl4', { subscription: 'sub2' })];
  const r = run(bare({ profile: '2021-07', clusters: [...others, cl('cl5')], workspaces: [], actions: [...others.map((c) => create('0s', c.name)), create('1h', 'cl5')] }));
  for (let i = 0; i < 5; i++) assertSucceeded(r, i, PROVISION);
});

test('profile 2021-07: the cluster is created once the deleted ones are 14 days old', () => {
  const r = run(bare({ profile: '2021-07', duration: '15d', clusters: FIVE, workspaces: [], actions: [...CHURN_2021, create('14d20m', 'cl5'), create('14d25m', 'cl5')] }));
  // cl1 and cl2 were deleted at 25m: they still count at 14d20m, no longer at 14d25m.
  assertRefused(r, 7, 400, 'ClusterQuotaExceeded', 'at most 4 including deleted ones');
  assertSucceeded(r, 8, PROVISION);
});

test('profile 2023-06: "5 active": a sixth cluster is refused (400 ClusterQuotaExceeded)', () => {
  const r = run(bare({ profile: '2023-06', clusters: [...FIVE, cl('cl6')], workspaces: [], actions: [...FIVE.map((c) => create('0s', c.name)), create('0s', 'cl6')] }));
  for (let i = 0; i < 5; i++) assertSucceeded(r, i, PROVISION);
  assertRefused(r, 5, 400, 'ClusterQuotaExceeded', 'the max number of cluster per region and subscription is 5');
});

test('profile 2023-06: the sixth cluster is created once one of the five is deleted', () => {
  const r = run(bare({ profile: '2023-06', clusters: [...FIVE, cl('cl6')], workspaces: [], actions: [...FIVE.map((c) => create('0s', c.name)), remove('20m', 'cl1'), create('30m', 'cl6')] }));
  assertSucceeded(r, 5, DELETE);
  assertSucceeded(r, 6, PROVISION);
});

test('profile 2023-06: "7 including deleted": with 4 active and 3 deleted in the last 14 days a cluster is refused (400 ClusterQuotaExceeded), and created once the deleted ones are 14 days old', () => {
  const eight = ['cl1', 'cl2', 'cl3', 'cl4', 'cl5', 'cl6', 'cl7', 'cl8'].map((name) => cl(name));
  const churn = [...FIVE.map((c) => create('0s', c.name)), remove('20m', 'cl1'), remove('20m', 'cl2'), remove('20m', 'cl3'), create('30m', 'cl6'), create('30m', 'cl7')];
  const r = run(bare({ profile: '2023-06', duration: '15d', clusters: eight, workspaces: [], actions: [...churn, create('1h', 'cl8'), create('14d25m', 'cl8')] }));
  assertSucceeded(r, 8, PROVISION);
  assertSucceeded(r, 9, PROVISION);
  assertRefused(r, 10, 400, 'ClusterQuotaExceeded', '4 clusters and 3 deleted in the last 14 days', 'at most 7 including deleted ones');
  assertSucceeded(r, 11, PROVISION);
});

test('"The cluster name remains reserved during the soft-delete period": a name deleted less than 14 days ago is refused (409 Conflict)', () => {
  assert.is(PROFILE_DEFAULTS['2020-11'].clusterNameReservation, 14 * DAY);
  const r = run(bare({ duration: '15d', workspaces: [], actions: [create('0s'), remove('20m'), create('1h'), create('14d24m')] }));
  assertSucceeded(r, 1, DELETE);
  assertRefused(r, 2, 409, 'Conflict', 'cl1', 'reserved', '14 days', 'soft-delete period');
  // Deleted at 25m: still reserved a minute before the 14 days are over.
  assertRefused(r, 3, 409, 'Conflict', 'reserved');
});

test('"The name is released after the soft-delete period when the cluster is permanently deleted": the same create succeeds clusterNameReservation after the delete', () => {
  const r = run(bare({ duration: '15d', workspaces: [], actions: [create('0s'), remove('20m'), create('14d25m')] }));
  assertSucceeded(r, 1, DELETE);
  assert.is(op(r, 2).atMs, op(r, 1).completedAtMs! + 14 * DAY);
  assertSucceeded(r, 2, PROVISION);
  assert.is(r.result.clusters.cl1!.provisioningState, 'Succeeded');
});

test('a cluster name in use is refused (409 Conflict)', () => {
  const r = run(bare({ workspaces: [], actions: [create('0s'), create('20m')] }));
  assertRefused(r, 1, 409, 'Conflict', 'already exists');
});

const sku = (capacity: number) => ({ sku: { name: 'CapacityReservation', capacity } });

test('"Capacity Reservation pricing model starting at 1000 GB/day": less, or a value between tiers, is refused (400 InvalidCapacityReservation) with the tiers in the message, in the body or the cluster', () => {
  const r = run(
    bare({
      clusters: [cl('cl1'), cl('cl2', { capacityGBPerDay: 500 })],
      workspaces: [],
      actions: [create('0s', 'cl1', sku(999)), create('0s', 'cl2'), create('1h', 'cl1'), update('2h', sku(500)), update('3h', sku(1234)), update('4h', sku(3100))],
    }),
  );
  assertRefused(r, 0, 400, 'InvalidCapacityReservation', '999 GB/day', '1000, 1100, 1200');
  assertRefused(r, 1, 400, 'InvalidCapacityReservation', '500 GB/day', '2900, 3000 GB/day');
  // "Update capacity reservation in cluster" keeps to the tiers too.
  assertRefused(r, 3, 400, 'InvalidCapacityReservation', '500 GB/day');
  assertRefused(r, 4, 400, 'InvalidCapacityReservation', '1234 GB/day');
  assertRefused(r, 5, 400, 'InvalidCapacityReservation', '3100 GB/day');
  assert.is(r.result.clusters.cl1!.settings!.capacityGBPerDay, 1000);
});

test('2020-11: a capacity reservation from 1000 to 3000 GB/day in steps of 100 is accepted, at create and in an update, raised or lowered at any time (no commitment stated)', () => {
  const r = run(bare({ workspaces: [], actions: [create('0s', 'cl1', sku(1000)), update('1h', sku(2000)), update('2h', sku(1100))] }));
  assertSucceeded(r, 0, PROVISION);
  assertSucceeded(r, 1, 0);
  assertSucceeded(r, 2, 0);
  assert.is(r.result.clusters.cl1!.settings!.capacityGBPerDay, 1100);
});

test('2021-07 and 2023-06 ("starting at 500 GB per day"): 500, 1000, 2000 or 5000 only; 100 and 1234 GB/day are refused', () => {
  for (const profile of ['2021-07', '2023-06'] as const) {
    const tiers = [500, 1000, 2000, 5000];
    const refused = [100, 400, 1234, 10_000];
    const clusters = [...tiers, ...refused].map((_, i) => cl(`cl${i}`));
    const r = run(bare({ profile, params: { maxClustersPerRegion: 20, maxClustersPerRegionIncludingDeleted: 20 }, clusters, workspaces: [], actions: [...tiers, ...refused].map((c, i) => create('0s', `cl${i}`, sku(c))) }));
    tiers.forEach((c, i) => assert.is(r.result.clusters[`cl${i}`]!.settings!.capacityGBPerDay, c, `${profile} ${c}`));
    refused.forEach((c, i) => assertRefused(r, tiers.length + i, 400, 'InvalidCapacityReservation', `${c} GB/day`, '500, 1000, 2000, 5000 GB/day'));
  }
});

test('2024-01 and 2026-04: the tiers 100, 200, 300, 400, 500, 1000, 2000, 5000, 10000, 25000, 50000 GB/day, and nothing between them', () => {
  const tiers = [100, 200, 300, 400, 500, 1000, 2000, 5000, 10_000, 25_000, 50_000];
  assert.equal(PROFILE_DEFAULTS['2024-01'].capacityTiersGBPerDay, tiers);
  assert.equal(PROFILE_DEFAULTS['2026-04'].capacityTiersGBPerDay, tiers);
  const r = run(bare({ profile: '2024-01', clusters: [cl('cl1'), cl('cl2')], workspaces: [], actions: [create('0s', 'cl1', sku(100)), create('0s', 'cl2', sku(150))] }));
  assertSucceeded(r, 0, PROVISION);
  assertRefused(r, 1, 400, 'InvalidCapacityReservation', '150 GB/day', '100, 200, 300, 400, 500, 1000, 2000, 5000, 10000, 25000, 50000 GB/day');
});

test('"A commitment tier can be increased any time, but has 31 days commitment period before it can be reduced" (2021-07 and later): lowering within 31 days of creation or of a raise is refused (400 CapacityCommitmentPeriod); after it, accepted', () => {
  const r = run(
    bare({
      profile: '2024-01',
      duration: '70d',
      workspaces: [],
      actions: [create('0s', 'cl1', sku(500)), update('1d', sku(1000)), update('2d', sku(500)), update('31d', sku(500)), update('32d', sku(500)), update('40d', sku(200)), update('63d', sku(100))],
    }),
  );
  assertSucceeded(r, 0, PROVISION);
  assertSucceeded(r, 1, 0); // raised a day after creation: increased any time
  assertRefused(r, 2, 400, 'CapacityCommitmentPeriod', 'cannot be reduced to 500 GB/day', '+32d', '31d commitment period');
  assertRefused(r, 3, 400, 'CapacityCommitmentPeriod'); // 31 days after creation, but 30 after the raise
  assertSucceeded(r, 4, 0); // 31 days after the raise
  assertRefused(r, 5, 400, 'CapacityCommitmentPeriod'); // the lower tier holds 31 days too
  assertSucceeded(r, 6, 0);
  assert.is(r.result.clusters.cl1!.settings!.capacityGBPerDay, 100);
});

test('the same tier asked for again is no raise: it starts no new commitment, and the history records a tier only when it changes', () => {
  const r = run(bare({ profile: '2024-01', duration: '40d', workspaces: [], actions: [create('0s', 'cl1', sku(500)), update('20d', sku(500)), update('32d', sku(100))] }));
  assertSucceeded(r, 1, 0);
  assertSucceeded(r, 2, 0); // 32 days after the tier was set, 12 after it was asked for again
  assert.equal(eventsOf(r, 'cluster.capacitySet').map((e) => [e.t, e.capacityGBPerDay]), [[0, 500], [32 * DAY, 100]]);
});

test('a parameter of earlier versions is named with what replaced it: minCapacityGBPerDay is capacityTiersGBPerDay now', () => {
  try {
    bare({ params: { minCapacityGBPerDay: 500 } });
    assert.unreachable('loaded');
  } catch (error) {
    assert.instance(error, InputError);
    const problems = (error as InputError).problems;
    assert.is(problems.length, 1);
    assert.is(problems[0]!.path, 'params.minCapacityGBPerDay');
    assert.match(problems[0]!.expected, /^capacityTiersGBPerDay/);
  }
});

test('"If you create a cluster and specify the KeyVaultProperties immediately, the operation may fail since the access policy can\'t be defined until system identity is assigned" (400 KeyVaultPropertiesOnCreate)', () => {
  const r = run(bare({ workspaces: [], actions: [grant('0s'), create('0s', 'cl1', keyBody())] }));
  assertRefused(r, 1, 400, 'KeyVaultPropertiesOnCreate', 'keyVaultProperties', "the access policy can't be defined until system identity is assigned");
  assert.is(r.result.clusters.cl1!.provisioningState, null);
});

test('create the cluster, grant the permissions, then "Update KeyVaultProperties in cluster with key identifier details": Updating, then Succeeded after keyUpdateTime', () => {
  const r = run(bare({ workspaces: [], actions: KEYED }));
  assertSucceeded(r, 0, PROVISION);
  assertSucceeded(r, 1, 0);
  assertAccepted(r, 2, 'Updating');
  assertSucceeded(r, 2, KEY_UPDATE);
  assert.equal(r.result.clusters.cl1!.keyVaultProperties, keyProps());
  assert.is(r.of('storage.keyConfigured').map((e) => `${e.entity}@${e.t}:${e.version}`).join(), `cl1/0@${12 * MINUTE}:v1`);
});

test('"Double encryption setting can not be changed after the cluster has been created" (400 DoubleEncryptionImmutable)', () => {
  const r = run(
    bare({
      clusters: [cl('cl1'), cl('cl2')],
      workspaces: [],
      actions: [
        create('0s', 'cl1', { properties: { isDoubleEncryptionEnabled: false } }),
        create('0s', 'cl2'),
        update('1h', { properties: { isDoubleEncryptionEnabled: true } }, 'cl1'),
        update('1h', { properties: { isDoubleEncryptionEnabled: false } }, 'cl2'),
      ],
    }),
  );
  assertSucceeded(r, 0, PROVISION);
  assertRefused(r, 2, 400, 'DoubleEncryptionImmutable', 'can not be changed after the cluster has been created', 'false');
  // "configured automatically for clusters created from October 2020": on unless the request turns it off.
  assertRefused(r, 3, 400, 'DoubleEncryptionImmutable', 'can not be changed after the cluster has been created', 'true');
  assert.is(r.result.clusters.cl1!.settings!.doubleEncryption, false);
  assert.is(r.result.clusters.cl2!.settings!.doubleEncryption, true);
});

test('"If you create a cluster and get an error \'<region-name> doesn\'t support Double Encryption for clusters.\', you can still create the cluster without Double Encryption" (400 DoubleEncryptionNotSupported)', () => {
  const r = run(
    bare({
      clusters: [cl('cl1', { region: 'southafricawest' }), cl('cl2')],
      workspaces: [],
      params: { doubleEncryptionUnsupportedRegions: ['southafricawest'] },
      actions: [create('0s', 'cl1'), create('1m', 'cl1', { properties: { isDoubleEncryptionEnabled: false } }), create('1m', 'cl2')],
    }),
  );
  assertRefused(r, 0, 400, 'DoubleEncryptionNotSupported', "southafricawest doesn't support Double Encryption for clusters", 'isDoubleEncryptionEnabled": false');
  assertSucceeded(r, 1, PROVISION);
  assert.is(r.result.clusters.cl1!.settings!.doubleEncryption, false);
  // Other regions are not concerned.
  assertSucceeded(r, 2, PROVISION);
  assert.is(r.result.clusters.cl2!.settings!.doubleEncryption, true);
});

test('setup: ready in a region without double encryption names the cluster\'s doubleEncryption field', () => {
  const input = { duration: '1h', keyVaults: [KV], clusters: [cl('cl1', { region: 'southafricawest' })], workspaces: [], params: { doubleEncryptionUnsupportedRegions: ['southafricawest'] } };
  try {
    run(scenario(input));
    assert.unreachable('setup went through');
  } catch (error) {
    assert.instance(error, InputError);
    assert.is((error as InputError).problems[0]!.path, 'clusters[0].doubleEncryption');
    assert.match((error as InputError).problems[0]!.found, 'DoubleEncryptionNotSupported');
  }
  assert.is(run(scenario({ ...input, clusters: [cl('cl1', { region: 'southafricawest', doubleEncryption: false })] })).result.clusters.cl1!.settings!.doubleEncryption, false);
});

test('double encryption: the value the cluster was created with is accepted in an update', () => {
  const r = run(bare({ workspaces: [], actions: [create('0s', 'cl1', { properties: { isDoubleEncryptionEnabled: false } }), update('1h', { properties: { isDoubleEncryptionEnabled: false } })] }));
  assertSucceeded(r, 1, 0);
  assert.is(r.result.clusters.cl1!.settings!.doubleEncryption, false);
});

test('identity and key in one request are refused (400 InvalidRequest)', () => {
  const body = { identity: { type: 'SystemAssigned' }, properties: { keyVaultProperties: keyProps() } };
  const r = run(bare({ workspaces: [], actions: [create('0s'), grant('11m'), update('11m', body)] }));
  assertRefused(r, 2, 400, 'InvalidRequest', 'identity', 'keyVaultProperties', 'one request');
  assert.is(r.result.clusters.cl1!.keyVaultProperties, null);
});

test('identity first, then the key: both succeed', () => {
  const r = run(bare({ workspaces: [], actions: [create('0s'), grant('11m'), update('11m', { identity: { type: 'SystemAssigned' } }), update('12m', keyBody())] }));
  assertSucceeded(r, 2, 0);
  assertSucceeded(r, 3, KEY_UPDATE);
  assert.equal(r.result.clusters.cl1!.keyVaultProperties, keyProps());
});

test('"If you update your cluster while it\'s at the provisioning state, or updating state, the update fails", listed as "400 - Operation can\'t be executed now. Wait for the Async operation to complete and try again" (400 OperationInProgress)', () => {
  const r = run(bare({ workspaces: [], actions: [...KEYED, update('11m30s', { properties: { billingType: 'Workspaces' } }), update('11m40s', keyBody())] }));
  assertAccepted(r, 2, 'Updating');
  assertRefused(r, 3, 400, 'OperationInProgress', "operation can't be executed now on cluster cl1", 'Wait for the Async operation to complete and try again');
  assertRefused(r, 4, 400, 'OperationInProgress', 'in progress');
  assert.is(r.result.clusters.cl1!.settings!.billingType, 'Cluster');
  assertSucceeded(r, 2, KEY_UPDATE);
});

test('the same update succeeds once the operation in progress completed', () => {
  const r = run(bare({ workspaces: [], actions: [...KEYED, update('12m30s', { properties: { billingType: 'Workspaces' } })] }));
  assertSucceeded(r, 2, KEY_UPDATE);
  assertSucceeded(r, 3, 0);
  assert.is(r.result.clusters.cl1!.settings!.billingType, 'Workspaces');
});

test('"This step should be performed only after the completion of the Log Analytics cluster provisioning": a key update while provisioning is refused (400 ClusterNotReady)', () => {
  const r = run(bare({ workspaces: [], actions: [create('0s'), grant('0s'), update('5m', keyBody())] }));
  assertRefused(r, 2, 400, 'ClusterNotReady', 'cl1', 'still provisioning', 'the update fails');
  assert.is(r.result.clusters.cl1!.keyVaultProperties, null);
});

test('"400 - Cluster is in deleting state. Wait for the Async operation to complete and try again": an update while the cluster is deleted (400 ClusterDeleting)', () => {
  const r = run(bare({ workspaces: [], actions: [...KEYED, remove('20m'), update('21m', { properties: { billingType: 'Workspaces' } })] }));
  assertAccepted(r, 3, 'Deleting');
  assertRefused(r, 4, 400, 'ClusterDeleting', 'cluster cl1 is in deleting state', 'Wait for the Async operation to complete');
});

test('the same key update succeeds once provisioning is Succeeded', () => {
  const r = run(bare({ workspaces: [], actions: [create('0s'), grant('0s'), update('10m1s', keyBody())] }));
  assertSucceeded(r, 2, KEY_UPDATE);
});

// ---- key update: the vault and the key ----------------------------------------

test('"The Azure Key Vault must be configured as recoverable": without soft delete, or without purge protection, the key update is refused (400 KeyVaultNotRecoverable)', () => {
  const vaults = [
    { name: 'kvnosoft', softDelete: false, keys: [{ name: 'cmk', kty: 'oct-HSM' }] },
    { name: 'kvnopurge', purgeProtection: false, keys: [{ name: 'cmk', kty: 'oct-HSM' }] },
  ];
  const r = run(
    bare({
      keyVaults: vaults,
      workspaces: [],
      actions: [create('0s'), grant('0s', 'cl1', ALL, 'kvnosoft'), grant('0s', 'cl1', ALL, 'kvnopurge'), update('11m', keyBody('v1', 'cmk', 'kvnosoft')), update('12m', keyBody('v1', 'cmk', 'kvnopurge'))],
    }),
  );
  assertRefused(r, 3, 400, 'KeyVaultNotRecoverable', 'key is not recoverable', 'kvnosoft', 'soft delete and purge protection');
  assertRefused(r, 4, 400, 'KeyVaultNotRecoverable', 'key is not recoverable', 'kvnopurge');
  assert.is(r.result.clusters.cl1!.keyVaultProperties, null);
});

test('"both Soft delete and Purge protection should be enabled": the same key update against a recoverable vault succeeds', () => {
  // Nothing in a scenario turns soft delete or purge protection on later: the recoverable vault is another one.
  const vaults = [
    { name: 'kvnosoft', softDelete: false, keys: [{ name: 'cmk', kty: 'oct-HSM' }] },
    { name: 'kvgood', softDelete: true, purgeProtection: true, keys: [{ name: 'cmk', kty: 'oct-HSM' }] },
  ];
  const r = run(bare({ keyVaults: vaults, workspaces: [], actions: [create('0s'), grant('0s', 'cl1', ALL, 'kvgood'), update('11m', keyBody('v1', 'cmk', 'kvgood'))] }));
  assertSucceeded(r, 2, KEY_UPDATE);
  assert.equal(r.result.clusters.cl1!.keyVaultProperties, keyProps('v1', 'cmk', 'kvgood'));
});

test('"Key permissions: select \'Get\', \'Wrap Key\' and \'Unwrap Key\'": each one missing is refused, naming it (400 KeyVaultPermissionMissing)', () => {
  const r = run(
    bare({
      workspaces: [],
      actions: [
        create('0s'),
        update('11m', keyBody()),
        grant('20m', 'cl1', ['wrapKey', 'unwrapKey']),
        update('20m', keyBody()),
        grant('30m', 'cl1', ['get', 'unwrapKey']),
        update('30m', keyBody()),
        grant('40m', 'cl1', ['get', 'wrapKey']),
        update('40m', keyBody()),
      ],
    }),
  );
  assertRefused(r, 1, 400, 'KeyVaultPermissionMissing', 'the access policy of Key Vault kv1', 'lacks get, wrapKey, unwrapKey;');
  // "If you update existing cluster with KeyVaultProperties and 'Get' key Access Policy is missing in Key Vault, the operation will fail."
  assertRefused(r, 3, 400, 'KeyVaultPermissionMissing', 'lacks get;');
  assertRefused(r, 5, 400, 'KeyVaultPermissionMissing', 'lacks wrapKey;');
  assertRefused(r, 7, 400, 'KeyVaultPermissionMissing', 'lacks unwrapKey;');
});

test('the same key update succeeds once get, wrapKey and unwrapKey are granted', () => {
  const r = run(bare({ workspaces: [], actions: [create('0s'), grant('20m', 'cl1', ['wrapKey', 'unwrapKey']), update('20m', keyBody()), grant('30m'), update('30m', keyBody())] }));
  assertRefused(r, 2, 400, 'KeyVaultPermissionMissing', 'get');
  assertSucceeded(r, 4, KEY_UPDATE);
});

test('a key that does not exist in the vault is refused (404 KeyNotFound)', () => {
  const r = run(bare({ workspaces: [], actions: [create('0s'), grant('0s'), update('11m', keyBody('v1', 'other'))] }));
  assertRefused(r, 2, 404, 'KeyNotFound', 'other', 'kv1');
});

test('a deleted key is refused (404 KeyNotFound), and accepted again once recovered', () => {
  const r = run(
    bare({
      workspaces: [],
      actions: [create('0s'), grant('0s'), { at: '5m', do: 'key.delete', vault: 'kv1', key: 'cmk' }, update('11m', keyBody()), { at: '20m', do: 'key.recover', vault: 'kv1', key: 'cmk' }, update('21m', keyBody())],
    }),
  );
  assertRefused(r, 3, 404, 'KeyNotFound', 'key cmk does not exist in Key Vault kv1');
  assertSucceeded(r, 4, 0);
  assertSucceeded(r, 5, KEY_UPDATE);
});

test('a key version that does not exist is refused (404 KeyVersionNotFound)', () => {
  const r = run(bare({ workspaces: [], actions: [create('0s'), grant('0s'), update('11m', keyBody('v2'))] }));
  assertRefused(r, 2, 404, 'KeyVersionNotFound', 'no version v2', 'versions: v1');
});

test('the same version is accepted once it exists (key.rotate)', () => {
  const r = run(bare({ workspaces: [], actions: [create('0s'), grant('0s'), { at: '11m', do: 'key.rotate', vault: 'kv1', key: 'cmk' }, update('12m', keyBody('v2'))] }));
  assertSucceeded(r, 3, KEY_UPDATE);
  assert.is(r.of('storage.keyConfigured')[0]!.version, 'v2');
});

test('a disabled key version is refused (400 KeyDisabled)', () => {
  const r = run(bare({ workspaces: [], actions: [create('0s'), grant('0s'), { at: '5m', do: 'key.disable', vault: 'kv1', key: 'cmk', version: 'v1' }, update('11m', keyBody())] }));
  assertRefused(r, 3, 400, 'KeyDisabled', 'cmk', 'v1', 'disabled');
});

test('the same key update succeeds once the version is enabled again', () => {
  const r = run(
    bare({
      workspaces: [],
      actions: [create('0s'), grant('0s'), { at: '5m', do: 'key.disable', vault: 'kv1', key: 'cmk' }, update('11m', keyBody()), { at: '20m', do: 'key.enable', vault: 'kv1', key: 'cmk' }, update('21m', keyBody())],
    }),
  );
  assertRefused(r, 3, 400, 'KeyDisabled', 'disabled');
  assertSucceeded(r, 5, KEY_UPDATE);
});

test('an expired key version is refused (400 KeyExpired)', () => {
  const r = run(bare({ workspaces: [], actions: [create('0s'), grant('0s'), { at: '1m', do: 'key.setExpiry', vault: 'kv1', key: 'cmk', exp: '5m' }, update('11m', keyBody())] }));
  assertRefused(r, 3, 400, 'KeyExpired', 'cmk', 'v1', 'expired');
});

test('the same key update succeeds once the expiry is in the future', () => {
  const r = run(
    bare({
      workspaces: [],
      actions: [create('0s'), grant('0s'), { at: '1m', do: 'key.setExpiry', vault: 'kv1', key: 'cmk', exp: '5m' }, update('11m', keyBody()), { at: '20m', do: 'key.setExpiry', vault: 'kv1', key: 'cmk', exp: '30d' }, update('21m', keyBody())],
    }),
  );
  assertRefused(r, 3, 400, 'KeyExpired', 'expired');
  assertSucceeded(r, 5, KEY_UPDATE);
});

/** The cluster keyed with v1 at 12m; v1 expires at 1h; a second version v2 exists. */
const EXPIRING = [...KEYED, { at: '30m', do: 'key.rotate', vault: 'kv1', key: 'cmk' }, { at: '30m', do: 'key.setExpiry', vault: 'kv1', key: 'cmk', version: 'v1', exp: '1h' }];

test('profile 2026-04 (expiredKeyBlocksClusterUpdates): "When the key expires, ingestion and queries aren\'t affected, but you can\'t update the key in the cluster": every update is refused (400 CurrentKeyExpired) until the expiry is extended', () => {
  const r = run(
    bare({
      params: { expiredKeyBlocksClusterUpdates: true },
      workspaces: [ws('ws1')],
      actions: [
        ...EXPIRING,
        link('20m'),
        update('2h', keyBody('v2')),
        update('2h1m', { sku: { name: 'CapacityReservation', capacity: 2000 } }),
        { at: '2h2m', do: 'cluster.setIdentity', cluster: 'cl1', type: 'SystemAssigned' },
        { at: '3h', do: 'key.setExpiry', vault: 'kv1', key: 'cmk', version: 'v1', exp: '30d' },
        update('3h1m', keyBody('v2')),
      ],
    }),
  );
  // Operations: create, grant, key v1, rotate, expiry, link, then the three refused updates, the new expiry, the key update.
  assertRefused(r, 6, 400, 'CurrentKeyExpired', 'kv1/cmk version v1', 'expired at +1h', "you can't update the cluster", 'extend the key expiration date');
  assertRefused(r, 7, 400, 'CurrentKeyExpired', 'expired');
  assertRefused(r, 8, 400, 'CurrentKeyExpired', 'expired');
  assertSucceeded(r, 10, KEY_UPDATE);
  assert.is(r.result.clusters.cl1!.keyVaultProperties!.keyVersion, 'v2');
  // "Ingestion and queries aren't affected": an expired key still unwraps.
  assert.is(r.result.incidents.length, 0);
  assert.is(r.result.totals.ingestion.droppedRecords, 0);
  assert.is(r.result.totals.query.failed, 0);
});

test('profiles before 2026-04: an expired current key blocks no update; only a key update to an expired version is refused (400 KeyExpired)', () => {
  for (const profile of ['2020-11', '2021-07', '2023-06']) {
    const r = run(bare({ profile, workspaces: [], actions: [...EXPIRING, update('2h', { sku: { name: 'CapacityReservation', capacity: 2000 } }), update('2h1m', keyBody('v2')), update('2h10m', keyBody('v1'))] }));
    assertSucceeded(r, 5, 0);
    assertSucceeded(r, 6, KEY_UPDATE);
    assertRefused(r, 7, 400, 'KeyExpired', 'v1', 'expired');
  }
});

test('"Your Azure Key Vault, cluster and linked workspaces must be in the same region and in the same Azure Active Directory (Azure AD) tenant": a vault elsewhere is refused (400 RegionMismatch, 400 TenantMismatch)', () => {
  const vaults = [
    { name: 'kvwest', region: 'westus', keys: [{ name: 'cmk', kty: 'oct-HSM' }] },
    { name: 'kvfab', tenant: 'fabrikam', keys: [{ name: 'cmk', kty: 'oct-HSM' }] },
  ];
  const r = run(
    bare({
      keyVaults: vaults,
      workspaces: [],
      actions: [create('0s'), grant('0s', 'cl1', ALL, 'kvwest'), grant('0s', 'cl1', ALL, 'kvfab'), update('11m', keyBody('v1', 'cmk', 'kvwest')), update('12m', keyBody('v1', 'cmk', 'kvfab'))],
    }),
  );
  assertRefused(r, 3, 400, 'RegionMismatch', 'kvwest', 'westus', 'eastus', 'same region');
  assertRefused(r, 4, 400, 'TenantMismatch', 'kvfab', 'fabrikam', 'contoso', 'same Azure AD tenant');
});

test('a key update naming no Key Vault the cluster can find is refused (400 KeyVaultNotFound), naming the URI', () => {
  const r = run(bare({ workspaces: [], actions: [create('0s'), grant('0s'), update('11m', keyBody('v1', 'cmk', 'kvnone')), update('12m', keyBody())] }));
  assertRefused(r, 2, 400, 'KeyVaultNotFound', 'https://kvnone.vault.azure.net');
  assertSucceeded(r, 3, KEY_UPDATE);
});

test('a key update while Key Vault does not answer is refused (400 KeyVaultUnreachable); the same update succeeds once it answers again', () => {
  const outage = { at: '10m', do: 'keyVault.outage', vault: 'kv1', for: '30m' };
  const r = run(bare({ workspaces: [], actions: [create('0s'), grant('0s'), outage, update('11m', keyBody()), update('41m', keyBody())] }));
  const [refused, succeeded] = r.result.operations.filter((o) => o.action === 'cluster.update');
  assert.ok(refused !== undefined && succeeded !== undefined);
  assertRefused(r, r.result.operations.indexOf(refused), 400, 'KeyVaultUnreachable', 'kv1', 'did not answer');
  assertSucceeded(r, r.result.operations.indexOf(succeeded), KEY_UPDATE);
});

test('a cluster without an identity cannot be given a key (400 IdentityRequired): made with identity None, or set to None', () => {
  const madeWithout = run(bare({ workspaces: [], actions: [create('0s', 'cl1', { identity: { type: 'None' } }), grant('0s'), update('11m', keyBody())] }));
  assert.is(madeWithout.result.clusters.cl1!.settings!.identityType, 'None');
  assertRefused(madeWithout, 2, 400, 'IdentityRequired', 'cl1', 'no identity');
  const setToNone = run(bare({ workspaces: [], actions: [create('0s'), grant('0s'), { at: '11m', do: 'cluster.setIdentity', cluster: 'cl1', type: 'None' }, update('12m', keyBody())] }));
  assertRefused(setToNone, 3, 400, 'IdentityRequired', 'no identity');
  const withIdentity = run(bare({ workspaces: [], actions: [create('0s', 'cl1', { identity: { type: 'SystemAssigned' } }), grant('0s'), update('11m', keyBody())] }));
  assertSucceeded(withIdentity, 2, KEY_UPDATE);
});

test('the same key update succeeds with a vault in the cluster\'s region and tenant', () => {
  const vaults = [KV, { name: 'kvwest', region: 'westus', keys: [{ name: 'cmk', kty: 'oct-HSM' }] }];
  const r = run(bare({ keyVaults: vaults, workspaces: [], actions: [create('0s'), grant('0s', 'cl1', ALL, 'kvwest'), update('11m', keyBody('v1', 'cmk', 'kvwest')), grant('12m'), update('12m', keyBody())] }));
  assertRefused(r, 2, 400, 'RegionMismatch', 'kvwest');
  assertSucceeded(r, 4, KEY_UPDATE);
});

test('cluster keys are RSA or RSA-HSM: an oct-HSM (AES) key is refused (400 KeyTypeNotSupported); the model accepts it only with the modelShortcutOctKeys shortcut, which is not Azure', () => {
  const vault = { name: 'kv1', keys: [{ name: 'aes', kty: 'oct-HSM' }, { name: 'rsa', kty: 'RSA', size: 2048 }] };
  const actions = [create('0s'), grant('0s'), update('11m', keyBody('v1', 'aes')), update('12m', keyBody('v1', 'rsa'))];
  const azure = run(bare({ keyVaults: [vault], workspaces: [], actions, params: { modelShortcutOctKeys: false } }));
  assertRefused(azure, 2, 400, 'KeyTypeNotSupported', 'key aes in Key Vault kv1 is oct-HSM', 'the key type is not supported: use RSA or RSA-HSM 2048, 3072 or 4096');
  assertSucceeded(azure, 3, KEY_UPDATE);
  const shortcut = run(bare({ keyVaults: [vault], workspaces: [], actions: actions.slice(0, 3), params: { modelShortcutOctKeys: true } }));
  assertSucceeded(shortcut, 2, KEY_UPDATE);
});

test('setup: ready with an oct-HSM cluster key and no shortcut is bad input naming the cluster\'s key', () => {
  try {
    run(scenario({ keyVaults: [KV], params: { modelShortcutOctKeys: false } }));
    assert.unreachable('setup set an oct-HSM key');
  } catch (error) {
    assert.instance(error, InputError);
    const problems = (error as InputError).problems;
    assert.is(problems[0]!.path, 'clusters[0].key');
    assert.match(problems[0]!.found, /400 KeyTypeNotSupported/);
  }
});

test('setup: ready with key version "" follows the newest version where the profile has auto-rotation, and is refused naming the cluster\'s key where it has not (400 KeyVersionRequired)', () => {
  const versionless = { clusters: [{ name: 'cl1', storageAccounts: 1, key: { vault: 'kv1', name: 'cmk', version: '' } }], actions: [{ at: '1h', do: 'key.rotate', vault: 'kv1', key: 'cmk' }], duration: '2d' };
  const r = run(scenario({ ...versionless, profile: '2023-06' }));
  assert.is(r.result.clusters.cl1!.keyVaultProperties!.keyVersion, '');
  assert.equal(r.of('key.rotationFollowed').map((e) => e.version), ['v2']);
  try {
    run(scenario({ ...versionless, profile: '2020-11' }));
    assert.unreachable('2020-11 set an empty key version');
  } catch (error) {
    assert.instance(error, InputError);
    const [problem] = (error as InputError).problems;
    assert.is(problem!.path, 'clusters[0].key');
    assert.match(problem!.found, /400 KeyVersionRequired/);
  }
});

test('setup: ready with a capacity that is no commitment tier, or a third cluster in a region, names the field the refusal is about', () => {
  const refusedAt = (input: Parameters<typeof scenario>[0]) => {
    try {
      run(scenario(input));
    } catch (error) {
      assert.instance(error, InputError);
      return (error as InputError).problems.map((p) => `${p.path}: ${/400 (\w+)/.exec(p.found)?.[1]}`);
    }
    return assert.unreachable('setup accepted it');
  };
  assert.equal(refusedAt({ clusters: [{ name: 'cl1', capacityGBPerDay: 1234, key: { vault: 'kv1', name: 'cmk' } }] }), ['clusters[0].capacityGBPerDay: InvalidCapacityReservation']);
  // "The max number of cluster per region and subscription is 2": the quota is the region's and subscription's, so the cluster itself is named.
  const three = ['cl1', 'cl2', 'cl3'].map((name) => ({ name, key: { vault: 'kv1', name: 'cmk' } }));
  assert.equal(refusedAt({ clusters: three, workspaces: [] }), ['clusters[2]: ClusterQuotaExceeded']);
});

test('a malformed body is refused with the field path (400 InvalidRequestBody)', () => {
  // The documentation's own example misspells keyName as "kyName". The loader refuses it in a file, with the path:
  const data = (body: unknown) => JSON.stringify({ name: 't', duration: '1h', setup: 'none', params: FAST, keyVaults: [KV], clusters: [cl('cl1')], actions: [create('0s'), grant('0s'), update('11m', body)] });
  const typo = { properties: { keyVaultProperties: { keyVaultUri: 'https://kv1.vault.azure.net', kyName: 'cmk', keyVersion: 'v1' } } };
  try {
    parseScenario(data(typo), 't.json', 'json');
    assert.unreachable('the loader accepts a body with kyName');
  } catch (error) {
    assert.instance(error, InputError);
    assert.ok((error as InputError).problems.some((p) => p.path === 'actions[2].body.properties.keyVaultProperties.kyName' && p.expected.includes('did you mean keyName?')));
  }
  // A request made at run time (a program, not a file) gets the model's answer.
  const malformed = [typo, { sku: { name: 'CapacityReservation', capacity: -5 } }, { properties: { isDoubleEncryptionEnabled: 'yes' } }, { identity: { type: 'Assigned' } }];
  const s = bare({ workspaces: [], actions: [create('0s'), grant('0s'), ...malformed.map((_, i) => update(`${11 + i}m`, {}))] });
  malformed.forEach((body, i) => ((s.actions[2 + i] as { body: unknown }).body = body));
  const r = run(s);
  assertRefused(r, 2, 400, 'InvalidRequestBody', 'properties.keyVaultProperties.kyName', 'did you mean keyName?');
  assertRefused(r, 3, 400, 'InvalidRequestBody', 'sku.capacity', '-5');
  assertRefused(r, 4, 400, 'InvalidRequestBody', 'properties.isDoubleEncryptionEnabled', '"yes"');
  assertRefused(r, 5, 400, 'InvalidRequestBody', 'identity.type', '"Assigned"');
});

test('the corrected body succeeds', () => {
  const s = bare({ workspaces: [], actions: [create('0s'), grant('0s'), update('11m', {}), update('12m', {})] });
  (s.actions[2] as { body: unknown }).body = { properties: { keyVaultProperties: { keyVaultUri: 'https://kv1.vault.azure.net', kyName: 'cmk', keyVersion: 'v1' } } };
  (s.actions[3] as { body: unknown }).body = keyBody();
  const r = run(s);
  assertRefused(r, 2, 400, 'InvalidRequestBody', 'kyName');
  assertSucceeded(r, 3, KEY_UPDATE);
});

test('"Setting the cluster identity to None revokes access and cannot be undone" (400 IdentityCannotBeRestored)', () => {
  const r = run(
    bare({
      actions: [...KEYED, { at: '1h', do: 'cluster.setIdentity', cluster: 'cl1', type: 'None' }, { at: '2h', do: 'cluster.setIdentity', cluster: 'cl1', type: 'SystemAssigned' }, update('3h', { identity: { type: 'SystemAssigned' } })],
    }),
  );
  assertSucceeded(r, 3, 0);
  assertRefused(r, 4, 400, 'IdentityCannotBeRestored', 'cl1', 'None', 'cannot be undone');
  assertRefused(r, 5, 400, 'IdentityCannotBeRestored', 'cannot be undone');
  assert.is(r.result.clusters.cl1!.settings!.identityType, 'None');
  assert.is(r.of('storage.revoked')[0]?.reason, 'identityNone', 'the identity set to None revokes access');
  // Each operation is recorded as the action the scenario wrote, so operations[i].action reads as the file does.
  assert.equal(r.result.operations.slice(3).map((o) => o.action), ['cluster.setIdentity', 'cluster.setIdentity', 'cluster.update']);
});

test('identity: SystemAssigned on a cluster that never lost it, and None again on one that did, are accepted', () => {
  const r = run(bare({ workspaces: [], actions: [create('0s'), update('11m', { identity: { type: 'SystemAssigned' } }), { at: '20m', do: 'cluster.setIdentity', cluster: 'cl1', type: 'None' }, { at: '30m', do: 'cluster.setIdentity', cluster: 'cl1', type: 'None' }] }));
  assertSucceeded(r, 1, 0);
  assertSucceeded(r, 2, 0);
  assertSucceeded(r, 3, 0);
  assert.is(r.of('cluster.identitySet').length, 1);
});

// ---- cluster delete -----------------------------------------------------------

test('cluster delete while provisioning is refused (409 Conflict)', () => {
  const r = run(bare({ workspaces: [], actions: [create('0s'), remove('5m')] }));
  assertRefused(r, 1, 409, 'Conflict', 'cl1', 'provisioning');
  assertSucceeded(r, 0, PROVISION);
});

test('"cluster delete" once provisioned: Deleting, then Succeeded after clusterDeleteTime', () => {
  const r = run(bare({ workspaces: [], actions: [create('0s'), remove('11m')] }));
  assertAccepted(r, 1, 'Deleting');
  assertSucceeded(r, 1, DELETE);
  assert.equal(r.result.clusters.cl1, { provisioningState: null, keyVaultProperties: null, settings: null });
  assert.ok(eventsOf(r, 'storage.deleted').some((e) => e.entity === 'cl1/0' && e.t === 16 * MINUTE));
});

test('a delete of a cluster nobody created is refused (404 ResourceNotFound); a delete while a key update runs is refused (409 Conflict)', () => {
  const r = run(bare({ clusters: [cl('cl1'), cl('cl2')], workspaces: [], actions: [...KEYED, remove('11m30s'), remove('20m', 'cl2')] }));
  assertRefused(r, 3, 409, 'Conflict', 'an operation is in progress on cluster cl1');
  assertRefused(r, 4, 404, 'ResourceNotFound', 'cluster cl2 does not exist');
  assert.is(r.result.clusters.cl1!.provisioningState, 'Succeeded');
});

test('a link to a cluster being deleted is refused (409 Conflict)', () => {
  const r = run(bare({ actions: [create('0s'), remove('11m'), link('12m')] }));
  assertRefused(r, 2, 409, 'Conflict', 'cluster cl1 is being deleted');
  assert.is(r.result.workspaces.ws1!.cluster, null);
});

test('deleting a cluster unlinks its own workspaces, and no other cluster\'s', () => {
  const r = run(
    bare({
      clusters: [cl('cl1'), cl('cl2')],
      workspaces: [ws('ws1'), ws('ws2')],
      actions: [create('0s', 'cl1'), create('0s', 'cl2'), link('11m', 'ws1', 'cl1'), link('11m', 'ws2', 'cl2'), remove('30m', 'cl1')],
    }),
  );
  assertSucceeded(r, 4, DELETE);
  assert.is(r.result.workspaces.ws1!.cluster, null);
  assert.is(r.result.workspaces.ws2!.cluster, 'cl2');
  const routes = (workspace: string) => eventsOf(r, 'workspace.routed').filter((e) => e.entity === workspace).map((e) => e.storage);
  assert.equal(routes('ws1').slice(-2), ['cl1/0', 'shared/0']);
  assert.equal(routes('ws2').slice(-1), ['cl2/0']);
  assert.ok(r.result.workspaces.ws2!.ingestion.storedMmkRecords > 0);
});

// ---- workspace link -------------------------------------------------------------

test('"Workspace link to cluster should be carried ONLY after you have verified that the Log Analytics cluster provisioning was completed. Data sent to your workspace prior to the completion will be dropped": accepted, records dropped as notProvisioned, then stored', () => {
  const r = run(bare({ duration: '2h', params: { clusterProvisionTime: ['30m', '30m'] }, workspaces: [ws('ws1')], actions: [create('0s'), link('2m')] }));
  assertAccepted(r, 1, 'InProgress');
  assertSucceeded(r, 1, LINK);
  const i = r.result.workspaces.ws1!.ingestion;
  // Slices land every 5 minutes: those of 5m to 25m reach a cluster still provisioning; from 30m on it is Succeeded.
  assert.is(i.droppedByReason.notProvisioned, 5 * PER_SLICE);
  assert.is(i.storedMmkRecords, (24 - 5) * PER_SLICE, 'stored (no key yet: Microsoft keys) once provisioning completed');
  assert.is(i.offeredRecords, 24 * PER_SLICE);
  assert.is(r.result.workspaces.ws1!.storage, 'cl1/0');
});

test('a workspace linked after provisioning completed loses nothing', () => {
  const r = run(bare({ duration: '2h', params: { clusterProvisionTime: ['30m', '30m'] }, workspaces: [ws('ws1')], actions: [create('0s'), link('30m1s')] }));
  assertSucceeded(r, 1, LINK);
  const i = r.result.workspaces.ws1!.ingestion;
  assert.is(i.droppedRecords, 0);
  assert.is(i.storedMmkRecords, i.offeredRecords);
});

test('workspace link: "Customer-Managed key capability is regional": a workspace in another region or tenant is refused (400 RegionMismatch, 400 TenantMismatch)', () => {
  const r = run(bare({ workspaces: [idle('ws1', { region: 'westus' }), idle('ws2', { tenant: 'fabrikam' })], actions: [create('0s'), link('11m', 'ws1'), link('11m', 'ws2')] }));
  assertRefused(r, 1, 400, 'RegionMismatch', 'ws1', 'westus', 'eastus', 'same region');
  assertRefused(r, 2, 400, 'TenantMismatch', 'ws2', 'fabrikam', 'contoso', 'same Azure AD tenant');
  assert.is(r.result.workspaces.ws1!.cluster, null);
});

test('workspace link: a workspace in the cluster\'s region and tenant, another subscription, is linked ("they can be in different subscriptions")', () => {
  const r = run(bare({ workspaces: [idle('ws1', { subscription: 'sub2' })], actions: [create('0s'), link('11m')] }));
  assertSucceeded(r, 1, LINK);
  assert.is(r.result.workspaces.ws1!.cluster, 'cl1');
});

test('"Workspace link to cluster will fail if it is linked to another cluster" (409 WorkspaceLinkedToAnotherCluster)', () => {
  const r = run(bare({ clusters: [cl('cl1'), cl('cl2')], actions: [create('0s', 'cl1'), create('0s', 'cl2'), link('11m', 'ws1', 'cl1'), link('20m', 'ws1', 'cl2')] }));
  assertRefused(r, 3, 409, 'WorkspaceLinkedToAnotherCluster', 'ws1', 'cl1', 'linked to another cluster');
  assert.is(r.result.workspaces.ws1!.cluster, 'cl1');
});

test('the same link succeeds once the workspace is unlinked', () => {
  // linkOpsPer30Days 3: link, unlink and link again are three link operations.
  const r = run(bare({ clusters: [cl('cl1'), cl('cl2')], params: { linkOpsPer30Days: 3 }, actions: [create('0s', 'cl1'), create('0s', 'cl2'), link('11m', 'ws1', 'cl1'), unlink('20m'), link('30m', 'ws1', 'cl2')] }));
  assertSucceeded(r, 3, LINK);
  assertSucceeded(r, 4, LINK);
  assert.is(r.result.workspaces.ws1!.cluster, 'cl2');
});

test('"The maximum of linked workspaces to cluster is 1000" (maxWorkspacesPerCluster 2 here): one more is refused (400 WorkspaceLimitReached)', () => {
  assert.is(PROFILE_DEFAULTS['2020-11'].maxWorkspacesPerCluster, 1000);
  const r = run(bare({ params: { maxWorkspacesPerCluster: 2 }, workspaces: [idle('ws1'), idle('ws2'), idle('ws3')], actions: [create('0s'), link('11m', 'ws1'), link('11m', 'ws2'), link('15m', 'ws3')] }));
  assertRefused(r, 3, 400, 'WorkspaceLimitReached', 'cl1', 'the maximum of linked workspaces to cluster is 2');
  assert.is(r.result.workspaces.ws3!.cluster, null);
});

test('the maximum of linked workspaces holds with links still in progress', () => {
  const r = run(bare({ params: { maxWorkspacesPerCluster: 2 }, workspaces: [idle('ws1'), idle('ws2'), idle('ws3')], actions: [create('0s'), link('11m', 'ws1'), link('11m', 'ws2'), link('11m', 'ws3')] }));
  const linked = Object.values(r.result.workspaces).filter((w) => w.cluster === 'cl1').length;
  assert.ok(linked <= 2, `${linked} workspaces linked to a cluster whose maximum is 2`);
  assertRefused(r, 3, 400, 'WorkspaceLimitReached', 'the maximum of linked workspaces to cluster is 2');
});

test('the same link succeeds once another workspace is unlinked', () => {
  const r = run(bare({ params: { maxWorkspacesPerCluster: 2 }, workspaces: [idle('ws1'), idle('ws2'), idle('ws3')], actions: [create('0s'), link('11m', 'ws1'), link('11m', 'ws2'), unlink('20m', 'ws1'), link('30m', 'ws3')] }));
  assertSucceeded(r, 3, LINK);
  assertSucceeded(r, 4, LINK);
  assert.is(r.result.workspaces.ws3!.cluster, 'cl1');
});

test('"The number of workspace link operations on particular workspace is limited to 2 in a period of 30 days" (400 LinkOperationsLimitReached); 30 days after the first it succeeds', () => {
  assert.is(PROFILE_DEFAULTS['2020-11'].linkOpsPer30Days, 2);
  const r = run(bare({ duration: '32d', actions: [create('0s'), link('11m'), unlink('1h'), link('2h'), link('30d10m'), link('30d11m')] }));
  assertSucceeded(r, 1, LINK);
  assertSucceeded(r, 2, LINK);
  assertRefused(r, 3, 400, 'LinkOperationsLimitReached', 'ws1', 'limited to 2 in a period of 30 days');
  // A minute before the first operation is 30 days old it still counts.
  assertRefused(r, 4, 400, 'LinkOperationsLimitReached');
  assert.is(op(r, 5).atMs, op(r, 1).atMs + 30 * DAY);
  assertSucceeded(r, 5, LINK);
  assert.is(r.result.workspaces.ws1!.cluster, 'cl1');
});

test('"You can unlink workspaces from the cluster at any time": past the limit of link operations an unlink succeeds, and counts toward the next link', () => {
  // A limit of one: the link is all it allows.
  const r = run(bare({ duration: '3d', params: { linkOpsPer30Days: 1 }, actions: [create('0s'), link('11m'), unlink('1h'), link('2h')] }));
  assertSucceeded(r, 1, LINK);
  // The second operation in 30 days, an unlink: not refused.
  assertSucceeded(r, 2, MINUTE);
  assert.equal(eventsOf(r, 'workspace.routed').filter((e) => e.entity === 'ws1').map((e) => e.storage).slice(-1), ['shared/0']);
  assertRefused(r, 3, 400, 'LinkOperationsLimitReached', 'ws1', 'limited to 1 in a period of 30 days');
  assert.is(r.result.workspaces.ws1!.cluster, null);
});

test('a link or unlink while another is in progress on the workspace is refused (409 Conflict)', () => {
  const r = run(bare({ actions: [create('0s'), link('11m'), unlink('11m30s'), unlink('12m30s')] }));
  assertRefused(r, 2, 409, 'Conflict', 'in progress on workspace ws1');
  assertSucceeded(r, 3, MINUTE);
});

test('a link to a cluster the scenario names but nobody created is refused (404 ResourceNotFound)', () => {
  const r = run(bare({ clusters: [cl('cl1'), cl('cl2')], actions: [create('0s'), link('11m', 'ws1', 'cl2')] }));
  assertRefused(r, 1, 404, 'ResourceNotFound', 'cluster cl2 does not exist');
  assert.is(r.result.workspaces.ws1!.cluster, null);
});

test('a link to the cluster the workspace is already linked to succeeds at once and is no link operation: the limit still lets a later link through', () => {
  // linkOpsPer30Days 3: link, unlink and link again are three; the repeated link between them is not a fourth.
  const r = run(bare({ params: { linkOpsPer30Days: 3 }, actions: [create('0s'), link('11m'), link('20m'), unlink('30m'), link('40m')] }));
  const again = op(r, 2);
  assert.is(again.status, 'Succeeded');
  assert.is(again.completedAtMs, again.atMs, 'completed at once');
  assert.not.ok(r.of('operation.accepted').some((e) => e.operationId === again.id), 'no operation runs for it');
  assertSucceeded(r, 4, LINK);
  assert.is(r.result.workspaces.ws1!.cluster, 'cl1');
});

test('a link to the cluster the workspace is being unlinked from, while the unlink runs, is refused (409 Conflict)', () => {
  const r = run(bare({ params: { unlinkTime: ['10m', '10m'] }, actions: [create('0s'), link('11m'), unlink('20m'), link('25m')] }));
  assertRefused(r, 3, 409, 'Conflict', 'in progress on workspace ws1');
  assert.is(r.result.workspaces.ws1!.cluster, null, 'the unlink went through');
});

test('a link whose cluster is deleted while it runs fails (409 Conflict): the workspace stays in shared storage', () => {
  const r = run(bare({ params: { linkTime: ['10m', '10m'] }, workspaces: [ws('ws1')], actions: [create('0s'), link('11m'), remove('12m')] }));
  const o = op(r, 1);
  assert.is(o.status, 'Failed');
  assert.is(o.httpStatus, 409);
  assert.is(o.code, 'Conflict');
  assert.match(o.message ?? '', 'cluster cl1 was deleted while the link was in progress');
  assert.is(o.completedAtMs, 11 * MINUTE + 10 * MINUTE);
  assert.ok(eventsOf(r, 'operation.failed').some((e) => e.operationId === o.id));
  assert.is(r.result.workspaces.ws1!.cluster, null);
  assert.equal([...new Set(eventsOf(r, 'workspace.routed').filter((e) => e.entity === 'ws1').map((e) => e.storage))], ['shared/0']);
  assert.is(r.result.workspaces.ws1!.ingestion.droppedRecords, 0);
});

// ---- unlink -------------------------------------------------------------------

test('unlink of a workspace that is not linked is refused (400 WorkspaceNotLinked)', () => {
  const r = run(bare({ actions: [create('0s'), unlink('1m')] }));
  assertRefused(r, 1, 400, 'WorkspaceNotLinked', 'ws1', 'not linked');
});

test('"You can unlink workspaces from the cluster at any time": unlink of a linked workspace succeeds after unlinkTime', () => {
  const r = run(bare({ actions: [create('0s'), link('11m'), unlink('20m')] }));
  assertAccepted(r, 2, 'InProgress');
  assertSucceeded(r, 2, MINUTE);
  assert.is(r.result.workspaces.ws1!.storage, 'shared/0');
  assert.is(r.result.workspaces.ws1!.cluster, null);
});

// ---- linked storage (BYOS) and Lockbox ---------------------------------------------

test('linked storage: "Make sure to create your Storage Account in the same region as your Log Analytics workspace" (400 RegionMismatch)', () => {
  const r = run(bare({ workspaces: [idle('ws1', { savedSearches: 3 })], actions: [{ at: '1h', do: 'workspace.linkStorage', workspace: 'ws1', type: 'Query', storageAccount: 'stquery', region: 'westus' }] }));
  assertRefused(r, 0, 400, 'RegionMismatch', 'stquery', 'westus', 'eastus', 'same region');
  assert.equal(r.result.workspaces.ws1!.linkedStorage, { Query: null, Alerts: null });
  assert.equal(r.result.workspaces.ws1!.savedSearches, { inWorkspace: 3, removedByLinkedStorage: 0, restoredByUnlink: 0 }, 'a refused link removes nothing');
});

test('linked storage in the workspace\'s region succeeds; "Existing saved searches are removed from your workspace" when it is for Query', () => {
  const r = run(
    bare({
      workspaces: [idle('ws1', { savedSearches: 7 })],
      actions: [
        { at: '1h', do: 'workspace.linkStorage', workspace: 'ws1', type: 'Alerts', storageAccount: 'stalerts', region: 'eastus' },
        { at: '2h', do: 'workspace.linkStorage', workspace: 'ws1', type: 'Query', storageAccount: 'stquery', region: 'eastus' },
      ],
    }),
  );
  assertSucceeded(r, 0, 0);
  assertSucceeded(r, 1, 0);
  assert.equal(r.result.workspaces.ws1!.linkedStorage, { Query: 'stquery', Alerts: 'stalerts' });
  assert.equal(r.result.workspaces.ws1!.savedSearches, { inWorkspace: 0, removedByLinkedStorage: 7, restoredByUnlink: 0 });
  const removed = r.of('savedSearches.removed');
  assert.is(removed.length, 1);
  assert.is(removed[0]!.t, 2 * HOUR, 'removed when Query storage is linked, not Alerts');
  assert.is(removed[0]!.count, 7);
});

test('linked storage: a second storage account for the same type is refused (409 Conflict); the same account again is accepted', () => {
  const r = run(
    bare({
      workspaces: [idle('ws1', { savedSearches: 2 })],
      actions: [
        { at: '1h', do: 'workspace.linkStorage', workspace: 'ws1', type: 'Query', storageAccount: 'stquery' },
        { at: '2h', do: 'workspace.linkStorage', workspace: 'ws1', type: 'Query', storageAccount: 'stother' },
        { at: '3h', do: 'workspace.linkStorage', workspace: 'ws1', type: 'Query', storageAccount: 'stquery' },
      ],
    }),
  );
  assertSucceeded(r, 0, 0);
  assertRefused(r, 1, 409, 'Conflict', 'stquery', 'Query', 'single storage account');
  assertSucceeded(r, 2, 0);
  assert.is(r.result.workspaces.ws1!.linkedStorage.Query, 'stquery');
  assert.is(r.result.workspaces.ws1!.savedSearches.removedByLinkedStorage, 2);
});

const linkQuery = (at: string) => ({ at, do: 'workspace.linkStorage', workspace: 'ws1', type: 'Query', storageAccount: 'stquery' });
const unlinkStorage = (at: string, type = 'Query') => ({ at, do: 'workspace.unlinkStorage', workspace: 'ws1', type });

test('unlinking linked storage of a type the workspace has none of is refused (404 ResourceNotFound)', () => {
  const r = run(bare({ workspaces: [idle('ws1', { savedSearches: 4 })], actions: [linkQuery('1h'), unlinkStorage('2h', 'Alerts')] }));
  assertRefused(r, 1, 404, 'ResourceNotFound', 'ws1', 'Alerts');
  assert.is(r.result.workspaces.ws1!.linkedStorage.Query, 'stquery');
});

test('profile 2026-04 (unlinkRestoresSavedSearches): "You can unlink the Storage Account for saved queries, to move saved queries and functions back to your workspace"', () => {
  const r = run(bare({ params: { unlinkRestoresSavedSearches: true }, workspaces: [idle('ws1', { savedSearches: 4 })], actions: [linkQuery('1h'), unlinkStorage('2h')] }));
  assertSucceeded(r, 1, 0);
  assert.equal(r.result.workspaces.ws1!.linkedStorage, { Query: null, Alerts: null });
  assert.equal(r.result.workspaces.ws1!.savedSearches, { inWorkspace: 4, removedByLinkedStorage: 4, restoredByUnlink: 4 });
  const restored = r.of('savedSearches.restored');
  assert.equal(restored.map((e) => [e.t, e.count, e.storageAccount]), [[2 * HOUR, 4, 'stquery']]);
});

test('profile 2026-04: each unlink of the Query storage account brings back what its link took, once; unlinking the Alerts account in between moves none', () => {
  const linkAlerts = { at: '1h30m', do: 'workspace.linkStorage', workspace: 'ws1', type: 'Alerts', storageAccount: 'stalerts' };
  const r = run(
    bare({
      params: { unlinkRestoresSavedSearches: true },
      workspaces: [idle('ws1', { savedSearches: 4 }), idle('ws2')],
      actions: [linkQuery('1h'), linkAlerts, unlinkStorage('1h45m', 'Alerts'), unlinkStorage('2h'), linkQuery('3h'), unlinkStorage('4h'), { at: '5h', do: 'workspace.linkStorage', workspace: 'ws2', type: 'Query', storageAccount: 'stquery2' }, { at: '5h30m', do: 'workspace.unlinkStorage', workspace: 'ws2', type: 'Query' }],
    }),
  );
  assert.equal(r.result.workspaces.ws1!.savedSearches, { inWorkspace: 4, removedByLinkedStorage: 8, restoredByUnlink: 8 });
  assert.equal(r.of('savedSearches.restored').map((e) => [e.entity, e.t, e.count]), [['ws1', 2 * HOUR, 4], ['ws1', 4 * HOUR, 4]]);
  // A workspace with no saved searches has none removed, and none brought back.
  assert.equal(r.of('savedSearches.removed').map((e) => [e.entity, e.count]), [['ws1', 4], ['ws1', 4]]);
  assert.equal(r.result.workspaces.ws2!.savedSearches, { inWorkspace: 0, removedByLinkedStorage: 0, restoredByUnlink: 0 });
});

test('profiles before 2026-04: unlinking the Query storage account leaves the saved searches it took in that account (the pages say only that linking removes them)', () => {
  for (const profile of ['2020-11', '2021-07', '2023-06']) {
    const r = run(bare({ profile, workspaces: [idle('ws1', { savedSearches: 4 })], actions: [linkQuery('1h'), unlinkStorage('2h'), linkQuery('3h'), unlinkStorage('4h')] }));
    for (const index of [1, 2, 3]) assertSucceeded(r, index, 0);
    assert.equal(r.result.workspaces.ws1!.savedSearches, { inWorkspace: 0, removedByLinkedStorage: 4, restoredByUnlink: 0 }, profile);
    assert.is(r.of('savedSearches.restored').length, 0, profile);
  }
});

test('unlinking the Alerts storage account leaves the saved searches where they are', () => {
  const r = run(
    bare({
      params: { unlinkRestoresSavedSearches: true },
      workspaces: [idle('ws1', { savedSearches: 4 })],
      actions: [{ at: '1h', do: 'workspace.linkStorage', workspace: 'ws1', type: 'Alerts', storageAccount: 'stalerts' }, unlinkStorage('2h', 'Alerts')],
    }),
  );
  assertSucceeded(r, 1, 0);
  assert.equal(r.result.workspaces.ws1!.savedSearches, { inWorkspace: 4, removedByLinkedStorage: 0, restoredByUnlink: 0 });
  assert.is(r.result.workspaces.ws1!.linkedStorage.Alerts, null);
});

test('Customer Lockbox on a workspace not linked to a dedicated cluster is refused (400 LockboxNotApplicable)', () => {
  const r = run(bare({ actions: [create('0s'), { at: '1h', do: 'lockbox.request', workspace: 'ws1', decision: 'approve', after: '1h' }] }));
  assertRefused(r, 1, 400, 'LockboxNotApplicable', 'ws1', 'dedicated cluster');
  assert.is(r.result.lockbox.length, 0);
});

test('"Lockbox isn\'t available in China currently": a request on a workspace in an Azure China region is refused (400 LockboxNotAvailable)', () => {
  const china = { region: 'chinaeast2' };
  const r = run(bare({ keyVaults: [{ ...KV, ...china }], clusters: [cl('cl1', china)], workspaces: [idle('ws1', china)], actions: [create('0s'), link('11m'), { at: '1h', do: 'lockbox.request', workspace: 'ws1', decision: 'approve', after: '1h' }] }));
  assertSucceeded(r, 1, LINK);
  assertRefused(r, 2, 400, 'LockboxNotAvailable', 'ws1', "Lockbox isn't available in China currently");
  assert.is(r.result.lockbox.length, 0);
  assert.is(eventsOf(r, 'lockbox.requested').length, 0);
});

test('"Lockbox gives you the control to approve or reject Microsoft engineer request to access your data": approved, Succeeded after the decision', () => {
  const r = run(bare({ actions: [create('0s'), link('11m'), { at: '1h', do: 'lockbox.request', workspace: 'ws1', decision: 'approve', after: '2h' }] }));
  assertAccepted(r, 2, 'InProgress');
  assertSucceeded(r, 2, 2 * HOUR);
  assert.equal(r.result.lockbox, [{ workspace: 'ws1', requestedAtMs: HOUR, decision: 'approve', decidedAtMs: 3 * HOUR }]);
  assert.ok(eventsOf(r, 'lockbox.approved').some((e) => e.t === 3 * HOUR));
});

test('Customer Lockbox: rejected, Failed 403 LockboxRequestRejected at the decision', () => {
  const r = run(bare({ actions: [create('0s'), link('11m'), { at: '1h', do: 'lockbox.request', workspace: 'ws1', decision: 'reject', after: '30m' }] }));
  const o = op(r, 2);
  assert.is(o.status, 'Failed');
  assert.is(o.httpStatus, 403);
  assert.is(o.code, 'LockboxRequestRejected');
  assert.ok(o.message?.includes('rejected'), o.message ?? '');
  assert.is(o.completedAtMs, HOUR + 30 * MINUTE);
  assert.ok(eventsOf(r, 'operation.failed').some((e) => e.operationId === o.id && e.code === 'LockboxRequestRejected'));
  assert.ok(eventsOf(r, 'lockbox.rejected').some((e) => e.t === HOUR + 30 * MINUTE));
});

// ---- Azure RBAC: the role Key Vault Crypto Service Encryption User ------------------------

const ROLE = 'Key Vault Crypto Service Encryption User';
const RBAC_KV = { ...KV, permissionModel: 'rbac' };
const assignRole = (at: string, principal = 'cl1') => ({ at, do: 'roleAssignment.create', vault: 'kv1', principal, role: ROLE });
const deleteRole = (at: string, principal = 'cl1') => ({ at, do: 'roleAssignment.delete', vault: 'kv1', principal, role: ROLE });

test('profile 2023-06 (keyVaultRbac): "add Key Vault Crypto Service Encryption User role assignment": with the role and no access policy the key update succeeds', () => {
  const r = run(bare({ profile: '2023-06', keyVaults: [RBAC_KV], workspaces: [], actions: [create('0s'), assignRole('11m'), update('11m', keyBody())] }));
  assertSucceeded(r, 1, 0);
  assertSucceeded(r, 2, KEY_UPDATE);
  assert.equal(r.of('roleAssignment.created').map((e) => [e.entity, e.principal, e.role]), [['kv1', 'cl1', ROLE]]);
});

test('RBAC: without the role assignment the key update is refused (400 KeyVaultPermissionMissing), naming the role', () => {
  const r = run(bare({ profile: '2023-06', keyVaults: [RBAC_KV], workspaces: [], actions: [create('0s'), update('11m', keyBody())] }));
  assertRefused(r, 1, 400, 'KeyVaultPermissionMissing', 'Key Vault Crypto Service Encryption User', 'get, wrapKey, unwrapKey');
});

test('RBAC: deleting the role assignment is a denial exactly like removing the access policy: the same revocation, the same drops, the same resume', () => {
  const outcome = (vault: Record<string, unknown>, remove: Record<string, unknown>, restore: Record<string, unknown>) => {
    const r = run(scenario({ profile: '2023-06', seed: 5, duration: '1d', keyVaults: [vault], actions: [remove, restore] }));
    const { incidents, totals } = r.result;
    return { incidents: incidents.map(({ kind, startMs, unavailableAtMs, restoredAtMs, resumedAtMs, droppedRecords }) => ({ kind, startMs, unavailableAtMs, restoredAtMs, resumedAtMs, droppedRecords })), ingestion: totals.ingestion, causes: incidents.map((i) => i.cause) };
  };
  const vault = { name: 'kv1', keys: [{ name: 'cmk', kty: 'oct-HSM' }] };
  const byPolicy = outcome(vault, { at: '6h', do: 'accessPolicy.remove', vault: 'kv1', principal: 'cl1' }, grant('12h'));
  const byRole = outcome({ ...vault, permissionModel: 'rbac' }, deleteRole('6h'), assignRole('12h'));
  assert.equal(byRole.incidents, byPolicy.incidents);
  assert.equal(byRole.ingestion, byPolicy.ingestion);
  assert.is(byRole.incidents.length, 1);
  assert.is(byRole.incidents[0]!.kind, 'revocation');
  assert.ok(byRole.incidents[0]!.unavailableAtMs! <= 7 * HOUR, 'revoked "within an hour or sooner"');
  assert.ok(byRole.ingestion.droppedByReason.revoked > 0);
  assert.equal(byRole.causes, ['roleAssignment.delete']);
  assert.equal(byPolicy.causes, ['accessPolicy.remove']);
});

test('access policies on a vault that uses Azure RBAC, and role assignments on one that uses access policies, are refused (400 PermissionModelMismatch)', () => {
  const rbac = run(bare({ profile: '2023-06', keyVaults: [RBAC_KV], workspaces: [], actions: [create('0s'), grant('11m'), { at: '12m', do: 'accessPolicy.remove', vault: 'kv1', principal: 'cl1' }] }));
  assertRefused(rbac, 1, 400, 'PermissionModelMismatch', 'Key Vault kv1', 'permissionModel: rbac', 'access policies have no effect', 'roleAssignment.create');
  assertRefused(rbac, 2, 400, 'PermissionModelMismatch', 'roleAssignment.delete');
  const policies = run(bare({ profile: '2023-06', workspaces: [], actions: [create('0s'), assignRole('11m'), deleteRole('12m')] }));
  assertRefused(policies, 1, 400, 'PermissionModelMismatch', 'permissionModel: accessPolicy', 'role assignments have no effect', 'accessPolicy.set');
  assertRefused(policies, 2, 400, 'PermissionModelMismatch', 'accessPolicy.remove');
});

test('RBAC: a role assigned to a cluster that does not exist yet is refused (400 PrincipalNotFound)', () => {
  const r = run(bare({ profile: '2023-06', keyVaults: [RBAC_KV], workspaces: [], actions: [assignRole('0s')] }));
  assertRefused(r, 0, 400, 'PrincipalNotFound', 'cl1');
});

test('setup: ready grants a cluster keyed to a vault that uses Azure RBAC the role, not an access policy', () => {
  const r = run(scenario({ profile: '2023-06', duration: '1h', keyVaults: [{ name: 'kv1', permissionModel: 'rbac', keys: [{ name: 'cmk', kty: 'oct-HSM' }] }] }));
  assert.equal(r.of('roleAssignment.created').map((e) => [e.t, e.principal]), [[0, 'cl1']]);
  assert.is(r.of('accessPolicy.set').length, 0);
  assert.is(r.result.totals.ingestion.storedCmkRecords, r.result.totals.ingestion.offeredRecords);
});

test('profiles 2020-11 and 2021-07 grant by access policy only: permissionModel rbac is bad input, with its field path; so are access policies in a vault that uses RBAC', () => {
  for (const profile of ['2020-11', '2021-07']) {
    try {
      scenario({ profile, keyVaults: [{ name: 'kv1', permissionModel: 'rbac', keys: [{ name: 'cmk', kty: 'oct-HSM' }] }] });
      assert.unreachable(`${profile} accepted permissionModel: rbac`);
    } catch (error) {
      assert.instance(error, InputError);
      const problem = (error as InputError).problems.find((p) => p.path === 'keyVaults[0].permissionModel');
      assert.ok(problem !== undefined && problem.expected.includes('2023-06') && problem.expected.includes('keyVaultRbac'), JSON.stringify((error as InputError).problems));
    }
  }
  try {
    scenario({ profile: '2023-06', keyVaults: [{ name: 'kv1', permissionModel: 'rbac', keys: [{ name: 'cmk' }], accessPolicies: [{ principal: 'cl1', permissions: ['get'] }] }] });
    assert.unreachable('access policies accepted in an RBAC vault');
  } catch (error) {
    assert.instance(error, InputError);
    assert.ok((error as InputError).problems.some((p) => p.path === 'keyVaults[0].accessPolicies' && p.expected.includes('roleAssignment.create')), JSON.stringify((error as InputError).problems));
  }
});

// ---- user-assigned identities ------------------------------------------------------

const uaiId = (name: string) => `/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
const uai = (name = 'uai1') => ({ type: 'UserAssigned', userAssignedIdentities: { [uaiId(name)]: {} } });
const UAIS = [{ name: 'uai1' }, { name: 'uai2' }];
/** A cluster created with user-assigned identity uai1 and its key, uai1 granted first. */
const UAI_CREATE = [grant('0s', 'uai1'), create('1m', 'cl1', { identity: uai(), properties: { keyVaultProperties: keyProps() } })];

test('profile 2023-06: "User-assigned managed identity lets you configure customer-managed keys at cluster creation, when granting it permissions in your Key Vault before cluster creation": every record under the customer key from the start', () => {
  const r = run(bare({ profile: '2023-06', userAssignedIdentities: UAIS, workspaces: [ws('ws1')], actions: [...UAI_CREATE, link('20m')] }));
  assertSucceeded(r, 0, 0);
  assertSucceeded(r, 1, PROVISION);
  const cluster = r.result.clusters.cl1!;
  assert.equal(cluster.keyVaultProperties, keyProps());
  assert.is(cluster.settings!.identityType, 'UserAssigned');
  assert.is(cluster.settings!.userAssignedIdentity, 'uai1');
  assert.equal(r.of('cluster.principalSet').map((e) => [e.t, e.entity, e.identity, e.principal]), [[MINUTE, 'cl1', 'UserAssigned', 'uai1']]);
  assert.equal(r.of('storage.keyConfigured').map((e) => e.t), [MINUTE + PROVISION], 'the key is set as provisioning completes');
  const onCluster = r.of('storage.ingested').filter((e) => e.entity === 'cl1/0');
  assert.ok(onCluster.length > 0);
  assert.equal([...new Set(onCluster.map((e) => e.placement))], ['cmk'], 'nothing on the cluster under Microsoft keys');
});

test('user-assigned identity and an empty keyVersion: the daily check reads Key Vault as the identity the cluster presents, so a rotation is followed and disabling the old version a day later changes nothing', () => {
  const versionless = [grant('0s', 'uai1'), create('1m', 'cl1', { identity: uai(), properties: { keyVaultProperties: keyProps('') } })];
  const r = run(bare({ profile: '2023-06', duration: '4d', userAssignedIdentities: UAIS, workspaces: [ws('ws1')], actions: [...versionless, link('3h'), rotate('1d'), disable('3d', 'v1')] }));
  assert.equal(eventsOf(r, 'key.rotationFollowFailed'), []);
  assert.equal(eventsOf(r, 'key.rotationFollowed').map((e) => e.version), ['v2']);
  assert.is(r.result.incidents.length, 0);
});

test('user-assigned identity: the key at creation is refused when Key Vault does not grant the identity (400 KeyVaultPermissionMissing), naming it', () => {
  const r = run(bare({ profile: '2023-06', userAssignedIdentities: UAIS, workspaces: [], actions: [grant('0s', 'cl1'), ...UAI_CREATE.slice(1)] }));
  assertRefused(r, 1, 400, 'KeyVaultPermissionMissing', 'user-assigned identity uai1', 'get, wrapKey, unwrapKey');
  assert.is(r.result.clusters.cl1!.provisioningState, null, 'a refused create makes no cluster');
});

test('system-assigned: a key at creation is still refused (400 KeyVaultPropertiesOnCreate), and the message points at user-assigned identities where the profile has them', () => {
  const r = run(bare({ profile: '2023-06', workspaces: [], actions: [create('0s', 'cl1', { identity: { type: 'SystemAssigned' }, properties: { keyVaultProperties: keyProps() } })] }));
  assertRefused(r, 0, 400, 'KeyVaultPropertiesOnCreate', "can't be defined until system identity is assigned", 'user-assigned identity granted in Key Vault beforehand');
});

test('"You can\'t use Customer-managed key with User-assigned managed identity if your Key Vault is in Private-Link (vNet)" (400 UserAssignedIdentityWithPrivateLink), at creation and in a key update; "Use System-assigned managed identity in this scenario": the same vault works for it', () => {
  const vault = { ...KV, privateLink: true };
  const r = run(
    bare({
      profile: '2023-06',
      keyVaults: [vault],
      userAssignedIdentities: UAIS,
      clusters: [cl('cl1'), cl('cl2')],
      workspaces: [],
      actions: [
        grant('0s', 'uai1'),
        create('0s', 'cl2'),
        create('1m', 'cl1', { identity: uai(), properties: { keyVaultProperties: keyProps() } }),
        create('2m', 'cl1', { identity: uai() }),
        grant('11m', 'cl2'),
        update('11m', keyBody(), 'cl2'),
        update('20m', keyBody()),
      ],
    }),
  );
  assertRefused(r, 2, 400, 'UserAssignedIdentityWithPrivateLink', 'Key Vault kv1 is in a Private-Link', 'user-assigned identity', 'use a system-assigned identity');
  assertSucceeded(r, 3, PROVISION);
  assertSucceeded(r, 5, KEY_UPDATE);
  assertRefused(r, 6, 400, 'UserAssignedIdentityWithPrivateLink', 'uai1');
});

test('profiles 2020-11 and 2021-07 describe system-assigned identities only: identity type UserAssigned is refused (400 UnsupportedIdentityType)', () => {
  for (const profile of ['2020-11', '2021-07']) {
    const r = run(bare({ profile, userAssignedIdentities: UAIS, workspaces: [], actions: UAI_CREATE }));
    assertSucceeded(r, 0, 0);
    assertRefused(r, 1, 400, 'UnsupportedIdentityType', 'UserAssigned', '2023-06');
  }
});

test('a user-assigned identity the scenario does not declare is refused (400 IdentityNotFound)', () => {
  const r = run(bare({ profile: '2023-06', userAssignedIdentities: UAIS, workspaces: [], actions: [create('0s', 'cl1', { identity: uai('uai9') })] }));
  assertRefused(r, 0, 400, 'IdentityNotFound', 'uai9', 'uai1, uai2');
});

test('a user-assigned identity body without its identity, with two, or with a key that is not a resource id is bad input with the field path; at run time, 400 InvalidRequestBody', () => {
  const bodies = [
    { identity: { type: 'UserAssigned' } },
    { identity: { type: 'UserAssigned', userAssignedIdentities: { [uaiId('uai1')]: {}, [uaiId('uai2')]: {} } } },
    { identity: { type: 'UserAssigned', userAssignedIdentities: { uai1: {} } } },
    { identity: { type: 'SystemAssigned', userAssignedIdentities: { [uaiId('uai1')]: {} } } },
  ];
  try {
    bare({ profile: '2023-06', userAssignedIdentities: UAIS, workspaces: [], actions: bodies.map((body) => create('0s', 'cl1', body)) });
    assert.unreachable('the loader accepts the bodies');
  } catch (error) {
    assert.instance(error, InputError);
    const problems = (error as InputError).problems.map((p) => `${p.path}: ${p.found}`);
    assert.equal(problems, [
      'actions[0].body.identity.userAssignedIdentities: nothing',
      'actions[1].body.identity.userAssignedIdentities: 2 identities',
      'actions[2].body.identity.userAssignedIdentities: the key "uai1"',
      `actions[3].body.identity.userAssignedIdentities: {"${uaiId('uai1')}":{}}`,
    ]);
  }
  // A request made at run time (a program, not a file) gets the model's answer.
  const s = bare({ profile: '2023-06', userAssignedIdentities: UAIS, workspaces: [], actions: bodies.map(() => create('0s', 'cl1')) });
  bodies.forEach((body, i) => ((s.actions[i] as { body: unknown }).body = body));
  const r = run(s);
  assertRefused(r, 0, 400, 'InvalidRequestBody', 'identity.userAssignedIdentities: found nothing', 'identity type UserAssigned names its identity');
  assertRefused(r, 1, 400, 'InvalidRequestBody', 'found 2 identities');
  assertRefused(r, 2, 400, 'InvalidRequestBody', 'found the key "uai1"', 'Microsoft.ManagedIdentity/userAssignedIdentities/<name>');
  assertRefused(r, 3, 400, 'InvalidRequestBody', 'goes with identity type UserAssigned');
});

test('profile 2026-04 (identityTypeSwitch): "Identity type can be changed after the cluster is created with no interruption to ingestion or queries": system-assigned to user-assigned and back, each granted first', () => {
  const r = run(
    scenario({
      profile: '2023-06',
      params: { identityTypeSwitch: true },
      duration: '1d',
      keyVaults: [KV],
      userAssignedIdentities: UAIS,
      actions: [grant('1h', 'uai1'), update('2h', { identity: uai() }), update('8h', { identity: { type: 'SystemAssigned' } })],
    }),
  );
  assertSucceeded(r, 1, 0);
  assertSucceeded(r, 2, 0);
  assert.equal(r.of('cluster.principalSet').map((e) => [e.t, e.identity, e.principal]), [[2 * HOUR, 'UserAssigned', 'uai1'], [8 * HOUR, 'SystemAssigned', 'cl1']]);
  assert.is(r.result.incidents.length, 0);
  assert.is(r.result.totals.ingestion.droppedRecords, 0);
  assert.is(r.result.totals.query.failed, 0);
  assert.is(r.result.clusters.cl1!.settings!.identityType, 'SystemAssigned');
});

test('identityTypeSwitch: a change to an identity Key Vault does not grant is a denial from the change: revoked within revocationWithin, then back once it is granted', () => {
  const r = run(scenario({ profile: '2023-06', params: { identityTypeSwitch: true }, duration: '1d', keyVaults: [KV], userAssignedIdentities: UAIS, actions: [update('2h', { identity: uai('uai2') }), grant('8h', 'uai2')] }));
  assertSucceeded(r, 0, 0);
  const [incident] = r.result.incidents;
  assert.ok(incident !== undefined && incident.kind === 'revocation', JSON.stringify(r.result.incidents));
  assert.is(incident.startMs, 2 * HOUR, 'the cause starts at the change');
  assert.ok(incident.unavailableAtMs! <= 3 * HOUR, `revoked at ${incident.unavailableAtMs}`);
  assert.ok(incident.resumedAtMs! > 8 * HOUR && incident.resumedAtMs! <= 8 * HOUR + MINUTE + 30 * MINUTE, `resumed at ${incident.resumedAtMs}`);
});

test('profiles before 2026-04 describe no change of identity after creation: SystemAssigned to UserAssigned, or to another user-assigned identity, is refused (400 IdentityChangeNotSupported)', () => {
  const r = run(
    bare({
      profile: '2023-06',
      userAssignedIdentities: UAIS,
      clusters: [cl('cl1'), cl('cl2')],
      workspaces: [],
      actions: [create('0s'), update('20m', { identity: uai() }), update('21m', { identity: { type: 'SystemAssigned' } }), grant('0s', 'uai1'), create('1m', 'cl2', { identity: uai() }), update('20m', { identity: uai('uai2') }, 'cl2')],
    }),
  );
  // Operations in time order: create cl1, grant uai1, create cl2, cl1 to uai1, cl2 to uai2, cl1 to SystemAssigned (no change).
  assertRefused(r, 3, 400, 'IdentityChangeNotSupported', 'cluster cl1', 'user-assigned identity uai1', 'identityTypeSwitch');
  assertRefused(r, 4, 400, 'IdentityChangeNotSupported', 'cluster cl2 (user-assigned identity uai1)', 'uai2');
  assertSucceeded(r, 5, 0);
});

test('identityTypeSwitch: a change to a user-assigned identity while the key is in a Private-Link vault is refused (400 UserAssignedIdentityWithPrivateLink)', () => {
  const r = run(scenario({ profile: '2023-06', params: { identityTypeSwitch: true }, duration: '1h', keyVaults: [{ ...KV, privateLink: true }], userAssignedIdentities: UAIS, actions: [grant('1m', 'uai1'), update('2m', { identity: uai() })] }));
  assertRefused(r, 1, 400, 'UserAssignedIdentityWithPrivateLink', 'uai1');
  assert.is(r.result.clusters.cl1!.settings!.identityType, 'SystemAssigned');
});

// ---- data consequences -------------------------------------------------------------

test('"Data that was ingested prior to the configuration, remains encrypted with Microsoft key": stored under the MMK, and readable after the key is disabled', () => {
  let whileRevoked = { cmk: -1, mmk: -1, unreadable: -1 };
  const r = run(
    bare({
      params: { delayMode: 'worst' },
      workspaces: [ws('ws1')],
      actions: [create('0s'), link('13m'), grant('1h'), update('1h', keyBody()), { at: '3h', do: 'key.disable', vault: 'kv1', key: 'cmk' }],
    }),
    { probes: [{ atMs: 5 * HOUR, look: (v) => (whileRevoked = v.storageAccounts.find((a) => a.id === 'cl1/0')!.openableBlocks()) }] },
  );
  assertSucceeded(r, 3, KEY_UPDATE);
  const i = r.result.workspaces.ws1!.ingestion;
  // Shared storage until the link at 14m (slices 5m, 10m), the cluster under the MMK until the key at 1h1m (15m..1h: 10 slices).
  assert.is(i.storedMmkRecords, (2 + 10) * PER_SLICE);
  // Under the key from 1h05 until revocation at 4h (delayMode worst: the change + 1 h): 1h05..3h55, 35 slices.
  assert.is(i.storedCmkRecords, 35 * PER_SLICE);
  assert.is(r.of('storage.revoked')[0]!.t, 4 * HOUR);
  assert.equal(whileRevoked, { cmk: 0, mmk: 10, unreadable: 35 });
});

test('"New data then gets ingested to Log Analytics storage and encrypted with Microsoft key": after an unlink new records go to shared storage; queries reaching the cluster\'s data fail while the key is revoked, and succeed once the lookback no longer reaches it', () => {
  const lookback = 6 * HOUR;
  const scenarioWith = (actions: Record<string, unknown>[]) =>
    bare({ duration: '12h', params: { delayMode: 'worst' }, workspaces: [ws('ws1', { query: { perHour: 6, lookback: '6h' } })], actions: [...KEYED, link('13m'), unlink('2h'), ...actions] });
  const r = run(scenarioWith([{ at: '2h30m', do: 'key.disable', vault: 'kv1', key: 'cmk' }]));
  assertSucceeded(r, 4, MINUTE);
  const unlinkedAt = 2 * HOUR + MINUTE;
  const w = r.result.workspaces.ws1!;
  assert.is(w.storage, 'shared/0');
  assert.is(w.cluster, null);
  // Records: shared (5m, 10m), the cluster under the key (15m..2h: 22 slices), shared again from 2h05 to 12h (120 slices).
  assert.is(w.ingestion.storedCmkRecords, 22 * PER_SLICE);
  assert.is(w.ingestion.storedMmkRecords, (2 + 120) * PER_SLICE);
  assert.is(w.ingestion.droppedRecords, 0, 'nothing of the unlinked workspace is dropped by the revocation');
  const revokedAt = r.of('storage.revoked')[0]!.t;
  assert.is(revokedAt, 3 * HOUR + 30 * MINUTE);
  // Queries fail from the revocation until the lookback no longer reaches the data left on the cluster.
  assert.is(w.query.unavailableMs, unlinkedAt + lookback - revokedAt);
  assert.ok(w.query.failed > 0 && w.query.succeeded > w.query.failed);
  // The same run without the revocation: every query succeeds.
  const healthy = run(scenarioWith([]));
  assert.is(healthy.result.workspaces.ws1!.query.availability, 1);
});

test('deleting a cluster unlinks its workspaces (new data goes to shared storage) and reserves its name', () => {
  const r = run(bare({ workspaces: [ws('ws1')], clusters: [cl('cl1'), cl('cl2')], actions: [...KEYED, link('13m'), remove('2h'), create('3h', 'cl1'), create('3h', 'cl2'), link('3h20m', 'ws1', 'cl2')] }));
  assertAccepted(r, 4, 'Deleting');
  assertSucceeded(r, 4, DELETE);
  assertRefused(r, 5, 409, 'Conflict', 'reserved');
  // The first routing, at t=0, is to shared storage: nothing is linked before the scenario links it.
  const routed = r.of('workspace.routed').filter((e) => e.entity === 'ws1' && e.t > 0);
  assert.equal(routed.map((e) => [e.t, e.storage]), [[14 * MINUTE, 'cl1/0'], [2 * HOUR, 'shared/0'], [3 * HOUR + 21 * MINUTE, 'cl2/0']]);
  assert.is(r.result.clusters.cl1!.provisioningState, null);
  // A deleted cluster leaves the workspace free to link elsewhere.
  assertSucceeded(r, 7, LINK);
  const i = r.result.workspaces.ws1!.ingestion;
  assert.is(i.droppedRecords, 0);
  assert.is(i.storedCmkRecords + i.storedMmkRecords, i.offeredRecords);
});

test('a workspace of a deleted cluster ends in shared storage, not linked', () => {
  const r = run(bare({ workspaces: [ws('ws1')], actions: [...KEYED, link('13m'), remove('2h')] }));
  assert.is(r.result.workspaces.ws1!.storage, 'shared/0');
  assert.is(r.result.workspaces.ws1!.cluster, null);
  assert.is(r.result.storageAccounts['cl1/0']?.finalState, 'deleted');
});

// ---- profiles ---------------------------------------------------------------------

const rotate = (at: string) => ({ at, do: 'key.rotate', vault: 'kv1', key: 'cmk' });
const disable = (at: string, version: string) => ({ at, do: 'key.disable', vault: 'kv1', key: 'cmk', version });
const enable = (at: string, version: string) => ({ at, do: 'key.enable', vault: 'kv1', key: 'cmk', version });
/** Created, granted and set to follow the newest version (keyVersion empty) at 12m; with delayMode best the daily checks come at 12m, 1d12m, 2d12m, ... */
const VERSIONLESS = [create('0s'), grant('11m'), update('11m', keyBody('')), link('13m')];
const CHECKS_FROM = 12 * MINUTE;

test('profile 2021-07: an empty keyVersion is accepted; "Azure Storage checks the key vault for a new key version only once daily": a rotation is followed at the first daily check after it, and disabling the old version after that changes nothing', () => {
  const refs: Record<string, string | undefined> = {};
  const look = (name: string) => (v: { storageAccounts: readonly { id: string; keyRef: { version: string } | null }[] }) =>
    (refs[name] = v.storageAccounts.find((a) => a.id === 'cl1/0')!.keyRef?.version);
  const r = run(
    bare({ profile: '2021-07', duration: '2d', params: { delayMode: 'best' }, workspaces: [ws('ws1')], actions: [...VERSIONLESS, rotate('1h'), disable('1d1h', 'v1')] }),
    { probes: [{ atMs: DAY + CHECKS_FROM - 1, look: look('before') }, { atMs: DAY + CHECKS_FROM + 1, look: look('after') }] },
  );
  assertSucceeded(r, 2, KEY_UPDATE);
  assert.is(r.result.clusters.cl1!.keyVaultProperties!.keyVersion, '', 'the cluster keeps following the newest version');
  assert.equal(r.of('storage.keyConfigured').map((e) => [e.t, e.version]), [[CHECKS_FROM, 'v1'], [DAY + CHECKS_FROM, 'v2']]);
  assert.equal(refs, { before: 'v1', after: 'v2' });
  assert.equal(eventsOf(r, 'key.rotationFollowed').map((e) => [e.t, e.entity, e.version]), [[DAY + CHECKS_FROM, 'cl1', 'v2']]);
  assert.is(r.result.incidents.length, 0, 'disabling the old version after the cluster followed changes nothing');
});

test('"wait 24 hours before disabling the older version": the old version disabled 2 hours after a rotation is a revocation, the daily check cannot follow while the AEK is only wrapped under it, and follows at the next check once it is enabled again', () => {
  const r = run(bare({ profile: '2021-07', duration: '3d', params: { delayMode: 'best' }, workspaces: [ws('ws1')], actions: [...VERSIONLESS, rotate('1h'), disable('3h', 'v1'), enable('1d2h', 'v1')] }));
  const revocations = r.result.incidents.filter((i) => i.kind === 'revocation');
  assert.is(revocations.length, 1);
  assert.ok(revocations[0]!.unavailableAtMs! <= 4 * HOUR, 'revoked within the hour of the disable');
  const failed = eventsOf(r, 'key.rotationFollowFailed');
  assert.equal(failed.map((e) => [e.t, e.version]), [[DAY + CHECKS_FROM, 'v2']]);
  assert.match(failed[0]!.reason, /cannot be unwrapped with the current key kv1\/cmk\/v1 \(denial: keyDisabled\)/);
  assert.match(failed[0]!.reason, /the next check retries$/);
  assert.equal(eventsOf(r, 'key.rotationFollowed').map((e) => [e.t, e.version]), [[2 * DAY + CHECKS_FROM, 'v2']]);
});

test('a daily check that cannot read the key (Key Vault unreachable) is retried at the next one', () => {
  const r = run(bare({ profile: '2023-06', duration: '3d', params: { delayMode: 'best' }, workspaces: [ws('ws1')], actions: [...VERSIONLESS, rotate('1h'), { at: '1d', do: 'keyVault.outage', vault: 'kv1', for: '1h' }] }));
  const failed = eventsOf(r, 'key.rotationFollowFailed');
  assert.equal(failed.map((e) => [e.t, e.version]), [[DAY + CHECKS_FROM, null]]);
  assert.match(failed[0]!.reason, /Key Vault kv1 could not be read \(error: unreachable\); the next check retries/);
  assert.equal(eventsOf(r, 'key.rotationFollowed').map((e) => [e.t, e.version]), [[2 * DAY + CHECKS_FROM, 'v2']]);
  assert.is(r.result.incidents.filter((i) => i.kind === 'revocation').length, 0);
});

test('the daily check\'s phase is drawn from the seed: the first check comes within one keyVersionCheckInterval of the key update, at different times for different seeds', () => {
  const firstFollow = (seed: number) => {
    const r = run(bare({ profile: '2024-01', seed, duration: '2d', workspaces: [], actions: [...VERSIONLESS.slice(0, 3), rotate('11m')] }));
    return eventsOf(r, 'key.rotationFollowed')[0]!.t;
  };
  const times = [1, 2, 3].map(firstFollow);
  for (const t of times) assert.ok(t >= CHECKS_FROM && t <= CHECKS_FROM + DAY, `followed at ${t}`);
  assert.is(new Set(times).size, 3);
});

test('a scenario naming autoRotationDetection, a parameter of earlier versions, is told it is keyVersionCheckInterval now', () => {
  try {
    bare({ params: { autoRotationDetection: ['10m', '10m'] } });
    assert.unreachable('loaded');
  } catch (error) {
    assert.instance(error, InputError);
    const problem = (error as InputError).problems[0]!;
    assert.equal([problem.path, problem.found], ['params.autoRotationDetection', 'autoRotationDetection, a parameter that this version replaced']);
    assert.match(problem.expected, /^keyVersionCheckInterval/);
  }
});

test('profile 2020-11: "Customer-Managed key rotation requires an explicit update to the cluster with the new key version": an empty keyVersion is refused (400 KeyVersionRequired)', () => {
  const r = run(bare({ workspaces: [], actions: [create('0s'), grant('11m'), update('11m', keyBody('')), update('20m', { properties: { keyVaultProperties: { keyVaultUri: 'https://kv1.vault.azure.net', keyName: 'cmk' } } })] }));
  assertRefused(r, 2, 400, 'KeyVersionRequired', 'keyVersion', 'explicit key version');
  assertRefused(r, 3, 400, 'KeyVersionRequired', 'keyVersion');
});

test('profile 2020-11: the explicit version succeeds, and a key.rotate is not followed', () => {
  const r = run(bare({ workspaces: [], actions: [create('0s'), grant('11m'), update('11m', keyBody('v1')), { at: '1h', do: 'key.rotate', vault: 'kv1', key: 'cmk' }] }));
  assertSucceeded(r, 2, KEY_UPDATE);
  assert.equal(r.of('storage.keyConfigured').map((e) => e.version), ['v1']);
});

test('profile 2023-06: cluster provisioning takes "about 2 h" (the 2026-04 page: "typically two hours"): from 1h30m (delayMode best) to 2h30m (worst)', () => {
  for (const [delayMode, expectedMs] of [['best', 90 * MINUTE], ['worst', 150 * MINUTE]] as const) {
    const s = scenario({ profile: '2023-06', setup: 'none', duration: '4h', keyVaults: [KV], clusters: [cl('cl1')], workspaces: [], params: { delayMode }, actions: [create('0s')] });
    assertSucceeded(run(s), 0, expectedMs);
  }
});

test('profile 2023-06: the hot cache holds "the last 14 days or recently queried" data', () => {
  assert.is(PROFILE_DEFAULTS['2023-06'].hotCacheScope, 'lastDaysOrRecentlyQueried');
  assert.is(PROFILE_DEFAULTS['2020-11'].hotCacheScope, 'lastDays');
  // A query reaching past the hot cache warms the block it read: with hotCacheDays 0, only recently queried blocks are hot.
  const hot: Record<string, number> = {};
  for (const profile of ['2020-11', '2023-06'] as const) {
    run(bare({ profile, duration: '4h', params: { hotCacheDays: 0 }, workspaces: [ws('ws1')], actions: [create('0s'), link('11m')] }), {
      probes: [{ atMs: 4 * HOUR - 1, look: (v) => (hot[profile] = v.storageAccounts.find((a) => a.id === 'cl1/0')!.hotCacheBlocks) }],
    });
  }
  assert.is(hot['2020-11'], 0);
  assert.ok(hot['2023-06']! > 0, `2023-06 hot blocks ${hot['2023-06']}`);
});

test.run();
