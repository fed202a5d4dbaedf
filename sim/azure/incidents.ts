// Incidents of one storage account: one per cause (a fault window or an
// access change) that the account saw, from its first failed poll to the
// moment ingestion and queries resumed.

import type { Cause } from './key-vault.ts';
import type { ActionName } from '../scenario.ts';

export interface Incident {
  kind: 'outage' | 'revocation';
  cause: ActionName;
  causeId: string;
  storageAccount: string;
  /** When the cause began (outage start, access change). */
  startMs: number;
  /** When users first saw it (unavailable or revoked); null if they never did. */
  unavailableAtMs: number | null;
  /** First successful unwrap after the cause cleared. */
  restoredAtMs: number | null;
  /** When ingestion and queries resumed; equals restoredAtMs when users never saw it; null if never. */
  resumedAtMs: number | null;
  bufferedRecords: number;
  droppedRecords: number;
}

export class IncidentLog {
  readonly all: Incident[] = [];
  private readonly open: { incident: Incident; cause: Cause }[] = [];

  constructor(private readonly storageAccount: string) {}

  failureSeen(cause: Cause): void {
    if (this.open.some((o) => o.cause.id === cause.id)) return;
    const incident: Incident = {
      kind: cause.kind,
      cause: cause.action,
      causeId: cause.id,
      storageAccount: this.storageAccount,
      startMs: cause.startMs,
      unavailableAtMs: null,
      restoredAtMs: null,
      resumedAtMs: null,
      bufferedRecords: 0,
      droppedRecords: 0,
    };
    this.all.push(incident);
    this.open.push({ incident, cause });
  }

  /** Users see the open incidents of this kind from now on: an outage makes the account unavailable, a denial revokes it. */
  interrupted(nowMs: number, kind: Incident['kind']): void {
    for (const { incident } of this.open) if (incident.kind === kind) incident.unavailableAtMs ??= nowMs;
  }

  /**
   * Key Vault answered a poll. An outage whose cause has cleared is over at
   * any answer (a denial too: the vault is reachable again); a revocation
   * only at a success. A restored incident that users never saw closes.
   */
  answered(nowMs: number, answer: 'success' | 'denial', serving: boolean): void {
    for (let i = this.open.length - 1; i >= 0; i--) {
      const { incident, cause } = this.open[i]!;
      if (cause.endMs === null || cause.endMs > nowMs || (incident.kind === 'revocation' && answer !== 'success')) continue;
      incident.restoredAtMs ??= nowMs;
      if (incident.unavailableAtMs === null) {
        incident.resumedAtMs = incident.restoredAtMs;
        this.open.splice(i, 1);
      }
    }
    if (serving) this.resumed(nowMs);
  }

  /** Ingestion and queries resumed: every restored incident closes. */
  resumed(nowMs: number): void {
    for (let i = this.open.length - 1; i >= 0; i--) {
      const { incident } = this.open[i]!;
      if (incident.restoredAtMs === null) continue;
      incident.resumedAtMs = incident.unavailableAtMs === null ? incident.restoredAtMs : nowMs;
      this.open.splice(i, 1);
    }
  }

  /** When the oldest incident users see began (its cause's start), or null. */
  interruptedSinceMs(): number | null {
    const visible = this.open.filter((o) => o.incident.unavailableAtMs !== null).map((o) => o.incident.startMs);
    return visible.length === 0 ? null : Math.min(...visible);
  }

  /** When access came back: the latest end of the restored incidents' causes (null if a cause has not ended). */
  accessBackMs(): number | null {
    const restored = this.open.filter((o) => o.incident.restoredAtMs !== null).map((o) => o.cause.endMs);
    if (restored.length === 0 || restored.some((end) => end === null)) return null;
    return Math.max(...(restored as number[]));
  }

  /**
   * Records buffered or dropped go to the oldest incident users can see of
   * the kind that causes them: the MMK buffer and its expiry to an outage,
   * drops as revoked to a revocation.
   */
  count(what: 'buffered' | 'expired' | 'revoked', records: number): void {
    const kind: Incident['kind'] = what === 'revoked' ? 'revocation' : 'outage';
    const visible = this.open.find((o) => o.incident.kind === kind && o.incident.unavailableAtMs !== null)?.incident;
    if (visible === undefined) return;
    if (what === 'buffered') visible.bufferedRecords += records;
    else visible.droppedRecords += records;
  }
}
