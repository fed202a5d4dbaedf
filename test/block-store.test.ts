// A storage account's blocks at rest (sim/azure/block-store.ts): copies of
// their bytes in slabs of the store's own, so a block keeps no shared memory
// alive and a month-long run's memory stays flat once retention is reached.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BlockStore, type StoredBlock } from '../sim/azure/block-store.ts';
import { Composition } from '../sim/workload/composition.ts';

const DAY = 86_400_000;
const r30 = new Composition(0, 30, [{ workspace: 'ws1', recordsPerSlice: 10 }]);
const r90 = new Composition(1, 90, [{ workspace: 'ws2', recordsPerSlice: 10 }]);

function block(id: string, createdMs: number, composition: Composition, bytes: Buffer, hot: Buffer | null = null): StoredBlock {
  return { id, createdMs, composition, encryption: 'cmk', bytes, hot };
}

const stored = (store: BlockStore) => [...store.all()];

test("the store keeps copies of a block's bytes and hot copy: the caller's buffers can change afterwards", () => {
  const store = new BlockStore();
  const bytes = Buffer.from('sealed bytes');
  const hot = Buffer.from('hot copy');
  store.add(block('b1', 0, r30, bytes, hot));
  bytes.fill(0);
  hot.fill(0);
  const [kept] = stored(store);
  assert.is(kept!.bytes.toString(), 'sealed bytes');
  assert.is(kept!.hot!.toString(), 'hot copy');
});

test('stored bytes share memory only with blocks of the same retention, and hot copies only with hot copies: never a pool slab of Node', () => {
  const store = new BlockStore();
  store.add(block('a', 0, r30, Buffer.alloc(1000, 1), Buffer.alloc(900, 2)));
  store.add(block('b', 1, r30, Buffer.alloc(1000, 3), Buffer.alloc(900, 4)));
  store.add(block('c', 2, r90, Buffer.alloc(1000, 5)));
  const [a, b, c] = stored(store);
  assert.is(a!.bytes.buffer, b!.bytes.buffer, 'two blocks of one retention, one slab');
  assert.is(a!.hot!.buffer, b!.hot!.buffer);
  assert.is.not(a!.bytes.buffer, a!.hot!.buffer, 'blocks and hot copies, separate slabs: hot copies leave first');
  assert.is.not(a!.bytes.buffer, c!.bytes.buffer, 'another retention, another slab');
  assert.is.not(a!.bytes.buffer, Buffer.allocUnsafe(16).buffer, "not Node's shared pool");
  assert.ok(a!.bytes.equals(Buffer.alloc(1000, 1)) && b!.bytes.equals(Buffer.alloc(1000, 3)) && c!.bytes.equals(Buffer.alloc(1000, 5)));
});

test('a block larger than a slab is kept in a buffer of its own, exactly its size', () => {
  const store = new BlockStore();
  store.add(block('big', 0, r30, Buffer.alloc(300 * 1024, 7)));
  const [big] = stored(store);
  assert.is(big!.bytes.buffer.byteLength, 300 * 1024);
  assert.ok(big!.bytes.equals(Buffer.alloc(300 * 1024, 7)));
});

test('retention drops blocks oldest first, and hot copies age out the same way', () => {
  const store = new BlockStore();
  for (let day = 0; day < 40; day++) store.add(block(`d${day}`, day * DAY, r30, Buffer.alloc(10, day), Buffer.alloc(10, day)));
  const purged = store.ageOut((retentionDays) => 40 * DAY - retentionDays * DAY, 40 * DAY - 14 * DAY);
  assert.equal(purged, [{ retentionDays: 30, blocks: 10 }]);
  assert.is(stored(store)[0]!.id, 'd10');
  assert.is(store.hotBlocks, 14);
});

test.run();
