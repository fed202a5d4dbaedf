// The checker judges Azure RBAC role assignments and changes of the
// cluster's identity from the history alone: the events that grant and deny
// are what let it accept a revocation, and without them it names the rule.
// Each test runs the model (no violation), then folds an edited copy of the
// history into a fresh Checker.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Checker, type Violation } from '../sim/observe/checker.ts';
import { canonical, type SimEvent } from '../sim/observe/events.ts';
import { run, scenario } from './helpers.ts';

const KV = { name: 'kv1', keys: [{ name: 'cmk', kty: 'oct-HSM' }] };
const ROLE = 'Key Vault Crypto Service Encryption User';
const uai = (name: string) => ({ type: 'UserAssigned', userAssignedIdentities: { [`/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`]: {} } });

function judge(events: readonly SimEvent[]): Violation[] {
  const checker = new Checker();
  for (const event of events) checker.apply(canonical(event));
  return checker.report().violations;
}

/** The cluster switches to the user-assigned identity uai1 at 2h (2023-06 with identityTypeSwitch), after the given actions. */
const switchToUai1 = (before: Record<string, unknown>[]) =>
  run(
    scenario({
      profile: '2023-06',
      params: { identityTypeSwitch: true },
      duration: '12h',
      keyVaults: [KV],
      userAssignedIdentities: [{ name: 'uai1' }],
      actions: [...before, { at: '2h', do: 'cluster.update', cluster: 'cl1', body: { identity: uai('uai1') } }],
    }),
  );

const rule2 = (violations: Violation[]) => violations.filter((v) => v.rule === 2).map((v) => v.message);

test('a role assignment deleted in the history is the denial that makes the revocation legitimate; without that event Key Vault denied for no reason (rule 2)', () => {
  const r = run(scenario({ profile: '2023-06', duration: '12h', keyVaults: [{ ...KV, permissionModel: 'rbac' }], actions: [{ at: '2h', do: 'roleAssignment.delete', vault: 'kv1', principal: 'cl1', role: ROLE }] }));
  assert.ok(r.of('storage.revoked').length > 0);
  assert.equal(judge(r.events), []);
  const messages = rule2(judge(r.events.filter((e) => e.type !== 'roleAssignment.deleted')));
  assert.ok(messages.some((m) => m.includes('denied storage account cl1/0') && m.includes('no denial held')), JSON.stringify(messages));
});

test('a role assignment deleted and never followed by a revocation breaks rule 2 ("within an hour or sooner")', () => {
  const r = run(scenario({ profile: '2023-06', duration: '12h', keyVaults: [{ ...KV, permissionModel: 'rbac' }], actions: [{ at: '2h', do: 'roleAssignment.delete', vault: 'kv1', principal: 'cl1', role: ROLE }] }));
  const revokedAt = r.of('storage.revoked')[0]!.t;
  // The history cut just before the revocation, then the end: nothing closed after the change.
  const end = r.of('scenario.end')[0]!;
  const messages = rule2(judge([...r.events.filter((e) => e.t < revokedAt), end]));
  assert.ok(messages.some((m) => m.includes('removing the role assignment') && m.includes('was not revoked')), JSON.stringify(messages));
});

test('a change to a user-assigned identity Key Vault does not grant is the denial: with cluster.principalSet the revocation is legitimate, without it Key Vault denied for no reason (rule 2)', () => {
  const r = switchToUai1([]);
  assert.ok(r.of('storage.revoked').length > 0);
  assert.equal(judge(r.events), []);
  const messages = rule2(judge(r.events.filter((e) => e.type !== 'cluster.principalSet')));
  assert.ok(messages.some((m) => m.includes('no denial held')), JSON.stringify(messages));
});

test('a change to a user-assigned identity Key Vault grants is no denial: a revocation after it breaks rule 2', () => {
  const r = switchToUai1([{ at: '1h', do: 'accessPolicy.set', vault: 'kv1', principal: 'uai1', permissions: ['get', 'wrapKey', 'unwrapKey'] }]);
  assert.is(r.of('storage.revoked').length, 0);
  // A model that kept asking for the old principal would be denied after a later removal of the old policy; here the history claims a denial and a revocation with the new identity granted.
  const switchedAt = r.of('cluster.principalSet')[0]!.t;
  const forged: SimEvent[] = [];
  for (const e of r.events) {
    forged.push(e);
    if (e.type === 'cluster.principalSet') {
      forged.push({ t: switchedAt, type: 'storage.unwrap', entity: 'cl1/0', answer: 'denial', reason: 'permissionMissing' });
      forged.push({ t: switchedAt, type: 'storage.revoked', entity: 'cl1/0', reason: 'permissionMissing' });
      break;
    }
  }
  const messages = rule2(judge([...forged, { t: switchedAt, type: 'scenario.end', entity: 'test', events: 0 }]));
  assert.ok(messages.some((m) => m.includes('denied storage account cl1/0') && m.includes('no denial held')), JSON.stringify(messages));
});

test.run();
