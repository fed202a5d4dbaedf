// A Monte Carlo sweep: the scenario run once per seed (or a shard's share of
// the seeds), its rows and summary written as files; and the merge of shard
// folders into exactly the files of the unsharded sweep.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OutputDir } from '../../reports/output-dir.ts';
import { parseRunsCsv, renderRunsCsv, renderSummaryCsv, renderSummaryHtml, renderSummaryMarkdown } from '../../reports/sweep.ts';
import { InputError, type Problem } from '../input-error.ts';
import type { Scenario } from '../scenario.ts';
import { VERSION } from '../world.ts';
import type { RunRow } from './metrics.ts';
import { firstSeedProblem, runsProblem, scenarioDigest, seedsOf, type Shard, type SweepManifest } from './plan.ts';
import { runSeeds } from './pool.ts';
import { summarize } from './summary.ts';

export interface SweepOptions {
  runs: number;
  firstSeed: number;
  shard: Shard | null;
  workers: number;
  onDone?: (done: number, of: number) => void;
}

export interface Sweep {
  manifest: SweepManifest;
  rows: RunRow[];
}

export async function runSweep(scenario: Scenario, options: SweepOptions): Promise<Sweep> {
  const seeds = seedsOf(options.firstSeed, options.runs, options.shard);
  const rows = await runSeeds(scenario, seeds, options.workers, (done) => options.onDone?.(done, seeds.length));
  const manifest: SweepManifest = {
    scenario: scenario.name,
    scenarioDigest: scenarioDigest(scenario),
    profile: scenario.profile,
    version: VERSION,
    firstSeed: options.firstSeed,
    runs: options.runs,
    shard: options.shard,
  };
  return { manifest, rows };
}

export const SWEEP_FILES = ['sweep.json', 'runs.csv', 'summary.csv', 'summary.md', 'summary.html'] as const;

/** Writes the sweep's files into `dir`, replacing an earlier output as a whole (reports/output-dir.ts); returns their names. */
export function writeSweep(dir: string, sweep: Sweep): string[] {
  const output = new OutputDir(dir, { output: 'sweep', version: VERSION });
  try {
    const summary = summarize(sweep.rows);
    output.write('sweep.json', JSON.stringify(sweep.manifest, null, 2) + '\n');
    output.write('runs.csv', renderRunsCsv(sweep.rows));
    output.write('summary.csv', renderSummaryCsv(summary));
    output.write('summary.md', renderSummaryMarkdown(sweep.manifest, summary));
    output.write('summary.html', renderSummaryHtml(sweep.manifest, summary, sweep.rows));
    output.commit();
  } catch (error) {
    throw output.failure(error);
  }
  return output.names;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new InputError([{ file, path: '', found: 'no such file', expected: 'a folder written by cmk-sim sweep (sweep.json and runs.csv)' }]);
  }
}

const MANIFEST_FIELDS: readonly (keyof SweepManifest)[] = ['scenario', 'scenarioDigest', 'profile', 'version', 'firstSeed', 'runs', 'shard'];

/** A sweep folder's manifest and rows, checked against each other. */
export function readSweep(dir: string): Sweep {
  const file = join(dir, 'sweep.json');
  let manifest: SweepManifest;
  try {
    manifest = JSON.parse(readText(file)) as SweepManifest;
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError([{ file, path: '', found: (error as Error).message, expected: 'the JSON manifest written by cmk-sim sweep' }]);
  }
  const missing = MANIFEST_FIELDS.filter((f) => typeof manifest !== 'object' || manifest === null || !(f in manifest));
  if (missing.length > 0) throw new InputError([{ file, path: missing.join(', '), found: 'nothing', expected: 'the manifest fields written by cmk-sim sweep' }]);
  // Before the seeds and rows are listed in memory: a manifest may claim any number of runs.
  const size = runsProblem(manifest.runs, { file, path: 'runs' }) ?? firstSeedProblem(manifest.firstSeed, manifest.runs, { file, path: 'firstSeed' });
  if (size !== undefined) throw new InputError([size]);
  const rows = parseRunsCsv(readText(join(dir, 'runs.csv')), join(dir, 'runs.csv'));
  const seeds = seedsOf(manifest.firstSeed, manifest.runs, manifest.shard);
  if (rows.length !== seeds.length || rows.some((row, i) => row.seed !== seeds[i])) {
    throw new InputError([{ file: join(dir, 'runs.csv'), path: 'seed', found: `${rows.length} rows`, expected: `one row for each of seeds ${seeds[0]} to ${seeds.at(-1)}, in order, as sweep.json says` }]);
  }
  return { manifest, rows };
}

/** Shards of one sweep, merged: exactly the unsharded sweep. Every mismatch and gap is reported. */
export function mergeSweeps(dirs: readonly string[]): Sweep {
  const parts = dirs.map((dir) => ({ dir, ...readSweep(dir) }));
  const first = parts[0]!;
  const problems: Problem[] = [];
  for (const part of parts.slice(1)) {
    for (const field of ['scenarioDigest', 'version', 'firstSeed', 'runs'] as const) {
      if (part.manifest[field] !== first.manifest[field]) {
        problems.push({ file: join(part.dir, 'sweep.json'), path: field, found: String(part.manifest[field]), expected: `${first.manifest[field]}, as in ${join(first.dir, 'sweep.json')} (shards of one sweep)` });
      }
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
