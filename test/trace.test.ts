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
  id2?: { local?: string; global?: string };
  cat?: string;
  s?: string;
  args?: Record<string, unknown>;
}

interface TimelineEvent {
  t: number;
  type: string;
  entity: string;
}

async function trace(scenario: string): Promise<TraceEvent[]> {
  return (await traceAndTimeline(scenario)).trace;
}

async function traceAndTimeline(scenario: string): Promise<{ trace: TraceEvent[]; timeline: TimelineEvent[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'cmk-trace-'));
  try {
    const { main } = await import('../sim/cli.ts');
    const status = await main(['run', scenario, '--out', dir], { out: () => {}, err: () => {} });
    assert.is(status, 0);
    const parsed = JSON.parse(readFileSync(join(dir, 'trace.json'), 'utf8')) as { traceEvents: TraceEvent[]; displayTimeUnit: string };
    assert.is(parsed.displayTimeUnit, 'ms');
    const timeline = readFileSync(join(dir, 'timeline.jsonl'), 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as TimelineEvent);
    return { trace: parsed.traceEvents, timeline };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The process names of the trace, by pid. */
function processNames(events: readonly TraceEvent[]): Map<number, string> {
  return new Map(events.filter((e) => e.ph === 'M' && e.name === 'process_name').map((e) => [e.pid, e.args!.name as string]));
}

test('trace.json: a process per actor with its thread, every async slice closed on its own process, timestamps in microseconds', async () => {
  const events = await trace('key-disabled-and-restored');
  const processes = processNames(events);
  const threads = new Map(events.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => [`${e.pid}/${e.tid}`, e.args!.name]));
  for (const e of events.filter((e) => e.ph !== 'M')) assert.ok(processes.has(e.pid), `process ${e.pid} of ${e.name} has no name`);
  // Instants are thread-scoped ("s": "t"): their thread must be named too.
  for (const e of events.filter((e) => e.ph === 'i')) {
    assert.is(e.s, 't');
    assert.is(threads.get(`${e.pid}/${e.tid}`), processes.get(e.pid), `instant ${e.name} is not on its actor's thread`);
  }
  assert.ok([...processes.values()].includes('cl1/0') && [...processes.values()].includes('kv1/cmk'));
  assert.is(new Set(processes.values()).size, processes.size, 'one process per actor');
  // Async slices pair by category and id within a process: an id2.local is scoped to its process.
  const open = new Map<string, TraceEvent>();
  for (const e of events) {
    if (e.ph !== 'b' && e.ph !== 'e') continue;
    assert.ok(e.id === undefined && e.id2?.local !== undefined && e.id2.global === undefined, `an async slice with a process-local id: ${JSON.stringify(e)}`);
    const key = `${e.pid}/${e.cat}/${e.id2.local}`;
    if (e.ph === 'b') {
      assert.not.ok(open.has(key), `the id of an open slice used again: ${JSON.stringify(e)}`);
      open.set(key, e);
    } else {
      const begin = open.get(key);
      assert.ok(begin !== undefined && begin.name === e.name && begin.tid === e.tid && begin.ts! <= e.ts!, `end without its begin: ${JSON.stringify(e)}`);
      open.delete(key);
    }
  }
  assert.is(open.size, 0);
  const revoked = events.find((e) => e.ph === 'b' && e.name === 'revoked')!;
  assert.ok(revoked.ts! >= 86_400_000_000 && revoked.ts! <= 90_000_000_000, 'revoked within the hour after 1d, in µs');
  assert.ok(events.some((e) => e.ph === 'i' && e.name === 'key.disable'), 'the action is an instant');
});

/** The timeline event that opens each kind of window, and the slice's name. */
const WINDOW_OPENERS: Record<string, string> = {
  'keyVault.outage.begin': 'Key Vault outage',
  'storage.unavailable': 'unavailable',
  'storage.revoked': 'revoked',
  'workspace.queriesFailing': 'queries fail',
  'buffer.started': 'MMK buffer in use',
};

for (const scenario of ['kv-outage-45m', 'key-disabled-and-restored']) {
  test(`trace.json of ${scenario}: every window (outage, unavailable, revoked, queries failing, MMK buffer) is an async slice on the process of the actor it happened to`, async () => {
    const { trace: events, timeline } = await traceAndTimeline(scenario);
    const processes = processNames(events);
    // Each window slice, from its begin to its end, on its process.
    const slices: { pid: number; name: string; fromUs: number; toUs: number }[] = [];
    for (const b of events.filter((e) => e.ph === 'b' && e.cat === 'window')) {
      const end = events.find((e) => e.ph === 'e' && e.pid === b.pid && e.id2?.local === b.id2?.local)!;
      slices.push({ pid: b.pid, name: b.name, fromUs: b.ts!, toUs: end.ts! });
    }
    let checked = 0;
    for (const event of timeline) {
      const name = WINDOW_OPENERS[event.type];
      if (name === undefined) continue;
      // A window already open on that actor (a second buffer.started while buffering) is the same slice.
      const slice = slices.find((w) => w.name === name && processes.get(w.pid) === event.entity && w.fromUs <= event.t * 1000 && event.t * 1000 <= w.toUs);
      assert.ok(slice !== undefined, `no ${name} slice on ${event.entity}'s process at ${event.t} ms`);
      checked++;
    }
    assert.ok(checked >= 4, `only ${checked} windows in ${scenario}`);
    for (const w of slices) assert.ok(w.pid !== 1, `window ${w.name} on the run's own process`);
  });
}

test('trace.json: the MMK buffer and lost records as counters', async () => {
  const outage = await trace('kv-outage-8h');
  const buffer = outage.filter((e) => e.ph === 'C' && e.name === 'records in the MMK buffer').map((e) => e.args!.records as number);
  assert.ok(Math.max(...buffer) > 0 && buffer.at(-1) === 0, 'the buffer fills during the outage and is empty after the replay');
  const lost = outage.filter((e) => e.ph === 'C' && e.name === 'records lost').map((e) => e.args!.records as number);
  assert.ok(lost.at(-1)! > 0, 'records older than mmkBufferMaxAge are lost');
  for (let i = 1; i < lost.length; i++) assert.ok(lost[i]! >= lost[i - 1]!, 'lost records only grow');
});

test.run();
