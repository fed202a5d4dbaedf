// What a run produces: the shape of sla.json (INTERFACE.md), built by the
// world, read by the reports. Times are milliseconds from the start.

import type { ClusterSettings, ProvisioningState } from './azure/cluster.ts';
import type { LockboxRecord } from './azure/control-plane.ts';
import type { Incident } from './azure/incidents.ts';
import type { DrawnFault } from './faults.ts';
import type { KeyVaultProperties } from './azure/requests.ts';
import type { Operation } from './azure/operations.ts';
import type { SimEvent, StorageState } from './observe/events.ts';
import type { InvariantReport } from './observe/checker.ts';
import type { IngestionTotals, LatencyPercentiles, QueryTotals, SloReport } from './observe/metrics.ts';
import type { ExpectOp } from './scenario.ts';

export type { DrawnFault, Incident, LockboxRecord, Operation };

export type { IngestionTotals, LatencyPercentiles, QueryTotals, SloReport };

export interface StorageAccountSummary {
  finalState: StorageState;
  aekInMemory: boolean;
  blocksSealed: number;
  blocksPurgedByRetention: number;
  hotCachePurges: number;
  /** Reloads of the hot cache from storage after a revocation (2023-06: "SSD data is reloaded from storage"). */
  hotCacheReloads: number;
  sampledQueries: number;
  incidents: number;
}

export interface ExpectationResult {
  metric: string;
  op: ExpectOp;
  value: number | string | boolean | null;
  actual: unknown;
  pass: boolean;
}

export interface RunResult {
  scenario: string;
  description: string;
  seed: number;
  profile: string;
  version: string;
  start: string;
  durationMs: number;
  events: number;
  totals: {
    ingestion: IngestionTotals;
    query: QueryTotals & { latencyMs: LatencyPercentiles };
    keyVault: { requests: number; unwrapCalls: number; unwrapFailures: number; throttled: number; denied: number };
  };
  workspaces: Record<
    string,
    {
      /** Where it writes at the end: a storage account ("cl1/0") or "shared/0". */
      storage: string;
      cluster: string | null;
      /** Every table of the workspace, those on the Auxiliary plan included. */
      ingestion: IngestionTotals;
      query: QueryTotals;
      /** Its tables on the Auxiliary plan alone (2024-01): under Microsoft keys whatever the cluster's key. */
      auxiliary: { ingestion: IngestionTotals; query: QueryTotals };
      linkedStorage: { Query: string | null; Alerts: string | null };
      savedSearches: { inWorkspace: number; removedByLinkedStorage: number; restoredByUnlink: number };
    }
  >;
  /** Every cluster of the scenario at the end; null fields when it does not exist (never created, or deleted). */
  clusters: Record<string, { provisioningState: ProvisioningState | null; keyVaultProperties: KeyVaultProperties | null; settings: ClusterSettings | null }>;
  storageAccounts: Record<string, StorageAccountSummary>;
  incidents: Incident[];
  operations: Operation[];
  /** Every occurrence of the scenario's random fault processes (`faults:`), in time order. */
  faults: DrawnFault[];
  lockbox: LockboxRecord[];
  /** The notable events in time order (at most 1000; leftOut counts the rest), for "what happened". */
  highlights: { events: SimEvent[]; leftOut: number };
  invariants: InvariantReport;
  expectations: ExpectationResult[];
  slo: SloReport;
}
