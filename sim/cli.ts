// The command line (yargs). Exit status: 0 done and every expectation held;
// 1 an expectation or invariant failed; 2 bad input or usage; 3 internal error;
// 130 / 143 stopped by SIGINT / SIGTERM (reports/output-dir.ts).

import { realpathSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Presets, SingleBar } from 'cli-progress';
import { fileURLToPath } from 'node:url';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { parse as parseYaml } from 'yaml';
import { listBuiltins, loadScenario, parseScenario, type LoadOptions } from '../scenarios/load.ts';
import { PROFILES } from './azure/profiles.ts';
import { explore } from './explore.ts';
import { InputError, formatProblem, type Problem } from './input-error.ts';
import type { Scenario } from './scenario.ts';
import { setupProblems, VERSION } from './world.ts';
import { exitCleanlyOnSignals, OutputDir } from '../reports/output-dir.ts';
import { renderSummary } from '../reports/sla-md.ts';
import { count, percent } from '../reports/format.ts';
import { simulateInThread, STREAMED_FILES, type StreamedPaths } from './run-files.ts';
import { firstSeedProblem, MAX_RUNS, parseShard, runsProblem } from './sweep/plan.ts';
import { summarize } from './sweep/summary.ts';
import { mergeSweeps, runSweep, writeSweep, type Sweep } from './sweep/sweep.ts';
import type { RunResult } from './result.ts';

export const EXIT = { ok: 0, expectationFailed: 1, badInput: 2, internal: 3 } as const;
export const DEFAULT_SCENARIO = 'kv-outage-45m';
const MAX_RUNS_TEXT = MAX_RUNS.toLocaleString('en-US');

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

const processIo: Io = { out: (t) => process.stdout.write(t + '\n'), err: (t) => process.stderr.write(t + '\n') };

class UsageError extends Error {}

interface RunArgs {
  scenario: string;
  seed?: string;
  out?: string;
  profile?: string;
  param?: string[];
}

/** Runs the CLI on these arguments and returns the exit status; never calls process.exit. */
export async function main(args: readonly string[], io: Io = processIo): Promise<number> {
  let status: number = EXIT.ok;
  const parser = yargs()
    .scriptName('cmk-sim')
    .usage('$0 <command> [options]\n\nWhat happens to Log Analytics data under customer-managed keys when Key Vault or the key misbehaves.\nWith no command: run ' + DEFAULT_SCENARIO + '.')
    .command(
      'run <scenario>',
      'run one scenario (a YAML/JSON file or a built-in name) and write timeline.jsonl, timeline.csv, trace.json, sla.json, sla.md, sla.csv and report.html',
      (y) =>
        scenarioOptions(y, { seed: "random seed (default: the scenario's seed)", out: 'output folder (default out/<name>-seed<N>)' })
          .example('$0 run kv-outage-45m --seed 3', 'the built-in 45-minute outage with seed 3')
          .example('$0 run my.yaml --param delayMode=worst --out out/worst', 'a scenario file at the documented bounds'),
      async (argv) => {
        status = await runCommand(argv as unknown as RunArgs, io);
      },
    )
    .command(
      'validate <scenario..>',
      'check scenario files against the schema and the model without running them; print every problem',
      (y) => y.positional('scenario', { type: 'string', array: true, demandOption: true }),
      (argv) => {
        status = validateCommand(argv.scenario as string[], io);
      },
    )
    .command(
      'explore',
      'generate scenarios (fast-check), run them and check the documented rules; a failure is shrunk and written as a scenario file that run replays',
      (y) =>
        y
          .option('runs', { type: 'number', nargs: 1, default: 100, describe: 'how many scenarios to generate' })
          .option('seed', { type: 'string', nargs: 1, default: '1', describe: 'fast-check seed (printed on failure, to replay)' })
          .option('path', { type: 'string', nargs: 1, describe: "fast-check replay path of an earlier failure (with its --seed), numbers separated by ':'" })
          .option('out', { type: 'string', nargs: 1, describe: 'where a counterexample is written (default out/explore-seed<S>)' })
          .option('profile', { type: 'string', nargs: 1, describe: 'explore one documentation version only: 2020-11, 2021-07, 2023-06' })
          .option('param', { type: 'string', array: true, describe: 'fix a parameter in every scenario, name=value, e.g. brokenRule=lateRevocation' })
          .example('$0 explore --runs 500', 'check the model on 500 generated scenarios')
          .example('$0 explore --param brokenRule=lateRevocation', 'see a deliberately broken rule found and shrunk'),
      async (argv) => {
        status = await exploreCommand(argv as unknown as ExploreArgs, io);
      },
    )
    .command(
      'sweep <scenario>',
      'Monte Carlo: run the scenario once per seed (seeds S to S+N-1, or a shard of them) and write runs.csv, summary.csv, summary.md, summary.html and sweep.json',
      (y) =>
        scenarioOptions(y, { seed: "first seed (default: the scenario's seed)", out: 'output folder (default out/<name>-sweep-seed<S>-runs<N>, with -shard<i>of<n>)' })
          .option('runs', { type: 'number', nargs: 1, default: 100, describe: `how many seeds, at most ${MAX_RUNS_TEXT}` })
          .option('workers', { type: 'number', nargs: 1, default: availableParallelism(), describe: 'worker threads (default and most: the number of cores); the results do not depend on it' })
          .option('shard', { type: 'string', nargs: 1, describe: 'run only shard i of n (i from 0 to n-1, as a Kubernetes JOB_COMPLETION_INDEX); merge the shard folders with cmk-sim merge' })
          .example('$0 sweep kv-outage-45m-random-faults --runs 1000', 'how likely are lost records and how long are the outages')
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
      (argv) => {
        status = mergeCommand(argv.dirs as string[], argv.out as string, io);
      },
    )
    .command(
      'list',
      'the built-in scenarios with their descriptions',
      (y) => y,
      () => {
        const builtins = listBuiltins();
        const width = Math.max(...builtins.map((b) => b.name.length));
        for (const b of builtins) io.out(`${b.name.padEnd(width)}  ${b.description}`);
      },
    )
    .epilogue(
      'run options: --seed N (random seed), --out DIR (output folder), --profile P (2020-11, 2021-07, 2023-06), --param name=value (override a parameter, repeatable); see cmk-sim run --help.\n' +
        'Exit status: 0 done and every expectation held, 1 an expectation failed, 2 bad input or usage, 3 internal error, 130 / 143 stopped by SIGINT / SIGTERM.',
    )
    .demandCommand(1, 'name a command: run, validate, list, explore, sweep or merge')
    // The CLI has no short options: "-1/2" or "-x" after a flag is its value, for our checks to judge.
    .parserConfiguration({ 'unknown-options-as-args': true })
    .strict()
    .help()
    .version(false)
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .exitProcess(false)
    .fail((message, error) => {
      // A value-taking flag given last, or followed by another flag: named as every bad flag is.
      const flag = /^Not enough arguments following: (\S+)$/.exec(error?.message ?? message ?? '')?.[1];
      if (flag !== undefined) throw new InputError([{ file: `--${flag}`, path: '', found: 'nothing', expected: `a value after --${flag}` }]);
      throw error ?? new UsageError(message);
    });
  try {
    let helpShown = false;
    await parser.parseAsync(args.length === 0 ? ['run', DEFAULT_SCENARIO] : [...args], {}, (_error, _argv, output) => {
      if (output !== '') {
        helpShown = true;
        io.out(output);
      }
    });
    if (helpShown) return EXIT.ok;
    return status;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`cmk-sim: ${error.message}\nRun cmk-sim --help for the commands and options.`);
      return EXIT.badInput;
    }
    if (error instanceof InputError) {
      io.err(error.problems.map(formatProblem).join('\n'));
      return EXIT.badInput;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.err(`cmk-sim: internal error: ${message}\nThis is a bug in cmk-sim; please report it with the scenario and seed.`);
    if (process.env.CMK_SIM_DEBUG !== undefined && error instanceof Error) io.err(error.stack ?? '');
    return EXIT.internal;
  }
}

/** The options of a command that loads one scenario: run and sweep. */
function scenarioOptions<T>(y: Argv<T>, describe: { seed: string; out: string }) {
  return y
    .positional('scenario', { type: 'string', demandOption: true, describe: 'file path or built-in scenario name (see `list`)' })
    .option('seed', { type: 'string', nargs: 1, describe: describe.seed })
    .option('out', { type: 'string', nargs: 1, describe: describe.out })
    .option('profile', { type: 'string', nargs: 1, describe: 'documentation version: 2020-11, 2021-07, 2023-06' })
    .option('param', { type: 'string', array: true, describe: 'override a parameter, name=value (repeatable), e.g. outageToUnavailable=20m' });
}

/** Loads the scenario with the command line's overrides; every problem, of both, in one InputError. */
function loadWithOverrides(argv: RunArgs): Scenario {
  const problems: Problem[] = [];
  const options: LoadOptions = {};
  if (argv.seed !== undefined) {
    const seed = parseSeed(argv.seed, problems);
    if (seed !== undefined) options.seed = seed;
  }
  if (argv.profile !== undefined) options.profile = argv.profile;
  if (argv.param !== undefined) options.params = argv.param;
  problems.push(...paramFlagProblems(argv.param));
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
  if (param === undefined || param.length > 0) return [];
  return [{ file: '--param', path: '', found: 'nothing', expected: 'name=value after --param, e.g. --param outageToUnavailable=45m' }];
}

/** --seed as a non-negative whole number, or a problem. */
function parseSeed(text: string, problems: Problem[]): number | undefined {
  if (/^\d+$/.test(text) && Number.isSafeInteger(Number(text))) return Number(text);
  problems.push({ file: '--seed', path: '', found: JSON.stringify(text), expected: 'a non-negative whole number' });
  return undefined;
}

async function runCommand(argv: RunArgs, io: Io): Promise<number> {
  const scenario = loadWithOverrides(argv);
  const output = new OutputDir(argv.out ?? `out/${scenario.name}-seed${scenario.seed}`, { output: 'run', version: VERSION });
  let result: RunResult;
  try {
    const paths = Object.fromEntries(STREAMED_FILES.map((name) => [name, output.stage(name)])) as StreamedPaths;
    const outcome = await simulateInThread(scenario, paths);
    for (const [name, content] of outcome.reports) output.write(name, content);
    result = outcome.result;
    output.commit();
  } catch (error) {
    throw output.failure(error);
  }
  io.out(renderSummary(result, output.dir, output.names));
  const failed = result.expectations.some((e) => !e.pass) || result.invariants.violations.length > 0;
  return failed ? EXIT.expectationFailed : EXIT.ok;
}

interface SweepArgs extends RunArgs {
  runs: number;
  workers: number;
  shard?: string;
}

async function sweepCommand(argv: SweepArgs, io: Io): Promise<number> {
  const problems: Problem[] = [];
  const runs = runsProblem(argv.runs, { file: '--runs', path: '' });
  if (runs !== undefined) problems.push(runs);
  if (!Number.isSafeInteger(argv.workers) || argv.workers < 1) problems.push({ file: '--workers', path: '', found: String(argv.workers), expected: 'a whole number of worker threads, 1 or more' });
  const shard = argv.shard === undefined ? null : parseShard(argv.shard);
  if (shard === undefined) problems.push({ file: '--shard', path: '', found: JSON.stringify(argv.shard), expected: 'i/n with n at least 1 and i from 0 to n-1, e.g. 0/4' });
  else if (shard !== null && runs === undefined && shard.count > argv.runs) {
    problems.push({ file: '--shard', path: '', found: JSON.stringify(argv.shard), expected: `at most as many shards as runs (${argv.runs}): a shard with no run would write an empty folder` });
  }
  let scenario: Scenario;
  try {
    scenario = loadWithOverrides(argv);
  } catch (error) {
    if (error instanceof InputError) throw new InputError([...problems, ...error.problems]);
    throw error;
  }
  // The first seed may come from the file: the last seed of the sweep must stay a safe integer.
  const seeds = runs === undefined ? firstSeedProblem(scenario.seed, argv.runs, argv.seed === undefined ? { file: scenario.source, path: 'seed' } : { file: '--seed', path: '' }) : undefined;
  if (seeds !== undefined) problems.push(seeds);
  if (problems.length > 0) throw new InputError(problems);
  const setup = setupProblems(scenario);
  if (setup.length > 0) throw new InputError(setup);
  const part = shard ?? null;
  const dir = argv.out ?? `out/${scenario.name}-sweep-seed${scenario.seed}-runs${argv.runs}${part === null ? '' : `-shard${part.index}of${part.count}`}`;
  OutputDir.check(dir);
  const cores = availableParallelism();
  const workers = Math.min(argv.workers, cores);
  // More threads than cores only take turns on them, each holding a model in memory.
  if (workers < argv.workers) io.err(`using ${workers} worker${workers === 1 ? '' : 's'}: this machine has ${cores} core${cores === 1 ? '' : 's'}`);
  const bar = process.stderr.isTTY === true ? new SingleBar({ format: 'sweep |{bar}| {value}/{total} runs | {duration_formatted} elapsed, {eta_formatted} to go', hideCursor: true }, Presets.shades_classic) : null;
  const started = performance.now();
  let sweep: Sweep;
  try {
    sweep = await runSweep(scenario, {
      runs: argv.runs,
      firstSeed: scenario.seed,
      shard: part,
      workers,
      onDone: (done, of) => {
        if (done === 1) bar?.start(of, 0);
        bar?.update(done);
      },
    });
  } finally {
    bar?.stop();
  }
  const seconds = (performance.now() - started) / 1000;
  const names = writeSweep(dir, sweep);
  const summary = summarize(sweep.rows);
  const threads = Math.min(workers, Math.max(1, sweep.rows.length));
  io.out(`sweep of ${scenario.name}: ${count(sweep.rows.length)} run${sweep.rows.length === 1 ? '' : 's'}${part === null ? '' : ` (shard ${part.index}/${part.count} of ${count(argv.runs)})`} in ${seconds.toFixed(1)} s on ${threads} worker${threads === 1 ? '' : 's'}`);
  for (const p of summary.probabilities) io.out(`  ${p.meaning.replace(/^1 when /, '')}: ${percent(p.probability, 1)} (${count(p.hits)} of ${count(p.runs)})`);
  io.out(`wrote ${dir}/{${names.join(',')}}`);
  const violations = sweep.rows.filter((row) => row.invariantViolations! > 0).map((row) => row.seed);
  if (violations.length === 0) return EXIT.ok;
  io.err(`documented rules broke in ${violations.length} runs; replay one: npx cmk-sim run ${argv.scenario} --seed ${violations[0]}`);
  return EXIT.expectationFailed;
}

function mergeCommand(dirs: readonly string[], out: string, io: Io): number {
  OutputDir.check(out);
  const sweep = mergeSweeps(dirs);
  const names = writeSweep(out, sweep);
  io.out(`merged ${dirs.length} folders: ${count(sweep.rows.length)} runs of ${sweep.manifest.scenario}`);
  io.out(`wrote ${out}/{${names.join(',')}}`);
  return EXIT.ok;
}

function validateCommand(paths: readonly string[], io: Io): number {
  let status: number = EXIT.ok;
  for (const path of paths) {
    try {
      const scenario = loadScenario(path);
      const problems = setupProblems(scenario);
      if (problems.length > 0) throw new InputError(problems);
      io.out(`${path}: ok (${scenario.name}: ${scenario.actions.length} actions, ${scenario.expect.length} expectations)`);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      io.err(error.problems.map(formatProblem).join('\n'));
      status = EXIT.badInput;
    }
  }
  return status;
}

interface ExploreArgs {
  runs: number;
  seed: string;
  path?: string;
  out?: string;
  profile?: string;
  param?: string[];
}

async function exploreCommand(argv: ExploreArgs, io: Io): Promise<number> {
  const problems: Problem[] = [];
  const seed = parseSeed(argv.seed, problems) ?? 0;
  if (!Number.isSafeInteger(argv.runs) || argv.runs < 1) problems.push({ file: '--runs', path: '', found: String(argv.runs), expected: 'a whole number of runs, 1 or more' });
  if (argv.path !== undefined && !isReplayPath(argv.path)) {
    problems.push({ file: '--path', path: '', found: describePath(argv.path), expected: 'the fast-check path an earlier explore printed: whole numbers separated by ":", e.g. "1:7:0"' });
  }
  problems.push(...paramFlagProblems(argv.param));
  if (argv.profile !== undefined && !(PROFILES as readonly string[]).includes(argv.profile)) {
    problems.push({ file: '--profile', path: '', found: JSON.stringify(argv.profile), expected: `one of ${PROFILES.join(', ')}` });
  }
  try {
    // The fixed parameters are checked exactly as `run --param` checks them.
    parseScenario(JSON.stringify({ name: 'explore', duration: '1h' }), 'explore', 'json', { params: argv.param ?? [] });
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    problems.push(...error.problems);
  }
  if (problems.length > 0) throw new InputError(problems);
  const output = new OutputDir(argv.out ?? `out/explore-seed${seed}`, { output: 'explore', version: VERSION });
  const fixedParams: Record<string, unknown> = {};
  for (const param of argv.param ?? []) fixedParams[param.slice(0, param.indexOf('='))] = parseYaml(param.slice(param.indexOf('=') + 1));
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
      ...(argv.profile === undefined ? {} : { profiles: [argv.profile] }),
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
    io.err(why.problems.map(formatProblem).join('\n'));
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

/** The command as a process (sim/cli.ts and bin/cmk-sim.js): main, plus what only a whole process may do. */
export async function runAsProcess(): Promise<void> {
  // A reader that stops early (`| head`) is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  exitCleanlyOnSignals();
  process.exitCode = await main(hideBin(process.argv));
}

if (isEntryPoint()) void runAsProcess();
