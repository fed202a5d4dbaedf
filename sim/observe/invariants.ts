// The documented promises (DOMAIN.md "Rules to check"), checked online as
// the run goes: each check costs O(1) per event or per storage account and
// slice, never per record. A violation names the rule, the time, the events
// that broke it, and says why in words.

import { formatDuration, MS_PER_DAY } from '../engine/duration.ts';
import type { Params } from '../azure/profiles.ts';
import type { StorageAccount } from '../azure/storage-account.ts';
import type { RecordLedger } from '../workload/ledger.ts';
import type { SimEvent } from './events.ts';

export const RULES = [
  { rule: 1, name: 'conservation', text: 'offered = CMK + MMK + buffered + dropped by reason, per workspace, at every instant' },
  { rule: 2, name: 'revocationTiming', text: 'no revocation before the denial; revocation no later than the change + revocationWithin' },
  { rule: 3, name: 'revokedIsClosed', text: 'while revoked: no query of cluster data succeeds, no record is stored, no AEK is in memory, the hot cache is empty' },
  { rule: 4, name: 'resumeTiming', text: 'after access is back, ingestion and queries resume by restore + longest poll + resumeWithin' },
  { rule: 5, name: 'blipsUnseen', text: 'Key Vault errors shorter than outageToUnavailable minus the longest poll cost no query and buffer nothing' },
  { rule: 6, name: 'shortOutageLossless', text: 'an outage shorter than mmkBufferMaxAge loses no record; the buffer is fully replayed under the CMK' },
  { rule: 7, name: 'rotation', text: 'after a correct rotation the AEK is unchanged; disabling the old version afterwards changes nothing; disabling the pinned version first is a revocation' },
  { rule: 8, name: 'mmkReadable', text: 'data stored under the MMK stays readable whatever the key\'s state' },
  { rule: 9, name: 'linkLimits', text: 'link rules and limits hold' },
  { rule: 10, name: 'retention', text: 'no block older than its workspace\'s retention survives' },
  { rule: 11, name: 'kekStaysInVault', text: 'no function outside the Key Vault returns KEK private material (checked by test/crypto.test.ts, not at run time)' },
  { rule: 12, name: 'determinism', text: 'the same scenario, seed and version give byte-identical outputs (checked by test/determinism.test.ts and explore, not within one run)' },
] as const;

export type RuleNumber = (typeof RULES)[number]['rule'];

export interface Violation {
  rule: RuleNumber;
  name: string;
  atMs: number;
  entity: string;
  message: string;
  events: SimEvent[];
}

export interface InvariantReport {
  checked: number;
  rules: { rule: RuleNumber; name: string; text: string; checks: number }[];
  violations: Violation[];
}

/** Most violations kept per rule: one broken rule must not flood the report. */
const VIOLATIONS_PER_RULE_MAX = 20;
const LINK_WINDOW_MS = 30 * MS_PER_DAY;

export class InvariantChecker {
  private readonly checks = new Map<RuleNumber, number>(RULES.map((r) => [r.rule, 0]));
  private readonly violations: Violation[] = [];
  private readonly keyOf = new Map<string, { vault: string; key: string; version: string }>();
  private readonly disabledVersions = new Set<string>();
  private readonly sealedAtRevocation = new Map<string, number>();
  private readonly linkOpsMs = new Map<string, number[]>();
  private readonly linkedTo = new Map<string, string>();
  private scenarioStarted = false;
  private readonly maxPollMs: number;

  constructor(
    private readonly params: Params,
    private readonly accounts: () => readonly StorageAccount[],
    private readonly ledger: RecordLedger,
  ) {
    this.maxPollMs = params.unwrapPollInterval[1];
  }

  /** Setup is over: from now on requests are the scenario's own. */
  scenarioStarts(): void {
    this.scenarioStarted = true;
    this.linkOpsMs.clear();
  }

  onEvent(event: SimEvent): void {
    const p = this.params;
    switch (event.type) {
      case 'storage.keyConfigured':
        this.keyOf.set(event.entity, { vault: event.vault, key: event.key, version: event.version });
        return;
      case 'key.disabled':
        this.disabledVersions.add(`${event.entity}/${event.version}`);
        return;
      case 'key.enabled':
        this.disabledVersions.delete(`${event.entity}/${event.version}`);
        return;
      case 'storage.revoked': {
        const bound = Math.max(event.causeStartMs + p.revocationWithin, event.deniedSeenMs);
        this.check(2, event.t >= event.causeStartMs, event, `storage account ${event.entity} was revoked at ${at(event.t)}, before the denial at ${at(event.causeStartMs)}`);
        this.check(
          2,
          event.t <= bound,
          event,
          `storage account ${event.entity} was revoked at ${at(event.t)}, ${seconds(event.t - event.causeStartMs)} after the change at ${at(event.causeStartMs)}; the documented bound is ${formatDuration(p.revocationWithin)}`,
        );
        const key = this.keyOf.get(event.entity);
        if (event.reason === 'keyDisabled' && key !== undefined) {
          this.check(
            7,
            this.disabledVersions.has(`${key.vault}/${key.key}/${event.keyVersion}`),
            event,
            `storage account ${event.entity} was revoked for a disabled key at ${at(event.t)} although the version it uses, ${key.vault}/${key.key}/${event.keyVersion}, is enabled`,
          );
        }
        const account = this.account(event.entity);
        if (account !== undefined) this.sealedAtRevocation.set(event.entity, account.counters.blocksSealed);
        return;
      }
      case 'storage.resumed':
        this.sealedAtRevocation.delete(event.entity);
        this.check(
          4,
          event.t - event.restoredAtMs <= p.resumeWithin,
          event,
          `storage account ${event.entity} resumed at ${at(event.t)}, ${seconds(event.t - event.restoredAtMs)} after access was restored at ${at(event.restoredAtMs)}; the documented bound is ${formatDuration(p.resumeWithin)}`,
        );
        if (event.fromState === 'unavailable') {
          const left = this.account(event.entity)?.bufferedBlocks ?? 0;
          this.check(6, left === 0, event, `storage account ${event.entity} resumed at ${at(event.t)} with ${left} blocks still in the MMK buffer: the buffer must be fully replayed`);
        }
        return;
      case 'storage.unavailable': {
        const failingFor = event.t - event.failingSinceMs;
        this.check(
          5,
          failingFor >= p.outageToUnavailable - this.maxPollMs,
          event,
          `storage account ${event.entity} became unavailable at ${at(event.t)} after Key Vault errors of only ${seconds(failingFor)}; errors shorter than ${formatDuration(p.outageToUnavailable - this.maxPollMs)} must not reach users`,
        );
        return;
      }
      case 'buffer.expired': {
        const outageFor = event.t - event.outageSinceMs;
        this.check(
          6,
          outageFor >= p.mmkBufferMaxAge,
          event,
          `storage account ${event.entity} dropped ${event.records} buffered records at ${at(event.t)}, ${seconds(outageFor)} into an outage; an outage shorter than mmkBufferMaxAge (${formatDuration(p.mmkBufferMaxAge)}) must lose nothing`,
        );
        return;
      }
      case 'storage.aekVerified':
        this.check(7, event.unchanged, event, `storage account ${event.entity} unwrapped a different AEK under key version ${event.version} at ${at(event.t)}: rotation must only re-wrap the AEK`);
        return;
      case 'operation.accepted':
        if (this.scenarioStarted && (event.action === 'workspace.link' || event.action === 'workspace.unlink')) {
          const recent = [...(this.linkOpsMs.get(event.entity) ?? []), event.t].filter((t) => event.t - t < LINK_WINDOW_MS);
          this.linkOpsMs.set(event.entity, recent);
          this.check(9, recent.length <= p.linkOpsPer30Days, event, `workspace ${event.entity} had ${recent.length} link operations accepted in 30 days by ${at(event.t)}; the limit is ${p.linkOpsPer30Days}`);
        }
        return;
      case 'workspace.routed': {
        const cluster = event.storage.split('/')[0]!;
        if (cluster === 'shared') this.linkedTo.delete(event.entity);
        else this.linkedTo.set(event.entity, cluster);
        const linked = [...this.linkedTo.values()].filter((c) => c === cluster).length;
        this.check(9, cluster === 'shared' || linked <= p.maxWorkspacesPerCluster, event, `cluster ${cluster} has ${linked} linked workspaces at ${at(event.t)}; the limit is ${p.maxWorkspacesPerCluster}`);
        return;
      }
      default:
        return;
    }
  }

  /** After each ingestion slice: conservation, what revocation closes, retention. */
  afterSlice(nowMs: number): void {
    const gaps = this.ledger.conservationGaps();
    this.check(1, gaps.length === 0, null, `records not accounted for at ${at(nowMs)}: ${gaps.join('; ')}`, nowMs, 'ledger');
    for (const account of this.accounts()) {
      // Once access is back the AEK is unwrapped again while ingestion and queries wait to resume.
      if (account.state === 'revoked' && !account.recovering) {
        const sealed = this.sealedAtRevocation.get(account.id);
        this.check(3, !account.aekInMemory, null, `storage account ${account.id} holds its AEK in memory at ${at(nowMs)} while revoked`, nowMs, account.id);
        this.check(3, account.hotCacheBlocks === 0, null, `storage account ${account.id} still has ${account.hotCacheBlocks} blocks in its hot cache at ${at(nowMs)} while revoked`, nowMs, account.id);
        this.check(3, sealed === undefined || account.counters.blocksSealed === sealed, null, `storage account ${account.id} stored records at ${at(nowMs)} while revoked`, nowMs, account.id);
      }
      for (const { retentionDays, oldestMs } of account.oldestBlocks()) {
        const limitMs = nowMs - retentionDays * MS_PER_DAY;
        this.check(10, oldestMs >= limitMs, null, `storage account ${account.id} still holds a block from ${at(oldestMs)} at ${at(nowMs)}, older than its ${retentionDays}-day retention`, nowMs, account.id);
      }
    }
  }

  /** After each sampled query: a revoked account serves only data under Microsoft keys. */
  sampled(nowMs: number, account: StorageAccount, workspace: string, ok: boolean): void {
    if (account.state !== 'revoked') return;
    const needsKey = account.holdsCmkDataOf(workspace);
    if (needsKey) this.check(3, !ok, null, `a query of ${workspace} succeeded on storage account ${account.id} at ${at(nowMs)} while it is revoked and the data needs the customer key`, nowMs, account.id);
    else this.check(8, ok, null, `a query of ${workspace}, whose data on ${account.id} is all under Microsoft keys, failed at ${at(nowMs)} because the customer key is revoked`, nowMs, account.id);
  }

  report(): InvariantReport {
    const rules = RULES.map((r) => ({ ...r, checks: this.checks.get(r.rule)! }));
    return { checked: rules.reduce((n, r) => n + r.checks, 0), rules, violations: this.violations };
  }

  private check(rule: RuleNumber, holds: boolean, event: SimEvent | null, message: string, atMs = event?.t ?? 0, entity = event?.entity ?? ''): void {
    this.checks.set(rule, this.checks.get(rule)! + 1);
    if (holds) return;
    if (this.violations.filter((v) => v.rule === rule).length >= VIOLATIONS_PER_RULE_MAX) return;
    const { name } = RULES.find((r) => r.rule === rule)!;
    this.violations.push({ rule, name, atMs, entity, message, events: event === null ? [] : [event] });
  }

  private account(id: string): StorageAccount | undefined {
    return this.accounts().find((a) => a.id === id);
  }
}

/** A time from the start, to the second: "+1d1h7m51s". */
function at(ms: number): string {
  return `+${seconds(ms)}`;
}

function seconds(ms: number): string {
  return formatDuration(Math.floor(ms / 1000) * 1000);
}
