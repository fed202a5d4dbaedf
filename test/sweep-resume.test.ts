// Resuming a sweep (sweep --resume): rows are appended to a progress file as
// runs finish; a sweep killed with SIGKILL and resumed writes the same bytes
// as one that ran through; a torn last line is dropped; a resume that asks
// for another sweep, or a new sweep over an unfinished one, is refused.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Progress, SWEEP_FILES, progressFile, readSweep } from '../sim/sweep/sweep.ts';
import { cli } from './cli-helpers.ts';
import { writeRandomFaults } from './sweep-fixtures.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));

const root = mkdtempSync(join(tmpdir(), 'cmk-sim-resume-'));
test.after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const fresh = (label: string) => join(root, `${++dirs}-${label}`);
const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');

const SCENARIO = writeRandomFaults(root, { accidentalDisables: false });

/** Complete rows in a progress file: lines ended by a newline, less the manifest line and the header. */
function rowsIn(file: string): number {
  if (!existsSync(file)) return 0;
  const text = readFileSync(file, 'utf8');
  return Math.max(0, text.slice(0, text.lastIndexOf('\n') + 1).split('\n').length - 3);
}

/** The processes `pid` started (ps). */
function childPids(pid: number): number[] {
  const listed = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
  return listed.stdout.split('\n').filter((line) => line.trim() !== '').map(Number);
}

/** Whether a process is there and not a zombie waiting to be reaped. */
function isRunning(pid: number): boolean {
  const listed = spawnSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' });
  const state = listed.stdout.trim();
  return state !== '' && !state.startsWith('Z');
}

/** A progress file in `dir` holding the first `rows` rows of the finished sweep in `whole`, as a sweep killed there leaves it. */
function progressOf(whole: string, dir: string, rows: number): string {
  const sweep = readSweep(whole);
  const progress = Progress.open(dir, sweep.manifest, false);
  for (const row of sweep.rows.slice(0, rows)) progress.append(row);
  progress.close();
  return progressFile(dir);
}

const RUNS = 40;
const POLL_MS = 20;
/** Polls before the test gives up waiting for the first rows (a minute at POLL_MS). */
const MAX_POLLS = 3000;

/**
 * The sweep command as a process of its own, what it writes to stderr
 * collected; `ended` comes once it and every process holding its stderr
 * (its workers) are gone.
 */
function startSweep(args: readonly string[], dir: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'sim/cli.ts', ...args, '--out', dir], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return { child, ended, err: () => err };
}

/** The 2-worker sweep the kill tests stop midway, and the folder where it ran through once (made on first use). */
const SWEEP_ARGS = ['sweep', SCENARIO, '--runs', String(RUNS), '--workers', '2'];
let ranThrough: string | undefined;
async function ranThroughDir(): Promise<string> {
  if (ranThrough === undefined) {
    ranThrough = fresh('whole');
    assert.is((await cli(...SWEEP_ARGS, '--out', ranThrough)).status, 0);
  }
  return ranThrough;
}

/** Waits until the progress file holds this many rows, or the sweep has ended. */
async function rowsReached(progress: string, rows: number, child: ChildProcess): Promise<void> {
  for (let poll = 0; poll < MAX_POLLS && rowsIn(progress) < rows && child.exitCode === null; poll++) await sleep(POLL_MS);
}

test('a sweep killed with SIGKILL midway and resumed writes byte for byte the files of a sweep that ran through', async () => {
  const whole = await ranThroughDir();
  const dir = fresh('killed');
  const progress = progressFile(dir);
  const { child, ended, err } = startSweep(SWEEP_ARGS, dir);
  await rowsReached(progress, 5, child);
  child.kill('SIGKILL');
  const { signal } = await ended;
  assert.is(signal, 'SIGKILL', 'the sweep was killed before it finished');
  assert.is(err(), '', 'the workers left behind finish their run and end without a word');
  const done = rowsIn(progress);
  assert.ok(done >= 5 && done < RUNS, `killed midway, after ${done} of ${RUNS} runs`);
  assert.ok(read(dir, 'runs.partial.csv').startsWith(`#{"scenario":"random-faults",`), 'the progress file starts with the manifest');
  for (const file of SWEEP_FILES) assert.not.ok(existsSync(join(dir, file)), `a killed sweep leaves no ${file}`);

  const resumed = await cli(...SWEEP_ARGS, '--out', dir, '--resume');
  assert.is(resumed.status, 0, resumed.err);
  assert.match(resumed.out, new RegExp(`sweep of random-faults: ${RUNS} runs in [\\d.]+ s on 2 workers, resumed after ${done} runs done before`));
  for (const file of SWEEP_FILES) assert.is(read(dir, file), read(whole, file), file);
  assert.not.ok(existsSync(progress), 'the progress file is gone once the files are written');
});

for (const [signal, status, workers] of [['SIGINT', 130, '1'], ['SIGTERM', 143, '2']] as const) {
  test(`${signal} during a sweep on ${workers} worker${workers === '1' ? '' : 's'} is answered within a run: exit ${status}, and the rows kept are said, with how to go on`, async () => {
    const dir = fresh(`stopped-${signal}`);
    const progress = progressFile(dir);
    const { child, ended, err } = startSweep(['sweep', SCENARIO, '--runs', String(RUNS), '--workers', workers], dir);
    await rowsReached(progress, 3, child);
    const workerPids = childPids(child.pid!);
    assert.is(workerPids.length, Number(workers), 'one process per worker');
    child.kill(signal);
    assert.is((await ended).code, status, err());
    const done = rowsIn(progress);
    assert.ok(done >= 3 && done < RUNS, `stopped midway, after ${done} of ${RUNS} runs`);
    assert.is(err(), `cmk-sim: stopped by ${signal} after ${done} of ${RUNS} runs; their rows are kept in ${progress}: the same command with --resume continues\n`);
    for (let poll = 0; poll < MAX_POLLS && workerPids.some(isRunning); poll++) await sleep(POLL_MS);
    assert.equal(workerPids.filter(isRunning), [], 'the workers end with the sweep');
  });
}

test('a worker killed from outside (the out-of-memory killer, a user) stops the sweep as a signal would: 128 + 9, the rows kept said, and --resume finishes it', async () => {
  const whole = await ranThroughDir();
  const dir = fresh('worker-killed');
  const progress = progressFile(dir);
  const { child, ended, err } = startSweep(SWEEP_ARGS, dir);
  await rowsReached(progress, 3, child);
  process.kill(childPids(child.pid!)[0]!, 'SIGKILL');
  assert.is((await ended).code, 137, err());
  const done = rowsIn(progress);
  assert.ok(done >= 3 && done < RUNS, `stopped midway, after ${done} of ${RUNS} runs`);
  assert.is(err(), `cmk-sim: a sweep worker process was killed by SIGKILL (out of memory, or killed from outside) after ${done} of ${RUNS} runs; their rows are kept in ${progress}: the same command with --resume continues\n`);
  const resumed = await cli(...SWEEP_ARGS, '--out', dir, '--resume');
  assert.is(resumed.status, 0, resumed.err);
  for (const file of SWEEP_FILES) assert.is(read(dir, file), read(whole, file), file);
});

test('a reader that closes stderr and stdout at once (`2>&1 >/dev/null | true`) does not stop the sweep: the notices are lost, the files are written', async () => {
  const dir = fresh('closed-pipes');
  // More workers than cores: the first thing the sweep says is a notice, on stderr.
  const child = spawn(process.execPath, ['--import', 'tsx', 'sim/cli.ts', 'sweep', SCENARIO, '--runs', '4', '--workers', String(availableParallelism() + 1), '--out', dir], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy();
  child.stderr.destroy();
  const code = await new Promise<number | null>((resolve) => child.on('exit', (status) => resolve(status)));
  assert.is(code, 0);
  for (const file of SWEEP_FILES) assert.ok(existsSync(join(dir, file)), file);
});

test('resume drops the torn last line a kill leaves and runs that seed again', async () => {
  const whole = fresh('whole');
  assert.is((await cli('sweep', SCENARIO, '--runs', '6', '--workers', '1', '--out', whole)).status, 0);
  const dir = fresh('torn');
  const progress = progressOf(whole, dir, 3);
  appendFileSync(progress, read(whole, 'runs.csv').split('\n')[4]!.slice(0, 9));
  const { status, out } = await cli('sweep', SCENARIO, '--runs', '6', '--workers', '1', '--out', dir, '--resume');
  assert.is(status, 0);
  assert.match(out, /resumed after 3 runs done before/);
  for (const file of SWEEP_FILES) assert.is(read(dir, file), read(whole, file), file);
});

test('resume refuses another sweep, naming each field that differs, and leaves the progress file as it was', async () => {
  const whole = fresh('whole');
  assert.is((await cli('sweep', SCENARIO, '--runs', '6', '--workers', '1', '--out', whole)).status, 0);
  const dir = fresh('other');
  const progress = progressOf(whole, dir, 2);
  const before = readFileSync(progress);
  const { status, err } = await cli('sweep', SCENARIO, '--runs', '7', '--seed', '41', '--param', 'outageToUnavailable=20m', '--workers', '1', '--out', dir, '--resume');
  assert.is(status, 2);
  const lines = err.split('\n');
  assert.is(lines.length, 3, err);
  assert.match(lines[0]!, new RegExp(`^${progress}: scenarioDigest: found "sha256:[0-9a-f]{64}" in the sweep in progress; expected "sha256:[0-9a-f]{64}", as this command asks \\(the scenario, its parameters or its profile changed\\): resume with the same scenario, --param, --profile, --vary, --seed, --runs and --shard, or delete the file to start again$`));
  assert.match(lines[1]!, new RegExp(`^${progress}: firstSeed: found 40 in the sweep in progress; expected 41, as this command asks: `));
  assert.match(lines[2]!, new RegExp(`^${progress}: runs: found 6 in the sweep in progress; expected 7, as this command asks: `));
  assert.equal(readFileSync(progress), before);
  for (const file of SWEEP_FILES) assert.not.ok(existsSync(join(dir, file)), file);
});

test('a new sweep refuses to replace the progress of an unfinished one; --resume with no progress starts from the first run', async () => {
  const whole = fresh('whole');
  assert.is((await cli('sweep', SCENARIO, '--runs', '3', '--workers', '1', '--out', whole)).status, 0);
  const dir = fresh('unfinished');
  const progress = progressOf(whole, dir, 1);
  const { status, err } = await cli('sweep', SCENARIO, '--runs', '3', '--workers', '1', '--out', dir);
  assert.is(status, 2);
  assert.is(err, `${progress}: found the progress of an unfinished sweep; expected sweep --resume with the same options to continue it, or the file deleted to start again`);
  const fromScratch = fresh('scratch');
  const started = await cli('sweep', SCENARIO, '--runs', '3', '--workers', '1', '--out', fromScratch, '--resume');
  assert.is(started.status, 0);
  assert.not.match(started.out, /resumed/);
  for (const file of SWEEP_FILES) assert.is(read(fromScratch, file), read(whole, file), file);
});

test('a progress file is read back as runs.csv is: a bad cell is named by its row in the file and its column', async () => {
  const whole = fresh('whole');
  assert.is((await cli('sweep', SCENARIO, '--runs', '3', '--workers', '1', '--out', whole)).status, 0);
  const dir = fresh('corrupt');
  const progress = progressOf(whole, dir, 2);
  const lines = readFileSync(progress, 'utf8').split('\n');
  lines[3] = lines[3]!.replace(/^41,\d+,/, '41,0x1,');
  writeFileSync(progress, lines.join('\n'));
  const { status, err } = await cli('sweep', SCENARIO, '--runs', '3', '--workers', '1', '--out', dir, '--resume');
  assert.is(status, 2);
  assert.is(err, `${progress}: row 4, column faultsDrawn: found "0x1"; expected a whole number, 0 or more, in decimal digits`);
  // A row cut short in the middle of the file, or one with a quote left open, is named by its row too, not in the CSV library's words.
  const rowOf = (edit: (line: string) => string) => {
    writeFileSync(progress, lines.map((line, i) => (i === 3 ? edit(line) : line)).join('\n'));
    return cli('sweep', SCENARIO, '--runs', '3', '--workers', '1', '--out', dir, '--resume');
  };
  const short = await rowOf((line) => line.split(',').slice(0, 8).join(','));
  assert.match(short.err, new RegExp(`^${progress.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: row 4: found 8 cells; expected \\d+, one per column: seed, faultsDrawn, `));
  const quoted = await rowOf((line) => `"${line}`);
  assert.match(quoted.err, /: row \d+: found a line that is not CSV \(a quote left open, or a stray quote inside a cell\); expected a runs\.csv written by cmk-sim sweep$/);
});

test.run();
