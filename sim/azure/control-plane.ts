// The control plane: requests on clusters and workspaces, each checked
// against the documented rules and refused at once (HTTP-like status, code,
// message) or accepted as an asynchronous operation that completes later.

import type { Scheduler } from '../engine/scheduler.ts';
import type { RandomStreams } from '../engine/random.ts';
import { formatDuration, MS_PER_DAY } from '../engine/duration.ts';
import type { EventBus } from '../observe/events.ts';
import type { ClusterSpec, WorkspaceSpec } from '../scenario.ts';
import { Cluster, privateLinkRefusal, REQUIRED_PERMISSIONS } from './cluster.ts';
import type { KeyRef, KeyVault } from './key-vault.ts';
import { type Operation, type OperationLog, refusal, type Refusal } from './operations.ts';
import { drawDelay, type Params, type RangeMs } from './profiles.ts';
import { describeBodyProblems, parseClusterBody, type ClusterRequest, type KeyVaultProperties } from './requests.ts';
import type { StorageAccount } from './storage-account.ts';

const CLUSTER_NAME = /^[A-Za-z0-9]{3,63}$/;
const LINK_WINDOW_MS = 30 * MS_PER_DAY;

export interface ControlPlaneHooks {
  /** The storage accounts of a new cluster, provisioning until it succeeds. */
  makeStorageAccounts(cluster: Cluster): StorageAccount[];
  /** From now on the workspace writes to this account (null: shared storage). */
  routeWorkspace(workspace: string, account: StorageAccount | null): void;
  /** How many workspaces write to the account now. */
  workspacesOn(account: StorageAccount): number;
}

export interface ControlPlaneDeps {
  scheduler: Scheduler;
  bus: EventBus;
  params: Params;
  streams: RandomStreams;
  vaults: ReadonlyMap<string, KeyVault>;
  operations: OperationLog;
  clusterSpecs: readonly ClusterSpec[];
  workspaceSpecs: readonly WorkspaceSpec[];
  /** The user-assigned identities of the scenario, by name. */
  userAssignedIdentities: readonly string[];
  hooks: ControlPlaneHooks;
}

/** How a request is run: setup builds `setup: ready` with the same requests, done at once and not counted. */
export interface RequestOptions {
  setup?: boolean;
  /** The scenario action the operation is recorded as: cluster.setIdentity is an update whose body sets the identity. */
  action?: 'cluster.update' | 'cluster.setIdentity';
}

export interface WorkspaceLinks {
  cluster: Cluster | null;
  /** Accepted link and unlink requests, for the 2-in-30-days rule. */
  linkOpsMs: number[];
  pending: Operation | null;
  /** The cluster a link in progress goes to. */
  linkingTo: Cluster | null;
  linkedStorage: { Query: string | null; Alerts: string | null };
  savedSearches: number;
  savedSearchesRemoved: number;
  /** The saved searches the current Query link removed from the workspace: they are in that storage account now. */
  savedSearchesInStorage: number;
  savedSearchesRestored: number;
}

export interface LockboxRecord {
  workspace: string;
  requestedAtMs: number;
  decision: 'approve' | 'reject';
  decidedAtMs: number | null;
}

export class ControlPlane {
  /** Clusters that exist (not deleted), by name. */
  readonly clusters = new Map<string, Cluster>();
  readonly workspaces = new Map<string, WorkspaceLinks>();
  readonly lockbox: LockboxRecord[] = [];
  private readonly deleted: { name: string; region: string; subscription: string; deletedAtMs: number }[] = [];
  private readonly specs: Map<string, ClusterSpec>;
  private readonly workspaceSpecs: Map<string, WorkspaceSpec>;
  /** Workspaces linked or being linked, per cluster: the limit is checked at every link, so counting them must not scan every workspace. */
  private readonly linkedCounts = new Map<Cluster, number>();

  constructor(private readonly deps: ControlPlaneDeps) {
    this.specs = new Map(deps.clusterSpecs.map((s) => [s.name, s]));
    this.workspaceSpecs = new Map(deps.workspaceSpecs.map((s) => [s.name, s]));
    for (const spec of deps.workspaceSpecs) {
      this.workspaces.set(spec.name, { cluster: null, linkOpsMs: [], pending: null, linkingTo: null, linkedStorage: { Query: null, Alerts: null }, savedSearches: spec.savedSearches, savedSearchesRemoved: 0, savedSearchesInStorage: 0, savedSearchesRestored: 0 });
    }
  }

  // ---- clusters -------------------------------------------------------------

  createCluster(name: string, body: unknown, options: RequestOptions = {}): Operation {
    const { operations, params } = this.deps;
    const operation = operations.begin('cluster.create', name, body);
    const now = this.now;
    const spec = this.specs.get(name)!;
    const parsed = parseClusterBody(body);
    if ('problems' in parsed) return this.refuse(operation, refusal(400, 'InvalidRequestBody', describeBodyProblems(parsed.problems)));
    const request = parsed.request;
    const capacity = request.skuCapacity ?? spec.capacityGBPerDay;
    const refused = this.firstRefusal([
      () => !CLUSTER_NAME.test(name) && refusal(400, 'InvalidClusterName', `cluster name "${name}" must be 3 to 63 letters and digits`),
      () => this.clusters.has(name) && refusal(409, 'Conflict', `a cluster named ${name} already exists`),
      () => {
        const reserved = this.deleted.find((d) => d.name === name && now - d.deletedAtMs < params.clusterNameReservation);
        return reserved !== undefined && refusal(409, 'Conflict', `the name ${name} is reserved until ${reserved.deletedAtMs + params.clusterNameReservation} ms: a cluster deleted in the last 14 days is in its soft-delete period and its name remains reserved`);
      },
      () => {
        const active = [...this.clusters.values()].filter((c) => c.spec.region === spec.region && c.spec.subscription === spec.subscription).length;
        return active >= params.maxClustersPerRegion && refusal(400, 'ClusterQuotaExceeded', `subscription ${spec.subscription} already has ${active} clusters in ${spec.region}; the max number of cluster per region and subscription is ${params.maxClustersPerRegion}`);
      },
      () => {
        const recent = this.deleted.filter((d) => d.region === spec.region && d.subscription === spec.subscription && now - d.deletedAtMs < params.clusterNameReservation).length;
        const active = [...this.clusters.values()].filter((c) => c.spec.region === spec.region && c.spec.subscription === spec.subscription).length;
        const limit = params.maxClustersPerRegionIncludingDeleted;
        return active + recent >= limit && refusal(400, 'ClusterQuotaExceeded', `subscription ${spec.subscription} has ${active} clusters and ${recent} deleted in the last 14 days in ${spec.region}; at most ${limit} including deleted ones`);
      },
      () => this.capacityRefusal(null, capacity),
      () =>
        (request.doubleEncryption ?? spec.doubleEncryption) &&
        params.doubleEncryptionUnsupportedRegions.includes(spec.region) &&
        refusal(400, 'DoubleEncryptionNotSupported', `${spec.region} doesn't support Double Encryption for clusters. You can still create the cluster without Double Encryption: add "properties": {"isDoubleEncryptionEnabled": false} to the request body`),
      () => this.identityRefusal(request),
      () =>
        request.keyVaultProperties !== null &&
        request.identityType !== 'UserAssigned' &&
        refusal(
          400,
          'KeyVaultPropertiesOnCreate',
          `keyVaultProperties given at creation: the access policy can't be defined until system identity is assigned to the cluster; create the cluster, grant the permissions, then update it with the key${params.userAssignedIdentity ? ' (or create it with a user-assigned identity granted in Key Vault beforehand)' : ''}`,
        ),
    ]);
    if (refused !== null) return this.refuse(operation, refused);
    const identityType = request.identityType ?? 'SystemAssigned';
    const cluster = new Cluster(
      spec,
      {
        capacityGBPerDay: capacity,
        billingType: request.billingType ?? spec.billingType,
        doubleEncryption: request.doubleEncryption ?? spec.doubleEncryption,
        identityType,
        userAssignedIdentity: identityType === 'UserAssigned' ? request.userAssignedIdentity : null,
      },
      now,
    );
    // "User-assigned managed identity lets you configure customer-managed keys at cluster creation, when granting it permissions in your Key Vault before cluster creation."
    const properties = request.keyVaultProperties;
    const checked = properties === null ? null : cluster.checkKey(properties, this.deps.vaults, params, now);
    if (checked !== null && 'refusal' in checked) return this.refuse(operation, checked.refusal);
    this.clusters.set(name, cluster);
    this.deps.bus.emit({ t: now, type: 'cluster.created', entity: name, region: spec.region, tenant: spec.tenant, subscription: spec.subscription });
    this.commitCapacity(cluster, capacity);
    this.capacityChanged(cluster, null);
    if (cluster.identityNoneCause() !== null) this.deps.bus.emit({ t: now, type: 'cluster.identitySet', entity: name, identity: 'None' });
    if (identityType === 'UserAssigned') this.deps.bus.emit({ t: now, type: 'cluster.principalSet', entity: name, identity: 'UserAssigned', principal: cluster.principal });
    cluster.storageAccounts = this.deps.hooks.makeStorageAccounts(cluster);
    operations.accept(operation, 'InProgress');
    this.later(options, this.deps.params.clusterProvisionTime, name, () => {
      cluster.provisioningState = 'Succeeded';
      for (const account of cluster.storageAccounts) account.provisioned();
      if (checked === null) return operations.complete(operation, 'Succeeded');
      this.setKey(operation, cluster, properties!, checked.ref);
    });
    return operation;
  }

  /** ARM PATCH: identity, sku, billing type or key; a key update re-wraps every AEK after keyUpdateTime. */
  updateCluster(name: string, body: unknown, options: RequestOptions = {}): Operation {
    const { operations, params, vaults } = this.deps;
    const operation = operations.begin(options.action ?? 'cluster.update', name, body);
    const cluster = this.clusters.get(name);
    if (cluster === undefined) return this.refuse(operation, this.noCluster(name));
    const parsed = parseClusterBody(body);
    if ('problems' in parsed) return this.refuse(operation, refusal(400, 'InvalidRequestBody', describeBodyProblems(parsed.problems)));
    const request: ClusterRequest = parsed.request;
    const refused = this.firstRefusal([
      // The documentation lists these among the 400 errors of Cluster Update ("Troubleshooting", "Error messages").
      () => cluster.provisioningState === 'ProvisioningAccount' && refusal(400, 'ClusterNotReady', `cluster ${name} is still provisioning: if you update your cluster while it's at the provisioning state, the update fails; update it once its provisioningState is Succeeded`),
      () => cluster.provisioningState === 'Deleting' && refusal(400, 'ClusterDeleting', `cluster ${name} is in deleting state. Wait for the Async operation to complete and try again`),
      () => operations.inProgress(name, operation) && refusal(400, 'OperationInProgress', `operation can't be executed now on cluster ${name}: an operation is in progress. Wait for the Async operation to complete and try again`),
      () => this.currentKeyExpiredRefusal(cluster),
      () => request.identityType !== null && request.keyVaultProperties !== null && refusal(400, 'InvalidRequest', 'identity and keyVaultProperties cannot change in one request: set the identity first, then the key'),
      () =>
        request.doubleEncryption !== null &&
        request.doubleEncryption !== cluster.settings.doubleEncryption &&
        refusal(400, 'DoubleEncryptionImmutable', `double encryption setting can not be changed after the cluster has been created (it is ${cluster.settings.doubleEncryption})`),
      () => request.skuCapacity !== null && this.capacityRefusal(cluster, request.skuCapacity),
      () => this.identityRefusal(request),
      () => request.identityType !== null && request.identityType !== 'None' && cluster.identityNoneCause() !== null && refusal(400, 'IdentityCannotBeRestored', `cluster ${name}'s identity was set to None, which cannot be undone`),
      () => this.identityChangeRefusal(cluster, request),
    ]);
    if (refused !== null) return this.refuse(operation, refused);
    const capacityBefore = cluster.settings.capacityGBPerDay;
    if (request.skuCapacity !== null && request.skuCapacity !== cluster.settings.capacityGBPerDay) this.commitCapacity(cluster, request.skuCapacity);
    if (request.billingType !== null) cluster.settings.billingType = request.billingType;
    this.capacityChanged(cluster, capacityBefore);
    if (request.identityType === 'None') this.removeIdentity(cluster);
    if (request.identityType === 'SystemAssigned' || request.identityType === 'UserAssigned') this.changeIdentity(cluster, request.identityType, request.userAssignedIdentity);
    const properties = request.keyVaultProperties;
    if (properties === null) {
      operations.complete(operation, 'Succeeded');
      return operation;
    }
    const checked = cluster.checkKey(properties, vaults, params, this.now);
    if ('refusal' in checked) return this.refuse(operation, checked.refusal);
    cluster.provisioningState = 'Updating';
    operations.accept(operation, 'Updating');
    this.later(options, params.keyUpdateTime, name, () => {
      if (cluster.provisioningState === 'Updating') cluster.provisioningState = 'Succeeded';
      this.setKey(operation, cluster, properties, checked.ref);
    });
    return operation;
  }

  /** Every storage account re-wraps its AEK with the key (the first one: wraps a new AEK); the operation completes or fails. */
  private setKey(operation: Operation, cluster: Cluster, properties: KeyVaultProperties, ref: KeyRef): void {
    const failures = cluster.storageAccounts.map((account) => account.configureKey(ref)).filter((f) => f !== null);
    if (failures.length > 0) return this.deps.operations.fail(operation, 400, 'KeyUpdateFailed', failures.join('; '));
    cluster.keyVaultProperties = properties;
    cluster.keyRef = ref;
    this.deps.bus.emit({ t: this.now, type: 'cluster.keySet', entity: cluster.name, vault: ref.vault, key: ref.key, keyVersion: properties.keyVersion });
    this.watchKeyVersion(cluster);
    this.deps.operations.complete(operation, 'Succeeded');
  }

  setIdentity(name: string, type: 'SystemAssigned' | 'None'): Operation {
    return this.updateCluster(name, { identity: { type } }, { action: 'cluster.setIdentity' });
  }

  deleteCluster(name: string): Operation {
    const { operations, params } = this.deps;
    const operation = operations.begin('cluster.delete', name);
    const cluster = this.clusters.get(name);
    if (cluster === undefined) return this.refuse(operation, this.noCluster(name));
    const refused = this.firstRefusal([
      () => cluster.provisioningState === 'ProvisioningAccount' && refusal(409, 'Conflict', `cluster ${name} is still provisioning: a cluster cannot be deleted while it is provisioning`),
      () => operations.inProgress(name, operation) && refusal(409, 'Conflict', `an operation is in progress on cluster ${name}`),
    ]);
    if (refused !== null) return this.refuse(operation, refused);
    cluster.provisioningState = 'Deleting';
    operations.accept(operation, 'Deleting');
    // Deleting a cluster unlinks its workspaces: their new data goes to shared storage.
    for (const [workspace, links] of this.workspaces) {
      if (links.cluster !== cluster) continue;
      this.setLinks(links, { cluster: null });
      this.deps.hooks.routeWorkspace(workspace, null);
    }
    this.later({}, params.clusterDeleteTime, name, () => {
      cluster.provisioningState = 'Deleted';
      for (const account of cluster.storageAccounts) account.shutDown();
      this.clusters.delete(name);
      this.deleted.push({ name, region: cluster.spec.region, subscription: cluster.spec.subscription, deletedAtMs: this.now });
      operations.complete(operation, 'Succeeded');
    });
    return operation;
  }

  /**
   * Auto-rotation: while its keyVersion is empty a cluster checks the vault
   * for a new key version every keyVersionCheckInterval ("Azure Storage
   * checks the key vault for a new key version only once daily"), from a
   * phase drawn once, and re-wraps its AEKs under it. A check that cannot
   * follow is retried at the next one.
   */
  private watchKeyVersion(cluster: Cluster): void {
    const { scheduler, params } = this.deps;
    if (!cluster.followsNewestVersion) return this.stopWatchingKeyVersion(cluster);
    if (cluster.keyVersionCheck !== null) return;
    const phaseMs = drawDelay([0, params.keyVersionCheckInterval], params.delayMode, this.deps.streams.stream(`controlPlane/${cluster.name}/keyVersionCheck`));
    cluster.keyVersionCheck = scheduler.every(params.keyVersionCheckInterval, () => this.checkKeyVersion(cluster), phaseMs);
  }

  private stopWatchingKeyVersion(cluster: Cluster): void {
    if (cluster.keyVersionCheck !== null) this.deps.scheduler.cancel(cluster.keyVersionCheck);
    cluster.keyVersionCheck = null;
  }

  private checkKeyVersion(cluster: Cluster): void {
    const { bus, vaults } = this.deps;
    const now = this.now;
    if (!cluster.followsNewestVersion || cluster.provisioningState === 'Deleting' || cluster.provisioningState === 'Deleted') return this.stopWatchingKeyVersion(cluster);
    const current = cluster.keyRef!;
    const { answer, versions } = vaults.get(current.vault)!.getKey(now, cluster.principal, current.key);
    const newest = versions.at(-1)?.id;
    if (newest === undefined) {
      const why = answer.kind === 'success' ? `key ${current.key} is not found` : `${answer.kind}: ${answer.reason}`;
      return bus.emit({ t: now, type: 'key.rotationFollowFailed', entity: cluster.name, version: null, reason: `Key Vault ${current.vault} could not be read (${why}); the next check retries` });
    }
    if (newest === current.version) return;
    const ref = { ...current, version: newest };
    const failures = cluster.storageAccounts.map((account) => account.configureKey(ref)).filter((f) => f !== null);
    if (failures.length > 0) return bus.emit({ t: now, type: 'key.rotationFollowFailed', entity: cluster.name, version: newest, reason: `${failures.join('; ')}; the next check retries` });
    cluster.keyRef = ref;
    bus.emit({ t: now, type: 'key.rotationFollowed', entity: cluster.name, version: newest });
  }

  // ---- workspaces -----------------------------------------------------------

  link(workspace: string, clusterName: string, options: RequestOptions = {}): Operation {
    const { operations, params } = this.deps;
    const operation = operations.begin('workspace.link', workspace);
    const links = this.workspaces.get(workspace)!;
    const spec = this.workspaceSpecs.get(workspace)!;
    const cluster = this.clusters.get(clusterName);
    if (cluster === undefined) return this.refuse(operation, this.noCluster(clusterName));
    if (links.cluster === cluster && links.pending === null) {
      operations.complete(operation, 'Succeeded');
      return operation;
    }
    // Links still in progress count: several links sent at once cannot pass the limit together.
    const linkedCount = this.linkedCounts.get(cluster) ?? 0;
    const refused = this.firstRefusal([
      () => links.pending !== null && refusal(409, 'Conflict', `a link or unlink operation is in progress on workspace ${workspace}`),
      () => cluster.provisioningState === 'Deleting' && refusal(409, 'Conflict', `cluster ${clusterName} is being deleted`),
      () => links.cluster !== null && refusal(409, 'WorkspaceLinkedToAnotherCluster', `workspace ${workspace} is linked to cluster ${links.cluster.name}: workspace link to cluster will fail if it is linked to another cluster`),
      () => spec.region !== cluster.spec.region && refusal(400, 'RegionMismatch', `workspace ${workspace} is in ${spec.region} and cluster ${clusterName} in ${cluster.spec.region}: they must be in the same region`),
      () => spec.tenant !== cluster.spec.tenant && refusal(400, 'TenantMismatch', `workspace ${workspace} is in tenant ${spec.tenant} and cluster ${clusterName} in ${cluster.spec.tenant}: they must be in the same Azure AD tenant`),
      () => linkedCount >= params.maxWorkspacesPerCluster && refusal(400, 'WorkspaceLimitReached', `cluster ${clusterName} has ${linkedCount} linked workspaces: the maximum of linked workspaces to cluster is ${params.maxWorkspacesPerCluster}`),
      () => this.linkLimitRefusal(workspace, links, options),
    ]);
    if (refused !== null) return this.refuse(operation, refused);
    this.acceptLinkOperation(operation, links, options);
    this.setLinks(links, { linkingTo: cluster });
    this.later(options, params.linkTime, workspace, () => {
      links.pending = null;
      this.setLinks(links, { linkingTo: null });
      if (cluster.provisioningState === 'Deleting' || cluster.provisioningState === 'Deleted') {
        return operations.fail(operation, 409, 'Conflict', `cluster ${clusterName} was deleted while the link was in progress`);
      }
      this.setLinks(links, { cluster });
      // A cluster still provisioning accepts the link and drops the data: "ingested data will be dropped and won't be recoverable".
      this.deps.hooks.routeWorkspace(workspace, this.accountFor(cluster));
      operations.complete(operation, 'Succeeded');
    });
    return operation;
  }

  unlink(workspace: string): Operation {
    const { operations, params } = this.deps;
    const operation = operations.begin('workspace.unlink', workspace);
    const links = this.workspaces.get(workspace)!;
    const refused = this.firstRefusal([
      () => links.pending !== null && refusal(409, 'Conflict', `a link or unlink operation is in progress on workspace ${workspace}`),
      () => links.cluster === null && refusal(400, 'WorkspaceNotLinked', `workspace ${workspace} is not linked to a cluster`),
      // "You can unlink workspaces from the cluster at any time": the limit of link operations refuses links only (an unlink still counts toward it).
    ]);
    if (refused !== null) return this.refuse(operation, refused);
    this.acceptLinkOperation(operation, links, {});
    this.later({}, params.unlinkTime, workspace, () => {
      links.pending = null;
      if (links.cluster !== null) {
        this.setLinks(links, { cluster: null });
        // "New data then gets ingested to Log Analytics storage and encrypted with Microsoft key."
        this.deps.hooks.routeWorkspace(workspace, null);
      }
      operations.complete(operation, 'Succeeded');
    });
    return operation;
  }

  /** Bring your own storage for saved searches (Query) or log-alert queries (Alerts). */
  linkStorage(workspace: string, type: 'Query' | 'Alerts', storageAccount: string, region: string | undefined): Operation {
    const { operations, bus } = this.deps;
    const operation = operations.begin('workspace.linkStorage', workspace);
    const links = this.workspaces.get(workspace)!;
    const spec = this.workspaceSpecs.get(workspace)!;
    const current = links.linkedStorage[type];
    const refused = this.firstRefusal([
      () => region !== undefined && region !== spec.region && refusal(400, 'RegionMismatch', `storage account ${storageAccount} is in ${region} and workspace ${workspace} in ${spec.region}: create your storage account in the same region as your workspace`),
      () => current !== null && current !== storageAccount && refusal(409, 'Conflict', `workspace ${workspace} already has storage account ${current} linked for ${type}: you can link a single storage account per type`),
    ]);
    if (refused !== null) return this.refuse(operation, refused);
    links.linkedStorage[type] = storageAccount;
    if (type === 'Query' && links.savedSearches > 0) {
      // "Existing saved searches are removed from your workspace."
      bus.emit({ t: this.now, type: 'savedSearches.removed', entity: workspace, count: links.savedSearches, storageAccount });
      links.savedSearchesRemoved += links.savedSearches;
      links.savedSearchesInStorage += links.savedSearches;
      links.savedSearches = 0;
    }
    operations.complete(operation, 'Succeeded');
    return operation;
  }

  /** Removes the storage account linked for saved searches (Query) or log-alert queries (Alerts). */
  unlinkStorage(workspace: string, type: 'Query' | 'Alerts'): Operation {
    const { operations, bus, params } = this.deps;
    const operation = operations.begin('workspace.unlinkStorage', workspace);
    const links = this.workspaces.get(workspace)!;
    const current = links.linkedStorage[type];
    if (current === null) return this.refuse(operation, refusal(404, 'ResourceNotFound', `workspace ${workspace} has no storage account linked for ${type}`));
    links.linkedStorage[type] = null;
    if (type === 'Query' && params.unlinkRestoresSavedSearches && links.savedSearchesInStorage > 0) {
      // 2026-04: "You can unlink the Storage Account for saved queries, to move saved queries and functions back to your workspace."
      bus.emit({ t: this.now, type: 'savedSearches.restored', entity: workspace, count: links.savedSearchesInStorage, storageAccount: current });
      links.savedSearches += links.savedSearchesInStorage;
      links.savedSearchesRestored += links.savedSearchesInStorage;
    }
    if (type === 'Query') links.savedSearchesInStorage = 0;
    operations.complete(operation, 'Succeeded');
    return operation;
  }

  /** A Microsoft engineer asks to access a linked workspace's data; the customer decides after `afterMs`. */
  lockboxRequest(workspace: string, decision: 'approve' | 'reject', afterMs: number): Operation {
    const { operations, bus, scheduler } = this.deps;
    const operation = operations.begin('lockbox.request', workspace);
    const links = this.workspaces.get(workspace)!;
    // "Lockbox isn't available in China currently." (Azure China's regions are chinaeast, chinanorth2, ...)
    const region = this.workspaceSpecs.get(workspace)!.region;
    if (region.startsWith('china')) return this.refuse(operation, refusal(400, 'LockboxNotAvailable', `workspace ${workspace} is in ${region}: Lockbox isn't available in China currently`));
    if (links.cluster === null) {
      return this.refuse(operation, refusal(400, 'LockboxNotApplicable', `workspace ${workspace} is not linked to a dedicated cluster: the Lockbox control applies to data stored in a dedicated cluster`));
    }
    const record: LockboxRecord = { workspace, requestedAtMs: this.now, decision, decidedAtMs: null };
    this.lockbox.push(record);
    operations.accept(operation, 'InProgress');
    bus.emit({ t: this.now, type: 'lockbox.requested', entity: workspace });
    scheduler.after(afterMs, () => {
      record.decidedAtMs = this.now;
      bus.emit({ t: this.now, type: decision === 'approve' ? 'lockbox.approved' : 'lockbox.rejected', entity: workspace });
      if (decision === 'approve') operations.complete(operation, 'Succeeded');
      else operations.fail(operation, 403, 'LockboxRequestRejected', `the customer rejected the access request to ${workspace}'s data`);
    });
    return operation;
  }

  /** Whether Key Vault can grant this principal now: a cluster that exists (its system-assigned identity) or a user-assigned identity. */
  principalExists(principal: string): boolean {
    return this.clusters.has(principal) || this.deps.userAssignedIdentities.includes(principal);
  }

  /** Grants the cluster get, wrapKey and unwrapKey as the provisioning steps do: an access policy, or the role in a vault that uses Azure RBAC. */
  grantAccess(vault: string, cluster: string): void {
    const kv = this.deps.vaults.get(vault)!;
    if (kv.spec.permissionModel === 'rbac') kv.assignRole(this.now, cluster, 'Key Vault Crypto Service Encryption User');
    else kv.setPolicy(this.now, cluster, REQUIRED_PERMISSIONS);
  }

  // ---- internals --------------------------------------------------------------

  private get now(): number {
    return this.deps.scheduler.nowMs;
  }

  /** A user-assigned identity needs a profile that has them, and must exist. */
  private identityRefusal(request: ClusterRequest): Refusal | false {
    if (request.identityType !== 'UserAssigned') return false;
    if (!this.deps.params.userAssignedIdentity) {
      return refusal(400, 'UnsupportedIdentityType', 'identity type UserAssigned: this documentation version describes system-assigned identities only (user-assigned from 2023-06; the parameter userAssignedIdentity)');
    }
    const name = request.userAssignedIdentity!;
    const known = this.deps.userAssignedIdentities;
    return !known.includes(name) && refusal(400, 'IdentityNotFound', `user-assigned identity ${name} does not exist (userAssignedIdentities: ${known.length === 0 ? 'none declared' : known.join(', ')})`);
  }

  /** A change between system-assigned and user-assigned (or to another user-assigned identity) after creation. */
  private identityChangeRefusal(cluster: Cluster, request: ClusterRequest): Refusal | false {
    const type = request.identityType;
    if (type !== 'SystemAssigned' && type !== 'UserAssigned') return false;
    const principal = type === 'UserAssigned' ? request.userAssignedIdentity! : cluster.name;
    if (principal === cluster.principal) return false;
    if (!this.deps.params.identityTypeSwitch) {
      return refusal(400, 'IdentityChangeNotSupported', `${cluster.described} cannot change to ${type === 'UserAssigned' ? `user-assigned identity ${principal}` : 'its system-assigned identity'}: this documentation version describes no change of identity after creation (2026-04: the parameter identityTypeSwitch)`);
    }
    const keyVault = cluster.keyRef === null ? undefined : this.deps.vaults.get(cluster.keyRef.vault);
    return type === 'UserAssigned' && keyVault !== undefined && keyVault.spec.privateLink && privateLinkRefusal(keyVault, `user-assigned identity ${principal} for cluster ${cluster.name}`);
  }

  /**
   * 2026-04: "Identity type can be changed after the cluster is created with no interruption to ingestion or queries":
   * the storage accounts present the new identity from their next poll, and Key Vault answers for it.
   */
  private changeIdentity(cluster: Cluster, type: 'SystemAssigned' | 'UserAssigned', userAssignedIdentity: string | null): void {
    const before = cluster.principal;
    cluster.assignIdentity(type, userAssignedIdentity);
    if (cluster.principal === before) return;
    this.deps.bus.emit({ t: this.now, type: 'cluster.principalSet', entity: cluster.name, identity: type, principal: cluster.principal });
    if (cluster.keyRef !== null) this.deps.vaults.get(cluster.keyRef.vault)!.principalInUse(this.now, cluster.principal);
  }

  /** 2026-04: "When the key expires, ingestion and queries aren't affected, but you can't update the key in the cluster." */
  private currentKeyExpiredRefusal(cluster: Cluster): Refusal | false {
    const ref = cluster.keyRef;
    if (!this.deps.params.expiredKeyBlocksClusterUpdates || ref === null) return false;
    const expMs = this.deps.vaults.get(ref.vault)!.expiryOf(ref);
    if (expMs === null || expMs > this.now) return false;
    return refusal(
      400,
      'CurrentKeyExpired',
      `the current key of cluster ${cluster.name}, ${ref.vault}/${ref.key} version ${ref.version}, expired at +${formatDuration(expMs)}: when the key expires, ingestion and queries aren't affected, but you can't update the cluster; extend the key expiration date in Key Vault, then update the cluster`,
    );
  }

  /** Every change of a workspace's cluster or link in progress goes through here, to keep the counts per cluster. */
  private setLinks(links: WorkspaceLinks, change: Partial<Pick<WorkspaceLinks, 'cluster' | 'linkingTo'>>): void {
    const counted = () => new Set([links.cluster, links.linkingTo].filter((c): c is Cluster => c !== null));
    for (const cluster of counted()) this.linkedCounts.set(cluster, this.linkedCounts.get(cluster)! - 1);
    Object.assign(links, change);
    for (const cluster of counted()) this.linkedCounts.set(cluster, (this.linkedCounts.get(cluster) ?? 0) + 1);
  }

  private removeIdentity(cluster: Cluster): void {
    if (cluster.identityNoneCause() !== null) return;
    cluster.removeIdentity(this.now);
    this.deps.bus.emit({ t: this.now, type: 'cluster.identitySet', entity: cluster.name, identity: 'None' });
  }

  /**
   * A capacity must be one of the profile's commitment tiers; once set, a
   * tier holds for capacityCommitment: "A commitment tier can be increased
   * any time, but has 31 days commitment period before it can be reduced."
   */
  private capacityRefusal(cluster: Cluster | null, capacity: number): Refusal | false {
    const tiers = this.deps.params.capacityTiersGBPerDay;
    if (!tiers.includes(capacity)) {
      return refusal(400, 'InvalidCapacityReservation', `capacity reservation ${capacity} GB/day is not a commitment tier: this documentation version offers ${tiers.join(', ')} GB/day`);
    }
    if (cluster === null || capacity >= cluster.settings.capacityGBPerDay || this.now >= cluster.capacityCommittedUntilMs) return false;
    return refusal(
      400,
      'CapacityCommitmentPeriod',
      `cluster ${cluster.name}'s capacity reservation of ${cluster.settings.capacityGBPerDay} GB/day cannot be reduced to ${capacity} GB/day before its commitment period ends at +${formatDuration(cluster.capacityCommittedUntilMs)}: a commitment tier can be increased any time, but has a ${formatDuration(this.deps.params.capacityCommitment)} commitment period before it can be reduced`,
    );
  }

  /** Setting a tier (at creation, raised or lowered) starts its commitment period. */
  private commitCapacity(cluster: Cluster, capacity: number): void {
    cluster.settings.capacityGBPerDay = capacity;
    cluster.capacityCommittedUntilMs = this.now + this.deps.params.capacityCommitment;
  }

  /** The history's record of the capacity a request left the cluster with, when it changed (or the cluster is new): read from the cluster, however it was set. */
  private capacityChanged(cluster: Cluster, beforeGBPerDay: number | null): void {
    const capacity = cluster.settings.capacityGBPerDay;
    if (capacity !== beforeGBPerDay) this.deps.bus.emit({ t: this.now, type: 'cluster.capacitySet', entity: cluster.name, capacityGBPerDay: capacity });
  }

  /** The storage account with the fewest workspaces (lowest index on ties). */
  private accountFor(cluster: Cluster): StorageAccount {
    const load = (account: StorageAccount) => this.deps.hooks.workspacesOn(account);
    return cluster.storageAccounts.reduce((best, account) => (load(account) < load(best) ? account : best));
  }

  protected linkLimitRefusal(workspace: string, links: WorkspaceLinks, options: RequestOptions): Refusal | false {
    if (options.setup === true) return false;
    const recent = links.linkOpsMs.filter((t) => this.now - t < LINK_WINDOW_MS).length;
    const limit = this.deps.params.linkOpsPer30Days;
    return recent >= limit && refusal(400, 'LinkOperationsLimitReached', `workspace ${workspace} had ${recent} link operations in the last 30 days: the number of workspace link operations on particular workspace is limited to ${limit} in a period of 30 days`);
  }

  private acceptLinkOperation(operation: Operation, links: WorkspaceLinks, options: RequestOptions): void {
    if (options.setup !== true) links.linkOpsMs.push(this.now);
    links.pending = operation;
    this.deps.operations.accept(operation, 'InProgress');
  }

  private noCluster(name: string): Refusal {
    return refusal(404, 'ResourceNotFound', `cluster ${name} does not exist`);
  }

  private firstRefusal(rules: readonly (() => Refusal | false)[]): Refusal | null {
    for (const rule of rules) {
      const result = rule();
      if (result !== false) return result;
    }
    return null;
  }

  private refuse(operation: Operation, reason: Refusal): Operation {
    this.deps.operations.refuse(operation, reason);
    return operation;
  }

  /** Runs `complete` after a duration in the range, drawn as delayMode says (at once for setup). */
  private later(options: RequestOptions, range: RangeMs, target: string, complete: () => void): void {
    const durationMs = options.setup === true ? 0 : drawDelay(range, this.deps.params.delayMode, this.deps.streams.stream(`controlPlane/${target}`));
    this.deps.scheduler.after(durationMs, complete);
  }
}
