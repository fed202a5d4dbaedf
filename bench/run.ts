// `npm run bench`: what a run costs, as ratios measured in one process each.
//   1. A sweep's run and the month of 1000 workspaces against their crypto
//      floor: CPU time over that of the same crypto operations replayed alone
//      (bench/crypto-floor.ts), each in a child process: a sweep's run with
//      V8's default flags and with a sweep worker's, and the month as a
//      sweep's run (bench/sweep-run.ts), and the sweep's run's kernel alone
//      (bench/kernel.ts: its blocks' payloads, seals, fingerprints and opens)
//      against its own floor, the lowest any run of those blocks reaches;
//      the month as the only run of a fresh process, over 30 and 90 days,
//      as `cmk-sim run` has it (bench/scenario.ts).
//   2. Peak memory of the month at 30, 90 and 365 simulated days, each in a
//      process of its own (RSS is per process), and the memory it holds then
//      (heap in use and external memory after a forced full collection, in a
//      run of its own).
//   3. 10,000 workspaces (on one cluster, and as 10 clusters of 1000) against
//      1,000: CPU time of loading and running 30 days, the scenarios as JSON
//      and (1,000 and 10,000 on one cluster) as YAML.
//   4. A sweep on 1 and 2 worker processes (`npm run bench -- --sweep-runs 1000`
//      for a bigger one), as the installed command runs it (dist/, compiled).
//   5. The scheduler against a plain binary heap (bench/engine.ts), what a
//      sweep's progress file and read-back cost per run (bench/sweep-files.ts),
//      and the CPU time the installed command takes to start, against `node -e 0`.
// `--only floor,memory,scale,sweep,engine` runs only those parts.
// Prints tables; exits 0 unless something fails.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { WORKER_V8_FLAGS } from '../sim/sweep/pool.ts';
import type { AgainstFloor } from './crypto-floor.ts';
import { benchEngine } from './engine.ts';
import { writeMonths } from './month-scenarios.ts';
import { benchSweepFiles } from './sweep-files.ts';
import type { ScenarioBenchResult } from './scenario.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SCENARIO_SCRIPT = join('bench', 'scenario.ts');
const MONTH = join('bench', 'month-1000-workspaces.yaml');
const MEMORY_DAYS = [30, 90, 365];
const SWEEP_SCENARIO = 'kv-outage-45m-random-faults';
/** Runs per round of the sweep-run floor measurement, and rounds. */
const FLOOR_SEEDS = 20;
const FLOOR_ROUNDS = 7;
/** Rounds of the month as a sweep's run, and the lengths of the month's only run in a fresh process. */
const MONTH_ROUNDS = 5;
const COLD_DAYS = [30, 90];
const SWEEP_WORKERS = [1, 2];
const PARTS = ['floor', 'memory', 'scale', 'sweep', 'engine'] as const;
const { values: options } = parseArgs({ options: { 'sweep-runs': { type: 'string', default: '100' }, only: { type: 'string', default: PARTS.join(',') } } });
const SWEEP_RUNS = Number(options['sweep-runs']);
const only = new Set(options.only.split(','));
for (const part of only) if (!(PARTS as readonly string[]).includes(part)) throw new Error(`--only takes ${PARTS.join(', ')}; got ${part}`);
const STARTUP_ROUNDS = 20;
const STARTUP_COMMANDS: { label: string; args: string[] }[] = [
  { label: 'node -e 0', args: ['-e', '0'] },
  { label: 'cmk-sim --version', args: [join('dist', 'sim', 'cli.js'), '--version'] },
  { label: 'cmk-sim list', args: [join('dist', 'sim', 'cli.js'), 'list'] },
];
const ENGINE_CASES: { pending: number; events: number }[] = [
  { pending: 1_000, events: 2_000_000 },
  { pending: 100_000, events: 2_000_000 },
];

function runChild(scenario: string, extra: string[] = [], nodeFlags: string[] = []): ScenarioBenchResult {
  const child = spawnSync(process.execPath, [...nodeFlags, '--import', 'tsx', SCENARIO_SCRIPT, scenario, ...extra], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  if (child.error !== undefined) throw child.error;
  if (child.status !== 0) {
    throw new Error(`bench/scenario.ts ${scenario} ${extra.join(' ')} exited with ${child.status ?? child.signal}:\n${child.stderr}`);
  }
  const lastLine = child.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(lastLine) as ScenarioBenchResult;
}

/**
 * CPU time (user + system, ms) of this process's waited-for children so far: Linux's cutime and
 * cstime in /proc/self/stat, in clock ticks. Node reports no child's resource usage itself.
 */
function childrenCpuMs(ticksPerSecond: number): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the third (state) on
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / ticksPerSecond;
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const fixed = (n: number, digits: number): string => n.toFixed(digits);

/** Right-aligns every column but the first (unless leftFirst is false). */
function table(header: string[], rows: string[][], leftFirst = true): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells.map((cell, i) => (i === 0 && leftFirst ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

console.log('cmk-sim bench');
console.log(`node ${process.version}, ${os.cpus().length} CPUs, ${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}`);
console.log('');

/**
 * What 2 threads give over 1 on this machine now, on work that shares nothing: the ceiling of a
 * sweep's speed-up while others use the cores too.
 */
async function machineSpeedUp(): Promise<number> {
  const work = `const { createHmac, createCipheriv, randomBytes } = require('node:crypto');
    const key = randomBytes(32), iv = randomBytes(12), data = randomBytes(1000);
    for (let i = 0; i < 100000; i++) { createHmac('sha256', key).update(data).digest(); const c = createCipheriv('aes-256-gcm', key, iv); c.update(data); c.final(); }
    require('node:worker_threads').parentPort.postMessage('done');`;
  const wallMs = async (threads: number) => {
    const started = performance.now();
    await Promise.all(Array.from({ length: threads }, () => new Promise((resolve, reject) => new Worker(work, { eval: true }).on('message', resolve).on('error', reject))));
    return performance.now() - started;
  };
  const one = await wallMs(1);
  return (2 * one) / (await wallMs(2));
}

const spread = (ratios: readonly number[]): string => `${fixed(Math.min(...ratios), 2)}-${fixed(Math.max(...ratios), 2)}`;

// 1. Against the crypto floor.
if (only.has('floor')) {
  const againstFloorIn = (scenario: string, seeds: number, rounds: number, v8Flags: readonly string[], kernel: boolean): AgainstFloor => {
    const child = spawnSync(process.execPath, [...v8Flags, '--import', 'tsx', join('bench', 'sweep-run.ts'), scenario, String(seeds), String(rounds), ...(kernel ? ['kernel'] : [])], { cwd: ROOT, encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`bench/sweep-run.ts exited with ${child.status ?? child.signal}:\n${child.stderr}`);
    return JSON.parse(child.stdout.trim().split('\n').pop()!) as AgainstFloor;
  };
  const warmRow = (scenario: string, v8Flags: readonly string[], seeds: number, rounds: number, kernel = false) => {
    const r = againstFloorIn(scenario, seeds, rounds, v8Flags, kernel);
    return [`${scenario} (${kernel ? "its kernel alone" : "a sweep's run"}, ${v8Flags.length === 0 ? "V8's defaults" : v8Flags.join(' ')}; median of ${rounds} rounds of ${seeds} seed${seeds === 1 ? '' : 's'})`, fixed(r.workCpuMs / seeds, 1), fixed(r.floorCpuMs / seeds, 1), fixed(r.workCpuMs / r.floorCpuMs, 2), spread(r.ratios)];
  };
  const coldRow = (r: ScenarioBenchResult) => [`${MONTH}, ${r.days} days (the only run in a fresh process, V8's defaults)`, int(r.runCpuMs), int(r.floorCpuMs!), fixed(r.runCpuMs / r.floorCpuMs!, 2), ''];
  const rows = [
    warmRow(SWEEP_SCENARIO, [], FLOOR_SEEDS, FLOOR_ROUNDS),
    warmRow(SWEEP_SCENARIO, WORKER_V8_FLAGS, FLOOR_SEEDS, FLOOR_ROUNDS),
    warmRow(SWEEP_SCENARIO, [], FLOOR_SEEDS, FLOOR_ROUNDS, true),
    warmRow(SWEEP_SCENARIO, WORKER_V8_FLAGS, FLOOR_SEEDS, FLOOR_ROUNDS, true),
    warmRow(MONTH, [], 1, MONTH_ROUNDS),
    ...COLD_DAYS.map((days) => coldRow(runChild(MONTH, ['--floor', '--days', String(days)]))),
  ];
  console.log("Against the crypto floor (CPU time of the run over that of its counted crypto operations replayed alone, same process). A sweep's run: after a first run, rounds of the runs and the replay taking turns. Its kernel alone: the same for its blocks' payloads written, sealed (with the infrastructure layer and as hot copies), fingerprinted and opened, with nothing around them (bench/kernel.ts): how close to the floor any run of those blocks can come. The only run in a fresh process: V8 compiles the simulator on the way, a cost per process that longer runs spread thinner.");
  console.log(table(['run', 'run CPU (ms)', 'floor CPU (ms)', 'ratio', 'spread'], rows));
  console.log('');
}

// 2. Memory over simulated time.
if (only.has('memory')) {
  const rows = MEMORY_DAYS.map((days) => runChild(MONTH, ['--days', String(days)]));
  // The same runs again, with a full collection forced an hour before the end: the memory the run holds, without V8's uncollected garbage.
  const held = MEMORY_DAYS.map((days) => runChild(MONTH, ['--days', String(days), '--live'], ['--expose-gc']));
  const peakMiB = (r: ScenarioBenchResult) => r.maxRssKiB / 1024;
  const heldMiB = (r: ScenarioBenchResult) => r.heldKiB! / 1024;
  console.log(`Peak memory of ${MONTH} over simulated time (each in its own process; "held": the JavaScript heap in use and the memory outside it just after a full collection an hour before the end, in a run of its own)`);
  console.log(
    table(
      ['days', 'peak RSS (MiB)', 'x 30 days', 'held (MiB)', 'x 30 days', 'run CPU (s)', 'sim events'],
      rows.map((r, i) => [String(r.days), fixed(peakMiB(r), 0), fixed(peakMiB(r) / peakMiB(rows[0]!), 2), fixed(heldMiB(held[i]!), 0), fixed(heldMiB(held[i]!) / heldMiB(held[0]!), 2), fixed(r.runCpuMs / 1000, 1), int(r.events)]),
      false,
    ),
  );
  console.log('');
}

// 3. Workspaces at scale: each month as JSON (how a generated scenario is best written), and the months of 1,000 and 10,000 on one cluster as YAML too.
if (only.has('scale')) {
  // Written fresh from bench/month-scenarios.ts (not committed: 3 MB of YAML).
  const months = writeMonths().map(({ yaml, json }) => ({ yaml: relative(ROOT, yaml), json: relative(ROOT, json) }));
  const cpuMs = (r: ScenarioBenchResult) => r.loadCpuMs + r.runCpuMs;
  const groups = [months.map((m) => m.json), [MONTH, months[1]!.yaml]].map((scenarios) => scenarios.map((scenario) => runChild(scenario)));
  console.log('Workspaces at scale, 30 days (CPU time of loading and running, each in its own process; x 1,000 against the month of 1,000 in the same format)');
  console.log(
    table(
      ['scenario', 'workspaces', 'load CPU (s)', 'run CPU (s)', 'total CPU (s)', 'x 1,000', 'peak RSS (MiB)'],
      groups.flatMap((rows) => rows.map((r) => [r.scenario, int(r.workspaces), fixed(r.loadCpuMs / 1000, 1), fixed(r.runCpuMs / 1000, 1), fixed(cpuMs(r) / 1000, 1), fixed(cpuMs(r) / cpuMs(rows[0]!), 2), fixed(r.maxRssKiB / 1024, 0)])),
    ),
  );
  console.log('');
}

// 4. A sweep, whole, as the installed command runs it, with 1 and 2 worker processes: wall time, and the same rows either way.
if (only.has('sweep')) {
  const sweepRows: string[][] = [];
  const scratch = mkdtempSync(join(os.tmpdir(), 'cmk-sim-bench-'));
  let firstRows: string | undefined;
  let oneWorkerMs = 0;
  for (const workers of SWEEP_WORKERS) {
    const out = join(scratch, `w${workers}`);
    const started = performance.now();
    const child = spawnSync(process.execPath, [join('dist', 'sim', 'cli.js'), 'sweep', SWEEP_SCENARIO, '--runs', String(SWEEP_RUNS), '--workers', String(workers), '--out', out], { cwd: ROOT, encoding: 'utf8' });
    const wallMs = performance.now() - started;
    if (child.status !== 0) throw new Error(`sweep with ${workers} workers exited with ${child.status ?? child.signal}:\n${child.stderr}`);
    const rows = readFileSync(join(out, 'runs.csv'), 'utf8');
    firstRows ??= rows;
    if (rows !== firstRows) throw new Error(`sweep rows differ between 1 and ${workers} workers (they must not)`);
    if (workers === 1) oneWorkerMs = wallMs;
    sweepRows.push([String(workers), fixed(wallMs / 1000, 1), fixed(SWEEP_RUNS / (wallMs / 1000), 1), fixed(oneWorkerMs / wallMs, 2)]);
  }
  rmSync(scratch, { recursive: true, force: true });
  const ceiling = await machineSpeedUp();
  console.log(`Sweep of ${SWEEP_SCENARIO}, ${SWEEP_RUNS} runs (node dist/sim/cli.js sweep, the whole command; identical runs.csv for every worker count)`);
  console.log(table(['workers', 'wall (s)', 'runs/s', 'speed-up'], sweepRows, false));
  console.log(`The machine's own speed-up of 2 threads over 1 just after, on work that shares nothing (HMACs and AES-GCM seals): ${fixed(ceiling, 2)}`);
  console.log('');
}

if (!only.has('engine')) process.exit(0);

// 5. The scheduler against a binary heap, in this process.
const engineRows: string[][] = [];
for (const { pending, events } of ENGINE_CASES) {
  const r = await benchEngine(pending, events);
  engineRows.push([int(r.pending), int(r.events), int(r.eventsPerSecond), int(r.heapEventsPerSecond), fixed(r.ratio, 2)]);
}
console.log('Engine (same workload, same process)');
console.log(table(['pending', 'events', 'scheduler (events/s)', 'binary heap (events/s)', 'ratio (ours/heap)'], engineRows, false));
console.log('');

// A sweep's bookkeeping per run: the progress file's append and the checked read-back, against a run.
const FILE_ROWS = 20_000;
const files = await benchSweepFiles(SWEEP_SCENARIO, 20, FILE_ROWS);
console.log('');
console.log(`Sweep bookkeeping per run of ${SWEEP_SCENARIO} (same process; ${int(FILE_ROWS)} rows appended to a progress file, then read back checked)`);
console.log(
  table(
    ['run (ms)', 'append (ms)', 'read back (ms)', 'ratio ((append + read back) / run)'],
    [[fixed(files.runMs, 1), fixed(files.appendMs, 4), fixed(files.readBackMs, 4), fixed(files.ratio, 5)]],
    false,
  ),
);

console.log('');

// Start-up: CPU time of the installed command's process, against an empty Node, in rounds
// that take the three in turn so that the machine's other load falls on all of them alike.
if (existsSync('/proc/self/stat')) {
  const ticksPerSecond = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim());
  const totalMs = STARTUP_COMMANDS.map(() => 0);
  for (let round = 0; round < STARTUP_ROUNDS; round++) {
    for (const [i, { label, args }] of STARTUP_COMMANDS.entries()) {
      const before = childrenCpuMs(ticksPerSecond);
      const child = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'ignore' });
      if (child.status !== 0) throw new Error(`${label} exited with ${child.status ?? child.signal}`);
      totalMs[i]! += childrenCpuMs(ticksPerSecond) - before;
    }
  }
  const baseMs = totalMs[0]! / STARTUP_ROUNDS;
  console.log(`Start-up (CPU time, user + system, of each process: mean of ${STARTUP_ROUNDS} runs, taken in turn; node ${process.version})`);
  console.log(table(['command', 'CPU (ms)', 'x node -e 0'], STARTUP_COMMANDS.map(({ label }, i) => [label, fixed(totalMs[i]! / STARTUP_ROUNDS, 0), fixed(totalMs[i]! / STARTUP_ROUNDS / baseMs, 2)])));
} else {
  console.log('Start-up: not measured (it reads the CPU time of child processes from /proc/self/stat, on Linux)');
}
