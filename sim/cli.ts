#!/usr/bin/env node
// The command line (yargs). Exit status: 0 done and every expectation held;
// 1 an expectation or invariant failed; 2 bad input or usage; 3 internal error;
// 129 / 130 / 143 stopped by SIGHUP / SIGINT / SIGTERM (reports/output-dir.ts);
// 128 + n a sweep whose worker process was killed by signal n (137: SIGKILL).

import { readFileSync, realpathSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { availableParallelism, constants as osConstants } from 'node:os';
import { fileURLToPath } from 'node:url';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import type { BuiltinScenario, LoadOptions } from '../scenarios/load.ts';
import { InputError, formatProblems, terminalSafe, type Problem } from './input-error.ts';
import { SEED_EXPECTED } from './limits.ts';
import { VERSION } from './package.ts';
import { exitCleanlyOnSignals } from '../reports/output-dir.ts';
import type { Scenario } from './scenario.ts';
import type { Grid } from './sweep/grid.ts';
import type { RunResult } from './result.ts';
import type { WorkBudget } from './work.ts';

// Each command imports the modules it needs when it runs, so `--version`, `--help` and `list`
// start without loading the simulator.

export const EXIT = { ok: 0, expectationFailed: 1, badInput: 2, internal: 3 } as const;
export const DEFAULT_SCENARIO = 'kv-outage-45m';

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

const processIo: Io = { out: (t) => process.stdout.write(t + '\n'), err: (t) => process.stderr.write(t + '\n') };

class UsageError extends Error {}

/** --max-cpu and --max-memory: the work budget of one run (sim/work.ts). */
interface BudgetArgs {
  maxCpu?: string;
  maxMemory?: string;
}

interface RunArgs extends BudgetArgs {
  scenario: string;
  seed?: string;
  out?: string;
  profile?: string;
  param?: string[];
  slo?: string;
}

/** Runs the CLI on these arguments and returns the exit status; never calls process.exit. */
export async function main(args: readonly string[], given: Io = processIo): Promise<number> {
  // Every line printed names files and values the user gave: none may carry a terminal escape.
  const io: Io = { out: (t) => given.out(terminalSafe(t)), err: (t) => given.err(terminalSafe(t)) };
  let status: number = EXIT.ok;
  const parser = yargs()
    .scriptName('cmk-sim')
    .usage('$0 <command> [options]\n\nWhat happens to Log Analytics data under customer-managed keys when Key Vault or the key misbehaves.\nWith no command: run ' + DEFAULT_SCENARIO + '.')
    .command(
      'run <scenario>',
      'run one scenario (a YAML/JSON file or a built-in name) and write timeline.jsonl, timeline.csv, trace.json, sla.json, sla.md, sla.csv, series.csv and report.html',
      (y) =>
        scenarioOptions(y, { seed: "random seed (default: the scenario's seed)", out: 'output folder (default out/<name>-seed<N>)' })
          .option('json', { type: 'boolean', default: false, describe: 'print the summary as one JSON object on stdout (the text summary goes to stderr)' })
          .option('junit', { type: 'string', nargs: 1, describe: 'also write JUnit XML to this file: a test case per expectation and per documented rule' })
          .example('$0 run kv-outage-45m --seed 3', 'the built-in 45-minute outage with seed 3')
          .example('$0 run my.yaml --param delayMode=worst --out out/worst', 'a scenario file at the documented bounds')
          .example('$0 run my.yaml --json --junit out/junit.xml', 'in CI: the figures as JSON, the verdicts as JUnit'),
      async (argv) => {
        status = await runCommand(argv as unknown as RunCommandArgs, io);
      },
    )
    .command(
      'validate <scenario..>',
      'check scenario files against the schema and the model without running them; print every problem',
      (y) => budgetOptions(y.positional('scenario', { type: 'string', array: true, demandOption: true })),
      async (argv) => {
        status = await validateCommand(argv.scenario as string[], argv as BudgetArgs, io);
      },
    )
    .command(
      'explore',
      'generate scenarios (fast-check), run them and check the documented rules; a failure is shrunk and written as a scenario file that run replays',
      (y) =>
        y
          .option('runs', { type: 'string', nargs: 1, default: 100, coerce: wholeNumberOrText, describe: `how many scenarios to generate (at most ${MAX_EXPLORE_RUNS.toLocaleString('en-US')})` })
          .option('seed', { type: 'string', nargs: 1, default: '1', describe: 'fast-check seed (printed on failure, to replay)' })
          .option('path', { type: 'string', nargs: 1, describe: "fast-check replay path of an earlier failure (with its --seed), numbers separated by ':'" })
          .option('out', { type: 'string', nargs: 1, describe: 'where a counterexample is written (default out/explore-seed<S>)' })
          .option('profile', { type: 'string', nargs: 1, describe: 'explore one documentation version only (see list --profiles; latest: the newest)' })
          .option('param', { type: 'string', array: true, describe: 'fix a parameter in every scenario, name=value, e.g. brokenRule=lateRevocation' })
          .option('max-cpu', { type: 'string', nargs: 1, describe: 'the work budget of the largest generated scenario: estimated CPU time (default 5m)' })
          .option('max-memory', { type: 'string', nargs: 1, describe: 'the work budget of the largest generated scenario: estimated memory (default 8GiB)' })
          .example('$0 explore --runs 500', 'check the model on 500 generated scenarios')
          .example('$0 explore --param brokenRule=lateRevocation', 'see a deliberately broken rule found and shrunk'),
      async (argv) => {
        status = await exploreCommand(argv as unknown as ExploreArgs, io);
      },
    )
    .command(
      'sweep <scenario>',
      'Monte Carlo: run the scenario once per seed (seeds S to S+N-1, or a shard of them), in every cell of a --vary grid, and write runs.csv, summary.csv, summary.md, summary.html and sweep.json',
      (y) =>
        scenarioOptions(y, { seed: "first seed (default: the scenario's seed)", out: 'output folder (default out/<name>-sweep-seed<S>-runs<N>, -grid<cells> for a grid, with -shard<i>of<n>)' })
          .option('runs', { type: 'string', nargs: 1, default: 100, coerce: wholeNumberOrText, describe: 'how many seeds (per cell of a grid); at most 500,000 runs in all' })
          .option('workers', { type: 'string', nargs: 1, default: availableParallelism(), coerce: wholeNumberOrText, describe: 'worker processes (default and most: the number of cores); the results do not depend on it' })
          .option('shard', { type: 'string', nargs: 1, describe: 'run only shard i of n (i from 0 to n-1, as a Kubernetes JOB_COMPLETION_INDEX); merge the shard folders with cmk-sim merge' })
          .option('vary', { type: 'string', array: true, describe: 'a what-if grid: name=v1,v2,... (repeatable) with a parameter or a field of an action or a fault, e.g. actions[0].for=30m,1h; every combination runs the same seeds' })
          .option('resume', { type: 'boolean', default: false, describe: 'continue a sweep that was stopped, from the progress file in its --out folder (same options)' })
          .option('junit', { type: 'string', nargs: 1, describe: 'also write JUnit XML to this file: a test case for the documented rules over the sweep, and one per run that broke one' })
          .example('$0 sweep kv-outage-45m-random-faults --runs 1000', 'how likely are lost records and how long are the outages')
          .example('$0 sweep outage-vs-buffer-age --vary actions[0].for=30m,1h,2h,4h,8h --vary mmkBufferMaxAge=2h,4h,8h --runs 200', 'which outage, with which buffer age, loses data')
          .example('$0 sweep my.yaml --runs 10000 --shard $JOB_COMPLETION_INDEX/8 --out out/shard-$JOB_COMPLETION_INDEX', 'one shard of a sweep run as a batch job'),
      async (argv) => {
        status = await sweepCommand(argv as unknown as SweepArgs, io);
      },
    )
    .command(
      'merge <dirs..>',
      'merge the folders of the shards of one sweep into the files of the whole sweep (identical to an unsharded run)',
      (y) =>
        y
          .positional('dirs', { type: 'string', array: true, demandOption: true, describe: 'the shard folders' })
          .option('out', { type: 'string', nargs: 1, demandOption: true, describe: 'output folder' })
          .example('$0 merge out/shard-* --out out/merged', 'the whole sweep from its shards'),
      async (argv) => {
        status = await mergeCommand(argv.dirs as string[], argv.out as string, io);
      },
    )
    .command(
      'check <history>',
      'judge a recorded run with the same checker as run: the documented rules over its timeline.jsonl (a run folder or the file); exit 1 if one broke',
      (y) =>
        y
          .positional('history', { type: 'string', demandOption: true, describe: 'a run folder (out/<name>-seed<N>) or a timeline.jsonl' })
          .example('$0 check out/kv-outage-45m-seed7', 'the rules over a recorded run, offline'),
      async (argv) => {
        status = await checkCommand(argv.history as string, io);
      },
    )
    .command(
      'list',
      'the built-in scenarios with their descriptions; with --profiles, the documentation versions and what each changed',
      (y) => y.option('profiles', { type: 'boolean', default: false, describe: 'list the profiles (documentation versions) instead, with their dates' }),
      async (argv) => {
        if (argv.profiles) return listProfiles(io);
        // The index, not the YAML files: `list` starts without loading a YAML parser.
        const { readBuiltinIndex } = await import('../scenarios/builtin-index.ts');
        const builtins = readBuiltinIndex();
        const width = Math.max(...builtins.map((b) => b.name.length));
        for (const b of builtins) io.out(`${b.name.padEnd(width)}  ${b.description}`);
      },
    )
    .command(
      'init [name]',
      'write <name>.yaml (default my-scenario.yaml): a starting scenario commented line by line, or a copy of a built-in (--from); never overwrites a file',
      (y) =>
        y
          .positional('name', { type: 'string', default: 'my-scenario', describe: 'the scenario name ([a-z0-9-]+), also the file name' })
          .option('from', { type: 'string', describe: 'start from this built-in scenario (see list) instead' })
          .option('out', { type: 'string', describe: 'the file to write (default ./<name>.yaml)' })
          .example('$0 init', 'my-scenario.yaml, ready to validate and run')
          .example('$0 init disabled-key --from key-disabled-and-restored', 'a copy of a built-in to change'),
      async (argv) => {
        status = await initCommand(argv as unknown as InitArgs, io);
      },
    )
    .command(
      'show <builtin>',
      "print a built-in scenario's file",
      (y) => y.positional('builtin', { type: 'string', demandOption: true, describe: 'a built-in scenario name (see list)' }),
      async (argv) => {
        status = await showCommand(argv.builtin as string, io);
      },
    )
    .epilogue(
      'run options: --seed N (random seed), --out DIR (output folder), --profile P (a documentation version: see cmk-sim list --profiles; latest: the newest), --param name=value (override a parameter, repeatable); see cmk-sim run --help.\n' +
        'Exit status: 0 done and every expectation held, 1 an expectation failed, 2 bad input or usage, 3 internal error, 129 / 130 / 143 stopped by SIGHUP / SIGINT / SIGTERM (137: a sweep worker killed by SIGKILL).',
    )
    .demandCommand(1, 'name a command: run, validate, list, show, init, check, explore, sweep or merge')
    // The CLI has no short options: "-1/2" or "-x" after a flag is its value, for our checks to judge.
    .parserConfiguration({ 'unknown-options-as-args': true })
    .middleware((argv) => {
      const problems = repeatedOptionProblems(argv);
      if (problems.length > 0) throw new InputError(problems);
    }, true)
    .strict()
    .help()
    .version(VERSION)
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .exitProcess(false)
    .fail((message, error) => {
      // A value-taking flag given last, or followed by another flag: named as every bad flag is.
      const flag = /^Not enough arguments following: (\S+)$/.exec(error?.message ?? message ?? '')?.[1];
      if (flag !== undefined) throw new InputError([{ file: `--${flag}`, path: '', found: 'nothing', expected: `a value after --${flag}` }]);
      throw error ?? new UsageError(message);
    });
  try {
    // yargs keeps what follows "--" apart from the command's arguments: refused plainly rather than as a missing argument.
    if (args.includes('--')) throw new InputError([{ file: '--', path: '', found: 'the end-of-options marker', expected: 'arguments without it: a file whose name starts with - is written ./-name.yaml' }]);
    // --version prints the version and does nothing else: another word beside it would be silently dropped.
    if (args.includes('--version') && args.length > 1) throw new InputError([{ file: '--version', path: '', found: JSON.stringify(args.filter((arg) => arg !== '--version').join(' ')), expected: '--version alone: it prints the version and runs nothing' }]);
    const yesOrNo = args.flatMap((arg) => /^--(json|resume|profiles)=(?!(?:true|false)$)(.*)$/s.exec(arg) ?? []);
    if (yesOrNo.length > 0) throw new InputError([{ file: `--${yesOrNo[1]}`, path: '', found: JSON.stringify(yesOrNo[2]), expected: `--${yesOrNo[1]} alone (or =true, =false)` }]);
    let helpOrVersionShown = false;
    await parser.parseAsync(args.length === 0 ? ['run', DEFAULT_SCENARIO] : [...args], {}, (_error, _argv, output) => {
      if (output !== '') {
        helpOrVersionShown = true;
        io.out(output);
      }
    });
    if (helpOrVersionShown) return EXIT.ok;
    return status;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`cmk-sim: ${error.message}\nRun cmk-sim --help for the commands and options.`);
      return EXIT.badInput;
    }
    if (error instanceof InputError) {
      io.err(formatProblems(error.problems));
      return EXIT.badInput;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.err(`cmk-sim: internal error: ${message}\nThis is a bug in cmk-sim; please report it with the scenario and seed.`);
    if (process.env.CMK_SIM_DEBUG !== undefined && error instanceof Error) io.err(error.stack ?? '');
    return EXIT.internal;
  }
}

/** The options that may be given more than once (lists); each other option takes one value. */
const REPEATABLE_OPTIONS = new Set(['param', 'vary', 'scenario', 'dirs', '_']);

/** Every option other than a list given more than once: yargs would pass them all as a list. */
function repeatedOptionProblems(argv: Record<string, unknown>): Problem[] {
  return Object.entries(argv)
    .filter(([name, value]) => Array.isArray(value) && !REPEATABLE_OPTIONS.has(name) && !/[A-Z]/.test(name)) // yargs also keeps maxCpu beside max-cpu
    .map(([name, value]) => ({ file: `--${name}`, path: '', found: `${(value as unknown[]).length} values, ${JSON.stringify(value)}`, expected: `one --${name}` }));
}

/** `list --profiles`: each documentation version, its date, and what it changed. */
async function listProfiles(io: Io): Promise<void> {
  const { DEFAULT_PROFILE, LATEST_ALIAS, LATEST_PROFILE, PROFILE_NOTES, PROFILES } = await import('./azure/profiles.ts');
  const names = PROFILES.map((p) => `${p}${p === DEFAULT_PROFILE ? ' (default)' : ''}${p === LATEST_PROFILE ? ` (${LATEST_ALIAS})` : ''}`);
  const width = Math.max(...names.map((n) => n.length));
  PROFILES.forEach((profile, i) => {
    const [year, month] = profile.split('-').map(Number);
    const date = new Date(Date.UTC(year!, month! - 1)).toLocaleString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });
    io.out(`${names[i]!.padEnd(width)}  ${date}: ${PROFILE_NOTES[profile]}`);
  });
}

/** The options of a command that loads one scenario: run and sweep. */
function scenarioOptions<T>(y: Argv<T>, describe: { seed: string; out: string }) {
  return y
    .positional('scenario', { type: 'string', demandOption: true, describe: 'file path or built-in scenario name (see `list`)' })
    .option('seed', { type: 'string', nargs: 1, describe: describe.seed })
    .option('out', { type: 'string', nargs: 1, describe: describe.out })
    .option('profile', { type: 'string', nargs: 1, describe: 'documentation version (see list --profiles; latest: the newest)' })
    .option('param', { type: 'string', array: true, describe: 'override a parameter, name=value (repeatable), e.g. outageToUnavailable=20m' })
    .option('max-cpu', { type: 'string', nargs: 1, describe: 'the work budget: run a scenario estimated to take up to this much CPU time, e.g. 2h (default 5m)' })
    .option('max-memory', { type: 'string', nargs: 1, describe: 'the work budget: run a scenario estimated to hold up to this much memory, e.g. 16GiB (default 8GiB)' })
    .option('slo', { type: 'string', nargs: 1, describe: "your own SLO: an OpenSLO v1 SLO file or a Sloth spec (target, window, burn-rate alerts); replaces the scenario's slo: and the SRE workbook alerts" });
}

/** --max-cpu and --max-memory, for a command that takes no other scenario options (validate). */
function budgetOptions<T>(y: Argv<T>) {
  return y
    .option('max-cpu', { type: 'string', nargs: 1, describe: 'the work budget: accept a scenario estimated to take up to this much CPU time, e.g. 2h (default 5m)' })
    .option('max-memory', { type: 'string', nargs: 1, describe: 'the work budget: accept a scenario estimated to hold up to this much memory, e.g. 16GiB (default 8GiB)' });
}

/** The work budget of --max-cpu and --max-memory; their problems are bad input. */
async function workBudget(argv: BudgetArgs): Promise<{ budget: WorkBudget; problems: Problem[] }> {
  const { budgetFromFlags } = await import('./work.ts');
  return budgetFromFlags({ maxCpu: argv.maxCpu, maxMemory: argv.maxMemory });
}

/** The problems of a scenario past the work budget (sim/work.ts), reported against the file or --param. */
async function overBudget(scenario: Scenario, argv: BudgetArgs & { param?: string[] }): Promise<Problem[]> {
  const { workProblems } = await import('./work.ts');
  return workProblems(scenario, (await workBudget(argv)).budget, argv.param ?? []);
}

/** Loads the scenario with the command line's overrides; every problem, of both, in one InputError. */
async function loadWithOverrides(argv: RunArgs): Promise<Scenario> {
  const { loadScenario } = await import('../scenarios/load.ts');
  const problems: Problem[] = [];
  const options: LoadOptions = {};
  if (argv.seed !== undefined) {
    const seed = parseSeed(argv.seed, problems);
    if (seed !== undefined) options.seed = seed;
  }
  if (argv.profile !== undefined) options.profile = argv.profile;
  if (argv.param !== undefined) options.params = argv.param;
  problems.push(...paramFlagProblems(argv.param), ...(await workBudget(argv)).problems);
  if (argv.slo !== undefined) {
    const { loadSloFile } = await import('./observe/slo-spec.ts');
    try {
      options.slo = loadSloFile(argv.slo);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push(...error.problems);
    }
  }
  try {
    const scenario = loadScenario(argv.scenario, options);
    if (problems.length > 0) throw new InputError(problems);
    return scenario;
  } catch (error) {
    if (error instanceof InputError && error.problems !== problems) throw new InputError([...problems, ...error.problems]);
    throw error;
  }
}

/** `--param` given with no name=value after it (yargs gives an empty list). */
function paramFlagProblems(param: readonly string[] | undefined): Problem[] {
  return emptyListProblems('param', param, 'outageToUnavailable=45m');
}

/** A repeatable flag given with nothing after it. */
function emptyListProblems(flag: string, list: readonly string[] | undefined, example: string): Problem[] {
  if (list === undefined || list.length > 0) return [];
  return [{ file: `--${flag}`, path: '', found: 'nothing', expected: `name=value after --${flag}, e.g. --${flag} ${example}` }];
}

/** Digits only (not 0x10, 1e3, Infinity or 16.0), as a safe integer; undefined otherwise. */
function wholeNumberOf(text: string): number | undefined {
  return /^\d+$/.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : undefined;
}

/** A whole-number flag's value: the number, or the text as typed when it is not one (checked later, and quoted in the message). */
function wholeNumberOrText(value: unknown): unknown {
  return typeof value === 'string' ? (wholeNumberOf(value) ?? value) : value;
}

/** Most scenarios one explore generates: a million is days of CPU. */
const MAX_EXPLORE_RUNS = 1_000_000;

/** --seed as a whole number a double holds exactly, or a problem. */
function parseSeed(text: string, problems: Problem[]): number | undefined {
  const seed = wholeNumberOf(text);
  if (seed !== undefined) return seed;
  problems.push({ file: '--seed', path: '', found: JSON.stringify(text), expected: SEED_EXPECTED });
  return undefined;
}

interface RunCommandArgs extends RunArgs {
  json: boolean;
  junit?: string;
}

async function runCommand(argv: RunCommandArgs, io: Io): Promise<number> {
  const [{ startScenario }, { TimelineWriter }, { TraceWriter }, { OutputDir, OutputFile }, { renderSlaCsv }, { renderSlaMarkdown, renderSummary }, { ReportCollector }, { SeriesCollector }, { renderJunit }, { runJson }, { metricPathProblems }, { formatDuration }] = await Promise.all([
    import('./world.ts'),
    import('./observe/timeline.ts'),
    import('./observe/trace.ts'),
    import('../reports/output-dir.ts'),
    import('../reports/sla-csv.ts'),
    import('../reports/sla-md.ts'),
    import('../reports/report-html.ts'),
    import('../reports/series-csv.ts'),
    import('../reports/junit.ts'),
    import('../reports/run-json.ts'),
    import('./result-shape.ts'),
    import('./engine/duration.ts'),
  ]);
  const scenario = await loadWithOverrides(argv);
  // A mistyped `expect:` path would otherwise be found only after the whole run.
  const metricProblems = metricPathProblems(scenario);
  if (metricProblems.length > 0) throw new InputError(metricProblems);
  // Before any work: a scenario that would run for hours or exhaust memory is refused, naming the field that drives it.
  const budgetProblems = await overBudget(scenario, argv);
  if (budgetProblems.length > 0) throw new InputError(budgetProblems);
  const output = new OutputDir(argv.out ?? `out/${scenario.name}-seed${scenario.seed}`, { output: 'run', version: VERSION });
  // JUnit in the output folder is one more file of it; elsewhere, a file of its own.
  const junitInside = argv.junit === undefined ? null : output.fileInside(argv.junit, '--junit');
  const junit = argv.junit === undefined || junitInside !== null ? null : new OutputFile(argv.junit, '--junit');
  let result: RunResult;
  try {
    const timeline = new TimelineWriter({ jsonl: output.stage('timeline.jsonl'), csv: output.stage('timeline.csv') }, scenario.startIso);
    const trace = new TraceWriter(output.stage('trace.json'), scenario.name);
    const report = new ReportCollector(scenario);
    const series = new SeriesCollector(scenario.startIso, scenario.durationMs);
    try {
      const run = startScenario(scenario, {
        onEvent: (event) => {
          timeline.write(event);
          trace.event(event);
          report.event(event);
          series.event(event);
        },
      });
      // The run goes in slices of events with a turn of the event loop between them, so that
      // SIGINT and SIGTERM are answered at once and a long run shows its progress on a terminal.
      const progress = new RunProgress(scenario.durationMs, formatDuration);
      while (!run.advance(EVENTS_PER_TURN)) {
        progress.show(run.nowMs, run.events);
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      progress.done();
      result = run.finish();
    } finally {
      timeline.close();
      trace.close(scenario.durationMs);
    }
    output.write('sla.json', JSON.stringify(result, null, 2) + '\n');
    output.write('sla.md', renderSlaMarkdown(result));
    output.write('sla.csv', renderSlaCsv(result));
    output.write('series.csv', series.render());
    output.write('report.html', report.render(result));
    // Staged before the folder is committed and renamed into place right after it: a failure up to the folder's commit leaves neither.
    if (junitInside !== null) output.write(junitInside, renderJunit(result));
    junit?.stage(renderJunit(result));
    output.commit();
    junit?.commit();
  } catch (error) {
    junit?.abort();
    throw output.failure(error);
  }
  const failed = result.expectations.some((e) => !e.pass) || result.invariants.violations.length > 0;
  const status = failed ? EXIT.expectationFailed : EXIT.ok;
  const summary = renderSummary(result, output.dir, output.names);
  if (!argv.json) io.out(summary);
  else {
    io.err(summary);
    io.out(JSON.stringify(runJson(result, { dir: output.dir, files: output.names, junit: argv.junit ?? null }, status), null, 2));
  }
  return status;
}

/** Events run between two turns of the event loop: a few milliseconds of work. */
const EVENTS_PER_TURN = 20_000;
/** A run shows its progress once it has taken this long, and only on a terminal. */
const PROGRESS_AFTER_MS = 2_000;

/** `run`'s progress on stderr when it is a terminal and the run is long: simulated time reached, events per second. */
class RunProgress {
  private readonly startedMs = performance.now();
  private shown = false;

  constructor(
    private readonly durationMs: number,
    private readonly formatDuration: (ms: number) => string,
  ) {}

  show(simulatedMs: number, events: number): void {
    const elapsedMs = performance.now() - this.startedMs;
    if (process.stderr.isTTY !== true || elapsedMs < PROGRESS_AFTER_MS) return;
    const share = Math.floor((100 * simulatedMs) / this.durationMs);
    const rate = Math.round(events / (elapsedMs / 1000)).toLocaleString('en-US');
    process.stderr.write(`\rrun: simulated ${this.formatDuration(Math.floor(simulatedMs / 1000) * 1000)} of ${this.formatDuration(this.durationMs)} (${share} %), ${rate} events/s   `);
    this.shown = true;
  }

  done(): void {
    if (this.shown) process.stderr.write('\n');
  }
}

interface SweepArgs extends RunArgs {
  // Whole numbers once checked: wholeNumberOrText leaves what was typed when it is not one, for the message.
  runs: number;
  workers: number;
  shard?: string;
  vary?: string[];
  resume: boolean;
  junit?: string;
}

async function sweepCommand(argv: SweepArgs, io: Io): Promise<number> {
  const [{ SingleBar, Presets }, { setupProblems }, { count, percent }, { MAX_SWEEP_RUNS, cellValues, firstSeedProblem, parseShard, runsProblem }, { summarizeCells }, { progressFile, sweepInto }, { buildGrid }, { valueOf }, { metricPathProblems }, { noteOnStop, OutputDir, OutputFile }, { rsaKeyPoolFor, WorkerLostError }] = await Promise.all([
    import('cli-progress'),
    import('./world.ts'),
    import('../reports/format.ts'),
    import('./sweep/plan.ts'),
    import('./sweep/summary.ts'),
    import('./sweep/sweep.ts'),
    import('./sweep/grid.ts'),
    import('./sweep/metrics.ts'),
    import('./result-shape.ts'),
    import('../reports/output-dir.ts'),
    import('./sweep/pool.ts'),
  ]);
  const problems: Problem[] = [];
  const runsTrouble = runsProblem(argv.runs, { file: '--runs', path: '' });
  if (runsTrouble !== undefined) problems.push(runsTrouble);
  if (!Number.isSafeInteger(argv.workers) || argv.workers < 1) problems.push({ file: '--workers', path: '', found: JSON.stringify(argv.workers), expected: 'a whole number of worker processes, 1 or more' });
  const shard = argv.shard === undefined ? null : parseShard(argv.shard);
  if (shard === undefined) problems.push({ file: '--shard', path: '', found: JSON.stringify(argv.shard), expected: 'i/n with n at least 1 and i from 0 to n-1, e.g. 0/4' });
  problems.push(...emptyListProblems('vary', argv.vary, 'actions[0].for=30m,1h'));
  let scenario: Scenario;
  try {
    scenario = await loadWithOverrides(argv);
  } catch (error) {
    if (error instanceof InputError) throw new InputError([...problems, ...error.problems]);
    throw error;
  }
  let grid: Grid | undefined;
  try {
    const vary = argv.vary ?? [];
    grid = vary.length === 0 ? undefined : buildGrid(argv.scenario, { seed: scenario.seed, ...(argv.profile === undefined ? {} : { profile: argv.profile }), params: argv.param ?? [], ...(scenario.slo === null || argv.slo === undefined ? {} : { slo: scenario.slo }) }, vary);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    problems.push(...error.problems);
  }
  const cells = grid?.cells.length ?? 1;
  if (problems.length === 0 && cells * argv.runs > MAX_SWEEP_RUNS) {
    problems.push({ file: '--runs', path: '', found: String(argv.runs), expected: `at most ${count(MAX_SWEEP_RUNS)} runs in all${grid === undefined ? '' : ` (cells x runs; the grid has ${cells} cells, so at most ${count(Math.floor(MAX_SWEEP_RUNS / cells))} runs)`}` });
  }
  const runsInAll = cells * argv.runs;
  if (shard !== null && shard !== undefined && runsTrouble === undefined && shard.count > runsInAll) {
    problems.push({ file: '--shard', path: '', found: JSON.stringify(argv.shard), expected: `at most as many shards as runs (${runsInAll}): a shard with no run would write an empty folder` });
  }
  // The first seed may come from the file: the last seed of the sweep must stay a safe integer.
  const seeds = runsTrouble === undefined ? firstSeedProblem(scenario.seed, argv.runs, argv.seed === undefined ? { file: scenario.source, path: 'seed' } : { file: '--seed', path: '' }) : undefined;
  if (seeds !== undefined) problems.push(seeds);
  if (problems.length > 0) throw new InputError(problems);
  const budgetProblems = await sweepOverBudget(scenario, grid, argv);
  if (budgetProblems.length > 0) throw new InputError([...budgetProblems, ...metricPathProblems(scenario)]);
  // The RSA pairs every run will take, made once; setup's check takes them too, so it generates no key of its own.
  const rsaKeyPool = rsaKeyPoolFor(grid?.cells ?? [scenario]);
  const setup = [...setupProblems(scenario, rsaKeyPool), ...metricPathProblems(scenario)];
  if (setup.length > 0) throw new InputError(setup);
  const part = shard ?? null;
  const dir = argv.out ?? `out/${scenario.name}-${grid === undefined ? 'sweep' : `grid${cells}`}-seed${scenario.seed}-runs${argv.runs}${part === null ? '' : `-shard${part.index}of${part.count}`}`;
  OutputDir.check(dir);
  const junit = argv.junit === undefined ? null : new OutputFile(argv.junit, '--junit');
  const cores = availableParallelism();
  const workers = Math.min(argv.workers, cores);
  // More workers than cores only take turns on them, each holding a model in memory.
  if (workers < argv.workers) io.err(`using ${workers} worker${workers === 1 ? '' : 's'}: this machine has ${cores} core${cores === 1 ? '' : 's'}`);
  const bar = process.stderr.isTTY === true ? new SingleBar({ format: 'sweep |{bar}| {value}/{total} runs | {duration_formatted} elapsed, {eta_formatted} to go', hideCursor: true }, Presets.shades_classic) : null;
  const started = performance.now();
  let result: Awaited<ReturnType<typeof sweepInto>>;
  let barStarted = false;
  let progress = { done: 0, of: 0 };
  // The progress file outlives a stop: say what it holds and how to go on.
  const kept = (stopped: string) => `cmk-sim: ${stopped} after ${count(progress.done)} of ${count(progress.of)} runs; their rows are kept in ${progressFile(dir)}: the same command with --resume continues`;
  const forgetNote = noteOnStop((signal) => {
    // The exit that follows runs no finally: the bar shows the cursor again and ends its line here.
    bar?.stop();
    return kept(`stopped by ${signal}`);
  });
  try {
    result = await sweepInto(dir, scenario, {
      runs: argv.runs,
      firstSeed: scenario.seed,
      shard: part,
      workers,
      rsaKeyPool,
      resume: argv.resume,
      ...(grid === undefined ? {} : { grid }),
      onRow: (_row, done, of) => {
        progress = { done, of };
        if (!barStarted) bar?.start(of, done - 1);
        barStarted = true;
        bar?.update(done);
      },
    });
  } catch (error) {
    // A worker killed from outside (the out-of-memory killer, a user) is a stop, not a bug: 128 plus its signal's number, as a shell reports a killed command.
    if (!(error instanceof WorkerLostError) || error.signal === null) throw error;
    bar?.stop();
    io.err(kept(error.message.replace(/ with runs still to do$/, '')));
    return 128 + osConstants.signals[error.signal];
  } finally {
    forgetNote();
    bar?.stop();
  }
  const { sweep, resumed, names } = result;
  const seconds = (performance.now() - started) / 1000;
  const ran = sweep.rows.length - resumed;
  const workersUsed = Math.min(workers, Math.max(1, ran));
  const runs = `${count(sweep.rows.length)} run${sweep.rows.length === 1 ? '' : 's'}${grid === undefined ? '' : ` (${cells} cell${cells === 1 ? '' : 's'})`}`;
  const of = part === null ? '' : ` (shard ${part.index}/${part.count} of ${count(cells * argv.runs)})`;
  io.out(`sweep of ${scenario.name}: ${runs}${of} in ${seconds.toFixed(1)} s on ${workersUsed} worker${workersUsed === 1 ? '' : 's'}${resumed === 0 ? '' : `, resumed after ${count(resumed)} runs done before`}`);
  for (const cell of summarizeCells(sweep.rows, grid?.axes ?? [])) {
    const probabilities = cell.summary.probabilities.map((p) => `${p.meaning.replace(/^1 when /, '')}: ${percent(p.probability, 1)} (${count(p.hits)} of ${count(p.runs)})`);
    if (grid === undefined) for (const line of probabilities) io.out(`  ${line}`);
    else if (cell.summary.runs > 0) io.out(`  ${grid.axes.map((axis, a) => `${axis.name}=${cell.values[a]}`).join(' ')}: ${probabilities.join(', ')}`);
  }
  io.out(`wrote ${dir}/{${names.join(',')}}`);
  const broken = sweep.rows.filter((row) => valueOf(row, 'invariantViolations') > 0);
  const cellOf = (cell: number) => (grid === undefined ? '' : grid.axes.map((axis, a) => `${axis.name}=${cellValues(grid.axes, cell)[a]}`).join(', '));
  const replay = (row: (typeof broken)[number]) => `npx cmk-sim run ${argv.scenario} --seed ${row.seed}${grid === undefined ? '' : ` with ${cellOf(row.cell)} (the cell's values)`}`;
  if (junit !== null) {
    const { renderSweepJunit } = await import('../reports/junit.ts');
    junit.stage(renderSweepJunit({ scenario: scenario.name, start: scenario.startIso, profile: scenario.profile, version: VERSION, firstSeed: scenario.seed, runs: sweep.rows.length, broken: broken.map((row) => ({ seed: row.seed, cell: cellOf(row.cell), replay: replay(row) })) }));
    junit.commit();
  }
  if (broken.length === 0) return EXIT.ok;
  io.err(`documented rules broke in ${broken.length} runs; replay one: ${replay(broken[0]!)}`);
  return EXIT.expectationFailed;
}

/** Each run of a sweep must fit the work budget: the scenario, or each cell of its grid (the first cell past it is named with its values). */
async function sweepOverBudget(scenario: Scenario, grid: Grid | undefined, argv: SweepArgs): Promise<Problem[]> {
  if (grid === undefined) return overBudget(scenario, argv);
  const { cellValues } = await import('./sweep/plan.ts');
  for (const [cell, cellScenario] of grid.cells.entries()) {
    const problems = await overBudget(cellScenario, argv);
    if (problems.length === 0) continue;
    const values = cellValues(grid.axes, cell);
    const label = grid.axes.map((axis, a) => `${axis.name}=${values[a]}`).join(', ');
    return problems.map((p) => ({ file: '--vary', path: label, found: `${p.file === '--param' ? '--param ' : ''}${p.path}: ${p.found}`, expected: p.expected }));
  }
  return [];
}

async function checkCommand(path: string, io: Io): Promise<number> {
  const [{ checkHistory, historyPath }, { renderVerdict }, { count }] = await Promise.all([import('./observe/history.ts'), import('../reports/sla-md.ts'), import('../reports/format.ts')]);
  const report = checkHistory(path);
  io.out(`${historyPath(path)}: ${count(report.rules.reduce((n, r) => n + r.triggered, 0))} rule triggers, ${Object.entries(report.transitions).map(([t, n]) => `${t} ${n}`).join(', ') || 'no state changes'}`);
  for (const line of renderVerdict(report)) io.out(line);
  return report.violations.length === 0 ? EXIT.ok : EXIT.expectationFailed;
}

async function mergeCommand(dirs: readonly string[], out: string, io: Io): Promise<number> {
  const [{ count }, { mergeSweeps, writeSweep }, { OutputDir }] = await Promise.all([import('../reports/format.ts'), import('./sweep/sweep.ts'), import('../reports/output-dir.ts')]);
  const target = OutputDir.check(out);
  // The output replaces its folder as a whole: it must not be one of the shards it reads.
  const shard = dirs.find((dir) => realpathOrNull(dir) === target);
  if (shard !== undefined) throw new InputError([{ file: '--out', path: '', found: `${JSON.stringify(out)}, the shard folder ${JSON.stringify(shard)} being merged`, expected: 'a folder of its own for the merged sweep, e.g. --out out/merged' }]);
  const sweep = mergeSweeps(dirs);
  const names = writeSweep(out, sweep);
  io.out(`merged ${dirs.length} folder${dirs.length === 1 ? '' : 's'}: ${count(sweep.rows.length)} run${sweep.rows.length === 1 ? '' : 's'} of ${sweep.manifest.scenario}`);
  io.out(`wrote ${out}/{${names.join(',')}}`);
  return EXIT.ok;
}

function realpathOrNull(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

async function validateCommand(paths: readonly string[], budgetArgs: BudgetArgs, io: Io): Promise<number> {
  const [{ loadScenario }, { setupProblems }, { metricPathProblems }] = await Promise.all([import('../scenarios/load.ts'), import('./world.ts'), import('./result-shape.ts')]);
  const flags = await workBudget(budgetArgs);
  if (flags.problems.length > 0) throw new InputError(flags.problems);
  let status: number = EXIT.ok;
  for (const path of paths) {
    try {
      const scenario = loadScenario(path);
      // Setup draws the fault processes' occurrences: a scenario past the work budget is refused before it.
      const work = await overBudget(scenario, budgetArgs);
      const problems = [...(work.length > 0 ? work : setupProblems(scenario)), ...metricPathProblems(scenario)];
      if (problems.length > 0) throw new InputError(problems);
      io.out(`${path}: ok (${scenario.name}: ${scenario.actions.length} actions, ${scenario.expect.length} expectations)`);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      io.err(formatProblems(error.problems));
      status = EXIT.badInput;
    }
  }
  return status;
}

/** The built-in of that name, or a problem naming `where` (the flag or command), with "did you mean". */
async function findBuiltin(name: string, where: string, problems: Problem[]): Promise<BuiltinScenario | undefined> {
  const [{ listBuiltins }, { closest }] = await Promise.all([import('../scenarios/load.ts'), import('../scenarios/schema.ts')]);
  const builtins = listBuiltins();
  const found = builtins.find((b) => b.name === name);
  if (found !== undefined) return found;
  const names = builtins.map((b) => b.name);
  const hint = closest(name, names);
  problems.push({ file: where, path: '', found: JSON.stringify(name), expected: `a built-in scenario: ${names.join(', ')}${hint === undefined ? '' : `; did you mean ${hint}?`}` });
  return undefined;
}

interface InitArgs {
  name: string;
  from?: string;
  out?: string;
}

async function initCommand(argv: InitArgs, io: Io): Promise<number> {
  const [{ SCENARIO_NAME, SCENARIO_NAME_PATTERN }, { copyOfBuiltin, schemaReference, starterScenario, writeNewFile, modeline }] = await Promise.all([
    import('../scenarios/schema.ts'),
    import('../scenarios/starter.ts'),
  ]);
  const problems: Problem[] = [];
  if (!SCENARIO_NAME_PATTERN.test(argv.name)) {
    problems.push({ file: 'name', path: '', found: JSON.stringify(argv.name), expected: `${SCENARIO_NAME.expected}, e.g. my-scenario (the file is <name>.yaml unless --out names it)` });
  }
  if (argv.out !== undefined && !['.yaml', '.yml'].includes(extname(argv.out).toLowerCase())) {
    problems.push({ file: '--out', path: '', found: JSON.stringify(argv.out), expected: 'a file name ending in .yaml or .yml' });
  }
  const builtin = argv.from === undefined ? undefined : await findBuiltin(argv.from, '--from', problems);
  if (problems.length > 0) throw new InputError(problems);
  const path = argv.out ?? `${argv.name}.yaml`;
  const dir = dirname(resolve(path));
  const text = builtin === undefined ? starterScenario(argv.name, modeline(dir)) : copyOfBuiltin(readFileSync(builtin.path, 'utf8'), argv.name, modeline(dir));
  writeNewFile(path, text);
  io.out(`wrote ${path}: ${builtin === undefined ? 'a starting scenario, commented line by line' : `a copy of ${builtin.name}`}; its first line points editors at the schema (${schemaReference(dir)})`);
  io.out(`next: npx cmk-sim validate ${path}, then npx cmk-sim run ${path}`);
  return EXIT.ok;
}

async function showCommand(name: string, io: Io): Promise<number> {
  const problems: Problem[] = [];
  const builtin = await findBuiltin(name, 'show', problems);
  if (builtin === undefined) throw new InputError(problems);
  io.out(readFileSync(builtin.path, 'utf8').replace(/\n$/, ''));
  return EXIT.ok;
}

interface ExploreArgs extends BudgetArgs {
  runs: number;
  seed: string;
  path?: string;
  out?: string;
  profile?: string;
  param?: string[];
}

async function exploreCommand(argv: ExploreArgs, io: Io): Promise<number> {
  const [{ parse: parseYaml }, { parseScenario }, { PROFILE_EXPECTED, resolveProfile }, { explore }, { OutputDir }] = await Promise.all([
    import('yaml'),
    import('../scenarios/load.ts'),
    import('./azure/profiles.ts'),
    import('./explore.ts'),
    import('../reports/output-dir.ts'),
  ]);
  const problems: Problem[] = [];
  const seed = parseSeed(argv.seed, problems) ?? 0;
  if (!Number.isSafeInteger(argv.runs) || argv.runs < 1 || argv.runs > MAX_EXPLORE_RUNS) {
    problems.push({ file: '--runs', path: '', found: JSON.stringify(argv.runs), expected: `a whole number of runs from 1 to ${MAX_EXPLORE_RUNS.toLocaleString('en-US')}` });
  }
  if (argv.path !== undefined && !isReplayPath(argv.path)) {
    problems.push({ file: '--path', path: '', found: describePath(argv.path), expected: 'the fast-check path an earlier explore printed: whole numbers separated by ":", e.g. "1:7:0"' });
  }
  problems.push(...paramFlagProblems(argv.param));
  const profile = argv.profile === undefined ? undefined : resolveProfile(argv.profile);
  if (argv.profile !== undefined && profile === undefined) {
    problems.push({ file: '--profile', path: '', found: JSON.stringify(argv.profile), expected: PROFILE_EXPECTED });
  }
  let paramsOk = true;
  try {
    // The fixed parameters are checked exactly as `run --param` checks them.
    parseScenario(JSON.stringify({ name: 'explore', duration: '1h' }), 'explore', 'json', { params: argv.param ?? [] });
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    problems.push(...error.problems);
    paramsOk = false;
  }
  const fixedParams: Record<string, unknown> = {};
  // Only values the loader took are read here: it reads the others as text, and a problem was reported for them.
  if (paramsOk) for (const param of argv.param ?? []) fixedParams[param.slice(0, param.indexOf('='))] = parseYaml(param.slice(param.indexOf('=') + 1));
  const flags = await workBudget(argv);
  problems.push(...flags.problems);
  if (paramsOk && flags.problems.length === 0) {
    // The largest scenarios the generator makes with these parameters must fit the work budget; then every one it generates does.
    const [{ largestScenarios }, { workProblems }] = await Promise.all([import('./arbitraries.ts'), import('./work.ts')]);
    const largest = largestScenarios({ fixedParams }).map((data) => parseScenario(JSON.stringify(data), 'explore', 'json', { params: argv.param ?? [] }));
    problems.push(...(largest.map((scenario) => workProblems(scenario, flags.budget, argv.param ?? [])).find((p) => p.length > 0) ?? []));
  }
  if (problems.length > 0) throw new InputError(problems);
  const output = new OutputDir(argv.out ?? `out/explore-seed${seed}`, { output: 'explore', version: VERSION });
  let fc: typeof import('fast-check');
  try {
    fc = await import('fast-check');
  } catch {
    throw new InputError([{ file: 'explore', path: '', found: 'no fast-check installed', expected: 'fast-check, a peer dependency: npm install fast-check' }]);
  }
  const progress = process.stderr.isTTY === true;
  const replaysNothing = () =>
    new InputError([{ file: '--path', path: '', found: `${describePath(argv.path!)}, which replays no scenario with seed ${seed}`, expected: 'the path printed with this --seed by the explore that failed' }]);
  let report: ReturnType<typeof explore>;
  try {
    report = explore(fc, {
      runs: argv.runs,
      seed,
      ...(argv.path === undefined ? {} : { path: argv.path }),
      ...(profile === undefined ? {} : { profiles: [profile] }),
      fixedParams,
      onProgress: (done) => {
        if (progress) process.stderr.write(`\rexplore: ${done} runs (seed ${seed})`);
      },
    });
  } catch (error) {
    // fast-check's words for a path that leads nowhere in this seed's shrink tree.
    if (argv.path !== undefined && error instanceof Error && error.message.startsWith('Unable to replay')) throw replaysNothing();
    throw error;
  } finally {
    if (progress) process.stderr.write('\n');
  }
  if (argv.path !== undefined && report.runs === 0) throw replaysNothing();
  const { renderCoverage } = await import('../reports/coverage.ts');
  for (const line of renderCoverage(report.coverage)) io.out(line);
  if (report.failure === null) {
    io.out(`explore: ${report.runs} generated scenarios, every documented rule held (seed ${seed})`);
    return EXIT.ok;
  }
  const failure = report.failure;
  io.out(`explore: a documented rule broke after ${failure.runsBeforeFailure} runs (seed ${seed}); shrunk ${failure.shrinks} times to ${failure.scenario.actions.length} action${failure.scenario.actions.length === 1 ? '' : 's'}`);
  for (const v of failure.violations.slice(0, 5)) io.out(`  rule ${v.rule} (${v.name}): ${v.message}`);
  try {
    output.write('counterexample.yaml', failure.yaml);
    output.commit();
    const file = `${output.dir}/counterexample.yaml`;
    io.out(`wrote ${file}`);
    io.out(`replay: npx cmk-sim run ${file}`);
  } catch (error) {
    // The counterexample cost the whole search: when it cannot be saved, it is printed.
    const why = output.failure(error);
    if (!(why instanceof InputError)) throw why;
    io.err(formatProblems(why.problems));
    io.out(`could not write ${output.dir}/counterexample.yaml; here it is, between the lines:\n---\n${failure.yaml.trimEnd()}\n---`);
    io.out('replay: save it as counterexample.yaml, then npx cmk-sim run counterexample.yaml');
  }
  io.out(`fast-check replay: npx cmk-sim explore --seed ${seed} --path "${failure.path}"${(argv.param ?? []).map((p) => ` --param ${p}`).join('')}`);
  return EXIT.expectationFailed;
}

/** A path as the user gave it, cut short: one may be megabytes long. */
function describePath(path: string): string {
  return JSON.stringify(path.length > 60 ? `${path.slice(0, 57)}...` : path);
}

/** fast-check's replay path: whole numbers separated by ':'. */
function isReplayPath(text: string): boolean {
  return /^\d+(:\d+)*$/.test(text) && text.split(':').every((n) => Number.isSafeInteger(Number(n)));
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

/** The command as a process (the installed bin, npm start): main, plus what only a whole process may do. */
export async function runAsProcess(): Promise<void> {
  // A reader that stops early (`| head`) is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  // Nor is one that closed stderr (`2>&1 >/dev/null | true`): notices are lost, the work goes on.
  process.stderr.on('error', () => {});
  exitCleanlyOnSignals();
  process.exitCode = await main(hideBin(process.argv));
}

if (isEntryPoint()) void runAsProcess();
