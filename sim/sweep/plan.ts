// Which seeds a sweep (or one shard of it) runs, and the manifest that lets
// `merge` check that shards belong together and cover every run once.

import { createHash } from 'node:crypto';
import type { Problem } from '../input-error.ts';
import type { Scenario } from '../scenario.ts';

/**
 * The most runs a sweep (all its shards together) may have. Every row is
 * kept in memory, by `sweep` and by `merge`, and runs.csv is made as one
 * string: 100,000 rows take about 110 MB of heap and make a runs.csv of
 * about 35 MB. A million took 1.1 GB for the rows and 2.4 GB in all, and its
 * runs.csv came near the longest string V8 can hold.
 */
export const MAX_RUNS = 100_000;

type Where = Pick<Problem, 'file' | 'path'>;

/** A sweep's run count, 1 to MAX_RUNS, or the problem with it. */
export function runsProblem(runs: unknown, where: Where): Problem | undefined {
  if (Number.isSafeInteger(runs) && (runs as number) >= 1 && (runs as number) <= MAX_RUNS) return undefined;
  return { ...where, found: JSON.stringify(runs) ?? String(runs), expected: `a whole number of runs from 1 to ${MAX_RUNS.toLocaleString('en-US')} (every row is kept in memory)` };
}

/** A sweep's first seed, such that its last seed is a safe integer too, or the problem with it. */
export function firstSeedProblem(firstSeed: unknown, runs: number, where: Where): Problem | undefined {
  const largest = Number.MAX_SAFE_INTEGER - runs + 1;
  if (Number.isSafeInteger(firstSeed) && (firstSeed as number) >= 0 && (firstSeed as number) <= largest) return undefined;
  return { ...where, found: JSON.stringify(firstSeed) ?? String(firstSeed), expected: `a whole number from 0 to ${largest}, so that the last of the ${runs} seeds is at most ${Number.MAX_SAFE_INTEGER} (Number.MAX_SAFE_INTEGER)` };
}

export interface Shard {
  /** 0 to count - 1, as Kubernetes' JOB_COMPLETION_INDEX. */
  index: number;
  count: number;
}

export interface SweepManifest {
  scenario: string;
  /** SHA-256 of the loaded scenario without its seed and source: shards of one sweep have the same. */
  scenarioDigest: string;
  profile: string;
  version: string;
  /** The sweep runs seeds firstSeed .. firstSeed + runs - 1. */
  firstSeed: number;
  runs: number;
  /** This folder's part, or null for a whole (or merged) sweep. */
  shard: Shard | null;
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

/** The seeds of a shard: a contiguous block, the blocks of all shards covering the sweep once. */
export function seedsOf(firstSeed: number, runs: number, shard: Shard | null): number[] {
  const from = shard === null ? 0 : Math.floor((shard.index * runs) / shard.count);
  const to = shard === null ? runs : Math.floor(((shard.index + 1) * runs) / shard.count);
  return Array.from({ length: to - from }, (_, i) => firstSeed + from + i);
}

export function scenarioDigest(scenario: Scenario): string {
  const { seed: _seed, source: _source, ...rest } = scenario;
  return 'sha256:' + createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}
