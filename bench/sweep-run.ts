// A sweep's run against its crypto floor, for bench/run.ts, in a process of
// its own so that it can be started with a sweep worker's V8 flags (or
// without them): `rounds` rounds of `seeds` seeds of the scenario, each round
// the runs and the replay of their counted crypto operations taking turns
// (bench/crypto-floor.ts). With `kernel`, the same for the kernel of those
// runs instead (bench/kernel.ts): their blocks' payloads, seals,
// fingerprints and opens alone. Prints one JSON line (AgainstFloor).
//
//   node [V8 flags] --import tsx bench/sweep-run.ts <built-in name | path> <seeds> <rounds> [kernel]

import { loadScenario } from '../scenarios/load.ts';
import { withCryptoTally } from '../sim/crypto/tally.ts';
import { rsaKeyPoolFor, runPair } from '../sim/sweep/pool.ts';
import { againstFloor } from './crypto-floor.ts';
import { kernel, kernelShapeOf } from './kernel.ts';

const [nameOrPath, seedsText, roundsText, mode] = process.argv.slice(2);
if (nameOrPath === undefined || seedsText === undefined || roundsText === undefined || (mode !== undefined && mode !== 'kernel')) {
  console.error('usage: node [V8 flags] --import tsx bench/sweep-run.ts <built-in name | path> <seeds> <rounds> [kernel]');
  process.exit(2);
}
const cells = [loadScenario(nameOrPath)];
const pool = rsaKeyPoolFor(cells);
const seeds = Array.from({ length: Number(seedsText) }, (_, seed) => ({ cell: 0, seed }));
const runs = () => seeds.forEach((pair) => runPair(cells, pair, pool));
const kernelOfRuns = () => {
  const once = kernel(kernelShapeOf(withCryptoTally(runs).ops, seeds.length), cells[0]!.params.blockPayloadBytes);
  return () => seeds.forEach(once);
};
const work = mode === 'kernel' ? kernelOfRuns() : runs;
console.log(JSON.stringify(againstFloor(work, Number(roundsText), pool)));
