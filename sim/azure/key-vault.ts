// The Key Vault actor. It holds the customer's keys (the KEK material stays
// inside the Kek objects it owns: nothing here hands them out), the access
// policies and the vault's availability, and classifies every request as a
// success, a transient error or a denial.

import { Kek, type RsaKeyPair } from '../crypto/index.ts';
import type { Random } from '../engine/random.ts';
import { PERMISSIONS, type ActionName, type KeySpec, type KeyVaultRole, type KeyVaultSpec, type Permission } from '../scenario.ts';
import type { DenialReason, ErrorReason, EventBus } from '../observe/events.ts';
import { formatDuration, MS_PER_DAY } from '../engine/duration.ts';
import type { EventHandle, Scheduler } from '../engine/scheduler.ts';
import { refusal, type Refusal } from './operations.ts';

/** Why requests fail: one fault window or one access change. Incidents point at it. */
export interface Cause {
  readonly id: string;
  readonly kind: 'outage' | 'revocation';
  readonly action: ActionName;
  readonly startMs: number;
  /** When the condition cleared; null while it lasts. */
  endMs: number | null;
}

export type VaultAnswer =
  | { kind: 'success' }
  | { kind: 'error'; reason: ErrorReason; cause: Cause }
  | { kind: 'denial'; reason: DenialReason; cause: Cause };
export type Denial = Extract<VaultAnswer, { kind: 'denial' }>;

export interface KeyRef {
  vault: string;
  key: string;
  version: string;
}

export interface KeyVersionInfo {
  id: string;
  enabled: boolean;
  nbfMs: number | null;
  expMs: number | null;
}

interface KeyVersion extends KeyVersionInfo {
  /** Null once purged: the material is gone for good. */
  kek: Kek | null;
  disabledCause: Cause | null;
}

interface VaultKey {
  spec: KeySpec;
  versions: KeyVersion[];
  deletedCause: Cause | null;
  /** The purge due when the soft-delete retention of a deleted key ends. */
  purgeDue: EventHandle | null;
  purgedCause: Cause | null;
}

/** What a principal is granted: by its access policy, or by its role assignment in a vault that uses Azure RBAC. */
interface Policy {
  permissions: ReadonlySet<Permission>;
  /** Set when the grant was removed or lost a permission the cluster needs. */
  lostCause: Cause | null;
}

/** Key permissions each Azure RBAC role grants. */
const ROLE_PERMISSIONS: { readonly [R in KeyVaultRole]: readonly Permission[] } = {
  'Key Vault Crypto Service Encryption User': PERMISSIONS,
};

interface FaultWindow {
  cause: Cause;
  untilMs: number;
  failureRate: number;
  limitPer10s: number;
}

export interface VaultCounters {
  requests: number;
  unwrapCalls: number;
  unwrapFailures: number;
  throttled: number;
  denied: number;
}

export interface KeyVaultDeps {
  bus: EventBus;
  /** Purges a deleted key when its soft-delete retention ends. */
  scheduler: Scheduler;
  transientStream: Random;
  /** Octet material for oct-HSM keys comes from the seeded streams too. */
  octMaterial: (bytes: number) => Buffer;
  /** An RSA pair to use instead of a fresh one (a sweep reuses pairs across runs); undefined: generate. */
  rsaKeyPair?: (sizeBits: number) => RsaKeyPair | undefined;
  /** The vault's own throttling limit for a software RSA-2048 key (keyVaultThrottleLimitPer10s); other keys get their share of it. */
  rsa2048ThrottleLimitPer10s: number;
}

const THROTTLE_WINDOW_MS = 10_000;

export class KeyVault {
  readonly name: string;
  readonly spec: KeyVaultSpec;
  readonly counters: VaultCounters = { requests: 0, unwrapCalls: 0, unwrapFailures: 0, throttled: 0, denied: 0 };
  private readonly keys = new Map<string, VaultKey>();
  private readonly policies = new Map<string, Policy>();
  private readonly faults: { outage: FaultWindow[]; network: FaultWindow[]; transient: FaultWindow[]; throttle: FaultWindow[] } = {
    outage: [],
    network: [],
    transient: [],
    throttle: [],
  };
  /** Window 0 needs no reset: the count starts at 0. */
  private throttleWindowIndex = 0;
  private backgroundThrottle: { cause: Cause; lastWindowIndex: number } | null = null;
  private throttleWindowCount = 0;
  private causeCount = 0;
  /** Each listener once, however often it asks. */
  private readonly watchers = new Set<(nowMs: number, vault: string) => void>();

  constructor(spec: KeyVaultSpec, private readonly deps: KeyVaultDeps) {
    this.name = spec.name;
    this.spec = spec;
    // The vault as the scenario describes it, at t=0: its settings, its keys' versions and its access policies.
    deps.bus.emit({ t: 0, type: 'keyVault.created', entity: this.name, region: spec.region, tenant: spec.tenant, softDelete: spec.softDelete, purgeProtection: spec.purgeProtection, permissionModel: spec.permissionModel });
    for (const keySpec of spec.keys) {
      const key: VaultKey = { spec: keySpec, versions: [], deletedCause: null, purgeDue: null, purgedCause: null };
      this.keys.set(keySpec.name, key);
      for (const id of keySpec.versions) this.addVersion(0, key, id);
    }
    for (const policy of spec.accessPolicies) this.setPolicy(0, policy.principal, policy.permissions);
  }

  get recoverable(): boolean {
    return this.spec.softDelete && this.spec.purgeProtection;
  }

  // ---- data plane ------------------------------------------------------

  /** Decides a request's answer: reachability, throttling, permission, key state. */
  answer(nowMs: number, principal: string, permission: Permission, ref: Omit<KeyRef, 'vault'>): VaultAnswer {
    const access = this.access(nowMs, principal, permission, ref.key);
    if (access.kind !== 'success') return access;
    const denial = this.keyDenial(ref);
    if (denial === null) return { kind: 'success' };
    this.counters.denied++;
    return denial;
  }

  /**
   * The denial that holds now for the principal's unwrap of this key
   * version, whether or not the vault is reachable: what the vault tells the
   * storage accounts keyed to it at a change (revocationWhileUnreachable
   * onTime). Not a request: nothing is counted.
   */
  denialFor(nowMs: number, principal: string, ref: Omit<KeyRef, 'vault'>): Denial | null {
    return this.permissionDenial(nowMs, principal, 'unwrapKey') ?? this.keyDenial(ref);
  }

  /** Told of every change that may deny access (a version disabled, the key deleted or purged, a permission removed), at the change. */
  watch(listener: (nowMs: number, vault: string) => void): void {
    this.watchers.add(listener);
  }

  /** Whether the request reaches the vault and the principal holds the permission. */
  private access(nowMs: number, principal: string, permission: Permission, keyName: string): VaultAnswer {
    this.counters.requests++;
    const reachability = this.reachability(nowMs, keyName);
    if (reachability !== null) return reachability;
    const denial = this.permissionDenial(nowMs, principal, permission);
    if (denial === null) return { kind: 'success' };
    this.counters.denied++;
    return denial;
  }

  private permissionDenial(nowMs: number, principal: string, permission: Permission): Denial | null {
    const policy = this.policyOf(principal, nowMs);
    if (policy.permissions.has(permission)) return null;
    policy.lostCause ??= this.cause('revocation', 'accessPolicy.set', nowMs);
    return { kind: 'denial', reason: 'permissionMissing', cause: policy.lostCause };
  }

  private keyDenial(ref: Omit<KeyRef, 'vault'>): Denial | null {
    const key = this.requireKey(ref.key);
    if (key.purgedCause !== null) return { kind: 'denial', reason: 'keyPurged', cause: key.purgedCause };
    if (key.deletedCause !== null) return { kind: 'denial', reason: 'keyDeleted', cause: key.deletedCause };
    // Key Vault allows unwrap outside nbf/exp: only a disabled version is refused.
    const version = this.version(ref);
    if (version.disabledCause !== null) return { kind: 'denial', reason: 'keyDisabled', cause: version.disabledCause };
    return null;
  }

  /** A real RSA-OAEP / AES-KW unwrap, after the vault decided the request may go through. */
  unwrapKey(nowMs: number, principal: string, ref: KeyRef, wrapped: Buffer): { answer: VaultAnswer; aek: Buffer | null } {
    this.counters.unwrapCalls++;
    const answer = this.answer(nowMs, principal, 'unwrapKey', ref);
    if (answer.kind !== 'success') {
      this.counters.unwrapFailures++;
      return { answer, aek: null };
    }
    return { answer, aek: this.version(ref).kek!.unwrap(wrapped) };
  }

  /**
   * The answer a poll gets while its storage account still holds the AEK:
   * the vault decides it exactly as for a real unwrap, without spending
   * an RSA operation on a result that cannot differ.
   */
  pollUnwrap(nowMs: number, principal: string, ref: KeyRef): VaultAnswer {
    this.counters.unwrapCalls++;
    const answer = this.answer(nowMs, principal, 'unwrapKey', ref);
    if (answer.kind !== 'success') this.counters.unwrapFailures++;
    return answer;
  }

  wrapKey(nowMs: number, principal: string, ref: KeyRef, aek: Buffer): { answer: VaultAnswer; wrapped: Buffer | null } {
    const answer = this.answer(nowMs, principal, 'wrapKey', ref);
    if (answer.kind !== 'success') return { answer, wrapped: null };
    return { answer, wrapped: this.version(ref).kek!.wrap(aek) };
  }

  /** `get` on a key: its versions' attributes, for the control plane's checks. */
  getKey(nowMs: number, principal: string, keyName: string): { answer: VaultAnswer; versions: KeyVersionInfo[] } {
    const answer = this.access(nowMs, principal, 'get', keyName);
    const key = this.keys.get(keyName);
    // A purged key was deleted first: deletedCause covers both.
    if (answer.kind !== 'success' || key === undefined || key.deletedCause !== null) return { answer, versions: [] };
    const versions = key.versions.map(({ id, enabled, nbfMs, expMs }) => ({ id, enabled, nbfMs, expMs }));
    return { answer, versions };
  }

  /** When a key version expires (its exp attribute), or null: read by the control plane, not a data-plane request. */
  expiryOf(ref: Omit<KeyRef, 'vault'>): number | null {
    return this.version(ref).expMs;
  }

  /** A cluster presents this principal from now on (an identity change): one never granted is denied from this change on, not from its first request. */
  principalInUse(nowMs: number, principal: string): void {
    this.policyOf(principal, nowMs, 'cluster.update');
  }

  /** The newest version id of a key, or undefined. */
  newestVersion(keyName: string): string | undefined {
    return this.keys.get(keyName)?.versions.at(-1)?.id;
  }

  hasPermissions(principal: string, needed: readonly Permission[]): Permission[] {
    const granted = this.policies.get(principal)?.permissions ?? new Set<Permission>();
    return needed.filter((p) => !granted.has(p));
  }

  // ---- key management (the scenario's key.* and accessPolicy.* actions) --

  /**
   * An outage makes the vault unreachable for everyone, its owner too: a key
   * or policy request is refused and nothing changes. A network rule
   * (keyVault.denyNetwork) blocks only the cluster, so the owner's requests
   * go through.
   */
  ownerRequestRefusal(): Refusal | null {
    const outage = this.faults.outage[0];
    if (outage === undefined) return null;
    return refusal(503, 'ServiceUnavailable', `Key Vault ${this.name} is unreachable (an outage since +${formatDuration(outage.cause.startMs)}): the request did not reach it and nothing changed`);
  }

  createVersion(nowMs: number, keyName: string, versionId?: string): string {
    const key = this.requireKey(keyName);
    const id = versionId ?? `v${key.versions.length + 1}`;
    this.addVersion(nowMs, key, id);
    return id;
  }

  setEnabled(nowMs: number, keyName: string, versionId: string | undefined, enabled: boolean): void {
    const key = this.requireKey(keyName);
    const version = versionId === undefined ? key.versions.at(-1)! : key.versions.find((v) => v.id === versionId)!;
    if (version.enabled === enabled) return;
    version.enabled = enabled;
    if (enabled) {
      this.clear(version.disabledCause, nowMs);
      version.disabledCause = null;
    } else {
      version.disabledCause = this.cause('revocation', 'key.disable', nowMs);
    }
    const type = enabled ? 'key.enabled' : 'key.disabled';
    this.deps.bus.emit({ t: nowMs, type, entity: this.keyEntity(keyName), version: version.id });
    if (!enabled) this.denialMayBegin(nowMs);
  }

  /**
   * Soft delete when the vault has it: the key is purged, gone for good, when
   * its retention (softDeleteRetentionDays) ends unless it is recovered first.
   * Without soft delete the key is gone at once.
   */
  deleteKey(nowMs: number, keyName: string): void {
    const key = this.requireKey(keyName);
    // Purging needs a deleted key, so a purged key is deleted too.
    if (key.deletedCause !== null) return;
    key.deletedCause = this.cause('revocation', 'key.delete', nowMs);
    this.deps.bus.emit({ t: nowMs, type: 'key.deleted', entity: this.keyEntity(keyName) });
    this.denialMayBegin(nowMs);
    if (!this.spec.softDelete) return this.purge(nowMs, key, 'softDeleteOff');
    const purgeAtMs = nowMs + this.spec.softDeleteRetentionDays * MS_PER_DAY;
    key.purgeDue = this.deps.scheduler.at(purgeAtMs, () => this.purge(purgeAtMs, key, 'retentionEnded'));
  }

  /** Refused (with the reason) when there is nothing soft-deleted to recover. */
  recoverKey(nowMs: number, keyName: string): string | null {
    const key = this.requireKey(keyName);
    if (key.purgedCause !== null) return 'the key was purged: its material no longer exists';
    if (key.deletedCause === null) return 'the key is not deleted';
    this.cancelPurge(key);
    this.clear(key.deletedCause, nowMs);
    key.deletedCause = null;
    this.deps.bus.emit({ t: nowMs, type: 'key.recovered', entity: this.keyEntity(keyName) });
    return null;
  }

  /** Refused (with the reason) under purge protection or when the key is not deleted. */
  purgeKey(nowMs: number, keyName: string): string | null {
    const key = this.requireKey(keyName);
    if (key.purgedCause !== null) return 'the key is already purged';
    if (key.deletedCause === null) return 'only a deleted key can be purged';
    if (this.spec.purgeProtection) return 'purge protection is on: a deleted key cannot be purged before its retention ends';
    this.purge(nowMs, key, 'purgeRequest');
    return null;
  }

  setExpiry(nowMs: number, keyName: string, versionId: string | undefined, expMs: number): void {
    const key = this.requireKey(keyName);
    const version = versionId === undefined ? key.versions.at(-1)! : key.versions.find((v) => v.id === versionId)!;
    version.expMs = expMs;
    this.deps.bus.emit({ t: nowMs, type: 'key.expirySet', entity: this.keyEntity(keyName), version: version.id, expMs });
  }

  /** Refused (with the reason) in a vault that uses Azure RBAC: its access policies have no effect. */
  setPolicy(nowMs: number, principal: string, permissions: readonly Permission[]): Refusal | null {
    if (this.spec.permissionModel === 'rbac') return this.wrongModel('access policies', 'assign the role Key Vault Crypto Service Encryption User (roleAssignment.create)');
    this.grant(nowMs, principal, permissions, 'accessPolicy.set');
    this.deps.bus.emit({ t: nowMs, type: 'accessPolicy.set', entity: this.name, principal, permissions: [...permissions] });
    if (!permissions.includes('unwrapKey')) this.denialMayBegin(nowMs);
    return null;
  }

  removePolicy(nowMs: number, principal: string): Refusal | null {
    if (this.spec.permissionModel === 'rbac') return this.wrongModel('access policies', 'delete the role assignment (roleAssignment.delete)');
    if (!this.ungrant(nowMs, principal, 'accessPolicy.remove')) return null;
    this.deps.bus.emit({ t: nowMs, type: 'accessPolicy.removed', entity: this.name, principal });
    this.denialMayBegin(nowMs);
    return null;
  }

  /** Azure RBAC: the role grants its key permissions. Refused (with the reason) in a vault that uses access policies. */
  assignRole(nowMs: number, principal: string, role: KeyVaultRole): Refusal | null {
    if (this.spec.permissionModel !== 'rbac') return this.wrongModel('Azure role assignments', 'set an access policy (accessPolicy.set)');
    this.grant(nowMs, principal, ROLE_PERMISSIONS[role], 'roleAssignment.create');
    this.deps.bus.emit({ t: nowMs, type: 'roleAssignment.created', entity: this.name, principal, role });
    // The one role the model knows grants unwrapKey: creating an assignment never begins a denial.
    return null;
  }

  /** Removing the role is a denial exactly as removing an access policy is. */
  removeRole(nowMs: number, principal: string, role: KeyVaultRole): Refusal | null {
    if (this.spec.permissionModel !== 'rbac') return this.wrongModel('Azure role assignments', 'remove the access policy (accessPolicy.remove)');
    if (!this.ungrant(nowMs, principal, 'roleAssignment.delete')) return null;
    this.deps.bus.emit({ t: nowMs, type: 'roleAssignment.deleted', entity: this.name, principal, role });
    this.denialMayBegin(nowMs);
    return null;
  }

  /** How this vault grants: the words of a refusal or a message. */
  get grantsBy(): string {
    return this.spec.permissionModel === 'rbac' ? 'the role assignment (Key Vault Crypto Service Encryption User)' : 'the access policy';
  }

  // ---- availability faults ---------------------------------------------

  beginOutage(nowMs: number, forMs: number): void {
    this.openWindow('outage', 'keyVault.outage', nowMs, forMs, 1, 0);
    this.deps.bus.emit({ t: nowMs, type: 'keyVault.outage.begin', entity: this.name, untilMs: nowMs + forMs });
  }

  beginNetworkDenied(nowMs: number, forMs: number): void {
    this.openWindow('network', 'keyVault.denyNetwork', nowMs, forMs, 1, 0);
    this.deps.bus.emit({ t: nowMs, type: 'keyVault.networkDenied.begin', entity: this.name, untilMs: nowMs + forMs });
  }

  beginTransient(nowMs: number, forMs: number, failureRate: number): void {
    this.openWindow('transient', 'keyVault.transient', nowMs, forMs, failureRate, 0);
    this.deps.bus.emit({ t: nowMs, type: 'keyVault.transient.begin', entity: this.name, untilMs: nowMs + forMs, failureRate });
  }

  beginThrottle(nowMs: number, forMs: number, limitPer10s: number): void {
    this.openWindow('throttle', 'keyVault.throttle', nowMs, forMs, 0, limitPer10s);
    this.deps.bus.emit({ t: nowMs, type: 'keyVault.throttle.begin', entity: this.name, untilMs: nowMs + forMs, limitPer10s });
  }

  /** Closes the windows that have ended; the world calls it at each window's end. */
  endWindows(nowMs: number): void {
    const ends = { outage: 'keyVault.outage.end', network: 'keyVault.networkDenied.end', transient: 'keyVault.transient.end', throttle: 'keyVault.throttle.end' } as const;
    for (const kind of ['outage', 'network', 'transient', 'throttle'] as const) {
      const open = this.faults[kind];
      const ended = open.filter((w) => w.untilMs <= nowMs);
      if (ended.length === 0) continue;
      this.faults[kind] = open.filter((w) => w.untilMs > nowMs);
      for (const window of ended) this.clear(window.cause, nowMs);
      if (this.faults[kind].length === 0) this.deps.bus.emit({ t: nowMs, type: ends[kind], entity: this.name });
    }
  }

  // ---- internals ----------------------------------------------------------

  private reachability(nowMs: number, keyName: string): VaultAnswer | null {
    const outage = this.faults.outage[0];
    if (outage !== undefined) return { kind: 'error', reason: 'unreachable', cause: outage.cause };
    const network = this.faults.network[0];
    if (network !== undefined) return { kind: 'error', reason: 'networkDenied', cause: network.cause };
    const windowIndex = Math.floor(nowMs / THROTTLE_WINDOW_MS);
    if (windowIndex !== this.throttleWindowIndex) {
      this.throttleWindowIndex = windowIndex;
      this.throttleWindowCount = 0;
    }
    this.throttleWindowCount++;
    const throttle = this.faults.throttle[0];
    const limit = throttle?.limitPer10s ?? this.ownThrottleLimitPer10s(keyName);
    if (this.throttleWindowCount > limit) {
      this.counters.throttled++;
      return { kind: 'error', reason: 'throttled', cause: throttle?.cause ?? this.backgroundThrottleCause(nowMs, windowIndex) };
    }
    for (const transient of this.faults.transient) {
      if (this.deps.transientStream.bernoulli(transient.failureRate)) {
        return { kind: 'error', reason: 'transientFailure', cause: transient.cause };
      }
    }
    return null;
  }

  private grant(nowMs: number, principal: string, permissions: readonly Permission[], action: ActionName): void {
    const previous = this.policies.get(principal);
    const complete = permissions.includes('unwrapKey');
    // Losing unwrapKey is the denial that matters to a storage account.
    const lostCause = complete ? null : (previous?.lostCause ?? this.cause('revocation', action, nowMs));
    if (complete) this.clear(previous?.lostCause ?? null, nowMs);
    this.policies.set(principal, { permissions: new Set(permissions), lostCause });
  }

  /** Whether there was a grant to remove. */
  private ungrant(nowMs: number, principal: string, action: ActionName): boolean {
    const previous = this.policies.get(principal);
    if (previous === undefined) return false;
    this.policies.set(principal, { permissions: new Set(), lostCause: previous.lostCause ?? this.cause('revocation', action, nowMs) });
    return true;
  }

  private wrongModel(what: string, instead: string): Refusal {
    const model = this.spec.permissionModel === 'rbac' ? 'Azure role-based access control (permissionModel: rbac)' : 'access policies (permissionModel: accessPolicy)';
    return refusal(400, 'PermissionModelMismatch', `Key Vault ${this.name} grants by ${model}: ${what} have no effect there; ${instead}`);
  }

  /** A principal never granted anything is denied from its first request on, with one cause. */
  private policyOf(principal: string, nowMs: number, action: ActionName = this.spec.permissionModel === 'rbac' ? 'roleAssignment.delete' : 'accessPolicy.remove'): Policy {
    let policy = this.policies.get(principal);
    if (policy === undefined) {
      policy = { permissions: new Set(), lostCause: this.cause('revocation', action, nowMs) };
      this.policies.set(principal, policy);
    }
    return policy;
  }

  /**
   * The vault's own limit for a request on this key: Key Vault's service
   * limits per 10 s, as a share of software RSA-2048's (the parameter):
   * RSA-3072 a quarter (1,000 of 4,000), RSA-4096 an eighth (500), and an
   * HSM-protected key half of its software figure. oct-HSM, the model's
   * shortcut key (256 bits, not RSA-HSM), gets software RSA-2048's.
   */
  private ownThrottleLimitPer10s(keyName: string): number {
    const spec = this.keys.get(keyName)?.spec;
    const base = this.deps.rsa2048ThrottleLimitPer10s;
    if (spec === undefined) return base;
    const bySize = spec.sizeBits === 4096 ? 1 / 8 : spec.sizeBits === 3072 ? 1 / 4 : 1;
    return Math.max(1, Math.floor(base * bySize * (spec.kty === 'RSA-HSM' ? 1 / 2 : 1)));
  }

  /** Throttling at the vault's own limit: one cause for a run of throttled windows. */
  private backgroundThrottleCause(nowMs: number, windowIndex: number): Cause {
    const current = this.backgroundThrottle;
    if (current !== null && current.lastWindowIndex >= windowIndex - 1) {
      current.lastWindowIndex = windowIndex;
      return current.cause;
    }
    if (current !== null) this.clear(current.cause, (current.lastWindowIndex + 1) * THROTTLE_WINDOW_MS);
    const cause = this.cause('outage', 'keyVault.throttle', nowMs);
    this.backgroundThrottle = { cause, lastWindowIndex: windowIndex };
    return cause;
  }

  private denialMayBegin(nowMs: number): void {
    for (const watcher of this.watchers) watcher(nowMs, this.name);
  }

  private openWindow(kind: keyof KeyVault['faults'], action: ActionName, nowMs: number, forMs: number, failureRate: number, limitPer10s: number): void {
    this.faults[kind].push({ cause: this.cause('outage', action, nowMs), untilMs: nowMs + forMs, failureRate, limitPer10s });
  }

  private cause(kind: Cause['kind'], action: ActionName, nowMs: number): Cause {
    this.causeCount++;
    return { id: `${this.name}#${this.causeCount}`, kind, action, startMs: nowMs, endMs: null };
  }

  private clear(cause: Cause | null, nowMs: number): void {
    if (cause !== null && cause.endMs === null) cause.endMs = nowMs;
  }

  private purge(nowMs: number, key: VaultKey, cause: 'purgeRequest' | 'retentionEnded' | 'softDeleteOff'): void {
    this.cancelPurge(key);
    key.purgedCause = this.cause('revocation', 'key.purge', nowMs);
    for (const version of key.versions) version.kek = null;
    this.deps.bus.emit({ t: nowMs, type: 'key.purged', entity: this.keyEntity(key.spec.name), cause });
    this.denialMayBegin(nowMs);
  }

  private cancelPurge(key: VaultKey): void {
    if (key.purgeDue !== null) this.deps.scheduler.cancel(key.purgeDue);
    key.purgeDue = null;
  }

  private addVersion(nowMs: number, key: VaultKey, id: string): void {
    const { kty, sizeBits, wrapAlgorithm } = key.spec;
    const material = kty === 'oct-HSM' ? this.deps.octMaterial(32) : this.deps.rsaKeyPair?.(sizeBits);
    key.versions.push({ id, enabled: true, nbfMs: null, expMs: null, kek: Kek.generate(kty, sizeBits, wrapAlgorithm, material), disabledCause: null });
    this.deps.bus.emit({ t: nowMs, type: 'key.created', entity: this.keyEntity(key.spec.name), version: id });
  }

  private version(ref: Omit<KeyRef, 'vault'>): KeyVersion {
    return this.requireKey(ref.key).versions.find((v) => v.id === ref.version)!;
  }

  private requireKey(keyName: string): VaultKey {
    const key = this.keys.get(keyName);
    if (key === undefined) throw new Error(`internal: vault ${this.name} has no key ${keyName} (the loader checks references)`);
    return key;
  }

  private keyEntity(keyName: string): string {
    return `${this.name}/${keyName}`;
  }
}
