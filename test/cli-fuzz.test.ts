// The command line fuzzed: generated bad arguments and bad files, given to
// run, sweep, explore, validate and merge, past the bounds of every number
// (sim/limits.ts) and the work budget (sim/work.ts) too. Every case is
// refused before any work with exit 2, each line of stderr a problem naming the flag or the
// file ("where: found ...; expected ..."), no stack trace, never exit 3,
// and nothing written. FC_SEED and FC_RUNS change the seed and the number
// of cases (a few seconds at the default 200).

import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { stringify as toYaml } from 'yaml';
import { PROFILE_CHOICES } from '../sim/azure/profiles.ts';
import { MAX_SWEEP_RUNS, parseShard } from '../sim/sweep/plan.ts';
import { tryParseDuration } from '../sim/engine/duration.ts';
import { MAX_QUERIES_PER_HOUR, MAX_RECORDS_PER_MINUTE, MAX_WORKSPACES } from '../sim/limits.ts';
import { cli, show, STATUS, type Outcome } from './cli-helpers.ts';

const SEED = Number(process.env.FC_SEED ?? 20260111);
const RUNS = Number(process.env.FC_RUNS ?? 200);

const root = mkdtempSync(join(tmpdir(), 'cmk-sim-fuzz-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

const SMALL = {
  name: 'small',
  duration: '1h',
  params: { modelShortcutOctKeys: true },
  keyVaults: [{ name: 'kv1', keys: [{ name: 'cmk', kty: 'oct-HSM' }] }],
  clusters: [{ name: 'cl1', storageAccounts: 1, key: { vault: 'kv1', name: 'cmk' } }],
  workspaces: [{ name: 'ws1', cluster: 'cl1', ingest: { gbPerDay: 10, recordsPerMinute: 10 }, query: { perHour: 10, lookback: '1h' } }],
};
const SMALL_FILE = join(root, 'small.yaml');
writeFileSync(SMALL_FILE, toYaml(SMALL));

// Paths in the way of --out, made once.
const A_FILE = join(root, 'a-file');
writeFileSync(A_FILE, 'mine\n');
const FOREIGN = join(root, 'foreign');
mkdirSync(FOREIGN);
writeFileSync(join(FOREIGN, 'notes.txt'), 'mine\n');
// The tests run in the repository's folder: "." and ".." are folders with files and no marker.
const BAD_OUT: Record<string, string> = { empty: '', file: A_FILE, underFile: join(A_FILE, 'x'), foreign: FOREIGN, tooLong: join(root, 'x'.repeat(300)), root: '/', here: '.', up: '..' };

// ---- bad values, each refused on its own -------------------------------------------

/** Text, printable or any code point but NUL (no shell can pass it), that is not a flag of its own (`--seed --help` asks for help, rightly). */
const text = fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 30 }).map((s) => s.replaceAll('\0', ''))).filter((s) => !s.startsWith('--'));
const notWhole = fc.oneof(fc.integer({ max: 0 }).map(String), fc.integer().map((n) => `${n}.5`), fc.constantFrom('abc', 'NaN', 'Infinity', '1e999', ''));
const BAD_FLAGS = {
  seed: fc.oneof(text.filter((s) => !/^\d+$/.test(s)), fc.bigInt({ min: 2n ** 53n, max: 2n ** 70n }).map(String), fc.integer({ max: -1 }).map(String)),
  sweepRuns: fc.oneof(notWhole, fc.integer({ min: MAX_SWEEP_RUNS + 1 }).map(String)),
  exploreRuns: notWhole,
  workers: notWhole,
  // The sweeps below have 2 runs: 0/3 and up name more shards than runs.
  shard: fc.oneof(text.filter((s) => parseShard(s) === undefined), fc.integer({ min: 3, max: 10_000 }).map((n) => `0/${n}`), fc.constantFrom('-1/2', '3/2', '1/0')),
  param: fc.oneof(
    fc.constant(null),
    text.filter((s) => !s.includes('=')),
    text.map((v) => `nope=${v}`),
    fc.constantFrom('outageToUnavailable=abc', 'outageToUnavailable=3', 'delayMode=sometimes', 'brokenRule=maybe', 'unwrapPollInterval=[1s]', '=5m', 'mmkBufferMaxAge=1096d'),
    // Past the work budget in every command: a sampled query every millisecond.
    fc.constant('querySampleInterval=1ms'),
  ),
  maxCpu: fc.oneof(text.filter((s) => (tryParseDuration(s) ?? 0) <= 0), fc.constantFrom('0s', '-5m', '5', 'PT0S')),
  maxMemory: fc.oneof(text.filter((s) => !/^\d+(\.\d+)?\s*[MGT]i?B$/.test(s.trim())), fc.constantFrom('0GiB', '0.0MB', '12', '-1GiB', '8 gigabytes', '1e999GiB')),
  profile: text.filter((s) => !PROFILE_CHOICES.includes(s)),
  path: text.filter((s) => !/^\d+(:\d+)*$/.test(s)),
  out: fc.constantFrom(...Object.keys(BAD_OUT)),
};
type FlagName = keyof typeof BAD_FLAGS;

/** Field paths of SMALL and values each of which is wrong there. */
const BAD_FIELDS: [path: (string | number)[], values: unknown[]][] = [
  [['name'], ['Bad_Name', '', 42, [], {}, null]],
  [['duration'], ['soon', '0s', '45', '2x', -1, true]],
  [['seed'], [-1, 'abc', 1.5]],
  [['profile'], ['1999-01', 7]],
  [['keyVaults', 0, 'keys', 0, 'kty'], ['RSX', 0]],
  [['clusters', 0, 'storageAccounts'], [0, 'two', 1.5]],
  [['clusters', 0, 'key', 'vault'], ['kv9']],
  [['workspaces', 0, 'cluster'], ['cl9', 5]],
  [['workspaces', 0, 'ingest', 'gbPerDay'], [-5, 'x']],
  [['workspaces', 0, 'query', 'lookback'], ['soon']],
  [['frobnicate'], [1]],
  // Past the bounds (sim/limits.ts) and the work budget (sim/work.ts).
  [['duration'], ['1096d', '99999999d', 'P9999D']],
  [['workspaces', 0, 'ingest', 'recordsPerMinute'], [Number.MAX_SAFE_INTEGER, MAX_RECORDS_PER_MINUTE + 1]],
  [['workspaces', 0, 'query', 'perHour'], [1e308, MAX_QUERIES_PER_HOUR + 0.5]],
  [['workspaces', 0, 'ingest', 'gbPerDay'], [1e7]],
  [['workspaces', 0, 'query', 'lookback'], ['99999999d']],
  [['clusters', 0, 'storageAccounts'], [65]],
  [['workspaces'], [Array.from({ length: MAX_WORKSPACES + 1 }, (_, i) => ({ name: `w${i}` }))]],
  [['params', 'querySampleInterval'], ['1ms']],
  [['params', 'unwrapPollInterval'], ['1ms..1096d']],
  [['faults'], [[{ process: 'keyVault.outage', vault: 'kv1', meanTimeBetween: '1ms', duration: '1s' }], [{ process: 'keyVault.transient', vault: 'kv1', meanTimeBetween: '1h', duration: { lognormal: { median: '1m', p90: '1096d' } }, failureRate: 0.5 }]]],
  [['actions'], ['x', [{ at: 'soon', do: 'keyVault.outage', vault: 'kv1', for: '1m' }], [{ at: '1m', do: 'nope' }]]],
  [['params', 'outageToUnavailable'], ['abc', 3]],
  [['params', 'nope'], [1]],
];

function mutated(changes: [number, number][]): unknown {
  const data = structuredClone(SMALL) as Record<string, unknown>;
  for (const [field, value] of changes) {
    const [path, values] = BAD_FIELDS[field % BAD_FIELDS.length]!;
    let at = data as Record<string | number, unknown>;
    for (const key of path.slice(0, -1)) at = (at[key] ??= {}) as Record<string | number, unknown>;
    at[path.at(-1)!] = values[value % values.length];
  }
  return data;
}

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const laughs = () => {
  const lines = ['name: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (const [i, anchor] of [...'bcdefgh'].entries()) lines.push(`${anchor}: &${anchor} [${Array(9).fill(`*${i === 0 ? 'a' : 'bcdefgh'[i - 1]}`).join(', ')}]`);
  return `${lines.join('\n')}\nduration: 1h\n`;
};

/** A bad scenario file: its extension and its bytes. */
const badFile = fc.oneof(
  fc.tuple(fc.constantFrom('yaml', 'json'), fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 3 })).map(([ext, changes]) => {
    const data = mutated(changes);
    return { ext, bytes: ext === 'json' ? JSON.stringify(data) : toYaml(data) };
  }),
  fc.tuple(fc.constantFrom('yaml', 'json'), fc.uint8Array({ maxLength: 200 })).map(([ext, bytes]) => ({ ext, bytes: Buffer.from(bytes).toString('latin1') })),
  fc.tuple(fc.constantFrom('yaml', 'json'), fc.integer({ min: 65, max: 3000 })).map(([ext, depth]) => ({ ext, bytes: ext === 'json' ? `{"name": ${nested(depth)}, "duration": "1h"}` : `name: ${nested(depth)}\nduration: 1h\n` })),
  fc.constantFrom(
    { ext: 'yaml', bytes: laughs() },
    { ext: 'yaml', bytes: `x: &x 1\ndescription: [${Array(10_001).fill('*x').join(', ')}]\nname: a\nduration: 1h\n` },
    { ext: 'yaml', bytes: 'name: &loop [*loop]\nduration: 1h\n' },
    { ext: 'yaml', bytes: '' },
    { ext: 'yaml', bytes: 'name: [unclosed\n' },
    { ext: 'json', bytes: '{"name": "a",' },
    // JSON.parse names the control character it stopped at: printed raw, a CR would garble the line.
    { ext: 'json', bytes: '\nf\r\u0019' },
    { ext: 'txt', bytes: toYaml(SMALL) },
  ),
);

/** A bad sweep folder for merge: a sweep.json of random or out-of-range fields, and no usable runs.csv. */
const badSweepFolder = fc.oneof(
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.record({ runs: fc.oneof(fc.integer({ min: MAX_SWEEP_RUNS + 1 }), fc.integer({ max: 0 }), fc.constant(1e9)), firstSeed: fc.oneof(fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER)) }).map((m) =>
    JSON.stringify({ scenario: 'small', scenarioDigest: 'sha256:0', profile: '2020-11', version: '0.1.0', shard: null, ...m }),
  ),
  fc.string({ maxLength: 50 }),
);

type Case =
  | { command: 'run' | 'sweep' | 'explore'; flags: [FlagName, string | null][]; file: { ext: string; bytes: string } | null }
  | { command: 'validate'; flags: [FlagName, string | null][]; file: { ext: string; bytes: string } }
  | { command: 'merge'; flags: [FlagName, string | null][]; sweepJson: string };

const someFlags = (names: FlagName[], min: number) =>
  fc.uniqueArray(fc.constantFrom(...names), { minLength: min, maxLength: 3 }).chain((chosen) => fc.tuple(...chosen.map((name) => BAD_FLAGS[name].map((value): [FlagName, string | null] => [name, value]))));

const cases: fc.Arbitrary<Case> = fc.oneof(
  fc.tuple(fc.constantFrom('run', 'sweep') as fc.Arbitrary<'run' | 'sweep'>, fc.option(badFile, { nil: null })).chain(([command, file]) => {
    const names: FlagName[] = command === 'run' ? ['seed', 'profile', 'param', 'out', 'maxCpu', 'maxMemory'] : ['seed', 'sweepRuns', 'workers', 'shard', 'profile', 'param', 'out', 'maxCpu', 'maxMemory'];
    return someFlags(names, file === null ? 1 : 0).map((flags): Case => ({ command, flags, file }));
  }),
  someFlags(['seed', 'exploreRuns', 'path', 'profile', 'param', 'out', 'maxCpu', 'maxMemory'], 1).map((flags): Case => ({ command: 'explore', flags, file: null })),
  fc.tuple(badFile, fc.option(someFlags(['maxCpu', 'maxMemory'], 1), { nil: null })).map(([file, flags]): Case => ({ command: 'validate', flags: flags ?? [], file })),
  fc.tuple(badSweepFolder, fc.option(BAD_FLAGS.out, { nil: null })).map(([sweepJson, out]): Case => ({ command: 'merge', flags: out === null ? [] : [['out', out]], sweepJson })),
);

const FLAG_OF: Record<FlagName, string> = { seed: '--seed', sweepRuns: '--runs', exploreRuns: '--runs', workers: '--workers', shard: '--shard', param: '--param', profile: '--profile', path: '--path', out: '--out', maxCpu: '--max-cpu', maxMemory: '--max-memory' };

let made = 0;

/** The arguments of a case, the names its problems may be reported under, and the fresh output folder that must stay unwritten. */
function argsOf(c: Case): { args: string[]; names: string[]; out: string | null } {
  const dir = join(root, `case-${++made}`);
  mkdirSync(dir);
  const names: string[] = [];
  const args: string[] = [c.command];
  if (c.command === 'merge') {
    writeFileSync(join(dir, 'sweep.json'), c.sweepJson);
    args.push(dir);
    names.push(dir, join(dir, 'sweep.json'), join(dir, 'runs.csv'), 'merge');
  } else if (c.command !== 'explore') {
    const file = c.file === null ? SMALL_FILE : join(dir, `scenario.${c.file.ext}`);
    if (c.file !== null) writeFileSync(file, c.file.bytes, 'latin1');
    args.push(file);
    names.push(file);
  }
  let out: string | null = c.command === 'validate' ? null : join(dir, 'out');
  for (const [name, value] of c.flags) {
    const flag = FLAG_OF[name];
    names.push(flag);
    if (name === 'out') {
      out = null;
      names.push(BAD_OUT[value!]!);
      args.push(flag, BAD_OUT[value!]!);
    } else if (value === null) args.push(flag);
    else args.push(flag, value);
  }
  if (c.command === 'sweep' && !c.flags.some(([name]) => name === 'sweepRuns')) args.push('--runs', '2');
  if (c.command === 'sweep' && !c.flags.some(([name]) => name === 'workers')) args.push('--workers', '1');
  if (out !== null) args.push('--out', out);
  return { args, names, out };
}

function assertRefused(o: Outcome, names: string[], out: string | null, args: string[]): void {
  const context = `cmk-sim ${args.map((a) => JSON.stringify(a)).join(' ')}\n${show(o)}`;
  assert.is(o.status, STATUS.badInput, context);
  assert.not.ok(`${o.out}\n${o.err}`.includes('    at '), `a stack trace:\n${context}`);
  for (const line of o.err.trimEnd().split('\n')) {
    assert.ok(names.some((name) => line.startsWith(`${name}: `)), `a line that names no flag or file of the case: ${line}\n${context}`);
    assert.match(line, /: found .*; expected ./, `not a problem: ${line}\n${context}`);
  }
  if (out !== null) assert.equal(readdirSync(join(out, '..')).filter((name) => name.startsWith('out') || name.startsWith('.out')), [], `something was written:\n${context}`);
}

test(`generated bad arguments and bad files are each refused with exit 2, naming the flag or the file, without a stack trace (seed ${SEED}, ${RUNS} cases)`, async () => {
  console.log(`cli-fuzz: fast-check seed ${SEED}, ${RUNS} cases (FC_SEED and FC_RUNS change them)`);
  await fc.assert(
    fc.asyncProperty(cases, async (c) => {
      const { args, names, out } = argsOf(c);
      assertRefused(await cli(...args), names, out, args);
    }),
    { seed: SEED, numRuns: RUNS, endOnFailure: true },
  );
  assert.equal(readdirSync(root).filter((name) => /\.(tmp|old|probe)-\d+$/.test(name)), [], 'a temporary was left');
});

test.run();
