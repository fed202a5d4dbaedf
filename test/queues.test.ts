// The ring both the block store and the checker keep their months of blocks
// in (sim/engine/time-log.ts), against a plain array doing the same: records
// come out in the order they went in, each under its own number, through
// growth while the ring wraps. And the checker's deadline heap
// (sim/engine/min-heap.ts) against a sort. FC_SEED / FC_RUNS change the seed
// and runs.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { MinHeap } from '../sim/engine/min-heap.ts';
import { ColumnLog, TimeLog } from '../sim/engine/time-log.ts';

const SEED = Number(process.env.FC_SEED ?? 20261130);
const RUNS = Number(process.env.FC_RUNS ?? 200);
console.log(`queues: fast-check seed ${SEED}, ${RUNS} runs (FC_SEED / FC_RUNS to change)`);

const columns = (capacity: number) => ({ createdMs: new Float64Array(capacity), n: new Int32Array(capacity), tag: new Array<string | undefined>(capacity) });

interface Row {
  seq: number;
  createdMs: number;
  n: number;
  tag: string;
}

const op = fc.oneof(fc.record({ push: fc.integer({ min: 0, max: 3 }) }), fc.record({ shift: fc.integer({ min: 1, max: 5 }) }));

test('a ColumnLog gives back what a plain array would: order, numbers, columns, lookups by time, across growth and wrap-around', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 300 }), fc.array(fc.integer({ min: -2, max: 400 }), { minLength: 1, maxLength: 5 }), (ops, probes) => {
      const log = new ColumnLog(columns);
      const model: Row[] = [];
      let next = 0;
      let nowMs = 0;
      for (const o of ops) {
        if ('push' in o) {
          nowMs += o.push; // equal times allowed: time order, not strict
          const slot = log.push();
          const c = log.columns;
          c.createdMs[slot] = nowMs;
          c.n[slot] = next * 7;
          c.tag[slot] = `r${next}`;
          model.push({ seq: next, createdMs: nowMs, n: next * 7, tag: `r${next}` });
          next++;
        } else {
          for (let k = 0; k < o.shift; k++) {
            const slot = log.slotOf(log.firstSeq);
            assert.is(log.shift(), model.length > 0);
            if (slot >= 0) assert.is(log.columns.tag[slot], undefined, 'a shifted record keeps nothing alive');
            model.shift();
          }
        }
        assert.is(log.size, model.length);
        assert.is(log.endSeq, next);
        assert.is(log.firstSeq, next - model.length);
      }
      const c = log.columns;
      for (const row of model) {
        const slot = log.slotOf(row.seq);
        assert.ok(slot >= 0);
        assert.equal([c.createdMs[slot], c.n[slot], c.tag[slot]], [row.createdMs, row.n, row.tag]);
      }
      assert.is(log.slotOf(log.firstSeq - 1), -1);
      assert.is(log.slotOf(log.endSeq), -1);
      assert.is(log.slotOf(log.firstSeq + 0.5), -1);
      for (const ms of probes) assert.is(log.firstAtOrAfter(ms), model.find((r) => r.createdMs >= ms)?.seq ?? next);
    }),
    { seed: SEED, numRuns: RUNS },
  );
});

test('a TimeLog gives its objects back oldest first, and nothing once empty', () => {
  const log = new TimeLog<{ id: string }>();
  for (let i = 0; i < 40; i++) log.push({ id: `b${i}` });
  const out: string[] = [];
  for (let i = 0; i < 25; i++) out.push(log.shift()!.id);
  for (let i = 40; i < 60; i++) log.push({ id: `b${i}` });
  assert.is(log.size, 35);
  assert.is(log.front()!.id, 'b25');
  for (let item = log.shift(); item !== undefined; item = log.shift()) out.push(item.id);
  assert.equal(out, Array.from({ length: 60 }, (_, i) => `b${i}`));
  assert.is(log.front(), undefined);
  assert.is(log.size, 0);
});

test('a MinHeap gives its entries back by time, ties in sequence order, whatever the pushes and pops in between', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constant('pop' as const)), { maxLength: 200 }), (ops) => {
      const heap = new MinHeap<{ timeMs: number; seq: number }>();
      const model: { timeMs: number; seq: number }[] = [];
      let seq = 0;
      const order = (a: { timeMs: number; seq: number }, b: { timeMs: number; seq: number }) => a.timeMs - b.timeMs || a.seq - b.seq;
      for (const o of ops) {
        if (o === 'pop') {
          model.sort(order);
          assert.equal(heap.peek(), model[0]);
          assert.equal(heap.pop(), model.shift());
        } else {
          const entry = { timeMs: o, seq: seq++ };
          heap.push(entry);
          model.push(entry);
        }
        assert.is(heap.size, model.length);
      }
      model.sort(order);
      for (const entry of model) assert.is(heap.pop(), entry);
      assert.is(heap.pop(), undefined);
    }),
    { seed: SEED, numRuns: RUNS },
  );
});

test.run();
