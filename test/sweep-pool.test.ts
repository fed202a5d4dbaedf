// A sweep makes its RSA pairs once, before the first run, and hands them to
// every worker process: no run of a sweep generates an RSA key.

import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadScenario } from '../scenarios/load.ts';
import { RsaKeyPool } from '../sim/crypto/index.ts';
import { SweepRunError, WorkerLostError, rsaKeyPoolFor, runPair, runPairs } from '../sim/sweep/pool.ts';
import { scenario } from './helpers.ts';

const sizes = (pool: RsaKeyPool) => pool.toDer().map(({ sizeBits, pkcs8 }) => [sizeBits, pkcs8.length]);

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
  const before = pool.toDer();
  for (const seed of [1, 2]) runPair(cells, { cell: 0, seed }, pool);
  assert.equal(pool.toDer(), before, 'the same pairs, none added');
});

test('worker processes run with the pairs made before the sweep: the same rows as runs in this process', async () => {
  const cells = [loadScenario('rotation-done-right')];
  const pairs = [0, 1, 2, 3].map((seed) => ({ cell: 0, seed }));
  const pool = rsaKeyPoolFor(cells);
  const here = pairs.map((pair) => runPair(cells, pair, pool));
  assert.equal(await runPairs(cells, pairs, 2, undefined, pool), here, 'two workers');
  assert.equal(await runPairs(cells, pairs, 1, undefined, pool), here, 'one worker');
});

test('a pool crosses to another process as DER and comes back the same keys', () => {
  const pool = rsaKeyPoolFor([loadScenario('rotation-done-right')]);
  const again = RsaKeyPool.fromDer(pool.toDer());
  assert.equal(again.toDer(), pool.toDer());
  const original = pool.pair(2048, 1);
  const crossed = again.pair(2048, 1);
  assert.ok(crossed.publicKey.equals(original.publicKey), 'the same public key');
  assert.ok(crossed.privateKey.equals(original.privateKey), 'the same private key');
});

test('a run that fails in a worker process stops the sweep, naming its seed', async () => {
  const cells = [loadScenario('rotation-done-right')];
  // A pair of a cell that does not exist fails in the worker: the error comes back with the seed.
  const failed = await runPairs(cells, [{ cell: 0, seed: 1 }, { cell: 5, seed: 77 }], 2).then(
    () => null,
    (error: unknown) => error,
  );
  assert.instance(failed, SweepRunError);
  assert.match((failed as Error).message, /^run with seed 77 failed: /);
});

test('a worker process that dies with runs to do stops the sweep, saying so (no hang, no missing rows)', async () => {
  const cells = [loadScenario('rotation-done-right')];
  const pairs = Array.from({ length: 30 }, (_, seed) => ({ cell: 0, seed }));
  let killed = false;
  const failed = await runPairs(cells, pairs, 2, () => {
    if (killed) return;
    killed = true;
    const listed = spawnSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' }).stdout;
    const worker = listed.split('\n').find((line) => line.includes('worker'));
    assert.ok(worker !== undefined, listed);
    process.kill(Number(worker.trim().split(' ')[0]), 'SIGKILL');
  }).then(
    () => null,
    (error: unknown) => error,
  );
  assert.instance(failed, WorkerLostError);
  assert.is((failed as WorkerLostError).signal, 'SIGKILL');
  assert.match((failed as Error).message, /^a sweep worker process was killed by SIGKILL \(out of memory, or killed from outside\) with runs still to do$/);
});

test.run();
