// trace.json in Chrome Trace Event Format, streamed like the timeline, for
// the Perfetto UI. Each actor (vault, key, cluster, storage account,
// workspace) is a process of its own, with one thread: fault and
// unavailability windows and operations are async slices (b/e) of that
// process, actions and notable moments instants on its thread. Perfetto's
// importer puts async slices on process tracks, not thread tracks ("in the
// legacy JSON tracing format, this section corresponds to b/e/n events", under
// "Process-scoped (async) slices"), and "the UI visually merges process tracks
// with the same name in each process": with one process for all actors, the
// windows of every storage account were one merged "unavailable" track. The MMK
// buffer and lost records are counters of the run's own process (pid 1).

import type { SimEvent } from './events.ts';
import { RecordLedger } from './records.ts';
import { LineFile } from './timeline.ts';

/** The run's own process: its name and the counters. */
const RUN_PID = 1;
const US_PER_MS = 1000;

type TraceEvent = Record<string, unknown>;

/** Windows that open and close: begin type -> [slice name, end types]. */
const WINDOWS: Partial<Record<SimEvent['type'], { name: string; ends: readonly SimEvent['type'][] }>> = {
  'keyVault.outage.begin': { name: 'Key Vault outage', ends: ['keyVault.outage.end'] },
  'keyVault.networkDenied.begin': { name: 'network denied', ends: ['keyVault.networkDenied.end'] },
  'keyVault.transient.begin': { name: 'transient errors', ends: ['keyVault.transient.end'] },
  'keyVault.throttle.begin': { name: 'throttling', ends: ['keyVault.throttle.end'] },
  'storage.unavailable': { name: 'unavailable', ends: ['storage.resumed', 'storage.revoked', 'storage.deleted'] },
  'storage.revoked': { name: 'revoked', ends: ['storage.resumed', 'storage.deleted'] },
  'workspace.queriesFailing': { name: 'queries fail', ends: ['workspace.queriesServing'] },
  'buffer.started': { name: 'MMK buffer in use', ends: ['buffer.replayed', 'storage.deleted'] },
};

/** Moments worth a mark on their track. */
const INSTANTS: ReadonlySet<SimEvent['type']> = new Set([
  'action',
  'key.created',
  'key.disabled',
  'key.enabled',
  'key.deleted',
  'key.recovered',
  'key.purged',
  'key.expirySet',
  'accessPolicy.set',
  'accessPolicy.removed',
  'roleAssignment.created',
  'roleAssignment.deleted',
  'cluster.identitySet',
  'cluster.principalSet',
  'cluster.keySet',
  'cluster.capacitySet',
  'operation.refused',
  'storage.keyConfigured',
  'storage.denialNotified',
  'storage.revocationScheduled',
  'storage.accessRestored',
  'hotCache.purged',
  'hotCache.reloaded',
  'buffer.expired',
  'savedSearches.removed',
  'savedSearches.restored',
  'lockbox.requested',
  'lockbox.approved',
  'lockbox.rejected',
  'key.rotationFollowed',
  'key.rotationFollowFailed',
]);

export class TraceWriter {
  private readonly file: LineFile;
  /** The process id of each actor. */
  private readonly actors = new Map<string, number>();
  /** Open async slices per track and name, with their ids. */
  private readonly open = new Map<string, string>();
  private readonly counters = new Map<string, number>();
  /** Operations accepted and still running: their completion closes a slice. */
  private readonly running = new Set<string>();
  private first = true;
  private nextId = 0;
  /** The buffered and lost records, written as counters once per instant that changed them. */
  private readonly records = new RecordLedger();
  private countersChangedAtMs: number | null = null;

  constructor(path: string, scenario: string) {
    this.file = new LineFile(path);
    this.file.append('{"displayTimeUnit":"ms","traceEvents":[\n');
    this.emit({ name: 'process_name', ph: 'M', pid: RUN_PID, tid: 0, args: { name: `cmk-sim ${scenario}` } });
  }

  event(event: SimEvent): void {
    if (this.countersChangedAtMs !== null && event.t > this.countersChangedAtMs) this.writeCounters();
    if (this.records.apply(event)) this.countersChangedAtMs = event.t;
    const ts = event.t * US_PER_MS;
    const entity = event.type === 'action' ? event.entity || 'scenario' : event.entity;
    for (const [key, id] of [...this.open]) {
      const [track, name] = key.split('\u0000') as [string, string];
      const window = Object.values(WINDOWS).find((w) => w!.name === name)!;
      if (track === entity && window.ends.includes(event.type)) {
        this.emit({ name, cat: 'window', ph: 'e', id2: { local: id }, ...this.actor(track), ts });
        this.open.delete(key);
      }
    }
    const window = WINDOWS[event.type];
    if (window !== undefined && !this.open.has(`${entity}\u0000${window.name}`)) {
      const id = `w${++this.nextId}`;
      this.open.set(`${entity}\u0000${window.name}`, id);
      this.emit({ name: window.name, cat: 'window', ph: 'b', id2: { local: id }, ...this.actor(entity), ts });
    }
    if (event.type === 'operation.accepted') {
      this.running.add(event.operationId);
      this.emit({ name: event.action, cat: 'operation', ph: 'b', id2: { local: event.operationId }, ...this.actor(entity), ts, args: { status: event.status } });
    }
    if (event.type === 'operation.succeeded' || event.type === 'operation.failed') {
      const args = event.type === 'operation.failed' ? { status: 'Failed', code: event.code, message: event.message } : { status: 'Succeeded' };
      // A synchronous request (Key Vault) completes at once: an instant, not a slice.
      if (this.running.delete(event.operationId)) this.emit({ name: event.action, cat: 'operation', ph: 'e', id2: { local: event.operationId }, ...this.actor(entity), ts, args });
      else this.emit({ name: event.action, cat: 'operation', ph: 'i', s: 't', ...this.actor(entity), ts, args });
    }
    if (INSTANTS.has(event.type)) {
      const { t: _t, type, entity: _e, ...args } = event;
      this.emit({ name: event.type === 'action' ? event.action : type, cat: 'event', ph: 'i', s: 't', ...this.actor(entity), ts, args });
    }
  }

  private writeCounters(): void {
    const nowMs = this.countersChangedAtMs!;
    this.countersChangedAtMs = null;
    const { buffered, lost } = this.records.bufferedAndLost();
    this.count(nowMs, { 'records in the MMK buffer': buffered, 'records lost': lost });
  }

  /** Counters, written only when they change. */
  private count(nowMs: number, values: Record<string, number>): void {
    for (const [name, value] of Object.entries(values)) {
      if (this.counters.get(name) === value) continue;
      this.counters.set(name, value);
      this.emit({ name, ph: 'C', pid: RUN_PID, tid: 0, ts: nowMs * US_PER_MS, args: { records: value } });
    }
  }

  close(endMs: number): void {
    if (this.countersChangedAtMs !== null) this.writeCounters();
    for (const [key, id] of this.open) {
      const [track, name] = key.split('\u0000') as [string, string];
      this.emit({ name, cat: 'window', ph: 'e', id2: { local: id }, ...this.actor(track), ts: endMs * US_PER_MS });
    }
    this.file.append('\n]}\n');
    this.file.close();
  }

  /** The actor's process and its one thread (tid = pid), named after the actor the first time it appears. */
  private actor(entity: string): { pid: number; tid: number } {
    let pid = this.actors.get(entity);
    if (pid === undefined) {
      pid = RUN_PID + this.actors.size + 1;
      this.actors.set(entity, pid);
      this.emit({ name: 'process_name', ph: 'M', pid, tid: 0, args: { name: entity } });
      // Perfetto orders processes by this index: actors in the order they first appear, after the run's own process.
      this.emit({ name: 'process_sort_index', ph: 'M', pid, tid: 0, args: { sort_index: pid } });
      this.emit({ name: 'thread_name', ph: 'M', pid, tid: pid, args: { name: entity } });
    }
    return { pid, tid: pid };
  }

  private emit(event: TraceEvent): void {
    this.file.append((this.first ? '' : ',\n') + JSON.stringify(event));
    this.first = false;
  }
}
