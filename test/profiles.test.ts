// DOMAIN.md "Profiles": what later versions of the documentation changed.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PROFILE_DEFAULTS } from '../sim/azure/profiles.ts';
import { DAY, HOUR, MINUTE, run, scenario } from './helpers.ts';

const octVault = [{ name: 'kv1', keys: [{ name: 'cmk', kty: 'oct-HSM' }] }];

test('the profiles carry the documented limits: clusters per region, minimum capacity, provisioning time', () => {
  const [p2020, p2021, p2023] = [PROFILE_DEFAULTS['2020-11'], PROFILE_DEFAULTS['2021-07'], PROFILE_DEFAULTS['2023-06']];
  assert.equal([p2020.maxClustersPerRegion, p2021.maxClustersPerRegion, p2023.maxClustersPerRegion], [2, 2, 5]);
  assert.equal([p2021.maxClustersPerRegionIncludingDeleted, p2023.maxClustersPerRegionIncludingDeleted], [4, 7]);
  assert.equal([p2020.minCapacityGBPerDay, p2021.minCapacityGBPerDay, p2023.minCapacityGBPerDay], [1000, 500, 100]);
  assert.ok(p2020.clusterProvisionTime[1] <= HOUR, 'up to 1 h');
  assert.ok(p2021.clusterProvisionTime[1] > HOUR, 'a few hours');
  assert.ok(p2023.clusterProvisionTime[0] >= 90 * MINUTE && p2023.clusterProvisionTime[1] <= 150 * MINUTE, 'about 2 h');
  assert.equal([p2020.outageHandling, p2021.outageHandling, p2023.outageHandling], ['unavailableAfterTimeout', 'keepCachedKey', 'keepCachedKey']);
  assert.equal([p2020.autoRotation, p2021.autoRotation, p2023.autoRotation], [false, true, true]);
  assert.equal([p2020.hotCacheScope, p2023.hotCacheScope], ['lastDays', 'lastDaysOrRecentlyQueried']);
});

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
        params: { autoRotationDetection: ['30m', '30m'], keyUpdateTime: ['1m', '1m'] },
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
  assert.is(followed[0]!.t, DAY + 30 * MINUTE);
  assert.is(later.result.incidents.length, 0);
});

test.run();
