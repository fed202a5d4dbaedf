// A scenario after loading: validated, durations in milliseconds, defaults
// filled in, parameters resolved (profile defaults, then the file's
// `params:`, then `--param`). The model takes only this shape.

import type { Params, ProfileName } from './azure/profiles.ts';
import type { SloSpec } from './observe/slo.ts';

export const KEY_TYPES = ['RSA', 'RSA-HSM', 'oct-HSM'] as const;
export type KeyType = (typeof KEY_TYPES)[number];
export const RSA_SIZES = [2048, 3072, 4096] as const;
export type RsaSize = (typeof RSA_SIZES)[number];
export const WRAP_ALGORITHMS = ['RSA-OAEP-256', 'RSA-OAEP', 'A256KW'] as const;
export type WrapAlgorithm = (typeof WRAP_ALGORITHMS)[number];
export const PERMISSIONS = ['get', 'wrapKey', 'unwrapKey'] as const;
export type Permission = (typeof PERMISSIONS)[number];
/** How a vault grants its keys: access policies, or Azure role-based access control. */
export const PERMISSION_MODELS = ['accessPolicy', 'rbac'] as const;
export type PermissionModel = (typeof PERMISSION_MODELS)[number];
/** The Azure RBAC role the documentation names: it grants get, wrapKey and unwrapKey on keys. */
export const KEY_VAULT_ROLES = ['Key Vault Crypto Service Encryption User'] as const;
export type KeyVaultRole = (typeof KEY_VAULT_ROLES)[number];

export interface KeySpec {
  name: string;
  kty: KeyType;
  /** RSA modulus bits (2048, 3072, 4096); 256 for oct-HSM. */
  sizeBits: number;
  /** RSA-OAEP-256 by default for RSA, A256KW for oct-HSM. */
  wrapAlgorithm: WrapAlgorithm;
  /** Version ids in creation order; default ["v1"]. */
  versions: string[];
}

export interface AccessPolicySpec {
  /** A cluster name (its system-assigned identity) or the name of a user-assigned identity. */
  principal: string;
  permissions: Permission[];
}

export interface KeyVaultSpec {
  name: string;
  region: string;
  tenant: string;
  subscription: string;
  softDelete: boolean;
  purgeProtection: boolean;
  softDeleteRetentionDays: number;
  /** accessPolicy (the default) or rbac: role assignments instead of access policies. */
  permissionModel: PermissionModel;
  /** In a Private-Link (virtual network): a cluster with a user-assigned identity cannot use its keys. */
  privateLink: boolean;
  keys: KeySpec[];
  /** Extra policies; with `setup: ready` each cluster keyed to this vault gets get/wrapKey/unwrapKey. */
  accessPolicies: AccessPolicySpec[];
}

export interface ClusterKeyRef {
  vault: string;
  name: string;
  /** A version id; omitted means the newest at set-up. */
  version?: string;
}

export interface ClusterSpec {
  name: string;
  region: string;
  tenant: string;
  subscription: string;
  capacityGBPerDay: number;
  billingType: 'Cluster' | 'Workspaces';
  doubleEncryption: boolean;
  storageAccounts: number;
  /** The key `setup: ready` configures. */
  key?: ClusterKeyRef;
}

export interface IngestSpec {
  gbPerDay: number;
  /** Whole records per minute; records are counted exactly. */
  recordsPerMinute: number;
}

export interface QuerySpec {
  perHour: number;
  lookbackMs: number;
}

/** Tables on the Auxiliary plan (2024-01 and later): their records stay under Microsoft keys whatever the cluster's key. */
export interface AuxiliarySpec {
  /** Whole records per minute, on top of ingest.recordsPerMinute. */
  recordsPerMinute: number;
  /** Queries per hour of those tables, on top of query.perHour; the same lookback. */
  queriesPerHour: number;
}

export interface WorkspaceSpec {
  name: string;
  region: string;
  tenant: string;
  subscription: string;
  /** The cluster `setup: ready` links it to. */
  cluster?: string;
  retentionDays: number;
  /** Saved searches kept in the workspace (removed when a Query storage account is linked). */
  savedSearches: number;
  ingest: IngestSpec;
  query: QuerySpec;
  auxiliary: AuxiliarySpec;
}

interface At {
  /** Milliseconds from t=0. */
  atMs: number;
}

export type Action =
  | (At & { do: 'keyVault.outage'; vault: string; forMs: number })
  | (At & { do: 'keyVault.transient'; vault: string; forMs: number; failureRate: number })
  | (At & { do: 'keyVault.denyNetwork'; vault: string; forMs: number })
  | (At & { do: 'keyVault.throttle'; vault: string; forMs: number; limitPer10s: number })
  | (At & { do: 'key.disable' | 'key.enable'; vault: string; key: string; version?: string })
  | (At & { do: 'key.rotate'; vault: string; key: string; version?: string })
  | (At & { do: 'key.delete' | 'key.recover' | 'key.purge'; vault: string; key: string })
  | (At & { do: 'key.setExpiry'; vault: string; key: string; version?: string; expMs: number })
  | (At & { do: 'accessPolicy.set'; vault: string; principal: string; permissions: Permission[] })
  | (At & { do: 'accessPolicy.remove'; vault: string; principal: string })
  | (At & { do: 'roleAssignment.create' | 'roleAssignment.delete'; vault: string; principal: string; role: KeyVaultRole })
  | (At & { do: 'cluster.create'; cluster: string; body?: unknown })
  | (At & { do: 'cluster.update'; cluster: string; body: unknown })
  | (At & { do: 'cluster.setIdentity'; cluster: string; type: 'SystemAssigned' | 'None' })
  | (At & { do: 'cluster.delete'; cluster: string })
  | (At & { do: 'workspace.link'; workspace: string; cluster: string })
  | (At & { do: 'workspace.unlink'; workspace: string })
  | (At & { do: 'workspace.linkStorage'; workspace: string; type: 'Query' | 'Alerts'; storageAccount: string; region?: string })
  | (At & { do: 'workspace.unlinkStorage'; workspace: string; type: 'Query' | 'Alerts' })
  | (At & { do: 'workspace.setIngest'; workspace: string; ingest: Partial<IngestSpec> })
  | (At & { do: 'workspace.setQuery'; workspace: string; query: Partial<QuerySpec> })
  | (At & { do: 'lockbox.request'; workspace: string; decision: 'approve' | 'reject'; afterMs: number });

export type ActionName = Action['do'];

/** How long a drawn fault lasts: a fixed span, or a draw from a distribution (all in milliseconds). */
export type DurationDistribution =
  | { type: 'fixed'; ms: number }
  | { type: 'uniform'; minMs: number; maxMs: number }
  | { type: 'exponential'; meanMs: number }
  | { type: 'lognormal'; medianMs: number; p90Ms: number };

export const FAULT_PROCESSES = ['keyVault.outage', 'keyVault.transient', 'keyVault.denyNetwork', 'keyVault.throttle', 'key.accidentalDisable'] as const;
export type FaultProcessName = (typeof FAULT_PROCESSES)[number];

interface Arrivals {
  /** Mean time from the end of one occurrence to the start of the next (a Poisson process: exponential gaps). */
  meanTimeBetweenMs: number;
}

/** A random process of faults: its occurrences are drawn from the run's seeded streams, one stream per process. */
export type FaultProcess =
  | (Arrivals & { process: 'keyVault.outage' | 'keyVault.denyNetwork'; vault: string; duration: DurationDistribution })
  | (Arrivals & { process: 'keyVault.transient'; vault: string; duration: DurationDistribution; failureRate: number })
  | (Arrivals & { process: 'keyVault.throttle'; vault: string; duration: DurationDistribution; limitPer10s: number })
  /** Someone disables the key's newest version by mistake; it is enabled again once noticed. */
  | (Arrivals & { process: 'key.accidentalDisable'; vault: string; key: string; timeToNotice: DurationDistribution });

export const EXPECT_OPS = ['equals', 'atLeast', 'atMost', 'lessThan', 'greaterThan'] as const;
export type ExpectOp = (typeof EXPECT_OPS)[number];

export interface Expectation {
  /** A dotted path into sla.json, e.g. "totals.query.availability" or "operations[3].status". */
  metric: string;
  op: ExpectOp;
  value: number | string | boolean | null;
}

export interface Scenario {
  name: string;
  description: string;
  /** Where it came from: a file path, or "builtin:<name>". */
  source: string;
  profile: ProfileName;
  seed: number;
  /** Wall-clock instant of t=0, ISO 8601 with milliseconds. */
  startIso: string;
  durationMs: number;
  params: Params;
  /** The parameters the scenario set itself (its `params:` or --param), in name order: the others are its profile's. */
  overriddenParams: string[];
  setup: 'ready' | 'none';
  keyVaults: KeyVaultSpec[];
  clusters: ClusterSpec[];
  workspaces: WorkspaceSpec[];
  /** The user-assigned identities that exist from t=0, by name: a cluster may be created with one, and Key Vault may grant it access first. */
  userAssignedIdentities: string[];
  /** Sorted by atMs; ties keep file order. */
  actions: Action[];
  /** Random fault processes, drawn at run time from the seed. */
  faults: FaultProcess[];
  expect: Expectation[];
  /** The user's SLO (`slo:` or `--slo`): target, window and burn-rate alerts; null for the parameter sloTarget and the SRE workbook's alerts. */
  slo: SloSpec | null;
}
