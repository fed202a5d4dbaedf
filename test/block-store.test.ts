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

function block(id: string, createdMs: number, composition: Composition, bytes: Buffer, hot: Buffer | null = null, encryption: 'cmk' | 'mmk' = 'cmk'): SealedBlock {
  return { id, createdMs, composition, encryption, bytes, hot };
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

test('bytes taken from a destination but not the ones stored: the stored bytes are copied, not the taken place kept', () => {
  const store = new BlockStore();
  const taken = store.destinations(30).cold(7);
  taken.write('unused!');
  store.add(block('b1', 0, r30, Buffer.from('stored')));
  assert.is(stored(store)[0]!.bytes.toString(), 'stored');
});

test('a block read from another store is not heated here, even under a number this store uses', () => {
  const [a, b] = [new BlockStore(), new BlockStore()];
  a.add(block('a0', 0, r30, Buffer.from('a')));
  b.add(block('b0', 0, r30, Buffer.from('b')));
  assert.throws(() => b.heat(stored(a)[0]!, Buffer.from('hot')), /not stored here/);
  assert.is(b.hotBlocks, 0);
});

test('the store answers from its blocks: the newest, the newest under the customer key per workspace, the oldest per retention', () => {
  const store = new BlockStore();
  assert.is(store.newest(), undefined);
  assert.equal(store.oldestBlocks(), []);
  store.add(block('c0', 10, r30, Buffer.from('c0')));
  assert.is(store.newest()!.id, 'c0', 'a single block, in the first slot');
  assert.equal(store.oldestBlocks(), [{ retentionDays: 30, oldestMs: 10 }]);
  store.add(block('m1', 20, r30, Buffer.from('m1'), null, 'mmk'));
  store.add(block('x2', 15, r90, Buffer.from('x2')));
  assert.is(store.newest()!.id, 'm1', 'the newest across retentions, whatever its chain');
  store.add(block('x3', 25, r90, Buffer.from('x3'), null, 'mmk'));
  assert.is(store.newest()!.id, 'x3', 'the newest in a later retention');
  assert.is(store.newestCmkBlockOf('ws1')!.id, 'c0', 'the newest customer-key block of ws1 is its oldest block: the Microsoft-key one after it does not count');
  assert.is(store.newestCmkBlockOf('ws2')!.id, 'x2');
  assert.is(store.newestCmkBlockOf('ws3'), undefined);
  assert.equal(store.oldestBlocks(), [{ retentionDays: 30, oldestMs: 10 }, { retentionDays: 90, oldestMs: 15 }]);
});

test("a query's window: its newest blocks of the workspace down to its start (a block made at the start included) and the oldest in it", () => {
  const store = new BlockStore();
  const both = new Composition(2, 30, [{ workspace: 'ws1', recordsPerSlice: 1 }, { workspace: 'ws3', recordsPerSlice: 1 }]);
  const ws3 = new Composition(3, 30, [{ workspace: 'ws3', recordsPerSlice: 1 }]);
  for (let t = 0; t < 10; t++) store.add(block(`b${t}`, t * 10, t % 2 === 0 ? both : ws3, Buffer.from(`b${t}`), t >= 7 ? Buffer.from('hot') : null));
  const ids = (blocks: Iterable<{ id: string }>) => [...blocks].map((b) => b.id);
  assert.equal(ids(store.window('ws1', 0, 10)), ['b8', 'b6', 'b4', 'b2', 'b0'], 'down to the first block, made at the start');
  assert.equal(ids(store.window('ws1', 40, 10)), ['b8', 'b6', 'b4']);
  assert.equal(ids(store.window('ws1', 20, 2)), ['b8', 'b2'], 'the newest, and the oldest of the window');
  assert.equal(ids(store.window('ws3', 0, 1)), ['b0'], 'only the oldest when one block is allowed');
  assert.equal(ids(store.since('ws1', 40)), ['b8', 'b6', 'b4'], 'the workspace\'s blocks only, a block made at the start included');
  assert.equal(ids(store.since('ws1', 0)), ['b8', 'b6', 'b4', 'b2', 'b0']);
  assert.equal(ids(store.coldSince(50)), ['b6', 'b5'], 'blocks without a hot copy, down to the start');
});

test('a cleared store holds nothing', () => {
  const store = new BlockStore();
  store.add(block('b0', 0, r30, Buffer.from('b0'), Buffer.from('hot')));
  store.clear();
  assert.equal(stored(store), []);
  assert.is(store.hotBlocks, 0);
  assert.not.ok(store.holdsCmkDataOf('ws1'));
  assert.is(store.newest(), undefined);
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
