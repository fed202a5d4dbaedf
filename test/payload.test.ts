// A block's synthetic payload: its header with the exact record count, then
// JSON lines up to blockPayloadBytes. Records are written by hand for speed;
// these tests hold them to what JSON.stringify and Date.toISOString write.

import * as fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RandomStreams } from '../sim/engine/random.ts';
import { PayloadWriter, headerIs, readHeader } from '../sim/workload/payload.ts';

const SEED = Number(process.env.FC_SEED ?? 20261130);
const RUNS = Number(process.env.FC_RUNS ?? 200);
console.log(`payload: fast-check seed ${SEED}, ${RUNS} runs (FC_SEED / FC_RUNS to change)`);

const SLICE_MS = 300_000;

function lines(payload: Buffer): string[] {
  const text = payload.toString('utf8');
  assert.ok(text.endsWith('\n'), 'every line ends with a newline');
  return text.slice(0, -1).split('\n');
}

test('a payload starts with its header (the exact record count, at most 8 workspace names) and stays within blockPayloadBytes', () => {
  const workspaces = Array.from({ length: 20 }, (_, i) => `ws${i}`);
  const writer = new PayloadWriter(new RandomStreams(1).stream('cl1/0/payload'), 1024, '2026-01-01T00:00:00Z');
  const payload = writer.payload({ block: 'cl1/0/7/r30', records: 5_000, workspaces, sliceEndMs: 7 * SLICE_MS });
  assert.ok(payload.length <= 1024);
  assert.equal(readHeader(payload), { block: 'cl1/0/7/r30', records: 5_000 });
  assert.ok(headerIs(payload, 'cl1/0/7/r30', 5_000));
  assert.not.ok(headerIs(payload, 'cl1/0/7/r3', 5_000), 'another block id');
  assert.not.ok(headerIs(payload, 'cl1/0/7/r30', 500), 'another record count');
  assert.not.ok(headerIs(payload.subarray(1), 'cl1/0/7/r30', 5_000), 'bytes that do not start the header');
  assert.equal(JSON.parse(lines(payload)[0]!), { block: 'cl1/0/7/r30', records: 5_000, workspaces: workspaces.slice(0, 8), sliceEndMs: 7 * SLICE_MS, workspaceCount: 20 });
  assert.ok(lines(payload).length > 2, 'records follow the header');
});

test('a block with fewer records than fit carries exactly that many', () => {
  const writer = new PayloadWriter(new RandomStreams(1).stream('p'), 1024, '2026-01-01T00:00:00Z');
  assert.is(lines(writer.payload({ block: 'b', records: 2, workspaces: ['ws1'], sliceEndMs: SLICE_MS })).length, 1 + 2);
  assert.is(lines(writer.payload({ block: 'b', records: 0, workspaces: ['ws1'], sliceEndMs: SLICE_MS })).length, 1);
});

test('the header and every record are the JSON.stringify of their fields, and its TimeGenerated the toISOString of a time in the slice, on any start date', () => {
  const names = fc.array(fc.oneof(fc.stringMatching(/^[A-Za-z0-9-]{1,63}$/), fc.string({ unit: 'binary', minLength: 1, maxLength: 20 })), { minLength: 1, maxLength: 12 });
  // From before 1970 to past year 9999 (toISOString writes +YYYYYY there).
  const startMs = fc.integer({ min: -62_000_000_000_000, max: 300_000_000_000_000 });
  fc.assert(
    fc.property(names, startMs, fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 0, max: 1_000 }), fc.integer({ min: 200, max: 4096 }), (workspaces, start, slice, records, capBytes) => {
      const sliceEndMs = slice * SLICE_MS;
      const writer = new PayloadWriter(new RandomStreams(slice).stream('p'), capBytes, new Date(start).toISOString());
      const block = `cl1/0/${slice}/r30`;
      const [headerLine, ...recordLines] = lines(writer.payload({ block, records, workspaces, sliceEndMs }));
      if (headerLine !== JSON.stringify({ block, records, workspaces: workspaces.slice(0, 8), sliceEndMs, workspaceCount: workspaces.length })) return false;
      for (const line of recordLines) {
        const record = JSON.parse(line) as { TimeGenerated: string; Workspace: string };
        if (JSON.stringify(record) !== line) return false;
        const timeMs = Date.parse(record.TimeGenerated);
        if (new Date(timeMs).toISOString() !== record.TimeGenerated) return false;
        if (timeMs > start + sliceEndMs || timeMs <= start + sliceEndMs - SLICE_MS) return false;
        if (!workspaces.slice(0, 8).includes(record.Workspace)) return false;
      }
      return true;
    }),
    { seed: SEED, numRuns: RUNS },
  );
});

test.run();
