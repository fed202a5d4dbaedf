// What a sweep (or one shard of it) runs, and the manifest that lets `merge`
// and `sweep --resume` check that folders belong together and cover every
// run once. A sweep runs the same seeds in every cell of its grid (a plain
// sweep is one cell); its runs, in order, are the pairs (cell, seed), cell by
// cell, and a shard takes a contiguous block of them.

import { createHash } from 'node:crypto';
import { PROFILES } from '../azure/profiles.ts';
import { describeFound, InputError, type Problem } from '../input-error.ts';
import type { Scenario } from '../scenario.ts';

/** The most cells a grid may have: each cell's scenario is validated and held by every worker. */
export const MAX_GRID_CELLS = 1000;
/**
 * The most runs (cells x runs per cell) one sweep, all its shards together,
 * may have. Every row is kept in memory, by `sweep` and by `merge` (a row
 * takes about 270 bytes: 269 MB for a million, measured), and runs.csv is
 * made as one string: a million rows made one of about 335 million
 * characters, too near the longest string V8 holds (about 536 million).
 */
export const MAX_SWEEP_RUNS = 500_000;

type Where = Pick<Problem, 'file' | 'path'>;

/** A sweep's run count per cell, 1 to MAX_SWEEP_RUNS, or the problem with it. */
export function runsProblem(runs: unknown, where: Where): Problem | undefined {
  if (Number.isSafeInteger(runs) && (runs as number) >= 1 && (runs as number) <= MAX_SWEEP_RUNS) return undefined;
  return { ...where, found: describeFound(runs), expected: `a whole number of runs from 1 to ${MAX_SWEEP_RUNS.toLocaleString('en-US')} (every row is kept in memory)` };
}

/** A sweep's first seed, such that its last seed is a safe integer too, or the problem with it. */
export function firstSeedProblem(firstSeed: unknown, runs: number, where: Where): Problem | undefined {
  const largest = Number.MAX_SAFE_INTEGER - runs + 1;
  if (Number.isSafeInteger(firstSeed) && (firstSeed as number) >= 0 && (firstSeed as number) <= largest) return undefined;
  return { ...where, found: describeFound(firstSeed), expected: `a whole number from 0 to ${largest}, so that the last of the ${runs} seeds is at most ${Number.MAX_SAFE_INTEGER} (Number.MAX_SAFE_INTEGER)` };
}

export interface Shard {
  /** 0 to count - 1, as Kubernetes' JOB_COMPLETION_INDEX. */
  index: number;
  count: number;
}

/** One varied name of a grid and its values, as written after --vary name=. */
export interface GridAxis {
  name: string;
  values: string[];
}

export interface SweepManifest {
  scenario: string;
  /** SHA-256 of the loaded scenario (of every cell's, for a grid) without its seed and source: shards of one sweep have the same. */
  scenarioDigest: string;
  profile: string;
  version: string;
  /** Every cell runs seeds firstSeed .. firstSeed + runs - 1. */
  firstSeed: number;
  runs: number;
  /** This folder's part, or null for a whole (or merged) sweep. */
  shard: Shard | null;
  /** The varied names, in the order given; absent for a plain sweep. */
  grid?: GridAxis[];
}

/** One run of a sweep. */
export interface Pair {
  cell: number;
  seed: number;
}

/** "i/n" with 0 <= i < n, or undefined. */
export function parseShard(text: string): Shard | undefined {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  if (match === null) return undefined;
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (!Number.isSafeInteger(count) || count < 1 || index >= count) return undefined;
  return { index, count };
}

/** The number of cells: the product of the axes' value counts (1 for no grid). */
export function cellCount(grid: readonly GridAxis[]): number {
  return grid.reduce((cells, axis) => cells * axis.values.length, 1);
}

/** The values of a cell, one per axis; the first axis changes slowest, as in a nested loop in the order given. */
export function cellValues(grid: readonly GridAxis[], cell: number): string[] {
  const values: string[] = [];
  let rest = cell;
  for (let a = grid.length - 1; a >= 0; a--) {
    const axis = grid[a]!;
    values.unshift(axis.values[rest % axis.values.length]!);
    rest = Math.floor(rest / axis.values.length);
  }
  return values;
}

/** The runs of a manifest's folder, in order: its shard's block of the pairs, all cells' pairs without a shard. */
export function pairsOf(manifest: SweepManifest): Pair[] {
  const total = cellCount(manifest.grid ?? []) * manifest.runs;
  const shard = manifest.shard;
  const from = shard === null ? 0 : Math.floor((shard.index * total) / shard.count);
  const to = shard === null ? total : Math.floor(((shard.index + 1) * total) / shard.count);
  return Array.from({ length: to - from }, (_, i) => ({ cell: Math.floor((from + i) / manifest.runs), seed: manifest.firstSeed + ((from + i) % manifest.runs) }));
}

export function scenarioDigest(scenario: Scenario): string {
  const { seed: _seed, source: _source, ...rest } = scenario;
  return 'sha256:' + createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}

/** The digest of a sweep: its scenario's, or for a grid a digest of every cell's, in order. */
export function sweepDigest(cells: readonly Scenario[], grid: readonly GridAxis[]): string {
  if (grid.length === 0) return scenarioDigest(cells[0]!);
  return 'sha256:' + createHash('sha256').update(cells.map(scenarioDigest).join('\n')).digest('hex');
}

// ---------------------------------------------------------------------------
// sweep.json read back: every field checked on its own, every problem named.

const MANIFEST_FIELDS = ['scenario', 'scenarioDigest', 'profile', 'version', 'firstSeed', 'runs', 'shard', 'grid'];
const OPTIONAL_FIELDS = ['grid'];

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isWhole = (value: unknown, min: number): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= min;

/** A parsed sweep.json checked field by field; every problem names `file` and the field path. */
export function validateManifest(data: unknown, file: string): SweepManifest {
  const problems: Problem[] = [];
  const fail = (path: string, value: unknown, expected: string) => problems.push({ file, path, found: describeFound(value), expected });
  if (!isObject(data)) {
    fail('', data, 'an object with the manifest fields written by cmk-sim sweep');
    throw new InputError(problems);
  }
  for (const key of Object.keys(data)) if (!MANIFEST_FIELDS.includes(key)) fail(key, data[key], `no such field (the fields are ${MANIFEST_FIELDS.join(', ')})`);
  for (const key of MANIFEST_FIELDS) if (!(key in data) && !OPTIONAL_FIELDS.includes(key)) fail(key, undefined, 'a field written by cmk-sim sweep');
  const { scenario, scenarioDigest, profile, version, firstSeed, runs, shard, grid } = data;
  if ('scenario' in data && !(typeof scenario === 'string' && /^[a-z0-9-]+$/.test(scenario))) fail('scenario', scenario, 'a scenario name of lowercase letters, digits and hyphens');
  if ('scenarioDigest' in data && !(typeof scenarioDigest === 'string' && /^sha256:[0-9a-f]{64}$/.test(scenarioDigest))) fail('scenarioDigest', scenarioDigest, '"sha256:" and 64 hexadecimal digits');
  if ('profile' in data && !(PROFILES as readonly unknown[]).includes(profile)) fail('profile', profile, `one of ${PROFILES.join(', ')}`);
  if ('version' in data && !(typeof version === 'string' && version !== '')) fail('version', version, 'the cmk-sim version, as text');
  // Before any row is read: a manifest may claim any number of runs, and the seeds must stay safe integers.
  const runsTrouble = 'runs' in data ? runsProblem(runs, { file, path: 'runs' }) : undefined;
  if (runsTrouble !== undefined) problems.push(runsTrouble);
  if ('firstSeed' in data) {
    const seeds = runsTrouble === undefined ? firstSeedProblem(firstSeed, runs as number, { file, path: 'firstSeed' }) : isWhole(firstSeed, 0) ? undefined : { file, path: 'firstSeed', found: JSON.stringify(firstSeed) ?? String(firstSeed), expected: 'a whole number, 0 or more' };
    if (seeds !== undefined) problems.push(seeds);
  }
  if ('shard' in data && shard !== null) {
    if (!isObject(shard) || Object.keys(shard).length !== 2 || !('index' in shard) || !('count' in shard)) fail('shard', shard, 'null, or {"index": i, "count": n}');
    else if (!isWhole(shard.count, 1)) fail('shard.count', shard.count, 'a whole number of shards, 1 or more');
    else if (!isWhole(shard.index, 0) || shard.index >= shard.count) fail('shard.index', shard.index, `a whole number from 0 to ${shard.count - 1} (shard.count - 1)`);
  }
  if ('grid' in data) validateGrid(grid, fail);
  if (problems.length === 0) {
    const cells = cellCount((grid ?? []) as GridAxis[]);
    if (cells > MAX_GRID_CELLS) problems.push({ file, path: 'grid', found: `${cells} cells`, expected: `at most ${MAX_GRID_CELLS} cells` });
    else if (cells * (runs as number) > MAX_SWEEP_RUNS) fail('runs', runs, `at most ${MAX_SWEEP_RUNS} runs in all (cells x runs; the grid has ${cells} cells)`);
  }
  if (problems.length > 0) throw new InputError(problems);
  // Rebuilt in the order sweep writes the fields, so the files written from it do not depend on the order read.
  const axes = grid as GridAxis[] | undefined;
  const part = shard as Shard | null;
  return {
    scenario: scenario as string,
    scenarioDigest: scenarioDigest as string,
    profile: profile as string,
    version: version as string,
    firstSeed: firstSeed as number,
    runs: runs as number,
    shard: part === null ? null : { index: part.index, count: part.count },
    ...(axes === undefined ? {} : { grid: axes.map((axis) => ({ name: axis.name, values: [...axis.values] })) }),
  };
}

function validateGrid(grid: unknown, fail: (path: string, value: unknown, expected: string) => void): void {
  if (!Array.isArray(grid) || grid.length === 0) return void fail('grid', grid, 'a list of varied names with their values (or no grid field)');
  const names = new Set<string>();
  grid.forEach((axis: unknown, a) => {
    const path = `grid[${a}]`;
    if (!isObject(axis) || Object.keys(axis).length !== 2 || !('name' in axis) || !('values' in axis)) return void fail(path, axis, '{"name": ..., "values": [...]}');
    if (typeof axis.name !== 'string' || axis.name === '') fail(`${path}.name`, axis.name, 'a varied name, as text');
    else if (names.has(axis.name)) fail(`${path}.name`, axis.name, 'a name not varied twice');
    else names.add(axis.name);
    const values = axis.values;
    if (!Array.isArray(values) || values.length === 0 || values.some((v) => typeof v !== 'string')) fail(`${path}.values`, values, 'a list of one or more values, as text');
    else if (new Set(values).size !== values.length) fail(`${path}.values`, values, 'each value once');
  });
}
