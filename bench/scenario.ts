// One scenario, run once in this process, for bench/run.ts: the CPU time of
// loading it and of running it (setup and simulation), the simulator events,
// and the peak resident memory of this process, printed as one JSON line. A
// process of its own per scenario keeps its peak memory its own. The RSA
// pairs the run takes are made before the timing (keygen cannot be seeded,
// and a sweep's thread makes them once too). The timeline is discarded.
//
//   node --import tsx [--expose-gc] bench/scenario.ts <built-in name | path> [--days N] [--floor] [--live]
//
// --days N runs N days instead of the scenario's duration. --floor counts the
// run's crypto operations as it goes and then replays them alone (the crypto
// floor, bench/crypto-floor.ts): its CPU time comes out as floorCpuMs.
// --live (with node --expose-gc) forces a full collection an hour before the
// end and reports the JavaScript heap in use and the memory outside it right
// after: what the run holds, apart from garbage V8 has not collected yet.

import { parseArgs } from 'node:util';
import { loadScenario } from '../scenarios/load.ts';
import { MS_PER_DAY, MS_PER_HOUR } from '../sim/engine/duration.ts';
import { withCryptoTally } from '../sim/crypto/tally.ts';
import { rsaKeyPoolFor } from '../sim/sweep/pool.ts';
import { runScenario } from '../sim/world.ts';
import { cryptoFloor } from './crypto-floor.ts';

export interface ScenarioBenchResult {
  scenario: string;
  days: number;
  workspaces: number;
  /** CPU time (user + system) of reading and validating the file, ms */
  loadCpuMs: number;
  /** CPU time of the run (setup and simulation), ms */
  runCpuMs: number;
  /** CPU time of the run's crypto operations replayed alone (--floor), ms */
  floorCpuMs: number | null;
  events: number;
  /** process.resourceUsage().maxRSS after the run, KiB */
  maxRssKiB: number;
  /** After a full collection an hour before the run's end (--live), the JavaScript heap in use and the memory outside it (the blocks' bytes): what the run really holds then, KiB; null without --live */
  heldKiB: number | null;
}

const cpuMs = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

const { values, positionals } = parseArgs({ allowPositionals: true, options: { days: { type: 'string' }, floor: { type: 'boolean', default: false }, live: { type: 'boolean', default: false } } });
const nameOrPath = positionals[0];
if (nameOrPath === undefined) {
  console.error('usage: node --import tsx [--expose-gc] bench/scenario.ts <built-in name | path> [--days N] [--floor] [--live]');
  process.exit(2);
}

const loadStarted = process.cpuUsage();
const loaded = loadScenario(nameOrPath);
const loadCpuMs = cpuMs(loadStarted);
const scenario = values.days === undefined ? loaded : { ...loaded, durationMs: Number(values.days) * MS_PER_DAY };
const rsaKeyPool = rsaKeyPoolFor([scenario]);

// --live: a full collection an hour before the end, and what is held right after it (the process runs with --expose-gc).
let heldKiB: number | null = null;
const gc = (globalThis as { gc?: () => void }).gc;
if (values.live && gc === undefined) throw new Error('--live needs node --expose-gc');
function measureHeld(): void {
  gc!();
  const { heapUsed, external } = process.memoryUsage();
  heldKiB = (heapUsed + external) / 1024;
}
const probes = values.live ? [{ atMs: scenario.durationMs - MS_PER_HOUR, look: measureHeld }] : [];

const runStarted = process.cpuUsage();
// Counting costs a comparison per operation when off, a map update when on: the count's own cost stays inside the run's time.
const { result, ops } = values.floor ? withCryptoTally(() => runScenario(scenario, { rsaKeyPool, probes })) : { result: runScenario(scenario, { rsaKeyPool, probes }), ops: [] };
const runCpuMs = cpuMs(runStarted);
const maxRssKiB = process.resourceUsage().maxRSS;

let floorCpuMs: number | null = null;
if (values.floor) {
  const floor = cryptoFloor(ops, rsaKeyPool);
  const floorStarted = process.cpuUsage();
  floor.replay();
  floorCpuMs = cpuMs(floorStarted);
}

const line: ScenarioBenchResult = {
  scenario: nameOrPath,
  days: scenario.durationMs / MS_PER_DAY,
  workspaces: scenario.workspaces.length,
  loadCpuMs,
  runCpuMs,
  floorCpuMs,
  events: result.events,
  maxRssKiB,
  heldKiB,
};
console.log(JSON.stringify(line));
