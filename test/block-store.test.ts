// A storage account's blocks at rest (sim/azure/block-store.ts): copies of
// their bytes in slabs of the store's own, so a block keeps no shared memory
// alive and a month-long run's memory stays flat once retention is reached.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BlockStore, type SealedBlock } from '../sim/azure/block-store.ts';
import { openBlock, sealBlock } from '../sim/crypto/index.ts';
import { Composition } from '../sim/workload/composition.ts';

const DAY = 86_400_000;
const AEK = Buffer.alloc(32, 9);
const r30 = new Composition(0, 30, [{ workspace: 'ws1', recordsPerSlice: 10 }]);
const r90 = new Composition(1, 90, [{ workspace: 'ws2', recordsPerSlice: 10 }]);

function block(id: string, createdMs: number, composition: Composition, bytes: Buffer, hot: Buffer | null = null): SealedBlock {
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

test('bytes sealed into the destinations of their retention are kept where they were written; any other bytes are copied', () => {
  const store = new BlockStore();
  const into = store.destinations(30);
  const bytes = sealBlock(AEK, 'b1', Buffer.from('payload'), into.cold);
  const hot = sealBlock(AEK, 'b1#hot', Buffer.from('payload'), into.hot);
  store.add(block('b1', 0, r30, bytes, hot));
  const elsewhere = sealBlock(AEK, 'b2', Buffer.from('payload'));
  store.add(block('b2', 1, r30, elsewhere, null));
  // A destination given to another retention is not this log's: its bytes are copied too.
  const other = sealBlock(AEK, 'b3', Buffer.from('payload'), store.destinations(90).cold);
  store.add(block('b3', 2, r30, other, null));
  const [b1, b2, b3] = stored(store);
  const sameMemory = (kept: Buffer, sealed: Buffer) => kept.buffer === sealed.buffer && kept.byteOffset === sealed.byteOffset && kept.length === sealed.length;
  assert.ok(sameMemory(b1!.bytes, bytes), 'sealed in place, not copied');
  assert.ok(sameMemory(b1!.hot!, hot));
  assert.is(b1!.bytes.buffer, b2!.bytes.buffer, 'one slab for the retention');
  assert.not.ok(sameMemory(b2!.bytes, elsewhere));
  assert.not.ok(sameMemory(b3!.bytes, other));
  assert.is(b3!.bytes.buffer, b1!.bytes.buffer);
  elsewhere.fill(0);
  other.fill(0);
  assert.is(openBlock(AEK, 'b2', b2!.bytes).toString(), 'payload');
  assert.is(openBlock(AEK, 'b3', b3!.bytes).toString(), 'payload');
  assert.is(openBlock(AEK, 'b1', b1!.bytes).toString(), 'payload');
});

test('a block larger than a slab is kept in a buffer of its own, exactly its size', () => {
  const store = new BlockStore();
  store.add(block('big', 0, r30, Buffer.alloc(300 * 1024, 7)));
  const [big] = stored(store);
  assert.is(big!.bytes.buffer.byteLength, 300 * 1024);
  assert.ok(big!.bytes.equals(Buffer.alloc(300 * 1024, 7)));
  // Its retention ends like any other's: the buffer is the collector's, no slab's.
  assert.equal(store.ageOut(() => 1, 1), [{ retentionDays: 30, blocks: 1 }]);
  assert.is(stored(store).length, 0);
});

test('a slab emptied while it is still being written is not written again from its start until every block in it has gone', () => {
  const store = new BlockStore();
  const content = (n: number) => Buffer.alloc(1000, n % 251);
  for (let n = 0; n < 100; n++) store.add(block(`a${n}`, n, r30, content(n)));
  // Retention takes every block so far: the slab being written holds nothing stored, and is written on.
  store.ageOut(() => 100, 0);
  for (let n = 100; n < 700; n++) store.add(block(`b${n}`, n, r30, content(n)));
  const kept = stored(store);
  assert.is(kept.length, 600);
  for (const b of kept) assert.ok(b.bytes.equals(content(Number(b.id.slice(1)))), `block ${b.id} unchanged`);
});

test('a block read from the store is found again by its number to be heated; one retention has dropped is refused', () => {
  const store = new BlockStore();
  for (let day = 0; day < 3; day++) store.add(block(`d${day}`, day * DAY, r30, Buffer.alloc(10, day)));
  const [d0, d1] = stored(store);
  assert.equal([d0!.seq, d1!.seq], [0, 1]);
  store.heat(d1!, Buffer.from('hot d1'));
  assert.is(stored(store)[1]!.hot!.toString(), 'hot d1');
  assert.is(store.hotBlocks, 1);
  store.ageOut(() => DAY, 0);
  assert.throws(() => store.heat(d0!, Buffer.from('hot d0')), /not stored here/);
  assert.is(store.hotBlocks, 1);
});

test('retention drops blocks oldest first, and hot copies age out the same way', () => {
  const store = new BlockStore();
  for (let day = 0; day < 40; day++) store.add(block(`d${day}`, day * DAY, r30, Buffer.alloc(10, day), Buffer.alloc(10, day)));
  const purged = store.ageOut((retentionDays) => 40 * DAY - retentionDays * DAY, 40 * DAY - 14 * DAY);
  assert.equal(purged, [{ retentionDays: 30, blocks: 10 }]);
  assert.is(stored(store)[0]!.id, 'd10');
  assert.is(store.hotBlocks, 14);
});

test('a slab whose blocks and hot copies have all aged out is written again, and the bytes of every block still stored stay as they were', () => {
  const store = new BlockStore();
  // 1000-byte blocks: 262 to a slab. A day of 300 blocks, kept 30 days, hot for 14: slabs empty out every day.
  const r30 = new Composition(0, 30, [{ workspace: 'ws1', recordsPerSlice: 1 }]);
  const content = (n: number) => Buffer.alloc(1000, n % 251);
  const hotContent = (n: number) => Buffer.alloc(1000, (n + 100) % 251);
  const slabs = new Set<ArrayBufferLike>();
  let n = 0;
  for (let day = 0; day < 60; day++) {
    for (let i = 0; i < 300; i++, n++) store.add(block(`b${n}`, day * DAY + i, r30, content(n), hotContent(n)));
    store.ageOut((retentionDays) => (day + 1) * DAY - retentionDays * DAY, (day + 1) * DAY - 14 * DAY);
    for (const kept of stored(store)) {
      slabs.add(kept.bytes.buffer);
      if (kept.hot !== null) slabs.add(kept.hot.buffer);
    }
  }
  const kept = stored(store);
  assert.is(kept.length, 30 * 300);
  for (const b of kept) {
    const at = Number(b.id.slice(1));
    assert.ok(b.bytes.equals(content(at)), `block ${b.id} unchanged`);
    if (b.hot !== null) assert.ok(b.hot.equals(hotContent(at)), `hot copy of ${b.id} unchanged`);
  }
  assert.is(store.hotBlocks, 14 * 300);
  // 18,000 blocks and their hot copies took 137 slabs' worth; 30 days of blocks and 14 of hot copies need about 52, and a few more hold the newest.
  assert.ok(slabs.size <= 60, `${slabs.size} slabs, not one per 262 blocks written`);
});

test.run();
