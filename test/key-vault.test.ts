// The Key Vault actor on its own: how it answers, what each key operation
// and fault does, in the documentation's and DOMAIN.md's words.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KeyVault, type VaultAnswer } from '../sim/azure/key-vault.ts';
import { RandomStreams } from '../sim/engine/random.ts';
import { Scheduler } from '../sim/engine/scheduler.ts';
import { EventBus, type SimEvent } from '../sim/observe/events.ts';
import type { KeyVaultSpec } from '../sim/scenario.ts';
import { HOUR, MINUTE, run, scenario } from './helpers.ts';

const AEK = Buffer.alloc(32, 7);

function vault(overrides: Partial<KeyVaultSpec> = {}, throttle = 4000): { vault: KeyVault; events: SimEvent[]; scheduler: Scheduler } {
  const bus = new EventBus();
  const scheduler = new Scheduler(0);
  const events: SimEvent[] = [];
  bus.on((e) => events.push(e));
  const streams = new RandomStreams(5);
  const spec: KeyVaultSpec = {
    name: 'kv1',
    region: 'eastus',
    tenant: 'contoso',
    subscription: 'sub1',
    softDelete: true,
    purgeProtection: true,
    softDeleteRetentionDays: 90,
    permissionModel: 'accessPolicy', privateLink: false,
    accessPolicies: [{ principal: 'cl1', permissions: ['get', 'wrapKey', 'unwrapKey'] }],
    keys: [{ name: 'cmk', kty: 'oct-HSM', sizeBits: 256, wrapAlgorithm: 'A256KW', versions: ['v1'] }],
    ...overrides,
  };
  const kv = new KeyVault(spec, { bus, scheduler, transientStream: streams.stream('t'), octMaterial: (n) => streams.stream('k').bytes(n), rsa2048ThrottleLimitPer10s: throttle });
  // What the vault holds when made is on the timeline (next test); the tests read what comes after.
  events.length = 0;
  return { vault: kv, events, scheduler };
}

test('the vault as the scenario describes it is on the timeline at t=0: its soft delete, purge protection and permission model, each key version created, each access policy set', () => {
  const bus = new EventBus();
  const events: SimEvent[] = [];
  bus.on((e) => events.push(e));
  const streams = new RandomStreams(5);
  new KeyVault(
    {
      name: 'kv1', region: 'eastus', tenant: 'contoso', subscription: 'sub1', softDelete: true, purgeProtection: true, softDeleteRetentionDays: 90, permissionModel: 'accessPolicy', privateLink: false,
      accessPolicies: [{ principal: 'cl1', permissions: ['get', 'unwrapKey'] }],
      keys: [{ name: 'cmk', kty: 'oct-HSM', sizeBits: 256, wrapAlgorithm: 'A256KW', versions: ['a', 'b'] }],
    },
    { bus, scheduler: new Scheduler(0), transientStream: streams.stream('t'), octMaterial: (n) => streams.stream('k').bytes(n), rsa2048ThrottleLimitPer10s: 4000 },
  );
  assert.equal(events, [
    { t: 0, type: 'keyVault.created', entity: 'kv1', region: 'eastus', tenant: 'contoso', softDelete: true, purgeProtection: true, permissionModel: 'accessPolicy' },
    { t: 0, type: 'key.created', entity: 'kv1/cmk', version: 'a' },
    { t: 0, type: 'key.created', entity: 'kv1/cmk', version: 'b' },
    { t: 0, type: 'accessPolicy.set', entity: 'kv1', principal: 'cl1', permissions: ['get', 'unwrapKey'] },
  ]);
});

const ref = { vault: 'kv1', key: 'cmk', version: 'v1' };
const kinds = (answer: VaultAnswer) => (answer.kind === 'success' ? 'success' : `${answer.kind}:${answer.reason}`);

test('"Azure Storage sends requests to your Azure Key Vault to wrap and unwrap the AEK": a real wrap and unwrap round trip', () => {
  const { vault: kv } = vault();
  const { answer, wrapped } = kv.wrapKey(0, 'cl1', ref, AEK);
  assert.is(answer.kind, 'success');
  assert.not.equal(wrapped, AEK);
  const { aek } = kv.unwrapKey(1, 'cl1', ref, wrapped!);
  assert.equal(aek, AEK);
  assert.equal(kv.counters, { requests: 2, unwrapCalls: 1, unwrapFailures: 0, throttled: 0, denied: 0 });
});

test('a principal without a policy, or without unwrapKey, is denied; the same denial keeps one cause', () => {
  const { vault: kv } = vault({ accessPolicies: [{ principal: 'cl1', permissions: ['get', 'wrapKey'] }] });
  const first = kv.pollUnwrap(0, 'cl1', ref);
  const second = kv.pollUnwrap(1, 'cl1', ref);
  assert.is(kinds(first), 'denial:permissionMissing');
  assert.ok(first.kind === 'denial' && second.kind === 'denial' && first.cause === second.cause);
  assert.is(kinds(kv.pollUnwrap(2, 'other', ref)), 'denial:permissionMissing');
  assert.is(kv.counters.denied, 3);
  assert.is(kv.counters.unwrapFailures, 3);
  assert.equal(kv.hasPermissions('cl1', ['get', 'wrapKey', 'unwrapKey']), ['unwrapKey']);
});

test('granting unwrapKey again ends the denial: its cause gets an end time', () => {
  const { vault: kv } = vault();
  kv.removePolicy(10, 'cl1');
  const denied = kv.pollUnwrap(20, 'cl1', ref);
  assert.ok(denied.kind === 'denial' && denied.cause.action === 'accessPolicy.remove' && denied.cause.startMs === 10);
  kv.setPolicy(30, 'cl1', ['get', 'wrapKey', 'unwrapKey']);
  assert.is(denied.cause.endMs, 30);
  assert.is(kinds(kv.pollUnwrap(40, 'cl1', ref)), 'success');
});

test('"You can revoke access to data by disabling your key": a disabled version is denied, re-enabling ends it', () => {
  const { vault: kv, events } = vault();
  kv.setEnabled(100, 'cmk', 'v1', false);
  const denied = kv.pollUnwrap(200, 'cl1', ref);
  assert.is(kinds(denied), 'denial:keyDisabled');
  assert.ok(denied.kind === 'denial' && denied.cause.startMs === 100 && denied.cause.action === 'key.disable');
  kv.setEnabled(300, 'cmk', 'v1', false);
  assert.is(events.filter((e) => e.type === 'key.disabled').length, 1, 'disabling twice changes nothing');
  kv.setEnabled(400, 'cmk', 'v1', true);
  assert.ok(denied.kind === 'denial' && denied.cause.endMs === 400);
  assert.is(kinds(kv.pollUnwrap(500, 'cl1', ref)), 'success');
});

test('key.disable without a version disables the newest; the older one still unwraps', () => {
  const { vault: kv } = vault();
  assert.is(kv.createVersion(0, 'cmk'), 'v2');
  assert.is(kv.newestVersion('cmk'), 'v2');
  kv.setEnabled(1, 'cmk', undefined, false);
  assert.is(kinds(kv.pollUnwrap(2, 'cl1', ref)), 'success');
  assert.is(kinds(kv.pollUnwrap(3, 'cl1', { ...ref, version: 'v2' })), 'denial:keyDisabled');
  assert.is(kv.createVersion(4, 'cmk', 'custom'), 'custom');
});

test('a deleted key is denied and recoverable under soft delete; recovering a key that is not deleted is refused', () => {
  const { vault: kv } = vault();
  assert.is(kv.recoverKey(0, 'cmk'), 'the key is not deleted');
  kv.deleteKey(10, 'cmk');
  kv.deleteKey(11, 'cmk');
  assert.is(kinds(kv.pollUnwrap(20, 'cl1', ref)), 'denial:keyDeleted');
  assert.equal(kv.getKey(21, 'cl1', 'cmk').versions, []);
  assert.is(kv.recoverKey(30, 'cmk'), null);
  assert.is(kinds(kv.pollUnwrap(40, 'cl1', ref)), 'success');
});

test('"Purge protection ... guards against force deletion": a deleted key cannot be purged; without it, it can, and it is gone for good', () => {
  const guarded = vault().vault;
  assert.is(guarded.purgeKey(0, 'cmk'), 'only a deleted key can be purged');
  guarded.deleteKey(1, 'cmk');
  assert.match(guarded.purgeKey(2, 'cmk')!, /purge protection/);
  const open = vault({ purgeProtection: false }).vault;
  const { wrapped } = open.wrapKey(0, 'cl1', ref, AEK);
  open.deleteKey(1, 'cmk');
  assert.is(open.purgeKey(2, 'cmk'), null);
  assert.is(open.purgeKey(3, 'cmk'), 'the key is already purged');
  assert.match(open.recoverKey(4, 'cmk')!, /purged/);
  const { answer, aek } = open.unwrapKey(5, 'cl1', ref, wrapped!);
  assert.is(kinds(answer), 'denial:keyPurged');
  assert.is(aek, null);
  assert.is(open.recoverable, false);
});

test('"Soft-delete retention is 7 to 90 days": a deleted key that is not recovered is purged, gone for good, when its retention ends; purge protection does not stop that', () => {
  const DAY = 24 * HOUR;
  const { vault: kv, events, scheduler } = vault({ softDeleteRetentionDays: 7 });
  kv.deleteKey(DAY, 'cmk');
  scheduler.runUntil(8 * DAY - 1);
  assert.is(kinds(kv.pollUnwrap(8 * DAY - 1, 'cl1', ref)), 'denial:keyDeleted');
  scheduler.runUntil(8 * DAY);
  assert.equal(events.filter((e) => e.type === 'key.purged'), [{ t: 8 * DAY, type: 'key.purged', entity: 'kv1/cmk', cause: 'retentionEnded' }]);
  assert.is(kinds(kv.pollUnwrap(8 * DAY, 'cl1', ref)), 'denial:keyPurged');
  assert.is(kv.recoverKey(9 * DAY, 'cmk'), 'the key was purged: its material no longer exists');
});

test('a key recovered within its retention is not purged later; deleted again, its retention starts afresh', () => {
  const DAY = 24 * HOUR;
  const { vault: kv, events, scheduler } = vault({ softDeleteRetentionDays: 7 });
  kv.deleteKey(0, 'cmk');
  scheduler.runUntil(6 * DAY);
  assert.is(kv.recoverKey(6 * DAY, 'cmk'), null);
  kv.deleteKey(10 * DAY, 'cmk');
  scheduler.runUntil(17 * DAY - 1);
  assert.is(events.filter((e) => e.type === 'key.purged').length, 0);
  scheduler.runUntil(17 * DAY);
  assert.equal(events.filter((e) => e.type === 'key.purged').map((e) => e.t), [17 * DAY]);
});

test('without soft delete, deleting a key purges it at once', () => {
  const { vault: kv, events } = vault({ softDelete: false });
  kv.deleteKey(0, 'cmk');
  assert.is(kinds(kv.pollUnwrap(1, 'cl1', ref)), 'denial:keyPurged');
  assert.equal(events.filter((e) => e.type === 'key.purged'), [{ t: 0, type: 'key.purged', entity: 'kv1/cmk', cause: 'softDeleteOff' }]);
  assert.is(kv.recoverable, false);
});

test('"Key Vault allows unwrap outside nbf/exp": an expired version still unwraps; getKey reports its expiry', () => {
  const { vault: kv } = vault();
  kv.setExpiry(0, 'cmk', undefined, 50);
  assert.is(kinds(kv.pollUnwrap(100, 'cl1', ref)), 'success');
  assert.equal(kv.getKey(100, 'cl1', 'cmk').versions, [{ id: 'v1', enabled: true, nbfMs: null, expMs: 50 }]);
});

test('an outage answers every request as unreachable until it ends; network rules answer networkDenied', () => {
  const { vault: kv, events } = vault();
  kv.beginOutage(0, 100);
  const down = kv.pollUnwrap(50, 'cl1', ref);
  assert.is(kinds(down), 'error:unreachable');
  kv.endWindows(99);
  assert.is(kinds(kv.pollUnwrap(99, 'cl1', ref)), 'error:unreachable', 'not over before its end');
  kv.endWindows(100);
  assert.ok(down.kind === 'error' && down.cause.endMs === 100);
  assert.is(kinds(kv.pollUnwrap(101, 'cl1', ref)), 'success');
  kv.beginNetworkDenied(200, 10);
  assert.is(kinds(kv.pollUnwrap(201, 'cl1', ref)), 'error:networkDenied');
  kv.endWindows(210);
  assert.is(kinds(kv.pollUnwrap(211, 'cl1', ref)), 'success');
  assert.equal(
    events.filter((e) => e.type.startsWith('keyVault.')).map((e) => e.type),
    ['keyVault.outage.begin', 'keyVault.outage.end', 'keyVault.networkDenied.begin', 'keyVault.networkDenied.end'],
  );
});

test('during a Key Vault outage the vault is unreachable for its owner too: key.disable and every other key or policy request is refused (503 ServiceUnavailable) and changes nothing; a network rule blocks only the cluster, so the owner\'s disable goes through', () => {
  const owner = [
    { do: 'key.disable', vault: 'kv1', key: 'cmk' },
    { do: 'key.rotate', vault: 'kv1', key: 'cmk' },
    { do: 'key.setExpiry', vault: 'kv1', key: 'cmk', exp: '1d' },
    { do: 'accessPolicy.remove', vault: 'kv1', principal: 'cl1' },
    { do: 'accessPolicy.set', vault: 'kv1', principal: 'cl1', permissions: ['get'] },
    { do: 'key.delete', vault: 'kv1', key: 'cmk' },
    { do: 'key.recover', vault: 'kv1', key: 'cmk' },
    { do: 'key.purge', vault: 'kv1', key: 'cmk' },
  ];
  const r = run(
    scenario({
      duration: '8h',
      keyVaults: [{ name: 'kv1', keys: [{ name: 'cmk', kty: 'oct-HSM' }] }],
      actions: [
        { at: '1h', do: 'keyVault.outage', vault: 'kv1', for: '2h' },
        ...owner.map((a, i) => ({ at: `${90 + i}m`, ...a })),
        { at: '4h', do: 'keyVault.denyNetwork', vault: 'kv1', for: '2h' },
        { at: '4h10m', do: 'key.disable', vault: 'kv1', key: 'cmk' },
      ],
    }),
  );
  const operations = r.result.operations;
  owner.forEach((a, i) => {
    const o = operations[i]!;
    assert.equal([o.action, o.status, o.httpStatus, o.code], [a.do, 'Failed', 503, 'ServiceUnavailable'], a.do);
    assert.match(o.message!, /Key Vault kv1 is unreachable \(an outage since \+1h\): the request did not reach it and nothing changed/);
  });
  assert.equal([operations[8]!.action, operations[8]!.status], ['key.disable', 'Succeeded']);
  // Nothing changed during the outage: the key's only change is the disable during the network rule.
  const changes = r.events.filter((e) => e.type.startsWith('key.') || e.type.startsWith('accessPolicy.'));
  assert.equal(changes.filter((e) => e.t > 0).map((e) => [e.t, e.type]), [[4 * HOUR + 10 * MINUTE, 'key.disabled']]);
  assert.is(r.result.incidents.filter((i) => i.kind === 'revocation').length, 1);
});

test('an outage beats a denial: an unreachable vault cannot say no', () => {
  const { vault: kv } = vault();
  kv.setEnabled(0, 'cmk', 'v1', false);
  kv.beginOutage(1, 100);
  assert.is(kinds(kv.pollUnwrap(2, 'cl1', ref)), 'error:unreachable');
});

test('transient errors fail about failureRate of the requests, drawn from the seeded stream', () => {
  const { vault: kv } = vault();
  kv.beginTransient(0, 1_000_000, 0.3);
  let failed = 0;
  for (let t = 1; t <= 1000; t++) if (kv.pollUnwrap(t * 100, 'cl1', ref).kind === 'error') failed++;
  assert.ok(failed > 240 && failed < 360, `failed ${failed} of 1000`);
  kv.endWindows(1_000_000);
  for (let t = 0; t < 50; t++) assert.is(kinds(kv.pollUnwrap(1_000_001 + t, 'cl1', ref)), 'success');
});

test('"HTTP 429 above a per-10-second limit": requests above the limit in one 10-second window are throttled, the next window starts afresh', () => {
  const { vault: kv } = vault({}, 3);
  const answers = [0, 1, 2, 3, 4].map((t) => kinds(kv.pollUnwrap(t, 'cl1', ref)));
  assert.equal(answers, ['success', 'success', 'success', 'error:throttled', 'error:throttled']);
  assert.is(kv.counters.throttled, 2);
  assert.is(kinds(kv.pollUnwrap(10_000, 'cl1', ref)), 'success');
  const throttled = vault({}, 1000).vault;
  throttled.beginThrottle(0, 20_000, 1);
  assert.equal([1, 2].map((t) => kinds(throttled.pollUnwrap(t, 'cl1', ref))), ['success', 'error:throttled']);
  throttled.endWindows(20_000);
  assert.is(kinds(throttled.pollUnwrap(20_001, 'cl1', ref)), 'success');
  // A limit of 0: a storm of 429s, every request of every window throttled.
  const storm = vault({}, 1000).vault;
  storm.beginThrottle(0, 30_000, 0);
  assert.equal([0, 1, 10_000, 20_000].map((t) => kinds(storm.pollUnwrap(t, 'cl1', ref))), ['error:throttled', 'error:throttled', 'error:throttled', 'error:throttled']);
});

test('Key Vault\'s limits by key type: software RSA-2048 at the parameter, RSA-3072 a quarter of it, RSA-4096 an eighth, HSM keys half of their software figure', () => {
  const limitOf = (kty: 'RSA' | 'RSA-HSM', sizeBits: number) => {
    const { vault: kv } = vault({ keys: [{ name: 'cmk', kty, sizeBits, wrapAlgorithm: 'RSA-OAEP-256', versions: ['v1'] }] }, 4000);
    let served = 0;
    for (let t = 0; t < 5000 && kinds(kv.pollUnwrap(t, 'cl1', ref)) === 'success'; t++) served++;
    return served;
  };
  assert.equal(
    [limitOf('RSA', 2048), limitOf('RSA', 3072), limitOf('RSA', 4096), limitOf('RSA-HSM', 2048), limitOf('RSA-HSM', 3072), limitOf('RSA-HSM', 4096)],
    [4000, 1000, 500, 2000, 500, 250],
  );
});

test('consecutive windows throttled at the vault\'s own limit share one cause, which ends when a window is not throttled', () => {
  const { vault: kv } = vault({}, 1);
  kv.pollUnwrap(0, 'cl1', ref);
  const a = kv.pollUnwrap(1, 'cl1', ref);
  kv.pollUnwrap(10_000, 'cl1', ref);
  const b = kv.pollUnwrap(10_001, 'cl1', ref);
  assert.ok(a.kind === 'error' && b.kind === 'error' && a.cause === b.cause);
  kv.pollUnwrap(40_000, 'cl1', ref);
  const c = kv.pollUnwrap(40_001, 'cl1', ref);
  assert.ok(c.kind === 'error' && c.cause !== a.cause);
  assert.is(a.kind === 'error' ? a.cause.endMs : -1, 20_000);
});

test('every request is counted: a poll that succeeds is no failure, an unwrap that is denied is one', () => {
  const { vault: kv } = vault();
  assert.is(kinds(kv.pollUnwrap(0, 'cl1', ref)), 'success');
  const { wrapped } = kv.wrapKey(1, 'cl1', ref, AEK);
  kv.setEnabled(2, 'cmk', 'v1', false);
  const { answer, aek } = kv.unwrapKey(3, 'cl1', ref, wrapped!);
  assert.is(kinds(answer), 'denial:keyDisabled');
  assert.is(aek, null);
  assert.equal(kv.counters, { requests: 3, unwrapCalls: 2, unwrapFailures: 1, throttled: 0, denied: 1 });
});

test('"Azure Storage sends requests ... to wrap": a wrap the vault refuses returns no wrapped key', () => {
  const { vault: kv } = vault();
  kv.setEnabled(0, 'cmk', 'v1', false);
  const { answer, wrapped } = kv.wrapKey(1, 'cl1', ref, AEK);
  assert.is(kinds(answer), 'denial:keyDisabled');
  assert.is(wrapped, null);
  const noWrap = vault({ accessPolicies: [{ principal: 'cl1', permissions: ['get', 'unwrapKey'] }] }).vault;
  const refused = noWrap.wrapKey(0, 'cl1', ref, AEK);
  assert.equal([kinds(refused.answer), refused.wrapped], ['denial:permissionMissing', null]);
});

test('"The Get permission is required": getKey without it, or on a deleted key, shows no versions', () => {
  const { vault: kv } = vault({ accessPolicies: [{ principal: 'cl1', permissions: ['wrapKey', 'unwrapKey'] }] });
  const denied = kv.getKey(0, 'cl1', 'cmk');
  assert.is(kinds(denied.answer), 'denial:permissionMissing');
  assert.equal(denied.versions, []);
  assert.equal(kv.getKey(1, 'cl1', 'nokey').versions, []);
  assert.is(kv.newestVersion('nokey'), undefined);
});

test('key operations name the version they act on: disabling or setting the expiry of one version leaves the others alone', () => {
  const { vault: kv } = vault();
  kv.createVersion(0, 'cmk');
  kv.createVersion(0, 'cmk');
  kv.setEnabled(1, 'cmk', 'v2', false);
  assert.is(kinds(kv.pollUnwrap(2, 'cl1', ref)), 'success');
  assert.is(kinds(kv.pollUnwrap(3, 'cl1', { ...ref, version: 'v2' })), 'denial:keyDisabled');
  assert.is(kinds(kv.pollUnwrap(3, 'cl1', { ...ref, version: 'v3' })), 'success');
  kv.setExpiry(4, 'cmk', 'v2', 1000);
  kv.setExpiry(5, 'cmk', undefined, 2000);
  assert.equal(kv.getKey(6, 'cl1', 'cmk').versions, [
    { id: 'v1', enabled: true, nbfMs: null, expMs: null },
    { id: 'v2', enabled: false, nbfMs: null, expMs: 1000 },
    { id: 'v3', enabled: true, nbfMs: null, expMs: 2000 },
  ]);
});

test('deleting a deleted key changes nothing: one event, and the denial keeps the cause of the first delete', () => {
  const { vault: kv, events } = vault();
  kv.deleteKey(10, 'cmk');
  kv.deleteKey(20, 'cmk');
  const denied = kv.pollUnwrap(30, 'cl1', ref);
  assert.ok(denied.kind === 'denial' && denied.cause.startMs === 10 && denied.cause.action === 'key.delete');
  assert.is(events.filter((e) => e.type === 'key.deleted').length, 1);
  const purged = vault({ softDelete: false });
  purged.vault.deleteKey(0, 'cmk');
  purged.vault.deleteKey(1, 'cmk');
  assert.equal(purged.events.map((e) => e.type), ['key.deleted', 'key.purged']);
});

test('every key, policy and fault change is on the timeline with what it changed', () => {
  const { vault: kv, events } = vault();
  kv.createVersion(1, 'cmk');
  kv.deleteKey(2, 'cmk');
  kv.recoverKey(3, 'cmk');
  kv.setExpiry(4, 'cmk', 'v1', 99);
  kv.setPolicy(5, 'cl1', ['get', 'unwrapKey']);
  kv.removePolicy(6, 'cl1');
  kv.beginOutage(10, 5);
  kv.beginNetworkDenied(20, 6);
  kv.beginTransient(30, 7, 0.5);
  kv.beginThrottle(40, 8, 9);
  assert.equal(events, [
    { t: 1, type: 'key.created', entity: 'kv1/cmk', version: 'v2' },
    { t: 2, type: 'key.deleted', entity: 'kv1/cmk' },
    { t: 3, type: 'key.recovered', entity: 'kv1/cmk' },
    { t: 4, type: 'key.expirySet', entity: 'kv1/cmk', version: 'v1', expMs: 99 },
    { t: 5, type: 'accessPolicy.set', entity: 'kv1', principal: 'cl1', permissions: ['get', 'unwrapKey'] },
    { t: 6, type: 'accessPolicy.removed', entity: 'kv1', principal: 'cl1' },
    { t: 10, type: 'keyVault.outage.begin', entity: 'kv1', untilMs: 15 },
    { t: 20, type: 'keyVault.networkDenied.begin', entity: 'kv1', untilMs: 26 },
    { t: 30, type: 'keyVault.transient.begin', entity: 'kv1', untilMs: 37, failureRate: 0.5 },
    { t: 40, type: 'keyVault.throttle.begin', entity: 'kv1', untilMs: 48, limitPer10s: 9 },
  ]);
});

test('"deleting the cluster\'s access policy" or setting one without unwrapKey is a denial from the change on, one cause until unwrapKey is granted again', () => {
  const { vault: kv } = vault();
  kv.setPolicy(10, 'cl1', ['get', 'wrapKey']);
  const first = kv.pollUnwrap(20, 'cl1', ref);
  assert.ok(first.kind === 'denial' && first.reason === 'permissionMissing' && first.cause.startMs === 10 && first.cause.action === 'accessPolicy.set');
  kv.setPolicy(30, 'cl1', ['get']);
  const second = kv.pollUnwrap(40, 'cl1', ref);
  assert.ok(second.kind === 'denial' && second.cause === first.cause, 'still the change at 10');
  assert.is(first.cause.endMs, null, 'not over while unwrapKey is missing');
  kv.setPolicy(50, 'cl1', ['get', 'wrapKey', 'unwrapKey']);
  assert.is(first.cause.endMs, 50);
  // A new principal given a policy without unwrapKey is denied from that change too.
  kv.setPolicy(60, 'cl2', ['get']);
  const other = kv.pollUnwrap(70, 'cl2', ref);
  assert.ok(other.kind === 'denial' && other.cause.startMs === 60);
  // Granting a complete policy to a principal that was never denied changes nothing.
  kv.setPolicy(80, 'cl1', ['get', 'wrapKey', 'unwrapKey']);
  assert.is(kinds(kv.pollUnwrap(90, 'cl1', ref)), 'success');
});

test('removing a policy that does not exist does nothing', () => {
  const { vault: kv, events } = vault();
  kv.removePolicy(0, 'nobody');
  assert.equal(events, []);
  assert.is(kinds(kv.pollUnwrap(1, 'cl1', ref)), 'success');
});

test('two overlapping outages: the vault answers again only when the second ends, and that is when the outage ends on the timeline', () => {
  const { vault: kv, events } = vault();
  kv.beginOutage(0, 100);
  kv.beginOutage(50, 100);
  kv.endWindows(100);
  assert.is(kinds(kv.pollUnwrap(120, 'cl1', ref)), 'error:unreachable');
  assert.is(events.filter((e) => e.type === 'keyVault.outage.end').length, 0);
  kv.endWindows(150);
  assert.is(kinds(kv.pollUnwrap(160, 'cl1', ref)), 'success');
  assert.equal(events.filter((e) => e.type === 'keyVault.outage.end').map((e) => e.t), [150]);
});

test('incidents point at their cause: each cause has its own id in the vault', () => {
  const { vault: kv } = vault();
  kv.beginOutage(0, 10);
  const a = kv.pollUnwrap(1, 'cl1', ref);
  kv.endWindows(10);
  kv.setEnabled(20, 'cmk', 'v1', false);
  const b = kv.pollUnwrap(21, 'cl1', ref);
  assert.ok(a.kind === 'error' && b.kind === 'denial');
  assert.equal([a.cause.id, b.cause.id], ['kv1#1', 'kv1#2']);
});

test('oct-HSM key material comes from the seeded streams: the same seed wraps the same AEK to the same bytes', () => {
  const one = vault().vault.wrapKey(0, 'cl1', ref, AEK).wrapped!;
  const two = vault().vault.wrapKey(0, 'cl1', ref, AEK).wrapped!;
  assert.equal(one, two);
});

test('an RSA key (RSA-OAEP-256) wraps and unwraps the AEK for real; only oct-HSM keys take octet material', () => {
  const { vault: kv } = vault({ keys: [{ name: 'cmk', kty: 'RSA', sizeBits: 2048, wrapAlgorithm: 'RSA-OAEP-256', versions: ['v1'] }] });
  const { answer, wrapped } = kv.wrapKey(0, 'cl1', ref, AEK);
  assert.is(answer.kind, 'success');
  assert.is(wrapped!.length, 256, 'one RSA-2048 block');
  assert.equal(kv.unwrapKey(1, 'cl1', ref, wrapped!).aek, AEK);
});

test('Azure RBAC: in a vault with permissionModel rbac the role Key Vault Crypto Service Encryption User grants wrap and unwrap; deleting it denies (permissionMissing, cause roleAssignment.delete); access policies are refused there', () => {
  const { vault: kv, events } = vault({ permissionModel: 'rbac', accessPolicies: [] });
  assert.is(kinds(kv.pollUnwrap(1, 'cl1', ref)), 'denial:permissionMissing', 'no role yet');
  assert.is(kv.assignRole(2, 'cl1', 'Key Vault Crypto Service Encryption User'), null);
  assert.is(kinds(kv.pollUnwrap(3, 'cl1', ref)), 'success');
  assert.equal(kv.hasPermissions('cl1', ['get', 'wrapKey', 'unwrapKey']), []);
  assert.is(kv.removeRole(4, 'cl1', 'Key Vault Crypto Service Encryption User'), null);
  const denied = kv.pollUnwrap(5, 'cl1', ref);
  assert.ok(denied.kind === 'denial' && denied.reason === 'permissionMissing' && denied.cause.action === 'roleAssignment.delete' && denied.cause.startMs === 4, JSON.stringify(denied));
  assert.equal(events.map((e) => e.type), ['roleAssignment.created', 'roleAssignment.deleted']);
  assert.is(kv.setPolicy(6, 'cl1', ['get', 'wrapKey', 'unwrapKey'])?.code, 'PermissionModelMismatch');
  assert.is(kinds(kv.pollUnwrap(7, 'cl1', ref)), 'denial:permissionMissing', 'a refused access policy grants nothing');
});

test('a vault with access policies refuses role assignments (PermissionModelMismatch) and keeps answering by its policies', () => {
  const { vault: kv, events } = vault();
  assert.is(kv.assignRole(1, 'cl2', 'Key Vault Crypto Service Encryption User')?.code, 'PermissionModelMismatch');
  assert.is(kinds(kv.pollUnwrap(2, 'cl2', ref)), 'denial:permissionMissing');
  assert.is(kv.removeRole(3, 'cl1', 'Key Vault Crypto Service Encryption User')?.code, 'PermissionModelMismatch');
  assert.is(kinds(kv.pollUnwrap(4, 'cl1', ref)), 'success');
  assert.equal(events, []);
});

test.run();
