// `run`: the simulation, its streamed files (timeline.jsonl and .csv,
// trace.json, written as it goes) and the reports made at the end (sla.json,
// sla.md, sla.csv, report.html, returned as text for the output folder to
// write). It runs in a worker thread: a run is one long synchronous task,
// and a signal handler only runs between tasks, so the main thread stays
// free to answer SIGINT and SIGTERM by removing the unfinished output.

import { Worker } from 'node:worker_threads';
import { renderSlaCsv } from '../reports/sla-csv.ts';
import { renderSlaMarkdown } from '../reports/sla-md.ts';
import { ReportCollector } from '../reports/report-html.ts';
import { InputError, type Problem } from './input-error.ts';
import { TimelineWriter } from './observe/timeline.ts';
import { TraceWriter } from './observe/trace.ts';
import type { RunResult } from './result.ts';
import type { Scenario } from './scenario.ts';
import { runScenario } from './world.ts';

export const STREAMED_FILES = ['timeline.jsonl', 'timeline.csv', 'trace.json'] as const;
export type StreamedPaths = Record<(typeof STREAMED_FILES)[number], string>;

export interface RunOutcome {
  result: RunResult;
  /** The reports, by file name, in the order they are written. */
  reports: [name: string, content: string][];
}

/** Runs the scenario, streaming the timeline and trace to these paths. */
export function simulate(scenario: Scenario, paths: StreamedPaths): RunOutcome {
  const timeline = new TimelineWriter({ jsonl: paths['timeline.jsonl'], csv: paths['timeline.csv'] }, scenario.startIso);
  const trace = new TraceWriter(paths['trace.json'], scenario.name);
  const report = new ReportCollector(scenario);
  let result: RunResult;
  try {
    result = runScenario(scenario, {
      onEvent: (event) => {
        timeline.write(event);
        trace.event(event);
        report.event(event);
      },
      onSlice: (nowMs, records) => {
        trace.count(nowMs, { 'records in the MMK buffer': records.buffered, 'records lost': records.lost });
        report.slice(nowMs, records);
      },
      onRates: (nowMs, rates) => report.rates(nowMs, rates),
    });
  } finally {
    timeline.close();
    trace.close(scenario.durationMs);
  }
  return {
    result,
    reports: [
      ['sla.json', JSON.stringify(result, null, 2) + '\n'],
      ['sla.md', renderSlaMarkdown(result)],
      ['sla.csv', renderSlaCsv(result)],
      ['report.html', report.render(result)],
    ],
  };
}

/** What a worker sends back: the result, or the error as plain data (an Error loses its code and path on the way). */
export type RunAnswer = { outcome: RunOutcome } | { error: { message: string; stack?: string; code?: string; path?: string; problems?: readonly Problem[] } };

/** simulate in a worker thread; its error is thrown here as it was thrown there. */
export function simulateInThread(scenario: Scenario, paths: StreamedPaths): Promise<RunOutcome> {
  const worker = new Worker(new URL('./thread-entry.mjs', import.meta.url), { workerData: { module: new URL('./run-worker.ts', import.meta.url).href, scenario, paths } });
  return new Promise<RunOutcome>((resolve, reject) => {
    worker.once('message', (answer: RunAnswer) => {
      if ('outcome' in answer) return resolve(answer.outcome);
      const { problems, ...error } = answer.error;
      reject(problems === undefined ? Object.assign(new Error(error.message), error) : new InputError(problems));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the run's worker thread stopped (exit code ${code}) without an answer`)));
  });
}
