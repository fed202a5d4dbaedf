// Every number of the model, in one place: its kind, its default in each
// documentation version (profile), and the sentence it comes from. The
// scenario's `params:` and `--param name=value` override these.

import { MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND } from '../engine/duration.ts';
import type { Random } from '../engine/random.ts';
import { MAX_CAPACITY_GB_PER_DAY, MAX_LIMIT_PER_10S, MAX_WORKSPACES } from '../limits.ts';
import type { CreditTier } from '../observe/slo.ts';

export const PROFILES = ['2020-11', '2021-07', '2023-06', '2024-01', '2026-04'] as const;
export type ProfileName = (typeof PROFILES)[number];
export const DEFAULT_PROFILE: ProfileName = '2020-11';
/** `latest` names the newest profile, so a scenario can follow today's documentation. */
export const LATEST_ALIAS = 'latest';
export const LATEST_PROFILE: ProfileName = PROFILES[PROFILES.length - 1]!;
/** What `profile:` and `--profile` accept: a profile's name or the alias of the newest. */
export const PROFILE_CHOICES: readonly string[] = [...PROFILES, LATEST_ALIAS];
export const PROFILE_EXPECTED = `one of ${PROFILE_CHOICES.join(', ')} (${LATEST_ALIAS}: the newest, ${LATEST_PROFILE})`;

/** The profile a name stands for (`latest` is the newest), or undefined. */
export function resolveProfile(name: string): ProfileName | undefined {
  if (name === LATEST_ALIAS) return LATEST_PROFILE;
  return (PROFILES as readonly string[]).includes(name) ? (name as ProfileName) : undefined;
}

/** What each documentation version changed, for `list --profiles` and the README. */
export const PROFILE_NOTES: { readonly [P in ProfileName]: string } = {
  '2020-11': 'the seed page: unavailable after about 30 min of Key Vault errors, MMK buffer for several hours; explicit key versions only; capacity from 1000 GB/day in steps of 100 to 3000; 2 clusters per region',
  '2021-07': 'keys stay cached for the whole Key Vault outage; an empty key version follows the newest (auto-rotation); capacity 500, 1000, 2000 or 5000 GB/day with a 31-day commitment; 2 clusters (4 including deleted)',
  '2023-06': 'as 2021-07, capacity "starting at 500"; 5 clusters (7 including deleted); about 2 h provisioning; the hot cache also holds recently queried data and is reloaded after a revocation; Azure RBAC vaults; user-assigned identities (key at creation)',
  '2024-01': 'as 2023-06; capacity tiers from 100 to 50000 GB/day (CLI and PowerShell from 500), raising a tier starts a 31-day commitment; tables on the Auxiliary plan stay under Microsoft keys',
  '2026-04': 'as 2024-01; caching "doesn\'t bypass or weaken key revocation controls": a denial revokes within the hour even while Key Vault is unreachable; an expired key blocks cluster updates; the identity type can change after creation; unlinking the Query storage account brings saved searches back',
};

export const DELAY_MODES = ['uniform', 'worst', 'best'] as const;
export type DelayMode = (typeof DELAY_MODES)[number];

export const OUTAGE_HANDLING = ['unavailableAfterTimeout', 'keepCachedKey'] as const;
export type OutageHandling = (typeof OUTAGE_HANDLING)[number];

export const REVOCATION_WHILE_UNREACHABLE = ['atNextAnswer', 'onTime'] as const;
export type RevocationWhileUnreachable = (typeof REVOCATION_WHILE_UNREACHABLE)[number];

/** Self-test only: each deliberately breaks one documented rule, so the checker and `explore` can be seen to catch it. */
export const BROKEN_RULES = [
  'none',
  'replayTwice',
  'lateRevocation',
  'denialIgnored',
  'aekKeptWhenRevoked',
  'hotCacheKeptWhenRevoked',
  'lateResume',
  'outageCancelsResume',
  'earlyUnavailable',
  'lateUnavailable',
  'aekKeptWhenUnavailable',
  'denialIsNotAnAnswer',
  'denialNoticeIgnored',
  'bufferDropsEarly',
  'replayLosesBlock',
  'replayUnderMmk',
  'rotationNewAek',
  'mmkDataLockedWhenRevoked',
  'linkLimitIgnored',
  'retentionKeepsBlocks',
] as const;
export type BrokenRule = (typeof BROKEN_RULES)[number];

export const HOT_CACHE_SCOPES = ['lastDays', 'lastDaysOrRecentlyQueried'] as const;
export type HotCacheScope = (typeof HOT_CACHE_SCOPES)[number];
export type { CreditTier };

/** An inclusive range of milliseconds, [min, max]. */
export type RangeMs = readonly [number, number];

/** A delay documented as a range or "within X" ([0, X]): the bound (worst), the soonest (best) or a seeded draw. */
export function drawDelay([min, max]: RangeMs, mode: DelayMode, random: Random): number {
  switch (mode) {
    case 'worst':
      return max;
    case 'best':
      return min;
    case 'uniform':
      return random.uniformInt(min, max);
  }
}

export interface Params {
  unwrapPollInterval: RangeMs;
  outageToUnavailable: number;
  mmkBufferMaxAge: number;
  revocationWithin: number;
  revocationWhileUnreachable: RevocationWhileUnreachable;
  resumeWithin: number;
  delayMode: DelayMode;
  outageHandling: OutageHandling;
  hotCacheDays: number;
  hotCacheScope: HotCacheScope;
  keyVaultThrottleLimitPer10s: number;
  storageAccountsPerCluster: number;
  clusterProvisionTime: RangeMs;
  keyUpdateTime: RangeMs;
  linkTime: RangeMs;
  unlinkTime: RangeMs;
  clusterDeleteTime: RangeMs;
  keyVersionCheckInterval: number;
  maxClustersPerRegion: number;
  maxClustersPerRegionIncludingDeleted: number;
  maxWorkspacesPerCluster: number;
  linkOpsPer30Days: number;
  clusterNameReservation: number;
  capacityTiersGBPerDay: readonly number[];
  capacityCommitment: number;
  doubleEncryptionUnsupportedRegions: readonly string[];
  autoRotation: boolean;
  modelShortcutOctKeys: boolean;
  blockSlice: number;
  blockPayloadBytes: number;
  querySampleInterval: number;
  querySampleMaxBlocks: number;
  hotQueryLatency: RangeMs;
  coldQueryLatency: RangeMs;
  sloTarget: number;
  serviceCreditTiers: readonly CreditTier[];
  brokenRule: BrokenRule;
  unlinkRestoresSavedSearches: boolean;
  expiredKeyBlocksClusterUpdates: boolean;
  keyVaultRbac: boolean;
  userAssignedIdentity: boolean;
  identityTypeSwitch: boolean;
  hotCacheReload: boolean;
  hotCacheReloadTime: RangeMs;
  auxiliaryTablePlan: boolean;
}
export type ParamName = keyof Params;

export type ParamKind =
  | { type: 'duration' }
  | { type: 'durationRange' }
  | { type: 'integer'; min: number; max: number }
  /** Distinct whole numbers in increasing order. */
  | { type: 'integerList'; min: number; max: number }
  /** Distinct Azure region names. */
  | { type: 'regionList' }
  | { type: 'fraction' }
  | { type: 'boolean' }
  | { type: 'enum'; values: readonly string[] }
  | { type: 'creditTiers' };

export interface ParamSpec {
  kind: ParamKind;
  /** What the number means, with its unit. */
  meaning: string;
  /** The documentation's sentence, or "model assumption: ..." when the page is silent. */
  source: string;
}

export const PARAM_SPECS: { readonly [N in ParamName]: ParamSpec } = {
  unwrapPollInterval: {
    kind: { type: 'durationRange' },
    meaning: 'time between two unwrap polls of one storage account, drawn in the range',
    source: 'The frequency that Azure Monitor Storage accesses Key Vault for wrap and unwrap operations is between 6 to 60 seconds.',
  },
  outageToUnavailable: {
    kind: { type: 'duration' },
    meaning: 'time without a successful unwrap after which a storage account becomes unavailable',
    source: 'Live site -- unavailability of about 30 minutes will cause the Storage account to become unavailable.',
  },
  mmkBufferMaxAge: {
    kind: { type: 'duration' },
    meaning: 'age past which records kept in the MMK buffer are dropped (bufferExpired)',
    source: 'ingested data is cached for several hours using Microsoft key to avoid data loss. (model assumption: 4 h; the page does not say what happens past it)',
  },
  revocationWithin: {
    kind: { type: 'duration' },
    meaning: 'bound on the delay between a denial (key disabled, policy removed) and revocation',
    source: 'The Log Analytics cluster storage will always respect changes in key permissions within an hour or sooner and Storage will become unavailable.',
  },
  revocationWhileUnreachable: {
    kind: { type: 'enum', values: REVOCATION_WHILE_UNREACHABLE },
    meaning:
      'when a storage account learns of a denial (key disabled, deleted or purged, permission removed) made while Key Vault cannot answer it: atNextAnswer, at its first poll Key Vault answers, so the revocation waits for the vault; onTime, at the change (Key Vault tells the accounts keyed to it), so it is revoked within revocationWithin of the change even while the vault is unreachable',
    source:
      '2020-11 to 2024-01: the account learns of a change by polling, and keeps its keys cached "for the duration of the availability issue" (2021-07 and later); 2026-04: cached operational keys, and caching "doesn\'t bypass or weaken key revocation controls"',
  },
  resumeWithin: {
    kind: { type: 'duration' },
    meaning: 'bound on the delay between the first successful unwrap after a fault and resumed ingestion and queries',
    source: 'Storage periodically polls your Key Vault to attempt to unwrap the encryption key and once accessed, data ingestion and query resume within 30 minutes.',
  },
  delayMode: {
    kind: { type: 'enum', values: DELAY_MODES },
    meaning: 'how a delay documented as "within X" is drawn: uniform in [0, X], always X (worst) or as soon as possible (best)',
    source: 'model choice: worst and best bracket every what-if',
  },
  outageHandling: {
    kind: { type: 'enum', values: OUTAGE_HANDLING },
    meaning: 'what a Key Vault outage does: unavailable after outageToUnavailable, or keep the cached key for the whole outage',
    source:
      '2020-11: "unavailability of about 30 minutes will cause the Storage account to become unavailable"; 2021-07 to 2024-01: keys stay cached "for the duration of the availability issue"; 2026-04: "cached operational keys", with "no published specific duration" for running without Key Vault',
  },
  hotCacheDays: {
    kind: { type: 'integer', min: 0, max: 730 },
    meaning: 'days of recent data also kept in the SSD hot cache (faster reads)',
    source: 'Data ingested in the last 14 days is also kept in hot-cache (SSD-backed) for efficient query engine operation.',
  },
  hotCacheScope: {
    kind: { type: 'enum', values: HOT_CACHE_SCOPES },
    meaning: 'what the hot cache holds: the last hotCacheDays days, or also recently queried data',
    source: '2020-11: "Data ingested in the last 14 days is also kept in hot-cache"; 2023-06: "last 14 days or recently queried"',
  },
  keyVaultThrottleLimitPer10s: {
    kind: { type: 'integer', min: 1, max: MAX_LIMIT_PER_10S },
    meaning: 'Key Vault requests per 10 seconds above which it answers HTTP 429, for a software RSA-2048 key; a request on another key has its share of it: RSA-3072 a quarter, RSA-4096 an eighth, an HSM key half of its software figure',
    source: 'Azure Key Vault service limits (not the page): software RSA-2048 4,000 transactions per 10 s, RSA-3072 1,000, RSA-4096 500; HSM keys half of that',
  },
  storageAccountsPerCluster: {
    kind: { type: 'integer', min: 1, max: 64 },
    meaning: 'storage accounts a cluster owns (each with its own AEK); scenario clusters may set their own',
    source: 'The Log Analytics cluster storage accounts generate unique encryption key for every storage account, which is known as the AEK. (model assumption: 2 accounts)',
  },
  clusterProvisionTime: {
    kind: { type: 'durationRange' },
    meaning: 'time a cluster create takes to reach Succeeded',
    source: '2020-11: cluster provisioning "up to 1 h"; 2021-07: "a few hours"; 2023-06: "about 2 h"; 2026-04: "typically two hours"',
  },
  keyUpdateTime: {
    kind: { type: 'durationRange' },
    meaning: 'time a key update (keyVaultProperties) takes to complete',
    source: 'It takes the propagation of the key a few minutes to complete.',
  },
  linkTime: {
    kind: { type: 'durationRange' },
    meaning: 'time a workspace link operation takes',
    source: 'model assumption from the dedicated clusters page: linking takes up to 90 minutes',
  },
  unlinkTime: {
    kind: { type: 'durationRange' },
    meaning: 'time a workspace unlink operation takes',
    source: 'model assumption: like a link, up to 90 minutes',
  },
  clusterDeleteTime: {
    kind: { type: 'durationRange' },
    meaning: 'time a cluster delete takes',
    source: 'Some operations are long and can take a while to complete -- these are cluster create, cluster key update and cluster delete.',
  },
  keyVersionCheckInterval: {
    kind: { type: 'duration' },
    meaning:
      'how often a cluster with an empty keyVersion checks Key Vault for a new key version (profiles with auto-rotation), at a phase drawn from the seed: a new version is followed within one interval; a check that cannot follow (the vault unreachable, the wrap refused) is retried at the next',
    source:
      'Azure Storage: "Azure Storage checks the key vault for a new key version only once daily. When you rotate a key, be sure to wait 24 hours before disabling the older version." (the Azure Monitor pages publish no pick-up time of their own)',
  },
  maxClustersPerRegion: {
    kind: { type: 'integer', min: 1, max: 1000 },
    meaning: 'active clusters per region and subscription',
    source: 'The max number of cluster per region and subscription is 2; 2023-06 and later: "A maximum of five active clusters can be created in each region and subscription"',
  },
  maxClustersPerRegionIncludingDeleted: {
    kind: { type: 'integer', min: 1, max: 1000 },
    meaning: 'clusters per region and subscription counting those deleted in the last 14 days',
    source:
      '2021-07: 2 active, 4 including deleted; 2023-06 and later: "A maximum number of seven reserved clusters (active or recently deleted) can exist in each region and subscription" (2020-11 counts active ones only)',
  },
  maxWorkspacesPerCluster: {
    kind: { type: 'integer', min: 1, max: MAX_WORKSPACES },
    meaning: 'workspaces linked to one cluster',
    source: 'The maximum of linked workspaces to cluster is 1000',
  },
  linkOpsPer30Days: {
    kind: { type: 'integer', min: 1, max: 1000 },
    meaning: 'link or unlink operations on one workspace in any 30 days',
    source: 'The number of workspace link operations on particular workspace is limited to 2 in a period of 30 days.',
  },
  clusterNameReservation: {
    kind: { type: 'duration' },
    meaning: 'how long the name of a deleted cluster stays reserved',
    source: 'It may be that you have deleted your cluster in the last 14 days and it’s in a soft-delete period. The cluster name remains reserved during the soft-delete period',
  },
  capacityTiersGBPerDay: {
    kind: { type: 'integerList', min: 1, max: MAX_CAPACITY_GB_PER_DAY },
    meaning: 'the capacity reservations (commitment tiers) a cluster may have, in GB per day; a create or update asking for another value is refused',
    source:
      '2020-11: "Capacity Reservation pricing model starting at 1000 GB/day" (model assumption: this page gives only the start; the tiers 1000 to 3000 in steps of 100 are DOMAIN.md\'s, from the dedicated-clusters page it links to; set this parameter for more); 2021-07: 500, 1000, 2000, 5000; 2023-06: "starting at 500 GB per day": 500, 1000, 2000 or 5000; 2024-01 and 2026-04: 100, 200, 300, 400, 500, 1000, 2000, 5000, 10000, 25000, 50000 (CLI and PowerShell from 500; the model takes REST requests)',
  },
  capacityCommitment: {
    kind: { type: 'duration' },
    meaning: 'how long a capacity tier is held once set (at creation, raised or lowered) before it can be lowered; raising is always allowed; 0s: no commitment',
    source: '2021-07 and later: "A commitment tier can be increased any time, but has 31 days commitment period before it can be reduced." (2020-11: not stated)',
  },
  doubleEncryptionUnsupportedRegions: {
    kind: { type: 'regionList' },
    meaning: 'regions where a cluster cannot have double encryption: a create there is refused unless its request turns double encryption off (isDoubleEncryptionEnabled: false)',
    source:
      '"Double encryption is configured automatically for clusters created from October 2020 in supported regions"; "If you create a cluster and get an error \'<region-name> doesn\'t support Double Encryption for clusters.\', you can still create the cluster without Double Encryption" (the page names no such region: none by default)',
  },
  autoRotation: {
    kind: { type: 'boolean' },
    meaning: 'whether an empty keyVersion is accepted and follows the newest enabled version',
    source: '2020-11: "Customer-Managed key rotation requires an explicit update to the cluster with the new key version"; 2021-07 and later allow an empty version',
  },
  modelShortcutOctKeys: {
    kind: { type: 'boolean' },
    meaning: 'not Azure: lets a cluster use an oct-HSM (AES-256) key, a faster key for tests and explore (no RSA key generation); off, a cluster key must be RSA or RSA-HSM, as in Azure',
    source: 'model shortcut, not Azure: cluster keys are RSA or RSA-HSM of 2048, 3072 or 4096 bits (Azure Storage customer-managed keys); AES keys exist only in Managed HSM',
  },
  blockSlice: {
    kind: { type: 'duration' },
    meaning: 'ingestion time slice: each storage account seals one block per retention group per slice; records of a slice land at its end (whole minutes)',
    source: 'model resolution (not documented): 5 min',
  },
  blockPayloadBytes: {
    kind: { type: 'integer', min: 64, max: 1_048_576 },
    meaning: 'cap on the synthetic payload bytes sealed in one block (a sample of the slice\'s records; the record count is exact)',
    source: 'model resolution (not documented): 1024 bytes',
  },
  querySampleInterval: {
    kind: { type: 'duration' },
    meaning: 'how often each storage account runs one sampled query that really opens the blocks it reads',
    source: 'model resolution (not documented): 1 h',
  },
  querySampleMaxBlocks: {
    kind: { type: 'integer', min: 1, max: 100_000 },
    meaning: 'most blocks a sampled query opens (the newest of its lookback window)',
    source: 'model resolution (not documented): 12',
  },
  hotQueryLatency: {
    kind: { type: 'durationRange' },
    meaning: 'latency of a query whose lookback is all in the hot cache',
    source: 'model assumption: hot-cache (SSD-backed) reads are faster; 200 ms to 800 ms',
  },
  coldQueryLatency: {
    kind: { type: 'durationRange' },
    meaning: 'latency of a query that reads any block outside the hot cache',
    source: 'model assumption: cold reads 1 s to 5 s',
  },
  sloTarget: {
    kind: { type: 'fraction' },
    meaning: 'availability objective for the SLO section (0..1)',
    source: 'model choice: 99.9 %',
  },
  serviceCreditTiers: {
    kind: { type: 'creditTiers' },
    meaning:
      'service-credit tiers: a month whose query uptime (good minutes) is below `below` earns `creditPercent` % back; the highest tier that applies counts',
    source: 'model choice, configurable: the tiers of the Azure SLA for Log Analytics queries (below 99.9 %: 10 %, below 99 %: 25 %)',
  },
  brokenRule: {
    kind: { type: 'enum', values: BROKEN_RULES },
    meaning: 'self-test of the invariant checker: deliberately breaks one documented rule (never set it for a real what-if)',
    source: 'model choice: lets users see explore find and shrink a broken rule',
  },
  unlinkRestoresSavedSearches: {
    kind: { type: 'boolean' },
    meaning: 'whether unlinking the storage account linked for Query (workspace.unlinkStorage) brings back the saved searches its link removed from the workspace',
    source:
      '2026-04: "You can unlink the Storage Account for saved queries, to move saved queries and functions back to your workspace"; earlier pages say only that linking removes them',
  },
  expiredKeyBlocksClusterUpdates: {
    kind: { type: 'boolean' },
    meaning: "whether every cluster update is refused while the cluster's current key version is expired, until its expiry is extended (unwraps go on)",
    source:
      '2026-04: "When the key expires, ingestion and queries aren\'t affected, but you can\'t update the key in the cluster": extend the key expiration date, then update the cluster; earlier pages say nothing of an expired current key',
  },
  keyVaultRbac: {
    kind: { type: 'boolean' },
    meaning: 'whether a vault may use Azure RBAC (permissionModel: rbac), granting the cluster the role Key Vault Crypto Service Encryption User instead of an access policy',
    source:
      '2023-06 and later: "There are two permission models in Key Vault to grant access to your cluster and underlay storage: Azure role-based access control (Azure RBAC), and Vault access policies (legacy)", with the "Key Vault Crypto Service Encryption User" role; earlier pages grant by access policy only',
  },
  userAssignedIdentity: {
    kind: { type: 'boolean' },
    meaning: 'whether a cluster may use a user-assigned identity (identity type UserAssigned), granted in Key Vault before the cluster exists, so the key can be set at creation; never with a Private-Link vault',
    source:
      '2023-06 and later: "User-assigned managed identity lets you configure customer-managed keys at cluster creation, when granting it permissions in your Key Vault before cluster creation"; "You can\'t use Customer-managed key with User-assigned managed identity if your Key Vault is in Private-Link (vNet)"; earlier pages: system-assigned only',
  },
  identityTypeSwitch: {
    kind: { type: 'boolean' },
    meaning: "whether a cluster's identity may change between system-assigned and user-assigned (or to another user-assigned identity) after creation, without interruption; otherwise such an update is refused",
    source:
      '2026-04: "Identity type can be changed after the cluster is created with no interruption to ingestion or queries": grant the new identity in Key Vault, then update identity in cluster; earlier pages describe no such change',
  },
  hotCacheReload: {
    kind: { type: 'boolean' },
    meaning: 'whether the SSD hot cache deleted by a revocation is reloaded from storage (the last hotCacheDays days) once ingestion and queries resume; until it is, queries of older data read cold',
    source:
      '2023-06 and later: "Once the key is enabled and unwrap succeeds, SSD data is reloaded from storage. Data ingestion and query functionality are resumed within 30 minutes."; earlier pages say only that the hot cache "gets deleted on key revocation operation"',
  },
  hotCacheReloadTime: {
    kind: { type: 'durationRange' },
    meaning: 'time from the resume after a revocation until the hot cache is reloaded from storage (with hotCacheReload)',
    source: 'model assumption: the page gives no time for "SSD data is reloaded from storage"; taken as within 30 minutes, the bound it gives the resume',
  },
  auxiliaryTablePlan: {
    kind: { type: 'boolean' },
    meaning: 'whether workspaces may send records to tables on the Auxiliary plan (ingest.auxiliaryRecordsPerMinute, query.auxiliaryPerHour): they stay under Microsoft keys whatever the cluster\'s key, and their queries never fail for it',
    source:
      '2024-01 and later: "The Auxiliary table plan doesn\'t support customer-managed keys. Data in tables with the Auxiliary plan is encrypted with Microsoft-managed keys, even if you protect the data in the rest of your Log Analytics workspace using your own encryption key"; earlier pages know no Auxiliary plan',
  },
};

export const PARAM_NAMES = Object.keys(PARAM_SPECS) as ParamName[];

/** Parameters of earlier versions, and what a scenario sets instead: a file naming one is told so. */
export const RETIRED_PARAMS: Readonly<Record<string, string>> = {
  minCapacityGBPerDay: 'capacityTiersGBPerDay, the list of the allowed capacity tiers in GB per day (its first is the minimum), e.g. [500, 1000, 2000, 5000]',
  autoRotationDetection: 'keyVersionCheckInterval, how often a cluster with an empty keyVersion checks for a new key version (Azure Storage: "only once daily", default 1d), at a phase drawn from the seed',
};

const r = (min: number, max: number): RangeMs => [min, max];

const BASE_2020_11: Params = {
  unwrapPollInterval: r(6 * MS_PER_SECOND, 60 * MS_PER_SECOND),
  outageToUnavailable: 30 * MS_PER_MINUTE,
  mmkBufferMaxAge: 4 * MS_PER_HOUR,
  revocationWithin: MS_PER_HOUR,
  revocationWhileUnreachable: 'atNextAnswer',
  resumeWithin: 30 * MS_PER_MINUTE,
  delayMode: 'uniform',
  outageHandling: 'unavailableAfterTimeout',
  hotCacheDays: 14,
  hotCacheScope: 'lastDays',
  keyVaultThrottleLimitPer10s: 4000,
  storageAccountsPerCluster: 2,
  clusterProvisionTime: r(10 * MS_PER_MINUTE, MS_PER_HOUR),
  keyUpdateTime: r(MS_PER_MINUTE, 5 * MS_PER_MINUTE),
  linkTime: r(MS_PER_MINUTE, 90 * MS_PER_MINUTE),
  unlinkTime: r(MS_PER_MINUTE, 90 * MS_PER_MINUTE),
  clusterDeleteTime: r(5 * MS_PER_MINUTE, 30 * MS_PER_MINUTE),
  keyVersionCheckInterval: MS_PER_DAY,
  maxClustersPerRegion: 2,
  maxClustersPerRegionIncludingDeleted: 1000,
  maxWorkspacesPerCluster: 1000,
  linkOpsPer30Days: 2,
  clusterNameReservation: 14 * MS_PER_DAY,
  capacityTiersGBPerDay: Array.from({ length: 21 }, (_, i) => 1000 + 100 * i),
  capacityCommitment: 0,
  doubleEncryptionUnsupportedRegions: [],
  autoRotation: false,
  modelShortcutOctKeys: false,
  blockSlice: 5 * MS_PER_MINUTE,
  blockPayloadBytes: 1024,
  querySampleInterval: MS_PER_HOUR,
  querySampleMaxBlocks: 12,
  hotQueryLatency: r(200, 800),
  coldQueryLatency: r(MS_PER_SECOND, 5 * MS_PER_SECOND),
  sloTarget: 0.999,
  serviceCreditTiers: [
    { below: 0.999, creditPercent: 10 },
    { below: 0.99, creditPercent: 25 },
  ],
  brokenRule: 'none',
  unlinkRestoresSavedSearches: false,
  expiredKeyBlocksClusterUpdates: false,
  keyVaultRbac: false,
  userAssignedIdentity: false,
  identityTypeSwitch: false,
  hotCacheReload: false,
  hotCacheReloadTime: r(0, 30 * MS_PER_MINUTE),
  auxiliaryTablePlan: false,
};

const BASE_2023_06: Params = {
  ...BASE_2020_11,
  outageHandling: 'keepCachedKey',
  autoRotation: true,
  maxClustersPerRegion: 5,
  maxClustersPerRegionIncludingDeleted: 7,
  capacityTiersGBPerDay: [500, 1000, 2000, 5000],
  capacityCommitment: 31 * MS_PER_DAY,
  clusterProvisionTime: r(90 * MS_PER_MINUTE, 150 * MS_PER_MINUTE),
  hotCacheScope: 'lastDaysOrRecentlyQueried',
  keyVaultRbac: true,
  userAssignedIdentity: true,
  hotCacheReload: true,
};

const BASE_2024_01: Params = {
  ...BASE_2023_06,
  auxiliaryTablePlan: true,
  capacityTiersGBPerDay: [100, 200, 300, 400, 500, 1000, 2000, 5000, 10_000, 25_000, 50_000],
};

export const PROFILE_DEFAULTS: { readonly [P in ProfileName]: Params } = {
  '2020-11': BASE_2020_11,
  '2021-07': {
    ...BASE_2020_11,
    outageHandling: 'keepCachedKey',
    autoRotation: true,
    maxClustersPerRegion: 2,
    maxClustersPerRegionIncludingDeleted: 4,
    capacityTiersGBPerDay: [500, 1000, 2000, 5000],
    capacityCommitment: 31 * MS_PER_DAY,
    clusterProvisionTime: r(MS_PER_HOUR, 4 * MS_PER_HOUR),
  },
  '2023-06': BASE_2023_06,
  '2024-01': BASE_2024_01,
  '2026-04': {
    ...BASE_2024_01,
    revocationWhileUnreachable: 'onTime',
    unlinkRestoresSavedSearches: true,
    expiredKeyBlocksClusterUpdates: true,
    identityTypeSwitch: true,
  },
};
