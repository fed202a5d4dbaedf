// Builds the actors from a scenario, schedules its actions and workload,
// runs the clock to the end and gathers the result.

import { InfrastructureLayer, PlatformKey, type RsaKeyPair, RsaKeyPool } from './crypto/index.ts';
import { RandomStreams } from './engine/random.ts';
import { Scheduler } from './engine/scheduler.ts';
import { MS_PER_MINUTE } from './engine/duration.ts';
import { type Cluster, vaultUriOf } from './azure/cluster.ts';
import { ControlPlane, type RequestOptions } from './azure/control-plane.ts';
import { KeyVault } from './azure/key-vault.ts';
import { type Operation, OperationLog, refusal, type Refusal } from './azure/operations.ts';
import { assertNever, type StorageAccount, type ClusterIdentity } from './azure/storage-account.ts';
import { EventBus, type SimEvent } from './observe/events.ts';
import { checkExpectations } from './observe/expectations.ts';
import { Checker } from './observe/checker.ts';
import { RunMetrics } from './observe/metrics.ts';
import { defaultSloSpec } from './observe/slo.ts';
import { auxiliaryTablesOf } from './observe/records.ts';
import { drawFaults, type DrawnFault } from './faults.ts';
import { checkArguments, optionalFunction, optionsObject, scenarioArgument } from './api-arguments.ts';
import { InputError, type Problem } from './input-error.ts';
import { modelClasses } from './selftest.ts';
import { Composition } from './workload/composition.ts';
import type { Action, Scenario, WorkspaceSpec } from './scenario.ts';
import type { RunResult } from './result.ts';
import { VERSION } from './package.ts';

/** What a probe may look at: the actors themselves, read-only by convention (tests and checks). */
export interface WorldView {
  readonly storageAccounts: readonly StorageAccount[];
  readonly vaults: ReadonlyMap<string, KeyVault>;
  readonly controlPlane: ControlPlane;
}

export interface RunOptions {
  /** Every event, in time order: the history (the timeline, the trace and the report listen here). */
  onEvent?: (event: SimEvent) => void;
  /** RSA pairs to reuse from earlier runs of this process (sweeps); without it every RSA key is generated afresh. */
  rsaKeyPool?: RsaKeyPool;
  /** Looks at the actors at given times, after every event of that time so far. */
  probes?: readonly { atMs: number; look: (view: WorldView) => void }[];
}

interface WorkspaceState {
  spec: WorkspaceSpec;
  /** Its place in the scenario's list: compositions and sampled queries take workspaces in this order. */
  index: number;
  recordsPerMinute: number;
  queriesPerHour: number;
  lookbackMs: number;
  storage: StorageAccount;
  /** Accounts it wrote to before, until when: a query whose lookback reaches back there still needs them. */
  previous: { account: StorageAccount; untilMs: number }[];
  /** Whether its queries succeed now. */
  serving: boolean;
}

/**
 * The workspaces writing to one storage account, kept as routes change, so
 * that a link costs O(1) however many workspaces there are. The account's
 * compositions are built from them when next needed (its next slice or
 * sampled query), not at every route: setup links thousands of workspaces
 * before t=0, and only the last grouping is ever read. Each regrouping still
 * takes the composition ids it always took (one per retention), so the ids
 * in the history do not depend on when the grouping is built.
 */
interface SinkMembers {
  readonly members: Set<WorkspaceState>;
  /**
   * Workspaces whose tables on the Auxiliary plan write here (shared storage only):
   * "Data in tables with the Auxiliary plan is encrypted with Microsoft-managed keys",
   * whatever the cluster's key. Fixed by the scenario.
   */
  readonly auxiliary: Set<WorkspaceState>;
  /** Workspaces (and Auxiliary tables) per retention: how many compositions a regrouping makes. */
  readonly retentions: Map<number, number>;
  /** The id of the first composition of the latest regrouping. */
  firstCompositionId: number;
  /** Whether the account's compositions predate the latest regrouping. */
  stale: boolean;
  /** Workspaces with queries, in scenario order, as of the latest regrouping: a sampled query picks one. */
  queried: WorkspaceState[];
}

function countRetention({ retentions }: SinkMembers, retentionDays: number, change: 1 | -1): void {
  const count = (retentions.get(retentionDays) ?? 0) + change;
  if (count === 0) retentions.delete(retentionDays);
  else retentions.set(retentionDays, count);
}

/** What setup would refuse, found by running setup alone: the same requests as a run (its RSA keys from the pool, if given). */
export function setupProblems(scenario: Scenario, rsaKeyPool?: RsaKeyPool): Problem[] {
  try {
    new World(scenario, rsaKeyPool === undefined ? {} : { rsaKeyPool }).setup();
    return [];
  } catch (error) {
    if (error instanceof InputError) return [...error.problems];
    throw error;
  }
}

export function runScenario(scenario: Scenario, options: RunOptions = {}): RunResult {
  checkArguments('runScenario', [
    scenarioArgument(scenario),
    optionsObject(options),
    optionalFunction(options, 'onEvent'),
    { path: 'options.rsaKeyPool', value: options?.rsaKeyPool, ok: options?.rsaKeyPool === undefined || options.rsaKeyPool instanceof RsaKeyPool, expected: 'an RsaKeyPool, or nothing' },
    { path: 'options.probes', value: options?.probes, ok: options?.probes === undefined || Array.isArray(options.probes), expected: 'a list of {atMs, look}, or nothing' },
  ]);
  const run = startScenario(scenario, options);
  run.advance(Infinity);
  return run.finish();
}

/** A run in steps: the same run as runScenario, for a caller that wants a turn between steps (to answer signals, to show progress). */
export interface ScenarioRun {
  /** Runs up to `maxEvents` more events; true once the scenario's end is reached. */
  advance(maxEvents: number): boolean;
  /** Where the simulated clock is, in milliseconds from the start. */
  readonly nowMs: number;
  /** Events run so far. */
  readonly events: number;
  /** Ends the run (scenario.end) once advance has returned true, and gives the result. */
  finish(): RunResult;
}

export function startScenario(scenario: Scenario, options: RunOptions = {}): ScenarioRun {
  return new World(scenario, options).start();
}

/** The field of a cluster that a refusal of its creation is about, where it is one field: what a setup refusal points at. */
const CREATE_REFUSAL_FIELDS: Readonly<Record<string, string>> = {
  InvalidClusterName: 'name',
  Conflict: 'name',
  InvalidCapacityReservation: 'capacityGBPerDay',
  DoubleEncryptionNotSupported: 'doubleEncryption',
};

class World {
  private readonly scheduler = new Scheduler(0);
  private readonly bus = new EventBus();
  private readonly streams: RandomStreams;
  private readonly operations: OperationLog;
  private readonly vaults = new Map<string, KeyVault>();
  private readonly controlPlane: ControlPlane;
  private readonly workspaces = new Map<string, WorkspaceState>();
  private readonly sinkMembers = new Map<StorageAccount, SinkMembers>();
  private readonly shared: StorageAccount;
  private readonly sinks: StorageAccount[] = [];
  private readonly platformKey: PlatformKey;
  /** The storage account class: the model, or a self-test variant with one rule broken (param brokenRule). */
  private readonly Account: ReturnType<typeof modelClasses>['Account'];
  private readonly checker = new Checker();
  private readonly metrics = new RunMetrics();
  /** RSA pairs taken from the pool so far, per size. */
  private readonly rsaKeysTaken = new Map<number, number>();
  /** The occurrences of the scenario's fault processes, drawn before the run. */
  private readonly faults: DrawnFault[];
  private nextCompositionId = 0;

  constructor(
    private readonly scenario: Scenario,
    private readonly options: RunOptions,
  ) {
    this.streams = new RandomStreams(scenario.seed);
    this.faults = drawFaults(scenario.faults, scenario.durationMs, this.streams, scenario.source);
    this.operations = new OperationLog(this.scheduler, this.bus);
    if (options.onEvent !== undefined) this.bus.on(options.onEvent);
    this.bus.on((event) => this.checker.apply(event));
    this.bus.on((event) => this.metrics.apply(event));
    const params = scenario.params;
    this.bus.emit({ t: 0, type: 'scenario.start', entity: scenario.name, scenario: scenario.name, seed: scenario.seed, profile: scenario.profile, params, overridden: scenario.overriddenParams });
    const { Account, Plane } = modelClasses(params.brokenRule);
    this.Account = Account;
    this.platformKey = new PlatformKey(this.streams.stream('platform/mmk').bytes(32));
    for (const spec of scenario.keyVaults) {
      this.vaults.set(
        spec.name,
        new KeyVault(spec, {
          bus: this.bus,
          scheduler: this.scheduler,
          transientStream: this.streams.stream(`${spec.name}/transient`),
          octMaterial: (n) => this.streams.stream(`${spec.name}/keys`).bytes(n),
          rsaKeyPair: (sizeBits) => this.rsaKeyPair(sizeBits),
          rsa2048ThrottleLimitPer10s: params.keyVaultThrottleLimitPer10s,
        }),
      );
    }
    // Workspaces outside any cluster write to shared Log Analytics storage, under Microsoft keys.
    this.shared = this.makeAccount({ name: 'shared', principal: 'shared', identityNoneCause: () => null }, 0, { doubleEncryption: false, infrastructure: null }, 'noKey');
    this.sinks.push(this.shared);
    this.controlPlane = new Plane({
      scheduler: this.scheduler,
      bus: this.bus,
      params,
      streams: this.streams,
      vaults: this.vaults,
      operations: this.operations,
      clusterSpecs: scenario.clusters,
      workspaceSpecs: scenario.workspaces,
      userAssignedIdentities: scenario.userAssignedIdentities,
      hooks: {
        makeStorageAccounts: (cluster) => this.makeClusterAccounts(cluster),
        routeWorkspace: (workspace, account) => this.route(workspace, account ?? this.shared),
        workspacesOn: (account) => this.membersOf(account).members.size,
      },
    });
    for (const [index, spec] of scenario.workspaces.entries()) {
      const ws: WorkspaceState = { spec, index, recordsPerMinute: spec.ingest.recordsPerMinute, queriesPerHour: spec.query.perHour, lookbackMs: spec.query.lookbackMs, storage: this.shared, previous: [], serving: true };
      this.workspaces.set(spec.name, ws);
      this.join(ws, this.shared);
      if (spec.auxiliary.recordsPerMinute > 0) this.joinAuxiliary(ws);
      this.emitWorkload(ws);
      this.bus.emit({ t: 0, type: 'workspace.routed', entity: spec.name, storage: this.shared.id });
    }
    this.recompose(this.shared);
  }

  start(): ScenarioRun {
    const { scenario, scheduler, bus } = this;
    this.setup();
    bus.emit({ t: 0, type: 'scenario.ready', entity: scenario.name });
    for (const action of scenario.actions) scheduler.at(action.atMs, () => this.apply(action));
    for (const fault of this.faults) scheduler.at(fault.atMs, () => this.applyFault(fault));
    const view: WorldView = { storageAccounts: this.sinks, vaults: this.vaults, controlPlane: this.controlPlane };
    for (const probe of this.options.probes ?? []) scheduler.at(probe.atMs, () => probe.look(view));
    let sliceIndex = 0;
    scheduler.every(scenario.params.blockSlice, () => {
      sliceIndex++;
      for (const sink of this.sinks) {
        this.regroup(sink);
        sink.ingestSlice(sliceIndex);
      }
    });
    scheduler.every(scenario.params.querySampleInterval, () => {
      for (const sink of this.sinks) this.sampleQuery(sink);
    });
    let ended = false;
    return {
      advance: (maxEvents) => (ended = scheduler.runUntil(scenario.durationMs, maxEvents)),
      get nowMs() {
        return scheduler.nowMs;
      },
      get events() {
        return scheduler.processed;
      },
      finish: () => {
        if (!ended) throw new Error('internal: a run is finished before it reached its end');
        bus.emit({ t: scenario.durationMs, type: 'scenario.end', entity: scenario.name, events: scheduler.processed });
        return this.result();
      },
    };
  }

  /** The run's next RSA pair of this size from the pool, if the run has one: the n-th key of a size gets the pool's n-th pair. */
  private rsaKeyPair(sizeBits: number): RsaKeyPair | undefined {
    const pool = this.options.rsaKeyPool;
    if (pool === undefined) return undefined;
    const n = this.rsaKeysTaken.get(sizeBits) ?? 0;
    this.rsaKeysTaken.set(sizeBits, n + 1);
    return pool.pair(sizeBits, n);
  }

  /** An occurrence of a fault process: a Key Vault fault window, or a key disabled by mistake and enabled once noticed. */
  private applyFault(fault: DrawnFault): void {
    const spec = this.scenario.faults[fault.process]!;
    const origin = `random fault: faults[${fault.process}]`;
    const atMs = fault.atMs;
    switch (spec.process) {
      case 'keyVault.outage':
      case 'keyVault.denyNetwork':
        return this.apply({ atMs, do: spec.process, vault: spec.vault, forMs: fault.forMs }, origin);
      case 'keyVault.transient':
        return this.apply({ atMs, do: spec.process, vault: spec.vault, forMs: fault.forMs, failureRate: spec.failureRate }, origin);
      case 'keyVault.throttle':
        return this.apply({ atMs, do: spec.process, vault: spec.vault, forMs: fault.forMs, limitPer10s: spec.limitPer10s }, origin);
      case 'key.accidentalDisable': {
        // The version that was newest when it was disabled is the one enabled again, even if a rotation came in between.
        const version = this.vaults.get(spec.vault)!.newestVersion(spec.key);
        if (version === undefined) return;
        this.apply({ atMs, do: 'key.disable', vault: spec.vault, key: spec.key, version }, origin);
        const noticedMs = atMs + fault.forMs;
        this.scheduler.at(noticedMs, () => this.apply({ atMs: noticedMs, do: 'key.enable', vault: spec.vault, key: spec.key, version }, `${origin}, noticed`));
        return;
      }
    }
  }

  /**
   * setup: ready is the documented provisioning path run before t=0 with the
   * same requests a scenario makes: create each cluster, grant it get,
   * wrapKey and unwrapKey, set its key, link its workspaces. A refusal is bad input.
   */
  setup(): void {
    if (this.scenario.setup === 'none') return;
    const { controlPlane, scenario } = this;
    const setup: RequestOptions = { setup: true };
    const requests: { operation: Operation; path: string }[] = [];
    const stage = (make: () => { operation: Operation; path: string }[]) => {
      requests.push(...make());
      for (let next = this.scheduler.peekMs(); next !== undefined && next <= 0; next = this.scheduler.peekMs()) this.scheduler.step();
    };
    stage(() =>
      scenario.clusters.map((spec, i) => {
        const operation = controlPlane.createCluster(spec.name, undefined, setup);
        const field = CREATE_REFUSAL_FIELDS[operation.code ?? ''];
        return { operation, path: `clusters[${i}]${field === undefined ? '' : `.${field}`}` };
      }),
    );
    stage(() =>
      scenario.clusters.flatMap((spec, i) => {
        const key = spec.key;
        if (key === undefined || !controlPlane.clusters.has(spec.name)) return [];
        const vault = this.vaults.get(key.vault)!;
        if (!vault.spec.accessPolicies.some((p) => p.principal === spec.name)) controlPlane.grantAccess(key.vault, spec.name);
        const body = { properties: { keyVaultProperties: { keyVaultUri: vaultUriOf(key.vault), keyName: key.name, keyVersion: key.version ?? vault.newestVersion(key.name)! } } };
        return [{ operation: controlPlane.updateCluster(spec.name, body, setup), path: `clusters[${i}].key` }];
      }),
    );
    stage(() =>
      scenario.workspaces.flatMap((spec, i) =>
        spec.cluster === undefined || !controlPlane.clusters.has(spec.cluster) ? [] : [{ operation: controlPlane.link(spec.name, spec.cluster, setup), path: `workspaces[${i}].cluster` }],
      ),
    );
    const refused = requests.filter((r) => r.operation.status !== 'Succeeded');
    if (refused.length > 0) {
      throw new InputError(
        refused.map(({ operation, path }) => ({
          file: scenario.source,
          path,
          found: `${operation.action} refused: ${operation.httpStatus} ${operation.code}: ${operation.message}`,
          expected: 'what Azure accepts (setup: ready runs the documented provisioning steps before t=0)',
        })),
      );
    }
    // Setup happened before t=0: its requests are not the scenario's operations.
    this.operations.all.length = 0;
  }

  private makeClusterAccounts(cluster: Cluster): StorageAccount[] {
    const infrastructure = cluster.settings.doubleEncryption ? new InfrastructureLayer(this.streams.stream(`${cluster.name}/infrastructure`).bytes(32)) : null;
    const accounts: StorageAccount[] = [];
    for (let index = 0; index < cluster.spec.storageAccounts; index++) accounts.push(this.makeAccount(cluster, index, { doubleEncryption: cluster.settings.doubleEncryption, infrastructure }, 'provisioning'));
    this.sinks.push(...accounts);
    return accounts;
  }

  private makeAccount(cluster: ClusterIdentity, index: number, layers: { doubleEncryption: boolean; infrastructure: InfrastructureLayer | null }, state: 'provisioning' | 'noKey'): StorageAccount {
    const id = `${cluster.name}/${index}`;
    const stream = (purpose: string) => this.streams.stream(`${id}/${purpose}`);
    return new this.Account(
      cluster.name,
      index,
      {
        scheduler: this.scheduler,
        bus: this.bus,
        params: this.scenario.params,
        startIso: this.scenario.startIso,
        cluster,
        vaults: this.vaults,
        platformKey: this.platformKey,
        ...layers,
        streams: { poll: stream('poll'), delays: stream('delays'), keys: stream('keys'), payload: stream('payload'), queries: stream('queries'), hotCache: stream('hotCache') },
        onServingChange: (account) => this.servingChanged(account),
      },
      state,
    );
  }

  /** Performs an action of the scenario, or one drawn by a fault process (`origin` says which). */
  private apply(action: Action, origin?: string): void {
    const now = this.scheduler.nowMs;
    const cp = this.controlPlane;
    const detail = describeAction(action) + (origin === undefined ? '' : ` (${origin})`);
    this.bus.emit({ t: now, type: 'action', entity: actionTarget(action), action: action.do, detail });
    switch (action.do) {
      case 'keyVault.outage':
        this.vaults.get(action.vault)!.beginOutage(now, action.forMs);
        return this.endWindowAt(action.vault, now + action.forMs);
      case 'keyVault.transient':
        this.vaults.get(action.vault)!.beginTransient(now, action.forMs, action.failureRate);
        return this.endWindowAt(action.vault, now + action.forMs);
      case 'keyVault.denyNetwork':
        this.vaults.get(action.vault)!.beginNetworkDenied(now, action.forMs);
        return this.endWindowAt(action.vault, now + action.forMs);
      case 'keyVault.throttle':
        this.vaults.get(action.vault)!.beginThrottle(now, action.forMs, action.limitPer10s);
        return this.endWindowAt(action.vault, now + action.forMs);
      case 'key.disable':
      case 'key.enable':
        return this.vaultRequest(action, () => this.vaults.get(action.vault)!.setEnabled(now, action.key, action.version, action.do === 'key.enable'));
      case 'key.rotate':
        return this.vaultRequest(action, () => void this.vaults.get(action.vault)!.createVersion(now, action.key, action.version));
      case 'key.delete':
        return this.vaultRequest(action, () => this.vaults.get(action.vault)!.deleteKey(now, action.key));
      case 'key.recover':
        return this.vaultRequest(action, () => this.vaults.get(action.vault)!.recoverKey(now, action.key));
      case 'key.purge':
        return this.vaultRequest(action, () => this.vaults.get(action.vault)!.purgeKey(now, action.key));
      case 'key.setExpiry':
        return this.vaultRequest(action, () => this.vaults.get(action.vault)!.setExpiry(now, action.key, action.version, action.expMs));
      case 'accessPolicy.set':
        return this.vaultRequest(action, () => {
          // "The access policy can't be defined until system identity is assigned to the cluster."
          if (!cp.principalExists(action.principal)) return refusal(400, 'PrincipalNotFound', `cluster ${action.principal} does not exist, so it has no identity to grant access to`);
          return this.vaults.get(action.vault)!.setPolicy(now, action.principal, action.permissions);
        });
      case 'accessPolicy.remove':
        return this.vaultRequest(action, () => this.vaults.get(action.vault)!.removePolicy(now, action.principal));
      case 'roleAssignment.create':
        return this.vaultRequest(action, () => {
          if (!cp.principalExists(action.principal)) return refusal(400, 'PrincipalNotFound', `cluster ${action.principal} does not exist, so it has no identity to assign a role to`);
          return this.vaults.get(action.vault)!.assignRole(now, action.principal, action.role);
        });
      case 'roleAssignment.delete':
        return this.vaultRequest(action, () => this.vaults.get(action.vault)!.removeRole(now, action.principal, action.role));
      case 'cluster.create':
        return void cp.createCluster(action.cluster, action.body);
      case 'cluster.update':
        return void cp.updateCluster(action.cluster, action.body);
      case 'cluster.setIdentity':
        return void cp.setIdentity(action.cluster, action.type);
      case 'cluster.delete':
        return void cp.deleteCluster(action.cluster);
      case 'workspace.link':
        return void cp.link(action.workspace, action.cluster);
      case 'workspace.unlink':
        return void cp.unlink(action.workspace);
      case 'workspace.linkStorage':
        return void cp.linkStorage(action.workspace, action.type, action.storageAccount, action.region);
      case 'workspace.unlinkStorage':
        return void cp.unlinkStorage(action.workspace, action.type);
      case 'lockbox.request':
        return void cp.lockboxRequest(action.workspace, action.decision, action.afterMs);
      case 'workspace.setIngest':
        return this.changeWorkload(action.workspace, (ws) => {
          if (action.ingest.recordsPerMinute !== undefined) ws.recordsPerMinute = action.ingest.recordsPerMinute;
        });
      case 'workspace.setQuery':
        return this.changeWorkload(action.workspace, (ws) => {
          if (action.query.perHour !== undefined) ws.queriesPerHour = action.query.perHour;
          if (action.query.lookbackMs !== undefined) ws.lookbackMs = action.query.lookbackMs;
        });
      default:
        return assertNever(action);
    }
  }

  /** A key or policy request: synchronous in Key Vault, so it succeeds or is refused at once (a text: 403 Forbidden); not at all while the vault is down. */
  private vaultRequest(action: Action & { vault: string }, perform: () => Refusal | string | null | void): void {
    const operation = this.operations.begin(action.do, action.vault);
    const refused = this.vaults.get(action.vault)!.ownerRequestRefusal() ?? perform();
    if (typeof refused === 'string') this.operations.refuse(operation, refusal(403, 'Forbidden', refused));
    else if (refused !== null && refused !== undefined) this.operations.refuse(operation, refused);
    else this.operations.complete(operation, 'Succeeded');
  }

  private endWindowAt(vault: string, endMs: number): void {
    this.scheduler.at(endMs, () => this.vaults.get(vault)!.endWindows(this.scheduler.nowMs));
  }

  private changeWorkload(workspace: string, change: (ws: WorkspaceState) => void): void {
    const ws = this.workspaces.get(workspace)!;
    change(ws);
    this.emitWorkload(ws);
    this.recompose(ws.storage);
    this.settle(ws);
    // A new lookback moves the moments its queries stop reading the accounts it wrote to before.
    for (const p of ws.previous) this.scheduler.at(Math.max(this.scheduler.nowMs, p.untilMs + ws.lookbackMs), () => this.settle(ws));
  }

  private emitWorkload(ws: WorkspaceState): void {
    const t = this.scheduler.nowMs;
    this.bus.emit({ t, type: 'workspace.workload', entity: ws.spec.name, recordsPerMinute: ws.recordsPerMinute, queriesPerHour: ws.queriesPerHour, lookbackMs: ws.lookbackMs });
    const auxiliary = ws.spec.auxiliary;
    if (auxiliary.recordsPerMinute === 0 && auxiliary.queriesPerHour === 0) return;
    // Its tables on the Auxiliary plan: a workload of their own, in shared storage under Microsoft keys, whose queries never fail for the customer key.
    this.bus.emit({ t, type: 'workspace.workload', entity: auxiliaryTablesOf(ws.spec.name), recordsPerMinute: auxiliary.recordsPerMinute, queriesPerHour: auxiliary.queriesPerHour, lookbackMs: ws.lookbackMs });
  }

  /** The workspace writes to another account from now on; queries still need the old one while their lookback reaches it. */
  private route(workspace: string, account: StorageAccount): void {
    const ws = this.workspaces.get(workspace)!;
    const now = this.scheduler.nowMs;
    if (ws.storage === account) return;
    const old = ws.storage;
    if (old !== this.shared) ws.previous.push({ account: old, untilMs: now });
    ws.storage = account;
    this.leave(ws, old);
    this.join(ws, account);
    this.recompose(old);
    this.recompose(account);
    this.bus.emit({ t: now, type: 'workspace.routed', entity: workspace, storage: account.id });
    this.settle(ws);
    this.scheduler.at(now + ws.lookbackMs, () => this.settle(ws));
  }

  private membersOf(sink: StorageAccount): SinkMembers {
    let group = this.sinkMembers.get(sink);
    if (group === undefined) this.sinkMembers.set(sink, (group = { members: new Set(), auxiliary: new Set(), retentions: new Map(), firstCompositionId: 0, stale: false, queried: [] }));
    return group;
  }

  private join(ws: WorkspaceState, sink: StorageAccount): void {
    const group = this.membersOf(sink);
    group.members.add(ws);
    countRetention(group, ws.spec.retentionDays, 1);
  }

  private joinAuxiliary(ws: WorkspaceState): void {
    const group = this.membersOf(this.shared);
    group.auxiliary.add(ws);
    countRetention(group, ws.spec.retentionDays, 1);
  }

  private leave(ws: WorkspaceState, sink: StorageAccount): void {
    const group = this.membersOf(sink);
    group.members.delete(ws);
    countRetention(group, ws.spec.retentionDays, -1);
  }

  /** The workspaces writing to a storage account, or their workloads, changed: it regroups them, one composition per retention. */
  private recompose(sink: StorageAccount): void {
    const group = this.membersOf(sink);
    group.firstCompositionId = this.nextCompositionId;
    this.nextCompositionId += group.retentions.size;
    group.stale = true;
  }

  /** Builds the account's compositions of its latest regrouping, if not built yet. */
  private regroup(sink: StorageAccount): SinkMembers {
    const group = this.membersOf(sink);
    if (!group.stale) return group;
    group.stale = false;
    const ordered = [...group.members].sort((a, b) => a.index - b.index);
    const writers = group.auxiliary.size === 0 ? ordered : [...new Set([...group.members, ...group.auxiliary])].sort((a, b) => a.index - b.index);
    const byRetention = new Map<number, { workspace: string; recordsPerSlice: number }[]>();
    const slicesPerMinute = this.scenario.params.blockSlice / MS_PER_MINUTE;
    const add = (workspace: string, retentionDays: number, recordsPerMinute: number) => {
      const members = byRetention.get(retentionDays) ?? [];
      members.push({ workspace, recordsPerSlice: recordsPerMinute * slicesPerMinute });
      byRetention.set(retentionDays, members);
    };
    for (const ws of writers) {
      if (group.members.has(ws)) add(ws.spec.name, ws.spec.retentionDays, ws.recordsPerMinute);
      if (group.auxiliary.has(ws)) add(auxiliaryTablesOf(ws.spec.name), ws.spec.retentionDays, ws.spec.auxiliary.recordsPerMinute);
    }
    let id = group.firstCompositionId;
    sink.compositions = [...byRetention.entries()].sort(([a], [b]) => a - b).map(([days, members]) => new Composition(id++, days, members));
    group.queried = ordered.filter((ws) => ws.queriesPerHour > 0);
    return group;
  }

  // ---- queries ---------------------------------------------------------------

  /** Whether every account holding the workspace's data within its lookback serves it. */
  private servingOf(ws: WorkspaceState): boolean {
    const now = this.scheduler.nowMs;
    ws.previous = ws.previous.filter((p) => p.untilMs > now - ws.lookbackMs);
    return ws.storage.serves(ws.spec.name) && ws.previous.every((p) => p.account.serves(ws.spec.name));
  }

  private servingChanged(account: StorageAccount): void {
    for (const ws of this.workspaces.values()) {
      if (ws.storage === account || ws.previous.some((p) => p.account === account)) this.settle(ws);
    }
  }

  /** Re-evaluates whether the workspace's queries succeed; a change is an event. */
  private settle(ws: WorkspaceState): void {
    const serving = this.servingOf(ws);
    if (serving === ws.serving) return;
    ws.serving = serving;
    this.bus.emit({ t: this.scheduler.nowMs, type: serving ? 'workspace.queriesServing' : 'workspace.queriesFailing', entity: ws.spec.name });
  }

  private sampleQuery(sink: StorageAccount): void {
    const candidates = this.regroup(sink).queried;
    if (candidates.length === 0) return;
    const ws = this.streams.stream(`${sink.id}/sample`).pick(candidates);
    const result = sink.sampleQuery(ws.spec.name, ws.lookbackMs);
    if (result.ok !== sink.serves(ws.spec.name)) {
      throw new Error(`internal: sampled query of ${ws.spec.name} ${result.ok ? 'succeeded' : 'failed'} while its account says the opposite`);
    }
    const { ok, hot, latencyMs, blocksOpened, why } = result;
    this.bus.emit({ t: this.scheduler.nowMs, type: 'query.sampled', entity: sink.id, workspace: ws.spec.name, ok, hot, latencyMs, blocksOpened, why });
  }

  // ---- result ------------------------------------------------------------------

  private result(): RunResult {
    const { scenario, controlPlane } = this;
    const names = scenario.workspaces.map((w) => w.name);
    const figures = this.metrics.figures(names, scenario.durationMs, scenario.slo ?? defaultSloSpec(scenario.params.sloTarget), scenario.params.serviceCreditTiers);
    const workspaces: RunResult['workspaces'] = {};
    for (const name of names) {
      const ws = this.workspaces.get(name)!;
      const links = controlPlane.workspaces.get(name)!;
      const { ingestion, query, auxiliary } = figures.workspaces.get(name)!;
      workspaces[name] = {
        storage: ws.storage.id,
        cluster: links.cluster?.name ?? null,
        ingestion,
        query,
        auxiliary,
        linkedStorage: { ...links.linkedStorage },
        savedSearches: { inWorkspace: links.savedSearches, removedByLinkedStorage: links.savedSearchesRemoved, restoredByUnlink: links.savedSearchesRestored },
      };
    }
    const keyVault = { requests: 0, unwrapCalls: 0, unwrapFailures: 0, throttled: 0, denied: 0 };
    for (const vault of this.vaults.values()) for (const field of Object.keys(keyVault) as (keyof typeof keyVault)[]) keyVault[field] += vault.counters[field];
    const storageAccounts: RunResult['storageAccounts'] = {};
    for (const sink of this.sinks) {
      if (sink === this.shared && sink.counters.blocksSealed === 0) continue;
      storageAccounts[sink.id] = {
        finalState: sink.state,
        aekInMemory: sink.aekInMemory,
        blocksSealed: sink.counters.blocksSealed,
        blocksPurgedByRetention: sink.counters.blocksPurged,
        hotCachePurges: sink.counters.hotCachePurges,
        hotCacheReloads: sink.counters.hotCacheReloads,
        sampledQueries: sink.counters.sampledQueries,
        incidents: sink.incidents.all.length,
      };
    }
    const clusters: RunResult['clusters'] = {};
    for (const spec of scenario.clusters) {
      const cluster = controlPlane.clusters.get(spec.name);
      clusters[spec.name] = cluster === undefined
        ? { provisioningState: null, keyVaultProperties: null, settings: null }
        : { provisioningState: cluster.provisioningState, keyVaultProperties: cluster.keyVaultProperties, settings: { ...cluster.settings } };
    }
    const partial: Omit<RunResult, 'expectations'> = {
      scenario: scenario.name,
      description: scenario.description,
      seed: scenario.seed,
      profile: scenario.profile,
      version: VERSION,
      start: scenario.startIso,
      durationMs: scenario.durationMs,
      events: this.scheduler.processed,
      totals: { ...figures.totals, keyVault },
      workspaces,
      clusters,
      storageAccounts,
      incidents: this.sinks.flatMap((s) => s.incidents.all).sort((a, b) => a.startMs - b.startMs),
      operations: this.operations.all,
      faults: this.faults,
      lockbox: controlPlane.lockbox,
      highlights: figures.highlights,
      invariants: this.checker.report(),
      slo: figures.slo,
    };
    return { ...partial, expectations: checkExpectations(partial, scenario.expect) };
  }
}

function actionTarget(action: Action): string {
  if ('vault' in action) return 'key' in action ? `${action.vault}/${action.key}` : action.vault;
  if ('workspace' in action) return action.workspace;
  return action.cluster;
}

function describeAction(action: Action): string {
  const { atMs: _at, do: _do, ...fields } = action;
  return JSON.stringify(fields);
}
