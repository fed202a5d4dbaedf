// One sweep worker thread: runs the seeds it is sent, one at a time, and
// answers with each run's row (or the error that stopped it).

import { parentPort, workerData } from 'node:worker_threads';
import { RsaKeyPool } from '../crypto/index.ts';
import type { Scenario } from '../scenario.ts';
import { runSeed } from './pool.ts';

const scenario = (workerData as { scenario: Scenario }).scenario;
const pool = new RsaKeyPool();

parentPort!.on('message', (seed: number) => {
  try {
    parentPort!.postMessage({ seed, row: runSeed(scenario, seed, pool) });
  } catch (error) {
    parentPort!.postMessage({ seed, error: error instanceof Error ? error.message : String(error) });
  }
});
