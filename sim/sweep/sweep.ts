// A Monte Carlo sweep: the scenario (or every cell of a grid) run once per
// seed, or a shard's share of those runs; its rows appended to a progress
// file as they finish, so a killed sweep resumes where it stopped; its files
// written at the end; and the merge of shard folders into exactly the files
// of the unsharded sweep.

import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { markOutput, OutputDir } from '../../reports/output-dir.ts';
import { parseRunsCsv, renderRunsCsv, renderSummaryCsv, renderSummaryHtml, renderSummaryMarkdown } from '../../reports/sweep.ts';
import { checkArguments, optionalFunction, scenarioArgument } from '../api-arguments.ts';
import { InputError, readTextInput, type Problem } from '../input-error.ts';
import type { Scenario } from '../scenario.ts';
import { VERSION } from '../package.ts';
import type { Grid } from './grid.ts';
import type { RunRow } from './metrics.ts';
import { firstSeedProblem, pairsOf, parseShard, runsProblem, sweepDigest, validateManifest, type Shard, type SweepManifest } from './plan.ts';
import { runPairs } from './pool.ts';
import type { RsaKeyPool } from '../crypto/index.ts';
import { summarizeCells } from './summary.ts';

export interface SweepOptions {
  /** Runs per cell: seeds firstSeed .. firstSeed + runs - 1. */
  runs: number;
  firstSeed: number;
  shard: Shard | null;
  workers: number;
  /** The cells to run (built by buildGrid); without it the scenario alone. */
  grid?: Grid;
  /** Rows already done, the first of this sweep's runs (a resumed sweep): only the others run. */
  done?: readonly RunRow[];
  /** Each new row, in order; `done` counts the resumed rows too, of `of` in all. */
  onRow?: (row: RunRow, done: number, of: number) => void;
  /** The RSA pairs the runs take (default: rsaKeyPoolFor the cells). */
  rsaKeyPool?: RsaKeyPool;
}

export interface Sweep {
  manifest: SweepManifest;
  /** Cell by cell, seeds in order within a cell. */
  rows: RunRow[];
}

export function manifestOf(scenario: Scenario, options: Pick<SweepOptions, 'runs' | 'firstSeed' | 'shard' | 'grid'>): SweepManifest {
  const axes = options.grid?.axes ?? [];
  return {
    scenario: scenario.name,
    scenarioDigest: sweepDigest(options.grid?.cells ?? [scenario], axes),
    profile: scenario.profile,
    version: VERSION,
    firstSeed: options.firstSeed,
    runs: options.runs,
    shard: options.shard,
    ...(axes.length === 0 ? {} : { grid: axes }),
  };
}

export async function runSweep(scenario: Scenario, options: SweepOptions): Promise<Sweep> {
  checkSweepArguments(scenario, options);
  const manifest = manifestOf(scenario, options);
  const pairs = pairsOf(manifest);
  const rows = [...(options.done ?? [])];
  const resumed = rows.length;
  const cells = options.grid?.cells ?? [scenario];
  const onRow = (row: RunRow, done: number) => {
    rows.push(row);
    options.onRow?.(row, resumed + done, pairs.length);
  };
  await runPairs(cells, pairs.slice(resumed), options.workers, onRow, options.rsaKeyPool);
  return { manifest, rows };
}

/** What runSweep is given, checked as the command line checks --runs, --seed, --shard and --workers. */
function checkSweepArguments(scenario: unknown, options: unknown): void {
  const o = (typeof options === 'object' && options !== null ? options : {}) as Partial<Record<keyof SweepOptions, unknown>>;
  const runs = runsProblem(o.runs, { file: '', path: 'options.runs' });
  const shard = o.shard;
  const grid = o.grid as { cells?: unknown } | undefined;
  checkArguments('runSweep', [
    scenarioArgument(scenario),
    { path: 'options', value: options, ok: typeof options === 'object' && options !== null && !Array.isArray(options), expected: 'an object of options: {runs, firstSeed, shard, workers}' },
    runs,
    runs === undefined ? firstSeedProblem(o.firstSeed, o.runs as number, { file: '', path: 'options.firstSeed' }) : undefined,
    {
      path: 'options.shard',
      value: shard,
      ok: shard === null || (typeof shard === 'object' && parseShard(`${(shard as Shard).index}/${(shard as Shard).count}`) !== undefined),
      expected: 'null (every run), or {index, count}: whole numbers with 0 <= index < count',
    },
    { path: 'options.workers', value: o.workers, ok: Number.isSafeInteger(o.workers) && (o.workers as number) >= 1, expected: 'a whole number of worker processes, 1 or more' },
    { path: 'options.grid', value: grid, ok: grid === undefined || (typeof grid === 'object' && grid !== null && Array.isArray(grid.cells)), expected: 'a Grid, as buildGrid returns it, or nothing' },
    { path: 'options.done', value: o.done, ok: o.done === undefined || Array.isArray(o.done), expected: 'the rows of a sweep to resume, or nothing' },
    optionalFunction(options, 'onRow'),
  ]);
}

export const SWEEP_FILES = ['sweep.json', 'runs.csv', 'summary.csv', 'summary.md', 'summary.html'] as const;

/** Writes the sweep's files into `dir`, replacing an earlier output as a whole (reports/output-dir.ts); returns their names. */
export function writeSweep(dir: string, sweep: Sweep): string[] {
  const output = new OutputDir(dir, { output: 'sweep', version: VERSION });
  try {
    const grid = sweep.manifest.grid ?? [];
    const cells = summarizeCells(sweep.rows, grid);
    output.write('sweep.json', JSON.stringify(sweep.manifest, null, 2) + '\n');
    output.write('runs.csv', renderRunsCsv(sweep.rows, grid));
    output.write('summary.csv', renderSummaryCsv(cells, grid));
    output.write('summary.md', renderSummaryMarkdown(sweep.manifest, cells));
    output.write('summary.html', renderSummaryHtml(sweep.manifest, cells, sweep.rows));
    output.commit();
  } catch (error) {
    throw output.failure(error);
  }
  return output.names;
}

// ---------------------------------------------------------------------------
// Progress and resume

/**
 * Where a sweep in progress keeps its manifest and finished rows: one file
 * in the output folder, next to where the final files will go, so that a
 * killed sweep (and `sweep --resume` after it) finds it there. Its first
 * line is `#` and the manifest as JSON; then runs.csv's header and rows.
 */
export function progressFile(dir: string): string {
  return join(dir, 'runs.partial.csv');
}

/**
 * The end of a sweep: its files written atomically, then its progress file
 * removed. Killed between the two, the folder holds the finished files and
 * a complete progress file; --resume then runs nothing and writes the same
 * bytes again.
 */
export function commitSweep(dir: string, sweep: Sweep): string[] {
  const names = writeSweep(dir, sweep);
  rmSync(progressFile(dir), { force: true });
  return names;
}

/** A progress file is fsync'ed at most this often: a killed process loses no row (each is written at once), a crashed machine the rows since the last sync. */
const SYNC_INTERVAL_MS = 1000;

/** The rows of a sweep appended to its progress file as they finish. */
export class Progress {
  private lastSyncMs = performance.now();
  private fd: number | null;

  private constructor(
    readonly file: string,
    readonly manifest: SweepManifest,
    /** The rows found in the file on resume, in order. */
    readonly done: readonly RunRow[],
    fd: number,
  ) {
    this.fd = fd;
  }

  /**
   * The progress of the sweep `manifest` in `dir`. A new sweep starts a new
   * file, and refuses to replace one left by a killed sweep (--resume
   * continues it). A resumed sweep must be the same sweep (every manifest
   * field equal); its torn last line, written when it was killed, is cut off.
   */
  static open(dir: string, manifest: SweepManifest, resume: boolean): Progress {
    const file = progressFile(dir);
    const found = resume ? readProgress(file) : undefined;
    if (!resume && existsSync(file)) {
      throw new InputError([{ file, path: '', found: 'the progress of an unfinished sweep', expected: 'sweep --resume with the same options to continue it, or the file deleted to start again' }]);
    }
    if (found === undefined) {
      // The folder holds the progress under the marker of a sweep's output: the commit replaces it whole.
      markOutput(dir, { output: 'sweep', version: manifest.version });
      // Written whole, then renamed: a progress file always starts with a complete manifest line.
      const temp = `${file}.tmp-${process.pid}`;
      writeFileSync(temp, `#${JSON.stringify(manifest)}\n${renderRunsCsv([], manifest.grid ?? [])}`);
      const fd = openSync(temp, 'r+');
      fsyncSync(fd);
      closeSync(fd);
      renameSync(temp, file);
      return new Progress(file, manifest, [], openSync(file, 'a'));
    }
    const problems = differences(found.manifest, manifest, file);
    if (problems.length > 0) throw new InputError(problems);
    const fd = openSync(file, 'r+');
    ftruncateSync(fd, found.completeBytes);
    closeSync(fd);
    return new Progress(file, manifest, found.rows, openSync(file, 'a'));
  }

  append(row: RunRow): void {
    if (this.fd === null) throw new Error('progress file already closed');
    writeSync(this.fd, renderRunsCsv([row], this.manifest.grid ?? [], false));
    const nowMs = performance.now();
    if (nowMs - this.lastSyncMs >= SYNC_INTERVAL_MS) {
      fsyncSync(this.fd);
      this.lastSyncMs = nowMs;
    }
  }

  close(): void {
    if (this.fd === null) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = null;
  }
}

/** The manifest and complete rows of a progress file; undefined when there is none or it was killed before its manifest line was whole. */
function readProgress(file: string): { manifest: SweepManifest; rows: RunRow[]; completeBytes: number } | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  // A line is complete once its newline is written; whatever follows the last one is a torn write.
  const completeBytes = bytes.lastIndexOf(0x0a) + 1;
  const text = bytes.subarray(0, completeBytes).toString('utf8');
  const firstLineEnd = text.indexOf('\n');
  if (firstLineEnd < 0) return undefined;
  let data: unknown;
  try {
    if (!text.startsWith('#')) throw new Error('no manifest line');
    data = JSON.parse(text.slice(1, firstLineEnd));
  } catch (error) {
    throw new InputError([{ file, path: 'row 1', found: (error as Error).message, expected: '"#" and the manifest of the sweep in progress, as JSON' }]);
  }
  const manifest = validateManifest(data, file);
  const rest = text.slice(firstLineEnd + 1);
  // No header yet: nothing was done, the sweep starts again.
  if (rest === '') return undefined;
  const rows = parseRunsCsv(rest, file, manifest, { linesBefore: 1, complete: false });
  return { manifest, rows, completeBytes };
}

/** What differs between the sweep in progress and the one asked for, field by field. */
function differences(inProgress: SweepManifest, asked: SweepManifest, file: string): Problem[] {
  const fields: (keyof SweepManifest)[] = ['scenario', 'scenarioDigest', 'profile', 'version', 'firstSeed', 'runs', 'shard', 'grid'];
  const advice = 'resume with the same scenario, --param, --profile, --vary, --seed, --runs and --shard, or delete the file to start again';
  const shown = (value: unknown) => (value === undefined ? 'none' : JSON.stringify(value));
  return fields
    .filter((field) => shown(inProgress[field]) !== shown(asked[field]))
    .map((field) => ({
      file,
      path: field,
      found: `${shown(inProgress[field])} in the sweep in progress`,
      expected: `${shown(asked[field])}, as this command asks${field === 'scenarioDigest' ? ' (the scenario, its parameters or its profile changed)' : ''}: ${advice}`,
    }));
}

/**
 * Runs a sweep into `dir`: rows appended to the progress file as they
 * finish, the files written at the end. With `resume`, a sweep killed
 * earlier continues from its progress file (or starts, if there is none).
 */
export async function sweepInto(dir: string, scenario: Scenario, options: SweepOptions & { resume: boolean }): Promise<{ sweep: Sweep; resumed: number; names: string[] }> {
  const progress = Progress.open(dir, manifestOf(scenario, options), options.resume);
  let sweep: Sweep;
  try {
    sweep = await runSweep(scenario, {
      ...options,
      done: progress.done,
      onRow: (row, done, of) => {
        progress.append(row);
        options.onRow?.(row, done, of);
      },
    });
  } finally {
    progress.close();
  }
  return { sweep, resumed: progress.done.length, names: commitSweep(dir, sweep) };
}

// ---------------------------------------------------------------------------
// Reading back and merging

/** The longest text V8 holds (2^29 - 24 characters): a sweep file past it cannot be read as one. */
const SWEEP_FILE_BYTES_MAX = 2 ** 29 - 24;

/** A file of a sweep folder: a folder, a pipe, a file too large or missing are named as such. */
function readText(file: string): string {
  return readTextInput(file, file, SWEEP_FILE_BYTES_MAX, 'a folder written by cmk-sim sweep (sweep.json and runs.csv)');
}

/** A sweep folder's manifest and rows, each checked on its own, then against each other. */
export function readSweep(dir: string): Sweep {
  const file = join(dir, 'sweep.json');
  let data: unknown;
  try {
    data = JSON.parse(readText(file));
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError([{ file, path: '', found: (error as Error).message, expected: 'the JSON manifest written by cmk-sim sweep' }]);
  }
  const manifest = validateManifest(data, file);
  const runsFile = join(dir, 'runs.csv');
  return { manifest, rows: parseRunsCsv(readText(runsFile), runsFile, manifest, { complete: true }) };
}

/** Shards of one sweep, merged: exactly the unsharded sweep. Every mismatch and gap is reported. */
export function mergeSweeps(dirs: readonly string[]): Sweep {
  checkArguments('mergeSweeps', [{ path: 'dirs', value: dirs, ok: Array.isArray(dirs) && dirs.length > 0 && dirs.every((d) => typeof d === 'string'), expected: 'a list of one or more sweep folders' }]);
  const problems: Problem[] = [];
  const parts = dirs.flatMap((dir) => {
    try {
      return [{ dir, ...readSweep(dir) }];
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push(...error.problems);
      return [];
    }
  });
  if (problems.length > 0) throw new InputError(problems);
  const first = parts[0]!;
  for (const part of parts.slice(1)) {
    for (const field of ['scenarioDigest', 'version', 'firstSeed', 'runs', 'grid'] as const) {
      const [mine, theirs] = [JSON.stringify(part.manifest[field]) ?? 'none', JSON.stringify(first.manifest[field]) ?? 'none'];
      if (mine !== theirs) problems.push({ file: join(part.dir, 'sweep.json'), path: field, found: mine, expected: `${theirs}, as in ${join(first.dir, 'sweep.json')} (shards of one sweep)` });
    }
  }
  const count = first.manifest.shard?.count ?? 1;
  const byIndex = new Map<number, string>();
  for (const part of parts) {
    const shard = part.manifest.shard ?? { index: 0, count: 1 };
    const file = join(part.dir, 'sweep.json');
    if (shard.count !== count) problems.push({ file, path: 'shard.count', found: String(shard.count), expected: `${count}, as the other shards` });
    else if (byIndex.has(shard.index)) problems.push({ file, path: 'shard.index', found: String(shard.index), expected: `a shard not given twice (${byIndex.get(shard.index)} has it)` });
    else byIndex.set(shard.index, part.dir);
  }
  const absent = Array.from({ length: count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (absent.length > 0 && problems.length === 0) {
    problems.push({ file: 'merge', path: '', found: `${parts.length} of ${count} shards`, expected: `every shard: ${absent.map((i) => `${i}/${count}`).join(', ')} missing` });
  }
  if (problems.length > 0) throw new InputError(problems);
  const ordered = [...parts].sort((a, b) => (a.manifest.shard?.index ?? 0) - (b.manifest.shard?.index ?? 0));
  return { manifest: { ...first.manifest, shard: null }, rows: ordered.flatMap((part) => part.rows) };
}
