// Every event the model emits, as one table: each type with its fields and
// their kinds. The table gives both the TypeScript union (SimEvent) and the
// check that a history read back from a file is well formed (readEvent), so
// what the checker judges offline has the very shape it judges online.
// The timeline writes the events in time order; metrics and the checker
// listen to the same bus, and nothing listens back.

import { PERMISSION_MODELS } from '../scenario.ts';

export type DenialReason = 'keyDisabled' | 'keyDeleted' | 'keyPurged' | 'permissionMissing' | 'identityNone';
export type ErrorReason = 'unreachable' | 'networkDenied' | 'throttled' | 'transientFailure';
export type DropReason = 'revoked' | 'notProvisioned' | 'bufferExpired';
export type StorageState = 'provisioning' | 'noKey' | 'healthy' | 'unavailable' | 'revoked' | 'deleted';

export const DENIAL_REASONS = ['keyDisabled', 'keyDeleted', 'keyPurged', 'permissionMissing', 'identityNone'] as const satisfies readonly DenialReason[];
export const ERROR_REASONS = ['unreachable', 'networkDenied', 'throttled', 'transientFailure'] as const satisfies readonly ErrorReason[];
/** Where one slice of records went: the data placement table of DOMAIN.md. */
export const PLACEMENTS = ['cmk', 'mmk', 'buffered', 'revoked', 'notProvisioned'] as const;
export type Placement = (typeof PLACEMENTS)[number];
export const ANSWER_KINDS = ['success', 'error', 'denial'] as const;
export type AnswerKind = (typeof ANSWER_KINDS)[number];

// ---- field kinds ------------------------------------------------------------

type FieldKind =
  | 'nat' // a whole number >= 0
  | 'amount' // a finite number >= 0 (a rate, a fraction)
  | 'string'
  | 'boolean'
  | 'json' // any JSON value; whoever reads it checks it
  | { readonly oneOf: readonly string[] }
  | { readonly arrayOf: FieldKind }
  | { readonly object: { readonly [field: string]: FieldKind } }
  | { readonly nullable: FieldKind };

type ValueOf<K> = K extends 'nat' | 'amount'
  ? number
  : K extends 'string'
    ? string
    : K extends 'boolean'
      ? boolean
      : K extends 'json'
        ? unknown
        : K extends { readonly oneOf: readonly (infer E)[] }
          ? E
          : K extends { readonly arrayOf: infer I }
            ? ValueOf<I>[]
            : K extends { readonly object: infer O }
              ? { [F in keyof O]: ValueOf<O[F]> }
              : K extends { readonly nullable: infer I }
                ? ValueOf<I> | null
                : never;

const oneOf = <const E extends readonly string[]>(values: E) => ({ oneOf: values });
const arrayOf = <const K extends FieldKind>(kind: K) => ({ arrayOf: kind });
const object = <const O extends { readonly [field: string]: FieldKind }>(fields: O) => ({ object: fields });
const nullable = <const K extends FieldKind>(kind: K) => ({ nullable: kind });

const denialReason = oneOf(DENIAL_REASONS);
const errorOrDenialReason = oneOf([...ERROR_REASONS, ...DENIAL_REASONS]);
/** A block's evidence: its id, the fingerprint of the AEK it was sealed under, the fingerprint of its stored bytes. */
const sealed = object({ id: 'string', aek: 'string', bytes: 'string' });
/** A block of one composition's records. */
const blockOf = object({ id: 'string', composition: 'nat', records: 'nat', aek: 'string', bytes: 'string' });

const NONE = {} as const;

/** Every event type and its fields (besides t, type and entity, which every event has). */
export const EVENT_FIELDS = {
  // The run. The parameters make a history self-contained: `cmk-sim check` judges it with them.
  /** params: every parameter of the run; overridden: those the scenario set itself, the others being its profile's. */
  'scenario.start': { scenario: 'string', seed: 'nat', profile: 'string', params: 'json', overridden: arrayOf('string') },
  /** Setup is over (`setup: ready` builds before it): from here on, requests are the scenario's own. */
  'scenario.ready': NONE,
  'scenario.end': { events: 'nat' },
  action: { action: 'string', detail: 'string' },

  // Key Vault: the vault, its fault windows, keys, access policies.
  /** The vault as the scenario made it, at t=0 (nothing changes these later): where it is, recoverable with soft delete and purge protection both on, granting by access policy or Azure RBAC role. */
  'keyVault.created': { region: 'string', tenant: 'string', softDelete: 'boolean', purgeProtection: 'boolean', permissionModel: oneOf(PERMISSION_MODELS) },
  'keyVault.outage.begin': { untilMs: 'nat' },
  'keyVault.outage.end': NONE,
  'keyVault.networkDenied.begin': { untilMs: 'nat' },
  'keyVault.networkDenied.end': NONE,
  'keyVault.transient.begin': { untilMs: 'nat', failureRate: 'amount' },
  'keyVault.transient.end': NONE,
  'keyVault.throttle.begin': { untilMs: 'nat', limitPer10s: 'nat' },
  'keyVault.throttle.end': NONE,
  'key.created': { version: 'string' },
  'key.disabled': { version: 'string' },
  'key.enabled': { version: 'string' },
  'key.deleted': NONE,
  'key.recovered': NONE,
  /** The key's material is gone for good: purged on request, when its soft-delete retention ended, or at deletion in a vault without soft delete. */
  'key.purged': { cause: oneOf(['purgeRequest', 'retentionEnded', 'softDeleteOff']) },
  'key.expirySet': { version: 'string', expMs: 'nat' },
  'accessPolicy.set': { principal: 'string', permissions: arrayOf('string') },
  'accessPolicy.removed': { principal: 'string' },
  /** Azure RBAC (a vault with permissionModel rbac): the role grants get, wrapKey and unwrapKey; deleting it is a denial. */
  'roleAssignment.created': { principal: 'string', role: 'string' },
  'roleAssignment.deleted': { principal: 'string', role: 'string' },

  // The control plane.
  /** A cluster made (its create accepted, or set up before t=0): where it is. */
  'cluster.created': { region: 'string', tenant: 'string', subscription: 'string' },
  'cluster.identitySet': { identity: oneOf(['SystemAssigned', 'None']) },
  /** The cluster's capacity reservation (commitment tier) set, at creation or by an update: its commitment period starts. */
  'cluster.capacitySet': { capacityGBPerDay: 'nat' },
  /** A key update done: the cluster's key from now on; keyVersion empty follows the newest version (auto-rotation). */
  'cluster.keySet': { vault: 'string', key: 'string', keyVersion: 'string' },
  /** Who the cluster is to Key Vault from now on: a user-assigned identity (at creation or by a change), or its system-assigned one again. */
  'cluster.principalSet': { identity: oneOf(['SystemAssigned', 'UserAssigned']), principal: 'string' },
  /** body: the request body of a cluster create or update, as the scenario wrote it (null for other operations). */
  'operation.accepted': { operationId: 'string', action: 'string', status: 'string', body: 'json' },
  'operation.succeeded': { operationId: 'string', action: 'string' },
  'operation.failed': { operationId: 'string', action: 'string', httpStatus: 'nat', code: 'string', message: 'string' },
  'operation.refused': { operationId: 'string', action: 'string', httpStatus: 'nat', code: 'string', message: 'string', body: 'json' },
  /** Auto-rotation: the cluster's check for a new key version re-wrapped its AEKs under this version. */
  'key.rotationFollowed': { version: 'string' },
  /** Auto-rotation: the check could not read the key (version null) or not re-wrap under its newest version; the next check retries. */
  'key.rotationFollowFailed': { version: nullable('string'), reason: 'string' },
  'savedSearches.removed': { count: 'nat', storageAccount: 'string' },
  /** Unlinking the Query storage account brought back the saved searches its link had removed (2026-04). */
  'savedSearches.restored': { count: 'nat', storageAccount: 'string' },
  'lockbox.requested': NONE,
  'lockbox.approved': NONE,
  'lockbox.rejected': NONE,

  // A storage account: its life, its key, what Key Vault answers it, where records go.
  /** mmkAek: fingerprint of its Microsoft-managed AEK. */
  'storage.created': { state: oneOf(['provisioning', 'noKey']), mmkAek: 'string' },
  'storage.provisioned': NONE,
  'storage.deleted': NONE,
  /** aek: fingerprint of the AEK now wrapped by this key; storedDigest: digest of every stored block's bytes at this moment. */
  'storage.keyConfigured': { vault: 'string', key: 'string', version: 'string', aek: 'string', storedDigest: 'string' },
  /** What Key Vault answered a poll, each time the kind of answer changes (a success after errors, the first error, ...). */
  'storage.unwrap': { answer: oneOf(ANSWER_KINDS), reason: nullable(errorOrDenialReason) },
  /** A real unwrap gave this AEK (its fingerprint) under this key version. */
  'storage.aekUnwrapped': { version: 'string', aek: 'string' },
  /** Key Vault told the account of a denial at the change, out of band, whether or not it answers its polls (revocationWhileUnreachable onTime). */
  'storage.denialNotified': { reason: denialReason },
  'storage.revocationScheduled': { dueMs: 'nat', reason: denialReason },
  'storage.revocationCancelled': NONE,
  /** lastAnswerMs: when Key Vault last answered (for people; the checker derives its own). */
  'storage.unavailable': { lastAnswerMs: 'nat' },
  'storage.revoked': { reason: denialReason },
  'storage.accessRestored': { resumeDueMs: 'nat' },
  'storage.resumed': { fromState: oneOf(['unavailable', 'revoked']) },
  /**
   * The account's first stored block, opened with its own chain alone, skipping any second layer (serviceLayerAlone;
   * doubleEncryption: the cluster's setting), and past that layer with the DEK its AEK gives another block id (anotherBlocksDek).
   */
  'storage.blockProbed': { block: 'string', doubleEncryption: 'boolean', serviceLayerAlone: oneOf(['opened', 'failed']), anotherBlocksDek: oneOf(['opened', 'failed']) },
  /** A real attempt, while closed, to open the newest stored block with the AEK the account holds, and to read its hot copy. */
  'storage.openAttempt': { block: 'string', withHeldAek: oneOf(['opened', 'failed', 'noAek']), hotCopy: oneOf(['opened', 'failed', 'absent']) },
  /** One slice of records: every composition writing here, all placed the same way. */
  'storage.ingested': { placement: oneOf(PLACEMENTS), parts: arrayOf(object({ composition: 'nat', records: 'nat', block: nullable(sealed) })) },
  /** Retention purged the oldest `blocks` blocks of one retention group. */
  'storage.purged': { retentionDays: 'nat', blocks: 'nat' },
  'composition.defined': { composition: 'nat', retentionDays: 'nat', members: arrayOf(object({ workspace: 'string', recordsPerSlice: 'nat' })) },
  /** The SSD hot cache deleted (`blocks` copies), then every copy there was before it tried again with a real open: `stillReadable` of them opened; oldestHotMs: when the oldest of them was created (null: the cache was empty). */
  'hotCache.purged': { blocks: 'nat', stillReadable: 'nat', oldestHotMs: nullable('nat') },
  /** The hot cache deleted by a revocation was reloaded from storage: blocks of the last hotCacheDays days got their SSD copy again (2023-06). */
  'hotCache.reloaded': { blocks: 'nat' },
  'buffer.started': NONE,
  'buffer.expired': { cause: oneOf(['age', 'clusterDeleted']), records: 'nat', blocks: arrayOf(object({ id: 'string', composition: 'nat', records: 'nat' })) },
  /** Each buffered block, opened with the MMK and sealed again under the customer-key chain. */
  'buffer.replayed': { records: 'nat', blocks: arrayOf(blockOf) },
  'query.sampled': { workspace: 'string', ok: 'boolean', hot: 'boolean', latencyMs: 'nat', blocksOpened: 'nat', why: nullable('string') },

  // A workspace.
  'workspace.workload': { recordsPerMinute: 'nat', queriesPerHour: 'amount', lookbackMs: 'nat' },
  'workspace.routed': { storage: 'string' },
  'workspace.queriesFailing': NONE,
  'workspace.queriesServing': NONE,
} as const satisfies { readonly [type: string]: { readonly [field: string]: FieldKind } };

type Fields = typeof EVENT_FIELDS;
export type SimEventType = keyof Fields;

interface Base {
  /** Milliseconds from the scenario's start. */
  t: number;
  /** The actor it concerns: a vault, "vault/key", a storage account "cluster/index", a cluster or workspace. */
  entity: string;
}

export type SimEvent = { [T in SimEventType]: Base & { type: T } & { -readonly [F in keyof Fields[T]]: ValueOf<Fields[T][F]> } }[SimEventType];
export type EventOf<T extends SimEventType> = Extract<SimEvent, { type: T }>;

export const EVENT_TYPES = Object.keys(EVENT_FIELDS) as SimEventType[];

/** One bus: the model emits, observers listen, nobody listens back. */
export class EventBus {
  private readonly listeners: ((event: SimEvent) => void)[] = [];

  on(listener: (event: SimEvent) => void): void {
    this.listeners.push(listener);
  }

  emit(event: SimEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

// ---- reading a history back -----------------------------------------------

/**
 * Checks a parsed JSON value against the table and returns it as an event,
 * fields in the order the model emits them (t, type, entity, then the
 * table's), or the first thing wrong with it as "field: found ...; expected ...".
 */
export function readEvent(value: unknown): { event: SimEvent } | { problem: { path: string; found: string; expected: string } } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { problem: { path: '', found: describe(value), expected: 'an event object' } };
  const record = value as Record<string, unknown>;
  const { t, type, entity } = record;
  if (typeof type !== 'string' || !Object.hasOwn(EVENT_FIELDS, type)) return { problem: { path: 'type', found: describe(type), expected: 'a cmk-sim event type' } };
  if (typeof t !== 'number' || !Number.isSafeInteger(t) || t < 0) return { problem: { path: 't', found: describe(t), expected: 'milliseconds from the start, a whole number >= 0' } };
  if (typeof entity !== 'string') return { problem: { path: 'entity', found: describe(entity), expected: 'a string' } };
  for (const [field, kind] of Object.entries(EVENT_FIELDS[type as SimEventType] as Record<string, FieldKind>)) {
    const problem = checkField(record[field], kind, field, 0);
    if (problem !== null) return { problem };
  }
  return { event: canonical(record as unknown as SimEvent) };
}

/** The event with only its own fields, in the table's order: how a history is compared, online or read back. */
export function canonical(event: SimEvent): SimEvent {
  const out: Record<string, unknown> = { t: event.t, type: event.type, entity: event.entity };
  for (const field of Object.keys(EVENT_FIELDS[event.type])) out[field] = (event as unknown as Record<string, unknown>)[field];
  return out as unknown as SimEvent;
}

/** Nesting the table never goes deeper than; a hostile file cannot make the check recurse further. */
const FIELD_DEPTH_MAX = 4;

function checkField(value: unknown, kind: FieldKind, path: string, depth: number): { path: string; found: string; expected: string } | null {
  const wrong = (expected: string) => ({ path, found: describe(value), expected });
  if (depth > FIELD_DEPTH_MAX) return wrong('a value nested no deeper than the event table');
  if (kind === 'json') return value === undefined ? wrong('a value') : null;
  if (kind === 'nat') return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? null : wrong('a whole number >= 0');
  if (kind === 'amount') return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? null : wrong('a number >= 0');
  if (kind === 'string') return typeof value === 'string' ? null : wrong('a string');
  if (kind === 'boolean') return typeof value === 'boolean' ? null : wrong('true or false');
  if ('oneOf' in kind) return typeof value === 'string' && kind.oneOf.includes(value) ? null : wrong(`one of ${kind.oneOf.join(', ')}`);
  if ('nullable' in kind) return value === null ? null : checkField(value, kind.nullable, path, depth + 1);
  if ('arrayOf' in kind) {
    if (!Array.isArray(value)) return wrong('a list');
    for (let i = 0; i < value.length; i++) {
      const problem = checkField(value[i], kind.arrayOf, `${path}[${i}]`, depth + 1);
      if (problem !== null) return problem;
    }
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return wrong('an object');
  for (const [field, inner] of Object.entries(kind.object)) {
    const problem = checkField((value as Record<string, unknown>)[field], inner, `${path}.${field}`, depth + 1);
    if (problem !== null) return problem;
  }
  return null;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  // JSON.parse reads 1e400 as Infinity, which JSON.stringify would show as null.
  if (typeof value === 'number' && !Number.isFinite(value)) return 'a number beyond the range of a double (read as Infinity)';
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch {
    // JSON.parse takes nesting deeper than JSON.stringify can walk back.
    return 'a value nested too deeply to show';
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
