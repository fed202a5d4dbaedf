// A dedicated cluster: its identity, sku, double-encryption flag, key
// settings and storage accounts, and the key checks Azure makes before it
// accepts a key update.

import type { RecurringHandle } from '../engine/scheduler.ts';
import type { ClusterSpec, Permission } from '../scenario.ts';
import type { Cause, KeyRef, KeyVault } from './key-vault.ts';
import type { Params } from './profiles.ts';
import { refusal, type Refusal } from './operations.ts';
import type { BillingType, IdentityType, KeyVaultProperties } from './requests.ts';
import type { ClusterIdentity, StorageAccount } from './storage-account.ts';

export const REQUIRED_PERMISSIONS: readonly Permission[] = ['get', 'wrapKey', 'unwrapKey'];

export type ProvisioningState = 'ProvisioningAccount' | 'Succeeded' | 'Updating' | 'Deleting' | 'Deleted';

export interface ClusterSettings {
  capacityGBPerDay: number;
  billingType: BillingType;
  doubleEncryption: boolean;
  identityType: IdentityType;
  /** The user-assigned identity's name while identityType is UserAssigned, else null. */
  userAssignedIdentity: string | null;
}

export class Cluster implements ClusterIdentity {
  readonly name: string;
  provisioningState: ProvisioningState = 'ProvisioningAccount';
  keyVaultProperties: KeyVaultProperties | null = null;
  /** The key version the storage accounts use now. */
  keyRef: KeyRef | null = null;
  storageAccounts: StorageAccount[] = [];
  /** The recurring check for a new key version while keyVersion is empty (auto-rotation). */
  keyVersionCheck: RecurringHandle | null = null;
  /** Until when the capacity tier is committed: lowering it before then is refused. */
  capacityCommittedUntilMs = 0;
  private identityNone: Cause | null = null;

  constructor(
    readonly spec: ClusterSpec,
    readonly settings: ClusterSettings,
    createdAtMs: number,
  ) {
    this.name = spec.name;
    if (settings.identityType === 'None') this.removeIdentity(createdAtMs);
  }

  identityNoneCause(): Cause | null {
    return this.identityNone;
  }

  /** Who the cluster is to Key Vault: its system-assigned identity (named as the cluster) or its user-assigned identity. */
  get principal(): string {
    return this.settings.userAssignedIdentity ?? this.name;
  }

  /** A description for messages: "cluster cl1" or "cluster cl1 (user-assigned identity uai1)". */
  get described(): string {
    return this.settings.userAssignedIdentity === null ? `cluster ${this.name}` : `cluster ${this.name} (user-assigned identity ${this.settings.userAssignedIdentity})`;
  }

  /** Changes the identity between system-assigned and user-assigned (profiles with identityTypeSwitch). */
  assignIdentity(type: 'SystemAssigned' | 'UserAssigned', userAssignedIdentity: string | null): void {
    this.settings.identityType = type;
    this.settings.userAssignedIdentity = type === 'UserAssigned' ? userAssignedIdentity : null;
  }

  /** An empty keyVersion follows the newest version (profiles with auto-rotation). */
  get followsNewestVersion(): boolean {
    return this.keyVaultProperties !== null && this.keyVaultProperties.keyVersion === '';
  }

  /** Setting the identity to None revokes access and cannot be undone. */
  removeIdentity(nowMs: number): void {
    this.settings.identityType = 'None';
    this.settings.userAssignedIdentity = null;
    this.identityNone ??= { id: `${this.name}#identity`, kind: 'revocation', action: 'cluster.setIdentity', startMs: nowMs, endMs: null };
  }

  /** The checks of a key update, in the order Azure reports them. */
  checkKey(properties: KeyVaultProperties, vaults: ReadonlyMap<string, KeyVault>, params: Params, nowMs: number): { ref: KeyRef } | { refusal: Refusal } {
    if (this.identityNone !== null) {
      return { refusal: refusal(400, 'IdentityRequired', `cluster ${this.name} has no identity (None): it cannot be granted access to a key`) };
    }
    const vaultName = vaultNameOf(properties.keyVaultUri);
    const vault = vaultName === null ? undefined : vaults.get(vaultName);
    if (vault === undefined) {
      return { refusal: refusal(400, 'KeyVaultNotFound', `properties.keyVaultProperties.keyVaultUri: no Key Vault at "${properties.keyVaultUri}" (expected https://<vault>.vault.azure.net)`) };
    }
    if (vault.spec.region !== this.spec.region) {
      return { refusal: refusal(400, 'RegionMismatch', `Key Vault ${vault.name} is in ${vault.spec.region} and cluster ${this.name} in ${this.spec.region}: your Azure Key Vault, cluster and linked workspaces must be in the same region`) };
    }
    if (vault.spec.tenant !== this.spec.tenant) {
      return { refusal: refusal(400, 'TenantMismatch', `Key Vault ${vault.name} is in tenant ${vault.spec.tenant} and cluster ${this.name} in ${this.spec.tenant}: they must be in the same Azure AD tenant`) };
    }
    if (this.settings.identityType === 'UserAssigned' && vault.spec.privateLink) return { refusal: privateLinkRefusal(vault, this.described) };
    const missing = vault.hasPermissions(this.principal, REQUIRED_PERMISSIONS);
    if (missing.length > 0) {
      return { refusal: refusal(400, 'KeyVaultPermissionMissing', `${vault.grantsBy} of Key Vault ${vault.name} for ${this.described} lacks ${missing.join(', ')}; grant Get, Wrap Key and Unwrap Key`) };
    }
    // "The Get permission is required to verify that your Key Vault is configured as recoverable."
    if (!vault.recoverable) {
      return { refusal: refusal(400, 'KeyVaultNotRecoverable', `key is not recoverable: Key Vault ${vault.name} must have both soft delete and purge protection enabled`) };
    }
    const { answer, versions } = vault.getKey(nowMs, this.principal, properties.keyName);
    if (answer.kind === 'error') {
      return { refusal: refusal(400, 'KeyVaultUnreachable', `Key Vault ${vault.name} did not answer the key lookup (${answer.reason})`) };
    }
    if (versions.length === 0) {
      return { refusal: refusal(404, 'KeyNotFound', `key ${properties.keyName} does not exist in Key Vault ${vault.name}`) };
    }
    const kty = vault.spec.keys.find((k) => k.name === properties.keyName)!.kty;
    if (kty === 'oct-HSM' && !params.modelShortcutOctKeys) {
      return { refusal: refusal(400, 'KeyTypeNotSupported', `key ${properties.keyName} in Key Vault ${vault.name} is oct-HSM (AES): the key type is not supported: use RSA or RSA-HSM 2048, 3072 or 4096`) };
    }
    let versionId = properties.keyVersion;
    if (versionId === '') {
      if (!params.autoRotation) {
        return { refusal: refusal(400, 'KeyVersionRequired', 'properties.keyVaultProperties.keyVersion is empty: this documentation version needs an explicit key version (no auto-rotation)') };
      }
      versionId = versions.filter((v) => v.enabled).at(-1)?.id ?? versions.at(-1)!.id;
    }
    const version = versions.find((v) => v.id === versionId);
    if (version === undefined) {
      return { refusal: refusal(404, 'KeyVersionNotFound', `key ${properties.keyName} in Key Vault ${vault.name} has no version ${versionId} (versions: ${versions.map((v) => v.id).join(', ')})`) };
    }
    if (!version.enabled) {
      return { refusal: refusal(400, 'KeyDisabled', `key ${properties.keyName} version ${versionId} is disabled`) };
    }
    if (version.expMs !== null && version.expMs <= nowMs) {
      return { refusal: refusal(400, 'KeyExpired', `key ${properties.keyName} version ${versionId} has expired`) };
    }
    return { ref: { vault: vault.name, key: properties.keyName, version: versionId } };
  }
}

/** "You can't use Customer-managed key with User-assigned managed identity if your Key Vault is in Private-Link (vNet)." */
export function privateLinkRefusal(vault: KeyVault, who: string): Refusal {
  return refusal(
    400,
    'UserAssignedIdentityWithPrivateLink',
    `Key Vault ${vault.name} is in a Private-Link (virtual network): you can't use a customer-managed key with a user-assigned identity (${who}); use a system-assigned identity in this scenario`,
  );
}

const VAULT_URI = /^https:\/\/([a-z0-9-]{3,24})\.vault\.azure\.net\/?$/i;

function vaultNameOf(uri: string): string | null {
  return VAULT_URI.exec(uri)?.[1]?.toLowerCase() ?? null;
}

export function vaultUriOf(vaultName: string): string {
  return `https://${vaultName}.vault.azure.net`;
}
