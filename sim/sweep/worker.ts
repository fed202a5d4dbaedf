// One sweep worker process (pool.ts starts it): takes the cells and its RSA
// pool's pairs, then runs the pairs (cell, seed) it is sent, one at a time,
// and answers each with its row (or the error that stopped the run).
// It answers no signal: the sweep decides when it stops, and kills it then;
// it ends by itself when the sweep's process is gone (its channel closes).

import { RsaKeyPool } from '../crypto/index.ts';
import type { Scenario } from '../scenario.ts';
import { runPair, type FromWorker, type ToWorker } from './pool.ts';

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => {});
process.on('disconnect', () => process.exit(0));

let cells: readonly Scenario[] = [];
let pool = new RsaKeyPool();
// After the sweep's process is gone, a row has nowhere to go: the send fails (EPIPE), and the worker ends quietly.
const answer = (message: FromWorker) => {
  if (!process.connected) process.exit(0);
  process.send!(message, undefined, undefined, (error) => {
    if (error !== null) process.exit(0);
  });
};

process.on('message', (message: ToWorker) => {
  if (message.kind === 'start') {
    cells = message.cells;
    pool = RsaKeyPool.fromDer(message.rsaPool);
    return;
  }
  try {
    answer({ index: message.index, row: runPair(cells, message.pair, pool) });
  } catch (error) {
    answer({ index: message.index, error: error instanceof Error ? error.message : String(error) });
  }
});
