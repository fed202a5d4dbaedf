// The bench's crypto floor and kernel (bench/crypto-floor.ts, bench/kernel.ts)
// do the work they stand for: the replay performs as many operations as a
// run counted, and the kernel of a run seals, fingerprints and opens as many
// blocks as the run did. Timing is never asserted (npm run bench measures).

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cryptoFloor } from '../bench/crypto-floor.ts';
import { countOf, kernel, kernelShapeOf } from '../bench/kernel.ts';
import { loadScenario } from '../scenarios/load.ts';
import { withCryptoTally } from '../sim/crypto/tally.ts';
import { rsaKeyPoolFor, runPair } from '../sim/sweep/pool.ts';

const cells = [loadScenario('kv-outage-45m-random-faults')];
const pool = rsaKeyPoolFor(cells);
const RUNS = 2;
const { ops } = withCryptoTally(() => {
  for (let seed = 0; seed < RUNS; seed++) runPair(cells, { cell: 0, seed }, pool);
});

test("the floor replays as many operations as the run counted, with none of the model's code", () => {
  const floor = cryptoFloor(ops, pool);
  assert.is(floor.operations, ops.reduce((n, e) => n + e.count, 0));
  const replayed = withCryptoTally(() => floor.replay()).ops;
  assert.equal(replayed, [], 'the replay calls Node crypto directly, not the model: nothing of the model is counted in the floor');
});

test("a run's kernel seals each of its blocks twice and its hot copy once, fingerprints them, and opens as many as the run", () => {
  const shape = kernelShapeOf(ops, RUNS);
  assert.ok(shape.blocks > 1000, `a run of kv-outage-45m-random-faults seals about 1,160 blocks, found ${shape.blocks}`);
  assert.ok(shape.opens > 1000, `and opens about as many, found ${shape.opens}`);
  const counted = withCryptoTally(kernel(shape, cells[0]!.params.blockPayloadBytes)).ops;
  assert.is(countOf(counted, 'chacha20-poly1305.seal'), shape.blocks);
  assert.is(countOf(counted, 'aes-256-gcm.seal'), 2 * shape.blocks, 'under the AEK, and the hot copy under the Microsoft key');
  assert.is(countOf(counted, 'aes-256-gcm.open'), shape.opens);
  const payloadBytes = counted.filter((e) => e.op === 'aes-256-gcm.seal').map((e) => e.bytes);
  assert.ok(Math.max(...payloadBytes) <= cells[0]!.params.blockPayloadBytes, 'payloads are capped as the run caps them');
  assert.ok(Math.min(...payloadBytes) > cells[0]!.params.blockPayloadBytes * 0.8, 'and written nearly up to the cap, as the run writes them');
});

test.run();
