// Runs the pairs (cell, seed) of a sweep, in this thread or spread over
// worker threads. A run depends on its cell's scenario and its seed alone,
// and rows are handed on in the order of the pairs, so the rows (and the
// progress file written from them) are the same for any number of workers.

import { Worker } from 'node:worker_threads';
import { RsaKeyPool } from '../crypto/index.ts';
import type { Scenario } from '../scenario.ts';
import { runScenario } from '../world.ts';
import { rowOf, type RunRow } from './metrics.ts';
import type { Pair } from './plan.ts';

/**
 * The RSA pool a sweep's runs need, made before the first run: every RSA key
 * version the cells' scenarios create (their key versions, and one per
 * key.rotate action), the most any cell needs of each size. The sweep makes
 * it once and hands it to every worker thread, so no thread generates a key.
 */
export function rsaKeyPoolFor(cells: readonly Scenario[]): RsaKeyPool {
  const needed = new Map<number, number>();
  for (const cell of cells) {
    const bySize = new Map<number, number>();
    for (const vault of cell.keyVaults) {
      for (const key of vault.keys) {
        if (key.kty === 'oct-HSM') continue;
        const rotations = cell.actions.filter((a) => a.do === 'key.rotate' && a.vault === vault.name && a.key === key.name).length;
        bySize.set(key.sizeBits, (bySize.get(key.sizeBits) ?? 0) + key.versions.length + rotations);
      }
    }
    for (const [sizeBits, count] of bySize) needed.set(sizeBits, Math.max(needed.get(sizeBits) ?? 0, count));
  }
  const pool = new RsaKeyPool();
  for (const [sizeBits, count] of needed) pool.fill(sizeBits, count);
  return pool;
}

/** The row of one run of a cell's scenario with this seed; its RSA keys come from the thread's pool. */
export function runPair(cells: readonly Scenario[], pair: Pair, rsaKeyPool: RsaKeyPool): RunRow {
  return rowOf(runScenario({ ...cells[pair.cell]!, seed: pair.seed }, { rsaKeyPool }), pair.cell);
}

/**
 * What a worker thread runs: the sibling worker module of the same kind as this one. In the
 * package that is the compiled worker.js, and tsx is not installed. In a checkout this module is
 * TypeScript run by tsx, whose loader a new thread may lack (it gets none of the `-r tsx` require
 * hook the tests run under), so the thread starts at worker-entry.mjs, which registers tsx there
 * before it loads worker.ts.
 */
const WORKER_ENTRY = new URL(import.meta.url.endsWith('.ts') ? './worker-entry.mjs' : './worker.js', import.meta.url);

/** What a worker thread starts with: the cells, and the pairs of the sweep's RSA pool. */
export interface WorkerData {
  cells: readonly Scenario[];
  rsaPairs: ReturnType<RsaKeyPool['pairs']>;
}

export class SweepRunError extends Error {
  constructor(
    readonly seed: number,
    message: string,
  ) {
    super(`run with seed ${seed} failed: ${message}`);
  }
}

/**
 * Rows for every pair, in the order of `pairs`. onRow gets each row in that
 * order as soon as it and every row before it are done (a worker that
 * finishes early waits in memory for the slower one before it).
 */
export async function runPairs(
  cells: readonly Scenario[],
  pairs: readonly Pair[],
  workers: number,
  onRow: (row: RunRow, done: number) => void = () => {},
  pool: RsaKeyPool = rsaKeyPoolFor(cells),
): Promise<RunRow[]> {
  const rows: RunRow[] = [];
  if (workers <= 1 || pairs.length <= 1) {
    for (const pair of pairs) {
      rows.push(runPair(cells, pair, pool));
      onRow(rows.at(-1)!, rows.length);
      // A turn of the event loop between runs: a signal handler (the command line's) is answered within one run.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return rows;
  }
  const early = new Map<number, RunRow>();
  let next = 0;
  const workerData: WorkerData = { cells, rsaPairs: pool.pairs() };
  const threads = Array.from({ length: Math.min(workers, pairs.length) }, () => new Worker(WORKER_ENTRY, { workerData }));
  try {
    await Promise.all(
      threads.map(
        (thread) =>
          new Promise<void>((resolve, reject) => {
            let inFlight = 0;
            const feed = () => {
              if (next < pairs.length) {
                thread.postMessage({ index: next, pair: pairs[next] });
                next++;
                inFlight++;
              } else if (inFlight === 0) resolve();
            };
            thread.on('message', (answer: { index: number; row?: RunRow; error?: string }) => {
              inFlight--;
              if (answer.error !== undefined) return reject(new SweepRunError(pairs[answer.index]!.seed, answer.error));
              early.set(answer.index, answer.row!);
              for (let row = early.get(rows.length); row !== undefined; row = early.get(rows.length)) {
                early.delete(rows.length);
                rows.push(row);
                onRow(row, rows.length);
              }
              feed();
            });
            thread.on('error', reject);
            // Two pairs in flight per thread: the next waits in its queue, so a thread never idles while this one appends a row or syncs the progress file.
            feed();
            feed();
          }),
      ),
    );
  } finally {
    await Promise.all(threads.map((thread) => thread.terminate()));
  }
  return rows;
}
