// The bytes a block really seals: a header that states how many records the
// block carries, then synthetic log records (JSON lines drawn from a seeded
// stream) up to `blockPayloadBytes`. The count is exact; the records are a
// sample, so sealing and opening cost the same whatever the ingestion rate.

import type { Random } from '../engine/random.ts';

export interface BlockHeader {
  block: string;
  records: number;
  workspaces: readonly string[];
  sliceEndMs: number;
}

const LEVELS = ['Informational', 'Warning', 'Error', 'Verbose'] as const;
const TABLES = ['Heartbeat', 'Syslog', 'AzureDiagnostics', 'SecurityEvent', 'Perf'] as const;
const MESSAGES = [
  'connection accepted',
  'disk usage above threshold',
  'user signed in',
  'request completed',
  'certificate renewed',
  'process restarted',
] as const;
/** Never list more workspace names than this in a header: a block of 1000 workspaces stays small. */
const HEADER_WORKSPACES_MAX = 8;

export function makePayload(header: BlockHeader, random: Random, capBytes: number, startIso: string): Buffer {
  const listed = header.workspaces.slice(0, HEADER_WORKSPACES_MAX);
  const lines = [JSON.stringify({ ...header, workspaces: listed, workspaceCount: header.workspaces.length })];
  let size = lines[0]!.length + 1;
  const baseMs = Date.parse(startIso) + header.sliceEndMs;
  for (let i = 0; i < header.records; i++) {
    const record = JSON.stringify({
      TimeGenerated: new Date(baseMs - random.uniformInt(0, 299_999)).toISOString(),
      Workspace: random.pick(listed),
      Table: random.pick(TABLES),
      Computer: `vm-${random.uniformInt(1, 400)}`,
      Level: random.pick(LEVELS),
      Message: random.pick(MESSAGES),
    });
    if (size + record.length + 1 > capBytes) break;
    lines.push(record);
    size += record.length + 1;
  }
  return Buffer.from(lines.join('\n') + '\n', 'utf8');
}

/** The header of an opened block: what a sampled query checks against the ledger. */
export function readHeader(payload: Buffer): { block: string; records: number } {
  const end = payload.indexOf(10);
  const header = JSON.parse(payload.subarray(0, end).toString('utf8')) as { block: string; records: number };
  return { block: header.block, records: header.records };
}
