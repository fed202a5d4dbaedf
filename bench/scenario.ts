// One scenario, run once in this process, for bench/run.ts: the wall time of
// load+run, the simulator events, the records offered, the storage blocks
// sealed, and the peak resident memory of this process, printed as one JSON
// line. The timeline is discarded (no onEvent listener). Run it in a process
// of its own so the peak memory is this scenario's alone:
//
//   node --import tsx bench/scenario.ts <built-in name | path>

import { loadScenario } from '../scenarios/load.ts';
import { runScenario } from '../sim/world.ts';

export interface ScenarioBenchResult {
  scenario: string;
  /** load + run, milliseconds */
  wallMs: number;
  /** simulator events processed */
  events: number;
  offeredRecords: number;
  /** summed over the storage accounts; null when the result has none */
  blocksSealed: number | null;
  /** process.resourceUsage().maxRSS after the run, KiB */
  maxRssKiB: number;
}

const nameOrPath = process.argv[2];
if (nameOrPath === undefined) {
  console.error('usage: node --import tsx bench/scenario.ts <built-in name | path>');
  process.exit(2);
}

const startedMs = performance.now();
const result = runScenario(loadScenario(nameOrPath));
const wallMs = performance.now() - startedMs;
const maxRssKiB = process.resourceUsage().maxRSS;

const accounts = Object.values(result.storageAccounts ?? {});
const sealed = accounts.map((account) => account.blocksSealed).filter((n): n is number => typeof n === 'number');

const line: ScenarioBenchResult = {
  scenario: nameOrPath,
  wallMs,
  events: result.events,
  offeredRecords: result.totals.ingestion.offeredRecords,
  blocksSealed: sealed.length === 0 ? null : sealed.reduce((a, b) => a + b, 0),
  maxRssKiB,
};
console.log(JSON.stringify(line));
