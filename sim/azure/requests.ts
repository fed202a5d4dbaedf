// ARM request bodies of the cluster (PUT to create, PATCH to update), read
// the way Azure reads them: every malformed field is a problem with its path.
// The loader uses this to validate scenario files; the control plane to
// answer 400 at run time.

import { MAX_CAPACITY_GB_PER_DAY } from '../limits.ts';

const IDENTITY_TYPES = ['SystemAssigned', 'None'] as const;
export type IdentityType = (typeof IDENTITY_TYPES)[number];
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
  skuCapacity: number | null;
  billingType: BillingType | null;
  doubleEncryption: boolean | null;
  keyVaultProperties: KeyVaultProperties | null;
}

export interface BodyProblem {
  /** Path inside the body, e.g. "properties.keyVaultProperties.kyName". */
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
  identity: { type: 'object', properties: { type: { enum: [...IDENTITY_TYPES] } }, required: ['type'], additionalProperties: false },
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
  const request: ClusterRequest = { identityType: null, skuCapacity: null, billingType: null, doubleEncryption: null, keyVaultProperties: null };
  if (body === undefined || body === null) return { request };
  const top = object(body, '', 'an ARM request body: {identity, sku, properties}', problems);
  if (top === null) return { problems };
  unknownFields(top, '', TOP_FIELDS, problems);

  const identity = top.identity === undefined ? null : object(top.identity, 'identity', 'an object {type: SystemAssigned | None}', problems);
  if (identity !== null) {
    unknownFields(identity, 'identity', ['type'], problems);
    request.identityType = choice(identity.type, 'identity.type', IDENTITY_TYPES, problems);
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

function object(value: unknown, path: string, expected: string, problems: BodyProblem[]): Record<string, unknown> | null {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  problems.push({ path: path === '' ? 'body' : path, found: show(value), expected });
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
  return problems.map((p) => `${p.path}: found ${p.found}; expected ${p.expected}`).join('; ');
}
