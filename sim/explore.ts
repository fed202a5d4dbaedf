// explore: generate scenarios, run them, check the documented rules; a
// failure is shrunk by fast-check to a small scenario and written out as a
// file that `cmk-sim run` replays.

import type * as FastCheck from 'fast-check';
import { stringify } from 'yaml';
import { parseScenario } from '../scenarios/load.ts';
import { arbitraries, type ScenarioData, type ScenarioOptions } from './arbitraries.ts';
import { RULES, type RuleNumber, type Violation } from './observe/checker.ts';
import { STATE_CHANGES } from './azure/transitions.ts';
import type { RunResult } from './result.ts';
import { runScenario } from './world.ts';

type Fc = typeof FastCheck;

/** One run in this many is run twice and compared: rule 12, determinism. */
const DETERMINISM_EVERY = 25;

export interface ExploreOptions extends ScenarioOptions {
  runs: number;
  seed: number;
  /** fast-check's replay path of an earlier failure, to go straight to it. */
  path?: string;
  onProgress?: (done: number) => void;
}

export interface ExploreFailure {
  violations: Violation[];
  scenario: ScenarioData;
  /** The minimal scenario as a YAML file, ready for `cmk-sim run`. */
  yaml: string;
  seed: number;
  path: string;
  runsBeforeFailure: number;
  shrinks: number;
}

/** How much of the model the generated scenarios reached: per rule, the runs that triggered it; per state change, the runs that took it. */
export interface ExploreCoverage {
  runs: number;
  rules: { rule: RuleNumber; name: string; runs: number }[];
  transitions: { transition: string; runs: number }[];
}

export interface ExploreReport {
  runs: number;
  seed: number;
  failure: ExploreFailure | null;
  coverage: ExploreCoverage;
}



export function explore(fc: Fc, options: ExploreOptions): ExploreReport {
  const { scenario } = arbitraries(fc);
  let done = 0;
  const coverage = new CoverageCount();
  const property = fc.property(scenario(options), (data) => {
    done++;
    options.onProgress?.(done);
    const result = runData(data);
    coverage.add(result);
    if (result.invariants.violations.length > 0) return false;
    if (done % DETERMINISM_EVERY === 0 && JSON.stringify(runData(data)) !== JSON.stringify(result)) {
      throw new Error('rule 12 (determinism): the same scenario and seed gave a different result');
    }
    return true;
  });
  const details = fc.check(property, { seed: options.seed, numRuns: options.runs, ...(options.path === undefined ? {} : { path: options.path }) });
  if (!details.failed || details.counterexample === null) return { runs: details.numRuns, seed: options.seed, failure: null, coverage: coverage.report() };
  const [minimal] = details.counterexample;
  const found = runData(minimal).invariants.violations;
  const violations: Violation[] =
    found.length > 0 ? found : [{ rule: 12, name: 'determinism', atMs: 0, entity: '', message: 'the same scenario and seed gave a different result when run again', events: [] }];
  return {
    runs: details.numRuns,
    seed: options.seed,
    failure: {
      violations,
      scenario: minimal,
      yaml: toYaml(minimal, violations, options.seed, details.counterexamplePath ?? ''),
      seed: options.seed,
      path: details.counterexamplePath ?? '',
      runsBeforeFailure: details.numRuns,
      shrinks: details.numShrinks,
    },
    coverage: coverage.report(),
  };
}

class CoverageCount {
  private runs = 0;
  private readonly rules = new Map<RuleNumber, number>();
  private readonly transitions = new Map<string, number>(STATE_CHANGES.map((t) => [t, 0]));

  add(result: RunResult): void {
    this.runs++;
    for (const r of result.invariants.rules) if (r.triggered > 0) this.rules.set(r.rule, (this.rules.get(r.rule) ?? 0) + 1);
    for (const transition of Object.keys(result.invariants.transitions)) this.transitions.set(transition, (this.transitions.get(transition) ?? 0) + 1);
  }

  report(): ExploreCoverage {
    return {
      runs: this.runs,
      rules: RULES.filter((r) => r.events.length > 0).map((r) => ({ rule: r.rule, name: r.name, runs: this.rules.get(r.rule) ?? 0 })),
      transitions: [...this.transitions].map(([transition, runs]) => ({ transition, runs })),
    };
  }
}

function runData(data: ScenarioData): RunResult {
  return runScenario(parseScenario(JSON.stringify(data), 'explore', 'json'));
}

function toYaml(data: ScenarioData, violations: readonly Violation[], seed: number, path: string): string {
  const why = violations.map((v) => `#   rule ${v.rule} (${v.name}): ${v.message}`).join('\n');
  const header = `# Found by cmk-sim explore --seed ${seed} (fast-check path ${path}), shrunk to this minimal case.\n# Broken:\n${why}\n`;
  return header + stringify({ ...data, name: 'explore-counterexample', description: `Minimal scenario breaking rule ${violations.map((v) => v.rule).join(', ')}, found by cmk-sim explore.` });
}
