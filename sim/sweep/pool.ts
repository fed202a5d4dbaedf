// Runs the seeds of a sweep, in this thread or spread over worker threads.
// A run depends on the scenario and its seed alone, and rows are returned
// in seed order, so the rows are the same for any number of workers.

import { Worker } from 'node:worker_threads';
import { RsaKeyPool } from '../crypto/index.ts';
import type { Scenario } from '../scenario.ts';
import { runScenario } from '../world.ts';
import { rowOf, type RunRow } from './metrics.ts';

/** The row of one run of the scenario with this seed; its RSA keys come from the thread's pool. */
export function runSeed(scenario: Scenario, seed: number, rsaKeyPool: RsaKeyPool): RunRow {
  return rowOf(runScenario({ ...scenario, seed }, { rsaKeyPool }));
}

/**
 * What a worker thread runs: the sibling worker module of the same kind as this one. In the
 * package that is the compiled worker.js, and tsx is not installed. In a checkout this module is
 * TypeScript run by tsx, whose loader a new thread may lack (it gets none of the `-r tsx` require
 * hook the tests run under), so the thread starts at worker-entry.mjs, which registers tsx there
 * before it loads worker.ts.
 */
const WORKER_ENTRY = new URL(import.meta.url.endsWith('.ts') ? './worker-entry.mjs' : './worker.js', import.meta.url);

export class SweepRunError extends Error {
  constructor(
    readonly seed: number,
    message: string,
  ) {
    super(`run with seed ${seed} failed: ${message}`);
  }
}

/** Rows for every seed, in the order of `seeds`; onDone is called after each run. */
export async function runSeeds(scenario: Scenario, seeds: readonly number[], workers: number, onDone: (done: number) => void = () => {}): Promise<RunRow[]> {
  if (workers <= 1 || seeds.length <= 1) {
    const pool = new RsaKeyPool();
    return seeds.map((seed, i) => {
      const row = runSeed(scenario, seed, pool);
      onDone(i + 1);
      return row;
    });
  }
  const rows = new Map<number, RunRow>();
  let next = 0;
  const threads = Array.from({ length: Math.min(workers, seeds.length) }, () => new Worker(WORKER_ENTRY, { workerData: { scenario } }));
  try {
    await Promise.all(
      threads.map(
        (thread) =>
          new Promise<void>((resolve, reject) => {
            const feed = () => {
              if (next < seeds.length) thread.postMessage(seeds[next++]);
              else resolve();
            };
            thread.on('message', (answer: { seed: number; row?: RunRow; error?: string }) => {
              if (answer.error !== undefined) return reject(new SweepRunError(answer.seed, answer.error));
              rows.set(answer.seed, answer.row!);
              onDone(rows.size);
              feed();
            });
            thread.on('error', reject);
            feed();
          }),
      ),
    );
  } finally {
    await Promise.all(threads.map((thread) => thread.terminate()));
  }
  return seeds.map((seed) => rows.get(seed)!);
}
