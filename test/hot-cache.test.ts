// The SSD hot cache after a revocation, in the documentation's words: 2020-11
// "This gets deleted on key revocation operation"; 2023-06 and later "Once the
// key is enabled and unwrap succeeds, SSD data is reloaded from storage". The
// sampled queries say whether a query read hot or cold; the history says when
// the cache was reloaded (hotCache.reloaded), and the checker judges it.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BlockStore } from '../sim/azure/block-store.ts';
import { Checker } from '../sim/observe/checker.ts';
import { canonical, type SimEvent } from '../sim/observe/events.ts';
import { runScenario } from '../sim/world.ts';
import { HOUR, run, scenario, type Run } from './helpers.ts';

const KV = [{ name: 'kv1', keys: [{ name: 'cmk', kty: 'oct-HSM' }] }];
const disable = (at: string) => ({ at, do: 'key.disable', vault: 'kv1', key: 'cmk' });
const enable = (at: string) => ({ at, do: 'key.enable', vault: 'kv1', key: 'cmk' });
/** One storage account; a query every 10 minutes whose window (1 day) reaches data stored before the revocation; the hot cache holds the last days only. */
const PARAMS = { hotCacheScope: 'lastDays', hotCacheReloadTime: ['2h', '2h'], querySampleInterval: '10m', delayMode: 'worst' };
const WORKSPACES = [{ name: 'ws1', cluster: 'cl1', ingest: { gbPerDay: 10, recordsPerMinute: 10 }, query: { perHour: 6, lookback: '1d' } }];

function revokedAndBack(profile: string, actions = [disable('6h'), enable('10h')]): Run {
  return run(scenario({ profile, duration: '20h', keyVaults: KV, workspaces: WORKSPACES, params: PARAMS, actions }));
}

/** Whether the successful sampled queries in [fromMs, toMs) read hot. */
function hotness(r: Run, fromMs: number, toMs: number): boolean[] {
  return r.of('query.sampled').filter((e) => e.ok && e.t >= fromMs && e.t < toMs).map((e) => e.hot);
}

test('profile 2023-06: "Once the key is enabled and unwrap succeeds, SSD data is reloaded from storage": queries read cold after access returns, hot again once the hot cache is reloaded', () => {
  const r = revokedAndBack('2023-06');
  const [resumed] = r.of('storage.resumed');
  const reloads = r.of('hotCache.reloaded');
  assert.ok(resumed !== undefined);
  assert.is(reloads.length, 1);
  const reloaded = reloads[0]!;
  assert.is(reloaded.t - resumed.t, 2 * HOUR, 'hotCacheReloadTime after the resume');
  assert.ok(reloaded.blocks > 0, 'the blocks of the last days got their SSD copy again');
  const before = hotness(r, resumed.t, reloaded.t);
  const after = hotness(r, reloaded.t, reloaded.t + 4 * HOUR);
  assert.ok(before.length >= 10 && before.every((hot) => !hot), `queries between resume and reload: ${JSON.stringify(before)}`);
  assert.ok(after.length >= 20 && after.every((hot) => hot), `queries after the reload: ${JSON.stringify(after)}`);
  assert.ok(hotness(r, 0, 6 * HOUR).every((hot) => hot), 'before the revocation every query was hot');
  const account = r.result.storageAccounts['cl1/0']!;
  assert.equal([account.hotCachePurges, account.hotCacheReloads], [1, 1], "the run's figures count the purge and the reload the history shows");
});

test('profile 2020-11: the hot cache "gets deleted on key revocation operation" and nothing reloads it: queries reaching data from before the revocation stay cold', () => {
  const r = revokedAndBack('2020-11');
  const [resumed] = r.of('storage.resumed');
  assert.ok(resumed !== undefined);
  const purges = r.of('hotCache.purged');
  assert.is(purges.length, 1);
  const firstBlockAt = r.of('storage.ingested').find((e) => e.entity === 'cl1/0')!.t;
  assert.is(purges[0]!.oldestHotMs, firstBlockAt, 'the cache held every block since the first (its days reach back past the start)');
  assert.is(r.of('hotCache.reloaded').length, 0);
  const after = hotness(r, resumed.t, 20 * HOUR);
  assert.ok(after.length >= 50 && after.every((hot) => !hot), JSON.stringify(after));
});

for (const [label, actions] of [
  ['after the next resume', [disable('2h'), enable('4h'), disable('5h'), enable('9h')]],
  ['even when access is back before the first reload was due', [disable('2h'), enable('3h'), disable('3h35m'), enable('4h35m')]],
] as const) {
  test(`a revocation while the reload is pending cancels it: the hot cache stays empty while revoked, and is reloaded hotCacheReloadTime after the next resume, ${label}`, () => {
    const r = revokedAndBack('2023-06', [...actions]);
    const resumes = r.of('storage.resumed').map((e) => e.t);
    const reloads = r.of('hotCache.reloaded').map((e) => e.t);
    assert.is(resumes.length, 2);
    const secondRevocation = r.of('storage.revoked')[1]!.t;
    assert.ok(resumes[0]! + 2 * HOUR > secondRevocation, 'the first reload would have come after the second revocation');
    if (label.startsWith('even')) assert.ok(resumes[0]! + 2 * HOUR > resumes[1]!, 'and after the second resume');
    assert.equal(reloads, [resumes[1]! + 2 * HOUR]);
    // run() has checked rule 3: no reload while revoked, no hot copy readable while revoked.
  });
}

test('profile 2023-06, with a Key Vault outage that makes storage unavailable as in 2020-11: an outage is not a revocation, so the hot cache is neither deleted nor reloaded, and queries after the resume read hot', () => {
  const params = { ...PARAMS, outageHandling: 'unavailableAfterTimeout' };
  const r = run(scenario({ profile: '2023-06', duration: '20h', keyVaults: KV, workspaces: WORKSPACES, params, actions: [{ at: '6h', do: 'keyVault.outage', vault: 'kv1', for: '2h' }] }));
  const [resumed] = r.of('storage.resumed');
  assert.ok(r.of('storage.unavailable').length === 1 && resumed !== undefined, 'the outage made the account unavailable, and it came back');
  assert.is(r.of('hotCache.purged').length, 0);
  assert.is(r.of('hotCache.reloaded').length, 0);
  const after = hotness(r, resumed.t, 20 * HOUR);
  assert.ok(after.length >= 50 && after.every((hot) => hot), JSON.stringify(after));
});

test('profile 2023-06, with outages that make storage unavailable: a reload due while the account is unavailable waits, and comes hotCacheReloadTime after the next resume', () => {
  const params = { ...PARAMS, outageHandling: 'unavailableAfterTimeout' };
  // Revoked at 3h, resumed at 3h30m (reload due at 5h30m); an outage from 4h to 8h makes the account unavailable from about 4h30m.
  const r = run(scenario({ profile: '2023-06', duration: '20h', keyVaults: KV, workspaces: WORKSPACES, params, actions: [disable('2h'), enable('3h'), { at: '4h', do: 'keyVault.outage', vault: 'kv1', for: '4h' }] }));
  const resumes = r.of('storage.resumed').map((e) => [e.t, e.fromState]);
  assert.is(resumes.length, 2);
  assert.equal(resumes.map(([, from]) => from), ['revoked', 'unavailable']);
  const unavailableAt = r.of('storage.unavailable')[0]!.t;
  assert.ok(unavailableAt < (resumes[0]![0] as number) + 2 * HOUR, 'unavailable before the reload was due');
  assert.equal(r.of('hotCache.reloaded').map((e) => e.t), [(resumes[1]![0] as number) + 2 * HOUR]);
});

test('the checker judges the reload from the history: a hotCache.reloaded while the account is revoked breaks rule 3', () => {
  const r = revokedAndBack('2023-06');
  const revokedAt = r.of('storage.revoked')[0]!.t;
  const checker = new Checker();
  for (const event of r.events) {
    checker.apply(canonical(event));
    if (event.type === 'storage.revoked') checker.apply({ t: revokedAt, type: 'hotCache.reloaded', entity: event.entity, blocks: 3 });
  }
  const violations = checker.report().violations.filter((v) => v.rule === 3);
  assert.ok(violations.some((v) => v.message.includes('reloaded 3 blocks into its SSD hot cache') && v.atMs === revokedAt), JSON.stringify(violations.map((v) => v.message)));
});

test('profile 2023-06, "last 14 days or recently queried": a query reaching past the hot cache\'s days brings old blocks back into it, and the revocation deletes those copies too', () => {
  const purgedUnder = (hotCacheScope: string) => {
    const params = { hotCacheScope, hotCacheDays: 1, blockSlice: '1h', querySampleInterval: '1h', delayMode: 'worst' };
    const workspaces = [{ name: 'ws1', cluster: 'cl1', ingest: { gbPerDay: 10, recordsPerMinute: 10 }, query: { perHour: 1, lookback: '3d' } }];
    const r = run(scenario({ profile: '2023-06', duration: '4d', keyVaults: KV, workspaces, params, actions: [disable('3d12h')] }));
    const purges = r.of('hotCache.purged');
    assert.is(purges.length, 1);
    assert.is(purges[0]!.stillReadable, 0, 'no hot copy there was before the purge can be read after it');
    return purges[0]!.blocks;
  };
  const lastDays = purgedUnder('lastDays');
  const recentlyQueried = purgedUnder('lastDaysOrRecentlyQueried');
  // The last day holds about 24 hour-long blocks; the queries of 3 days brought older ones back.
  assert.ok(lastDays >= 24 && lastDays <= 26, `lastDays: ${lastDays}`);
  assert.ok(recentlyQueried > lastDays + 24, `recently queried: ${recentlyQueried} against ${lastDays}`);
});

test('the checker judges the purge by what could still be read after it: a hot copy still readable breaks rule 3, and so does a revocation with no purge at all', () => {
  const r = revokedAndBack('2023-06');
  const judged = (edit: (event: Run['events'][number]) => Run['events'][number][]) => {
    const checker = new Checker();
    for (const event of r.events) for (const edited of edit(event)) checker.apply(canonical(edited));
    return checker.report().violations.filter((v) => v.rule === 3).map((v) => v.message);
  };
  assert.equal(judged((e) => [e]), []);
  const leftReadable = judged((e) => [e.type === 'hotCache.purged' ? { ...e, stillReadable: 2 } : e]);
  assert.ok(leftReadable.some((m) => m.includes('yet 2 of the hot copies it held before could still be read')), JSON.stringify(leftReadable));
  const neverPurged = judged((e) => (e.type === 'hotCache.purged' ? [] : [e]));
  assert.ok(neverPurged.some((m) => m.includes('without deleting its SSD hot cache')), JSON.stringify(neverPurged));
});

test('the purge\'s second look is real: with a store whose purge leaves every copy, each one it held is read again and counted, and the checker names it', () => {
  const purgeHot = BlockStore.prototype.purgeHot;
  let held = 0;
  BlockStore.prototype.purgeHot = function (this: BlockStore) {
    held = this.hotBlocks;
    return held;
  };
  try {
    const s = scenario({ duration: '10h', keyVaults: KV, workspaces: WORKSPACES, params: PARAMS, actions: [disable('6h')] });
    const events: SimEvent[] = [];
    const result = runScenario(s, { onEvent: (e) => events.push(e) });
    const purged = events.filter((e): e is SimEvent & { type: 'hotCache.purged' } => e.type === 'hotCache.purged');
    assert.is(purged.length, 1);
    assert.ok(held > 60, `the hot cache held ${held} copies`);
    assert.is(purged[0]!.stillReadable, held, 'every copy left behind opens');
    assert.ok(result.invariants.violations.some((v) => v.rule === 3 && v.message.includes(`yet ${held} of the hot copies it held before could still be read`)));
  } finally {
    BlockStore.prototype.purgeHot = purgeHot;
  }
});

test.run();
