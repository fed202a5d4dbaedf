// trace.json in Chrome Trace Event Format, streamed like the timeline: a
// track per actor (vault, key, cluster, storage account, workspace), fault
// and unavailability windows as async slices, operations as slices from
// acceptance to completion, actions and notable moments as instants, and the
// MMK buffer and lost records as counters (folded from the same events).
// Opens in the Perfetto UI.

import type { SimEvent } from './events.ts';
import { RecordLedger } from './records.ts';
import { LineFile } from './timeline.ts';

const PID = 1;
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
  'operation.refused',
  'storage.keyConfigured',
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
]);

export class TraceWriter {
  private readonly file: LineFile;
  private readonly tracks = new Map<string, number>();
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
    this.emit({ name: 'process_name', ph: 'M', pid: PID, tid: 0, args: { name: `cmk-sim ${scenario}` } });
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
        this.emit({ name, cat: 'window', ph: 'e', id, pid: PID, tid: this.track(track), ts });
        this.open.delete(key);
      }
    }
    const window = WINDOWS[event.type];
    if (window !== undefined && !this.open.has(`${entity}\u0000${window.name}`)) {
      const id = `w${++this.nextId}`;
      this.open.set(`${entity}\u0000${window.name}`, id);
      this.emit({ name: window.name, cat: 'window', ph: 'b', id, pid: PID, tid: this.track(entity), ts });
    }
    if (event.type === 'operation.accepted') {
      this.running.add(event.operationId);
      this.emit({ name: event.action, cat: 'operation', ph: 'b', id: event.operationId, pid: PID, tid: this.track(entity), ts, args: { status: event.status } });
    }
    if (event.type === 'operation.succeeded' || event.type === 'operation.failed') {
      const args = event.type === 'operation.failed' ? { status: 'Failed', code: event.code, message: event.message } : { status: 'Succeeded' };
      // A synchronous request (Key Vault) completes at once: an instant, not a slice.
      if (this.running.delete(event.operationId)) this.emit({ name: event.action, cat: 'operation', ph: 'e', id: event.operationId, pid: PID, tid: this.track(entity), ts, args });
      else this.emit({ name: event.action, cat: 'operation', ph: 'i', s: 't', pid: PID, tid: this.track(entity), ts, args });
    }
    if (INSTANTS.has(event.type)) {
      const { t: _t, type, entity: _e, ...args } = event;
      this.emit({ name: event.type === 'action' ? event.action : type, cat: 'event', ph: 'i', s: 't', pid: PID, tid: this.track(entity), ts, args });
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
      this.emit({ name, ph: 'C', pid: PID, tid: 0, ts: nowMs * US_PER_MS, args: { records: value } });
    }
  }

  close(endMs: number): void {
    if (this.countersChangedAtMs !== null) this.writeCounters();
    for (const [key, id] of this.open) {
      const [track, name] = key.split('\u0000') as [string, string];
      this.emit({ name, cat: 'window', ph: 'e', id, pid: PID, tid: this.track(track), ts: endMs * US_PER_MS });
    }
    this.file.append('\n]}\n');
    this.file.close();
  }

  private track(entity: string): number {
    let tid = this.tracks.get(entity);
    if (tid === undefined) {
      tid = this.tracks.size + 1;
      this.tracks.set(entity, tid);
      this.emit({ name: 'thread_name', ph: 'M', pid: PID, tid, args: { name: entity } });
    }
    return tid;
  }

  private emit(event: TraceEvent): void {
    this.file.append((this.first ? '' : ',\n') + JSON.stringify(event));
    this.first = false;
  }
}
