// Builds the actors from a scenario, schedules its actions and workload,
// runs the clock to the end and gathers the result.

import { readFileSync } from 'node:fs';
import { InfrastructureLayer, PlatformKey } from './crypto/index.ts';
import { RandomStreams } from './engine/random.ts';
import { Scheduler } from './engine/scheduler.ts';
import { Cluster, REQUIRED_PERMISSIONS, vaultUriOf } from './azure/cluster.ts';
import { KeyVault } from './azure/key-vault.ts';
import { OperationLog } from './azure/operations.ts';
import { assertNever, StorageAccount, type ClusterIdentity } from './azure/storage-account.ts';
import { EventBus, type SimEvent } from './observe/events.ts';
import { checkExpectations } from './observe/expectations.ts';
import { percentile } from './observe/stats.ts';
import { InputError, type Problem } from './input-error.ts';
import { Composition, conservationGap, RecordLedger, type BucketCounts } from './workload/ledger.ts';
import { QueryFlow } from './workload/query-flow.ts';
import type { Action, Scenario, WorkspaceSpec } from './scenario.ts';
import type { IngestionTotals, QueryTotals, RunResult } from './result.ts';
import { MS_PER_MINUTE } from './engine/duration.ts';

export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Actions whose rules arrive with the control plane (issue: control plane); refused by validation until then. */
const CONTROL_PLANE_ACTIONS: readonly Action['do'][] = [
  'cluster.create',
  'cluster.delete',
  'workspace.link',
  'workspace.unlink',
  'workspace.linkStorage',
  'lockbox.request',
];

/** Events too frequent for the story (they stay in the timeline). */
const NOT_HIGHLIGHTS: ReadonlySet<SimEvent['type']> = new Set(['action', 'storage.unwrapFailed', 'storage.unwrapSucceeded', 'query.sampleFailed']);
const HIGHLIGHTS_MAX = 1000;

/** What a probe may look at: the actors themselves, read-only by convention (tests and checks). */
export interface WorldView {
  readonly storageAccounts: readonly StorageAccount[];
  readonly vaults: ReadonlyMap<string, KeyVault>;
}

export interface RunOptions {
  /** Every event, in time order (the timeline writer listens here). */
  onEvent?: (event: SimEvent) => void;
  /** Looks at the actors at given times, after every event of that time so far. */
  probes?: readonly { atMs: number; look: (view: WorldView) => void }[];
}

interface WorkspaceState {
  spec: WorkspaceSpec;
  recordsPerMinute: number;
  storage: StorageAccount;
  flow: QueryFlow;
}

/** Problems the model cannot run yet, reported like any bad input. */
export function unsupportedProblems(scenario: Scenario): Problem[] {
  const problems: Problem[] = [];
  if (scenario.setup === 'none') {
    problems.push({ file: scenario.source, path: 'setup', found: 'none', expected: 'ready (building clusters from nothing with actions is not supported by this version)' });
  }
  scenario.actions.forEach((action, index) => {
    if (CONTROL_PLANE_ACTIONS.includes(action.do)) {
      problems.push({ file: scenario.source, path: `actions[${index}].do`, found: action.do, expected: 'an action this version runs (cluster creation, deletion and workspace linking are not supported yet)' });
    }
  });
  return problems;
}

/** What setup would refuse (a key it cannot configure...), found by running setup alone, the same code as a run. */
export function setupProblems(scenario: Scenario): Problem[] {
  if (unsupportedProblems(scenario).length > 0) return [];
  try {
    new World(scenario, {}).setup();
    return [];
  } catch (error) {
    if (error instanceof InputError) return [...error.problems];
    throw error;
  }
}

export function runScenario(scenario: Scenario, options: RunOptions = {}): RunResult {
  const problems = unsupportedProblems(scenario);
  if (problems.length > 0) throw new InputError(problems);
  return new World(scenario, options).run();
}

class World {
  private readonly scheduler = new Scheduler(0);
  private readonly bus = new EventBus();
  private readonly streams: RandomStreams;
  private readonly ledger = new RecordLedger();
  private readonly operations: OperationLog;
  private readonly vaults = new Map<string, KeyVault>();
  private readonly clusters = new Map<string, Cluster>();
  private readonly workspaces = new Map<string, WorkspaceState>();
  private readonly shared: StorageAccount;
  private readonly sinks: StorageAccount[] = [];
  private readonly platformKey: PlatformKey;
  private readonly latencies: number[] = [];
  private failingWorkspaces = 0;
  private anyFailingSinceMs = 0;
  private unionUnavailableMs = 0;
  private conservationChecks = 0;
  private readonly highlights: SimEvent[] = [];
  private highlightsLeftOut = 0;

  constructor(
    private readonly scenario: Scenario,
    private readonly options: RunOptions,
  ) {
    this.streams = new RandomStreams(scenario.seed);
    this.operations = new OperationLog(this.scheduler, this.bus);
    if (options.onEvent !== undefined) this.bus.on(options.onEvent);
    this.bus.on((event) => {
      if (NOT_HIGHLIGHTS.has(event.type)) return;
      if (this.highlights.length < HIGHLIGHTS_MAX) this.highlights.push(event);
      else this.highlightsLeftOut++;
    });
    this.platformKey = new PlatformKey(this.streams.stream('platform/mmk').bytes(32));
    const params = scenario.params;
    for (const spec of scenario.keyVaults) {
      this.vaults.set(
        spec.name,
        new KeyVault(spec, {
          bus: this.bus,
          transientStream: this.streams.stream(`${spec.name}/transient`),
          octMaterial: (n) => this.streams.stream(`${spec.name}/keys`).bytes(n),
          defaultThrottleLimitPer10s: params.keyVaultThrottleLimitPer10s,
        }),
      );
    }
    // Workspaces outside any cluster write to shared Log Analytics storage, under Microsoft keys.
    this.shared = this.makeAccount({ name: 'shared', identityNoneCause: () => null }, 0, null);
    this.sinks.push(this.shared);
    for (const spec of scenario.clusters) {
      const cluster = new Cluster(spec, {
        scheduler: this.scheduler,
        bus: this.bus,
        params,
        vaults: this.vaults,
        operations: this.operations,
        delays: this.streams.stream(`${spec.name}/operations`),
      });
      const infrastructure = spec.doubleEncryption ? new InfrastructureLayer(this.streams.stream(`${spec.name}/infrastructure`).bytes(32)) : null;
      for (let index = 0; index < spec.storageAccounts; index++) {
        const account = this.makeAccount(cluster, index, infrastructure);
        cluster.storageAccounts.push(account);
        this.sinks.push(account);
      }
      this.clusters.set(spec.name, cluster);
    }
  }

  run(): RunResult {
    const { scenario, scheduler, bus } = this;
    bus.emit({ t: 0, type: 'scenario.start', entity: scenario.name, scenario: scenario.name, seed: scenario.seed, profile: scenario.profile });
    this.setup();
    for (const action of scenario.actions) scheduler.at(action.atMs, () => this.apply(action));
    const view: WorldView = { storageAccounts: this.sinks, vaults: this.vaults };
    for (const probe of this.options.probes ?? []) scheduler.at(probe.atMs, () => probe.look(view));
    let sliceIndex = 0;
    scheduler.every(scenario.params.blockSlice, () => {
      sliceIndex++;
      for (const sink of this.sinks) sink.ingestSlice(sliceIndex);
    });
    for (const sink of this.sinks) {
      scheduler.every(scenario.params.querySampleInterval, () => this.sampleQuery(sink));
    }
    scheduler.runUntil(scenario.durationMs);
    for (const ws of this.workspaces.values()) this.settleFlow(ws);
    this.checkConservation();
    bus.emit({ t: scenario.durationMs, type: 'scenario.end', entity: scenario.name, events: scheduler.processed });
    return this.result();
  }

  /** setup: ready: key granted and set, workspaces linked, before t=0. */
  setup(): void {
    for (const cluster of this.clusters.values()) {
      const key = cluster.spec.key;
      if (key === undefined) continue;
      const vault = this.vaults.get(key.vault)!;
      if (vault.hasPermissions(cluster.name, REQUIRED_PERMISSIONS).length > 0 && !vault.spec.accessPolicies.some((p) => p.principal === cluster.name)) {
        vault.setPolicy(0, cluster.name, REQUIRED_PERMISSIONS);
      }
      const version = key.version ?? vault.newestVersion(key.name)!;
      cluster.update({ properties: { keyVaultProperties: { keyVaultUri: vaultUriOf(key.vault), keyName: key.name, keyVersion: version } } }, 0);
    }
    // The key update is an operation like any other; setup runs it to completion before t=0.
    for (let step = this.scheduler.peekMs(); step !== undefined && step <= 0; step = this.scheduler.peekMs()) this.scheduler.step();
    const setupFailures = this.operations.all.filter((o) => o.status !== 'Succeeded');
    if (setupFailures.length > 0) {
      throw new InputError(setupFailures.map((o) => ({ file: this.scenario.source, path: `clusters[${this.scenario.clusters.findIndex((c) => c.name === o.target)}].key`, found: `${o.code}: ${o.message}`, expected: 'a key that setup: ready can configure' })));
    }
    this.operations.all.length = 0;
    const perCluster = new Map<string, number>();
    for (const spec of this.scenario.workspaces) {
      let storage = this.shared;
      if (spec.cluster !== undefined) {
        const cluster = this.clusters.get(spec.cluster)!;
        const index = perCluster.get(spec.cluster) ?? 0;
        perCluster.set(spec.cluster, index + 1);
        storage = cluster.storageAccounts[index % cluster.storageAccounts.length]!;
      }
      const flow = new QueryFlow(spec.name, spec.query.perHour, spec.query.lookbackMs, 0);
      this.workspaces.set(spec.name, { spec, recordsPerMinute: spec.ingest.recordsPerMinute, storage, flow });
    }
    for (const sink of this.sinks) this.recompose(sink);
  }

  private makeAccount(cluster: ClusterIdentity, index: number, infrastructure: InfrastructureLayer | null): StorageAccount {
    const id = `${cluster.name}/${index}`;
    const stream = (purpose: string) => this.streams.stream(`${id}/${purpose}`);
    return new StorageAccount(cluster.name, index, {
      scheduler: this.scheduler,
      bus: this.bus,
      params: this.scenario.params,
      startIso: this.scenario.startIso,
      cluster,
      vaults: this.vaults,
      ledger: this.ledger,
      platformKey: this.platformKey,
      infrastructure,
      streams: { poll: stream('poll'), delays: stream('delays'), keys: stream('keys'), payload: stream('payload'), queries: stream('queries') },
      onStateChange: (account) => this.storageStateChanged(account),
    });
  }

  private apply(action: Action): void {
    const now = this.scheduler.nowMs;
    this.bus.emit({ t: now, type: 'action', entity: actionTarget(action), action: action.do, detail: describeAction(action) });
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
        return this.vaultRequest(action, () => this.vaults.get(action.vault)!.setPolicy(now, action.principal, action.permissions));
      case 'accessPolicy.remove':
        return this.vaultRequest(action, () => this.vaults.get(action.vault)!.removePolicy(now, action.principal));
      case 'cluster.update':
        return this.clusters.get(action.cluster)!.update(action.body);
      case 'cluster.setIdentity':
        return this.clusters.get(action.cluster)!.setIdentity(action.type);
      case 'workspace.setIngest':
        return this.changeWorkload(action.workspace, (ws) => {
          if (action.ingest.recordsPerMinute !== undefined) ws.recordsPerMinute = action.ingest.recordsPerMinute;
        });
      case 'workspace.setQuery':
        return this.changeWorkload(action.workspace, (ws) => {
          if (action.query.perHour !== undefined) ws.flow.setRate(now, action.query.perHour);
          if (action.query.lookbackMs !== undefined) ws.flow.lookbackMs = action.query.lookbackMs;
        });
      case 'cluster.create':
      case 'cluster.delete':
      case 'workspace.link':
      case 'workspace.unlink':
      case 'workspace.linkStorage':
      case 'lockbox.request':
        throw new Error(`internal: ${action.do} reached the model; validation refuses it`);
      default:
        return assertNever(action);
    }
  }

  /** A key or policy request: synchronous in Key Vault, so it succeeds or is refused at once. */
  private vaultRequest(action: Action & { vault: string }, perform: () => string | null | void): void {
    const operation = this.operations.begin(action.do, action.vault);
    const refused = perform();
    if (typeof refused === 'string') this.operations.refuse(operation, { httpStatus: 403, code: 'Forbidden', message: refused });
    else this.operations.complete(operation, 'Succeeded');
  }

  private endWindowAt(vault: string, endMs: number): void {
    this.scheduler.at(endMs, () => this.vaults.get(vault)!.endWindows(this.scheduler.nowMs));
  }

  private changeWorkload(workspace: string, change: (ws: WorkspaceState) => void): void {
    const ws = this.workspaces.get(workspace)!;
    change(ws);
    this.recompose(ws.storage);
  }

  /** Regroups the workspaces writing to a storage account: one composition per retention. */
  private recompose(sink: StorageAccount): void {
    const byRetention = new Map<number, { workspace: string; recordsPerSlice: number }[]>();
    const slicesPerMinute = this.scenario.params.blockSlice / MS_PER_MINUTE;
    for (const ws of this.workspaces.values()) {
      if (ws.storage !== sink) continue;
      const members = byRetention.get(ws.spec.retentionDays) ?? [];
      members.push({ workspace: ws.spec.name, recordsPerSlice: ws.recordsPerMinute * slicesPerMinute });
      byRetention.set(ws.spec.retentionDays, members);
    }
    sink.compositions = [...byRetention.entries()].sort(([a], [b]) => a - b).map(([days, members]) => new Composition(days, members));
  }

  // ---- queries ---------------------------------------------------------------

  private servingOf(ws: WorkspaceState): boolean {
    const { storage } = ws;
    if (storage.serving) return true;
    // Data under Microsoft keys stays readable whatever the key's state; an outage makes the account unavailable.
    return storage.state === 'revoked' && !storage.holdsCmkDataOf(ws.spec.name);
  }

  private storageStateChanged(account: StorageAccount): void {
    this.conservationChecks++;
    this.checkConservation();
    for (const ws of this.workspaces.values()) if (ws.storage === account) this.settleFlow(ws);
  }

  private settleFlow(ws: WorkspaceState): void {
    const now = this.scheduler.nowMs;
    const wasServing = ws.flow.serving;
    ws.flow.setServing(now, this.servingOf(ws));
    if (wasServing === ws.flow.serving) return;
    if (!ws.flow.serving && this.failingWorkspaces++ === 0) this.anyFailingSinceMs = now;
    if (ws.flow.serving && --this.failingWorkspaces === 0) this.unionUnavailableMs += now - this.anyFailingSinceMs;
  }

  private sampleQuery(sink: StorageAccount): void {
    const candidates = [...this.workspaces.values()].filter((ws) => ws.storage === sink && ws.spec.query.perHour > 0);
    if (candidates.length === 0) return;
    const ws = this.streams.stream(`${sink.id}/sample`).pick(candidates);
    const result = sink.sampleQuery(ws.spec.name, ws.flow.lookbackMs);
    if (result.ok !== this.servingOf(ws)) {
      throw new Error(`internal: sampled query of ${ws.spec.name} ${result.ok ? 'succeeded' : 'failed'} while its flow says the opposite`);
    }
    if (result.ok) this.latencies.push(result.latencyMs);
    else this.bus.emit({ t: this.scheduler.nowMs, type: 'query.sampleFailed', entity: sink.id, workspace: ws.spec.name, why: result.why! });
  }

  private checkConservation(): void {
    const gap = conservationGap(this.ledger.totals());
    if (gap !== 0) throw new Error(`internal: records not accounted for: offered minus stored, buffered and dropped is ${gap}`);
  }

  // ---- result ------------------------------------------------------------------

  private result(): RunResult {
    const { scenario } = this;
    const names = scenario.workspaces.map((w) => w.name);
    const perWorkspace = this.ledger.byWorkspace(names);
    const workspaces: RunResult['workspaces'] = {};
    for (const name of names) {
      const ws = this.workspaces.get(name)!;
      workspaces[name] = { storage: ws.storage.id, ingestion: ingestionTotals(perWorkspace.get(name)!), query: queryTotals([ws.flow], ws.flow.unavailableMs) };
    }
    const flows = [...this.workspaces.values()].map((w) => w.flow);
    const unionUnavailableMs = this.unionUnavailableMs + (this.failingWorkspaces > 0 ? scenario.durationMs - this.anyFailingSinceMs : 0);
    const latencies = [...this.latencies].sort((a, b) => a - b);
    const keyVault = { requests: 0, unwrapCalls: 0, unwrapFailures: 0, throttled: 0, denied: 0 };
    for (const vault of this.vaults.values()) for (const field of Object.keys(keyVault) as (keyof typeof keyVault)[]) keyVault[field] += vault.counters[field];
    const storageAccounts: RunResult['storageAccounts'] = {};
    for (const sink of this.sinks) {
      if (sink === this.shared && sink.compositions.length === 0) continue;
      storageAccounts[sink.id] = {
        finalState: sink.state,
        aekInMemory: sink.aekInMemory,
        blocksSealed: sink.counters.blocksSealed,
        blocksPurgedByRetention: sink.counters.blocksPurged,
        hotCachePurges: sink.counters.hotCachePurges,
        sampledQueries: sink.counters.sampledQueries,
        incidents: sink.incidents.all.length,
      };
    }
    const query = queryTotals(flows, unionUnavailableMs);
    const partial: Omit<RunResult, 'expectations'> = {
      scenario: scenario.name,
      description: scenario.description,
      seed: scenario.seed,
      profile: scenario.profile,
      version: VERSION,
      start: scenario.startIso,
      durationMs: scenario.durationMs,
      events: this.scheduler.processed,
      totals: {
        ingestion: ingestionTotals(this.ledger.totals()),
        query: { ...query, latencyMs: { samples: latencies.length, p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99) } },
        keyVault,
      },
      workspaces,
      storageAccounts,
      incidents: this.sinks.flatMap((s) => s.incidents.all).sort((a, b) => a.startMs - b.startMs),
      operations: this.operations.all,
      highlights: { events: this.highlights, leftOut: this.highlightsLeftOut },
      invariants: { checked: this.conservationChecks + 1, violations: [] },
      slo: {
        target: scenario.params.sloTarget,
        availability: query.availability,
        errorBudgetUsed: errorBudgetUsed(query.availability, scenario.params.sloTarget),
      },
    };
    return { ...partial, expectations: checkExpectations(partial, scenario.expect) };
  }
}

function ingestionTotals(counts: BucketCounts): IngestionTotals {
  return {
    offeredRecords: counts.offered,
    storedCmkRecords: counts.cmk,
    storedMmkRecords: counts.mmk,
    bufferedRecords: counts.buffered,
    replayedRecords: counts.replayed,
    droppedRecords: counts.revoked + counts.notProvisioned + counts.bufferExpired,
    droppedByReason: { revoked: counts.revoked, notProvisioned: counts.notProvisioned, bufferExpired: counts.bufferExpired },
  };
}

function queryTotals(flows: readonly QueryFlow[], unavailableMs: number): QueryTotals {
  const attempted = flows.reduce((sum, f) => sum + f.attempted, 0);
  const succeeded = flows.reduce((sum, f) => sum + f.succeeded, 0);
  return { attempted, succeeded, failed: attempted - succeeded, availability: attempted === 0 ? 1 : succeeded / attempted, unavailableMs };
}

/** Share of the error budget (1 - target) spent; above 1 means the objective was missed. */
function errorBudgetUsed(availability: number, target: number): number {
  if (target >= 1) return availability < 1 ? 1 : 0;
  return (1 - availability) / (1 - target);
}

function actionTarget(action: Action): string {
  if ('vault' in action) return 'key' in action ? `${action.vault}/${action.key}` : action.vault;
  if ('cluster' in action && action.do.startsWith('cluster.')) return action.cluster;
  return 'workspace' in action ? action.workspace : '';
}

function describeAction(action: Action): string {
  const { atMs: _at, do: _do, ...fields } = action;
  return JSON.stringify(fields);
}
