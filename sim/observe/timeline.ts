// The timeline, streamed: timeline.jsonl (one JSON object a line) and
// timeline.csv (the same events, flat). Each line is appended to a buffer
// flushed to the file as it fills, so a long run never holds its timeline
// in memory. Written synchronously: the simulation itself never yields.

import { closeSync, openSync, writeSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { EVENT_FIELDS, type SimEvent } from './events.ts';

const FLUSH_BYTES = 64 * 1024;
/**
 * timeline.csv's columns: those every event has, then every field of the event table in the order
 * it first appears there. The same columns whatever the run, so a spreadsheet or a data frame
 * reads any two runs alike.
 */
export const TIMELINE_CSV_COLUMNS: readonly string[] = ['t', 'time', 'type', 'entity', ...new Set(Object.values(EVENT_FIELDS).flatMap((fields) => Object.keys(fields)))];
const FIELD_COLUMNS = TIMELINE_CSV_COLUMNS.slice(4);

/** A field's cell: numbers and text as they are, true/false, lists and objects as JSON, empty for null. */
function cell(value: unknown): string | number {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

export class TimelineWriter {
  private readonly jsonl: LineFile;
  private readonly csv: LineFile;
  private readonly startMs: number;

  constructor(paths: { jsonl: string; csv: string }, startIso: string) {
    this.jsonl = new LineFile(paths.jsonl);
    this.csv = new LineFile(paths.csv);
    this.csv.append(stringify([TIMELINE_CSV_COLUMNS]));
    this.startMs = Date.parse(startIso);
  }

  write(event: SimEvent): void {
    const { t, type, entity, ...rest } = event;
    const time = new Date(this.startMs + t).toISOString();
    this.jsonl.append(JSON.stringify({ t, time, type, entity, ...rest }) + '\n');
    const fields = rest as Record<string, unknown>;
    this.csv.append(stringify([[t, time, type, entity, ...FIELD_COLUMNS.map((column) => cell(fields[column]))]]));
  }

  close(): void {
    this.jsonl.close();
    this.csv.close();
  }
}

/** A file written line by line through a buffer. */
export class LineFile {
  private readonly fd: number;
  private pending: string[] = [];
  private pendingBytes = 0;

  constructor(private readonly path: string) {
    this.fd = openSync(path, 'w');
  }

  append(line: string): void {
    this.pending.push(line);
    this.pendingBytes += line.length;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const bytes = Buffer.from(this.pending.join(''));
    try {
      // A disk filling up first writes short, then refuses with the reason: write until done or refused.
      for (let done = 0; done < bytes.length; ) {
        const written = writeSync(this.fd, bytes, done);
        if (written === 0) throw Object.assign(new Error('ENOSPC: no byte written'), { code: 'ENOSPC' });
        done += written;
      }
    } catch (error) {
      // writeSync's error names no file; the user is told which one could not be written.
      throw Object.assign(error as Error, { path: this.path });
    }
    this.pending = [];
    this.pendingBytes = 0;
  }
}
