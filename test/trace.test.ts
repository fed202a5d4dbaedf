// trace.json: Chrome Trace Event Format, as Perfetto reads it.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts?: number;
  id?: string;
  cat?: string;
  args?: Record<string, unknown>;
}

async function trace(scenario: string): Promise<TraceEvent[]> {
  const dir = mkdtempSync(join(tmpdir(), 'cmk-trace-'));
  try {
    const { main } = await import('../sim/cli.ts');
    const status = await main(['run', scenario, '--out', dir], { out: () => {}, err: () => {} });
    assert.is(status, 0);
    const parsed = JSON.parse(readFileSync(join(dir, 'trace.json'), 'utf8')) as { traceEvents: TraceEvent[]; displayTimeUnit: string };
    assert.is(parsed.displayTimeUnit, 'ms');
    return parsed.traceEvents;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('trace.json: a named track per actor, every async slice closed, timestamps in microseconds', async () => {
  const events = await trace('key-disabled-and-restored');
  const names = new Map(events.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => [e.tid, e.args!.name]));
  for (const e of events.filter((e) => e.ph !== 'M' && e.tid !== 0)) assert.ok(names.has(e.tid), `track ${e.tid} of ${e.name} has no name`);
  assert.ok([...names.values()].includes('cl1/0') && [...names.values()].includes('kv1/cmk'));
  const open = new Map<string, TraceEvent>();
  for (const e of events) {
    if (e.ph === 'b') open.set(`${e.cat}/${e.id}`, e);
    if (e.ph === 'e') {
      const begin = open.get(`${e.cat}/${e.id}`);
      assert.ok(begin !== undefined && begin.name === e.name && begin.ts! <= e.ts!, `end without its begin: ${JSON.stringify(e)}`);
      open.delete(`${e.cat}/${e.id}`);
    }
  }
  assert.is(open.size, 0);
  const revoked = events.find((e) => e.ph === 'b' && e.name === 'revoked')!;
  assert.ok(revoked.ts! >= 86_400_000_000 && revoked.ts! <= 90_000_000_000, 'revoked within the hour after 1d, in µs');
  assert.ok(events.some((e) => e.ph === 'i' && e.name === 'key.disable'), 'the action is an instant');
});

test('trace.json: the MMK buffer and lost records as counters', async () => {
  const outage = await trace('kv-outage-8h');
  const buffer = outage.filter((e) => e.ph === 'C' && e.name === 'records in the MMK buffer').map((e) => e.args!.records as number);
  assert.ok(Math.max(...buffer) > 0 && buffer.at(-1) === 0, 'the buffer fills during the outage and is empty after the replay');
  const lost = outage.filter((e) => e.ph === 'C' && e.name === 'records lost').map((e) => e.args!.records as number);
  assert.ok(lost.at(-1)! > 0, 'records older than mmkBufferMaxAge are lost');
  for (let i = 1; i < lost.length; i++) assert.ok(lost[i]! >= lost[i - 1]!, 'lost records only grow');
});

test.run();
