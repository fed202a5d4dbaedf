// A sweep's run against its crypto floor, for bench/run.ts, in a process of
// its own so that it can be started with a sweep worker's V8 flags (or
// without them): `rounds` rounds of `seeds` seeds of the scenario, each round
// the runs and the replay of their counted crypto operations taking turns
// (bench/crypto-floor.ts). Prints one JSON line (AgainstFloor).
//
//   node [V8 flags] --import tsx bench/sweep-run.ts <built-in name | path> <seeds> <rounds>

import { loadScenario } from '../scenarios/load.ts';
import { rsaKeyPoolFor, runPair } from '../sim/sweep/pool.ts';
import { againstFloor } from './crypto-floor.ts';

const [nameOrPath, seedsText, roundsText] = process.argv.slice(2);
if (nameOrPath === undefined || seedsText === undefined || roundsText === undefined) {
  console.error('usage: node [V8 flags] --import tsx bench/sweep-run.ts <built-in name | path> <seeds> <rounds>');
  process.exit(2);
}
const cells = [loadScenario(nameOrPath)];
const pool = rsaKeyPoolFor(cells);
const seeds = Array.from({ length: Number(seedsText) }, (_, seed) => ({ cell: 0, seed }));
console.log(JSON.stringify(againstFloor(() => seeds.forEach((pair) => runPair(cells, pair, pool)), Number(roundsText), pool)));
