// Which seeds a sweep (or one shard of it) runs, and the manifest that lets
// `merge` check that shards belong together and cover every run once.

import { createHash } from 'node:crypto';
import type { Scenario } from '../scenario.ts';

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
