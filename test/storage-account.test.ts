// DOMAIN.md "Storage account behaviour (2020-11)", rule by rule, in the
// documentation's words.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Checker } from '../sim/observe/checker.ts';
import { canonical, type SimEvent } from '../sim/observe/events.ts';
import { DAY, HOUR, MINUTE, run, scenario as baseScenario, type ScenarioInput } from './helpers.ts';

// An oct-HSM key (AES key wrap) instead of RSA-2048: these rules do not depend on the key type, and runs are much faster.
const octVault = [{ name: 'kv1', keys: [{ name: 'cmk', kty: 'oct-HSM' }] }];
const scenario = (input: ScenarioInput = {}) => baseScenario({ keyVaults: octVault, ...input });

test('"The frequency that Azure Monitor Storage accesses Key Vault for wrap and unwrap operations is between 6 to 60 seconds"', () => {
  const day = (mode: string) => run(scenario({ duration: '1d', params: { delayMode: mode } })).result.totals.keyVault.unwrapCalls;
  // One storage account polls for one day: every 60 s at the slowest, every 6 s at the fastest.
  assert.is(day('worst'), DAY / (60 * 1000));
  assert.is(day('best'), DAY / (6 * 1000));
  const uniform = day('uniform');
  assert.ok(uniform > DAY / 60_000 && uniform < DAY / 6_000, `uniform polls ${uniform}`);
});

test('"Transient connection errors ... The query and ingestion capabilities continue without interruption"', () => {
  const r = run(scenario({ actions: [{ at: '6h', do: 'keyVault.transient', vault: 'kv1', for: '12h', failureRate: 0.5 }] }));
  assert.ok(r.result.totals.keyVault.unwrapFailures > 100, 'the vault really failed requests');
  assert.is(r.of('storage.unavailable').length, 0);
  assert.is(r.result.totals.query.availability, 1);
  assert.is(r.result.totals.ingestion.replayedRecords, 0);
  assert.is(r.result.incidents[0]!.unavailableAtMs, null, 'an incident users never saw');
  assert.is(r.of('storage.revocationCancelled').length, 0, 'errors schedule no revocation: the successes between them cancel none');
});

test('"unavailability of about 30 minutes will cause the Storage account to become unavailable": outageToUnavailable after the last successful unwrap', () => {
  const r = run(scenario({ actions: [{ at: '1d', do: 'keyVault.outage', vault: 'kv1', for: '2h' }] }));
  const [unavailable] = r.of('storage.unavailable');
  assert.ok(unavailable !== undefined);
  assert.is(unavailable.t, unavailable.lastAnswerMs + 30 * MINUTE);
  assert.ok(unavailable.lastAnswerMs < DAY && unavailable.lastAnswerMs >= DAY - 60_000, 'the last success is the last poll before the outage');
});

test('"The query capability is unavailable and ingested data is cached ... using Microsoft key": queries fail, records go to the MMK buffer', () => {
  // The outage lasts until the end of the run: what is buffered stays buffered.
  const r = run(scenario({ duration: '1d2h', actions: [{ at: '1d', do: 'keyVault.outage', vault: 'kv1', for: '2h' }] }));
  const ingestion = r.result.totals.ingestion;
  assert.ok(ingestion.bufferedRecords > 0);
  assert.is(ingestion.droppedRecords, 0);
  assert.ok(r.result.totals.query.failed > 0);
  assert.ok(r.of('query.sampled').some((e) => !e.ok));
});

test('"When access to Key Vault is restored ... the temporary cached data is ingested to the data-store and encrypted with Customer-Managed key": the buffer is replayed, all of it', () => {
  const r = run(scenario({ actions: [{ at: '1d', do: 'keyVault.outage', vault: 'kv1', for: '1h' }] }));
  const ingestion = r.result.totals.ingestion;
  const [incident] = r.result.incidents;
  assert.ok(incident !== undefined && incident.bufferedRecords > 0);
  assert.is(ingestion.replayedRecords, incident.bufferedRecords);
  assert.is(ingestion.bufferedRecords, 0);
  assert.is(ingestion.droppedRecords, 0);
  assert.is(r.of('buffer.replayed')[0]!.records, incident.bufferedRecords);
  assert.is(r.of('storage.revocationCancelled').length, 0, 'an outage schedules no revocation, so none is cancelled');
});

test('buffered data older than mmkBufferMaxAge ("several hours") is dropped as bufferExpired, the rest is replayed', () => {
  const r = run(scenario({ actions: [{ at: '12h', do: 'keyVault.outage', vault: 'kv1', for: '7h' }] }));
  const ingestion = r.result.totals.ingestion;
  assert.ok(ingestion.droppedByReason.bufferExpired > 0);
  assert.ok(ingestion.replayedRecords > 0);
  assert.is(ingestion.droppedByReason.revoked, 0);
  // The buffer never holds more than mmkBufferMaxAge of ingestion (plus the slice being checked).
  const perSlice = 100 * 5;
  assert.ok(ingestion.replayedRecords <= (4 * HOUR) / (5 * MINUTE) * perSlice + perSlice, `replayed ${ingestion.replayedRecords}`);
});

test('"The Log Analytics cluster storage will always respect changes in key permissions within an hour or sooner" (delayMode worst: exactly the bound)', () => {
  const r = run(scenario({ params: { delayMode: 'worst' }, actions: [{ at: '1d', do: 'key.disable', vault: 'kv1', key: 'cmk' }] }));
  const [revoked] = r.of('storage.revoked');
  assert.ok(revoked !== undefined);
  assert.is(revoked.t, DAY + HOUR);
  assert.is(revoked.reason, 'keyDisabled');
});

test('revocation happens no earlier than the change, and with delayMode best at the first poll that sees it', () => {
  const r = run(scenario({ params: { delayMode: 'best' }, actions: [{ at: '1d', do: 'key.disable', vault: 'kv1', key: 'cmk' }] }));
  const [revoked] = r.of('storage.revoked');
  assert.ok(revoked !== undefined);
  assert.ok(revoked.t >= DAY && revoked.t <= DAY + 6_000, `revoked at ${revoked.t}`);
  for (let seed = 1; seed <= 5; seed++) {
    const u = run(scenario({ seed, actions: [{ at: '1d', do: 'key.disable', vault: 'kv1', key: 'cmk' }] })).of('storage.revoked')[0]!;
    assert.ok(u.t >= DAY && u.t <= DAY + HOUR, `seed ${seed}: revoked at ${u.t}`);
  }
});

test('"You can revoke access to data by disabling your key, or deleting the cluster\'s access policy": every denial revokes', () => {
  const denials = [
    [{ at: '1d', do: 'key.disable', vault: 'kv1', key: 'cmk' }, 'keyDisabled'],
    [{ at: '1d', do: 'accessPolicy.remove', vault: 'kv1', principal: 'cl1' }, 'permissionMissing'],
    [{ at: '1d', do: 'accessPolicy.set', vault: 'kv1', principal: 'cl1', permissions: ['get', 'wrapKey'] }, 'permissionMissing'],
    [{ at: '1d', do: 'key.delete', vault: 'kv1', key: 'cmk' }, 'keyDeleted'],
    [{ at: '1d', do: 'cluster.setIdentity', cluster: 'cl1', type: 'None' }, 'identityNone'],
  ] as const;
  for (const [action, reason] of denials) {
    const r = run(scenario({ duration: '1d2h', actions: [action] }));
    const revoked = r.of('storage.revoked');
    assert.is(revoked.length, 1, `${action.do} revokes`);
    assert.is(revoked[0]!.reason, reason);
    assert.is(r.result.incidents[0]!.kind, 'revocation');
    assert.is(r.result.incidents[0]!.cause, action.do);
  }
});

test('"Any new data ingested ... gets dropped and won\'t be recoverable, data is inaccessible and queries to these workspaces fail"', () => {
  const r = run(scenario({ params: { delayMode: 'worst' }, actions: [{ at: '1d', do: 'key.disable', vault: 'kv1', key: 'cmk' }] }));
  const ingestion = r.result.totals.ingestion;
  // Every 5-minute slice of 500 records landing from 1d1h (revocation first, at the same instant) to 2d is dropped.
  assert.is(ingestion.droppedByReason.revoked, ((23 * HOUR) / (5 * MINUTE) + 1) * 500);
  assert.is(ingestion.bufferedRecords + ingestion.replayedRecords, 0);
  const [incident] = r.result.incidents;
  assert.is(incident!.kind, 'revocation');
  assert.is(incident!.droppedRecords, ingestion.droppedByReason.revoked, 'the incident counts the records it dropped');
  assert.is(r.result.workspaces.ws1!.query.unavailableMs, 23 * HOUR);
  const why = r.of('query.sampled').filter((e) => !e.ok).map((e) => e.why!);
  assert.ok(why.length > 0 && why.every((w) => w.includes('no AEK is in memory')), why[0]);
});

test('"Ingested data in last 14 days is also kept in hot-cache ... This gets deleted on key revocation operation"', () => {
  let hotBefore = -1;
  let hotAfter = -1;
  const r = run(scenario({ params: { delayMode: 'worst' }, actions: [{ at: '1d', do: 'key.disable', vault: 'kv1', key: 'cmk' }] }), {
    probes: [
      { atMs: DAY, look: (v) => (hotBefore = v.storageAccounts[1]!.hotCacheBlocks) },
      { atMs: DAY + 2 * HOUR, look: (v) => (hotAfter = v.storageAccounts[1]!.hotCacheBlocks) },
    ],
  });
  // The probe at 1d looks before the slice ending at 1d lands.
  assert.is(hotBefore, DAY / (5 * MINUTE) - 1);
  assert.is(hotAfter, 0);
  assert.is(r.of('hotCache.purged')[0]!.blocks, DAY / (5 * MINUTE) + 12 - 1);
});

test('while revoked the AEK is zeroed and not in memory, and data at rest stays but cannot be opened', () => {
  let during = { aek: true, cmk: -1, unreadable: -1 };
  let after = { aek: false, cmk: -1, unreadable: -1 };
  run(scenario({ params: { delayMode: 'worst' }, actions: [{ at: '1d', do: 'key.disable', vault: 'kv1', key: 'cmk' }, { at: '1d6h', do: 'key.enable', vault: 'kv1', key: 'cmk' }] }), {
    probes: [
      { atMs: DAY + 3 * HOUR, look: (v) => (during = { aek: v.storageAccounts[1]!.aekInMemory, ...v.storageAccounts[1]!.openableBlocks() }) },
      { atMs: DAY + 8 * HOUR, look: (v) => (after = { aek: v.storageAccounts[1]!.aekInMemory, ...v.storageAccounts[1]!.openableBlocks() }) },
    ],
  });
  assert.is(during.aek, false);
  assert.is(during.cmk, 0);
  // Every block stored before revocation at 1d1h (the slice landing at that instant was dropped) is still there, unreadable.
  assert.is(during.unreadable, (DAY + HOUR) / (5 * MINUTE) - 1);
  assert.is(after.aek, true);
  assert.is(after.unreadable, 0, 'the same bytes open again once the key is back');
});

test('"once accessed, data ingestion and query resume within 30 minutes" (delayMode worst: exactly 30 minutes after the first successful unwrap)', () => {
  const r = run(scenario({ params: { delayMode: 'worst' }, actions: [{ at: '1d', do: 'key.disable', vault: 'kv1', key: 'cmk' }, { at: '1d3h', do: 'key.enable', vault: 'kv1', key: 'cmk' }] }));
  const [restored] = r.of('storage.accessRestored');
  const [resumed] = r.of('storage.resumed');
  assert.ok(restored !== undefined && resumed !== undefined);
  assert.ok(restored.t >= DAY + 3 * HOUR && restored.t <= DAY + 3 * HOUR + 60_000, 'the first poll after the key is enabled');
  assert.is(resumed.t, restored.t + 30 * MINUTE);
  const [incident] = r.result.incidents;
  assert.is(incident!.restoredAtMs, restored.t);
  assert.is(incident!.resumedAtMs, resumed.t);
});

test('"data ingestion and query resume within 30 minutes": until then the account is still revoked to its users, and a run that ends in those minutes reports it revoked', () => {
  // Key enabled at 1d3h, restored at the first poll after it, resumed 30 minutes later: the run ends 10 minutes into the wait.
  const r = run(scenario({ duration: '1d3h10m', params: { delayMode: 'worst' }, actions: [{ at: '1d', do: 'key.disable', vault: 'kv1', key: 'cmk' }, { at: '1d3h', do: 'key.enable', vault: 'kv1', key: 'cmk' }] }));
  assert.is(r.of('storage.accessRestored').length, 1);
  assert.is(r.of('storage.resumed').length, 0);
  assert.is(r.result.storageAccounts['cl1/0']!.finalState, 'revoked');
});

test('two faults at once: each is an incident from its start until ingestion and queries resume, the longer one closing when its own cause clears, not at the resume', () => {
  // Transient errors (30 %) from 1d for 6h, and within them a 1-hour outage from 1d1h: unavailable about 30 minutes after Key Vault's last answer.
  const r = run(scenario({ params: { delayMode: 'worst' }, actions: [{ at: '1d', do: 'keyVault.transient', vault: 'kv1', for: '6h', failureRate: 0.3 }, { at: '1d1h', do: 'keyVault.outage', vault: 'kv1', for: '1h' }] }));
  const [resumed] = r.of('storage.resumed');
  const transient = r.result.incidents.find((i) => i.cause === 'keyVault.transient')!;
  const outage = r.result.incidents.find((i) => i.cause === 'keyVault.outage')!;
  assert.ok(resumed !== undefined && transient !== undefined && outage !== undefined);
  assert.is(transient.unavailableAtMs, outage.unavailableAtMs, 'users saw both when the account became unavailable');
  assert.is(outage.resumedAtMs, resumed.t, 'the outage closes when ingestion and queries resume');
  assert.ok(transient.restoredAtMs! >= DAY + 6 * HOUR && transient.restoredAtMs! < DAY + 7 * HOUR, 'the transient errors clear at 1d6h');
  assert.is(transient.resumedAtMs, transient.restoredAtMs, 'the account was already serving: the transient incident closes at the first answer after its cause');
});

test('a key re-enabled before revocation took effect cancels it: "within an hour or sooner" is a bound, not a delay', () => {
  const r = run(scenario({ params: { delayMode: 'worst' }, actions: [{ at: '1d', do: 'key.disable', vault: 'kv1', key: 'cmk' }, { at: '1d20m', do: 'key.enable', vault: 'kv1', key: 'cmk' }] }));
  assert.is(r.of('storage.revoked').length, 0);
  assert.is(r.of('storage.revocationCancelled').length, 1);
  assert.is(r.result.totals.query.availability, 1);
});

test('expired or not-yet-valid keys still unwrap: an expiry date alone interrupts nothing', () => {
  const r = run(scenario({ actions: [{ at: '6h', do: 'key.setExpiry', vault: 'kv1', key: 'cmk', exp: '12h' }] }));
  assert.is(r.result.incidents.length, 0);
  assert.is(r.result.totals.query.availability, 1);
});

test('"this overcomes any small blips in availability": errors shorter than outageToUnavailable minus the longest poll never reach a user', () => {
  for (let seed = 1; seed <= 6; seed++) {
    const r = run(scenario({ seed, duration: '1d', actions: [{ at: '12h', do: 'keyVault.outage', vault: 'kv1', for: '29m' }] }));
    assert.is(r.of('storage.unavailable').length, 0, `seed ${seed}`);
    assert.is(r.result.totals.query.availability, 1);
  }
});

test('a denial is an answer, not an outage: a key disabled while half the polls fail is revoked "within an hour", and the errors around the denials never make the account unavailable', () => {
  const r = run(scenario({ params: { delayMode: 'worst' }, actions: [{ at: '1d', do: 'keyVault.transient', vault: 'kv1', for: '3h', failureRate: 0.5 }, { at: '1d5m', do: 'key.disable', vault: 'kv1', key: 'cmk' }] }));
  assert.is(r.of('storage.unavailable').length, 0, 'Key Vault answered (with denials) all along');
  const [revoked] = r.of('storage.revoked');
  assert.is(revoked?.t, DAY + 5 * MINUTE + HOUR, 'revoked an hour after the change (delayMode worst)');
  assert.equal(r.result.incidents.map((i) => [i.cause, i.unavailableAtMs]), [['keyVault.transient', null], ['key.disable', DAY + 5 * MINUTE + HOUR]]);
});

test('network rules that deny the cluster and throttling are errors, not denials: the cache carries on, then unavailability, never revocation', () => {
  const r = run(
    scenario({
      duration: '2d',
      actions: [
        { at: '6h', do: 'keyVault.throttle', vault: 'kv1', for: '10m', limitPer10s: 1 },
        { at: '1d', do: 'keyVault.denyNetwork', vault: 'kv1', for: '1h' },
      ],
    }),
  );
  assert.is(r.of('storage.revoked').length, 0);
  assert.is(r.of('storage.unavailable').length, 1);
  assert.is(r.result.incidents.map((i) => i.cause).join(), 'keyVault.denyNetwork');
  assert.is(r.result.totals.ingestion.droppedRecords, 0);
});

test('profile 2021-07 and later: "keys stay cached for the whole outage; no interruption"', () => {
  const r = run(scenario({ profile: '2021-07', actions: [{ at: '1d', do: 'keyVault.outage', vault: 'kv1', for: '8h' }] }));
  assert.is(r.of('storage.unavailable').length, 0);
  assert.is(r.result.totals.query.availability, 1);
  assert.is(r.result.totals.ingestion.droppedRecords, 0);
});

test('"Data ingested in the last 14 days is also kept in hot-cache": older blocks leave it as they age', () => {
  let hot = -1;
  run(scenario({ duration: '16d' }), { probes: [{ atMs: 15 * DAY + 1, look: (v) => (hot = v.storageAccounts[1]!.hotCacheBlocks) }] });
  // At 15d the hot cache holds the blocks of the last 14 days: those landed after 1d.
  assert.is(hot, (14 * DAY) / (5 * MINUTE) + 1);
});

test('an outage while waiting to resume is an outage: unavailable outageToUnavailable after Key Vault last answered, buffered under the MMK and replayed, never a longer revocation', () => {
  const r = run(
    scenario({
      params: { delayMode: 'worst', resumeWithin: '1h' },
      actions: [
        { at: '12h', do: 'key.disable', vault: 'kv1', key: 'cmk' },
        { at: '14h', do: 'key.enable', vault: 'kv1', key: 'cmk' },
        { at: '14h2m', do: 'keyVault.outage', vault: 'kv1', for: '90m' },
      ],
    }),
  );
  const restored = r.of('storage.accessRestored').map((e) => e.t);
  assert.is(restored.length, 2, 'access restored after the key is enabled, and again after the outage');
  assert.ok(restored[0]! >= 14 * HOUR && restored[0]! <= 14 * HOUR + MINUTE);
  assert.ok(restored[1]! >= 14 * HOUR + 2 * MINUTE + 90 * MINUTE);
  // The resume due an hour after the first restore never comes: the outage made the account unavailable before it.
  const [unavailable] = r.of('storage.unavailable');
  assert.is(unavailable!.t, unavailable!.lastAnswerMs + 30 * MINUTE);
  assert.ok(unavailable!.lastAnswerMs >= restored[0]! && unavailable!.lastAnswerMs < 14 * HOUR + 2 * MINUTE, 'the clock runs from the last poll before the outage');
  const resumed = r.of('storage.resumed');
  assert.equal(resumed.map((e) => [e.t, e.fromState]), [[restored[1]! + HOUR, 'unavailable']], 'resumed resumeWithin after the second restore');
  // Records are dropped as revoked only until the account became unavailable; from then on they are buffered and replayed.
  const drops = r.of('storage.ingested').filter((e) => e.placement === 'revoked').map((e) => e.t);
  assert.ok(drops.at(-1)! < unavailable!.t);
  const ingestion = r.result.totals.ingestion;
  assert.ok(ingestion.replayedRecords > 0);
  assert.is(ingestion.droppedByReason.bufferExpired, 0);
  assert.is(ingestion.bufferedRecords, 0);
});

test('hotCacheDays 0: no hot copies at all, every sampled query reads cold', () => {
  const r = run(scenario({ duration: '1d', params: { hotCacheDays: 0 } }), { probes: [{ atMs: 20 * HOUR, look: (v) => assert.is(v.storageAccounts[1]!.hotCacheBlocks, 0) }] });
  assert.ok(r.result.totals.query.latencyMs.p50 >= 1000, `p50 ${r.result.totals.query.latencyMs.p50}`);
});

// ---- the MMK buffer, outage after outage -------------------------------------

test('"ingested data is cached for several hours using Microsoft key" in every outage: each one starts a buffer, and each buffer is replayed whole', () => {
  const buffered: number[] = [];
  const r = run(
    scenario({
      params: { delayMode: 'worst' },
      // Without double encryption a replayed block opens through its own chain only.
      clusters: [{ name: 'cl1', storageAccounts: 1, doubleEncryption: false, key: { vault: 'kv1', name: 'cmk' } }],
      actions: [
        { at: '6h', do: 'keyVault.outage', vault: 'kv1', for: '1h' },
        { at: '12h', do: 'keyVault.outage', vault: 'kv1', for: '1h' },
      ],
    }),
    { probes: [6 * HOUR + 52 * MINUTE, 12 * HOUR + 52 * MINUTE, 20 * HOUR].map((atMs) => ({ atMs, look: (v) => buffered.push(v.storageAccounts[1]!.bufferedBlocks) })) },
  );
  const unavailable = r.of('storage.unavailable').map((e) => e.t);
  assert.is(unavailable.length, 2);
  // The buffer holds one block per slice since the account became unavailable.
  const slicesSince = (fromMs: number, toMs: number) => Math.floor(toMs / (5 * MINUTE)) - Math.floor(fromMs / (5 * MINUTE));
  assert.equal(buffered, [slicesSince(unavailable[0]!, 6 * HOUR + 52 * MINUTE), slicesSince(unavailable[1]!, 12 * HOUR + 52 * MINUTE), 0]);
  assert.equal(r.of('buffer.started').map((e) => e.t), unavailable.map((t) => Math.ceil(t / (5 * MINUTE)) * 5 * MINUTE), 'one buffer per outage, from its first slice');
  const replayed = r.of('buffer.replayed');
  assert.is(replayed.length, 2);
  const ingestion = r.result.totals.ingestion;
  assert.is(ingestion.replayedRecords, replayed[0]!.records + replayed[1]!.records);
  assert.is(ingestion.bufferedRecords, 0);
  assert.is(ingestion.droppedRecords, 0);
  assert.is(r.result.incidents.reduce((n, i) => n + i.bufferedRecords, 0), ingestion.replayedRecords);
});

test('"cached for several hours": a record buffered exactly mmkBufferMaxAge ago is still replayed, older ones are dropped and reported', () => {
  let held = -1;
  const r = run(scenario({ params: { delayMode: 'worst' }, actions: [{ at: '12h', do: 'keyVault.outage', vault: 'kv1', for: '7h' }] }), {
    probes: [{ atMs: 18 * HOUR + 2 * MINUTE, look: (v) => (held = v.storageAccounts[1]!.bufferedBlocks) }],
  });
  // Six hours into the outage the buffer holds the last 4 hours of slices, both ends included, and no more.
  assert.is(held, (4 * HOUR) / (5 * MINUTE) + 1);
  const ingestion = r.result.totals.ingestion;
  // The buffer at replay holds the slices of the last 4 hours, both ends included.
  assert.is(ingestion.replayedRecords, ((4 * HOUR) / (5 * MINUTE) + 1) * 500);
  const expired = r.of('buffer.expired');
  const [unavailable] = r.of('storage.unavailable');
  assert.ok(expired.length > 0 && unavailable !== undefined);
  assert.is(expired.reduce((n, e) => n + e.records, 0), ingestion.droppedByReason.bufferExpired);
  for (const e of expired) {
    assert.is(e.records, e.blocks.length * 500);
    assert.is(e.cause, 'age');
    for (const block of e.blocks) assert.ok(block.records === 500);
  }
  assert.is(ingestion.droppedByReason.bufferExpired + ingestion.replayedRecords, r.result.incidents[0]!.bufferedRecords);
});

test('deleting the cluster while its account is unavailable: what the MMK buffer held is gone (bufferExpired), nothing stays buffered', () => {
  const r = run(
    scenario({
      duration: '1d',
      params: { clusterDeleteTime: ['10m', '10m'] },
      actions: [
        { at: '6h', do: 'keyVault.outage', vault: 'kv1', for: '12h' },
        { at: '8h', do: 'cluster.delete', cluster: 'cl1' },
      ],
    }),
  );
  assert.is(r.result.operations[0]!.status, 'Succeeded');
  const ingestion = r.result.totals.ingestion;
  assert.is(ingestion.bufferedRecords, 0);
  assert.ok(ingestion.droppedByReason.bufferExpired > 0);
  assert.is(ingestion.droppedByReason.bufferExpired, r.result.incidents[0]!.bufferedRecords);
  assert.is(r.of('storage.deleted').length, 1);
});

// ---- failures and recoveries as the account sees them ---------------------------

test('"this overcomes any small blips in availability": each blip is one run of failed polls, reported when it starts and when it ends', () => {
  const r = run(
    scenario({
      duration: '1d',
      params: { delayMode: 'worst' },
      actions: [
        { at: '6h', do: 'keyVault.outage', vault: 'kv1', for: '10m' },
        { at: '12h', do: 'keyVault.outage', vault: 'kv1', for: '10m' },
      ],
    }),
  );
  const answers = r.of('storage.unwrap');
  assert.equal(answers.map((e) => [e.answer, e.reason]), [['error', 'unreachable'], ['success', null], ['error', 'unreachable'], ['success', null]]);
  const [failed6, back6, failed12, back12] = answers.map((e) => e.t) as [number, number, number, number];
  assert.ok(failed6 >= 6 * HOUR && failed6 < 6 * HOUR + MINUTE && failed12 >= 12 * HOUR && failed12 < 12 * HOUR + MINUTE);
  // A poll every 60 s: ten polls fall in each 10-minute blip, then the first after it succeeds.
  assert.equal([back6 - failed6, back12 - failed12], [10 * MINUTE, 10 * MINUTE]);
  assert.is(r.result.totals.keyVault.unwrapFailures, 20);
  assert.is(r.of('storage.unavailable').length, 0);
});

test('"unavailability of about 30 minutes": the clock runs from Key Vault\'s last answer, however the faults that follow it overlap', () => {
  const r = run(
    scenario({
      actions: [
        { at: '1d', do: 'keyVault.transient', vault: 'kv1', for: '2h', failureRate: 1 },
        { at: '1d10m', do: 'keyVault.outage', vault: 'kv1', for: '1h' },
      ],
    }),
  );
  const [unavailable] = r.of('storage.unavailable');
  assert.ok(unavailable !== undefined);
  assert.ok(unavailable.lastAnswerMs < DAY && unavailable.lastAnswerMs >= DAY - MINUTE, 'the last poll before the transient errors');
  assert.is(unavailable.t, unavailable.lastAnswerMs + 30 * MINUTE);
  assert.equal(r.of('storage.unwrap').map((e) => e.answer), ['error', 'success'], 'one run of errors, transient then unreachable');
});

test('revoked while unavailable: the AEK was already evicted, so revocation has none left to zero', () => {
  const r = run(
    scenario({
      params: { delayMode: 'worst' },
      actions: [
        // Network rules block the cluster; the owner's disable reaches the vault (an outage would refuse it).
        { at: '1d', do: 'keyVault.denyNetwork', vault: 'kv1', for: '2h' },
        { at: '1d1h', do: 'key.disable', vault: 'kv1', key: 'cmk' },
      ],
    }),
  );
  const [revoked] = r.of('storage.revoked');
  assert.ok(revoked !== undefined);
  // The denial is seen at the first poll after the network block; revocation is then due at once (the change was over an hour before).
  assert.ok(revoked.t >= DAY + 2 * HOUR && revoked.t <= DAY + 2 * HOUR + MINUTE);
  assert.equal(r.of('storage.unavailable').map((e) => e.t).length, 1, 'unavailable first');
  // Both times the attempt to open the newest block with what the account holds finds no AEK.
  assert.equal(r.of('storage.openAttempt').slice(0, 2).map((e) => e.withHeldAek), ['noAek', 'noAek']);
});

test('while closed, the probe of the newest block finds no AEK in memory; the SSD copy (Microsoft key) still opens while unavailable and is gone once revoked', () => {
  const r = run(
    scenario({
      duration: '1d6h',
      actions: [
        { at: '2h', do: 'keyVault.outage', vault: 'kv1', for: '3h' },
        { at: '1d', do: 'key.disable', vault: 'kv1', key: 'cmk' },
      ],
    }),
  );
  const unavailableAt = r.of('storage.unavailable')[0]!.t;
  const revokedAt = r.of('storage.revoked')[0]!.t;
  const attempts = r.of('storage.openAttempt');
  const during = attempts.filter((e) => e.t >= unavailableAt && e.t < 5 * HOUR);
  const after = attempts.filter((e) => e.t >= revokedAt);
  assert.ok(during.length > 0 && after.length > 0, JSON.stringify(attempts.map((e) => e.t)));
  assert.equal([...new Set(during.map((e) => `${e.withHeldAek}/${e.hotCopy}`))], ['noAek/opened']);
  assert.equal([...new Set(after.map((e) => `${e.withHeldAek}/${e.hotCopy}`))], ['noAek/absent']);
  // Not only on closing: every query sampled while closed first tries the newest block again, so an AEK back in memory by any path is seen.
  const closedQueries = r.of('query.sampled').filter((e) => !e.ok && ((e.t > unavailableAt && e.t < 5 * HOUR) || e.t > revokedAt));
  assert.ok(closedQueries.length >= 4, `queries while closed: ${closedQueries.length}`);
  for (const query of closedQueries) assert.ok(attempts.some((e) => e.t === query.t && e.entity === query.entity), `no attempt to open with the query at ${query.t}`);
});

test('disabling the key again while waiting to resume: the denial is seen at the next poll and revocation is bound to that change', () => {
  const r = run(
    scenario({
      duration: '1d6h',
      params: { delayMode: 'worst' },
      actions: [
        { at: '1d', do: 'key.disable', vault: 'kv1', key: 'cmk' },
        { at: '1d2h', do: 'key.enable', vault: 'kv1', key: 'cmk' },
        { at: '1d2h10m', do: 'key.disable', vault: 'kv1', key: 'cmk' },
      ],
    }),
  );
  assert.equal(r.of('storage.accessRestored').map((e) => e.t), [DAY + 2 * HOUR]);
  const scheduled = r.of('storage.revocationScheduled');
  const revoked = r.of('storage.revoked');
  // delayMode worst (a poll every 60 s, revocation exactly "within an hour" of each change).
  assert.equal(scheduled.map((e) => [e.t, e.dueMs, e.reason]), [[DAY, DAY + HOUR, 'keyDisabled'], [DAY + 2 * HOUR + 10 * MINUTE, DAY + 3 * HOUR + 10 * MINUTE, 'keyDisabled']]);
  assert.equal(revoked.map((e) => e.t), [DAY + HOUR, DAY + 3 * HOUR + 10 * MINUTE]);
  assert.is(r.of('buffer.replayed').length, 0, 'nothing was buffered, nothing to replay');
});

test('"The query capability is unavailable": a sampled query fails while unavailable, and says so while access is back but not resumed', () => {
  const why: (string | null)[] = [];
  const look = (atMs: number) => ({ atMs, look: (v: { storageAccounts: readonly { sampleQuery: (w: string, l: number) => { why: string | null } }[] }) => why.push(v.storageAccounts[1]!.sampleQuery('ws1', HOUR).why) });
  run(scenario({ params: { delayMode: 'worst' }, actions: [{ at: '1d', do: 'keyVault.outage', vault: 'kv1', for: '1h' }] }), {
    probes: [look(DAY + 50 * MINUTE), look(DAY + HOUR + 20 * MINUTE), look(DAY + 2 * HOUR)],
  });
  assert.match(why[0]!, /unavailable: Key Vault has not answered an unwrap/);
  assert.match(why[1]!, /unavailable: access is restored but ingestion and queries have not resumed yet/);
  assert.is(why[2], null);
});

test('"data is inaccessible and queries to these workspaces fail" while revoked, and still while access is back but not resumed, which the query says', () => {
  const why: (string | null)[] = [];
  const look = (atMs: number) => ({ atMs, look: (v: { storageAccounts: readonly { sampleQuery: (w: string, l: number) => { why: string | null } }[] }) => why.push(v.storageAccounts[1]!.sampleQuery('ws1', HOUR).why) });
  // Revoked at 1d1h (delayMode worst), enabled at 1d3h, restored at the next poll, resumed 30 minutes later.
  run(scenario({ params: { delayMode: 'worst' }, actions: [{ at: '1d', do: 'key.disable', vault: 'kv1', key: 'cmk' }, { at: '1d3h', do: 'key.enable', vault: 'kv1', key: 'cmk' }] }), {
    probes: [look(DAY + 2 * HOUR), look(DAY + 3 * HOUR + 20 * MINUTE), look(DAY + 4 * HOUR)],
  });
  assert.match(why[0]!, /revoked: block \S+ is sealed under the customer key and no AEK is in memory/);
  assert.match(why[1]!, /revoked: access is restored but ingestion and queries have not resumed yet/);
  assert.is(why[2], null);
});

// ---- key changes on the account -------------------------------------------------

test('"AEK is now being encrypted with your new Key Encryption Key (KEK) version": the first poll under each version really unwraps, and the AEK is unchanged', () => {
  const r = run(
    scenario({
      params: { keyUpdateTime: ['1m', '1m'] },
      actions: [
        { at: '1d', do: 'key.rotate', vault: 'kv1', key: 'cmk' },
        { at: '1d1h', do: 'cluster.update', cluster: 'cl1', body: { properties: { keyVaultProperties: { keyVaultUri: 'https://kv1.vault.azure.net', keyName: 'cmk', keyVersion: 'v2' } } } },
      ],
    }),
  );
  const [configured] = r.of('storage.keyConfigured');
  const unwrapped = r.of('storage.aekUnwrapped');
  assert.equal(unwrapped.map((e) => [e.entity, e.version, e.aek]), [['cl1/0', 'v1', configured!.aek], ['cl1/0', 'v2', configured!.aek]], 'the same AEK fingerprint under each version');
  assert.ok(unwrapped[1]!.t > DAY + HOUR + MINUTE && unwrapped[1]!.t <= DAY + HOUR + 2 * MINUTE, 'at the first poll after the update');
  assert.is(r.result.incidents.length, 0);
});

test('"If you disable or delete your old key before updating the new key in the cluster, you will get into key revocation state": updating to the new version then fails, the old key cannot unwrap the AEK', () => {
  const update = { at: '1d3h', do: 'cluster.update', cluster: 'cl1', body: { properties: { keyVaultProperties: { keyVaultUri: 'https://kv1.vault.azure.net', keyName: 'cmk', keyVersion: 'v2' } } } };
  const r = run(
    scenario({
      params: { delayMode: 'worst', keyUpdateTime: ['1m', '1m'] },
      actions: [{ at: '1d', do: 'key.disable', vault: 'kv1', key: 'cmk', version: 'v1' }, { at: '1d2h', do: 'key.rotate', vault: 'kv1', key: 'cmk' }, update],
    }),
  );
  const [operation] = r.result.operations.filter((o) => o.action === 'cluster.update');
  assert.is(operation!.status, 'Failed');
  assert.is(operation!.code, 'KeyUpdateFailed');
  assert.is(operation!.message, 'the account key of cl1/0 cannot be unwrapped with the current key kv1/cmk/v1 (denial: keyDisabled), so it cannot be re-wrapped with the new one');
  assert.is(r.of('storage.keyConfigured').length, 1, 'only the setup');
  assert.is(r.of('storage.resumed').length, 0);
});

test('re-enabling the old key and then updating to the new version while revoked: the update re-wraps the AEK, and the account resumes "within 30 minutes" of the next unwrap', () => {
  // Polls an hour apart: the update lands between the key coming back and the next poll.
  const r = run(
    scenario({
      duration: '1d',
      params: { delayMode: 'worst', unwrapPollInterval: ['1h', '1h'], keyUpdateTime: ['1m', '1m'] },
      actions: [
        { at: '10h30m', do: 'key.disable', vault: 'kv1', key: 'cmk' },
        { at: '12h10m', do: 'key.enable', vault: 'kv1', key: 'cmk' },
        { at: '12h15m', do: 'key.rotate', vault: 'kv1', key: 'cmk' },
        { at: '12h20m', do: 'cluster.update', cluster: 'cl1', body: { properties: { keyVaultProperties: { keyVaultUri: 'https://kv1.vault.azure.net', keyName: 'cmk', keyVersion: 'v2' } } } },
      ],
    }),
  );
  assert.is(r.result.operations.find((o) => o.action === 'cluster.update')!.status, 'Succeeded');
  assert.equal(r.of('storage.revoked').map((e) => e.t), [11 * HOUR + 30 * MINUTE]);
  assert.equal(r.of('storage.keyConfigured').map((e) => [e.t, e.version]), [[0, 'v1'], [12 * HOUR + 21 * MINUTE, 'v2']]);
  // Configured while revoked: still revoked until a poll unwraps under v2, then resume within 30 minutes.
  assert.equal(r.of('storage.accessRestored').map((e) => e.t), [13 * HOUR]);
  assert.equal(r.of('storage.resumed').map((e) => [e.t, e.fromState]), [[13 * HOUR + 30 * MINUTE, 'revoked']]);
  assert.equal(r.of('storage.aekUnwrapped').map((e) => e.version), ['v1', 'v2']);
  assert.is(new Set(r.of('storage.aekUnwrapped').map((e) => e.aek)).size, 1, 'the AEK is the same under both versions');
  // Slices landed before the first poll of the day: they were sealed under the key the setup configured.
  assert.ok(r.result.totals.ingestion.storedCmkRecords > 0);
});

test('a key update whose wrap Key Vault refuses (an outage when it completes) fails, and the cluster keeps its current key', () => {
  const r = run(
    scenario({
      params: { keyUpdateTime: ['10m', '10m'] },
      actions: [
        { at: '1d', do: 'key.rotate', vault: 'kv1', key: 'cmk' },
        { at: '1d1h', do: 'cluster.update', cluster: 'cl1', body: { properties: { keyVaultProperties: { keyVaultUri: 'https://kv1.vault.azure.net', keyName: 'cmk', keyVersion: 'v2' } } } },
        { at: '1d1h5m', do: 'keyVault.outage', vault: 'kv1', for: '10m' },
      ],
    }),
  );
  const operation = r.result.operations.find((o) => o.action === 'cluster.update')!;
  assert.is(operation.status, 'Failed');
  assert.is(operation.message, 'Key Vault kv1 refused to wrap the account key of cl1/0 with kv1/cmk/v2 (error: unreachable)');
  assert.is(r.of('storage.keyConfigured').length, 1);
  assert.equal(r.of('storage.aekUnwrapped').map((e) => e.version), ['v1']);
  assert.is(r.of('storage.unavailable').length, 0, 'a 10-minute blip');
});

test('moving to a key in another vault while the old vault has a blip: the cached AEK is re-wrapped, no unwrap from the old vault is needed', () => {
  const r = run(
    scenario({
      params: { keyUpdateTime: ['5m', '5m'] },
      keyVaults: [
        { name: 'kv1', keys: [{ name: 'cmk', kty: 'oct-HSM' }] },
        { name: 'kv2', keys: [{ name: 'cmk2', kty: 'oct-HSM' }], accessPolicies: [{ principal: 'cl1', permissions: ['get', 'wrapKey', 'unwrapKey'] }] },
      ],
      actions: [
        { at: '1d', do: 'cluster.update', cluster: 'cl1', body: { properties: { keyVaultProperties: { keyVaultUri: 'https://kv2.vault.azure.net', keyName: 'cmk2', keyVersion: 'v1' } } } },
        { at: '1d2m', do: 'keyVault.outage', vault: 'kv1', for: '10m' },
      ],
    }),
  );
  assert.is(r.result.operations[0]!.status, 'Succeeded');
  assert.equal(r.of('storage.keyConfigured').map((e) => e.vault), ['kv1', 'kv2']);
  assert.is(r.of('storage.unavailable').length, 0);
  assert.is(r.result.totals.query.availability, 1);
});

test('a cluster without a key has no key reference; "After the Customer-managed key configuration" its accounts name the vault, key and version', () => {
  const refs: unknown[] = [];
  run(
    scenario({
      duration: '6h',
      params: { keyUpdateTime: ['1m', '1m'] },
      clusters: [{ name: 'cl1', storageAccounts: 1 }],
      actions: [
        { at: '1h', do: 'accessPolicy.set', vault: 'kv1', principal: 'cl1', permissions: ['get', 'wrapKey', 'unwrapKey'] },
        { at: '2h', do: 'cluster.update', cluster: 'cl1', body: { properties: { keyVaultProperties: { keyVaultUri: 'https://kv1.vault.azure.net', keyName: 'cmk', keyVersion: 'v1' } } } },
      ],
    }),
    { probes: [HOUR, 3 * HOUR].map((atMs) => ({ atMs, look: (v) => refs.push(v.storageAccounts[1]!.keyRef) })) },
  );
  assert.equal(refs, [null, { vault: 'kv1', key: 'cmk', version: 'v1' }]);
});

// ---- sampled queries: the blocks they really open ---------------------------------

type Sampled = { ok: boolean; hot: boolean; latencyMs: number; blocksOpened: number; why: string | null };
const sample = (atMs: number, queries: [string, number][], into: Sampled[]) => ({
  atMs,
  look: (v: { storageAccounts: readonly { sampleQuery: (workspace: string, lookbackMs: number) => Sampled }[] }) => {
    for (const [workspace, lookbackMs] of queries) into.push(v.storageAccounts[1]!.sampleQuery(workspace, lookbackMs));
  },
});
const hotFor = (days: number) => ({ hotCacheDays: days, querySampleInterval: '1d' });
const shape = (q: Sampled) => [q.ok, q.hot, q.blocksOpened];

test('"Queries read the blocks of their lookback window": a sampled query opens the newest blocks of its window and its oldest one, only of its own workspace', () => {
  const got: Sampled[] = [];
  const at = 2 * DAY + 12 * HOUR;
  run(
    scenario({
      duration: '2d13h',
      params: hotFor(1),
      workspaces: [
        { name: 'ws1', cluster: 'cl1', ingest: { gbPerDay: 10, recordsPerMinute: 10 }, query: { perHour: 1, lookback: '1h' } },
        { name: 'ws2', cluster: 'cl1', retentionDays: 90, ingest: { gbPerDay: 10, recordsPerMinute: 20 }, query: { perHour: 1, lookback: '1h' } },
      ],
    }),
    { probes: [sample(at, [['ws1', 30 * MINUTE], ['ws1', DAY + 10 * MINUTE], ['ws1', 23 * HOUR], ['ws2', 30 * MINUTE], ['ws2', DAY + 10 * MINUTE]], got)] },
  );
  // The probe looks before the slice ending at 2d12h lands: the window of 30 minutes holds 6 blocks, all hot.
  assert.equal(shape(got[0]!), [true, true, 6]);
  assert.ok(got[0]!.latencyMs >= 200 && got[0]!.latencyMs <= 800, 'hot read latency');
  // Longer windows: the newest querySampleMaxBlocks - 1 and the oldest. One day and 10 minutes back reaches past the hot cache (1 day).
  assert.equal(shape(got[1]!), [true, false, 12]);
  assert.ok(got[1]!.latencyMs >= 1000, 'cold read latency');
  // 23 hours back is still inside the hot cache, however old the account's first block is.
  assert.equal(shape(got[2]!), [true, true, 12]);
  assert.equal(shape(got[3]!), [true, true, 6]);
  assert.equal(shape(got[4]!), [true, false, 12]);
  for (const q of got) assert.is(q.why, null);
});

test('a window starting exactly at a block reads that block: "Data ingested in the last 14 days" (here 1) is hot, the block just past it is cold', () => {
  const got: Sampled[] = [];
  const at = 2 * DAY + 12 * HOUR;
  run(scenario({ duration: '2d13h', params: hotFor(1) }), { probes: [sample(at, [['ws1', DAY + 5 * MINUTE], ['ws1', DAY + 10 * MINUTE]], got)] });
  // The last slice (2d11h55m) aged out blocks older than one day before it: the block at 1d11h55m is still hot, the one at 1d11h50m is not.
  assert.equal(shape(got[0]!), [true, true, 12]);
  assert.equal(shape(got[1]!), [true, false, 12]);
});

test('2023-06 "last 14 days or recently queried": a cold query brings exactly its window into the hot cache, so the same query is hot next time', () => {
  const got: Sampled[] = [];
  const hot: number[] = [];
  const at = 2 * DAY + 12 * HOUR;
  const hotNow = { atMs: at, look: (v: { storageAccounts: readonly { hotCacheBlocks: number }[] }) => hot.push(v.storageAccounts[1]!.hotCacheBlocks) };
  run(scenario({ profile: '2023-06', duration: '2d13h', params: hotFor(1) }), {
    probes: [hotNow, sample(at, [['ws1', DAY + 10 * MINUTE]], got), hotNow, sample(at, [['ws1', DAY + 10 * MINUTE], ['ws1', at]], got), hotNow, sample(at, [['ws1', at]], got), hotNow],
  });
  assert.equal(got.map(shape), [
    [true, false, 12],
    [true, true, 12],
    [true, false, 12],
    [true, true, 12],
  ]);
  const blocks = at / (5 * MINUTE) - 1;
  // One day of blocks plus the last slice were hot; the first query heats the one block of its window past that; the whole-history query heats everything, once.
  assert.equal(hot, [DAY / (5 * MINUTE) + 1, DAY / (5 * MINUTE) + 2, blocks, blocks]);
});

test('a workspace linked before its cluster is provisioned: "ingested data will be dropped", its queries fail until the cluster is ready', () => {
  const got: Sampled[] = [];
  const r = run(
    scenario({
      setup: 'none',
      duration: '3h',
      params: { clusterProvisionTime: ['1h', '1h'], linkTime: ['1m', '1m'] },
      clusters: [{ name: 'cl1', storageAccounts: 2 }],
      workspaces: [{ name: 'ws1', ingest: { gbPerDay: 10, recordsPerMinute: 10 }, query: { perHour: 1, lookback: '1h' } }],
      actions: [
        { at: '0s', do: 'cluster.create', cluster: 'cl1' },
        { at: '1m', do: 'workspace.link', workspace: 'ws1', cluster: 'cl1' },
      ],
    }),
    { probes: [sample(30 * MINUTE, [['ws1', HOUR]], got), sample(2 * HOUR, [['ws1', HOUR]], got)] },
  );
  assert.is(got[0]!.ok, false);
  assert.match(got[0]!.why!, /still provisioning/);
  assert.equal([got[0]!.hot, got[0]!.blocksOpened, got[0]!.latencyMs], [false, 0, 0], 'a failed query opens nothing');
  assert.equal(r.of('storage.provisioned').map((e) => [e.t, e.entity]), [[HOUR, 'cl1/0'], [HOUR, 'cl1/1']]);
  assert.ok(r.result.totals.ingestion.droppedByReason.notProvisioned > 0);
  assert.ok(got[1]!.ok);
});

test('"This gets deleted on key revocation operation": the hot cache it deletes holds the last hotCacheDays only; the account counts its blocks, queries and purges', () => {
  const r = run(scenario({ duration: '2d2h', params: { ...hotFor(1), querySampleInterval: '1h', delayMode: 'worst' }, actions: [{ at: '2d', do: 'key.disable', vault: 'kv1', key: 'cmk' }] }));
  const [purged] = r.of('hotCache.purged');
  // Revocation at 2d1h: the hot cache held the blocks of the day before the last slice (2d55m), both ends included.
  assert.is(purged!.blocks, DAY / (5 * MINUTE) + 1);
  const account = r.result.storageAccounts['cl1/0']!;
  assert.is(account.hotCachePurges, 1);
  assert.is(account.blocksSealed, (2 * DAY + 55 * MINUTE) / (5 * MINUTE));
  assert.is(account.sampledQueries, 50);
  assert.is(account.aekInMemory, false);
});

// ---- retention over long runs ------------------------------------------------------

test('"Inaccessible data is governed by the data-retention policy and will be purged when retention is reached": blocks older than retention go, day after day; the hot cache keeps 14 days', () => {
  const seen: { oldest: unknown; hot: number; purged: number } = { oldest: null, hot: -1, purged: -1 };
  const r = run(
    scenario({
      duration: '70d',
      // One block an hour and a poll every 10 minutes keep 70 days affordable.
      params: { blockSlice: '1h', unwrapPollInterval: ['10m', '10m'], querySampleInterval: '1h', delayMode: 'worst' },
      workspaces: [
        { name: 'ws1', cluster: 'cl1', ingest: { gbPerDay: 10, recordsPerMinute: 10 }, query: { perHour: 12, lookback: '1h' } },
        { name: 'ws2', cluster: 'cl1', retentionDays: 31, ingest: { gbPerDay: 10, recordsPerMinute: 10 }, query: { perHour: 12, lookback: '1h' } },
      ],
      actions: [
        { at: '5d', do: 'workspace.setIngest', workspace: 'ws2', recordsPerMinute: 0 },
        { at: '68d', do: 'key.disable', vault: 'kv1', key: 'cmk' },
      ],
    }),
    {
      probes: [
        {
          atMs: 68 * DAY + 1,
          look: (v) => {
            const account = v.storageAccounts[1]!;
            seen.oldest = account.oldestBlocks();
            seen.hot = account.hotCacheBlocks;
            seen.purged = account.counters.blocksPurged;
          },
        },
      ],
    },
  );
  // After the slice at 68d: ws1's oldest block is exactly 30 days old; ws2 stopped at 5d and all of it is gone.
  assert.equal(seen.oldest, [{ retentionDays: 30, oldestMs: 38 * DAY }]);
  assert.is(seen.hot, 14 * 24 + 1);
  assert.is(seen.purged, (38 * 24 - 1) + (5 * 24 - 1));
  // Nothing of ws2 is left under the key: revocation has nothing of it to deny.
  assert.is(r.result.workspaces.ws2!.query.unavailableMs, 0);
  assert.ok(r.result.workspaces.ws1!.query.unavailableMs > 0);
  assert.is(r.result.invariants.violations.length, 0);
});

test('with a hot cache longer than retention, the hot cache holds what retention keeps, no more', () => {
  let seen = { hot: -1, blocks: -1 };
  run(scenario({ duration: '36d', params: { blockSlice: '1h', unwrapPollInterval: ['10m', '10m'], hotCacheDays: 45 } }), {
    probes: [{ atMs: 35 * DAY + 1, look: (v) => (seen = { hot: v.storageAccounts[1]!.hotCacheBlocks, blocks: v.storageAccounts[1]!.openableBlocks().cmk }) }],
  });
  assert.is(seen.blocks, 30 * 24 + 1);
  assert.is(seen.hot, seen.blocks);
});

/** Two workspaces of one cluster; the second, of another retention, is made to stop writing before the key is set. */
const TWO_WORKSPACES = [
  { name: 'ws1', cluster: 'cl1', ingest: { gbPerDay: 10, recordsPerMinute: 10 }, query: { perHour: 12, lookback: '1h' } },
  { name: 'ws2', cluster: 'cl1', retentionDays: 90, ingest: { gbPerDay: 10, recordsPerMinute: 10 }, query: { perHour: 12, lookback: '1h' } },
];

/** The documented steps that set the key on cl1 at `at`: the access policy, then the key update. */
const keySetAt = (at: string) => [
  { at, do: 'accessPolicy.set', vault: 'kv1', principal: 'cl1', permissions: ['get', 'wrapKey', 'unwrapKey'] },
  { at, do: 'cluster.update', cluster: 'cl1', body: { properties: { keyVaultProperties: { keyVaultUri: 'https://kv1.vault.azure.net', keyName: 'cmk', keyVersion: 'v1' } } } },
];

test('"Data that was ingested prior to the configuration, remains encrypted with Microsoft key": a workspace with only such data is still queried while revoked, even after retention purged the oldest', () => {
  const r = run(
    scenario({
      duration: '33d',
      params: { blockSlice: '1h', unwrapPollInterval: ['10m', '10m'], querySampleInterval: '1h', delayMode: 'worst', keyUpdateTime: ['1m', '1m'] },
      clusters: [{ name: 'cl1', storageAccounts: 1 }],
      workspaces: TWO_WORKSPACES,
      actions: [
        { at: '12h', do: 'workspace.setIngest', workspace: 'ws2', recordsPerMinute: 0 },
        // ws1's first blocks (under Microsoft keys) are purged from 30d on, before the key is set at 31d.
        ...keySetAt('31d'),
        { at: '32d', do: 'key.disable', vault: 'kv1', key: 'cmk' },
      ],
    }),
  );
  assert.equal(r.of('storage.revoked').map((e) => e.t), [32 * DAY + HOUR]);
  assert.is(r.result.workspaces.ws2!.query.unavailableMs, 0);
  assert.is(r.result.workspaces.ws1!.query.unavailableMs, 23 * HOUR);
  assert.is(r.result.invariants.violations.length, 0);
});

test('"Data that was ingested prior to the configuration, remains encrypted with Microsoft key" and is queried "seamlessly" through a Key Vault outage too: "the query capability is unavailable" only for data under the customer key', () => {
  const r = run(
    scenario({
      duration: '3d',
      params: { unwrapPollInterval: ['1m', '1m'], delayMode: 'worst', keyUpdateTime: ['1m', '1m'] },
      clusters: [{ name: 'cl1', storageAccounts: 1 }],
      workspaces: TWO_WORKSPACES,
      actions: [
        // ws2 stops writing before the key: its data on the cluster is all under Microsoft keys.
        { at: '12h', do: 'workspace.setIngest', workspace: 'ws2', recordsPerMinute: 0 },
        ...keySetAt('1d'),
        { at: '2d', do: 'keyVault.outage', vault: 'kv1', for: '2h' },
      ],
    }),
  );
  assert.is(r.of('storage.unavailable').length, 1, 'the outage made the account unavailable');
  assert.ok(r.result.workspaces.ws1!.query.unavailableMs > HOUR, `ws1 (customer-key data) failed ${r.result.workspaces.ws1!.query.unavailableMs} ms`);
  assert.is(r.result.workspaces.ws2!.query.unavailableMs, 0, 'ws2 (Microsoft-key data only) kept answering');
  assert.equal(r.result.invariants.violations, []);
  // The checker, over the same history with the two workspaces' answers swapped while the account is unavailable.
  const unavailableAt = r.of('storage.unavailable')[0]!;
  const judged = (rule: number) => {
    const checker = new Checker();
    for (const event of r.events) {
      checker.apply(canonical(event));
      if (event === unavailableAt) for (const [entity, type] of [['ws1', 'workspace.queriesServing'], ['ws2', 'workspace.queriesFailing']] as const) checker.apply(canonical({ t: event.t, type, entity } as SimEvent));
    }
    return checker.report().violations.filter((v) => v.rule === rule).map((v) => v.message);
  };
  assert.ok(judged(8).some((m) => m.startsWith('queries of workspace ws2 fail') && m.includes('is unavailable, but its data there is all under Microsoft keys')), JSON.stringify(judged(8)));
  assert.ok(judged(5).some((m) => m.startsWith('queries of workspace ws1 succeed') && m.includes('is unavailable and the data is under the customer key')), JSON.stringify(judged(5)));
});

test('"queries to these workspaces fail": each workspace\'s query fails on its own newest block under the customer key', () => {
  const got: Sampled[] = [];
  run(
    scenario({
      duration: '1d',
      params: { delayMode: 'worst' },
      workspaces: [
        { name: 'ws1', cluster: 'cl1', ingest: { gbPerDay: 10, recordsPerMinute: 10 }, query: { perHour: 1, lookback: '1h' } },
        { name: 'ws2', cluster: 'cl1', retentionDays: 90, ingest: { gbPerDay: 10, recordsPerMinute: 20 }, query: { perHour: 1, lookback: '1h' } },
      ],
      actions: [{ at: '12h', do: 'key.disable', vault: 'kv1', key: 'cmk' }],
    }),
    { probes: [sample(14 * HOUR, [['ws1', HOUR], ['ws2', HOUR]], got)] },
  );
  // Revoked at 13h: the last block stored was the slice of 12h55m (slice 155).
  assert.match(got[0]!.why!, /revoked: block cl1\/0\/155\/r30 is sealed under the customer key/);
  assert.match(got[1]!.why!, /revoked: block cl1\/0\/155\/r90 is sealed under the customer key/);
  assert.equal(got.map(shape), [[false, false, 0], [false, false, 0]]);
});

test('"Inaccessible data is governed by the data-retention policy and will be purged when retention is reached": once retention purges a revoked workspace\'s last customer-key block, nothing of it is left to fail, and its queries succeed again', () => {
  const r = run(
    scenario({
      duration: '33d',
      params: { blockSlice: '1h', unwrapPollInterval: ['10m', '10m'], querySampleInterval: '1h', delayMode: 'worst' },
      clusters: [{ name: 'cl1', storageAccounts: 1, key: { vault: 'kv1', name: 'cmk' } }],
      workspaces: [{ name: 'ws1', cluster: 'cl1', retentionDays: 30, ingest: { gbPerDay: 10, recordsPerMinute: 10 }, query: { perHour: 12, lookback: '1h' } }],
      actions: [{ at: '1d', do: 'key.disable', vault: 'kv1', key: 'cmk' }],
    }),
  );
  const [revoked] = r.of('storage.revoked');
  assert.is(revoked!.t, DAY + HOUR);
  // The last customer-key block is the slice that ended at the revocation; retention takes it 30 days later.
  const lastPurge = r.of('storage.purged').at(-1)!;
  assert.is(lastPurge.t, 31 * DAY + 2 * HOUR);
  assert.is(r.result.workspaces.ws1!.query.unavailableMs, lastPurge.t - revoked!.t);
});

test('a revocation pending while the account is unavailable is cancelled, and says so, when Key Vault answers again with the key enabled (revocationWhileUnreachable onTime under 2020-11)', () => {
  const r = run(
    scenario({
      duration: '2d',
      params: { delayMode: 'worst', revocationWhileUnreachable: 'onTime' },
      actions: [
        { at: '1d', do: 'keyVault.denyNetwork', vault: 'kv1', for: '1h30m' },
        { at: '1d1h', do: 'key.disable', vault: 'kv1', key: 'cmk' },
        { at: '1d1h10m', do: 'key.enable', vault: 'kv1', key: 'cmk' },
      ],
    }),
  );
  assert.ok(r.of('storage.unavailable').length > 0, 'the network block made the account unavailable first');
  assert.ok(r.of('storage.denialNotified').length > 0, "Key Vault's notice of the disable reached the unavailable account");
  assert.is(r.of('storage.revoked').length, 0);
  const cancelled = r.of('storage.revocationCancelled');
  const restored = r.of('storage.accessRestored');
  assert.ok(cancelled.length > 0 && cancelled.length === restored.length, `${cancelled.length} cancelled, ${restored.length} restored`);
  assert.equal(cancelled.map((e) => e.t), restored.map((e) => e.t));
});

test('a revocation that happened is not cancelled: access restored after it says accessRestored only, and a revocation cancelled before it is due never says revoked', () => {
  // Disabled at 1d: with delayMode worst the revocation is due at 1d1h.
  const enabledAt = (at: string) =>
    run(scenario({ params: { delayMode: 'worst' }, actions: [{ at: '1d', do: 'key.disable', vault: 'kv1', key: 'cmk' }, { at, do: 'key.enable', vault: 'kv1', key: 'cmk' }] }));
  const after = enabledAt('1d2h');
  assert.is(after.of('storage.revoked').length, 1);
  assert.ok(after.of('storage.accessRestored').length > 0);
  assert.is(after.of('storage.revocationCancelled').length, 0);
  const before = enabledAt('1d20m');
  assert.is(before.of('storage.revoked').length, 0);
  assert.is(before.of('storage.accessRestored').length, 0);
  assert.ok(before.of('storage.revocationCancelled').length > 0);
});

test.run();
