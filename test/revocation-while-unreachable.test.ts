// A denial made while Key Vault cannot answer the cluster (the parameter
// revocationWhileUnreachable): the profiles up to 2024-01 learn of it at the
// first poll Key Vault answers (atNextAnswer); 2026-04, whose caching
// "doesn't bypass or weaken key revocation controls", is told at the change
// and revokes on time (onTime). The kill switch behind a network rule, and
// during a full outage; and the checker judging both readings, both ways.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Checker } from '../sim/observe/checker.ts';
import type { SimEvent } from '../sim/observe/events.ts';
import { DAY, HOUR, MINUTE, run, scenario, type ScenarioInput } from './helpers.ts';

const octVault = [{ name: 'kv1', keys: [{ name: 'cmk', kty: 'oct-HSM' }] }];
const MAX_POLL = MINUTE;
const denyNetwork = (at: string, length: string) => ({ at, do: 'keyVault.denyNetwork', vault: 'kv1', for: length });
const disable = (at: string) => ({ at, do: 'key.disable', vault: 'kv1', key: 'cmk' });
const enable = (at: string) => ({ at, do: 'key.enable', vault: 'kv1', key: 'cmk' });

/** The key disabled 10 minutes into a 4-hour network block (the vault stays reachable to its owner). */
const behindNetworkRule = (input: ScenarioInput = {}) => scenario({ keyVaults: octVault, ...input, actions: [denyNetwork('1d', '4h'), disable('1d10m'), ...(input.actions ?? [])] });
const revokedAt = (r: ReturnType<typeof run>) => r.result.incidents.filter((i) => i.kind === 'revocation').map((i) => i.unavailableAtMs);

test('atNextAnswer (2021-07 to 2024-01: keys cached "for the duration of the availability issue"): a key disabled 10 minutes into a 4-hour network block is revoked only at the first poll Key Vault answers after it, 3h50m later: the kill switch waits for the vault', () => {
  for (const profile of ['2021-07', '2023-06', '2024-01']) {
    const r = run(behindNetworkRule({ profile }));
    const [at] = revokedAt(r);
    assert.ok(at !== undefined && at !== null && at >= DAY + 4 * HOUR && at <= DAY + 4 * HOUR + MAX_POLL, `${profile}: revoked at ${at}`);
    assert.is(r.of('storage.denialNotified').length, 0, profile);
    assert.is(r.result.totals.ingestion.droppedByReason.revoked > 0, true, profile);
  }
});

test('atNextAnswer under 2020-11: the same disable cannot revoke behind the network block, but about 30 minutes of errors make the account unavailable (the MMK buffer); it is revoked once the vault answers', () => {
  const r = run(behindNetworkRule({ profile: '2020-11' }));
  const outage = r.result.incidents.find((i) => i.kind === 'outage')!;
  assert.ok(outage.unavailableAtMs! <= DAY + 30 * MINUTE, `unavailable at ${outage.unavailableAtMs}`);
  const [at] = revokedAt(r);
  assert.ok(at! >= DAY + 4 * HOUR && at! <= DAY + 4 * HOUR + MAX_POLL, `revoked at ${at}`);
});

test('onTime (2026-04: caching "doesn\'t bypass or weaken key revocation controls"): the same disable revokes within revocationWithin of the change with the network still blocked; Key Vault\'s notice is in the history (storage.denialNotified)', () => {
  const r = run(behindNetworkRule({ profile: '2026-04' }));
  const [at] = revokedAt(r);
  assert.ok(at! <= DAY + 10 * MINUTE + HOUR, `revoked at ${at}`);
  assert.equal(r.of('storage.denialNotified').map((e) => [e.t, e.entity, e.reason]), [[DAY + 10 * MINUTE, 'cl1/0', 'keyDisabled']]);
  // Not an answer: Key Vault's errors go on, and under 2026-04 they are never an outage users see.
  assert.is(r.result.incidents.find((i) => i.kind === 'outage')!.unavailableAtMs, null);
});

test('onTime: an access policy rewritten without unwrapKey behind the network block is a denial too ("deleting the cluster\'s access policy" or its permission): Key Vault\'s notice comes at the change, the revocation within revocationWithin', () => {
  const r = run(scenario({ profile: '2026-04', keyVaults: octVault, actions: [denyNetwork('1d', '4h'), { at: '1d10m', do: 'accessPolicy.set', vault: 'kv1', principal: 'cl1', permissions: ['get', 'wrapKey'] }] }));
  assert.equal(r.of('storage.denialNotified').map((e) => [e.t, e.entity]), [[DAY + 10 * MINUTE, 'cl1/0']]);
  const [at] = revokedAt(r);
  assert.ok(at !== undefined && at !== null && at <= DAY + 10 * MINUTE + HOUR, `revoked at ${at}`);
});

test('onTime: Key Vault\'s notices change nothing that is not a new denial of this account: another principal\'s policy, a second change while the revocation is already due (it stays bound to the first), a change after the account is revoked', () => {
  const policy = (at: string, principal: string, permissions: string[]) => ({ at, do: 'accessPolicy.set', vault: 'kv1', principal, permissions });
  const r = run(
    scenario({
      profile: '2026-04',
      keyVaults: octVault,
      params: { delayMode: 'worst' },
      userAssignedIdentities: [{ name: 'uai-other' }],
      actions: [denyNetwork('1d', '4h'), policy('1d5m', 'uai-other', ['get']), disable('1d10m'), policy('1d40m', 'cl1', ['get', 'wrapKey']), { at: '1d2h', do: 'accessPolicy.remove', vault: 'kv1', principal: 'cl1' }],
    }),
  );
  assert.equal(r.of('storage.denialNotified').map((e) => [e.t, e.reason]), [[DAY + 10 * MINUTE, 'keyDisabled']], 'one notice: the first denial of cl1');
  assert.equal(r.of('storage.revocationScheduled').map((e) => e.dueMs), [DAY + 10 * MINUTE + HOUR]);
  assert.equal(r.of('storage.revoked').map((e) => e.t), [DAY + 10 * MINUTE + HOUR], 'revoked an hour after the first change (delayMode worst), not after the second');
});

test('revocationWhileUnreachable overrides the profile: onTime under 2023-06 revokes on time, atNextAnswer under 2026-04 waits for the vault', () => {
  const onTime = run(behindNetworkRule({ profile: '2023-06', params: { revocationWhileUnreachable: 'onTime' } }));
  assert.ok(revokedAt(onTime)[0]! <= DAY + 10 * MINUTE + HOUR);
  const atNextAnswer = run(behindNetworkRule({ profile: '2026-04', params: { revocationWhileUnreachable: 'atNextAnswer' } }));
  assert.ok(revokedAt(atNextAnswer)[0]! >= DAY + 4 * HOUR);
});

test('onTime: the notice carries denials only: a key enabled again behind the network block, before the revocation is due, is still revoked when due (the account cannot hear it), and resumes once the vault answers', () => {
  const r = run(behindNetworkRule({ profile: '2026-04', params: { delayMode: 'worst' }, actions: [enable('1d20m')] }));
  const revocation = r.result.incidents.find((i) => i.kind === 'revocation')!;
  assert.is(revocation.unavailableAtMs, DAY + 10 * MINUTE + HOUR);
  assert.ok(revocation.resumedAtMs! >= DAY + 4 * HOUR && revocation.resumedAtMs! <= DAY + 4 * HOUR + MAX_POLL + 30 * MINUTE, `resumed at ${revocation.resumedAtMs}`);
});

test('onTime with Key Vault reachable: the notice schedules the revocation at the change, and a key enabled again before it is due, seen by the next poll, cancels it', () => {
  const r = run(scenario({ profile: '2026-04', keyVaults: octVault, params: { delayMode: 'worst' }, actions: [disable('1d'), enable('1d20m')] }));
  assert.equal(r.of('storage.denialNotified').map((e) => e.t), [DAY]);
  assert.equal(r.of('storage.revocationScheduled').map((e) => [e.t, e.dueMs]), [[DAY, DAY + HOUR]]);
  assert.is(r.of('storage.revocationCancelled').length, 1);
  assert.is(r.of('storage.revoked').length, 0);
});

test('during a full Key Vault outage the kill switch cannot be pulled in any profile, 2026-04 too: key.disable is refused (503 ServiceUnavailable), the key stays enabled and nothing is revoked', () => {
  const r = run(scenario({ profile: '2026-04', keyVaults: octVault, actions: [{ at: '1d', do: 'keyVault.outage', vault: 'kv1', for: '4h' }, disable('1d10m')] }));
  assert.equal([r.result.operations[0]!.action, r.result.operations[0]!.httpStatus, r.result.operations[0]!.code], ['key.disable', 503, 'ServiceUnavailable']);
  assert.is(r.of('key.disabled').length, 0);
  assert.is(r.of('storage.revoked').length, 0);
});

// ---- the checker judges both readings, both ways -------------------------------------

function judge(events: readonly SimEvent[]) {
  const checker = new Checker();
  for (const event of events) checker.apply(event);
  return checker.report().violations;
}

/** The 2026-04 history of the disable behind the network block. */
const onTimeHistory = () => run(behindNetworkRule({ profile: '2026-04' })).events;

test('checker, onTime: the model\'s history holds every rule; without Key Vault\'s notice the same revocation comes before Key Vault denied the account (rule 2)', () => {
  const events = onTimeHistory();
  assert.is(judge(events).length, 0);
  const violations = judge(events.filter((e) => e.type !== 'storage.denialNotified'));
  assert.ok(violations.some((v) => v.rule === 2 && v.message.includes('was revoked at +1d') && v.message.includes('neither denied it nor told it of a denial')), JSON.stringify(violations.map((v) => v.message)));
});

test('checker: a notice in a profile whose accounts learn of a denial only by polling breaks rule 2, and so does a notice while no denial holds', () => {
  const events = onTimeHistory();
  const atNextAnswer = events.map((e) => (e.type === 'scenario.start' ? { ...e, params: { ...(e.params as object), revocationWhileUnreachable: 'atNextAnswer' } } : e));
  assert.ok(judge(atNextAnswer).some((v) => v.rule === 2 && v.message.includes('learns of a denial only when Key Vault answers a poll')));
  const notice = events.find((e) => e.type === 'storage.denialNotified')!;
  const early = events.flatMap((e): SimEvent[] => (e === notice ? [] : e.type === 'keyVault.networkDenied.begin' ? [e, { ...notice, t: e.t }] : [e]));
  assert.ok(judge(early).some((v) => v.rule === 2 && v.message.includes('told storage account cl1/0 of a denial at +1d although none held')));
});

test('checker, onTime: a denial behind the network block that is not revoked within revocationWithin + the longest poll breaks rule 2 (brokenRule denialNoticeIgnored); under atNextAnswer the same wait is right', () => {
  const ignored = run(behindNetworkRule({ profile: '2026-04', params: { brokenRule: 'denialNoticeIgnored' } })).result.invariants.violations;
  assert.ok(ignored.some((v) => v.rule === 2 && v.message.includes('while Key Vault could not answer it')), JSON.stringify(ignored.map((v) => v.message)));
  // run() asserts that this history breaks nothing:
  run(behindNetworkRule({ profile: '2026-04', params: { revocationWhileUnreachable: 'atNextAnswer' } }));
});

test('checker, atNextAnswer: once Key Vault answers again, a denial that still holds has revoked by the first poll; a revocation half an hour later breaks rule 2 (brokenRule lateRevocation)', () => {
  const late = run(behindNetworkRule({ profile: '2023-06', params: { brokenRule: 'lateRevocation' } })).result.invariants.violations;
  assert.ok(late.some((v) => v.rule === 2 && v.message.includes('Key Vault was reachable again from +1d4h')), JSON.stringify(late.map((v) => v.message)));
});

test.run();
