// timeline.jsonl, streamed: each event is appended to a buffer flushed to
// the file descriptor as it fills, so a long run never holds its timeline
// in memory. Written synchronously: the simulation itself never yields.

import { closeSync, openSync, writeSync } from 'node:fs';
import type { SimEvent } from './events.ts';

const FLUSH_BYTES = 64 * 1024;

export class TimelineWriter {
  private readonly fd: number;
  private pending: string[] = [];
  private pendingBytes = 0;
  private readonly startMs: number;
  lines = 0;

  constructor(path: string, startIso: string) {
    this.fd = openSync(path, 'w');
    this.startMs = Date.parse(startIso);
  }

  write(event: SimEvent): void {
    const { t, type, entity, ...rest } = event;
    const line = JSON.stringify({ t, time: new Date(this.startMs + t).toISOString(), type, entity, ...rest }) + '\n';
    this.pending.push(line);
    this.pendingBytes += line.length;
    this.lines++;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    writeSync(this.fd, this.pending.join(''));
    this.pending = [];
    this.pendingBytes = 0;
  }
}
