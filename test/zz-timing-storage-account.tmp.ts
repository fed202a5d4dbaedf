// DOMAIN.md "Storage account behaviour (2020-11)", rule by rule, in the
// documentation's words.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
let __t=0;test.before.each((c)=>{__t=performance.now();});test.after.each((c)=>{console.error(Math.round(performance.now()-__t)+'ms '+c.__test__);});
import { DAY, HOUR, MINUTE, run, scenario } from './helpers.ts';

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
});

test('"unavailability of about 30 minutes will cause the Storage account to become unavailable": outageToUnavailable after the last successful unwrap', () => {
  const r = run(scenario({ actions: [{ at: '1d', do: 'keyVault.outage', vault: 'kv1', for: '2h' }] }));
  const [unavailable] = r.of('storage.unavailable');
  assert.ok(unavailable !== undefined);
  assert.is(unavailable.t, unavailable.lastUnwrapOkMs + 30 * MINUTE);
  assert.ok(unavailable.lastUnwrapOkMs < DAY && unavailable.lastUnwrapOkMs >= DAY - 60_000, 'the last success is the last poll before the outage');
});

test('"The query capability is unavailable and ingested data is cached ... using Microsoft key": queries fail, records go to the MMK buffer', () => {
  // The outage lasts until the end of the run: what is buffered stays buffered.
  const r = run(scenario({ duration: '1d2h', actions: [{ at: '1d', do: 'keyVault.outage', vault: 'kv1', for: '2h' }] }));
  const ingestion = r.result.totals.ingestion;
  assert.ok(ingestion.bufferedRecords > 0);
  assert.is(ingestion.droppedRecords, 0);
  assert.ok(r.result.totals.query.failed > 0);
  assert.ok(r.of('query.sampleFailed').length >= 1);
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
  assert.is(r.result.workspaces.ws1!.query.unavailableMs, 23 * HOUR);
  const why = r.of('query.sampleFailed').map((e) => e.why);
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

test('an outage while waiting to resume cancels the resume: the account stays closed until Key Vault answers again', () => {
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
  assert.ok(restored[1]! >= 14 * HOUR + 2 * MINUTE + 90 * MINUTE);
  const resumed = r.of('storage.resumed');
  assert.is(resumed.length, 1);
  assert.is(resumed[0]!.t, restored[1]! + HOUR, 'resumed resumeWithin after the second restore, not the first');
  assert.is(resumed[0]!.fromState, 'revoked');
  assert.is(r.result.invariants.violations.length, 0);
});

test('hotCacheDays 0: no hot copies at all, every sampled query reads cold', () => {
  const r = run(scenario({ duration: '1d', params: { hotCacheDays: 0 } }), { probes: [{ atMs: 20 * HOUR, look: (v) => assert.is(v.storageAccounts[1]!.hotCacheBlocks, 0) }] });
  assert.ok(r.result.totals.query.latencyMs.p50 >= 1000, `p50 ${r.result.totals.query.latencyMs.p50}`);
});

test.run();
