// `npm run bench`: the scenarios end to end, each run in a child process of
// its own (bench/scenario.ts) so its peak memory is not mixed with another's,
// then the scheduler against a plain binary heap (bench/engine.ts) in this
// process, then a sweep with 1 and 2 worker threads (`npm run bench --
// --sweep-runs 1000` for a bigger one), then what a sweep's progress file and
// read-back cost per run (bench/sweep-files.ts), then the CPU time the installed
// command (dist/, built by `npm run bench`) takes to start, against `node -e 0`.
// Prints tables; exits 0 unless something fails.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchEngine } from './engine.ts';
import { benchSweepFiles } from './sweep-files.ts';
import type { ScenarioBenchResult } from './scenario.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SCENARIO_SCRIPT = join('bench', 'scenario.ts');
const SCENARIOS = ['kv-outage-45m', join('bench', 'month-1000-workspaces.yaml')];
const RUNS = 3;
const SWEEP_SCENARIO = 'kv-outage-45m-random-faults';
const SWEEP_WORKERS = [1, 2];
const { values: options } = parseArgs({ options: { 'sweep-runs': { type: 'string', default: '100' } } });
const SWEEP_RUNS = Number(options['sweep-runs']);
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

function runChild(scenario: string): ScenarioBenchResult {
  const child = spawnSync(process.execPath, ['--import', 'tsx', SCENARIO_SCRIPT, scenario], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  if (child.error !== undefined) throw child.error;
  if (child.status !== 0) {
    throw new Error(`bench/scenario.ts ${scenario} exited with ${child.status ?? child.signal}:\n${child.stderr}`);
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

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
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

// 1. Scenarios, each run RUNS times, each time in a fresh child process.
const scenarioRows: string[][] = [];
for (const scenario of SCENARIOS) {
  const runs: ScenarioBenchResult[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(runChild(scenario));
  const first = runs[0]!;
  for (const run of runs) {
    if (run.events !== first.events || run.offeredRecords !== first.offeredRecords || run.blocksSealed !== first.blocksSealed) {
      throw new Error(`${scenario}: runs disagree (the simulator should be deterministic): ${JSON.stringify(runs)}`);
    }
  }
  const wallMs = median(runs.map((r) => r.wallMs));
  const peakMiB = Math.max(...runs.map((r) => r.maxRssKiB)) / 1024;
  scenarioRows.push([
    scenario,
    int(wallMs),
    int(first.events),
    int(first.events / (wallMs / 1000)),
    fixed(peakMiB, 1),
    int(first.offeredRecords),
    first.blocksSealed === null ? 'n/a' : int(first.blocksSealed),
  ]);
}
console.log(`Scenarios (load+run, timeline discarded; ${RUNS} runs each in its own process: median wall time, max peak RSS)`);
console.log(
  table(['scenario', 'wall (ms)', 'sim events', 'events/s', 'peak RSS (MiB)', 'offered records', 'blocks sealed'], scenarioRows),
);
console.log('');

// 2. The scheduler against a binary heap, in this process.
const engineRows: string[][] = [];
for (const { pending, events } of ENGINE_CASES) {
  const r = await benchEngine(pending, events);
  engineRows.push([int(r.pending), int(r.events), int(r.eventsPerSecond), int(r.heapEventsPerSecond), fixed(r.ratio, 2)]);
}
console.log('Engine (same workload, same process)');
console.log(table(['pending', 'events', 'scheduler (events/s)', 'binary heap (events/s)', 'ratio (ours/heap)'], engineRows, false));
console.log('');

// 3. A sweep, whole, with 1 and 2 worker threads: wall time, and the same rows either way.
const sweepRows: string[][] = [];
const scratch = mkdtempSync(join(os.tmpdir(), 'cmk-sim-bench-'));
let firstRows: string | undefined;
let oneWorkerMs = 0;
for (const workers of SWEEP_WORKERS) {
  const out = join(scratch, `w${workers}`);
  const started = performance.now();
  const child = spawnSync(process.execPath, ['--import', 'tsx', join('sim', 'cli.ts'), 'sweep', SWEEP_SCENARIO, '--runs', String(SWEEP_RUNS), '--workers', String(workers), '--out', out], { cwd: ROOT, encoding: 'utf8' });
  const wallMs = performance.now() - started;
  if (child.status !== 0) throw new Error(`sweep with ${workers} workers exited with ${child.status ?? child.signal}:\n${child.stderr}`);
  const rows = readFileSync(join(out, 'runs.csv'), 'utf8');
  firstRows ??= rows;
  if (rows !== firstRows) throw new Error(`sweep rows differ between 1 and ${workers} workers (they must not)`);
  if (workers === 1) oneWorkerMs = wallMs;
  sweepRows.push([String(workers), fixed(wallMs / 1000, 1), fixed(SWEEP_RUNS / (wallMs / 1000), 1), fixed(oneWorkerMs / wallMs, 2)]);
}
rmSync(scratch, { recursive: true, force: true });
console.log(`Sweep of ${SWEEP_SCENARIO}, ${SWEEP_RUNS} runs (whole command, identical runs.csv for every worker count)`);
console.log(table(['workers', 'wall (s)', 'runs/s', 'speed-up'], sweepRows, false));

// 4. A sweep's bookkeeping per run: the progress file's append and the checked read-back, against a run.
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

// 5. Start-up: CPU time of the installed command's process, against an empty Node, in rounds
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
