// DOMAIN.md "Data placement", "Key rotation" and the queries' hot cache, in
// the documentation's words.

import { test } from 'uvu';
import { InfrastructureLayer } from '../sim/crypto/index.ts';
import * as assert from 'uvu/assert';
import { DAY, HOUR, MINUTE, run, scenario as baseScenario, type ScenarioInput } from './helpers.ts';

// An oct-HSM key (AES key wrap) instead of RSA-2048: these rules do not depend on the key type, and runs are much faster.
const octVault = [{ name: 'kv1', keys: [{ name: 'cmk', kty: 'oct-HSM' }] }];
const scenario = (input: ScenarioInput = {}) => baseScenario({ keyVaults: octVault, ...input });

const linked = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  cluster: 'cl1',
  ingest: { gbPerDay: 10, recordsPerMinute: 10 },
  query: { perHour: 12, lookback: '1h' },
  ...extra,
});

test('a workspace not linked to a cluster writes to shared storage under Microsoft keys, whatever happens to the key', () => {
  const r = run(
    scenario({
      workspaces: [linked('ws1'), { name: 'ws2', ingest: { gbPerDay: 10, recordsPerMinute: 10 }, query: { perHour: 12, lookback: '1h' } }],
      actions: [{ at: '1d', do: 'key.disable', vault: 'kv1', key: 'cmk' }],
    }),
  );
  const ws2 = r.result.workspaces.ws2!;
  assert.is(ws2.storage, 'shared/0');
  assert.is(ws2.ingestion.storedMmkRecords, ws2.ingestion.offeredRecords);
  assert.is(ws2.ingestion.storedCmkRecords, 0);
  assert.is(ws2.query.availability, 1);
  assert.ok(r.result.workspaces.ws1!.query.availability < 1, 'the linked workspace was revoked');
});

test('"After the Customer-managed key configuration, new ingested data to workspaces linked to your dedicated cluster gets encrypted with your key"', () => {
  const r = run(scenario({ workspaces: [linked('ws1')] }));
  const ws = r.result.workspaces.ws1!.ingestion;
  assert.is(ws.storedCmkRecords, ws.offeredRecords);
  assert.is(ws.storedMmkRecords, 0);
});

test('"Data that was ingested prior to the configuration, remains encrypted with Microsoft key": readable whatever the key\'s state', () => {
  let whileRevoked = { cmk: -1, mmk: -1, unreadable: -1 };
  const r = run(
    scenario({
      duration: '3d',
      params: { delayMode: 'worst' },
      clusters: [{ name: 'cl1', storageAccounts: 1 }],
      workspaces: [linked('ws1')],
      actions: [
        { at: '1d', do: 'accessPolicy.set', vault: 'kv1', principal: 'cl1', permissions: ['get', 'wrapKey', 'unwrapKey'] },
        { at: '1d', do: 'cluster.update', cluster: 'cl1', body: { properties: { keyVaultProperties: { keyVaultUri: 'https://kv1.vault.azure.net', keyName: 'cmk', keyVersion: 'v1' } } } },
        { at: '2d', do: 'key.disable', vault: 'kv1', key: 'cmk' },
      ],
    }),
    { probes: [{ atMs: 2 * DAY + 2 * HOUR, look: (v) => (whileRevoked = v.storageAccounts[1]!.openableBlocks()) }] },
  );
  const ws = r.result.workspaces.ws1!.ingestion;
  const slicesBeforeKey = DAY / (5 * MINUTE);
  assert.ok(ws.storedMmkRecords >= slicesBeforeKey * 50, `MMK records ${ws.storedMmkRecords}`);
  assert.ok(ws.storedCmkRecords > 0);
  assert.ok(whileRevoked.mmk >= slicesBeforeKey, 'every block from before the key still opens');
  assert.is(whileRevoked.cmk, 0, 'no block under the customer key opens');
  assert.ok(whileRevoked.unreadable > 0);
  assert.is(r.result.operations[1]!.status, 'Succeeded');
});

test('"All your data remains accessible after the key rotation operation, since data always encrypted with Account Encryption Key (AEK) while AEK is now being encrypted with your new Key Encryption Key (KEK) version"', () => {
  let afterRotation = { cmk: -1, unreadable: -1 };
  const r = run(
    scenario({
      duration: '3d',
      actions: [
        { at: '1d', do: 'key.rotate', vault: 'kv1', key: 'cmk' },
        { at: '1d1h', do: 'cluster.update', cluster: 'cl1', body: { properties: { keyVaultProperties: { keyVaultUri: 'https://kv1.vault.azure.net', keyName: 'cmk', keyVersion: 'v2' } } } },
        { at: '2d', do: 'key.disable', vault: 'kv1', key: 'cmk', version: 'v1' },
      ],
    }),
    { probes: [{ atMs: 2 * DAY + 2 * HOUR, look: (v) => (afterRotation = v.storageAccounts[1]!.openableBlocks()) }] },
  );
  // The first poll under v2 really unwraps and checks that the AEK is unchanged (it throws otherwise).
  assert.is(r.of('storage.keyConfigured').map((e) => e.version).join(), 'v1,v2');
  assert.is(afterRotation.unreadable, 0);
  assert.ok(afterRotation.cmk > DAY / (5 * MINUTE));
  assert.is(r.result.incidents.length, 0, 'disabling the old version after the update changes nothing');
});

test('"If you disable or delete your old key before updating the new key in the cluster, you will get into key revocation state"', () => {
  const r = run(
    scenario({
      actions: [
        { at: '1d', do: 'key.rotate', vault: 'kv1', key: 'cmk' },
        { at: '1d10m', do: 'key.disable', vault: 'kv1', key: 'cmk', version: 'v1' },
      ],
    }),
  );
  assert.is(r.of('storage.revoked').length, 1);
  assert.ok(r.result.totals.ingestion.droppedByReason.revoked > 0);
});

test('"If you don\'t update the new key version in the cluster, the Log Analytics cluster storage will keep using your previous key"', () => {
  const r = run(scenario({ actions: [{ at: '1d', do: 'key.rotate', vault: 'kv1', key: 'cmk' }, { at: '1d1h', do: 'key.disable', vault: 'kv1', key: 'cmk', version: 'v2' }] }));
  assert.is(r.result.incidents.length, 0);
  assert.is(r.of('storage.keyConfigured').length, 1);
});

test('"Data ingested to dedicated clusters is being encrypted twice": with double encryption a block opens only through the infrastructure layer with its own key, as well as the customer key', () => {
  type Counts = { cmk: number; mmk: number; unreadable: number };
  const seen: Record<string, { own: Counts; withoutLayer: Counts; otherLayerKey: Counts }> = {};
  const otherLayer = new InfrastructureLayer(Buffer.alloc(32, 7));
  for (const doubleEncryption of [true, false]) {
    run(scenario({ duration: '6h', clusters: [{ name: 'cl1', storageAccounts: 1, doubleEncryption, key: { vault: 'kv1', name: 'cmk' } }] }), {
      probes: [
        {
          atMs: 5 * HOUR,
          look: (v) => {
            const account = v.storageAccounts[1]!;
            seen[String(doubleEncryption)] = { own: account.openableBlocks(), withoutLayer: account.openableBlocks(null), otherLayerKey: account.openableBlocks(otherLayer) };
          },
        },
      ],
    });
  }
  // The slices of 5m to 4h55m: the probe at 5h looks before that instant's slice.
  const blocks = (5 * HOUR) / (5 * MINUTE) - 1;
  assert.equal(seen.true!.own, { cmk: blocks, mmk: 0, unreadable: 0 });
  assert.equal(seen.true!.withoutLayer, { cmk: 0, mmk: 0, unreadable: blocks }, 'the sealed block is hidden under the second layer');
  assert.equal(seen.true!.otherLayerKey, { cmk: 0, mmk: 0, unreadable: blocks }, 'the second layer has a key of its own');
  // Without double encryption there is no second layer to need.
  assert.equal(seen.false!.own, { cmk: blocks, mmk: 0, unreadable: 0 });
  assert.equal(seen.false!.withoutLayer, { cmk: blocks, mmk: 0, unreadable: 0 });
});

test('the history shows the layers and the DEK per block: each account\'s first stored block, opened with its own chain alone, fails under double encryption and opens without it, and never opens with the DEK of another block ("The AEK is used to derive DEKs, which are the keys that are used to encrypt each block"; storage.blockProbed, once per account)', () => {
  for (const doubleEncryption of [true, false]) {
    const r = run(scenario({ duration: '2h', clusters: [{ name: 'cl1', storageAccounts: 2, doubleEncryption, key: { vault: 'kv1', name: 'cmk' } }] }));
    const probes = r.of('storage.blockProbed');
    const firstBlocks = ['cl1/0', 'cl1/1'].map((id) => r.of('storage.ingested').find((e) => e.entity === id && e.parts.some((p) => p.block !== null))?.parts.find((p) => p.block !== null)?.block?.id);
    assert.equal(probes.map((e) => [e.entity, e.block, e.doubleEncryption, e.serviceLayerAlone, e.anotherBlocksDek]), [
      ['cl1/0', firstBlocks[0], doubleEncryption, doubleEncryption ? 'failed' : 'opened', 'failed'],
      ['cl1/1', firstBlocks[1], doubleEncryption, doubleEncryption ? 'failed' : 'opened', 'failed'],
    ].filter((p) => p[1] !== undefined));
    assert.ok(probes.length >= 1, 'at least one account stored a block');
    assert.equal(r.result.invariants.violations, []);
  }
});

test('"Data ingested in the last 14 days is also kept in hot-cache (SSD-backed) for efficient query engine operation": queries within it are faster', () => {
  const latency = (lookback: string) =>
    run(scenario({ duration: '20d', workspaces: [linked('ws1', { query: { perHour: 12, lookback } })] })).result.totals.query.latencyMs;
  const hot = latency('1d');
  const cold = latency('18d');
  assert.ok(hot.samples > 100 && cold.samples > 100);
  assert.ok(hot.p99 <= 800, `hot p99 ${hot.p99}`);
  // Queries reaching past 14 days read cold blocks once the run is older than that.
  assert.ok(cold.p99 >= 1000, `cold p99 ${cold.p99}`);
});

test('"Inaccessible data is governed by the data-retention policy and will be purged when retention is reached": no block outlives its retention', () => {
  let oldest: number | null = null;
  const r = run(scenario({ duration: '40d', workspaces: [linked('ws1', { retentionDays: 30 })] }), {
    probes: [{ atMs: 40 * DAY - 1, look: (v) => (oldest = Math.min(...v.storageAccounts[1]!.oldestBlocks().map((b) => b.oldestMs))) }],
  });
  assert.ok(oldest !== null && oldest >= 10 * DAY - 5 * MINUTE, `oldest block at ${oldest}`);
  assert.ok(r.result.storageAccounts['cl1/0']!.blocksPurgedByRetention >= (10 * DAY) / (5 * MINUTE) - 1);
});

test('every record is accounted for: offered = CMK + MMK + buffered + dropped, exactly, per workspace', () => {
  const r = run(
    scenario({
      duration: '3d',
      workspaces: [linked('ws1'), linked('ws2', { retentionDays: 90, ingest: { gbPerDay: 1, recordsPerMinute: 7 } }), { name: 'ws3', ingest: { gbPerDay: 1, recordsPerMinute: 3 }, query: { perHour: 1, lookback: '1h' } }],
      actions: [
        { at: '12h', do: 'keyVault.outage', vault: 'kv1', for: '6h' },
        { at: '1d12h', do: 'key.disable', vault: 'kv1', key: 'cmk' },
        { at: '2d', do: 'key.enable', vault: 'kv1', key: 'cmk' },
        { at: '2d6h', do: 'workspace.setIngest', workspace: 'ws2', recordsPerMinute: 70 },
        { at: '2d7h', do: 'keyVault.outage', vault: 'kv1', for: '40m' },
      ],
    }),
  );
  for (const [name, ws] of Object.entries(r.result.workspaces)) {
    const i = ws.ingestion;
    const dropped = i.droppedByReason.revoked + i.droppedByReason.notProvisioned + i.droppedByReason.bufferExpired;
    assert.is(dropped, i.droppedRecords, name);
    assert.is(i.storedCmkRecords + i.storedMmkRecords + i.bufferedRecords + i.droppedRecords, i.offeredRecords, name);
  }
  const t = r.result.totals.ingestion;
  assert.ok(t.droppedByReason.bufferExpired > 0 && t.droppedByReason.revoked > 0 && t.replayedRecords > 0, JSON.stringify(t));
});

test.run();
