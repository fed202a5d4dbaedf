// The documented promises (DOMAIN.md "Rules to check"), judged on the
// history alone: a fold over the events a run emits (the same ones
// timeline.jsonl records), so it judges a recorded run offline exactly as it
// judges a live one (`cmk-sim check`), and it cannot agree with a model's
// wrong bookkeeping because it never reads the model. Every time it judges
// it derives from events (when the key was disabled, when the vault stopped
// answering, when access came back), and where a rule is about data, the
// evidence is data: fingerprints of the keys that sealed each block and of
// its bytes, and real attempts to open blocks with what an account holds.
//
// Each timing rule has both directions: an event must not come too early,
// and what must happen is checked at its deadline (a queue of deadlines,
// judged once every event up to the deadline has been folded).
// A violation names the rule, the time, the events that broke it, and says
// why in words. Cost: O(1) per event, plus O(blocks) at a key change.

import { setDigest } from '../crypto/fingerprint.ts';
import { formatDuration, MS_PER_DAY } from '../engine/duration.ts';
import { MinHeap } from '../engine/min-heap.ts';
import { ColumnLog } from '../engine/time-log.ts';
import { AccountStates, type ObservedState } from './accounts.ts';
import { canonical, type AnswerKind, type EventOf, type SimEvent } from './events.ts';
import { PAGE_FIGURES, PAGE_PROFILES } from './pages.ts';
import { isAuxiliaryTables } from './records.ts';

export const RULES = [
  {
    rule: 1,
    name: 'conservation',
    text: 'offered = CMK + MMK + buffered + dropped by reason, per workspace, at every instant: each slice goes to the one place its account\'s state says, sealed under that place\'s key, and the MMK buffer gives back exactly what it holds',
    events: ['composition.defined', 'storage.ingested', 'buffer.replayed', 'buffer.expired', 'storage.* state events'],
  },
  {
    rule: 2,
    name: 'revocationTiming',
    text: 'no revocation before Key Vault denied the account, or told it of a denial (and no success since); revocation no later than the change + revocationWithin; a denial that lasts revocationWithin + the longest poll has revoked: with the vault reachable (atNextAnswer), or whether or not it is (onTime); once the vault is reachable again, a denial that still holds has revoked by its first answer (the longest poll) or the change + revocationWithin, whichever is later; Key Vault denies, or tells of a denial, only while one holds, and grants only while none does; the owner\'s key and policy requests are refused as unreachable exactly while the vault is down (a network rule denies the cluster, not its owner); no key of a vault with purge protection (as keyVault.created says, or one a cluster was keyed to, which needs it) is purged on request',
    events: ['keyVault.created', 'key.disabled', 'key.enabled', 'key.deleted', 'key.recovered', 'key.purged', 'accessPolicy.set', 'accessPolicy.removed', 'roleAssignment.created', 'roleAssignment.deleted', 'cluster.identitySet', 'cluster.principalSet', 'storage.keyConfigured', 'storage.unwrap', 'storage.denialNotified', 'keyVault.*.begin/end', 'storage.revoked', 'operation.refused', 'operation.succeeded'],
  },
  {
    rule: 3,
    name: 'revokedIsClosed',
    text: 'every revocation purges the hot cache, and no hot copy it held can be read after the purge; where it holds the last days only, none it held was older than hotCacheDays; while revoked: no query of cluster data succeeds, no record is stored, no block under the customer key opens with what the account holds in memory, the hot cache is empty',
    events: ['storage.revoked', 'storage.accessRestored', 'storage.resumed', 'storage.ingested', 'storage.openAttempt', 'hotCache.purged', 'hotCache.reloaded', 'query.sampled', 'workspace.queriesFailing', 'workspace.queriesServing'],
  },
  {
    rule: 4,
    name: 'resumeTiming',
    text: 'after access is back, ingestion and queries resume by restore + longest poll + resumeWithin, and within resumeWithin of the first successful unwrap; no record is dropped as revoked later than resumeWithin after the first successful unwrap that follows a revocation: an outage that starts meanwhile is an outage, never a longer revocation',
    events: ['storage.accessRestored', 'storage.resumed', 'storage.unwrap', 'storage.ingested', 'key.*', 'accessPolicy.*', 'keyVault.*.begin/end'],
  },
  {
    rule: 5,
    name: 'blipsUnseen',
    text: 'Key Vault errors shorter than outageToUnavailable minus the longest poll cost no query and buffer nothing: the clock starts at the first error after the vault last answered (success or denial), and a denial is an answer; errors that last outageToUnavailable make the account unavailable; once unavailable, queries of its data under the customer key fail',
    events: ['storage.unwrap', 'storage.unavailable', 'storage.ingested', 'workspace.queriesFailing', 'workspace.queriesServing'],
  },
  {
    rule: 6,
    name: 'shortOutageLossless',
    text: 'an outage shorter than mmkBufferMaxAge loses no record: nothing leaves the MMK buffer before mmkBufferMaxAge, everything leaves it by then, and the buffer is fully replayed under the customer key',
    events: ['storage.ingested', 'buffer.expired', 'buffer.replayed', 'storage.resumed', 'storage.keyConfigured'],
  },
  {
    rule: 7,
    name: 'rotation',
    text: 'a rotation re-wraps the AEK: every AEK an account reports has the fingerprint of its first, and every stored block keeps its bytes; disabling the old version afterwards changes nothing; disabling the pinned version first is a revocation; a cluster that follows the newest version is keyed to a new one within keyVersionCheckInterval of it, unless a check could not follow (then one interval after the last trouble); a cluster follows the newest version (an empty key version) only where the page has auto-rotation',
    events: ['storage.keyConfigured', 'storage.aekUnwrapped', 'storage.ingested', 'storage.purged', 'key.created', 'key.disabled', 'cluster.keySet', 'storage.revoked'],
  },
  {
    rule: 8,
    name: 'mmkReadable',
    text: 'data stored under the MMK stays readable whatever the key\'s state, and while Key Vault is out of reach; records of tables on the Auxiliary plan are stored under Microsoft keys, whatever the workspace\'s cluster',
    events: ['query.sampled', 'workspace.queriesFailing', 'composition.defined', 'storage.ingested', 'storage.revoked'],
  },
  {
    rule: 9,
    name: 'linkLimits',
    text: 'link rules and limits hold (a link is refused once a workspace had linkOpsPer30Days link or unlink operations in 30 days, and only then; an unlink is never refused for it: "you can unlink workspaces from the cluster at any time"); a link that succeeds sends the workspace\'s records to its cluster, an unlink that succeeds to shared storage under Microsoft keys; records of a workspace linked before its cluster is provisioned are dropped as notProvisioned, and only then; a capacity tier is lowered only once its commitment period (capacityCommitment from when it was set) is over, and refused for it only before; a cluster create is refused for its name exactly while a cluster of that name exists or was deleted less than clusterNameReservation ago; a link is refused as linked to another cluster only while the workspace is linked; saved searches come back on unlinking the Query storage account only where the page says so (unlinkRestoresSavedSearches); a commitment period refuses a lower tier only, never a raise; a Lockbox request is taken only for a workspace linked to a dedicated cluster, and refused as not applicable only for one that is not; a cluster is keyed only to a recoverable vault (soft delete and purge protection on, as keyVault.created says: "The Azure Key Vault must be configured as recoverable"), and a key update is refused as not recoverable only for a vault that is not; a cluster is keyed only to a vault in its region and tenant (cluster.created, keyVault.created), and a key update is refused as RegionMismatch or TenantMismatch only for a vault that is not',
    events: ['keyVault.created', 'cluster.created', 'cluster.keySet', 'operation.accepted', 'operation.refused', 'operation.succeeded', 'workspace.routed', 'storage.ingested', 'storage.provisioned', 'cluster.capacitySet'],
  },
  {
    rule: 10,
    name: 'retention',
    text: 'no block older than its workspace\'s retention survives, and no block goes before it',
    events: ['storage.ingested', 'buffer.replayed', 'storage.purged'],
  },
  {
    rule: 13,
    name: 'doubleEncryption',
    text: 'a cluster with double encryption stores its blocks under a second, infrastructure layer: the first block each of its storage accounts stores does not open with its own chain alone; without double encryption it does ("Data ingested to dedicated clusters is being encrypted twice"); a cluster whose create request turned it off ("isDoubleEncryptionEnabled": false) is encrypted once; every account that stored a block shows it',
    events: ['storage.blockProbed', 'storage.ingested', 'buffer.replayed'],
  },
  {
    rule: 14,
    name: 'dekPerBlock',
    text: 'each block is sealed under a DEK of its own ("The AEK is used to derive DEKs, which are the keys that are used to encrypt each block of data written to disk"): the first block each storage account stores does not open with the DEK its AEK gives another block; every account that stored a block shows it',
    events: ['storage.blockProbed', 'storage.ingested', 'buffer.replayed'],
  },
  {
    rule: 11,
    name: 'kekStaysInVault',
    text: 'no function outside the Key Vault returns KEK private material (checked by test/crypto.test.ts, not at run time)',
    events: [],
  },
  {
    rule: 12,
    name: 'determinism',
    text: 'the same scenario, seed and version give byte-identical outputs (checked by test/determinism.test.ts and explore, not within one run)',
    events: [],
  },
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
  rules: { rule: RuleNumber; name: string; text: string; checks: number; triggered: number }[];
  violations: Violation[];
  /** Storage-account state changes the history shows, "from→to", with how many times each was taken. */
  transitions: Record<string, number>;
}

/** A history the checker cannot judge (malformed, out of order, referring to what it never introduced). */
export class HistoryError extends Error {
  override name = 'HistoryError';

  /** A field of an event that is wrong, when the fault is one field: its path in the event, what it holds and what it should. */
  constructor(
    message: string,
    readonly field?: { path: string; found: string; expected: string },
  ) {
    super(message);
  }
}

/** A field of scenario.start that a history as cmk-sim records it never holds. */
function badStart(path: string, value: unknown, expected: string): HistoryError {
  return new HistoryError(`scenario.start ${path}: found ${JSON.stringify(value)}; expected ${expected}`, { path, found: JSON.stringify(value) ?? 'nothing', expected });
}

/** Most violations kept per rule: one broken rule must not flood the report. */
const VIOLATIONS_PER_RULE_MAX = 20;
const LINK_WINDOW_MS = 30 * MS_PER_DAY;

/** The parameters the rules are stated with, read from scenario.start. */
interface RuleParams {
  maxPollMs: number;
  outageToUnavailableMs: number;
  mmkBufferMaxAgeMs: number;
  revocationWithinMs: number;
  resumeWithinMs: number;
  blockSliceMs: number;
  linkOpsPer30Days: number;
  maxWorkspacesPerCluster: number;
  keyVersionCheckIntervalMs: number;
  capacityCommitmentMs: number;
  clusterNameReservationMs: number | null;
  hotCacheDays: number;
  /** The hot cache holds the last hotCacheDays only (not also recently queried data). */
  hotCacheLastDaysOnly: boolean;
  unavailableAfterOutage: boolean;
  /** revocationWhileUnreachable onTime: the account is told of a denial at the change, so it revokes on time whether or not the vault answers. */
  revocationOnTime: boolean;
  /** Whether unlinking the Query storage account brings saved searches back (2026-04); null: not stated. */
  unlinkRestoresSavedSearches: boolean | null;
  /** Whether a cluster may follow the newest key version (an empty keyVersion; 2021-07 and later); null: not stated. */
  autoRotation: boolean | null;
}

interface BlockRecord {
  readonly id: string;
  readonly createdMs: number;
  readonly composition: number;
  readonly records: number;
  /** Fingerprint of the AEK that sealed it. */
  readonly aek: string;
  /** Fingerprint of its bytes. */
  readonly bytes: string;
}

/**
 * An account's blocks as the checker has seen them, oldest first, held as
 * columns (sim/engine/time-log.ts): a year of records costs a few arrays, not
 * an object per block. front() and shift() read a record out as an object,
 * with its sequence number in this log.
 */
class BlockRecords {
  private readonly log = new ColumnLog((capacity) => ({
    createdMs: new Float64Array(capacity),
    composition: new Float64Array(capacity),
    records: new Float64Array(capacity),
    id: new Array<string | undefined>(capacity),
    aek: new Array<string | undefined>(capacity),
    bytes: new Array<string | undefined>(capacity),
  }));

  get size(): number {
    return this.log.size;
  }

  push(block: BlockRecord): void {
    const slot = this.log.push();
    const c = this.log.columns;
    c.createdMs[slot] = block.createdMs;
    c.composition[slot] = block.composition;
    c.records[slot] = block.records;
    c.id[slot] = block.id;
    c.aek[slot] = block.aek;
    c.bytes[slot] = block.bytes;
  }

  front(): (BlockRecord & { readonly seq: number }) | undefined {
    const seq = this.log.firstSeq;
    const slot = this.log.slotOf(seq);
    if (slot < 0) return undefined;
    const c = this.log.columns;
    return { seq, id: c.id[slot]!, createdMs: c.createdMs[slot]!, composition: c.composition[slot]!, records: c.records[slot]!, aek: c.aek[slot]!, bytes: c.bytes[slot]! };
  }

  shift(): BlockRecord | undefined {
    const front = this.front();
    this.log.shift();
    return front;
  }

  /** The fingerprints of the blocks' bytes, oldest first. */
  *fingerprints(): Generator<string> {
    for (let seq = this.log.firstSeq; seq < this.log.endSeq; seq++) yield this.log.columns.bytes[this.log.slotOf(seq)]!;
  }
}

/**
 * A judgement due at a time. A class rather than an object literal: from the
 * deadlines that wait out a whole retention early in a run, V8 would make
 * the literal's allocation site an old-generation one, and the hundreds a
 * day due within minutes would then die only at a full collection.
 */
class Deadline {
  constructor(
    readonly timeMs: number,
    readonly seq: number,
    readonly judge: () => void,
  ) {}
}

interface AccountRecord {
  readonly id: string;
  readonly cluster: string;
  readonly mmkAek: string;
  key: { vault: string; key: string; version: string } | null;
  keyedAtMs: number;
  cmkAek: string | null;
  /** The kind of Key Vault's last answer, and since when. */
  answer: { kind: AnswerKind; sinceMs: number };
  /** The denial episode in progress (no success since its first denial): when it began and the latest start of a cause holding then. */
  denial: { firstMs: number; causeStartMs: number; versionDisabled: boolean } | null;
  /** When a denial last began for it. */
  deniedAtMs: number;
  /** The first successful unwrap after the account last became unavailable or revoked. */
  restoredAtMs: number | null;
  /** When it was last revoked, and the first successful unwrap after that. */
  revokedAtMs: number | null;
  restoredAfterRevocationMs: number | null;
  /** When its SSD hot cache was last purged. */
  hotPurgedAtMs: number | null;
  /** Stored blocks, per retention, oldest first. */
  readonly stored: Map<number, BlockRecords>;
  /** Blocks in the MMK buffer, oldest first. */
  readonly buffer: BlockRecords;
  /** Blocks sealed under the customer key, per composition. */
  readonly cmkBlocks: Map<number, number>;
  /** Whether the oldest block of each log (retention groups by their days, and the buffer) has a deadline pending. */
  readonly watched: Map<number | 'buffer', boolean>;
}

interface KeyRecord {
  deletedMs: number | null;
  purgedMs: number | null;
  /** Its versions in the order they were created. */
  readonly versions: string[];
  /** When a version was last disabled or enabled, or the key deleted or recovered. */
  changedMs: number;
  /** Versions disabled now, since when. */
  readonly disabledMs: Map<string, number>;
}

interface VaultRecord {
  /** Where it is and its settings, as keyVault.created told them; null in a history that does not. */
  settings: { region: string; tenant: string; softDelete: boolean; purgeProtection: boolean } | null;
  /** The kinds of fault window open now. */
  readonly open: Set<string>;
  /** Since when no window has been open; when one last opened. */
  quietSinceMs: number;
  lastOpenedMs: number;
}

interface CompositionRecord {
  readonly account: string;
  readonly retentionDays: number;
  readonly workspaces: readonly string[];
  readonly recordsPerSlice: number;
  /** Whether a workspace's tables on the Auxiliary plan write to it (a member named <workspace>/auxiliary). */
  readonly auxiliary: boolean;
}

interface WorkspaceRecord {
  storage: string;
  /** Accounts it wrote to before, until when: a query whose lookback reaches back there still reads them. */
  previous: { account: string; untilMs: number }[];
  lookbackMs: number;
  failing: boolean;
  /** Compositions it is a member of. */
  compositions: Set<number>;
}

export class Checker {
  private params: RuleParams | null = null;
  private readonly checks = new Map<RuleNumber, number>(RULES.map((r) => [r.rule, 0]));
  private readonly triggered = new Map<RuleNumber, number>(RULES.map((r) => [r.rule, 0]));
  private readonly violations: Violation[] = [];
  private readonly transitions = new Map<string, number>();
  private lastMs = 0;
  private endedAtMs: number | null = null;
  private readonly states = new AccountStates();
  private readonly accounts = new Map<string, AccountRecord>();
  private readonly deletedAccounts = new Set<string>();
  private readonly compositions = new Map<number, CompositionRecord>();
  private readonly workspaces = new Map<string, WorkspaceRecord>();
  /** Per vault: which kinds of fault window are open, and since when none has been. */
  private readonly vaults = new Map<string, VaultRecord>();
  /** Per "vault/key": deleted or purged since, and disabled versions since. */
  private readonly keys = new Map<string, KeyRecord>();
  /** Per vault and principal: whether its access policy or role assignment grants unwrapKey, and since when it has not. */
  private readonly policies = new Map<string, Map<string, { unwrap: boolean; lostMs: number }>>();
  private readonly identityNoneMs = new Map<string, number>();
  /** Who each cluster is to Key Vault, since when: its system-assigned identity (its own name, from its creation) unless cluster.principalSet says otherwise. */
  private readonly principals = new Map<string, { principal: string; sinceMs: number }>();
  /** Each cluster's capacity reservation and when it was set (its commitment period starts then). */
  private readonly capacities = new Map<string, { gbPerDay: number; setMs: number }>();
  /** Per cluster name: whether a cluster of that name exists (from its create accepted to its delete done), and when the last one was deleted. */
  private readonly clusterNames = new Map<string, { exists: boolean; deletedMs: number | null }>();
  /** Accounts that showed their layers and their DEK per block (storage.blockProbed), and those that stored a block. */
  private readonly blocksProbed = new Set<string>();
  private readonly storedBlocks = new Set<string>();
  /** Each cluster's key as its last key update set it, and whether it follows the newest version. */
  private readonly clusterKeys = new Map<string, { key: string; follows: boolean }>();
  private readonly linkOpsMs = new Map<string, number[]>();
  private readonly linkedTo = new Map<string, string>();
  /** Vaults a cluster was keyed to: a key update is refused unless the vault has soft delete and purge protection, which cannot be turned off. */
  private readonly keyedVaults = new Set<string>();
  /** Where each cluster is, as cluster.created told it. */
  private readonly clusterPlaces = new Map<string, { region: string; tenant: string }>();
  /** Clusters whose create request turned double encryption off (isDoubleEncryptionEnabled: false). */
  private readonly singleEncryption = new Set<string>();
  /** Workspaces linked per cluster (linkedTo counted), so a routing does not count every workspace again. */
  private readonly linkedCounts = new Map<string, number>();
  private setupOver = false;
  /** Checks that judge a moment after every event up to it: (time, seq) -> check. */
  private readonly deadlines = new MinHeap<Deadline>();
  private deadlineSeq = 0;
  /** Workspaces whose query state is judged at the end of this instant. */
  private readonly dirtyWorkspaces = new Set<string>();
  private pendingInstantMs: number | null = null;

  apply(event: SimEvent): void {
    if (event.t < this.lastMs) throw new HistoryError(`event at ${event.t} ms comes after one at ${this.lastMs} ms: a history is in time order`);
    this.judgeDeadlinesBefore(event.t);
    this.lastMs = event.t;
    if (event.type === 'scenario.start') {
      if (this.params !== null) throw new HistoryError('a second scenario.start: a history is one run');
      // A profile the checker has no page for would be judged with no page figure: a history of another version, or an edit.
      if (!(PAGE_PROFILES as readonly string[]).includes(event.profile)) throw badStart('profile', event.profile, `one of ${PAGE_PROFILES.join(', ')}`);
      this.params = readParams(event.params);
      this.pageFigures(event);
      return;
    }
    if (this.params === null) throw new HistoryError(`${event.type} before scenario.start: a history starts with the scenario and its parameters`);
    if (this.endedAtMs !== null) throw new HistoryError(`${event.type} after scenario.end: a history ends with it`);
    this.fold(event);
    if (event.type === 'scenario.end') {
      this.endedAtMs = event.t;
      this.judgeDeadlinesBefore(event.t + 1);
    }
  }

  /** Whether scenario.end has been folded: the history is whole. */
  get ended(): boolean {
    return this.endedAtMs !== null;
  }

  report(): InvariantReport {
    const rules = RULES.map((r) => ({ rule: r.rule, name: r.name, text: r.text, checks: this.checks.get(r.rule)!, triggered: this.triggered.get(r.rule)! }));
    return { checked: rules.reduce((n, r) => n + r.checks, 0), rules, violations: this.violations, transitions: Object.fromEntries(this.transitions) };
  }

  // ---- the fold --------------------------------------------------------------

  private fold(event: SimEvent): void {
    const transition = this.states.apply(event);
    if (transition !== null) {
      const key = `${transition.from}→${transition.to}`;
      this.transitions.set(key, (this.transitions.get(key) ?? 0) + 1);
      this.workspacesReading(transition.account).forEach((ws) => this.dirtyWorkspaces.add(ws));
      this.endOfInstant();
    }
    switch (event.type) {
      case 'scenario.ready':
        this.setupOver = true;
        return;
      case 'keyVault.created':
        this.vault(event.entity).settings = { region: event.region, tenant: event.tenant, softDelete: event.softDelete, purgeProtection: event.purgeProtection };
        return;
      case 'cluster.created':
        this.clusterPlaces.set(event.entity, { region: event.region, tenant: event.tenant });
        return;
      case 'keyVault.outage.begin':
      case 'keyVault.networkDenied.begin':
      case 'keyVault.transient.begin':
      case 'keyVault.throttle.begin': {
        const vault = this.vault(event.entity);
        vault.open.add(event.type.slice(0, -'.begin'.length));
        vault.lastOpenedMs = event.t;
        return;
      }
      case 'keyVault.outage.end':
      case 'keyVault.networkDenied.end':
      case 'keyVault.transient.end':
      case 'keyVault.throttle.end': {
        const vault = this.vault(event.entity);
        vault.open.delete(event.type.slice(0, -'.end'.length));
        if (vault.open.size > 0) return;
        vault.quietSinceMs = event.t;
        this.vaultBack(event);
        return this.accessMayBeBack(event.t, (a) => a.key?.vault === event.entity);
      }
      case 'key.disabled':
        this.versionChanged(event);
        return this.denialBegins(event, (a) => keyName(a) === event.entity && a.key!.version === event.version);
      case 'key.enabled':
        this.versionChanged(event);
        return this.accessMayBeBack(event.t, (a) => keyName(a) === event.entity);
      case 'key.created':
        this.keyState(event.entity).versions.push(event.version);
        return this.newVersion(event);
      case 'cluster.capacitySet':
        return this.capacitySet(event);
      case 'cluster.keySet':
        this.clusterKeys.set(event.entity, { key: `${event.vault}/${event.key}`, follows: event.keyVersion === '' });
        this.keyedVaults.add(event.vault);
        this.keyedWhereAllowed(event);
        if (event.keyVersion === '') this.followsNewest(event);
        return;
      case 'key.rotationFollowed':
        return this.followsNewest(event);
      case 'lockbox.requested':
        return this.lockboxRequested(event);
      case 'key.deleted':
        this.keyState(event.entity).changedMs = event.t;
        this.keyState(event.entity).deletedMs ??= event.t;
        return this.denialBegins(event, (a) => keyName(a) === event.entity);
      case 'key.recovered':
        this.keyState(event.entity).changedMs = event.t;
        this.keyState(event.entity).deletedMs = null;
        return this.accessMayBeBack(event.t, (a) => keyName(a) === event.entity);
      case 'key.purged':
        this.keyState(event.entity).purgedMs ??= event.t;
        this.purgeProtected(event);
        return this.denialBegins(event, (a) => keyName(a) === event.entity);
      // A role assignment (Azure RBAC) grants what an access policy with get, wrapKey and unwrapKey grants; removing either is a denial.
      case 'accessPolicy.set':
      case 'accessPolicy.removed':
      case 'roleAssignment.created':
      case 'roleAssignment.deleted': {
        const policies = this.policiesOf(event.entity);
        const previous = policies.get(event.principal);
        const unwrap = event.type === 'roleAssignment.created' || (event.type === 'accessPolicy.set' && event.permissions.includes('unwrapKey'));
        policies.set(event.principal, { unwrap, lostMs: unwrap ? 0 : previous !== undefined && !previous.unwrap ? previous.lostMs : event.t });
        const mine = (a: AccountRecord) => this.principalOf(a.cluster).principal === event.principal && a.key?.vault === event.entity;
        return unwrap ? this.accessMayBeBack(event.t, mine) : this.denialBegins(event, mine);
      }
      case 'cluster.principalSet': {
        this.principals.set(event.entity, { principal: event.principal, sinceMs: event.t });
        // Key Vault answers for the new principal from now on: a denial if it is not granted, access back if it is.
        const mine = (a: AccountRecord) => a.cluster === event.entity;
        const granted = (a: AccountRecord) => a.key !== null && this.policies.get(a.key.vault)?.get(event.principal)?.unwrap === true;
        this.denialBegins(event, (a) => mine(a) && !granted(a));
        return this.accessMayBeBack(event.t, (a) => mine(a) && granted(a));
      }
      case 'cluster.identitySet':
        if (event.identity === 'None' && !this.identityNoneMs.has(event.entity)) {
          this.identityNoneMs.set(event.entity, event.t);
          this.denialBegins(event, (a) => a.cluster === event.entity);
        }
        return;
      case 'savedSearches.restored':
        return this.savedSearchesRestored(event);
      case 'operation.accepted':
        this.clusterNamed(event);
        this.doubleEncryptionAsked(event);
        return this.linkOperation(event);
      case 'operation.refused':
        this.ownerRequest(event);
        this.capacityRefused(event);
        this.lockboxRefused(event);
        this.keyRefusedForVault(event);
        this.clusterNamed(event);
        return this.linkRefused(event);
      case 'operation.succeeded':
        this.ownerRequest(event);
        this.clusterDeleted(event);
        return this.linkDone(event);
      case 'workspace.routed':
        return this.routed(event);
      case 'workspace.workload': {
        const ws = this.workspace(event.entity);
        ws.lookbackMs = event.lookbackMs;
        // A new lookback moves the moments it stops reading its old accounts.
        for (const previous of ws.previous) this.judgeWorkspaceAt(event.entity, Math.max(event.t, previous.untilMs + ws.lookbackMs));
        this.dirtyWorkspaces.add(event.entity);
        return this.endOfInstant();
      }
      case 'workspace.queriesFailing':
      case 'workspace.queriesServing':
        this.workspace(event.entity).failing = event.type === 'workspace.queriesFailing';
        this.dirtyWorkspaces.add(event.entity);
        return this.endOfInstant();
      case 'storage.created':
        return this.created(event);
      case 'storage.keyConfigured':
        return this.keyConfigured(event);
      case 'storage.unwrap':
        return this.unwrap(event);
      case 'storage.denialNotified':
        return this.denialNotified(event);
      case 'storage.aekUnwrapped':
        return this.sameAek(this.account(event), event.aek, event, `unwrapped under ${event.version}`);
      case 'storage.unavailable':
        return this.unavailable(event);
      case 'storage.revoked':
        return this.revoked(event);
      case 'storage.accessRestored':
        return this.accessRestored(event);
      case 'storage.resumed':
        return this.resumed(event);
      case 'storage.deleted':
        return this.deleted(event);
      case 'storage.openAttempt':
        return this.openAttempt(event);
      case 'storage.blockProbed':
        return this.blockProbed(event);
      case 'hotCache.purged':
        return this.hotCachePurged(event);
      case 'hotCache.reloaded':
        return this.hotCacheReloaded(event);
      case 'composition.defined':
        return this.defined(event);
      case 'storage.ingested':
        return this.ingested(event);
      case 'buffer.replayed':
        return this.replayed(event);
      case 'buffer.expired':
        return this.expired(event);
      case 'storage.purged':
        return this.purged(event);
      case 'query.sampled':
        return this.sampled(event);
      case 'scenario.end':
        this.everyStoreProbed(event);
        return this.endOfInstant();
      default:
        return;
    }
  }

  // ---- Key Vault's answers and the causes behind them (rule 2) -----------------

  /** Start times of the denials that hold for the account now (identity None, policy without unwrapKey, key purged, deleted, version disabled). */
  private causesFor(account: AccountRecord): number[] {
    const starts: number[] = [];
    const none = this.identityNoneMs.get(account.cluster);
    if (none !== undefined) starts.push(none);
    const key = account.key;
    if (key === null) return starts;
    // A principal that was not granted when the cluster began presenting it is denied from then on.
    const { principal, sinceMs } = this.principalOf(account.cluster);
    const policy = this.policies.get(key.vault)?.get(principal);
    if (policy === undefined) starts.push(sinceMs);
    else if (!policy.unwrap) starts.push(Math.max(policy.lostMs, sinceMs));
    const state = this.keys.get(`${key.vault}/${key.key}`);
    if (state !== undefined) {
      if (state.purgedMs !== null) starts.push(state.purgedMs);
      if (state.deletedMs !== null) starts.push(state.deletedMs);
      const disabled = state.disabledMs.get(key.version);
      if (disabled !== undefined) starts.push(disabled);
    }
    return starts;
  }

  private vaultQuietSince(account: AccountRecord): number | null {
    if (account.key === null) return null;
    const vault = this.vault(account.key.vault);
    return vault.open.size > 0 ? null : vault.quietSinceMs;
  }

  /**
   * A denial begins for some accounts: each must be revoked by
   * revocationWithin + the longest poll if it lasts, with the vault reachable
   * throughout (atNextAnswer: the account learns of it by polling), or
   * whether or not it is (onTime: Key Vault tells it at the change).
   */
  private denialBegins(event: SimEvent, affected: (account: AccountRecord) => boolean): void {
    const p = this.params!;
    for (const account of this.accounts.values()) {
      if (account.key === null || !affected(account)) continue;
      account.deniedAtMs = event.t;
      const since = Math.max(event.t, account.keyedAtMs);
      const key = { ...account.key };
      const deadline = since + p.revocationWithinMs + p.maxPollMs;
      this.at(deadline, () => {
        if (!this.stillDenied(account, key, since)) return;
        const quiet = this.vaultQuietSince(account);
        const reachable = quiet !== null && quiet <= since;
        if (!reachable && !p.revocationOnTime) return;
        this.trigger(2);
        const how = reachable ? 'with Key Vault reachable throughout' : 'while Key Vault could not answer it, which this profile\'s caching must not let weaken revocation (revocationWhileUnreachable onTime)';
        this.check(2, false, event, () => `${what(event)} at ${at(event.t)} denies storage account ${account.id} and still held at ${at(deadline)} ${how}, yet the account was not revoked: "within an hour or sooner" (revocationWithin ${formatDuration(p.revocationWithinMs)} + the longest poll ${formatDuration(p.maxPollMs)})`, deadline, account.id);
      });
    }
  }

  /**
   * Key Vault is reachable again: an account still denied learns of it at
   * its first poll, so it must be revoked by then (the longest poll) or by
   * the change + revocationWithin, whichever is later, if the vault stays
   * reachable and the denial holds.
   */
  private vaultBack(event: SimEvent): void {
    const p = this.params!;
    const backMs = event.t;
    for (const account of this.accounts.values()) {
      if (account.key === null || account.key.vault !== event.entity) continue;
      const state = this.states.state(account.id);
      if (state === 'revoked' || state === 'deleted' || state === undefined) continue;
      const causes = this.causesFor(account);
      if (causes.length === 0) continue;
      const since = Math.max(account.keyedAtMs, ...causes);
      const key = { ...account.key };
      const deadline = Math.max(backMs, since + p.revocationWithinMs) + p.maxPollMs;
      this.at(deadline, () => {
        if (!this.stillDenied(account, key, since) || this.vaultQuietSince(account) !== backMs) return;
        this.trigger(2);
        this.check(2, false, event, () => `a denial of storage account ${account.id} held from ${at(since)}, Key Vault was reachable again from ${at(backMs)} and stayed so, yet the account was not revoked by ${at(deadline)}: it learns of the denial at its first poll Key Vault answers, and is revoked "within an hour or sooner" of the change (revocationWithin ${formatDuration(p.revocationWithinMs)}, the longest poll ${formatDuration(p.maxPollMs)})`, deadline, account.id);
      });
    }
  }

  /** The account is not revoked, deleted or re-keyed, and a denial that held at `since` holds still. */
  private stillDenied(account: AccountRecord, key: AccountRecord['key'], since: number): boolean {
    const state = this.states.state(account.id);
    if (state === 'revoked' || state === 'deleted' || state === undefined) return false;
    return sameKey(account.key, key) && this.causesFor(account).some((start) => start <= since);
  }

  /** A denial or fault ended for some accounts: if nothing else keeps access away, each closed one must resume by the longest poll + resumeWithin. */
  private accessMayBeBack(t: number, affected: (account: AccountRecord) => boolean): void {
    const p = this.params!;
    for (const account of this.accounts.values()) {
      if (account.key === null || !affected(account)) continue;
      const state = this.states.state(account.id);
      if (state !== 'unavailable' && state !== 'revoked' && state !== 'recovering') continue;
      if (this.causesFor(account).length > 0 || this.vaultQuietSince(account) === null) continue;
      const deadline = t + p.maxPollMs + p.resumeWithinMs;
      this.at(deadline, () => {
        const now = this.states.state(account.id);
        if (now === 'deleted' || this.states.serving(account.id)) return;
        // Access must have stayed back: no denial began and no fault window opened since.
        if (account.deniedAtMs >= t || this.causesFor(account).length > 0) return;
        const vault = this.vault(account.key!.vault);
        if (vault.open.size > 0 || vault.lastOpenedMs >= t) return;
        this.trigger(4);
        this.check(4, false, null, () => `access to the key of storage account ${account.id} was back at ${at(t)} (no denial, Key Vault reachable) and stayed back, yet ingestion and queries had not resumed by ${at(deadline)}: "once accessed, data ingestion and query resume within 30 minutes" (the longest poll ${formatDuration(p.maxPollMs)} + resumeWithin ${formatDuration(p.resumeWithinMs)})`, deadline, account.id);
      });
    }
  }

  private unwrap(event: EventOf<'storage.unwrap'>): void {
    const account = this.account(event);
    const p = this.params!;
    account.answer = { kind: event.answer, sinceMs: event.t };
    const causes = this.causesFor(account);
    if (event.answer === 'denial') {
      this.check(2, causes.length > 0, event, () => `Key Vault denied storage account ${account.id} at ${at(event.t)} although no denial held for it (its key ${keyText(account)} enabled, the policy granting unwrapKey, the identity set)`);
      this.denied(account, event.t, causes);
    }
    if (event.answer === 'success') {
      this.check(2, causes.length === 0, event, () => `Key Vault let storage account ${account.id} unwrap at ${at(event.t)} although a denial held since ${at(Math.max(...causes))}: a disabled or deleted key, or a removed permission, must deny`);
      account.denial = null;
    }
    if (event.answer !== 'error' || !p.unavailableAfterOutage) return;
    const state = this.states.state(account.id);
    if (state !== 'healthy' && state !== 'recovering') return;
    // The first error after Key Vault last answered: unavailable by outageToUnavailable unless it answers again.
    const since = event.t;
    const deadline = since + p.outageToUnavailableMs;
    this.at(deadline, () => {
      if (account.answer.kind !== 'error' || account.answer.sinceMs !== since) return;
      const now = this.states.state(account.id);
      if (now !== 'healthy' && now !== 'recovering') return;
      this.trigger(5);
      this.check(5, false, event, () => `Key Vault gave storage account ${account.id} only errors from ${at(since)} to ${at(deadline)}, yet it did not become unavailable: "unavailability of about 30 minutes will cause the Storage account to become unavailable" (outageToUnavailable ${formatDuration(p.outageToUnavailableMs)})`, deadline, account.id);
    });
  }

  /** A denial episode begins (no success since its first denial), if none is in progress. */
  private denied(account: AccountRecord, t: number, causes: readonly number[]): void {
    const versionDisabled = account.key !== null && (this.keys.get(keyName(account)!)?.disabledMs.has(account.key.version) ?? false);
    account.denial ??= { firstMs: t, causeStartMs: Math.max(0, ...causes), versionDisabled };
  }

  /** Told of a denial at the change, out of band: the account was denied, though Key Vault did not answer a poll (the outage clock runs on). */
  private denialNotified(event: EventOf<'storage.denialNotified'>): void {
    const account = this.account(event);
    const causes = this.causesFor(account);
    this.check(2, this.params!.revocationOnTime, event, () => `storage account ${account.id} was told of a denial out of band at ${at(event.t)}, but in this profile an account learns of a denial only when Key Vault answers a poll (revocationWhileUnreachable atNextAnswer)`);
    this.check(2, causes.length > 0, event, () => `Key Vault told storage account ${account.id} of a denial at ${at(event.t)} although none held for it (its key ${keyText(account)} enabled, the policy granting unwrapKey, the identity set)`);
    this.denied(account, event.t, causes);
  }

  private unavailable(event: EventOf<'storage.unavailable'>): void {
    const account = this.account(event);
    const p = this.params!;
    this.trigger(5);
    account.restoredAtMs = null;
    const answer = account.answer;
    if (!this.check(5, answer.kind === 'error' && p.unavailableAfterOutage, event, () => `storage account ${account.id} became unavailable at ${at(event.t)} although Key Vault's last answer (at ${at(answer.sinceMs)}) was ${answer.kind === 'error' ? 'an error, and this profile keeps the cached key for the whole outage' : `a ${answer.kind}, not an error`}`)) return;
    const bound = answer.sinceMs + p.outageToUnavailableMs - p.maxPollMs;
    this.check(
      5,
      event.t >= bound,
      event,
      () => `storage account ${account.id} became unavailable at ${at(event.t)}, ${seconds(event.t - answer.sinceMs)} after the first error following Key Vault's last answer (at ${at(answer.sinceMs)}); errors shorter than outageToUnavailable minus the longest poll (${formatDuration(p.outageToUnavailableMs - p.maxPollMs)}) must not reach users, and a denial is an answer`,
    );
  }

  private revoked(event: EventOf<'storage.revoked'>): void {
    const account = this.account(event);
    const p = this.params!;
    this.trigger(2);
    this.trigger(3);
    account.restoredAtMs = null;
    account.revokedAtMs = event.t;
    account.restoredAfterRevocationMs = null;
    this.check(3, account.hotPurgedAtMs === event.t, event, () => `storage account ${account.id} was revoked at ${at(event.t)} without deleting its SSD hot cache: it "gets deleted on key revocation operation"`);
    const denial = account.denial;
    if (!this.check(2, denial !== null, event, () => `storage account ${account.id} was revoked at ${at(event.t)} although Key Vault had neither denied it nor told it of a denial since its last successful unwrap`)) return;
    const bound = Math.max(denial!.causeStartMs + p.revocationWithinMs, denial!.firstMs);
    this.check(
      2,
      event.t <= bound,
      event,
      () => `storage account ${account.id} was revoked at ${at(event.t)}, ${seconds(event.t - denial!.causeStartMs)} after the change at ${at(denial!.causeStartMs)}; the documented bound is ${formatDuration(p.revocationWithinMs)} ("within an hour or sooner")`,
    );
    if (event.reason === 'keyDisabled') {
      this.check(7, denial!.versionDisabled, event, () => `storage account ${account.id} was revoked at ${at(event.t)} for a disabled key although the version it uses, ${keyText(account)}, was enabled when Key Vault denied it (at ${at(denial!.firstMs)}): disabling another version changes nothing`);
    }
  }

  private accessRestored(event: EventOf<'storage.accessRestored'>): void {
    const account = this.account(event);
    const p = this.params!;
    account.restoredAtMs = event.t;
    if (account.revokedAtMs !== null) account.restoredAfterRevocationMs ??= event.t;
    this.check(4, account.answer.kind === 'success', event, () => `storage account ${account.id} reports access restored at ${at(event.t)} although Key Vault's last answer was a ${account.answer.kind}`);
    const restoredAt = event.t;
    const deadline = restoredAt + p.resumeWithinMs;
    this.at(deadline, () => {
      if (this.states.state(account.id) !== 'recovering' || account.restoredAtMs !== restoredAt) return;
      this.trigger(4);
      this.check(4, false, event, () => `storage account ${account.id} unwrapped its key again at ${at(restoredAt)} but had not resumed by ${at(deadline)}: "once accessed, data ingestion and query resume within 30 minutes" (resumeWithin ${formatDuration(p.resumeWithinMs)})`, deadline, account.id);
    });
  }

  private resumed(event: EventOf<'storage.resumed'>): void {
    const account = this.account(event);
    const p = this.params!;
    this.trigger(4);
    const restoredAt = account.restoredAtMs;
    account.restoredAtMs = null;
    if (!this.check(4, restoredAt !== null, event, () => `storage account ${account.id} resumed at ${at(event.t)} without a successful unwrap since it became ${event.fromState}`)) return;
    this.check(4, event.t - restoredAt! <= p.resumeWithinMs, event, () => `storage account ${account.id} resumed at ${at(event.t)}, ${seconds(event.t - restoredAt!)} after it unwrapped its key again at ${at(restoredAt!)}; the documented bound is ${formatDuration(p.resumeWithinMs)}`);
    if (event.fromState === 'unavailable') {
      this.trigger(6);
      this.check(6, account.buffer.size === 0, event, () => `storage account ${account.id} resumed at ${at(event.t)} with ${account.buffer.size} blocks still in the MMK buffer (the oldest ${account.buffer.front()?.id}): the buffer must be fully replayed`);
    }
  }

  private deleted(event: EventOf<'storage.deleted'>): void {
    const account = this.account(event);
    this.deletedAccounts.add(account.id);
    // A cluster created again under the name has its own identity.
    this.principals.delete(account.cluster);
    this.identityNoneMs.delete(account.cluster);
    this.check(6, account.buffer.size === 0, event, () => `storage account ${account.id} was deleted at ${at(event.t)} with ${account.buffer.size} blocks left in its MMK buffer unaccounted for`);
    account.stored.clear();
    account.cmkBlocks.clear();
    for (const ws of this.workspacesReading(account.id)) this.dirtyWorkspaces.add(ws);
  }

  // ---- the account's key and data ------------------------------------------------

  private created(event: EventOf<'storage.created'>): void {
    // A cluster deleted and created again under its name has accounts of the same names.
    if (this.accounts.has(event.entity) && this.deletedAccounts.has(event.entity) === false) throw new HistoryError(`storage account ${event.entity} is created twice without being deleted in between`);
    this.deletedAccounts.delete(event.entity);
    this.accounts.set(event.entity, {
      id: event.entity,
      cluster: event.entity.slice(0, event.entity.lastIndexOf('/')),
      mmkAek: event.mmkAek,
      key: null,
      keyedAtMs: event.t,
      cmkAek: null,
      answer: { kind: 'success', sinceMs: event.t },
      denial: null,
      deniedAtMs: -1,
      restoredAtMs: null,
      revokedAtMs: null,
      restoredAfterRevocationMs: null,
      hotPurgedAtMs: null,
      stored: new Map(),
      buffer: new BlockRecords(),
      cmkBlocks: new Map(),
      watched: new Map(),
    });
  }

  private keyConfigured(event: EventOf<'storage.keyConfigured'>): void {
    const account = this.account(event);
    const rekey = account.key !== null;
    account.key = { vault: event.vault, key: event.key, version: event.version };
    account.keyedAtMs = event.t;
    if (!rekey) account.answer = { kind: 'success', sinceMs: event.t };
    this.sameAek(account, event.aek, event, `wrapped with ${event.vault}/${event.key}/${event.version}`);
    if (!rekey) return;
    this.trigger(7);
    const mine = setDigest((function* () {
      for (const log of account.stored.values()) yield* log.fingerprints();
    })());
    this.check(7, mine === event.storedDigest, event, () => `storage account ${account.id}'s stored blocks changed when its key changed to ${event.vault}/${event.key}/${event.version} at ${at(event.t)} (digest ${event.storedDigest}, the blocks stored and not purged give ${mine}): rotation re-wraps the AEK, blocks are not re-encrypted`);
  }

  /** Every customer-key AEK the account reports is the one it has had from the start. */
  private sameAek(account: AccountRecord, aek: string, event: SimEvent, how: string): void {
    if (account.cmkAek === null) {
      account.cmkAek = aek;
      return;
    }
    this.check(7, aek === account.cmkAek, event, () => `storage account ${account.id}'s AEK ${how} at ${at(event.t)} has fingerprint ${aek}, not ${account.cmkAek} as before: rotation must only re-wrap the AEK`);
  }

  private defined(event: EventOf<'composition.defined'>): void {
    if (this.compositions.has(event.composition)) throw new HistoryError(`composition ${event.composition} is defined twice`);
    this.account(event);
    const workspaces = event.members.map((m) => m.workspace);
    const auxiliary = workspaces.some(isAuxiliaryTables);
    this.compositions.set(event.composition, { account: event.entity, retentionDays: event.retentionDays, workspaces, recordsPerSlice: event.members.reduce((n, m) => n + m.recordsPerSlice, 0), auxiliary });
    for (const ws of workspaces) this.workspace(ws).compositions.add(event.composition);
  }

  private composition(event: SimEvent, id: number): CompositionRecord {
    const composition = this.compositions.get(id);
    if (composition === undefined) throw new HistoryError(`${event.type} at ${event.t} ms on ${event.entity} names composition ${id}, which was never defined`);
    return composition;
  }

  private ingested(event: EventOf<'storage.ingested'>): void {
    const account = this.account(event);
    if ((event.placement === 'cmk' || event.placement === 'mmk') && event.parts.some((part) => part.block !== null)) this.storedBlocks.add(account.id);
    const state: ObservedState = this.states.state(account.id)!;
    const recoveringFrom = this.states.recoveringFrom(account.id);
    const expected = placementFor(state, recoveringFrom);
    const rule: RuleNumber = state === 'revoked' || recoveringFrom === 'revoked' ? 3 : state === 'provisioning' || event.placement === 'notProvisioned' ? 9 : event.placement === 'buffered' ? 5 : 1;
    this.check(rule, event.placement === expected, event, () => `storage account ${account.id} placed a slice of records as ${event.placement} at ${at(event.t)} while ${describeState(state, recoveringFrom)}: records go ${placementText(expected)} then`);
    const p = this.params!;
    const restoredMs = account.restoredAfterRevocationMs;
    if (event.placement === 'revoked' && restoredMs !== null) {
      const bound = restoredMs + p.resumeWithinMs;
      this.check(4, event.t <= bound, event, () => `storage account ${account.id} dropped records as revoked at ${at(event.t)}, ${seconds(event.t - restoredMs)} after the first successful unwrap following its revocation (at ${at(restoredMs)}); drops as revoked end within resumeWithin (${formatDuration(p.resumeWithinMs)}) of it`);
    }
    for (const part of event.parts) {
      const composition = this.composition(event, part.composition);
      this.check(1, composition.account === account.id && part.records === composition.recordsPerSlice, event, () => `storage account ${account.id} took ${part.records} records of composition ${part.composition} at ${at(event.t)}, which writes ${composition.recordsPerSlice} records a slice to ${composition.account}: records not accounted for`);
      if (composition.auxiliary) {
        this.trigger(8);
        this.check(8, event.placement === 'mmk', event, () => `storage account ${account.id} placed records of tables on the Auxiliary plan (composition ${part.composition}) as ${event.placement} at ${at(event.t)}: "Data in tables with the Auxiliary plan is encrypted with Microsoft-managed keys, even if you protect the data in the rest of your Log Analytics workspace using your own encryption key"`);
      }
      const sealed = event.placement === 'cmk' || event.placement === 'mmk' || event.placement === 'buffered';
      if (!this.check(1, (part.block !== null) === sealed, event, () => `storage account ${account.id} ${sealed ? 'placed a slice as ' + event.placement + ' without sealing a block' : 'sealed a block for a slice it ' + event.placement} at ${at(event.t)}`)) continue;
      if (part.block === null) continue;
      const block: BlockRecord = { id: part.block.id, createdMs: event.t, composition: part.composition, records: part.records, aek: part.block.aek, bytes: part.block.bytes };
      if (event.placement === 'buffered') {
        this.check(5, block.aek === account.mmkAek, event, () => `storage account ${account.id} buffered block ${block.id} at ${at(event.t)} sealed under AEK ${block.aek}, not its Microsoft-managed AEK ${account.mmkAek}: while unavailable nothing is sealed under the customer key`);
        this.pushBuffered(account, block);
      } else {
        const wanted = event.placement === 'cmk' ? account.cmkAek : account.mmkAek;
        this.check(event.placement === 'cmk' ? 1 : 8, block.aek === wanted, event, () => `storage account ${account.id} stored block ${block.id} as ${event.placement} at ${at(event.t)} sealed under AEK ${block.aek}, not ${wanted ?? '(no customer key configured)'}`);
        this.pushStored(account, block, composition.retentionDays);
      }
    }
  }

  private pushStored(account: AccountRecord, block: BlockRecord, retentionDays: number): void {
    let log = account.stored.get(retentionDays);
    if (log === undefined) account.stored.set(retentionDays, (log = new BlockRecords()));
    log.push(block);
    if (log.size === 1) this.retentionDeadline(account, retentionDays);
    if (block.aek === account.cmkAek) {
      const before = account.cmkBlocks.get(block.composition) ?? 0;
      account.cmkBlocks.set(block.composition, before + 1);
      if (before === 0) this.compositionChanged(block.composition);
    }
  }

  private pushBuffered(account: AccountRecord, block: BlockRecord): void {
    account.buffer.push(block);
    if (account.buffer.size === 1) this.bufferDeadline(account);
  }

  /** The oldest block of a retention group must be purged by its retention + one slice. */
  private retentionDeadline(account: AccountRecord, retentionDays: number): void {
    const p = this.params!;
    this.watchFront(account, retentionDays, () => account.stored.get(retentionDays), (front) => front.createdMs + retentionDays * MS_PER_DAY + p.blockSliceMs, (front, deadline) => {
      this.trigger(10);
      this.check(10, false, null, () => `storage account ${account.id} still holds block ${front.id} from ${at(front.createdMs)} at ${at(deadline)}, past its ${retentionDays}-day retention: "Inaccessible data is governed by the data-retention policy and will be purged when retention is reached"`, deadline, account.id);
    });
  }

  /** The oldest buffered block must leave the buffer (replayed or expired) by mmkBufferMaxAge + one slice. */
  private bufferDeadline(account: AccountRecord): void {
    const p = this.params!;
    this.watchFront(account, 'buffer', () => account.buffer, (front) => front.createdMs + p.mmkBufferMaxAgeMs + p.blockSliceMs, (front, deadline) => {
      this.trigger(6);
      this.check(6, false, null, () => `storage account ${account.id} still holds block ${front.id} from ${at(front.createdMs)} in its MMK buffer at ${at(deadline)}: "ingested data is cached for several hours" (mmkBufferMaxAge ${formatDuration(p.mmkBufferMaxAgeMs)}), then replayed or dropped`, deadline, account.id);
    });
  }

  /**
   * Keeps one deadline pending for the oldest block of a log: when it passes
   * with that block still there, `missed` reports it; if the block has left,
   * the deadline moves on to the new oldest. (One pending judgement per log,
   * due within a slice or so, rather than one per purge waiting out a whole
   * retention.)
   */
  private watchFront(account: AccountRecord, watched: number | 'buffer', blocks: () => BlockRecords | undefined, deadlineOf: (front: BlockRecord) => number, missed: (front: BlockRecord, deadlineMs: number) => void): void {
    if (account.watched.get(watched) === true) return;
    const log = blocks();
    const front = log?.front();
    if (log === undefined || front === undefined) return;
    account.watched.set(watched, true);
    const deadline = deadlineOf(front);
    this.at(deadline, () => {
      account.watched.set(watched, false);
      if (blocks() === log && log.front()?.seq === front.seq) missed(front, deadline);
      else this.watchFront(account, watched, blocks, deadlineOf, missed);
    });
  }

  private replayed(event: EventOf<'buffer.replayed'>): void {
    const account = this.account(event);
    this.storedBlocks.add(account.id);
    this.trigger(1);
    this.trigger(6);
    let records = 0;
    for (const item of event.blocks) {
      const front = account.buffer.front();
      records += item.records;
      if (!this.check(1, front !== undefined && front.id === item.id && front.composition === item.composition && front.records === item.records, event, () => `storage account ${account.id} replayed block ${item.id} at ${at(event.t)}, but the oldest block in its MMK buffer is ${front?.id ?? '(none: the buffer is empty)'}: the buffer gives back exactly what it holds, in order`)) continue;
      account.buffer.shift();
      this.check(6, item.aek === account.cmkAek, event, () => `storage account ${account.id} replayed block ${item.id} at ${at(event.t)} under AEK ${item.aek}, not its customer-key AEK ${account.cmkAek}: "the temporary cached data is ingested to the data-store and encrypted with Customer-Managed key"`);
      const composition = this.composition(event, item.composition);
      this.pushStored(account, { ...item, createdMs: event.t }, composition.retentionDays);
    }
    this.check(1, records === event.records, event, () => `storage account ${account.id} reports ${event.records} records replayed at ${at(event.t)}, its blocks hold ${records}`);
    this.bufferDeadline(account);
  }

  private expired(event: EventOf<'buffer.expired'>): void {
    const account = this.account(event);
    const p = this.params!;
    this.trigger(6);
    let records = 0;
    for (const item of event.blocks) {
      const front = account.buffer.front();
      records += item.records;
      if (!this.check(1, front !== undefined && front.id === item.id && front.composition === item.composition && front.records === item.records, event, () => `storage account ${account.id} dropped block ${item.id} from its MMK buffer at ${at(event.t)}, but the oldest block there is ${front?.id ?? '(none: the buffer is empty)'}`)) continue;
      account.buffer.shift();
      if (event.cause === 'age') {
        this.check(6, event.t - front!.createdMs > p.mmkBufferMaxAgeMs, event, () => `storage account ${account.id} dropped buffered block ${front!.id} at ${at(event.t)}, ${seconds(event.t - front!.createdMs)} after it was buffered; an outage shorter than mmkBufferMaxAge (${formatDuration(p.mmkBufferMaxAgeMs)}) must lose nothing`);
      }
    }
    this.check(1, records === event.records, event, () => `storage account ${account.id} reports ${event.records} buffered records dropped at ${at(event.t)}, its blocks hold ${records}`);
    if (event.cause === 'clusterDeleted') {
      // Legitimate only as part of the account's deletion, in this same instant.
      this.at(event.t, () => this.check(6, this.states.state(account.id) === 'deleted', event, () => `storage account ${account.id} dropped its MMK buffer at ${at(event.t)} for a cluster deletion, but it was not deleted`, event.t, account.id));
    }
    this.bufferDeadline(account);
  }

  private purged(event: EventOf<'storage.purged'>): void {
    const account = this.account(event);
    this.trigger(10);
    const log = account.stored.get(event.retentionDays);
    const cutoffMs = event.t - event.retentionDays * MS_PER_DAY;
    for (let n = 0; n < event.blocks; n++) {
      const front = log?.shift();
      if (!this.check(10, front !== undefined && front.createdMs < cutoffMs, event, () => `storage account ${account.id} purged ${front === undefined ? 'a block it does not hold' : `block ${front.id} from ${at(front.createdMs)}`} at ${at(event.t)}, before its ${event.retentionDays}-day retention ended`)) break;
      if (front!.aek === account.cmkAek) {
        const left = account.cmkBlocks.get(front!.composition)! - 1;
        account.cmkBlocks.set(front!.composition, left);
        if (left === 0) this.compositionChanged(front!.composition);
      }
    }
    this.retentionDeadline(account, event.retentionDays);
  }

  // ---- closed accounts, queries ------------------------------------------------------

  /**
   * "Data ingested to dedicated clusters is being encrypted twice" (13) and a
   * DEK per block (14): the evidence is the first stored block, opened without
   * the second layer, and opened with another block's DEK.
   */
  private blockProbed(event: EventOf<'storage.blockProbed'>): void {
    this.blocksProbed.add(event.entity);
    this.trigger(13);
    this.check(13, (event.serviceLayerAlone === 'failed') === event.doubleEncryption, event, () =>
      event.doubleEncryption
        ? `storage account ${event.entity}'s block ${event.block} opened with its own chain alone, though its cluster has double encryption: "Data ingested to dedicated clusters is being encrypted twice", once at the infrastructure level with a different algorithm and key`
        : `storage account ${event.entity}'s block ${event.block} did not open with its own chain alone, though its cluster has no double encryption: only the service-level chain should stand between its key and its data`,
    );
    const cluster = this.accounts.get(event.entity)?.cluster;
    if (cluster !== undefined && this.singleEncryption.has(cluster)) {
      this.check(13, !event.doubleEncryption && event.serviceLayerAlone === 'opened', event, () => `storage account ${event.entity}'s cluster was created with "isDoubleEncryptionEnabled": false, yet its block ${event.block} is encrypted twice: "you can still create the cluster without Double Encryption"`);
    }
    this.trigger(14);
    this.check(14, event.anotherBlocksDek === 'failed', event, () => `storage account ${event.entity}'s block ${event.block} opened with the DEK of another block: "The AEK is used to derive DEKs, which are the keys that are used to encrypt each block of data written to disk", one per block`);
  }

  /** The other direction: an account that stored a block has shown its layers and its DEK (a model that stops probing is caught here). */
  private everyStoreProbed(event: EventOf<'scenario.end'>): void {
    for (const account of this.storedBlocks) {
      for (const rule of [13, 14] as const) this.check(rule, this.blocksProbed.has(account), event, () => `storage account ${account} stored blocks but never showed ${rule === 13 ? 'whether they are encrypted twice' : 'that each has a DEK of its own'} (no storage.blockProbed)`, event.t, account);
    }
  }

  private openAttempt(event: EventOf<'storage.openAttempt'>): void {
    const account = this.account(event);
    const state = this.states.state(account.id);
    if (state === 'revoked') {
      this.check(3, event.withHeldAek !== 'opened', event, () => `storage account ${account.id} is revoked, yet at ${at(event.t)} block ${event.block} opened with the AEK it holds in memory: "the AEK is evicted and zeroed"`);
      this.check(3, event.hotCopy !== 'opened', event, () => `storage account ${account.id} is revoked, yet at ${at(event.t)} block ${event.block}'s SSD hot-cache copy could be read: the hot cache "gets deleted on key revocation operation"`);
    }
    if (state === 'unavailable') {
      this.check(5, event.withHeldAek !== 'opened', event, () => `storage account ${account.id} is unavailable, yet at ${at(event.t)} block ${event.block} opened with the AEK it holds in memory: no AEK stays in memory past outageToUnavailable`);
    }
  }

  /** A purge leaves no hot copy: each copy there was before it was tried again after it, and none may open. */
  private hotCachePurged(event: EventOf<'hotCache.purged'>): void {
    const account = this.account(event);
    account.hotPurgedAtMs = event.t;
    const p = this.params!;
    if (p.hotCacheLastDaysOnly && event.oldestHotMs !== null) {
      // Hot copies age out slice by slice: one blockSlice of lag.
      const fromMs = event.t - p.hotCacheDays * MS_PER_DAY - p.blockSliceMs;
      this.check(3, event.oldestHotMs >= fromMs, event, () => `storage account ${account.id}'s SSD hot cache held a block from ${at(event.oldestHotMs!)} when it was deleted at ${at(event.t)}, older than its ${p.hotCacheDays} days: "Data ingested in the last 14 days is also kept in hot-cache"`);
    }
    this.check(3, event.stillReadable === 0, event, () => `storage account ${account.id} deleted its SSD hot cache at ${at(event.t)}, yet ${event.stillReadable} of the hot copies it held before could still be read: the hot cache "gets deleted on key revocation operation"`);
  }

  /** The hot cache comes back only once ingestion and queries have resumed: never while revoked. */
  private hotCacheReloaded(event: EventOf<'hotCache.reloaded'>): void {
    const account = this.account(event);
    const state = this.states.state(account.id);
    const revoked = state === 'revoked' || this.states.recoveringFrom(account.id) === 'revoked';
    this.check(3, !revoked, event, () => `storage account ${account.id} reloaded ${event.blocks} blocks into its SSD hot cache at ${at(event.t)} while revoked: the hot cache "gets deleted on key revocation operation" and is "reloaded from storage" only once access is back`);
  }

  private sampled(event: EventOf<'query.sampled'>): void {
    const account = this.account(event);
    const closed = this.closedAs(account.id);
    if (closed === null || closed === 'provisioning') return;
    const cmk = this.holdsCmk(account, event.workspace);
    if (cmk) this.check(closed === 'revoked' ? 3 : 5, !event.ok, event, () => `a query of ${event.workspace} succeeded on storage account ${account.id} at ${at(event.t)} while it is ${closed} and the workspace has data there under the customer key`);
    else {
      this.trigger(8);
      this.check(8, event.ok, event, () => `a query of ${event.workspace}, whose data on ${account.id} is all under Microsoft keys, failed at ${at(event.t)} because the account is ${closed}${closed === 'revoked' ? ' (the customer key is revoked)' : ' (Key Vault is out of reach)'}`);
    }
  }

  /** Whether the account is closed to queries of data under the customer key now, and why: null while it serves them. */
  private closedAs(id: string): 'unavailable' | 'revoked' | 'provisioning' | null {
    const state = this.states.state(id);
    const from = this.states.recoveringFrom(id);
    if (state === 'provisioning') return 'provisioning';
    if (state === 'unavailable' || from === 'unavailable') return 'unavailable';
    if (state === 'revoked' || from === 'revoked') return 'revoked';
    return null;
  }

  private holdsCmk(account: AccountRecord, workspace: string): boolean {
    for (const id of this.workspace(workspace).compositions) if ((account.cmkBlocks.get(id) ?? 0) > 0) return true;
    return false;
  }

  private compositionChanged(id: number): void {
    const composition = this.compositions.get(id);
    if (composition === undefined) return;
    for (const ws of composition.workspaces) this.dirtyWorkspaces.add(ws);
    this.endOfInstant();
  }

  /** Workspaces whose queries read the account now (it is their storage, or was within their lookback). */
  private workspacesReading(account: string): string[] {
    const found: string[] = [];
    for (const [name, ws] of this.workspaces) if (ws.storage === account || ws.previous.some((p) => p.account === account)) found.push(name);
    return found;
  }

  /** Judges each changed workspace once every event of this instant is in: its queries fail exactly while an account it reads is closed to them. */
  private endOfInstant(): void {
    if (this.dirtyWorkspaces.size === 0) return;
    const t = this.lastMs;
    if (this.pendingInstantMs === t) return;
    this.pendingInstantMs = t;
    this.at(t, () => {
      this.pendingInstantMs = null;
      for (const name of [...this.dirtyWorkspaces]) this.judgeQueries(name, t);
      this.dirtyWorkspaces.clear();
    });
  }
  private judgeWorkspaceAt(name: string, t: number): void {
    this.at(t, () => this.judgeQueries(name, t));
  }

  private judgeQueries(name: string, t: number): void {
    const ws = this.workspaces.get(name)!;
    ws.previous = ws.previous.filter((p) => p.untilMs > t - ws.lookbackMs);
    const reads = [ws.storage, ...ws.previous.map((p) => p.account)];
    let closedBy: { account: string; why: 'unavailable' | 'revoked' | 'provisioning' } | null = null;
    let closedMmkOnly: { account: string; why: 'unavailable' | 'revoked' } | null = null;
    for (const id of reads) {
      const account = this.accounts.get(id);
      const why = account === undefined ? null : this.closedAs(id);
      if (account === undefined || why === null) continue;
      if (why === 'provisioning' || this.holdsCmk(account, name)) closedBy ??= { account: id, why };
      else closedMmkOnly ??= { account: id, why };
    }
    if (closedBy !== null) {
      const rule: RuleNumber = closedBy.why === 'revoked' ? 3 : 5;
      this.check(rule, ws.failing, null, () => `queries of workspace ${name} succeed at ${at(t)} although storage account ${closedBy.account}, which holds its data, is ${closedBy.why}${closedBy.why === 'provisioning' ? '' : ' and the data is under the customer key'}: "A query fails when the storage account it needs is unavailable or revoked"`, t, name);
    } else {
      const rule: RuleNumber = closedMmkOnly !== null ? 8 : 5;
      if (closedMmkOnly !== null) this.trigger(8);
      this.check(rule, !ws.failing, null, () => `queries of workspace ${name} fail at ${at(t)} although no storage account it reads is provisioning, or unavailable or revoked with its data under the customer key${closedMmkOnly !== null ? ` (${closedMmkOnly.account} is ${closedMmkOnly.why}, but its data there is all under Microsoft keys)` : ''}`, t, name);
    }
  }

  // ---- workspaces and links (rule 9) ---------------------------------------------

  private routed(event: EventOf<'workspace.routed'>): void {
    const ws = this.workspace(event.entity);
    if (ws.storage !== event.storage && ws.storage !== 'shared/0') ws.previous.push({ account: ws.storage, untilMs: event.t });
    ws.storage = event.storage;
    this.dirtyWorkspaces.add(event.entity);
    this.endOfInstant();
    // Reading the old account ends one lookback later: judge the workspace then too.
    this.judgeWorkspaceAt(event.entity, event.t + ws.lookbackMs);
    const cluster = event.storage.slice(0, event.storage.lastIndexOf('/'));
    const before = this.linkedTo.get(event.entity);
    if (before !== undefined) this.linkedCounts.set(before, this.linkedCounts.get(before)! - 1);
    if (cluster === 'shared') this.linkedTo.delete(event.entity);
    else this.linkedTo.set(event.entity, cluster);
    if (cluster === 'shared') return;
    const linked = (this.linkedCounts.get(cluster) ?? 0) + 1;
    this.linkedCounts.set(cluster, linked);
    this.trigger(9);
    this.check(9, linked <= this.params!.maxWorkspacesPerCluster, event, () => `cluster ${cluster} has ${linked} linked workspaces at ${at(event.t)}; the limit is ${this.params!.maxWorkspacesPerCluster}`);
  }

  private linkOperation(event: EventOf<'operation.accepted'>): void {
    if (event.action !== 'workspace.link' && event.action !== 'workspace.unlink') return;
    // Setup (`setup: ready`) links before t=0 are not the scenario's own operations.
    if (!this.setupOver) return;
    const p = this.params!;
    const recent = [...this.recentLinkOps(event), event.t];
    this.linkOpsMs.set(event.entity, recent);
    if (event.action !== 'workspace.link') return;
    this.trigger(9);
    this.check(9, recent.length <= p.linkOpsPer30Days, event, () => `workspace ${event.entity} had ${recent.length} link operations accepted in 30 days by ${at(event.t)}; the limit is ${p.linkOpsPer30Days}`);
  }

  /** The workspace's link and unlink operations accepted in the 30 days before this event. */
  private recentLinkOps(event: SimEvent): number[] {
    return (this.linkOpsMs.get(event.entity) ?? []).filter((t) => event.t - t < LINK_WINDOW_MS);
  }

  /** The other direction of the limit: refused for it only at the limit, and never an unlink. */
  /**
   * The owner's key and policy requests reach the vault unless it is down: a
   * request is refused as unreachable (503) exactly while an outage is open.
   * A network rule that denies the cluster does not stop its owner, so the
   * kill switch can be pulled while only the cluster is cut off.
   */
  private ownerRequest(event: EventOf<'operation.refused'> | EventOf<'operation.succeeded'>): void {
    if (!OWNER_REQUESTS.has(event.action)) return;
    const down = this.vault(event.entity).open.has('keyVault.outage');
    const unreached = event.type === 'operation.refused' && event.httpStatus === 503;
    this.trigger(2);
    this.check(2, unreached === down, event, () =>
      down
        ? `${event.action} on Key Vault ${event.entity} ${event.type === 'operation.succeeded' ? 'succeeded' : `was refused (${event.httpStatus} ${event.code})`} at ${at(event.t)} during its outage, when no request reaches it`
        : `${event.action} on Key Vault ${event.entity} was refused as unreachable at ${at(event.t)} although no outage was open: a network rule denies the cluster, not the vault's owner, and revocation controls must stay in the owner's hands`,
    );
  }

  /** "A commitment tier can be increased any time, but has 31 days commitment period before it can be reduced": a tier set (created, raised or lowered) holds for capacityCommitment. */
  private capacitySet(event: EventOf<'cluster.capacitySet'>): void {
    const before = this.capacities.get(event.entity);
    this.capacities.set(event.entity, { gbPerDay: event.capacityGBPerDay, setMs: event.t });
    if (before === undefined || event.capacityGBPerDay >= before.gbPerDay) return;
    const p = this.params!;
    this.trigger(9);
    this.check(9, event.t >= before.setMs + p.capacityCommitmentMs, event, () => `cluster ${event.entity}'s capacity reservation was lowered from ${before.gbPerDay} to ${event.capacityGBPerDay} GB/day at ${at(event.t)}, ${formatDuration(event.t - before.setMs)} after it was set: "a commitment tier can be increased any time, but has 31 days commitment period before it can be reduced" (capacityCommitment ${formatDuration(p.capacityCommitmentMs)})`);
  }

  private capacityRefused(event: EventOf<'operation.refused'>): void {
    if (event.code !== 'CapacityCommitmentPeriod') return;
    const set = this.capacities.get(event.entity);
    const p = this.params!;
    this.trigger(9);
    this.check(9, set !== undefined && event.t < set.setMs + p.capacityCommitmentMs, event, () => `cluster ${event.entity} was refused a lower capacity reservation for its commitment period at ${at(event.t)}, ${set === undefined ? 'though no tier was ever set' : `${formatDuration(event.t - set.setMs)} after its tier was set`}: the commitment lasts ${formatDuration(p.capacityCommitmentMs)}`);
    // The request says which way the tier was to move: only down is held by the commitment.
    const asked = requestedCapacity(event.body);
    if (set !== undefined && asked !== null) this.check(9, asked < set.gbPerDay, event, () => `cluster ${event.entity} was refused ${asked} GB/day for its commitment period at ${at(event.t)}, though its tier is ${set.gbPerDay}: "A commitment tier can be increased any time, but has 31 days commitment period before it can be reduced"`);
  }

  /** A Lockbox request is taken only for a workspace linked to a dedicated cluster, and refused as not applicable only for one that is not. */
  private lockboxRequested(event: EventOf<'lockbox.requested'>): void {
    this.trigger(9);
    this.check(9, this.linkedTo.has(event.entity), event, () => `a Lockbox request for workspace ${event.entity} was taken at ${at(event.t)}, though it is not linked to a dedicated cluster: "In Azure Monitor, you have this control on data in workspaces linked to your Log Analytics dedicated cluster"`);
  }

  private lockboxRefused(event: EventOf<'operation.refused'>): void {
    if (event.code !== 'LockboxNotApplicable') return;
    this.check(9, !this.linkedTo.has(event.entity), event, () => `a Lockbox request for workspace ${event.entity} was refused as not applicable at ${at(event.t)}, though it is linked to cluster ${this.linkedTo.get(event.entity)}`);
  }

  /** A cluster follows the newest key version only where its page has auto-rotation: 2020-11 "requires an explicit update to the cluster with the new key version". */
  private followsNewest(event: EventOf<'cluster.keySet'> | EventOf<'key.rotationFollowed'>): void {
    const p = this.params!;
    if (p.autoRotation === null) return;
    this.trigger(7);
    this.check(7, p.autoRotation, event, () => `${event.type === 'cluster.keySet' ? `cluster ${event.entity} was keyed with an empty key version` : `${event.entity} followed a new key version on its own`} at ${at(event.t)}, where its page has no auto-rotation: "Customer-Managed key rotation requires an explicit update to the cluster with the new key version"`);
  }

  /** A vault with purge protection (keyVault.created says so, or a cluster was keyed to it, which needs it), which stays on: none of its keys is purged on request. */
  private purgeProtected(event: EventOf<'key.purged'>): void {
    const vault = event.entity.slice(0, event.entity.indexOf('/'));
    const settings = this.vault(vault).settings;
    const keyed = this.keyedVaults.has(vault);
    if (!keyed && settings?.purgeProtection !== true) return;
    this.trigger(2);
    const why = settings?.purgeProtection === true ? `vault ${vault} has purge protection` : `vault ${vault} had to have purge protection for a cluster to be keyed to it`;
    this.check(2, event.cause !== 'purgeRequest', event, () => `key ${event.entity} was purged on request at ${at(event.t)}, though ${why}: purge protection "guards against force deletion of the secret / vault even after soft delete"`);
  }

  /**
   * "The Azure Key Vault must be configured as recoverable", and "Your Azure
   * Key Vault, cluster and linked workspaces must be in the same region and
   * in the same Azure Active Directory (Azure AD) tenant": a cluster is keyed
   * only to a vault with soft delete and purge protection on, in its region
   * and tenant.
   */
  private keyedWhereAllowed(event: EventOf<'cluster.keySet'>): void {
    const settings = this.vault(event.vault).settings;
    if (settings === null) return;
    this.trigger(9);
    this.check(9, settings.softDelete && settings.purgeProtection, event, () => `cluster ${event.entity} was keyed to ${event.vault}/${event.key} at ${at(event.t)}, though vault ${event.vault} has ${notRecoverableBy(settings)}: "The Azure Key Vault must be configured as recoverable", and a key update fails with "key is not recoverable"`);
    const place = this.clusterPlaces.get(event.entity);
    if (place === undefined) return;
    this.check(9, place.region === settings.region && place.tenant === settings.tenant, event, () => `cluster ${event.entity} (${place.region}, tenant ${place.tenant}) was keyed to ${event.vault}/${event.key} at ${at(event.t)}, though vault ${event.vault} is in ${settings.region}, tenant ${settings.tenant}: "Your Azure Key Vault, cluster and linked workspaces must be in the same region and in the same Azure Active Directory (Azure AD) tenant"`);
  }

  /**
   * A key update refused for its vault names one that is so: not recoverable
   * (KeyVaultNotRecoverable), in another region (RegionMismatch) or another
   * tenant (TenantMismatch) than the cluster.
   */
  private keyRefusedForVault(event: EventOf<'operation.refused'>): void {
    if (event.code !== 'KeyVaultNotRecoverable' && event.code !== 'RegionMismatch' && event.code !== 'TenantMismatch') return;
    if (event.action !== 'cluster.update' && event.action !== 'cluster.create') return;
    const vault = vaultNamed(event.body, this.vaults.keys());
    const settings = vault === null ? null : this.vault(vault).settings;
    if (settings === null) return;
    if (event.code === 'KeyVaultNotRecoverable') {
      this.trigger(9);
      this.check(9, !(settings.softDelete && settings.purgeProtection), event, () => `cluster ${event.entity}'s key update was refused as not recoverable at ${at(event.t)}, though vault ${vault} has soft delete and purge protection on`);
      return;
    }
    const place = this.clusterPlaces.get(event.entity);
    if (place === undefined) return;
    this.trigger(9);
    const [what, theirs, ours] = event.code === 'RegionMismatch' ? ['region', settings.region, place.region] : ['tenant', settings.tenant, place.tenant];
    this.check(9, theirs !== ours, event, () => `cluster ${event.entity}'s key update was refused as ${event.code} at ${at(event.t)}, though vault ${vault} is in its ${what} (${ours})`);
  }

  /** A create request that turns double encryption off: the cluster's blocks are then encrypted once (rule 13). */
  private doubleEncryptionAsked(event: EventOf<'operation.accepted'>): void {
    if (event.action !== 'cluster.create') return;
    const properties = (event.body as { properties?: { isDoubleEncryptionEnabled?: unknown } } | null)?.properties;
    if (properties?.isDoubleEncryptionEnabled === false) this.singleEncryption.add(event.entity);
    else this.singleEncryption.delete(event.entity);
  }

  /**
   * "It may be that you have deleted your cluster in the last 14 days and
   * it's in a soft-delete period. The cluster name remains reserved during the
   * soft-delete period": a create is refused for its name (409 Conflict)
   * exactly while a cluster of that name exists or was deleted less than
   * clusterNameReservation ago, and accepted only when neither holds.
   */
  private clusterNamed(event: EventOf<'operation.accepted'> | EventOf<'operation.refused'>): void {
    if (event.action !== 'cluster.create') return;
    const accepted = event.type === 'operation.accepted';
    if (!accepted && event.code !== 'Conflict') return;
    const name = this.clusterNames.get(event.entity) ?? { exists: false, deletedMs: null };
    const p = this.params!;
    if (p.clusterNameReservationMs === null) return;
    const reservationMs = p.clusterNameReservationMs;
    const reserved = name.deletedMs !== null && event.t - name.deletedMs < reservationMs;
    const why = name.exists ? 'a cluster of that name exists' : reserved ? `the name was released by a delete ${formatDuration(event.t - name.deletedMs!)} before, within its reservation of ${formatDuration(reservationMs)}` : name.deletedMs === null ? 'no cluster of that name was ever made' : `its cluster was deleted ${formatDuration(event.t - name.deletedMs)} before, past its reservation of ${formatDuration(reservationMs)}`;
    this.trigger(9);
    this.check(9, accepted === !(name.exists || reserved), event, () => `a create of cluster ${event.entity} was ${accepted ? 'accepted' : 'refused as a name conflict'} at ${at(event.t)}, when ${why}: "the cluster name remains reserved during the soft-delete period" ("deleted your cluster in the last 14 days")`);
    if (accepted) this.clusterNames.set(event.entity, { exists: true, deletedMs: name.deletedMs });
  }

  /** Saved searches come back from the Query storage account only where the page says an unlink brings them (2026-04): earlier pages say only that linking removes them. */
  private savedSearchesRestored(event: EventOf<'savedSearches.restored'>): void {
    const restores = this.params!.unlinkRestoresSavedSearches;
    if (restores === null) return;
    this.trigger(9);
    this.check(9, restores, event, () => `${event.count} saved searches of workspace ${event.entity} came back from ${event.storageAccount} at ${at(event.t)}, though this run's page does not restore them on unlink (unlinkRestoresSavedSearches false): "Existing saves searches are removed from your workspace"`);
  }

  private clusterDeleted(event: EventOf<'operation.succeeded'>): void {
    if (event.action !== 'cluster.delete') return;
    this.clusterNames.set(event.entity, { exists: false, deletedMs: event.t });
  }

  private linkRefused(event: EventOf<'operation.refused'>): void {
    if (event.code === 'WorkspaceLinkedToAnotherCluster') {
      // "Workspace link to cluster will fail if it is linked to another cluster": only while it is; a deleted cluster's workspaces are unlinked.
      this.trigger(9);
      this.check(9, this.linkedTo.has(event.entity), event, () => `workspace ${event.entity} was refused a link at ${at(event.t)} as linked to another cluster, though its records go to shared storage: it is linked to none (an unlink, or its cluster's deletion, ended the link)`);
      return;
    }
    if (event.code !== 'LinkOperationsLimitReached' || !this.setupOver) return;
    const p = this.params!;
    const recent = this.recentLinkOps(event).length;
    this.trigger(9);
    if (event.action !== 'workspace.link') {
      this.check(9, false, event, () => `workspace ${event.entity} was refused an unlink at ${at(event.t)} for the limit of link operations: "you can unlink workspaces from the cluster at any time"`);
      return;
    }
    this.check(9, recent >= p.linkOpsPer30Days, event, () => `workspace ${event.entity} was refused a link at ${at(event.t)} for the limit of link operations after only ${recent} in 30 days; the limit is ${p.linkOpsPer30Days}`);
  }

  /** A link done routes the workspace to its cluster; an unlink done, to shared storage ("New data then gets ingested to Log Analytics storage and encrypted with Microsoft key"). */
  private linkDone(event: EventOf<'operation.succeeded'>): void {
    if (event.action !== 'workspace.link' && event.action !== 'workspace.unlink') return;
    const storage = this.workspace(event.entity).storage;
    const linked = event.action === 'workspace.link';
    this.trigger(9);
    this.check(9, (storage === 'shared/0') !== linked, event, () => `workspace ${event.entity}'s ${linked ? 'link' : 'unlink'} succeeded at ${at(event.t)}, but its records go to ${storage}: ${linked ? 'a linked workspace ingests to its cluster' : '"new data then gets ingested to Log Analytics storage and encrypted with Microsoft key"'}`);
  }

  // ---- bookkeeping ----------------------------------------------------------------------

  /** Judges a moment once every event up to it has been folded. */
  private at(t: number, judge: () => void): void {
    this.deadlines.push(new Deadline(t, this.deadlineSeq++, judge));
  }

  private judgeDeadlinesBefore(t: number): void {
    for (let front = this.deadlines.peek(); front !== undefined && front.timeMs < t; front = this.deadlines.peek()) {
      this.deadlines.pop();
      front.judge();
    }
  }

  /** Each figure a rule judges with that the scenario left to its profile is the one its page states. */
  private pageFigures(event: EventOf<'scenario.start'>): void {
    const params = event.params as Record<string, unknown>;
    for (const figure of PAGE_FIGURES) {
      if (event.overridden.includes(figure.param) || !Object.hasOwn(figure.byProfile, event.profile)) continue;
      const stated = figure.byProfile[event.profile];
      const found = params[figure.param];
      // Absent: a history recorded before the parameter existed, read as readParams reads it.
      this.check(figure.rule, found === undefined || JSON.stringify(found) === JSON.stringify(stated), event, () => `profile ${event.profile} runs with ${figure.param} ${JSON.stringify(found)}, which the scenario did not set, where its page states ${JSON.stringify(stated)}: ${figure.quote}`);
    }
  }

  private check(rule: RuleNumber, holds: boolean, event: SimEvent | null, message: () => string, atMs = event?.t ?? 0, entity = event?.entity ?? ''): boolean {
    this.checks.set(rule, this.checks.get(rule)! + 1);
    if (holds) return true;
    if (this.violations.filter((v) => v.rule === rule).length >= VIOLATIONS_PER_RULE_MAX) return false;
    const { name } = RULES.find((r) => r.rule === rule)!;
    this.violations.push({ rule, name, atMs, entity, message: message(), events: event === null ? [] : [canonical(event)] });
    return false;
  }

  private trigger(rule: RuleNumber): void {
    this.triggered.set(rule, this.triggered.get(rule)! + 1);
  }

  private account(event: SimEvent): AccountRecord {
    const account = this.accounts.get(event.entity);
    if (account === undefined) throw new HistoryError(`${event.type} at ${event.t} ms names storage account ${event.entity}, which was never created (storage.created)`);
    return account;
  }

  private workspace(name: string): WorkspaceRecord {
    let ws = this.workspaces.get(name);
    if (ws === undefined) this.workspaces.set(name, (ws = { storage: 'shared/0', previous: [], lookbackMs: 0, failing: false, compositions: new Set() }));
    return ws;
  }

  private vault(name: string): VaultRecord {
    let vault = this.vaults.get(name);
    if (vault === undefined) this.vaults.set(name, (vault = { settings: null, open: new Set(), quietSinceMs: 0, lastOpenedMs: -1 }));
    return vault;
  }

  private keyState(name: string): KeyRecord {
    let key = this.keys.get(name);
    if (key === undefined) this.keys.set(name, (key = { deletedMs: null, purgedMs: null, versions: [], changedMs: -1, disabledMs: new Map() }));
    return key;
  }

  /**
   * A versionless cluster follows a new version: "Azure Storage checks the
   * key vault for a new key version only once daily", so each of its
   * accounts is keyed to it (storage.keyConfigured) within
   * keyVersionCheckInterval, unless something a check cannot get past (the
   * vault out of reach, a denial, a key changed, the account not serving,
   * the cluster's identity changed) came in the way, and then within one
   * interval more of the last such trouble.
   */
  private newVersion(event: EventOf<'key.created'>): void {
    const p = this.params!;
    for (const [cluster, clusterKey] of this.clusterKeys) {
      if (!clusterKey.follows || clusterKey.key !== event.entity) continue;
      this.trigger(7);
      for (const account of this.accounts.values()) {
        if (account.cluster !== cluster || this.states.state(account.id) === 'deleted') continue;
        const follow = (sinceMs: number) =>
          this.at(sinceMs + p.keyVersionCheckIntervalMs, () => {
            if (this.followed(account, event.entity, event.version) || this.clusterKeys.get(cluster) !== clusterKey || this.states.state(account.id) === 'deleted') return;
            const troubleMs = this.followTroubleSince(account, event.entity, sinceMs);
            if (troubleMs !== null) return follow(troubleMs);
            this.check(7, false, event, () => `cluster ${cluster} follows the newest version of ${event.entity}, yet storage account ${account.id} was still not keyed to ${event.version}, created at ${at(event.t)}, ${formatDuration(p.keyVersionCheckIntervalMs)} after nothing stood in the way: "Azure Storage checks the key vault for a new key version only once daily"`, sinceMs + p.keyVersionCheckIntervalMs, account.id);
          });
        follow(event.t);
      }
    }
  }

  /** Whether the account is keyed to this version of the key, or one created after it. */
  private followed(account: AccountRecord, key: string, version: string): boolean {
    if (account.key === null || keyName(account) !== key) return false;
    const versions = this.keyState(key).versions;
    return versions.indexOf(account.key.version) >= versions.indexOf(version);
  }

  /** The latest moment since sinceMs at which a key-version check could not have followed (the end of the last trouble, or now while one lasts), or null if none could fail. */
  private followTroubleSince(account: AccountRecord, key: string, sinceMs: number): number | null {
    const now = this.lastMs;
    const vault = this.vault(key.slice(0, key.indexOf('/')));
    const keyRecord = this.keyState(key);
    const troubles = [
      vault.open.size > 0 ? now : vault.quietSinceMs,
      account.denial !== null || account.answer.kind !== 'success' ? now : account.answer.sinceMs,
      keyRecord.disabledMs.size > 0 || keyRecord.deletedMs !== null ? now : keyRecord.changedMs,
      this.states.state(account.id) !== 'healthy' ? now : (account.restoredAtMs ?? -1),
      this.principalOf(account.cluster).sinceMs,
    ];
    const latest = Math.max(...troubles);
    return latest > sinceMs ? latest : null;
  }

  private versionChanged(event: EventOf<'key.disabled'> | EventOf<'key.enabled'>): void {
    const key = this.keyState(event.entity);
    key.changedMs = event.t;
    if (event.type === 'key.disabled') key.disabledMs.set(event.version, event.t);
    else key.disabledMs.delete(event.version);
  }

  private principalOf(cluster: string): { principal: string; sinceMs: number } {
    return this.principals.get(cluster) ?? { principal: cluster, sinceMs: 0 };
  }

  private policiesOf(vault: string): Map<string, { unwrap: boolean; lostMs: number }> {
    let policies = this.policies.get(vault);
    if (policies === undefined) this.policies.set(vault, (policies = new Map()));
    return policies;
  }
}

/** Where a slice goes in each state: the data placement table of DOMAIN.md. */
function placementFor(state: ObservedState, recoveringFrom: 'unavailable' | 'revoked' | null): string {
  switch (state) {
    case 'provisioning':
      return 'notProvisioned';
    case 'noKey':
      return 'mmk';
    case 'healthy':
      return 'cmk';
    case 'unavailable':
      return 'buffered';
    case 'revoked':
      return 'revoked';
    case 'recovering':
      return recoveringFrom === 'unavailable' ? 'buffered' : 'revoked';
    case 'deleted':
      return '(nowhere: a deleted account takes no records)';
  }
}

function placementText(placement: string): string {
  const texts: Record<string, string> = {
    notProvisioned: 'nowhere (dropped as notProvisioned)',
    mmk: 'to storage under Microsoft keys',
    cmk: 'to storage under the customer key',
    buffered: 'to the MMK buffer',
    revoked: 'nowhere (dropped as revoked)',
  };
  return texts[placement] ?? placement;
}

function describeState(state: ObservedState, recoveringFrom: 'unavailable' | 'revoked' | null): string {
  return state === 'recovering' ? `waiting to resume (still ${recoveringFrom})` : state;
}

/** The vault owner's requests: key and policy changes, answered by Key Vault at once. */
const OWNER_REQUESTS: ReadonlySet<string> = new Set(['key.disable', 'key.enable', 'key.rotate', 'key.delete', 'key.recover', 'key.purge', 'key.setExpiry', 'accessPolicy.set', 'accessPolicy.remove', 'roleAssignment.create', 'roleAssignment.delete']);

/** The capacity a cluster request body asks for (sku.capacity), or null when it names none. */
/** What a vault that is not recoverable lacks. */
function notRecoverableBy(settings: { readonly softDelete: boolean; readonly purgeProtection: boolean }): string {
  return [settings.softDelete ? null : 'soft delete off', settings.purgeProtection ? null : 'purge protection off'].filter((x) => x !== null).join(' and ');
}

/** The vault a key update's body names by its URI (https://<vault>.vault.azure.net, names compared without case), among those the history introduced; null if none. */
function vaultNamed(body: unknown, vaults: Iterable<string>): string | null {
  const uri = (body as { properties?: { keyVaultProperties?: { keyVaultUri?: unknown } } } | null)?.properties?.keyVaultProperties?.keyVaultUri;
  const name = typeof uri === 'string' ? /^https:\/\/([^./]+)\.vault\.azure\.net\/?$/i.exec(uri)?.[1]?.toLowerCase() : undefined;
  if (name === undefined) return null;
  for (const vault of vaults) if (vault.toLowerCase() === name) return vault;
  return null;
}

function requestedCapacity(body: unknown): number | null {
  const capacity = (body as { sku?: { capacity?: unknown } } | null)?.sku?.capacity;
  return typeof capacity === 'number' ? capacity : null;
}

function readParams(params: unknown): RuleParams {
  const p = (typeof params === 'object' && params !== null ? params : {}) as Record<string, unknown>;
  const ms = (name: string): number => {
    const value = p[name];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw badStart(`params.${name}`, value, `milliseconds, a whole number >= 0`);
    return value;
  };
  const count = (name: string, min = 1): number => {
    const value = p[name];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) throw badStart(`params.${name}`, value, `a count, a whole number >= ${min}`);
    return value;
  };
  const poll = p.unwrapPollInterval;
  if (!Array.isArray(poll) || poll.length !== 2 || !poll.every((v) => typeof v === 'number' && Number.isSafeInteger(v) && v > 0)) {
    throw badStart(`params.unwrapPollInterval`, poll, `[min, max] in milliseconds`);
  }
  // A history recorded before the hot cache had a scope judges no age of it.
  const hotCacheScope = p.hotCacheScope ?? 'lastDaysOrRecentlyQueried';
  if (hotCacheScope !== 'lastDays' && hotCacheScope !== 'lastDaysOrRecentlyQueried') throw badStart(`params.hotCacheScope`, hotCacheScope, `lastDays or lastDaysOrRecentlyQueried`);
  const handling = p.outageHandling;
  if (handling !== 'unavailableAfterTimeout' && handling !== 'keepCachedKey') throw badStart(`params.outageHandling`, handling, `unavailableAfterTimeout or keepCachedKey`);
  // A history recorded before the parameter existed: every profile then learnt of a denial at the next answer.
  const whileUnreachable = p.revocationWhileUnreachable ?? 'atNextAnswer';
  if (whileUnreachable !== 'atNextAnswer' && whileUnreachable !== 'onTime') throw badStart(`params.revocationWhileUnreachable`, whileUnreachable, `atNextAnswer or onTime`);
  return {
    maxPollMs: poll[1] as number,
    outageToUnavailableMs: ms('outageToUnavailable'),
    mmkBufferMaxAgeMs: ms('mmkBufferMaxAge'),
    revocationWithinMs: ms('revocationWithin'),
    resumeWithinMs: ms('resumeWithin'),
    blockSliceMs: ms('blockSlice'),
    linkOpsPer30Days: count('linkOpsPer30Days'),
    maxWorkspacesPerCluster: count('maxWorkspacesPerCluster'),
    // A history recorded before the parameter existed has no versionless cluster (cluster.keySet) to judge with it.
    keyVersionCheckIntervalMs: p.keyVersionCheckInterval === undefined ? MS_PER_DAY : ms('keyVersionCheckInterval'),
    hotCacheDays: p.hotCacheDays === undefined ? 14 : count('hotCacheDays', 0),
    // A history recorded before commitments has no cluster.capacitySet to judge with it.
    capacityCommitmentMs: p.capacityCommitment === undefined ? 0 : ms('capacityCommitment'),
    // A history that does not state it judges no name reservation.
    clusterNameReservationMs: p.clusterNameReservation === undefined ? null : ms('clusterNameReservation'),
    hotCacheLastDaysOnly: hotCacheScope === 'lastDays',
    unavailableAfterOutage: handling === 'unavailableAfterTimeout',
    revocationOnTime: whileUnreachable === 'onTime',
    // A history that does not state it judges no restore.
    unlinkRestoresSavedSearches: typeof p.unlinkRestoresSavedSearches === 'boolean' ? p.unlinkRestoresSavedSearches : null,
    // A history that does not state it judges no versionless key.
    autoRotation: typeof p.autoRotation === 'boolean' ? p.autoRotation : null,
  };
}

function keyName(account: AccountRecord): string | null {
  return account.key === null ? null : `${account.key.vault}/${account.key.key}`;
}

function keyText(account: AccountRecord): string {
  return account.key === null ? '(none)' : `${account.key.vault}/${account.key.key}/${account.key.version}`;
}

function sameKey(a: AccountRecord['key'], b: AccountRecord['key']): boolean {
  return a !== null && b !== null && a.vault === b.vault && a.key === b.key && a.version === b.version;
}

function what(event: SimEvent): string {
  switch (event.type) {
    case 'key.disabled':
      return `disabling ${event.entity} version ${event.version}`;
    case 'key.deleted':
      return `deleting ${event.entity}`;
    case 'key.purged':
      return `purging ${event.entity}`;
    case 'accessPolicy.set':
      return `setting the access policy of ${event.principal} on ${event.entity} without unwrapKey`;
    case 'accessPolicy.removed':
      return `removing the access policy of ${event.principal} on ${event.entity}`;
    case 'roleAssignment.deleted':
      return `removing the role assignment ${event.role} of ${event.principal} on ${event.entity}`;
    case 'cluster.identitySet':
      return `setting cluster ${event.entity}'s identity to None`;
    case 'cluster.principalSet':
      return `changing cluster ${event.entity}'s identity to ${event.principal}, which Key Vault does not grant`;
    default:
      return event.type;
  }
}

/** A time from the start, to the second: "+1d1h7m51s". */
function at(ms: number): string {
  return `+${seconds(ms)}`;
}

function seconds(ms: number): string {
  return formatDuration(Math.floor(ms / 1000) * 1000);
}
