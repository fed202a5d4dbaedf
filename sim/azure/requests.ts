// ARM request bodies of the cluster (PUT to create, PATCH to update), read
// the way Azure reads them: every malformed field is a problem with its path.
// The loader uses this to validate scenario files; the control plane to
// answer 400 at run time.

import { MAX_CAPACITY_GB_PER_DAY } from '../limits.ts';

const IDENTITY_TYPES = ['SystemAssigned', 'UserAssigned', 'None'] as const;
export type IdentityType = (typeof IDENTITY_TYPES)[number];

/** A user-assigned identity's name: 3 to 128 letters, digits, hyphens and underscores, starting with a letter or digit. */
export const IDENTITY_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{2,127}$/;

/** Letters matched in either case: ARM resource ids are case-insensitive, and a JSON Schema pattern has no flags. */
const caseless = (text: string) => [...text].map((c) => (/[a-z]/i.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c.replace('.', '\\.'))).join('');
/** The key of userAssignedIdentities: the identity's ARM resource id, whose last segment is its name. */
const IDENTITY_RESOURCE_ID = `^/${caseless('subscriptions')}/[^/]+/${caseless('resourceGroups')}/[^/]+/${caseless('providers')}/${caseless('Microsoft.ManagedIdentity')}/${caseless('userAssignedIdentities')}/${IDENTITY_NAME.source.slice(1)}`;
const IDENTITY_RESOURCE_ID_EXPECTED =
  'a user-assigned identity resource id, /subscriptions/<subscription>/resourceGroups/<group>/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>';
const BILLING_TYPES = ['Cluster', 'Workspaces'] as const;
export type BillingType = (typeof BILLING_TYPES)[number];

export interface KeyVaultProperties {
  keyVaultUri: string;
  keyName: string;
  /** "" means the newest version (profiles with auto-rotation). */
  keyVersion: string;
}

/** What a body asks for; null where it says nothing. */
export interface ClusterRequest {
  identityType: IdentityType | null;
  /** The name of the user-assigned identity (the last segment of its resource id), with identityType UserAssigned. */
  userAssignedIdentity: string | null;
  skuCapacity: number | null;
  billingType: BillingType | null;
  doubleEncryption: boolean | null;
  keyVaultProperties: KeyVaultProperties | null;
}

export interface BodyProblem {
  /** Path inside the body, e.g. "properties.keyVaultProperties.kyName"; "" for the body itself. */
  path: string;
  found: string;
  expected: string;
}

const TOP_FIELDS = ['identity', 'sku', 'properties', 'location', 'tags'] as const;
const PROPERTY_FIELDS = ['keyVaultProperties', 'billingType', 'isDoubleEncryptionEnabled'] as const;
const KEY_FIELDS = ['keyVaultUri', 'keyName', 'keyVersion'] as const;
const SKU_NAMES = ['CapacityReservation', 'capacityReservation'];

type Schema = Readonly<Record<string, unknown>>;
const CAPACITY = { type: 'integer', minimum: 1, maximum: MAX_CAPACITY_GB_PER_DAY };
const KEY_VAULT_PROPERTIES: { readonly [F in (typeof KEY_FIELDS)[number]]: Schema } = {
  keyVaultUri: { type: 'string', minLength: 1 },
  keyName: { type: 'string', minLength: 1 },
  keyVersion: { type: 'string' },
};
const PROPERTIES: { readonly [F in (typeof PROPERTY_FIELDS)[number]]: Schema } = {
  keyVaultProperties: {
    type: 'object',
    properties: KEY_VAULT_PROPERTIES,
    required: ['keyVaultUri'],
    // The documentation's kyName typo is reported alone, not as a missing keyName too.
    if: { required: ['kyName'] },
    else: { required: ['keyName'] },
    additionalProperties: false,
  },
  billingType: { enum: [...BILLING_TYPES] },
  isDoubleEncryptionEnabled: { type: 'boolean' },
};
const BODY: { readonly [F in (typeof TOP_FIELDS)[number]]: Schema } = {
  identity: {
    type: 'object',
    properties: {
      type: { enum: [...IDENTITY_TYPES] },
      // "a single identity can be defined in a cluster"
      userAssignedIdentities: {
        type: 'object',
        minProperties: 1,
        maxProperties: 1,
        propertyNames: { pattern: IDENTITY_RESOURCE_ID },
        additionalProperties: { type: 'object', maxProperties: 0 },
      },
    },
    required: ['type'],
    additionalProperties: false,
    if: { properties: { type: { const: 'UserAssigned' } }, required: ['type'] },
    then: { required: ['userAssignedIdentities'] },
    else: { properties: { userAssignedIdentities: false } },
  },
  sku: { type: 'object', properties: { name: { enum: SKU_NAMES }, capacity: CAPACITY }, additionalProperties: false },
  properties: { type: 'object', properties: PROPERTIES, additionalProperties: false },
  location: {},
  tags: {},
};

/**
 * The rules of parseClusterBody as JSON Schema, for editors (the scenario
 * schema embeds it): the same fields, names and types, reported at the same
 * paths. `location` and `tags` are accepted as anything, as the parser does.
 */
export const CLUSTER_BODY_SCHEMA: Schema = { type: 'object', properties: BODY, additionalProperties: false };

export function parseClusterBody(body: unknown): { request: ClusterRequest } | { problems: BodyProblem[] } {
  const problems: BodyProblem[] = [];
  const request: ClusterRequest = { identityType: null, userAssignedIdentity: null, skuCapacity: null, billingType: null, doubleEncryption: null, keyVaultProperties: null };
  if (body === undefined || body === null) return { request };
  const top = object(body, '', 'an ARM request body: {identity, sku, properties}', problems);
  if (top === null) return { problems };
  unknownFields(top, '', TOP_FIELDS, problems);

  const identity = top.identity === undefined ? null : object(top.identity, 'identity', 'an object {type: SystemAssigned | UserAssigned | None, userAssignedIdentities}', problems);
  if (identity !== null) {
    unknownFields(identity, 'identity', ['type', 'userAssignedIdentities'], problems);
    request.identityType = choice(identity.type, 'identity.type', IDENTITY_TYPES, problems);
    if (request.identityType === 'UserAssigned') request.userAssignedIdentity = userAssignedIdentity(identity.userAssignedIdentities, problems);
    else if (identity.userAssignedIdentities !== undefined) {
      problems.push({ path: 'identity.userAssignedIdentities', found: show(identity.userAssignedIdentities), expected: 'nothing: userAssignedIdentities goes with identity type UserAssigned' });
    }
  }

  const sku = top.sku === undefined ? null : object(top.sku, 'sku', 'an object {name: CapacityReservation, capacity}', problems);
  if (sku !== null) {
    unknownFields(sku, 'sku', ['name', 'capacity'], problems);
    if (sku.name !== undefined && !SKU_NAMES.includes(sku.name as string)) problems.push({ path: 'sku.name', found: show(sku.name), expected: 'CapacityReservation' });
    if (sku.capacity !== undefined) {
      const capacity = sku.capacity;
      if (Number.isSafeInteger(capacity) && (capacity as number) > 0 && (capacity as number) <= MAX_CAPACITY_GB_PER_DAY) request.skuCapacity = capacity as number;
      else problems.push({ path: 'sku.capacity', found: show(capacity), expected: `a whole number of GB per day, from 1 to ${MAX_CAPACITY_GB_PER_DAY}` });
    }
  }

  const properties = top.properties === undefined ? null : object(top.properties, 'properties', 'an object {keyVaultProperties, billingType, isDoubleEncryptionEnabled}', problems);
  if (properties !== null) {
    unknownFields(properties, 'properties', PROPERTY_FIELDS, problems);
    if (properties.billingType !== undefined) request.billingType = choice(properties.billingType, 'properties.billingType', BILLING_TYPES, problems);
    if (properties.isDoubleEncryptionEnabled !== undefined) {
      if (typeof properties.isDoubleEncryptionEnabled === 'boolean') request.doubleEncryption = properties.isDoubleEncryptionEnabled;
      else problems.push({ path: 'properties.isDoubleEncryptionEnabled', found: show(properties.isDoubleEncryptionEnabled), expected: 'true or false' });
    }
    const kvp = properties.keyVaultProperties;
    const kvpPath = 'properties.keyVaultProperties';
    const keys = kvp === undefined ? null : object(kvp, kvpPath, 'an object {keyVaultUri, keyName, keyVersion}', problems);
    if (keys !== null) {
      unknownFields(keys, kvpPath, KEY_FIELDS, problems);
      const uri = text(keys.keyVaultUri, `${kvpPath}.keyVaultUri`, 'the vault URI, https://<vault>.vault.azure.net', false, problems);
      // The documentation's own example misspells keyName as kyName; its hint is in unknownFields.
      const name = keys.kyName !== undefined && keys.keyName === undefined ? null : text(keys.keyName, `${kvpPath}.keyName`, 'the key name', false, problems);
      const version = text(keys.keyVersion, `${kvpPath}.keyVersion`, 'a key version id ("" for the newest, with auto-rotation)', true, problems);
      if (uri !== null && name !== null && version !== null) request.keyVaultProperties = { keyVaultUri: uri, keyName: name, keyVersion: version };
    }
  }
  return problems.length > 0 ? { problems } : { request };
}

/** The one identity of userAssignedIdentities, by name; null when absent or malformed (a problem says which). */
function userAssignedIdentity(value: unknown, problems: BodyProblem[]): string | null {
  const path = 'identity.userAssignedIdentities';
  const expected = `an object with one key, ${IDENTITY_RESOURCE_ID_EXPECTED}, whose value is {}`;
  if (value === undefined) {
    problems.push({ path, found: 'nothing', expected: `${expected} (identity type UserAssigned names its identity)` });
    return null;
  }
  const identities = object(value, path, expected, problems);
  if (identities === null) return null;
  const ids = Object.keys(identities);
  // "A single identity can be defined in a cluster."
  if (ids.length !== 1) problems.push({ path, found: ids.length === 0 ? '{}' : `${ids.length} identities`, expected });
  let name: string | null = null;
  for (const id of ids) {
    if (new RegExp(IDENTITY_RESOURCE_ID).test(id)) name = id.slice(id.lastIndexOf('/') + 1);
    else problems.push({ path, found: `the key ${show(id)}`, expected: IDENTITY_RESOURCE_ID_EXPECTED });
    const entry = identities[id];
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry) || Object.keys(entry).length > 0) {
      problems.push({ path: fieldOf(path, id), found: show(entry), expected: '{} (the identity\'s ids are read-only)' });
    }
  }
  return ids.length === 1 ? name : null;
}

/** A field's path as the loader writes it: a.b, or a["odd key"]. */
function fieldOf(path: string, key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function object(value: unknown, path: string, expected: string, problems: BodyProblem[]): Record<string, unknown> | null {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  problems.push({ path, found: show(value), expected });
  return null;
}

function unknownFields(value: Record<string, unknown>, path: string, known: readonly string[], problems: BodyProblem[]): void {
  for (const field of Object.keys(value)) {
    if (known.includes(field)) continue;
    const hint = field === 'kyName' ? '; did you mean keyName? (the documentation\'s example has this typo)' : '';
    problems.push({ path: path === '' ? field : `${path}.${field}`, found: `unknown field "${field}"`, expected: `one of ${known.join(', ')}${hint}` });
  }
}

function choice<T extends string>(value: unknown, path: string, values: readonly T[], problems: BodyProblem[]): T | null {
  if (values.includes(value as T)) return value as T;
  problems.push({ path, found: show(value), expected: `one of ${values.join(', ')}` });
  return null;
}

function text(value: unknown, path: string, expected: string, optional: boolean, problems: BodyProblem[]): string | null {
  if (value === undefined && optional) return '';
  if (typeof value === 'string' && (optional || value !== '')) return value;
  problems.push({ path, found: show(value), expected });
  return null;
}

function show(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

export function describeBodyProblems(problems: readonly BodyProblem[]): string {
  return problems.map((p) => `${p.path === '' ? 'body' : p.path}: found ${p.found}; expected ${p.expected}`).join('; ');
}
