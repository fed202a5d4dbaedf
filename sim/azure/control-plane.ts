// The control plane: requests on clusters and workspaces, each checked
// against the documented rules and refused at once (HTTP-like status, code,
// message) or accepted as an asynchronous operation that completes later.

import type { Scheduler } from '../engine/scheduler.ts';
import type { RandomStreams } from '../engine/random.ts';
import { MS_PER_DAY } from '../engine/duration.ts';
import type { EventBus } from '../observe/events.ts';
import type { ClusterSpec, WorkspaceSpec } from '../scenario.ts';
import { Cluster, REQUIRED_PERMISSIONS } from './cluster.ts';
import type { KeyVault } from './key-vault.ts';
import { type Operation, type OperationLog, refusal, type Refusal } from './operations.ts';
import { drawDelay, type Params, type RangeMs } from './profiles.ts';
import { describeBodyProblems, parseClusterBody, type ClusterRequest } from './requests.ts';
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
  hooks: ControlPlaneHooks;
}

/** How a request is run: setup builds `setup: ready` with the same requests, done at once and not counted. */
export interface RequestOptions {
  setup?: boolean;
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
      this.workspaces.set(spec.name, { cluster: null, linkOpsMs: [], pending: null, linkingTo: null, linkedStorage: { Query: null, Alerts: null }, savedSearches: spec.savedSearches, savedSearchesRemoved: 0 });
    }
  }

  // ---- clusters -------------------------------------------------------------

  createCluster(name: string, body: unknown, options: RequestOptions = {}): Operation {
    const { operations, params } = this.deps;
    const operation = operations.begin('cluster.create', name);
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
      () => capacity < params.minCapacityGBPerDay && refusal(400, 'InvalidCapacityReservation', `capacity reservation ${capacity} GB/day is below the minimum of ${params.minCapacityGBPerDay} GB/day`),
      () =>
        request.keyVaultProperties !== null &&
        refusal(400, 'KeyVaultPropertiesOnCreate', "keyVaultProperties given at creation: the access policy can't be defined until system identity is assigned to the cluster; create the cluster, grant the permissions, then update it with the key"),
    ]);
    if (refused !== null) return this.refuse(operation, refused);
    const cluster = new Cluster(
      spec,
      {
        capacityGBPerDay: capacity,
        billingType: request.billingType ?? spec.billingType,
        doubleEncryption: request.doubleEncryption ?? spec.doubleEncryption,
        identityType: request.identityType ?? 'SystemAssigned',
      },
      now,
    );
    this.clusters.set(name, cluster);
    if (cluster.identityNoneCause() !== null) this.deps.bus.emit({ t: now, type: 'cluster.identitySet', entity: name, identity: 'None' });
    cluster.storageAccounts = this.deps.hooks.makeStorageAccounts(cluster);
    operations.accept(operation, 'InProgress');
    this.later(options, this.deps.params.clusterProvisionTime, name, () => {
      cluster.provisioningState = 'Succeeded';
      for (const account of cluster.storageAccounts) account.provisioned();
      operations.complete(operation, 'Succeeded');
    });
    return operation;
  }

  /** ARM PATCH: identity, sku, billing type or key; a key update re-wraps every AEK after keyUpdateTime. */
  updateCluster(name: string, body: unknown, options: RequestOptions = {}): Operation {
    const { operations, params, vaults } = this.deps;
    const operation = operations.begin('cluster.update', name);
    const cluster = this.clusters.get(name);
    if (cluster === undefined) return this.refuse(operation, this.noCluster(name));
    const parsed = parseClusterBody(body);
    if ('problems' in parsed) return this.refuse(operation, refusal(400, 'InvalidRequestBody', describeBodyProblems(parsed.problems)));
    const request: ClusterRequest = parsed.request;
    const refused = this.firstRefusal([
      () => cluster.provisioningState === 'ProvisioningAccount' && refusal(409, 'ClusterNotReady', `cluster ${name} is still provisioning; update it once its provisioningState is Succeeded`),
      () => operations.inProgress(name, operation) && refusal(409, 'Conflict', `an operation is in progress on cluster ${name}; if you update your cluster while an operation is in progress, the operation will fail`),
      () => request.identityType !== null && request.keyVaultProperties !== null && refusal(400, 'InvalidRequest', 'identity and keyVaultProperties cannot change in one request: set the identity first, then the key'),
      () =>
        request.doubleEncryption !== null &&
        request.doubleEncryption !== cluster.settings.doubleEncryption &&
        refusal(400, 'DoubleEncryptionImmutable', `double encryption setting can not be changed after the cluster has been created (it is ${cluster.settings.doubleEncryption})`),
      () => request.skuCapacity !== null && request.skuCapacity < params.minCapacityGBPerDay && refusal(400, 'InvalidCapacityReservation', `capacity reservation ${request.skuCapacity} GB/day is below the minimum of ${params.minCapacityGBPerDay} GB/day`),
      () => request.identityType === 'SystemAssigned' && cluster.identityNoneCause() !== null && refusal(400, 'IdentityCannotBeRestored', `cluster ${name}'s identity was set to None, which cannot be undone`),
    ]);
    if (refused !== null) return this.refuse(operation, refused);
    if (request.skuCapacity !== null) cluster.settings.capacityGBPerDay = request.skuCapacity;
    if (request.billingType !== null) cluster.settings.billingType = request.billingType;
    if (request.identityType === 'None') this.removeIdentity(cluster);
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
      const failures = cluster.storageAccounts.map((account) => account.configureKey(checked.ref)).filter((f) => f !== null);
      if (failures.length > 0) return operations.fail(operation, 400, 'KeyUpdateFailed', failures.join('; '));
      cluster.keyVaultProperties = properties;
      cluster.keyRef = checked.ref;
      operations.complete(operation, 'Succeeded');
    });
    return operation;
  }

  setIdentity(name: string, type: 'SystemAssigned' | 'None'): Operation {
    return this.updateCluster(name, { identity: { type } });
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

  /** Auto-rotation: clusters whose keyVersion is empty follow a new version after a detection delay. */
  keyRotated(vault: string, key: string): void {
    for (const cluster of this.clusters.values()) {
      if (!cluster.followsNewestVersion || cluster.keyRef?.vault !== vault || cluster.keyRef.key !== key) continue;
      this.later({}, this.deps.params.autoRotationDetection, cluster.name, () => {
        const newest = this.deps.vaults.get(vault)!.newestVersion(key)!;
        if (!cluster.followsNewestVersion || cluster.keyRef?.version === newest || cluster.provisioningState === 'Deleted') return;
        const ref = { vault, key, version: newest };
        this.deps.bus.emit({ t: this.now, type: 'key.rotationFollowed', entity: cluster.name, version: newest });
        if (cluster.storageAccounts.every((account) => account.configureKey(ref) === null)) cluster.keyRef = ref;
      });
    }
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
      () => this.linkLimitRefusal(workspace, links, {}),
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
      links.savedSearches = 0;
    }
    operations.complete(operation, 'Succeeded');
    return operation;
  }

  /** A Microsoft engineer asks to access a linked workspace's data; the customer decides after `afterMs`. */
  lockboxRequest(workspace: string, decision: 'approve' | 'reject', afterMs: number): Operation {
    const { operations, bus, scheduler } = this.deps;
    const operation = operations.begin('lockbox.request', workspace);
    const links = this.workspaces.get(workspace)!;
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

  /** Grants the cluster get, wrapKey and unwrapKey, as the provisioning steps do. */
  grantAccess(vault: string, cluster: string): void {
    this.deps.vaults.get(vault)!.setPolicy(this.now, cluster, REQUIRED_PERMISSIONS);
  }

  // ---- internals --------------------------------------------------------------

  private get now(): number {
    return this.deps.scheduler.nowMs;
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
