// What a sweep's bookkeeping costs per run, against the run itself, in one
// process: appending the row to the progress file (as every sweep does, for
// --resume) and reading it back with every cell checked (merge, --resume).

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseRunsCsv } from '../reports/sweep.ts';
import { loadScenario } from '../scenarios/load.ts';
import { runPairs } from '../sim/sweep/pool.ts';
import { Progress, manifestOf, progressFile } from '../sim/sweep/sweep.ts';

export interface SweepFilesBenchResult {
  runMs: number;
  appendMs: number;
  readBackMs: number;
  /** (append + read back) / run */
  ratio: number;
}

/** `runs` runs of the scenario timed; then `rows` rows (those runs' rows, seeds renumbered) appended and read back. */
export async function benchSweepFiles(scenarioName: string, runs: number, rows: number): Promise<SweepFilesBenchResult> {
  const scenario = loadScenario(scenarioName);
  const started = performance.now();
  const sample = await runPairs([scenario], Array.from({ length: runs }, (_, i) => ({ cell: 0, seed: i })), 1);
  const runMs = (performance.now() - started) / runs;

  const dir = mkdtempSync(join(os.tmpdir(), 'cmk-sim-bench-files-'));
  const manifest = manifestOf(scenario, { runs: rows, firstSeed: 0, shard: null });
  const appendStarted = performance.now();
  const progress = Progress.open(dir, manifest, false);
  for (let seed = 0; seed < rows; seed++) progress.append({ ...sample[seed % runs]!, seed });
  progress.close();
  const appendMs = (performance.now() - appendStarted) / rows;

  const text = readFileSync(progressFile(dir), 'utf8');
  const readStarted = performance.now();
  const read = parseRunsCsv(text.slice(text.indexOf('\n') + 1), progressFile(dir), manifest, { linesBefore: 1, complete: true });
  const readBackMs = (performance.now() - readStarted) / rows;
  rmSync(dir, { recursive: true, force: true });
  if (read.length !== rows) throw new Error(`read back ${read.length} rows of ${rows}`);
  return { runMs, appendMs, readBackMs, ratio: (appendMs + readBackMs) / runMs };
}
