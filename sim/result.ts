// What a run produces: the shape of sla.json (INTERFACE.md), built by the
// world, read by the reports. Times are milliseconds from the start.

import type { Incident } from './azure/incidents.ts';
import type { Operation } from './azure/operations.ts';
import type { SimEvent, StorageState } from './observe/events.ts';
import type { ExpectOp } from './scenario.ts';

export type { Incident, Operation };

export interface IngestionTotals {
  offeredRecords: number;
  storedCmkRecords: number;
  storedMmkRecords: number;
  bufferedRecords: number;
  replayedRecords: number;
  droppedRecords: number;
  droppedByReason: { revoked: number; notProvisioned: number; bufferExpired: number };
}

export interface QueryTotals {
  attempted: number;
  succeeded: number;
  failed: number;
  availability: number;
  /** Time during which queries failed (for the totals: of at least one workspace). */
  unavailableMs: number;
}

export interface LatencyPercentiles {
  samples: number;
  p50: number;
  p95: number;
  p99: number;
}

export interface StorageAccountSummary {
  finalState: StorageState;
  aekInMemory: boolean;
  blocksSealed: number;
  blocksPurgedByRetention: number;
  hotCachePurges: number;
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
  workspaces: Record<string, { storage: string; ingestion: IngestionTotals; query: QueryTotals }>;
  storageAccounts: Record<string, StorageAccountSummary>;
  incidents: Incident[];
  operations: Operation[];
  /** The notable events in time order (at most 1000; leftOut counts the rest), for "what happened". */
  highlights: { events: SimEvent[]; leftOut: number };
  invariants: { checked: number; violations: { rule: string; atMs: number; message: string }[] };
  expectations: ExpectationResult[];
  slo: { target: number; availability: number; errorBudgetUsed: number };
}
