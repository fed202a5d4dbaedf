// sla.csv: one row per workspace with where its records went and how its
// queries fared, then a total row (csv-stringify).

import { stringify } from 'csv-stringify/sync';
import type { IngestionTotals, QueryTotals, RunResult } from '../sim/result.ts';

const COLUMNS = [
  'workspace',
  'storage',
  'cluster',
  'offeredRecords',
  'storedCmkRecords',
  'storedMmkRecords',
  'bufferedRecords',
  'replayedRecords',
  'droppedRecords',
  'droppedRevoked',
  'droppedNotProvisioned',
  'droppedBufferExpired',
  'queriesAttempted',
  'queriesSucceeded',
  'queriesFailed',
  'queryAvailability',
  'queryUnavailableMs',
];

function row(name: string, storage: string, cluster: string, i: IngestionTotals, q: QueryTotals): (string | number)[] {
  const d = i.droppedByReason;
  return [name, storage, cluster, i.offeredRecords, i.storedCmkRecords, i.storedMmkRecords, i.bufferedRecords, i.replayedRecords, i.droppedRecords, d.revoked, d.notProvisioned, d.bufferExpired, q.attempted, q.succeeded, q.failed, q.availability, q.unavailableMs];
}

export function renderSlaCsv(result: RunResult): string {
  const rows = Object.entries(result.workspaces).map(([name, ws]) => row(name, ws.storage, ws.cluster ?? '', ws.ingestion, ws.query));
  rows.push(row('(total)', '', '', result.totals.ingestion, result.totals.query));
  return stringify([COLUMNS, ...rows]);
}
