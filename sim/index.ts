// The library's public face: the same engine the CLI runs.

export { loadScenario, parseScenario, listBuiltins, type LoadOptions } from '../scenarios/load.ts';
export { runScenario, type RunOptions, type WorldView } from './world.ts';
export { VERSION } from './package.ts';
export { InputError, type Problem } from './input-error.ts';
export { PARAM_SPECS, PROFILES, PROFILE_DEFAULTS, type Params, type ProfileName } from './azure/profiles.ts';
export type { Scenario, Action, Expectation, FaultProcess, DurationDistribution } from './scenario.ts';
export type { RunResult, Incident, Operation, IngestionTotals, QueryTotals, ExpectationResult, DrawnFault } from './result.ts';
export type { SimEvent } from './observe/events.ts';
export { arbitraries, type Arbitraries, type ScenarioData, type ActionData, type ScenarioOptions } from './arbitraries.ts';
export { explore, type ExploreOptions, type ExploreReport } from './explore.ts';
export { RULES, Checker, type Violation, type InvariantReport } from './observe/checker.ts';
export { readEvent, EVENT_FIELDS } from './observe/events.ts';
export { runSweep, sweepInto, writeSweep, readSweep, mergeSweeps, type Sweep, type SweepOptions } from './sweep/sweep.ts';
export { buildGrid, type Grid } from './sweep/grid.ts';
export { summarize, summarizeCells, exceedance, mainEffects, type SweepSummary, type CellSummary, type MetricSummary, type Probability } from './sweep/summary.ts';
export { METRICS, valueOf, type Metric, type RunRow } from './sweep/metrics.ts';
export { parseShard, type Shard, type SweepManifest, type GridAxis } from './sweep/plan.ts';
