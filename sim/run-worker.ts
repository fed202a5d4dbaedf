// The worker thread of `run` (see run-files.ts): runs the scenario it is
// given, streams its files, and answers with the outcome or the error.

import { parentPort, workerData } from 'node:worker_threads';
import { InputError } from './input-error.ts';
import { simulate, type RunAnswer, type StreamedPaths } from './run-files.ts';
import type { Scenario } from './scenario.ts';

const { scenario, paths } = workerData as { scenario: Scenario; paths: StreamedPaths };
let answer: RunAnswer;
try {
  answer = { outcome: simulate(scenario, paths) };
} catch (error) {
  const e = error instanceof Error ? (error as NodeJS.ErrnoException) : undefined;
  answer = {
    error: {
      message: e?.message ?? String(error),
      ...(e?.stack === undefined ? {} : { stack: e.stack }),
      ...(typeof e?.code === 'string' ? { code: e.code } : {}),
      ...(typeof e?.path === 'string' ? { path: e.path } : {}),
      ...(error instanceof InputError ? { problems: error.problems } : {}),
    },
  };
}
parentPort!.postMessage(answer);
