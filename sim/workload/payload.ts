// The bytes a block really seals: a header that states how many records the
// block carries, then synthetic log records (JSON lines drawn from a seeded
// stream) up to `blockPayloadBytes`. The count is exact; the records are a
// sample, so sealing and opening cost the same whatever the ingestion rate.

import { reusedBuffer } from '../crypto/index.ts';
import { MS_PER_DAY } from '../engine/duration.ts';
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
/** TimeGenerated is up to this long before the slice's end: within the slice of 5 minutes. */
const RECORD_SPREAD_MS = 300_000;
const COMPUTERS = 400;
const TWO_DIGITS = Array.from({ length: 60 }, (_, n) => String(n).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, '0'));

/**
 * The synthetic payloads of one storage account: each record's fields drawn
 * from the account's payload stream, in the order they are written. A draw is
 * `Random.uniformInt` and `Random.pick` spelled out (min + floor(next() x
 * count)): the same numbers, without their argument checks on every field.
 */
export class PayloadWriter {
  private readonly startMs: number;
  private dayStartMs = NaN;
  /** toISOString of the day being written, up to the "T". */
  private dayPrefix = '';
  /** Where payloads are written, reused: a payload lives only until it is sealed. */
  private readonly scratch = reusedBuffer();
  /** Each header's listed workspace names as JSON strings, and the list as JSON. */
  private readonly listedByWorkspaces = new WeakMap<readonly string[], { listed: readonly string[]; json: string }>();

  constructor(
    private readonly random: Random,
    private readonly capBytes: number,
    startIso: string,
  ) {
    this.startMs = Date.parse(startIso);
  }

  /**
   * The block's payload bytes. They are the writer's own scratch, good until
   * its next call: seal them at once (sealing copies them).
   */
  payload(header: BlockHeader): Buffer {
    const random = this.random;
    const { listed, json } = this.workspacesOf(header.workspaces);
    // JSON.stringify({ ...header, workspaces: listed, workspaceCount }), written out: the same bytes.
    let text = `${headerStart(header.block, header.records)}"workspaces":${json},"sliceEndMs":${header.sliceEndMs},"workspaceCount":${header.workspaces.length}}\n`;
    const baseMs = this.startMs + header.sliceEndMs;
    for (let i = 0; i < header.records; i++) {
      const timeGenerated = this.iso(baseMs - Math.floor(random.next() * RECORD_SPREAD_MS));
      const workspace = listed[Math.floor(random.next() * listed.length)]!;
      const table = TABLES[Math.floor(random.next() * TABLES.length)]!;
      const computer = 1 + Math.floor(random.next() * COMPUTERS);
      const level = LEVELS[Math.floor(random.next() * LEVELS.length)]!;
      const message = MESSAGES[Math.floor(random.next() * MESSAGES.length)]!;
      const record = `{"TimeGenerated":"${timeGenerated}","Workspace":${workspace},"Table":${table},"Computer":"vm-${computer}","Level":${level},"Message":${message}}`;
      // The cap counts UTF-16 code units, as it always has: payload bytes depend on it.
      if (text.length + record.length + 1 > this.capBytes) break;
      text += record + '\n';
    }
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    const bytes = this.scratch(3 * text.length);
    return bytes.subarray(0, bytes.write(text));
  }

  /** The JSON of the workspace names a header lists, once per list (a composition's list is the same all run). */
  private workspacesOf(workspaces: readonly string[]): { listed: readonly string[]; json: string } {
    let found = this.listedByWorkspaces.get(workspaces);
    if (found === undefined) {
      const listed = workspaces.slice(0, HEADER_WORKSPACES_MAX).map((name) => JSON.stringify(name));
      found = { listed, json: `[${listed.join(',')}]` };
      this.listedByWorkspaces.set(workspaces, found);
    }
    return found;
  }

  /** Date.prototype.toISOString: the date part from it once per day, the time of day written here. */
  private iso(ms: number): string {
    const dayStartMs = Math.floor(ms / MS_PER_DAY) * MS_PER_DAY;
    if (dayStartMs !== this.dayStartMs) {
      const iso = new Date(dayStartMs).toISOString();
      this.dayStartMs = dayStartMs;
      this.dayPrefix = iso.slice(0, iso.indexOf('T') + 1);
    }
    const inDayMs = ms - dayStartMs;
    return `${this.dayPrefix}${TWO_DIGITS[Math.floor(inDayMs / 3_600_000)]}:${TWO_DIGITS[Math.floor(inDayMs / 60_000) % 60]}:${TWO_DIGITS[Math.floor(inDayMs / 1000) % 60]}.${THREE_DIGITS[inDayMs % 1000]}Z`;
  }
}

/** A header's first fields, as payload() writes them and headerIs() reads them. */
function headerStart(block: string, records: number): string {
  return `{"block":${JSON.stringify(block)},"records":${records},`;
}

/**
 * Whether an opened block's payload starts with the header of this block and
 * record count: its first bytes compared with what payload() writes there.
 */
export function headerIs(payload: Buffer, block: string, records: number): boolean {
  const expected = headerStart(block, records);
  return payload.toString('utf8', 0, Buffer.byteLength(expected)) === expected;
}

/** The header of an opened block: what a sampled query checks against the ledger. */
export function readHeader(payload: Buffer): { block: string; records: number } {
  const end = payload.indexOf(10);
  const header = JSON.parse(payload.subarray(0, end).toString('utf8')) as { block: string; records: number };
  return { block: header.block, records: header.records };
}
