// A sweep makes its RSA pairs once, before the first run, and hands them to
// every worker thread: no run of a sweep generates an RSA key.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadScenario } from '../scenarios/load.ts';
import { RsaKeyPool } from '../sim/crypto/index.ts';
import { rsaKeyPoolFor, runPair, runPairs } from '../sim/sweep/pool.ts';
import { scenario } from './helpers.ts';

const sizes = (pool: RsaKeyPool) => pool.pairs().map(({ sizeBits, pairs }) => [sizeBits, pairs.length]);

test("a sweep's RSA pool holds a pair per RSA key version and per key.rotate, the most any cell needs of each size", () => {
  const rotating = loadScenario('rotation-done-right');
  assert.equal(sizes(rsaKeyPoolFor([rotating])), [[2048, 2]], 'v1, and v2 made by the rotation');
  const twoSizes = scenario({
    keyVaults: [{ name: 'kv1', keys: [{ name: 'cmk', kty: 'RSA', size: 2048 }, { name: 'big', kty: 'RSA-HSM', size: 3072, versions: ['a', 'b'] }, { name: 'oct', kty: 'oct-HSM', size: 256 }] }],
  });
  assert.equal(sizes(rsaKeyPoolFor([rotating, twoSizes])), [[2048, 2], [3072, 2]], 'oct-HSM keys take no RSA pair');
});

test('runs that take their RSA keys from a sweep pool generate none', () => {
  const cells = [loadScenario('rotation-done-right')];
  const pool = rsaKeyPoolFor(cells);
  const before = pool.pairs().map(({ pairs }) => [...pairs]);
  for (const seed of [1, 2]) runPair(cells, { cell: 0, seed }, pool);
  assert.equal(pool.pairs().map(({ pairs }) => [...pairs]), before, 'the same pairs, none added');
});

test('worker threads run with the pairs made before the sweep: the same rows as one thread', async () => {
  const cells = [loadScenario('rotation-done-right')];
  const pairs = [0, 1, 2, 3].map((seed) => ({ cell: 0, seed }));
  const pool = rsaKeyPoolFor(cells);
  assert.equal(await runPairs(cells, pairs, 2, undefined, pool), await runPairs(cells, pairs, 1, undefined, RsaKeyPool.of(pool.pairs())));
});

test.run();
