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

// Each record is written as JSON by hand, fields in a fixed order, from these
// strings JSON-encoded once: the same bytes JSON.stringify gives, at a
// fraction of the cost of building and stringifying an object per record.
const LEVELS = ['Informational', 'Warning', 'Error', 'Verbose'].map((level) => JSON.stringify(level));
const TABLES = ['Heartbeat', 'Syslog', 'AzureDiagnostics', 'SecurityEvent', 'Perf'].map((table) => JSON.stringify(table));
const MESSAGES = ['connection accepted', 'disk usage above threshold', 'user signed in', 'request completed', 'certificate renewed', 'process restarted'].map((message) => JSON.stringify(message));
/** Never list more workspace names than this in a header: a block of 1000 workspaces stays small. */
const HEADER_WORKSPACES_MAX = 8;
/** How far before the slice's end a record's TimeGenerated may be: the slice of 5 minutes. */
const RECORD_SPREAD_MS = 299_999;
const MS_PER_DAY = 86_400_000;

export function makePayload(header: BlockHeader, random: Random, capBytes: number, startIso: string): Buffer {
  const listed = header.workspaces.slice(0, HEADER_WORKSPACES_MAX);
  const listedJson = listed.map((name) => JSON.stringify(name));
  let text = JSON.stringify({ ...header, workspaces: listed, workspaceCount: header.workspaces.length }) + '\n';
  const baseMs = Date.parse(startIso) + header.sliceEndMs;
  const dates = new IsoDates();
  for (let i = 0; i < header.records; i++) {
    // The draws in the order the fields are written, whether or not the record fits.
    const timeGenerated = dates.iso(baseMs - random.uniformInt(0, RECORD_SPREAD_MS));
    const workspace = random.pick(listedJson);
    const table = random.pick(TABLES);
    const computer = random.uniformInt(1, 400);
    const level = random.pick(LEVELS);
    const message = random.pick(MESSAGES);
    const record = `{"TimeGenerated":"${timeGenerated}","Workspace":${workspace},"Table":${table},"Computer":"vm-${computer}","Level":${level},"Message":${message}}`;
    if (text.length + record.length + 1 > capBytes) break;
    text += record + '\n';
  }
  return Buffer.from(text, 'utf8');
}

/**
 * Date.prototype.toISOString for times close together: the date part, to the
 * "T", taken from toISOString once per day, the time of day written here.
 */
class IsoDates {
  private dayStartMs = NaN;
  private dayPrefix = '';

  iso(ms: number): string {
    const dayStartMs = Math.floor(ms / MS_PER_DAY) * MS_PER_DAY;
    if (dayStartMs !== this.dayStartMs) {
      const iso = new Date(dayStartMs).toISOString();
      this.dayStartMs = dayStartMs;
      this.dayPrefix = iso.slice(0, iso.indexOf('T') + 1);
    }
    const inDay = ms - dayStartMs;
    const h = Math.floor(inDay / 3_600_000);
    const m = Math.floor(inDay / 60_000) % 60;
    const s = Math.floor(inDay / 1000) % 60;
    const milli = inDay % 1000;
    return `${this.dayPrefix}${h < 10 ? '0' : ''}${h}:${m < 10 ? '0' : ''}${m}:${s < 10 ? '0' : ''}${s}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
  }
}

/** The header of an opened block: what a sampled query checks against the ledger. */
export function readHeader(payload: Buffer): { block: string; records: number } {
  const end = payload.indexOf(10);
  const header = JSON.parse(payload.subarray(0, end).toString('utf8')) as { block: string; records: number };
  return { block: header.block, records: header.records };
}
