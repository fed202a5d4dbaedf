// A dedicated cluster: its identity, its key settings, its storage accounts,
// and the requests on it (key update, identity), each checked against the
// documented rules and answered at once with an error or accepted as an
// asynchronous operation.

import type { Scheduler } from '../engine/scheduler.ts';
import type { Random } from '../engine/random.ts';
import type { EventBus } from '../observe/events.ts';
import type { ClusterSpec, Permission } from '../scenario.ts';
import type { Cause, KeyRef, KeyVault } from './key-vault.ts';
import type { Params } from './profiles.ts';
import type { ClusterIdentity, StorageAccount } from './storage-account.ts';
import { type Operation, type OperationLog, refusal, type Refusal } from './operations.ts';

export const REQUIRED_PERMISSIONS: readonly Permission[] = ['get', 'wrapKey', 'unwrapKey'];

export interface KeyVaultProperties {
  keyVaultUri: string;
  keyName: string;
  keyVersion: string;
}

export interface ClusterDeps {
  scheduler: Scheduler;
  bus: EventBus;
  params: Params;
  vaults: ReadonlyMap<string, KeyVault>;
  operations: OperationLog;
  delays: Random;
}

export class Cluster implements ClusterIdentity {
  readonly name: string;
  provisioningState: 'Succeeded' | 'Updating' = 'Succeeded';
  keyVaultProperties: KeyVaultProperties | null = null;
  storageAccounts: StorageAccount[] = [];
  private identityNone: Cause | null = null;

  constructor(
    readonly spec: ClusterSpec,
    private readonly deps: ClusterDeps,
  ) {
    this.name = spec.name;
  }

  identityNoneCause(): Cause | null {
    return this.identityNone;
  }

  /**
   * ARM PATCH: checks the body and the rules, then updates the key as an
   * asynchronous operation taking keyUpdateTime (setup passes 0: done before t=0).
   */
  update(body: unknown, durationMs?: number): void {
    const { operations, scheduler } = this.deps;
    const operation = operations.begin('cluster.update', this.name);
    const parsed = parseUpdateBody(body);
    if ('refusal' in parsed) return operations.refuse(operation, parsed.refusal);
    if (parsed.properties === null) return operations.complete(operation, 'Succeeded');
    const checked = this.checkKey(parsed.properties, operation);
    if ('refusal' in checked) return operations.refuse(operation, checked.refusal);
    this.provisioningState = 'Updating';
    operations.accept(operation, 'Updating');
    const [min, max] = this.deps.params.keyUpdateTime;
    scheduler.after(durationMs ?? this.deps.delays.uniformInt(min, max), () => {
      this.provisioningState = 'Succeeded';
      const failures = this.storageAccounts.map((account) => account.configureKey(checked.ref)).filter((f) => f !== null);
      if (failures.length > 0) return operations.fail(operation, 400, 'KeyUpdateFailed', failures.join('; '));
      this.keyVaultProperties = parsed.properties;
      operations.complete(operation, 'Succeeded');
    });
  }

  /** Setting the identity to None revokes access to the key and cannot be undone. */
  setIdentity(type: 'SystemAssigned' | 'None'): void {
    const { operations, scheduler, bus } = this.deps;
    const operation = operations.begin('cluster.setIdentity', this.name);
    if (type === 'SystemAssigned') {
      if (this.identityNone === null) return operations.complete(operation, 'Succeeded');
      return operations.refuse(operation, refusal(400, 'IdentityCannotBeRestored', `cluster ${this.name}'s identity was set to None, which cannot be undone`));
    }
    if (this.identityNone === null) {
      const now = scheduler.nowMs;
      this.identityNone = { id: `${this.name}#identity`, kind: 'revocation', action: 'cluster.setIdentity', startMs: now, endMs: null };
      bus.emit({ t: now, type: 'cluster.identitySet', entity: this.name, identity: 'None' });
    }
    operations.complete(operation, 'Succeeded');
  }

  /** The rules of a key update that Azure checks before it accepts the request. */
  private checkKey(properties: KeyVaultProperties, operation: Operation): { ref: KeyRef } | { refusal: Refusal } {
    const { operations, vaults, params, scheduler } = this.deps;
    const now = scheduler.nowMs;
    if (operations.inProgress(this.name, operation)) {
      return { refusal: refusal(409, 'Conflict', `an operation is in progress on cluster ${this.name}; updating the cluster while an operation is in progress fails`) };
    }
    const vaultName = vaultNameOf(properties.keyVaultUri);
    const vault = vaultName === null ? undefined : vaults.get(vaultName);
    if (vault === undefined) {
      return { refusal: refusal(400, 'KeyVaultNotFound', `properties.keyVaultProperties.keyVaultUri: no Key Vault at "${properties.keyVaultUri}" (expected https://<vault>.vault.azure.net)`) };
    }
    if (vault.spec.region !== this.spec.region) {
      return { refusal: refusal(400, 'RegionMismatch', `Key Vault ${vault.name} is in ${vault.spec.region} and cluster ${this.name} in ${this.spec.region}; they must be in the same region`) };
    }
    if (vault.spec.tenant !== this.spec.tenant) {
      return { refusal: refusal(400, 'TenantMismatch', `Key Vault ${vault.name} is in tenant ${vault.spec.tenant} and cluster ${this.name} in ${this.spec.tenant}; they must be in the same Azure AD tenant`) };
    }
    if (!vault.recoverable) {
      return { refusal: refusal(400, 'KeyVaultNotRecoverable', `key is not recoverable: Key Vault ${vault.name} must have both soft delete and purge protection enabled`) };
    }
    const missing = vault.hasPermissions(this.name, REQUIRED_PERMISSIONS);
    if (missing.length > 0) {
      return { refusal: refusal(400, 'KeyVaultPermissionMissing', `the access policy of Key Vault ${vault.name} for cluster ${this.name} lacks ${missing.join(', ')}; grant get, wrapKey and unwrapKey`) };
    }
    const { answer, versions } = vault.getKey(now, this.name, properties.keyName);
    if (answer.kind === 'error') {
      return { refusal: refusal(400, 'KeyVaultUnreachable', `Key Vault ${vault.name} did not answer the key lookup (${answer.reason})`) };
    }
    if (versions.length === 0) {
      return { refusal: refusal(404, 'KeyNotFound', `key ${properties.keyName} does not exist in Key Vault ${vault.name}`) };
    }
    let versionId = properties.keyVersion;
    if (versionId === '') {
      if (!params.autoRotation) {
        return { refusal: refusal(400, 'KeyVersionRequired', 'properties.keyVaultProperties.keyVersion is empty; this profile needs an explicit key version (no auto-rotation)') };
      }
      versionId = versions.at(-1)!.id;
    }
    const version = versions.find((v) => v.id === versionId);
    if (version === undefined) {
      return { refusal: refusal(404, 'KeyVersionNotFound', `key ${properties.keyName} in Key Vault ${vault.name} has no version ${versionId} (versions: ${versions.map((v) => v.id).join(', ')})`) };
    }
    if (!version.enabled) {
      return { refusal: refusal(400, 'KeyDisabled', `key ${properties.keyName} version ${versionId} is disabled`) };
    }
    if (version.expMs !== null && version.expMs <= now) {
      return { refusal: refusal(400, 'KeyExpired', `key ${properties.keyName} version ${versionId} expired`) };
    }
    return { ref: { vault: vault.name, key: properties.keyName, version: versionId } };
  }
}

const VAULT_URI = /^https:\/\/([a-z0-9-]{3,24})\.vault\.azure\.net\/?$/i;

function vaultNameOf(uri: string): string | null {
  return VAULT_URI.exec(uri)?.[1]?.toLowerCase() ?? null;
}

export function vaultUriOf(vaultName: string): string {
  return `https://${vaultName}.vault.azure.net`;
}

type ParsedUpdate = { properties: KeyVaultProperties | null } | { refusal: Refusal };

const KEY_PROPERTY_NAMES = ['keyVaultUri', 'keyName', 'keyVersion'] as const;

/** The ARM PATCH body of a cluster update; a malformed body is refused with its field path. */
export function parseUpdateBody(body: unknown): ParsedUpdate {
  const bad = (path: string, message: string): ParsedUpdate => ({ refusal: refusal(400, 'InvalidRequestBody', `${path}: ${message}`) });
  if (!isObject(body)) return bad('body', 'expected a JSON object');
  for (const field of Object.keys(body)) {
    if (!['properties', 'sku', 'identity'].includes(field)) return bad(field, 'unknown field; expected properties, sku or identity');
  }
  if (body.sku !== undefined) {
    if (!isObject(body.sku)) return bad('sku', 'expected an object {name, capacity}');
    if (body.sku.capacity !== undefined && !(Number.isInteger(body.sku.capacity) && (body.sku.capacity as number) > 0)) {
      return bad('sku.capacity', `found ${JSON.stringify(body.sku.capacity)}, expected a positive whole number of GB per day`);
    }
  }
  if (body.properties === undefined) return { properties: null };
  if (!isObject(body.properties)) return bad('properties', 'expected an object');
  const kvp = body.properties.keyVaultProperties;
  if (kvp === undefined) return { properties: null };
  if (!isObject(kvp)) return bad('properties.keyVaultProperties', 'expected an object {keyVaultUri, keyName, keyVersion}');
  for (const field of Object.keys(kvp)) {
    if (field === 'kyName') return bad('properties.keyVaultProperties.kyName', 'unknown field (a typo in the documentation\'s example); use keyName');
    if (!(KEY_PROPERTY_NAMES as readonly string[]).includes(field)) return bad(`properties.keyVaultProperties.${field}`, 'unknown field; expected keyVaultUri, keyName, keyVersion');
  }
  for (const field of KEY_PROPERTY_NAMES) {
    const value = kvp[field];
    if (field === 'keyVersion' && value === undefined) continue;
    if (typeof value !== 'string' || (field !== 'keyVersion' && value === '')) {
      return bad(`properties.keyVaultProperties.${field}`, `found ${JSON.stringify(value) ?? 'nothing'}, expected a non-empty string`);
    }
  }
  return { properties: { keyVaultUri: kvp.keyVaultUri as string, keyName: kvp.keyName as string, keyVersion: (kvp.keyVersion as string | undefined) ?? '' } };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
