// The package as a user gets it: `npm pack`, the tarball installed into a fresh project that has
// no tsx, and then used the ways the README shows: a plain `node` ESM import, require(), a
// TypeScript project type-checking against the shipped .d.ts files, `npx cmk-sim`, and the
// README's own-property example under `node --test` with the project's own fast-check.
//
// It needs the npm registry for the install; `--prefer-offline` takes what the local npm cache
// already holds (everything, after the repository's own `npm ci`).

import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { listBuiltins } from '../scenarios/load.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const requireFromRepo = createRequire(join(REPO, 'package.json'));
const versionOf = (name: string) => (JSON.parse(readFileSync(requireFromRepo.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
const VERSION = versionOf('cmk-sim');
const TSC = requireFromRepo.resolve('typescript/bin/tsc');
const README = readFileSync(join(REPO, 'README.md'), 'utf8');

const root = mkdtempSync(join(tmpdir(), 'cmk-sim-package-'));
const consumer = join(root, 'consumer');
let packedFiles: string[] = [];

function show(child: SpawnSyncReturns<string>): string {
  return `status ${child.status ?? child.signal}\n--- stdout\n${child.stdout}\n--- stderr\n${child.stderr}`;
}

/** Runs a command to its end; fails the test with its output unless it exits 0. */
function ok(command: string, args: readonly string[], cwd: string): SpawnSyncReturns<string> {
  const child = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.is(child.error, undefined, `${command} ${args.join(' ')}: ${child.error}`);
  assert.is(child.status, 0, `${command} ${args.join(' ')} in ${cwd}\n${show(child)}`);
  return child;
}

/** The ```ts blocks of the README that import from 'cmk-sim': examples a user copies. */
function readmeExamples(): string[] {
  return [...README.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((code) => code.includes("from 'cmk-sim'"));
}

test.before(() => {
  // npm pack runs prepack, which builds dist/ from the sources as they are now.
  const pack = ok('npm', ['pack', '--json', '--pack-destination', root], REPO);
  const report = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('\n[') + 1)) as { filename: string; files: { path: string }[] }[];
  packedFiles = report[0]!.files.map((f) => f.path).sort();
  mkdirSync(consumer);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2));
  ok('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(root, report[0]!.filename), `fast-check@${versionOf('fast-check')}`, `@types/node@${versionOf('@types/node')}`], consumer);
});

test.after(() => {
  rmSync(root, { recursive: true, force: true });
});

test('the tarball holds dist/, the built-in scenarios, README, LICENSE, CHANGELOG and package.json, and nothing else', () => {
  const allowed = (path: string) =>
    path.startsWith('dist/') || path.startsWith('scenarios/builtin/') || ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'scenarios/scenario.schema.json'].includes(path);
  assert.equal(packedFiles.filter((path) => !allowed(path)), []);
  for (const path of ['LICENSE', 'CHANGELOG.md', 'dist/sim/index.js', 'dist/sim/index.d.ts', 'dist/sim/cli.js', 'dist/sim/sweep/worker.js']) assert.ok(packedFiles.includes(path), `${path} is not in the tarball`);
  for (const { name } of listBuiltins()) assert.ok(packedFiles.includes(`scenarios/builtin/${name}.yaml`), `built-in ${name} is not in the tarball`);
  assert.equal(packedFiles.filter((path) => path.endsWith('.ts') && !path.endsWith('.d.ts')), [], 'TypeScript sources in the tarball');
});

test('installing cmk-sim does not install tsx', () => {
  assert.ok(existsSync(join(consumer, 'node_modules', 'cmk-sim', 'dist', 'sim', 'index.js')));
  assert.not.ok(existsSync(join(consumer, 'node_modules', 'tsx')), 'tsx was installed with cmk-sim');
});

test('plain node imports runScenario, arbitraries and the sweep functions, and a sweep runs on worker processes', () => {
  writeFileSync(
    join(consumer, 'esm.mjs'),
    `import * as fc from 'fast-check';
import { VERSION, arbitraries, listBuiltins, loadScenario, mergeSweeps, readSweep, runScenario, runSweep, summarize, writeSweep } from 'cmk-sim';

const result = runScenario(loadScenario('kv-outage-20m'));
const sweep = await runSweep(loadScenario('kv-outage-45m-random-faults'), { runs: 3, firstSeed: 1, shard: null, workers: 2 });
const sample = fc.sample(arbitraries(fc).scenario(), { seed: 1, numRuns: 1 })[0];
console.log(JSON.stringify({
  version: VERSION,
  builtins: listBuiltins().length,
  scenario: result.scenario,
  violations: result.invariants.violations.length,
  sweepSeeds: sweep.rows.map((row) => row.seed),
  summarized: summarize(sweep.rows).probabilities.length > 0,
  functions: [mergeSweeps, readSweep, writeSweep].every((f) => typeof f === 'function'),
  generated: typeof sample.name,
}));
`,
  );
  const child = ok(process.execPath, ['esm.mjs'], consumer);
  assert.equal(JSON.parse(child.stdout), {
    version: VERSION,
    builtins: listBuiltins().length,
    scenario: 'kv-outage-20m',
    violations: 0,
    sweepSeeds: [1, 2, 3],
    summarized: true,
    functions: true,
    generated: 'string',
  });
});

test('a TypeScript project resolving as Node 10 did (no "exports") finds the types by "types"', () => {
  const dir = join(consumer, 'ts-node10');
  mkdirSync(dir);
  // fast-check's own types need a newer resolution, so this project uses the library alone.
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'es2022', module: 'commonjs', moduleResolution: 'node10', strict: true, skipLibCheck: true, noEmit: true, types: ['node'] }, include: ['*.ts'] }, null, 2));
  writeFileSync(join(dir, 'typed.ts'), "import { loadScenario, runScenario, type RunResult } from 'cmk-sim';\nconst result: RunResult = runScenario(loadScenario('kv-outage-20m'));\nexport const violations: number = result.invariants.violations.length;\n");
  ok(process.execPath, [TSC, '-p', dir], dir);
});

test("require('cmk-sim') gives the same library (the package is ESM; Node 20.19 and later load it with require)", () => {
  const child = ok(process.execPath, ['--eval', "const cmk = require('cmk-sim'); console.log(typeof cmk.runScenario, cmk.VERSION)"], consumer);
  assert.is(child.stdout.trim(), `function ${VERSION}`);
});

for (const [resolution, module] of [
  ['nodenext', 'nodenext'],
  ['bundler', 'esnext'],
] as const) {
  test(`a TypeScript project (moduleResolution ${resolution}, skipLibCheck false) type-checks the README's examples and typed uses of the library`, () => {
    const dir = join(consumer, `ts-${resolution}`);
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      // A Node project's settings: Node's types (@types/node) and no DOM.
      JSON.stringify({ compilerOptions: { target: 'es2022', lib: ['es2022'], module, moduleResolution: resolution, strict: true, skipLibCheck: false, noEmit: true }, include: ['*.ts'] }, null, 2),
    );
    readmeExamples().forEach((code, i) => writeFileSync(join(dir, `readme-${i + 1}.ts`), code));
    writeFileSync(
      join(dir, 'typed.ts'),
      `import * as fc from 'fast-check';
import { InputError, arbitraries, loadScenario, runScenario, runSweep, type RunResult, type Scenario, type ScenarioData, type SimEvent, type Sweep, type SweepOptions } from 'cmk-sim';

const scenario: Scenario = loadScenario('kv-outage-20m', { seed: 3, params: ['delayMode=worst'] });
const types: SimEvent['type'][] = [];
const result: RunResult = runScenario(scenario, { onEvent: (event: SimEvent) => types.push(event.type) });
const lost: number = result.totals.ingestion.droppedRecords;
const options: SweepOptions = { runs: 2, firstSeed: 1, shard: null, workers: 1 };
const sweep: Promise<Sweep> = runSweep(scenario, options);
const generated: fc.Arbitrary<ScenarioData> = arbitraries(fc).scenario();
const problem: unknown = new InputError([{ file: 'f.yaml', path: 'a', found: 'b', expected: 'c' }]).problems[0];
export { lost, sweep, generated, problem };
`,
    );
    assert.ok(readdirSync(dir).some((f) => f.startsWith('readme-')), 'the README shows no example that imports from cmk-sim');
    ok(process.execPath, [TSC, '-p', dir], dir);
  });
}

test('npx cmk-sim --version prints the version', () => {
  assert.is(ok('npx', ['cmk-sim', '--version'], consumer).stdout.trim(), VERSION);
});

test('npx cmk-sim list lists the built-in scenarios', () => {
  const child = ok('npx', ['cmk-sim', 'list'], consumer);
  for (const { name } of listBuiltins()) assert.match(child.stdout, new RegExp(`^${name} `, 'm'));
});

test('npx cmk-sim run kv-outage-20m writes its outputs and every expectation holds', () => {
  const child = ok('npx', ['cmk-sim', 'run', 'kv-outage-20m'], consumer);
  assert.ok(child.stdout.includes('expectations: '), child.stdout);
  const out = join(consumer, 'out', 'kv-outage-20m-seed' + (/seed (\d+)/.exec(child.stdout)?.[1] ?? '?'));
  assert.equal(readdirSync(out).sort(), ['.cmk-sim-output', 'report.html', 'series.csv', 'sla.csv', 'sla.json', 'sla.md', 'timeline.csv', 'timeline.jsonl', 'trace.json']);
});

test("the README's own-property example passes under node --test with the project's own fast-check", () => {
  const example = readmeExamples().find((code) => code.includes('fc.assert'));
  assert.ok(example !== undefined, 'the README has no property test that imports from cmk-sim');
  writeFileSync(join(consumer, 'own-property.test.mjs'), example);
  const child = ok(process.execPath, ['--test', '--test-reporter=tap', 'own-property.test.mjs'], consumer);
  assert.match(child.stdout, /^# pass 1$/m);
});

test.run();
