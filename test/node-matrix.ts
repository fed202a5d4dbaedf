// `npm run test:node-matrix`: the test suite under each maintained Node line (22 and 24), and
// the same outputs from all of them. Each Node comes from the npm registry's `node` package,
// installed once into node_modules/.cache/node-matrix/<major>/ (npm refreshes it to that line's
// newest release). `npm test` runs with that Node first on PATH, so npm, tsc, uvu and the
// packed-tarball test all run under it. Then a run and a sweep are written with each Node, and
// with the Node running this script, and every file must be byte-identical across them.
// Not part of `npm test`: it downloads two Node builds and runs the suite twice.

import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const MAJORS = ['22', '24'] as const;
const CACHE_DIR = join(REPO, 'node_modules', '.cache', 'node-matrix');
/** What each Node writes: cmk-sim arguments, with the output folder appended. */
const OUTPUT_RUNS: Record<string, string[]> = {
  run: ['run', 'kv-outage-45m'],
  sweep: ['sweep', 'kv-outage-45m-random-faults', '--runs', '20', '--workers', '2'],
};

interface NodeBuild {
  version: string;
  binDir: string;
}

function check(command: string, args: readonly string[], options: SpawnSyncOptions = {}): string {
  const child = spawnSync(command, args, { cwd: REPO, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (child.error !== undefined) throw child.error;
  if (child.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${child.status ?? child.signal}\n${child.stdout ?? ''}${child.stderr ?? ''}`);
  return String(child.stdout ?? '');
}

/** The environment in which `node` (and every `#!/usr/bin/env node` script) is this build. */
function envWith(binDir: string): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `${binDir}${delimiter}${process.env.PATH ?? ''}` };
}

/** Installs the newest release of a Node line from the registry's `node` package. */
function install(major: string): NodeBuild {
  const dir = join(CACHE_DIR, major);
  mkdirSync(dir, { recursive: true });
  // The package fetches the build for this platform in an install script, which npm 11 runs only when allowed.
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ private: true, dependencies: { node: major }, allowScripts: { node: true } }, null, 2) + '\n');
  check('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock'], { cwd: dir });
  const binDir = join(dir, 'node_modules', '.bin');
  const version = check('node', ['--version'], { env: envWith(binDir) }).trim();
  if (!version.startsWith(`v${major}.`)) throw new Error(`node_modules/.cache/node-matrix/${major} holds Node ${version}, not Node ${major}`);
  return { version, binDir };
}

/** Every file under dir, as paths relative to it, sorted. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? filesUnder(dir, join(prefix, entry.name)) : [join(prefix, entry.name)]))
    .sort();
}

console.log(`node-matrix: installing Node ${MAJORS.join(' and ')} from the npm registry`);
const builds = MAJORS.map(install);
const failures: string[] = [];

for (const build of builds) {
  console.log(`\nnode-matrix: npm test under Node ${build.version}`);
  const suite = spawnSync('npm', ['test'], { cwd: REPO, stdio: 'inherit', env: envWith(build.binDir) });
  if (suite.status !== 0) failures.push(`npm test under Node ${build.version} exited with ${suite.status ?? suite.signal ?? suite.error}`);
}

// The outputs: the same commands under each Node, and under the one running this script.
check('npm', ['run', 'build']);
const scratch = mkdtempSync(join(tmpdir(), 'cmk-sim-node-matrix-'));
const writers = [{ version: process.version, env: process.env }, ...builds.filter((b) => b.version !== process.version).map((b) => ({ version: b.version, env: envWith(b.binDir) }))];
const outputs = writers.map(({ version, env }) => {
  const dir = join(scratch, version);
  for (const [name, args] of Object.entries(OUTPUT_RUNS)) check('node', [join('dist', 'sim', 'cli.js'), ...args, '--out', join(dir, name)], { env });
  return { version, dir, files: filesUnder(dir) };
});
const [reference, ...others] = outputs;
for (const other of others) {
  if (other.files.join('\n') !== reference!.files.join('\n')) failures.push(`Node ${other.version} wrote ${other.files.join(', ')}; Node ${reference!.version} wrote ${reference!.files.join(', ')}`);
  for (const file of reference!.files.filter((f) => other.files.includes(f))) {
    if (!readFileSync(join(other.dir, file)).equals(readFileSync(join(reference!.dir, file)))) failures.push(`${file} differs between Node ${reference!.version} and Node ${other.version}`);
  }
}
rmSync(scratch, { recursive: true, force: true });

console.log('');
for (const build of builds) console.log(`node-matrix: npm test under Node ${build.version}: ${failures.some((f) => f.startsWith(`npm test under Node ${build.version} `)) ? 'FAILED' : 'passed'}`);
const commands = Object.values(OUTPUT_RUNS).map((args) => `cmk-sim ${args.join(' ')}`).join('; ');
console.log(`node-matrix: ${reference!.files.length} output files (${commands}) compared under Node ${outputs.map((o) => o.version).join(', ')}`);
for (const failure of failures) console.error(`node-matrix: ${failure}`);
console.log(failures.length === 0 ? 'node-matrix: every suite passed; every output file is byte-identical' : `node-matrix: ${failures.length} problem(s), above`);
process.exitCode = failures.length === 0 ? 0 : 1;
