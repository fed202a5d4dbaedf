// One sweep worker thread: runs the pairs (cell, seed) it is sent, one at a
// time, and answers with each run's row (or the error that stopped it).

import { parentPort, workerData } from 'node:worker_threads';
import { RsaKeyPool } from '../crypto/index.ts';
import type { Pair } from './plan.ts';
import { runPair, type WorkerData } from './pool.ts';

const { cells, rsaPairs } = workerData as WorkerData;
const pool = RsaKeyPool.of(rsaPairs);

parentPort!.on('message', ({ index, pair }: { index: number; pair: Pair }) => {
  try {
    parentPort!.postMessage({ index, row: runPair(cells, pair, pool) });
  } catch (error) {
    parentPort!.postMessage({ index, error: error instanceof Error ? error.message : String(error) });
  }
});
