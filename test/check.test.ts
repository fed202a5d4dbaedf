// `cmk-sim check`: the checker judging a recorded history offline gives the
// verdict it gave live, for every built-in and for generated scenarios; a
// history edited by hand is judged on what it says; a malformed one is bad
// input, named by file and line.

import * as fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { listBuiltins, parseScenario } from '../scenarios/load.ts';
import { arbitraries } from '../sim/arbitraries.ts';
import { cli } from './cli-helpers.ts';
import { checkHistory } from '../sim/observe/history.ts';
import { TimelineWriter } from '../sim/observe/timeline.ts';
import type { InvariantReport } from '../sim/observe/checker.ts';
import { runScenario } from '../sim/world.ts';

const SEED = Number(process.env.FC_SEED ?? 20261129);
const RUNS = Number(process.env.FC_RUNS ?? 40);
console.log(`check: fast-check seed ${SEED}, ${RUNS} generated scenarios (FC_SEED / FC_RUNS to change)`);

const dir = mkdtempSync(join(tmpdir(), 'cmk-check-'));

/** The lines of a built-in's recorded history (its test below has run it). */
function historyOf(builtin: string): string[] {
  return readFileSync(join(dir, builtin, 'timeline.jsonl'), 'utf8').trimEnd().split('\n');
}

/** The messages of one rule broken by a history written from these lines. */
function brokenRule(name: string, lines: readonly string[], rule: number): string[] {
  const file = join(dir, `${name}.jsonl`);
  writeFileSync(file, lines.join('\n') + '\n');
  return checkHistory(file).violations.filter((v) => v.rule === rule).map((v) => v.message);
}

for (const { name } of listBuiltins()) {
  test(`built-in ${name}: check over its recorded timeline gives run's verdict, check for check`, async () => {
    const out = join(dir, name);
    const ran = await cli('run', name, '--out', out);
    const live = (JSON.parse(readFileSync(join(out, 'sla.json'), 'utf8')) as { invariants: InvariantReport }).invariants;
    assert.equal(checkHistory(out), live);
    const checked = await cli('check', out);
    assert.is(checked.status, live.violations.length === 0 ? 0 : 1, checked.out + checked.err);
    assert.ok(checked.out.includes(live.violations.length === 0 ? `all held (${live.checked.toLocaleString('en-US')} checks)` : 'VIOLATED'), checked.out);
    assert.is(ran.status === 1, live.violations.length > 0 || ran.out.includes('FAILED'));
  });
}

test(`${RUNS} generated scenarios: the checker over the written timeline agrees with the checker during the run`, () => {
  const { scenario } = arbitraries(fc);
  fc.assert(
    fc.property(scenario({ maxHours: 24, monthEvery: 0 }), (data) => {
      const file = join(dir, 'generated.jsonl');
      const s = parseScenario(JSON.stringify(data), 'generated', 'json');
      const timeline = new TimelineWriter({ jsonl: file, csv: join(dir, 'generated.csv') }, s.startIso);
      let live: InvariantReport;
      try {
        live = runScenario(s, { onEvent: (e) => timeline.write(e) }).invariants;
      } finally {
        timeline.close();
      }
      assert.equal(checkHistory(file), live);
    }),
    { seed: SEED, numRuns: RUNS },
  );
});

// A history written (or edited) by hand: a revocation whose drops are stored under the customer key.
const tampered = (): string => {
  const lines = historyOf('key-disabled-and-restored');
  const revokedAt = lines.findIndex((l) => l.includes('"type":"storage.revoked"'));
  const i = lines.findIndex((l, at) => at > revokedAt && l.includes('"type":"storage.ingested"') && l.includes('"placement":"revoked"'));
  lines[i] = lines[i]!.replace('"placement":"revoked"', '"placement":"cmk"');
  const file = join(dir, 'tampered.jsonl');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
};

test('a history edited by hand is judged on what it says: records stored while revoked break rule 3, exit 1', async () => {
  const file = tampered();
  const report = checkHistory(file);
  assert.ok(report.violations.some((v) => v.rule === 3 && v.message.includes('placed a slice of records as cmk')), JSON.stringify(report.violations.map((v) => v.message)));
  const checked = await cli('check', file);
  assert.is(checked.status, 1);
  assert.match(checked.out, /rule 3 \(revokedIsClosed\)/);
});

/** link-limit-reached's recorded timeline (written by its built-in test above), edited line by line. */
function editedLinkHistory(name: string, edit: (lines: string[]) => string[]): string {
  const lines = historyOf('link-limit-reached');
  const file = join(dir, `${name}.jsonl`);
  writeFileSync(file, edit(lines).join('\n') + '\n');
  return file;
}

test('rule 9 judges what link operations did: an unlink that succeeded without routing the workspace to shared storage, an unlink refused for the limit, a link refused before it', () => {
  const rule9 = (file: string) => checkHistory(file).violations.filter((v) => v.rule === 9).map((v) => v.message);
  // ws-prod's first unlink (1d) succeeds, and its records go to shared/0: drop that routing.
  const unrouted = editedLinkHistory('unrouted', (lines) => lines.filter((l) => !(l.includes('"type":"workspace.routed"') && l.includes('"entity":"ws-prod"') && l.includes('"storage":"shared/0"'))));
  assert.ok(rule9(unrouted).some((m) => m.includes("ws-prod's unlink succeeded") && m.includes('but its records go to cl1/')), JSON.stringify(rule9(unrouted)));
  // ws-new's third operation, a link, is refused at the limit: as an unlink, it must not be.
  const refusedUnlink = editedLinkHistory('refused-unlink', (lines) => lines.map((l) => (l.includes('"code":"LinkOperationsLimitReached"') ? l.replace('"action":"workspace.link"', '"action":"workspace.unlink"') : l)));
  assert.ok(rule9(refusedUnlink).some((m) => m.includes('was refused an unlink') && m.includes('at any time')), JSON.stringify(rule9(refusedUnlink)));
  // The same refusal moved to the first second of the run, when ws-new had made no link operation: too early.
  const early = editedLinkHistory('early', (lines) => {
    const at = lines.findIndex((l) => l.includes('"code":"LinkOperationsLimitReached"'));
    const refused = JSON.parse(lines[at]!) as Record<string, unknown>;
    lines.splice(at, 1, JSON.stringify({ ...refused, t: 1_000, time: new Date(Date.parse(String(refused.time)) - Number(refused.t) + 1_000).toISOString() }));
    return lines.sort((a, b) => (JSON.parse(a) as { t: number }).t - (JSON.parse(b) as { t: number }).t);
  });
  assert.ok(rule9(early).some((m) => m.includes('was refused a link') && m.includes('after only 0 in 30 days')), JSON.stringify(rule9(early)));
  assert.equal(rule9(join(dir, 'link-limit-reached', 'timeline.jsonl')), []);
});

test('the figures a rule judges with are its page\'s unless the scenario set them: a 2021-07 run that makes accounts unavailable after 30 minutes breaks rule 5, the same parameter set by the scenario does not', () => {
  const start = readFileSync(join(dir, 'outage-2h-2023-06', 'timeline.jsonl'), 'utf8').split('\n', 1)[0]!;
  const judged = (name: string, edit: (event: Record<string, unknown>) => void) => {
    const event = JSON.parse(start) as Record<string, unknown>;
    edit(event);
    const file = join(dir, `${name}.jsonl`);
    writeFileSync(file, [JSON.stringify(event), JSON.stringify({ t: 0, time: event.time, type: 'scenario.end', entity: event.entity, events: 1 })].join('\n') + '\n');
    return checkHistory(file).violations.map((v) => `rule ${v.rule}: ${v.message}`);
  };
  const misread = (event: Record<string, unknown>) => {
    event.profile = '2021-07';
    // The 2023-06 run made a 2021-07 one: its hot cache and cluster limits as that page has them, and the page misread in one figure.
    Object.assign(event.params as Record<string, unknown>, { hotCacheScope: 'lastDays', hotCacheReload: false, maxClustersPerRegion: 2, maxClustersPerRegionIncludingDeleted: 4 });
    (event.params as Record<string, unknown>).outageHandling = 'unavailableAfterTimeout';
  };
  const broken = judged('misread-page', misread);
  assert.equal(broken, [
    'rule 5: profile 2021-07 runs with outageHandling "unavailableAfterTimeout", which the scenario did not set, where its page states "keepCachedKey": 2020-11: "unavailability of about 30 minutes will cause the Storage account to become unavailable"; 2021-07 and later: keys stay cached "for the duration of the availability issue"',
  ]);
  assert.equal(judged('set-by-scenario', (event) => { misread(event); event.overridden = ['outageHandling']; }), []);
  assert.equal(judged('as-recorded', () => {}), []);
  // Every limit of rule 9 too: a run of 2023-06 that allows 3 link operations in 30 days.
  const threeLinks = judged('three-links', (event) => void ((event.params as Record<string, unknown>).linkOpsPer30Days = 3));
  assert.ok(threeLinks.length === 1 && threeLinks[0]!.startsWith('rule 9: profile 2023-06 runs with linkOpsPer30Days 3, which the scenario did not set, where its page states 2:'), JSON.stringify(threeLinks));
  // A history recorded before scenario.start named what its scenario set: no page figure can be judged.
  assert.equal(judged('recorded-before', (event) => { misread(event); delete event.overridden; }), []);
});

test('the owner\'s key requests are refused as unreachable exactly while the vault is down: refused during a network rule that only denies the cluster, or taken during an outage, breaks rule 2', () => {
  const lines = historyOf('kill-switch-during-outage-2026-04');
  const rule2 = (name: string, edit: (line: string) => string) => brokenRule(name, lines.map(edit), 2);
  const succeeded = lines.find((l) => l.includes('"type":"operation.succeeded"') && l.includes('"action":"key.disable"'))!;
  const refused = lines.find((l) => l.includes('"type":"operation.refused"') && l.includes('"code":"ServiceUnavailable"'))!;
  assert.ok(succeeded !== undefined && refused !== undefined);
  const { operationId: blockedId } = JSON.parse(succeeded) as { operationId: string };
  const blocked = rule2('owner-blocked', (l) => (l === succeeded ? l.replace('"type":"operation.succeeded"', '"type":"operation.refused"').replace(/\}$/, ',"httpStatus":503,"code":"ServiceUnavailable","message":"unreachable","body":null}') : l));
  assert.ok(blocked.some((m) => m.startsWith('key.disable on Key Vault kv1 was refused as unreachable at') && m.includes('a network rule denies the cluster, not the vault\'s owner')), `${blockedId}: ${JSON.stringify(blocked)}`);
  const { operationId, action } = JSON.parse(refused) as { operationId: string; action: string };
  const reached = rule2('outage-reached', (l) => (l === refused ? JSON.stringify({ ...(JSON.parse(l) as object), type: 'operation.succeeded', operationId, action, httpStatus: undefined, code: undefined, message: undefined }) : l));
  assert.ok(reached.some((m) => m.includes('key.disable on Key Vault kv1 succeeded') && m.includes('during its outage')), JSON.stringify(reached));
  assert.equal(rule2('as-recorded', (l) => l), []);
});

test('rule 7: a cluster that follows the newest version must be keyed to a new one within a day of nothing standing in the way; dropping the follow from the history breaks it', () => {
  const lines = historyOf('auto-rotation-disable-old-too-soon');
  const rule7 = (name: string, keep: (line: string) => boolean) => brokenRule(name, lines.filter(keep), 7);
  assert.equal(rule7('as-recorded', () => true), []);
  const follows = lines.filter((l) => l.includes('"type":"storage.keyConfigured"') && l.includes('"version":"v2"'));
  assert.ok(follows.length >= 2, 'both accounts followed v2');
  const unfollowed = rule7('never-followed', (l) => !follows.includes(l));
  assert.ok(unfollowed.length >= 2 && unfollowed.every((m) => m.includes('was still not keyed to v2') && m.includes('only once daily')), JSON.stringify(unfollowed));
});

test('rule 8: records of tables on the Auxiliary plan are judged by where they are stored: under the customer key they break it', () => {
  const lines = historyOf('auxiliary-tables-under-microsoft-keys');
  const defined = lines.map((l) => JSON.parse(l) as { type: string; composition?: number; members?: { workspace: string }[] }).filter((e) => e.type === 'composition.defined');
  const auxiliary = defined.find((e) => e.members!.some((m) => m.workspace.endsWith('/auxiliary')))!.composition;
  const at = lines.findIndex((l) => l.includes('"type":"storage.ingested"') && l.includes(`{"composition":${auxiliary},`));
  assert.ok(at > 0, 'the Auxiliary tables ingest');
  const rule8 = brokenRule('auxiliary-under-cmk', lines.map((l, i) => (i === at ? l.replace('"placement":"mmk"', '"placement":"cmk"') : l)), 8);
  assert.ok(rule8.some((m) => m.includes('tables on the Auxiliary plan') && m.includes('as cmk')), JSON.stringify(rule8));
});

test('rule 3: where the hot cache holds the last days only, the purge shows what it held: a copy older than hotCacheDays breaks it', () => {
  const lines = historyOf('key-disabled-and-restored');
  const purge = lines.find((l) => l.includes('"type":"hotCache.purged"'))!;
  assert.match(purge, /"oldestHotMs":\d+/);
  const rule3 = (name: string, days: number) => {
    const start = JSON.parse(lines[0]!) as { params: Record<string, unknown>; overridden: string[] };
    start.params.hotCacheDays = days;
    start.overridden = [...start.overridden, 'hotCacheDays'].sort();
    return brokenRule(name, [JSON.stringify(start), ...lines.slice(1)], 3);
  };
  // The revocation comes a day into the run: with 14 days every copy is young enough, with none at all the oldest is a day too old.
  assert.equal(rule3('fourteen-days', 14), []);
  const none = rule3('no-days', 0);
  assert.ok(none.some((m) => m.includes("SSD hot cache held a block from") && m.includes('older than its 0 days')), JSON.stringify(none));
});

test('rules 13 and 14 are judged by the probe of each account\'s first block: opened alone under double encryption breaks 13, opened with another block\'s DEK breaks 14, no probe at all breaks both at the end', () => {
  const lines = historyOf('kv-outage-45m');
  const probes = lines.filter((l) => l.includes('"type":"storage.blockProbed"'));
  assert.is(probes.length, 2, 'one probe per storage account');
  assert.equal(brokenRule('probes-as-recorded', lines, 13), []);
  assert.equal(brokenRule('probes-as-recorded', lines, 14), []);
  const edited = (from: string, to: string) => lines.map((l) => (l === probes[0] ? l.replace(from, to) : l));
  const alone = brokenRule('opened-alone', edited('"serviceLayerAlone":"failed"', '"serviceLayerAlone":"opened"'), 13);
  assert.ok(alone.some((m) => m.includes('opened with its own chain alone, though its cluster has double encryption')), JSON.stringify(alone));
  const shared = brokenRule('another-dek', edited('"anotherBlocksDek":"failed"', '"anotherBlocksDek":"opened"'), 14);
  assert.ok(shared.some((m) => m.includes('opened with the DEK of another block')), JSON.stringify(shared));
  // One account's probe missing, or every probe (a model that stopped probing): both rules break at the end.
  for (const [label, unprobed] of [['one', lines.filter((l) => l !== probes[0])], ['every', lines.filter((l) => !probes.includes(l))]] as const) {
    for (const rule of [13, 14]) {
      const missing = brokenRule(`no-probe-${label}-${rule}`, unprobed, rule);
      assert.ok(missing.some((m) => m.includes('stored blocks but never showed') && m.includes('(no storage.blockProbed)')), `${label}: ${JSON.stringify(missing)}`);
    }
  }
});

test('the control plane judged by what was asked (a request body in the history): a Lockbox request taken for an unlinked workspace or refused for a linked one, a raise refused for the commitment, a purge on request in a vault with purge protection, a versionless key without auto-rotation, a cluster created single-encrypted but encrypted twice', () => {
  const edited = (builtin: string, edit: (line: string) => string) => historyOf(builtin).map(edit);
  const broken = (name: string, rule: number, lines: string[]) => brokenRule(name, lines, rule);
  assert.equal(broken('lockbox-as-run', 9, historyOf('lockbox-requests')), []);
  const taken = broken('lockbox-taken', 9, edited('lockbox-requests', (l) => (l.includes('"type":"lockbox.requested"') ? l.replace('"entity":"ws-prod"', '"entity":"ws-shared"') : l)));
  assert.ok(taken.some((m) => m.includes('a Lockbox request for workspace ws-shared was taken') && m.includes('not linked')), JSON.stringify(taken));
  const refused = broken('lockbox-refused', 9, edited('lockbox-requests', (l) => (l.includes('"code":"LockboxNotApplicable"') ? l.replace('"entity":"ws-shared"', '"entity":"ws-prod"') : l)));
  assert.ok(refused.some((m) => m.includes('refused as not applicable') && m.includes('though it is linked to cluster cl1')), JSON.stringify(refused));
  const raise = broken('raise-refused', 9, edited('capacity-tiers-and-commitment', (l) => (l.includes('"code":"CapacityCommitmentPeriod"') ? l.replace('"capacity":100}', '"capacity":5000}') : l)));
  assert.ok(raise.some((m) => m.includes('was refused 5000 GB/day for its commitment period') && m.includes('can be increased any time')), JSON.stringify(raise));
  const purged = broken('purged-on-request', 2, edited('deleted-key-purged-after-retention', (l) => l.replace('"cause":"retentionEnded"', '"cause":"purgeRequest"')));
  assert.ok(purged.some((m) => m.includes('key kv1/cmk was purged on request') && m.includes('purge protection')), JSON.stringify(purged));
  const versionless = broken('no-auto-rotation', 7, edited('auto-rotation-disable-old-too-soon', (l) => (l.includes('"type":"scenario.start"') ? l.replace('"autoRotation":true', '"autoRotation":false') : l)));
  assert.ok(versionless.some((m) => m.includes('keyed with an empty key version') && m.includes('requires an explicit update')), JSON.stringify(versionless));
  const twice = broken('encrypted-twice', 13, edited('double-encryption-unsupported-region', (l) => (l.includes('"type":"storage.blockProbed"') && l.includes('"entity":"cl1/0"') ? l.replace('"doubleEncryption":false,"serviceLayerAlone":"opened"', '"doubleEncryption":true,"serviceLayerAlone":"failed"') : l)));
  assert.ok(twice.some((m) => m.includes('was created with "isDoubleEncryptionEnabled": false, yet its block')), JSON.stringify(twice));
});

test('rule 9: "The Azure Key Vault must be configured as recoverable": a cluster is keyed only to a vault with soft delete and purge protection on, and a key update is refused as not recoverable only for a vault that is not; rule 2: no purge on request in a vault with purge protection', () => {
  const lines = historyOf('vault-not-recoverable');
  assert.equal(brokenRule('not-recoverable-as-recorded', lines, 9), []);
  const created = lines.find((l) => l.includes('"type":"keyVault.created"'));
  assert.ok(created?.includes('"softDelete":true,"purgeProtection":false'), created);
  // The same refusal for a vault that says it is recoverable: refused too early.
  const recoverable = lines.map((l) => (l === created ? l.replace('"purgeProtection":false', '"purgeProtection":true') : l));
  const refused = brokenRule('refused-though-recoverable', recoverable, 9);
  assert.ok(refused.some((m) => m.includes("cluster cl1's key update was refused as not recoverable") && m.includes('vault kv1 has soft delete and purge protection on')), JSON.stringify(refused));
  // A key update that goes through into it: the refusal that must happen did not.
  const keyed = historyOf('deleted-key-recovered');
  const keySet = keyed.find((l) => l.includes('"type":"cluster.keySet"'));
  assert.ok(keySet !== undefined);
  for (const off of ['softDelete', 'purgeProtection'] as const) {
    const unrecoverable = keyed.map((l) => (l.includes('"type":"keyVault.created"') && l.includes('"entity":"kv1"') ? l.replace(`"${off}":true`, `"${off}":false`) : l));
    const wrong = brokenRule(`keyed-without-${off}`, unrecoverable, 9);
    assert.ok(wrong.some((m) => m.includes('was keyed to kv1/cmk') && m.includes(off === 'softDelete' ? 'soft delete off' : 'purge protection off') && m.includes('must be configured as recoverable')), JSON.stringify(wrong));
  }
  // A purge on request in a vault that was never keyed but says it has purge protection.
  const purgeLines = historyOf('deleted-key-purged-after-retention');
  assert.equal(brokenRule('purge-as-recorded', purgeLines, 2), []);
  const unkeyed = purgeLines.filter((l) => !l.includes('"type":"cluster.keySet"')).map((l) => l.replace('"cause":"retentionEnded"', '"cause":"purgeRequest"'));
  const purged = brokenRule('purged-with-protection', unkeyed, 2);
  assert.ok(purged.some((m) => m.includes('was purged on request') && m.includes('vault kv1 has purge protection')), JSON.stringify(purged));
});

test('rule 9: "Your Azure Key Vault, cluster and linked workspaces must be in the same region and in the same Azure Active Directory (Azure AD) tenant": a cluster is keyed only to a vault in its region and tenant, and a key update is refused as RegionMismatch or TenantMismatch only for a vault that is not', () => {
  const lines = historyOf('region-mismatch');
  assert.equal(brokenRule('mismatch-as-recorded', lines, 9), []);
  const vaultLine = (name: string) => lines.find((l) => l.includes('"type":"keyVault.created"') && l.includes(`"entity":"${name}"`))!;
  assert.ok(vaultLine('kv1').includes('"region":"westus"') && vaultLine('kv2').includes('"tenant":"fabrikam"'), 'the vaults say where they are');
  assert.ok(lines.some((l) => l.includes('"type":"cluster.created"') && l.includes('"region":"eastus"')), 'the cluster says where it is');
  // Each refusal, for a vault that is where the cluster is: refused too early.
  const moved = (name: string, from: string, to: string) => lines.map((l) => (l === vaultLine(name) ? l.replace(from, to) : l));
  const region = brokenRule('region-refused-though-same', moved('kv1', '"region":"westus"', '"region":"eastus"'), 9);
  assert.ok(region.some((m) => m.includes("cluster cl1's key update was refused as RegionMismatch") && m.includes('vault kv1 is in its region (eastus)')), JSON.stringify(region));
  const tenant = brokenRule('tenant-refused-though-same', moved('kv2', '"tenant":"fabrikam"', '"tenant":"contoso"'), 9);
  assert.ok(tenant.some((m) => m.includes("cluster cl1's key update was refused as TenantMismatch") && m.includes('vault kv2 is in its tenant (contoso)')), JSON.stringify(tenant));
  // A key update that goes through to a vault elsewhere: the refusal that must happen did not.
  const keyed = historyOf('deleted-key-recovered');
  for (const [field, elsewhere] of [['region', 'westus'], ['tenant', 'fabrikam']] as const) {
    const away = keyed.map((l) => (l.includes('"type":"keyVault.created"') && l.includes('"entity":"kv1"') ? l.replace(new RegExp(`"${field}":"[^"]*"`), `"${field}":"${elsewhere}"`) : l));
    const wrong = brokenRule(`keyed-other-${field}`, away, 9);
    assert.ok(wrong.some((m) => m.includes('was keyed to kv1/cmk') && m.includes(elsewhere) && m.includes('must be in the same region')), `${field}: ${JSON.stringify(wrong)}`);
  }
});

test('rule 9: a capacity tier is lowered only after its commitment period, counted from when it was last set, and refused for it only before', () => {
  const lines = historyOf('capacity-tiers-and-commitment');
  const rule9 = (name: string, edited: string[]) => brokenRule(name, edited, 9);
  assert.equal(rule9('as-recorded', lines), []);
  const sets = lines.filter((l) => l.includes('"type":"cluster.capacitySet"'));
  assert.ok(sets.length >= 3, 'created, raised, lowered');
  // Without the record of the raise, the later lowering comes from the first tier, and the refusal before it has no commitment to stand on.
  const raised = sets.find((l, i) => i > 0 && (JSON.parse(l) as { capacityGBPerDay: number }).capacityGBPerDay > (JSON.parse(sets[i - 1]!) as { capacityGBPerDay: number }).capacityGBPerDay)!;
  const unraised = rule9('unraised', lines.filter((l) => l !== raised));
  assert.ok(unraised.some((m) => m.includes('was refused a lower capacity reservation for its commitment period')), JSON.stringify(unraised));
  // A lowering moved to the instant after the tier before it was set: inside its commitment.
  const capacities = sets.map((l) => (JSON.parse(l) as { capacityGBPerDay: number }).capacityGBPerDay);
  const lowered = capacities.findIndex((c, i) => i > 0 && c < capacities[i - 1]!);
  const lowering = sets[lowered]!;
  const previous = JSON.parse(sets[lowered - 1]!) as { t: number };
  const early = rule9('early', lines.map((l) => (l === lowering ? JSON.stringify({ ...(JSON.parse(l) as object), t: previous.t }) : l)).sort((a, b) => (JSON.parse(a) as { t: number }).t - (JSON.parse(b) as { t: number }).t));
  assert.ok(early.some((m) => m.includes('was lowered from') && m.includes('commitment period before it can be reduced')), JSON.stringify(early));
});

test('rule 9: "the cluster name remains reserved during the soft-delete period": a create of a deleted name refused within clusterNameReservation, accepted after; a refusal moved past it or an acceptance moved into it breaks it', () => {
  const lines = historyOf('delete-and-reuse-name');
  const rule9 = (name: string, edited: string[]) => brokenRule(name, edited, 9);
  assert.equal(rule9('as-recorded', lines), []);
  const creates = lines.filter((l) => l.includes('"action":"cluster.create"') && (l.includes('"type":"operation.accepted"') || l.includes('"type":"operation.refused"')));
  const refused = creates.find((l) => l.includes('"code":"Conflict"'))!;
  const accepted = creates.filter((l) => l.includes('"type":"operation.accepted"')).at(-1)!;
  assert.ok(refused !== undefined && accepted !== undefined && creates.indexOf(refused) < creates.indexOf(accepted), JSON.stringify(creates));
  // The reservation's length, as the run stated it, decides: one day shorter than the refusal's distance from the delete makes the refusal too late, a longer one makes the last create too early.
  const withReservation = (days: number) => {
    const start = JSON.parse(lines[0]!) as { params: Record<string, unknown>; overridden: string[] };
    start.params.clusterNameReservation = days * 86_400_000;
    start.overridden = [...start.overridden, 'clusterNameReservation'].sort();
    return [JSON.stringify(start), ...lines.slice(1)];
  };
  const short = rule9('short-reservation', withReservation(0.5));
  assert.ok(short.some((m) => m.includes('was refused as a name conflict') && m.includes('past its reservation of 12h')), JSON.stringify(short));
  const long = rule9('long-reservation', withReservation(20));
  assert.ok(long.some((m) => m.includes('was accepted') && m.includes('within its reservation of 20d')), JSON.stringify(long));
});

test('a history recorded before revocationWhileUnreachable existed is judged as every profile then behaved: the denial learnt at the next answer', () => {
  const lines = historyOf('key-disabled-and-restored');
  assert.ok(lines[0]!.includes('"revocationWhileUnreachable":"atNextAnswer",'));
  const file = join(dir, 'older.jsonl');
  writeFileSync(file, [lines[0]!.replace('"revocationWhileUnreachable":"atNextAnswer",', ''), ...lines.slice(1)].join('\n') + '\n');
  assert.equal(checkHistory(file), checkHistory(join(dir, 'key-disabled-and-restored')));
});

test('a malformed history is bad input (exit 2) naming the file and the line, never a crash', async () => {
  const good = historyOf('kv-outage-20m');
  const cases: [string, string, RegExp][] = [
    ['not JSON', [good[0], '{"t": 1,', ...good.slice(1)].join('\n'), /line 2: found .*; expected one JSON event per line/],
    ['an unknown event type', [good[0], '{"t":0,"type":"storage.exploded","entity":"x"}'].join('\n'), /line 2: type: found "storage.exploded"; expected a cmk-sim event type/],
    ['a field of the wrong kind', [good[0], good[1]!.replace(/"t":0/, '"t":-5')].join('\n'), /line 2: t: found -5/],
    ['time going backwards', [...good.slice(0, 60), good[1]].join('\n'), /line 61: found .*after one at/],
    ['no scenario.start first', good.slice(1).join('\n'), /line 1: found .*before scenario.start/],
    ['a history cut short', good.slice(0, 100).join('\n'), /found a history without scenario.end/],
    ['an empty file', '', /found no events/],
    ['JSON nested deeper than it can be shown', ['['.repeat(100_000) + ']'.repeat(100_000), ...good].join('\n'), /line 1: found a value nested too deeply to show; expected an event object$/],
    ['a rate below zero', good.map((l) => (l.includes('"type":"workspace.workload"') ? l.replace(/"queriesPerHour":[\d.]+/, '"queriesPerHour":-1') : l)).join('\n'), /: queriesPerHour: found -1; expected a number >= 0$/],
    ['a time beyond a double', [good[0], good[1]!.replace(/"t":0/, '"t":1e400')].join('\n'), /line 2: t: found a number beyond the range of a double \(read as Infinity\); expected milliseconds/],
    ['a key given twice', [good[0], good[1]!.replace('{"t":0,', '{"t":0,"t":5,')].join('\n'), /line 2: t: found the key "t" a second time in the same object; expected each key once/],
    ['a key given twice, deeper, in a line with spaces', [good[0]!.replace('"params":{', '"params": {"seedless": 1, "seedless": 2, '), ...good.slice(1)].join('\n'), /line 1: params\.seedless: found the key "seedless" a second time in the same object/],
    ['a compressed history', '\u001f\u008b\b\u0000\uFFFD\uFFFD\n', /line 1: found bytes that are not UTF-8; expected a timeline.jsonl in UTF-8, as cmk-sim run writes it \(not compressed\)$/],
    ['a bound of the wrong kind', [good[0]!.replace('"revocationWithin":3600000', '"revocationWithin":"1h"'), ...good.slice(1)].join('\n'), /line 1: params\.revocationWithin: found "1h"; expected milliseconds, a whole number >= 0$/],
    ['a profile no page has', [good[0]!.replace('"profile":"2020-11"', '"profile":"2099-01"'), ...good.slice(1)].join('\n'), /line 1: profile: found "2099-01"; expected one of 2020-11, 2021-07, 2023-06, 2024-01, 2026-04$/],
    ['a poll range below zero', [good[0]!.replace('"unwrapPollInterval":[6000,60000]', '"unwrapPollInterval":[-5,-1]'), ...good.slice(1)].join('\n'), /line 1: params\.unwrapPollInterval: found \[-5,-1\]; expected \[min, max\] in milliseconds$/],
    ['a limit of zero', [good[0]!.replace('"linkOpsPer30Days":2', '"linkOpsPer30Days":0'), ...good.slice(1)].join('\n'), /params.linkOpsPer30Days: found 0; expected a count, a whole number >= 1/],
    ['a reading of revocationWhileUnreachable that does not exist', [good[0]!.replace('"revocationWhileUnreachable":"atNextAnswer"', '"revocationWhileUnreachable":"eventually"'), ...good.slice(1)].join('\n'), /revocationWhileUnreachable: found "eventually"; expected atNextAnswer or onTime/],
  ];
  for (const [what, content, message] of cases) {
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, content);
    const checked = await cli('check', file);
    assert.is(checked.status, 2, `${what}: ${checked.err}`);
    assert.match(checked.err, message, what);
    assert.ok(checked.err.startsWith(file), `${what}: ${checked.err}`);
    assert.not.match(checked.err, /\n\s+at /, `${what}: a stack trace`);
  }
  // A byte order mark an editor put before the first event is not part of it.
  const bom = join(dir, 'bom.jsonl');
  writeFileSync(bom, `\uFEFF${good.join('\n')}\n`);
  assert.is((await cli('check', bom)).status, 0);
  const empty = await cli('check', '');
  assert.is(empty.status, 2);
  assert.is(empty.err.trim(), 'check: found ""; expected a timeline.jsonl written by cmk-sim run, or the run folder holding it');
  const missing = await cli('check', join(dir, 'no-such-run'));
  assert.is(missing.status, 2);
  assert.match(missing.err, /found no such file; expected a timeline.jsonl written by cmk-sim run/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
