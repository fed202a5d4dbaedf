// DOMAIN.md "Profiles": what later versions of the documentation changed.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DAY, HOUR, MINUTE, run, scenario } from './helpers.ts';

const octVault = [{ name: 'kv1', keys: [{ name: 'cmk', kty: 'oct-HSM' }] }];

test('a cluster created under 2023-06 takes about 2 hours to provision; under 2020-11 up to an hour', () => {
  const provisioned = (profile: string) =>
    run(scenario({ profile, duration: '4h', keyVaults: octVault, clusters: [{ name: 'cl1', storageAccounts: 1 }], workspaces: [], actions: [{ at: '0s', do: 'cluster.create', cluster: 'cl1' }], setup: 'none' }))
      .result.operations[0]!.completedAtMs!;
  assert.ok(provisioned('2020-11') <= HOUR);
  const later = provisioned('2023-06');
  assert.ok(later >= 90 * MINUTE && later <= 150 * MINUTE, `provisioned at ${later}`);
});

test('the same outage of 8 hours: 2020-11 loses the oldest buffered records, 2021-07 keeps the key cached and loses nothing', () => {
  const outage = (profile: string) => run(scenario({ profile, keyVaults: octVault, actions: [{ at: '1d', do: 'keyVault.outage', vault: 'kv1', for: '8h' }] })).result;
  const old = outage('2020-11');
  const later = outage('2021-07');
  assert.ok(old.totals.ingestion.droppedByReason.bufferExpired > 0);
  assert.ok(old.totals.query.availability < 0.9);
  assert.is(later.totals.ingestion.droppedRecords, 0);
  assert.is(later.totals.query.availability, 1);
});

test('2023-06 "last 14 days or recently queried": a query reaching past 14 days is cold once, then hot', () => {
  const latency = (profile: string) =>
    run(
      scenario({
        profile,
        duration: '20d',
        keyVaults: octVault,
        workspaces: [{ name: 'ws1', cluster: 'cl1', ingest: { gbPerDay: 1, recordsPerMinute: 10 }, query: { perHour: 12, lookback: '18d' } }],
      }),
    ).result.totals.query.latencyMs;
  const lastDays = latency('2020-11');
  const recentlyQueried = latency('2023-06');
  // From day 14 on, every 2020-11 sample reads cold; under 2023-06 only the first does.
  assert.ok(lastDays.p95 >= 1000, `2020-11 p95 ${lastDays.p95}`);
  assert.ok(recentlyQueried.p95 <= 800, `2023-06 p95 ${recentlyQueried.p95}`);
});

test('an empty key version is refused in 2020-11 and follows the newest version in 2021-07', () => {
  const unpinned = (profile: string) =>
    run(
      scenario({
        profile,
        duration: '2d',
        keyVaults: octVault,
        params: { delayMode: 'best', keyUpdateTime: ['1m', '1m'] },
        actions: [
          { at: '1h', do: 'cluster.update', cluster: 'cl1', body: { properties: { keyVaultProperties: { keyVaultUri: 'https://kv1.vault.azure.net', keyName: 'cmk', keyVersion: '' } } } },
          { at: '1d', do: 'key.rotate', vault: 'kv1', key: 'cmk' },
        ],
      }),
    );
  const old = unpinned('2020-11');
  assert.is(old.result.operations[0]!.code, 'KeyVersionRequired');
  const later = unpinned('2021-07');
  assert.is(later.result.operations[0]!.status, 'Succeeded');
  const followed = later.of('storage.keyConfigured').filter((e) => e.version === 'v2');
  assert.is(followed.length, 1);
  // The daily check (phase 0 under delayMode best) runs from the key update's completion at 1h1m on.
  assert.is(followed[0]!.t, DAY + HOUR + MINUTE);
  assert.is(later.result.incidents.length, 0);
});

test.run();
