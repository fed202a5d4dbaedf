// Runs the pairs (cell, seed) of a sweep, spread over worker processes. A run
// depends on its cell's scenario and its seed alone, and rows are handed on in
// the order of the pairs, so the rows (and the progress file written from
// them) are the same for any number of workers.

import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RsaKeyPool, type RsaPoolDer } from '../crypto/index.ts';
import type { Scenario } from '../scenario.ts';
import { runScenario } from '../world.ts';
import { rowOf, type RunRow } from './metrics.ts';
import type { Pair } from './plan.ts';

/**
 * The RSA pool a sweep's runs need, made before the first run: every RSA key
 * version the cells' scenarios create (their key versions, and one per
 * key.rotate action), the most any cell needs of each size. The sweep makes
 * it once and hands it to every worker process, so no worker generates a key.
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

/** The row of one run of a cell's scenario with this seed; its RSA keys come from the pool. */
export function runPair(cells: readonly Scenario[], pair: Pair, rsaKeyPool: RsaKeyPool): RunRow {
  return rowOf(runScenario({ ...cells[pair.cell]!, seed: pair.seed }, { rsaKeyPool }), pair.cell);
}

/**
 * What a worker process runs: the sibling worker module of the same kind as this one. In the
 * package that is the compiled worker.js, and tsx is not installed. In a checkout this module is
 * TypeScript run by tsx, whose loader a new process lacks, so the process starts at
 * worker-entry.mjs, which registers tsx there before it loads worker.ts.
 */
const WORKER_ENTRY = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './worker-entry.mjs' : './worker.js', import.meta.url));

/**
 * The V8 flags a worker process starts with, set for many short runs side by
 * side (measured on two cores, 1000 runs of kv-outage-45m-random-faults):
 * - `--single-threaded-gc`: by default V8 collects garbage on helper threads
 *   as well, which on a busy machine only take CPU from the other workers
 *   (a tenth of a sweep's CPU time, for no gain in wall time);
 * - `--max-semi-space-size=8` (MiB): a young generation of 24 MiB instead of
 *   48, whose collections stay in the processor's cache.
 * Together (npm run bench), 1 worker runs 1000 runs in 89 to 90 s instead of
 * 97 to 102 s, 2 workers in 46 to 48 s instead of 54 to 58 s. A process's V8 flags are set before it starts (a thread
 * shares its process's), so the workers are processes, not threads.
 */
export const WORKER_V8_FLAGS: readonly string[] = ['--single-threaded-gc', '--max-semi-space-size=8'];

/** Node options a worker does not take from this process: it loads its own modules, and a debugger's port is this process's. */
const NOT_FOR_WORKERS = /^(--import|--require|-r|--loader|--experimental-loader|--inspect|--inspect-brk|--inspect-port|--debug-port)(=|$)/;
const TAKES_A_VALUE = /^(--import|--require|-r|--loader|--experimental-loader|--inspect-port|--debug-port)$/;

/** The Node options a worker starts with: this process's (a heap limit, say), less NOT_FOR_WORKERS, then WORKER_V8_FLAGS, which win. */
function workerExecArgv(): string[] {
  const kept: string[] = [];
  for (let i = 0; i < process.execArgv.length; i++) {
    const arg = process.execArgv[i]!;
    if (!NOT_FOR_WORKERS.test(arg)) kept.push(arg);
    else if (TAKES_A_VALUE.test(arg)) i++;
  }
  return [...kept, ...WORKER_V8_FLAGS];
}

/** What the sweep sends a worker process: first the cells and its RSA pool's pairs, then one pair to run at a time. */
export type ToWorker = { kind: 'start'; cells: readonly Scenario[]; rsaPool: RsaPoolDer[] } | { kind: 'run'; index: number; pair: Pair };
/** What a worker process answers each pair with: its row, or the error that stopped the run. */
export type FromWorker = { index: number; row: RunRow; error?: undefined } | { index: number; row?: undefined; error: string };

/**
 * A worker process ended with runs still to do: killed (the out-of-memory
 * killer, a user) or crashed. The rows done before it are kept, as after a
 * stop by a signal.
 */
export class WorkerLostError extends Error {
  constructor(
    readonly signal: NodeJS.Signals | null,
    readonly exitCode: number | null,
  ) {
    super(signal === null ? `a sweep worker process exited with status ${exitCode} with runs still to do` : `a sweep worker process was killed by ${signal} (out of memory, or killed from outside) with runs still to do`);
  }
}

/** The worker processes of every sweep running in this process: they end when it exits (process.exit, the command line's answer to a signal, runs no finally). */
const liveWorkers = new Set<ChildProcess>();
let killingOnExit = false;
function killWorkersOnExit(): void {
  if (killingOnExit) return;
  killingOnExit = true;
  process.on('exit', () => {
    for (const child of liveWorkers) child.kill('SIGKILL');
  });
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
 * Rows for every pair, in the order of `pairs`, run in `workers` worker
 * processes (at most one per pair). onRow gets each row in that order as soon
 * as it and every row before it are done (a worker that finishes early waits
 * in memory for the slower one before it). The workers answer no signal: the
 * caller decides what a stop means (the command line keeps the rows done), and
 * a worker ends with this process, at once when it exits, or after its run
 * when it is killed.
 */
export async function runPairs(
  cells: readonly Scenario[],
  pairs: readonly Pair[],
  workers: number,
  onRow: (row: RunRow, done: number) => void = () => {},
  pool: RsaKeyPool = rsaKeyPoolFor(cells),
): Promise<RunRow[]> {
  const rows: RunRow[] = [];
  if (!Number.isSafeInteger(workers) || workers < 1) throw new Error(`internal: runPairs needs 1 worker or more, not ${workers}`);
  if (pairs.length === 0) return rows;
  const early = new Map<number, RunRow>();
  let next = 0;
  const start: ToWorker = { kind: 'start', cells, rsaPool: pool.toDer() };
  killWorkersOnExit();
  const children = Array.from({ length: Math.min(workers, pairs.length) }, () =>
    fork(WORKER_ENTRY, [], { execArgv: workerExecArgv(), serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }),
  );
  for (const child of children) liveWorkers.add(child);
  try {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve, reject) => {
            let inFlight = 0;
            const feed = () => {
              if (next < pairs.length) {
                child.send({ kind: 'run', index: next, pair: pairs[next]! } satisfies ToWorker);
                next++;
                inFlight++;
              } else if (inFlight === 0) resolve();
            };
            child.on('message', (answer: FromWorker) => {
              inFlight--;
              if (answer.error !== undefined) return reject(new SweepRunError(pairs[answer.index]!.seed, answer.error));
              early.set(answer.index, answer.row);
              for (let row = early.get(rows.length); row !== undefined; row = early.get(rows.length)) {
                early.delete(rows.length);
                rows.push(row);
                onRow(row, rows.length);
              }
              feed();
            });
            child.on('error', reject);
            child.on('exit', (code, signal) => {
              if (inFlight > 0 || next < pairs.length) reject(new WorkerLostError(signal, code));
            });
            child.send(start);
            // Two pairs in flight per worker: the next waits in its queue, so a worker never idles while this process appends a row or syncs the progress file.
            feed();
            feed();
          }),
      ),
    );
  } finally {
    for (const child of children) liveWorkers.delete(child);
    await Promise.all(children.map((child) => (child.exitCode !== null || child.signalCode !== null ? undefined : new Promise((resolve) => child.once('exit', resolve).kill('SIGKILL')))));
  }
  return rows;
}
