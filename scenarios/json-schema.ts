// The JSON Schema of scenario files (scenarios/scenario.schema.json), for
// editors: completion, descriptions on hover, problems as you type. It is
// made from the loader's own checks (scenarios/schema.ts), the parameter
// specs and the enums, so it cannot drift from them: `npm run schema`
// rewrites the file, and a test checks the committed file is what this makes.
//
// Draft 2020-12, written only with keywords that mean the same in draft-07
// (no prefixItems, no unevaluated*, no $ref beside other keywords), because
// the YAML language server behind VS Code's YAML extension and others
// validates with draft-07 rules.
//
// Where a rule of the loader cannot be said in JSON Schema (a name must be
// declared, a duration greater than 0, min at most max, a real calendar date,
// an action before the end, names unique), the schema is the looser one: what
// it rejects, the loader rejects too, at the same field path
// (test/json-schema.test.ts).

import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PROFILE, PARAM_NAMES, PARAM_SPECS, PROFILE_DEFAULTS, PROFILES, type ParamName } from '../sim/azure/profiles.ts';
import { formatDuration } from '../sim/engine/duration.ts';
import { showParamValue } from '../reports/params-table.ts';
import { BUILTIN_INDEX_FILE, builtinIndexText } from './builtin-index.ts';
import { listBuiltins } from './load.ts';
import { EXPECT_OPS, FAULT_PROCESSES, KEY_TYPES, RSA_SIZES, type ActionName, type FaultProcessName } from '../sim/scenario.ts';
import {
  ACCESS_POLICY_FIELDS,
  ACTION_FIELDS,
  ACTION_NAME,
  ACTION_NAMES,
  DESCRIPTION,
  BILLING_TYPE,
  BOOLEAN,
  CAPACITY_GB_PER_DAY,
  CLUSTER_FIELDS,
  CLUSTER_KEY_FIELDS,
  CLUSTER_KEY_VERSION,
  CLUSTER_NAME,
  DEFAULTS,
  DURATION,
  DURATION_DISTRIBUTION,
  EXPECT_FIELDS,
  ANY_FAULT_FIELDS,
  FAULT_FIELDS,
  FAULT_PROCESS,
  FRACTION,
  GB_PER_DAY,
  WORKSPACE_INGEST_FIELDS,
  WORKSPACE_QUERY_FIELDS,
  KEY_FIELDS,
  KEY_NAME,
  KEY_TYPE,
  LIMIT_PER_10S,
  METRIC,
  NAME_OF_CLUSTER,
  NAME_OF_KEY,
  NAME_OF_VAULT,
  PER_HOUR,
  PERMISSION_LIST,
  POSITIVE_DURATION,
  PROFILE,
  RECORDS_PER_MINUTE,
  AUXILIARY_RECORDS_PER_MINUTE,
  REGION,
  RETENTION_DAYS,
  SAVED_SEARCHES,
  SCENARIO_NAME,
  SEED,
  SLO_SPEC,
  SETUP,
  SOFT_DELETE_RETENTION_DAYS,
  PERMISSION_MODEL,
  IDENTITY_FIELDS,
  IDENTITY_NAME_CHECK,
  NAME_OF_PRINCIPAL,
  START,
  STORAGE_ACCOUNTS,
  SUBSCRIPTION,
  TENANT,
  TOP_FIELDS,
  VAULT_FIELDS,
  VAULT_NAME,
  VERSION_ID,
  WORKSPACE_FIELDS,
  WORKSPACE_NAME,
  keyTypeRules,
  orNull,
  paramCheck,
  type JsonSchema,
  type World,
} from './schema.ts';

/** Where the schema is, relative to the package. */
export const SCHEMA_FILE = 'scenarios/scenario.schema.json';

type Properties<F extends readonly string[]> = { readonly [K in F[number]]: JsonSchema };

/** A field's schema with its description first (what an editor shows on hover). */
function doc(json: JsonSchema, description: string, defaultValue?: unknown): JsonSchema {
  return { description, ...json, ...(defaultValue === undefined ? {} : { default: defaultValue }) };
}

/** An optional field: described, and null accepted (the loader takes null for absent). */
function opt(json: JsonSchema, description: string, defaultValue?: unknown): JsonSchema {
  return doc(orNull(json), description, defaultValue);
}

/** An object with exactly the loader's fields, in the loader's order. */
function object<F extends readonly string[]>(fields: F, properties: Properties<F>, required: readonly F[number][] = []): JsonSchema {
  return {
    type: 'object',
    properties: Object.fromEntries(fields.map((f: F[number]) => [f, properties[f]])),
    ...(required.length === 0 ? {} : { required: [...required] }),
    additionalProperties: false,
  };
}

function list(items: JsonSchema): JsonSchema {
  return { type: 'array', items };
}

// ---------------------------------------------------------------------------
// Parameters: the README's parameter table, as descriptions

/** A parameter's value as the scenario file writes it ("30m", ["6s", "60s"]). */
function fileValue(name: ParamName, value: unknown): unknown {
  switch (PARAM_SPECS[name].kind.type) {
    case 'duration':
      return formatDuration(value as number);
    case 'durationRange':
      return (value as readonly number[]).map(formatDuration);
    default:
      return value;
  }
}

function paramSchema(name: ParamName): JsonSchema {
  const spec = PARAM_SPECS[name];
  const shown = PROFILES.map((p) => showParamValue(spec, PROFILE_DEFAULTS[p][name]));
  const same = shown.every((d) => d === shown[0]);
  const defaults = same ? shown[0] : PROFILES.map((p, i) => `${p}: ${shown[i]}`).join('; ');
  const description = `${spec.meaning}. Default: ${defaults}. From the documentation: ${spec.source}`;
  return doc(paramCheck(name).json, description, same ? fileValue(name, PROFILE_DEFAULTS[DEFAULT_PROFILE][name]) : undefined);
}

const PARAMS = doc(
  orNull({ type: 'object', properties: Object.fromEntries(PARAM_NAMES.map((name) => [name, paramSchema(name)])), additionalProperties: false }),
  "Overrides of the profile's parameters (the README's parameter table); --param name=value overrides these.",
);

// ---------------------------------------------------------------------------
// Entities

const PLACEMENT = {
  region: opt(REGION.json, 'Azure region, e.g. eastus. Default: the top-level region.'),
  tenant: opt(TENANT.json, 'Tenant. Default: the top-level tenant.'),
  subscription: opt(SUBSCRIPTION.json, 'Subscription. Default: the top-level subscription.'),
};

const RSA = keyTypeRules('RSA');
const OCT = keyTypeRules('oct-HSM');

const KEY: JsonSchema = {
  ...object(
    KEY_FIELDS,
    {
      name: doc(KEY_NAME.json, 'Key name: 1 to 127 letters, digits and hyphens.'),
      kty: opt(KEY_TYPE.json, `Key type: ${KEY_TYPES.join(', ')}.`, DEFAULTS.kty),
      size: doc({}, `Key size in bits: RSA and RSA-HSM ${RSA_SIZES.join(', ')} (default ${DEFAULTS.rsaSizeBits}); oct-HSM ${DEFAULTS.octSizeBits}.`),
      wrapAlgorithm: doc({}, `Wrap algorithm: RSA and RSA-HSM ${DEFAULTS.rsaWrapAlgorithm} (default) or RSA-OAEP; oct-HSM ${DEFAULTS.octWrapAlgorithm}.`),
      versions: opt(
        { type: 'array', items: VERSION_ID.json, minItems: 1 },
        `Version ids in creation order. Default [${DEFAULTS.versions.join(', ')}]; each key.rotate adds the next (v2, v3, ...).`,
      ),
    },
    ['name'],
  ),
  // The size and algorithm follow the key type (RSA when none is given); a wrong type leaves them unchecked, as the loader does.
  allOf: [
    {
      if: { properties: { kty: { enum: ['RSA', 'RSA-HSM', null] } } },
      then: { properties: { size: orNull(RSA.size.json), wrapAlgorithm: orNull(RSA.wrapAlgorithm.json) } },
    },
    {
      if: { properties: { kty: { const: 'oct-HSM' } }, required: ['kty'] },
      then: { properties: { size: orNull(OCT.size.json), wrapAlgorithm: orNull(OCT.wrapAlgorithm.json) } },
    },
  ],
};

const VAULT = object(
  VAULT_FIELDS,
  {
    name: doc(VAULT_NAME.json, 'Key Vault name: 3 to 24 lowercase letters, digits and hyphens.'),
    ...PLACEMENT,
    softDelete: opt(BOOLEAN.json, 'Soft delete. A vault without soft delete or purge protection is refused as a cluster key (KeyVaultNotRecoverable).', DEFAULTS.softDelete),
    purgeProtection: opt(BOOLEAN.json, 'Purge protection: a deleted key cannot be purged.', DEFAULTS.purgeProtection),
    softDeleteRetentionDays: opt(SOFT_DELETE_RETENTION_DAYS.json, 'Days a deleted key can be recovered.', DEFAULTS.softDeleteRetentionDays),
    privateLink: opt(BOOLEAN.json, "In a Private-Link (virtual network): a cluster with a user-assigned identity can't use its keys (UserAssignedIdentityWithPrivateLink).", DEFAULTS.privateLink),
    permissionModel: opt(
      PERMISSION_MODEL.json,
      'How the vault grants its keys: accessPolicy (access policies), or rbac (Azure RBAC: the role Key Vault Crypto Service Encryption User, assigned with roleAssignment.create; the parameter keyVaultRbac, profile 2023-06 and later).',
      DEFAULTS.permissionModel,
    ),
    keys: opt(list(KEY), 'The keys of the vault.'),
    accessPolicies: opt(
      list(
        object(
          ACCESS_POLICY_FIELDS,
          {
            principal: doc(NAME_OF_PRINCIPAL.json, 'Who the policy grants: a cluster (its system-assigned identity) or a user-assigned identity, by name.'),
            permissions: doc(PERMISSION_LIST.json, 'Key permissions: get, wrapKey, unwrapKey (a policy without unwrapKey is a denial).'),
          },
          ['principal', 'permissions'],
        ),
      ),
      'Access policies besides those setup: ready grants (get, wrapKey, unwrapKey to each cluster keyed to this vault).',
    ),
  },
  ['name'],
);

const CLUSTER = object(
  CLUSTER_FIELDS,
  {
    name: doc(CLUSTER_NAME.json, "Cluster name (Azure's rule, 3 to 63 letters and digits, is checked when the cluster is created: InvalidClusterName)."),
    ...PLACEMENT,
    capacityGBPerDay: opt(CAPACITY_GB_PER_DAY.json, 'Capacity reservation in GB per day: one of the tiers of the parameter capacityTiersGBPerDay.', DEFAULTS.capacityGBPerDay),
    billingType: opt(BILLING_TYPE.json, 'Billing type: Cluster or Workspaces.', DEFAULTS.billingType),
    doubleEncryption: opt(BOOLEAN.json, 'Double encryption (an infrastructure layer); fixed when the cluster is created.', DEFAULTS.doubleEncryption),
    storageAccounts: opt(STORAGE_ACCOUNTS.json, 'Storage accounts of the cluster, each with its own AEK. Default: the parameter storageAccountsPerCluster (2).'),
    key: opt(
      object(
        CLUSTER_KEY_FIELDS,
        {
          vault: doc(NAME_OF_VAULT.json, 'A name of keyVaults.'),
          name: doc(NAME_OF_KEY.json, 'A key of that vault.'),
          version: opt(CLUSTER_KEY_VERSION.json, 'A version id of that key, or "" to follow the newest version (profiles with auto-rotation). Default: the newest, pinned.'),
        },
        ['vault', 'name'],
      ),
      'The key setup: ready sets on the cluster (not allowed with setup: none: use a cluster.update action).',
    ),
  },
  ['name'],
);

const WORKSPACE = object(
  WORKSPACE_FIELDS,
  {
    name: doc(WORKSPACE_NAME.json, 'Workspace name: 1 to 63 letters, digits and hyphens.'),
    ...PLACEMENT,
    cluster: opt(NAME_OF_CLUSTER.json, 'The cluster setup: ready links it to. Omit it and the workspace writes to shared storage under the Microsoft key (MMK).'),
    retentionDays: opt(RETENTION_DAYS.json, 'Days of data kept.', DEFAULTS.retentionDays),
    savedSearches: opt(SAVED_SEARCHES.json, 'Saved searches in the workspace (a Query storage link removes them).', DEFAULTS.savedSearches),
    ingest: opt(
      object(WORKSPACE_INGEST_FIELDS, {
        gbPerDay: opt(GB_PER_DAY.json, 'GB ingested per day.', DEFAULTS.ingestGBPerDay),
        recordsPerMinute: opt(RECORDS_PER_MINUTE.json, 'Records ingested per minute (counted exactly).', DEFAULTS.recordsPerMinute),
        auxiliaryRecordsPerMinute: opt(
          AUXILIARY_RECORDS_PER_MINUTE.json,
          'Records per minute to tables on the Auxiliary plan, besides recordsPerMinute: they stay under Microsoft keys whatever the cluster\'s key (the parameter auxiliaryTablePlan, 2024-01 and later).',
          0,
        ),
      }),
      'The ingestion workload.',
    ),
    query: opt(
      object(WORKSPACE_QUERY_FIELDS, {
        perHour: opt(PER_HOUR.json, 'Queries per hour.', DEFAULTS.queriesPerHour),
        lookback: opt(DURATION.json, 'How far back each query reads.', formatDuration(DEFAULTS.queryLookbackMs)),
        auxiliaryPerHour: opt(PER_HOUR.json, 'Queries per hour of the tables on the Auxiliary plan, besides perHour, with the same lookback: they never fail for the customer key (the parameter auxiliaryTablePlan).', 0),
      }),
      'The query workload.',
    ),
  },
  ['name'],
);

// ---------------------------------------------------------------------------
// Actions, random faults, expectations

/** What each action does (the README's action table). */
const ACTION_DOCS: { readonly [N in ActionName]: string } = {
  'keyVault.outage': 'Every Key Vault request fails as unreachable (an error) for `for`.',
  'keyVault.transient': 'Each Key Vault request fails with probability failureRate (an error) for `for`.',
  'keyVault.denyNetwork': 'Network rules block the cluster (an error, not a denial) for `for`.',
  'keyVault.throttle': 'HTTP 429 above limitPer10s requests per 10 seconds (an error) for `for`.',
  'key.disable': 'Disables a key version (default the newest): a denial.',
  'key.enable': 'Enables a key version again (default the newest).',
  'key.rotate': 'Creates the next key version (v2, v3, ... or `version`); clusters with an empty keyVersion follow it (auto-rotation profiles).',
  'key.delete': 'Soft-deletes the key: a denial.',
  'key.recover': 'Recovers a soft-deleted key.',
  'key.purge': 'Purges a deleted key (refused under purge protection).',
  'key.setExpiry': 'Sets the expiry of a key version: an expired version cannot be set on a cluster (with the parameter expiredKeyBlocksClusterUpdates, 2026-04, an expired current key blocks every cluster update); unwraps go on.',
  'accessPolicy.set': 'Grants a cluster key permissions; a policy without unwrapKey is a denial.',
  'accessPolicy.remove': "Removes the cluster's access policy: a denial.",
  'roleAssignment.create': 'Assigns a role on a vault with permissionModel rbac: Key Vault Crypto Service Encryption User grants get, wrapKey and unwrapKey.',
  'roleAssignment.delete': 'Removes the role assignment: a denial, as removing an access policy is.',
  'cluster.create': 'Creates the cluster (it provisions for the parameter clusterProvisionTime).',
  'cluster.update': 'ARM PATCH of the cluster: a key update re-wraps each AEK after the parameter keyUpdateTime.',
  'cluster.setIdentity': 'Sets the cluster identity; None is a denial and cannot be undone.',
  'cluster.delete': 'Deletes the cluster: unlinks its workspaces at once; the name stays reserved 14 days.',
  'workspace.link': 'Links the workspace to a cluster (after the parameter linkTime it writes there).',
  'workspace.unlink': 'Unlinks the workspace (after the parameter unlinkTime it writes to shared storage).',
  'workspace.linkStorage': "Brings your own storage for saved searches (Query) or alert queries (Alerts); a Query link removes the workspace's saved searches.",
  'workspace.unlinkStorage':
    'Removes the storage account linked for saved searches (Query) or alert queries (Alerts); with the parameter unlinkRestoresSavedSearches (2026-04) the saved searches its Query link removed come back.',
  'workspace.setIngest': 'Changes the ingestion workload from then on (gbPerDay, recordsPerMinute, or ingest: {...}).',
  'workspace.setQuery': 'Changes the query workload from then on (perHour, lookback, or query: {...}).',
  'lockbox.request': "A Microsoft engineer's access request to a linked workspace, decided by the customer after `after`.",
};

/** What each action field means; a name means the same thing in every action that takes it. */
const ACTION_FIELD_DOCS: Readonly<Record<string, string>> = {
  vault: 'A name of keyVaults.',
  key: 'A key of that vault.',
  version: 'A key version id. Default: the newest (key.rotate: the next, v2, v3, ...).',
  for: 'How long it lasts: a duration greater than 0.',
  failureRate: 'Probability that a request fails, 0 to 1.',
  limitPer10s: 'Requests per 10 seconds above which Key Vault answers 429.',
  exp: 'Expiry time: a duration from t=0.',
  principal: 'Who is granted: a cluster name (its system-assigned identity) or the name of a user-assigned identity.',
  permissions: 'Key permissions: get, wrapKey, unwrapKey.',
  role: 'The Azure RBAC role: Key Vault Crypto Service Encryption User.',
  cluster: 'A name of clusters.',
  body: 'The ARM request body: identity {type, userAssignedIdentities}, sku {name, capacity}, properties {keyVaultProperties {keyVaultUri, keyName, keyVersion}, billingType, isDoubleEncryptionEnabled}.',
  type: 'cluster.setIdentity: SystemAssigned or None; workspace.linkStorage and workspace.unlinkStorage: Query or Alerts.',
  workspace: 'A name of workspaces.',
  storageAccount: 'Storage account name: 3 to 24 lowercase letters and digits.',
  region: 'Region of the linked storage account. Default: the workspace region.',
  gbPerDay: 'New GB ingested per day.',
  recordsPerMinute: 'New records ingested per minute.',
  ingest: 'The new ingestion workload {gbPerDay, recordsPerMinute}, instead of the flat fields.',
  perHour: 'New queries per hour.',
  lookback: 'New query lookback: a duration.',
  query: 'The new query workload {perHour, lookback}, instead of the flat fields.',
  decision: 'approve or reject.',
  after: 'How long the customer takes to decide: a duration.',
};

function actionField(name: string, json: JsonSchema, isRequired: boolean): JsonSchema {
  const description = ACTION_FIELD_DOCS[name];
  if (description === undefined) throw new Error(`json-schema: no description for the action field ${name}`);
  return isRequired ? doc(json, description) : opt(json, description);
}

// References and key names are checked against the declarations by the loader; the schema says "a name".
const NO_DECLARATIONS: World = { vaults: new Map(), vaultNames: [], clusterNames: [], workspaceNames: [], principalNames: [] };

const ACTION: JsonSchema = {
  type: 'object',
  properties: {
    at: doc(DURATION.json, 'When: a duration from t=0, before the end of the scenario.'),
    do: doc(ACTION_NAME.json, 'The action; each takes its own fields.'),
  },
  required: ['at', 'do'],
  // The fields of the action `do` names; while `do` is wrong none are checked, as in the loader.
  allOf: ACTION_NAMES.map((name) => {
    const fields = ACTION_FIELDS[name];
    return {
      if: { properties: { do: { const: name } }, required: ['do'] },
      then: {
        description: ACTION_DOCS[name],
        properties: {
          at: true,
          do: true,
          ...Object.fromEntries(fields.map((f) => [f.name, actionField(f.name, f.check(NO_DECLARATIONS, {}).json, f.required)])),
        },
        required: fields.filter((f) => f.required).map((f) => f.name),
        additionalProperties: false,
      },
    };
  }),
};

const FAULT_DOCS: { readonly [P in FaultProcessName]: string } = {
  'keyVault.outage': 'Key Vault outages at random times.',
  'keyVault.denyNetwork': 'Network denials of Key Vault at random times.',
  'keyVault.transient': 'Bursts of transient Key Vault errors at random times.',
  'keyVault.throttle': 'Key Vault throttling at random times.',
  'key.accidentalDisable': 'The newest key version disabled by mistake, and enabled again once someone notices.',
};

const FAULT_FIELD_SCHEMAS: Readonly<Record<string, JsonSchema>> = {
  duration: doc(DURATION_DISTRIBUTION.json, 'How long each occurrence lasts: a duration (45m), {uniform: [min, max]}, {exponential: mean} or {lognormal: {median, p90}}.'),
  failureRate: doc(FRACTION.json, 'Probability that a request fails, 0 to 1.'),
  limitPer10s: doc(LIMIT_PER_10S.json, 'Requests per 10 seconds above which Key Vault answers 429.'),
  key: doc(KEY_NAME.json, 'A key of that vault.'),
  timeToNotice: doc(DURATION_DISTRIBUTION.json, 'How long until someone notices and enables the version again: a duration or a distribution.'),
};

function faultField(name: string): JsonSchema {
  const json = FAULT_FIELD_SCHEMAS[name];
  if (json === undefined) throw new Error(`json-schema: no schema for the fault field ${name}`);
  return json;
}

const FAULT_COMMON = {
  process: doc(FAULT_PROCESS.json, 'The kind of fault.'),
  vault: doc({ type: 'string' }, 'A name of keyVaults.'),
  meanTimeBetween: doc(POSITIVE_DURATION.json, 'Mean time from the end of one occurrence to the start of the next (exponential gaps).'),
};
const COMMON_ONLY = { process: true, vault: true, meanTimeBetween: true };

const FAULT: JsonSchema = {
  type: 'object',
  properties: FAULT_COMMON,
  required: Object.keys(FAULT_COMMON),
  allOf: [
    ...FAULT_PROCESSES.map((process) => ({
      if: { properties: { process: { const: process } }, required: ['process'] },
      then: {
        description: FAULT_DOCS[process],
        properties: { ...COMMON_ONLY, ...Object.fromEntries(FAULT_FIELDS[process].map((f) => [f, faultField(f)])) },
        required: [...FAULT_FIELDS[process]],
        additionalProperties: false,
      },
    })),
    // Without a known process, the fields of any process are known, as in the loader.
    {
      if: { properties: { process: { enum: [...FAULT_PROCESSES] } }, required: ['process'] },
      else: { properties: { ...COMMON_ONLY, ...Object.fromEntries(ANY_FAULT_FIELDS.map((f) => [f, true])) }, additionalProperties: false },
    },
  ],
};

const COMPARISONS: { readonly [Op in (typeof EXPECT_OPS)[number]]: JsonSchema } = {
  equals: doc({ type: ['number', 'string', 'boolean', 'null'] }, 'The metric equals this value: a number, text, true, false or null.'),
  atLeast: doc({ type: 'number' }, 'The metric is at least this number.'),
  atMost: doc({ type: 'number' }, 'The metric is at most this number.'),
  lessThan: doc({ type: 'number' }, 'The metric is less than this number.'),
  greaterThan: doc({ type: 'number' }, 'The metric is greater than this number.'),
};
const EXACTLY_ONE_COMPARISON = { oneOf: EXPECT_OPS.map((op) => ({ required: [op] })) };

const EXPECTATION: JsonSchema = {
  ...object(EXPECT_FIELDS, {
    metric: doc(METRIC.json, 'A path into sla.json, e.g. totals.query.availability, "operations[2].status" (quote [ ] in YAML flow maps), incidents.length; checked before the run.'),
    equals: { description: COMPARISONS.equals.description },
    atLeast: { description: COMPARISONS.atLeast.description },
    atMost: { description: COMPARISONS.atMost.description },
    lessThan: { description: COMPARISONS.lessThan.description },
    greaterThan: { description: COMPARISONS.greaterThan.description },
  }, ['metric']),
  // Exactly one comparison, and then its value is checked (as in the loader, which checks no value when there are two).
  if: EXACTLY_ONE_COMPARISON,
  then: { properties: COMPARISONS },
  else: EXACTLY_ONE_COMPARISON,
};

// ---------------------------------------------------------------------------
// The scenario

const TOP: Properties<typeof TOP_FIELDS> = {
  name: doc(SCENARIO_NAME.json, 'Scenario name: 1 to 100 lowercase letters, digits and hyphens; the output folder is out/<name>-seed<seed>.'),
  description: opt(DESCRIPTION.json, 'One line saying what the scenario shows (cmk-sim list prints it).'),
  profile: opt(PROFILE.json, 'The documentation version whose behaviour and parameter defaults apply; --profile overrides it.', DEFAULT_PROFILE),
  seed: opt(SEED.json, 'Random seed; --seed overrides it.', DEFAULTS.seed),
  start: opt(START.json, 'Wall-clock time of t=0, for display: ISO 8601 with a zone.', DEFAULTS.startIso),
  duration: doc(POSITIVE_DURATION.json, 'How long the scenario runs: 250ms, 90s, 45m, 6h, 2d, 1d6h, or ISO 8601 (PT45M, P2D).'),
  tenant: opt(TENANT.json, 'Tenant of every vault, cluster and workspace that does not name one.', DEFAULTS.tenant),
  subscription: opt(SUBSCRIPTION.json, 'Subscription of every vault, cluster and workspace that does not name one.', DEFAULTS.subscription),
  region: opt(REGION.json, 'Region of every vault, cluster and workspace that does not name one.', DEFAULTS.region),
  setup: opt(
    SETUP.json,
    'ready: before t=0 each cluster is created, granted Get, Wrap Key and Unwrap Key on its vault and given its key, and its workspaces are linked. none: nothing exists until actions create it.',
    DEFAULTS.setup,
  ),
  params: PARAMS,
  keyVaults: opt(list(VAULT), 'The key vaults and their keys.'),
  clusters: opt(list(CLUSTER), 'The dedicated clusters.'),
  workspaces: opt(list(WORKSPACE), 'The Log Analytics workspaces and their workloads.'),
  userAssignedIdentities: opt(
    list(object(IDENTITY_FIELDS, { name: doc(IDENTITY_NAME_CHECK.json, 'Identity name: 3 to 128 letters, digits, hyphens and underscores; the access policy or role principal, and the last segment of its resource id in a cluster body.') }, ['name'])),
    'User-assigned identities (the parameter userAssignedIdentity, 2023-06 and later): they exist from t=0, so Key Vault can grant one before the cluster that uses it is created.',
  ),
  actions: opt(list(ACTION), 'What happens, and when: each action at a duration from t=0.'),
  faults: opt(list(FAULT), 'Random fault processes: occurrences drawn from the seed, played as the action of the same name.'),
  expect: opt(list(EXPECTATION), 'Checked after the run against sla.json; a failure exits 1.'),
  slo: opt(
    SLO_SPEC.json,
    'Your own SLO instead of the parameter sloTarget and the SRE workbook alerts: an OpenSLO v1 document of kind SLO (objectives, timeWindow, alertPolicies with burn-rate conditions), a list of OpenSLO documents (the SLO and the AlertPolicy and AlertCondition documents it names), or a Sloth spec (version: prometheus/v1). --slo FILE replaces it.',
  ),
};

/** The whole schema, as written to scenarios/scenario.schema.json. */
export function scenarioJsonSchema(): JsonSchema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'cmk-sim scenario',
    description:
      'A cmk-sim scenario file (YAML or JSON), made from the loader by npm run schema. cmk-sim validate also checks what a schema cannot: declared names, times, ranges, metric paths.',
    ...object(TOP_FIELDS, TOP, ['name', 'duration']),
  };
}

/** The file's text: the schema as two-space JSON with a final newline. */
export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}

// `npm run schema` writes the files made from the loader: the schema, and the built-ins' index that `list` prints.
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeGenerated(new URL('./scenario.schema.json', import.meta.url), SCHEMA_FILE, scenarioJsonSchemaText());
  writeGenerated(new URL(`./builtin/${BUILTIN_INDEX_FILE}`, import.meta.url), `scenarios/builtin/${BUILTIN_INDEX_FILE}`, builtinIndexText(listBuiltins()));
}

function writeGenerated(path: URL, shown: string, text: string): void {
  let before = '';
  try {
    before = readFileSync(path, 'utf8');
  } catch {
    // No file yet: it is written below.
  }
  writeFileSync(path, text);
  process.stdout.write(`${before === text ? 'unchanged' : 'wrote'} ${shown} (${text.length} bytes)\n`);
}
