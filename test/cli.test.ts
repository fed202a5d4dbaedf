// The command line as INTERFACE.md fixes it: commands, exit statuses
// (0 ok, 1 an expectation failed, 2 bad input or usage, 3 internal error),
// problems named by file, field path, found and expected, the output folder,
// and the shape of sla.json. Mostly through main(args, io); twice as a
// real child process.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'csv-parse/sync';
import { PARAM_NAMES, PROFILE_NOTES, PROFILES } from '../sim/azure/profiles.ts';
import { EVENT_FIELDS } from '../sim/observe/events.ts';
import { listBuiltins } from '../scenarios/load.ts';
import { cli, REPO, show, STATUS, type Outcome } from './cli-helpers.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/cli/', import.meta.url));
const BAD = join(FIXTURES, 'bad.yaml');
const EXPECTATION_FAILS = join(FIXTURES, 'expectation-fails.yaml');
const SETUP_REFUSED = join(FIXTURES, 'setup-refused.yaml');
const OUTPUT_FILES = ['.cmk-sim-output', 'report.html', 'series.csv', 'sla.csv', 'sla.json', 'sla.md', 'timeline.csv', 'timeline.jsonl', 'trace.json'];
const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

const root = mkdtempSync(join(tmpdir(), 'cmk-sim-cli-'));
let dirs = 0;
/** A fresh path under the temporary root; not created. */
const freshPath = (label: string) => join(root, `${++dirs}-${label}`);

function assertNoStackTrace(o: Outcome): void {
  assert.not.ok(`${o.out}\n${o.err}`.includes('    at '), `a stack trace was printed:\n${show(o)}`);
}

/** A run refused before it started: exit 2, a message, no stack trace, and no output folder. */
function assertRefused(o: Outcome, outDir: string): void {
  assert.is(o.status, STATUS.badInput, show(o));
  assert.ok(o.err.trim() !== '', 'nothing said on stderr');
  assertNoStackTrace(o);
  assert.not.ok(existsSync(outDir), `the refused run created ${outDir}: ${existsSync(outDir) ? readdirSync(outDir).join(', ') : ''}`);
}

// ---- runs shared by several tests (each made once) ------------------------------

let bareRun: Promise<Outcome & { dir: string }> | undefined;
/** Bare `cmk-sim` (no arguments), in a temporary working folder. */
function runBare(): Promise<Outcome & { dir: string }> {
  bareRun ??= (async () => {
    const cwd = mkdtempSync(join(root, 'cwd-'));
    const previous = process.cwd();
    process.chdir(cwd);
    try {
      const outcome = await cli();
      return { ...outcome, dir: join(cwd, 'out', 'kv-outage-45m-seed7') };
    } finally {
      process.chdir(previous);
    }
  })();
  return bareRun;
}

let failingRun: Promise<Outcome & { dir: string }> | undefined;
function runExpectationFails(): Promise<Outcome & { dir: string }> {
  failingRun ??= (async () => {
    const dir = freshPath('expectation-fails');
    return { ...(await cli('run', EXPECTATION_FAILS, '--out', dir)), dir };
  })();
  return failingRun;
}

test.after(() => {
  rmSync(root, { recursive: true, force: true });
});

// ---- commands --------------------------------------------------------------------

test('bare cmk-sim runs kv-outage-45m into out/kv-outage-45m-seed7 under the working folder and prints its summary', async () => {
  const before = process.cwd();
  const o = await runBare();
  assert.is(process.cwd(), before, 'the working folder was not restored');
  assert.is(o.status, STATUS.ok, show(o));
  assert.match(o.out, /^kv-outage-45m: seed 7, profile 2020-11\b/);
  assert.match(o.out, /expectations: 7 of 7 held/);
  assert.ok(o.out.includes('out/kv-outage-45m-seed7/'), `the summary does not name the output folder:\n${o.out}`);
  assert.equal(readdirSync(o.dir).sort(), OUTPUT_FILES);
  const sla = JSON.parse(readFileSync(join(o.dir, 'sla.json'), 'utf8')) as { scenario: string; seed: number };
  assert.is(sla.scenario, 'kv-outage-45m');
  assert.is(sla.seed, 7);
});

test('list prints every built-in scenario with its description and exits 0', async () => {
  const o = await cli('list');
  assert.is(o.status, STATUS.ok, show(o));
  assert.is(o.err, '');
  const lines = o.out.split('\n');
  const builtins = listBuiltins();
  assert.is(builtins.length, 47);
  assert.is(lines.length, builtins.length, o.out);
  for (const b of builtins) {
    const line = lines.find((l) => l.startsWith(`${b.name} `));
    assert.ok(line !== undefined, `list does not print ${b.name}:\n${o.out}`);
    assert.ok(line.includes(b.description), `list does not print ${b.name}'s description:\n${line}`);
  }
});

test('list --profiles prints every documentation version with its date and what it changed, the default and the newest (latest) marked', async () => {
  const o = await cli('list', '--profiles');
  assert.is(o.status, STATUS.ok, show(o));
  assert.is(o.err, '');
  const lines = o.out.split('\n');
  assert.is(lines.length, PROFILES.length, o.out);
  PROFILES.forEach((profile, i) => {
    assert.ok(lines[i]!.startsWith(profile), lines[i]);
    assert.ok(lines[i]!.includes(PROFILE_NOTES[profile]), lines[i]);
  });
  assert.match(lines[0]!, /^2020-11 \(default\) +November 2020: the seed page/);
  assert.match(lines.at(-1)!, /^2026-04 \(latest\) +April 2026: /);
});

test('run --profile latest runs the newest documentation version, and sla.json names it', async () => {
  const dir = freshPath('latest');
  const o = await cli('run', 'kv-outage-20m', '--profile', 'latest', '--out', dir);
  assert.is(o.status, STATUS.ok, show(o));
  assert.match(o.out, /^kv-outage-20m: seed \d+, profile 2026-04\b/);
  assert.is((JSON.parse(readFileSync(join(dir, 'sla.json'), 'utf8')) as { profile: string }).profile, '2026-04');
});

test('validate accepts every built-in scenario and exits 0', async () => {
  const names = listBuiltins().map((b) => b.name);
  const o = await cli('validate', ...names);
  assert.is(o.status, STATUS.ok, show(o));
  assert.is(o.err, '');
  for (const name of names) assert.match(o.out, new RegExp(`^${name}: ok \\(${name}: \\d+ actions, [1-9]\\d* expectations\\)$`, 'm'));
});

test('validate of a bad file prints every problem with file, field path, found and expected, exits 2, no stack trace', async () => {
  const o = await cli('validate', BAD);
  assert.is(o.status, STATUS.badInput, show(o));
  assertNoStackTrace(o);
  const wanted: [path: string, found: string][] = [
    ['name', '"Bad_Name"'],
    ['duration', '"2x"'],
    ['keyVaults[0].keys[0].kty', '"RSX"'],
    ['workspaces[0].cluster', '"cl9"'],
    ['actions[0].for', '"soon"'],
  ];
  const lines = o.err.split('\n');
  for (const [path, found] of wanted) {
    const prefix = `${BAD}: ${path}: found ${found}; expected `;
    const line = lines.find((l) => l.startsWith(prefix));
    assert.ok(line !== undefined, `no problem "${prefix}..." in:\n${o.err}`);
    assert.ok(line.length > prefix.length + 3, `the problem at ${path} does not say what is expected: ${line}`);
  }
  assert.is(lines.length, wanted.length, `other problems than the five mistakes:\n${o.err}`);
  assert.not.match(o.out, /: ok\b/);
});

test('validate of a good and a bad file reports the good one ok, every problem of the bad one, and exits 2', async () => {
  const o = await cli('validate', 'healthy-baseline', BAD);
  assert.is(o.status, STATUS.badInput, show(o));
  assert.match(o.out, /^healthy-baseline: ok /m);
  assert.is(o.err.split('\n').filter((l) => l.startsWith(`${BAD}: `)).length, 5, o.err);
});

test('validate refuses, like run, a file whose setup: ready key update would be refused', async () => {
  const dir = freshPath('setup-refused');
  const ran = await cli('run', SETUP_REFUSED, '--out', dir);
  assert.is(ran.status, STATUS.badInput, show(ran));
  assert.ok(ran.err.startsWith(`${SETUP_REFUSED}: clusters[0].key: found cluster.update refused: 400 KeyVaultPermissionMissing`), ran.err);
  const validated = await cli('validate', SETUP_REFUSED);
  assert.is(validated.status, STATUS.badInput, `validate passes what run refuses:\n${show(validated)}`);
  assert.ok(validated.err.includes(`${SETUP_REFUSED}: clusters[0].key`), validated.err);
});

test('run of an unknown scenario name exits 2, names it and lists the built-ins', async () => {
  const dir = freshPath('unknown');
  const o = await cli('run', 'no-such-scenario', '--out', dir);
  assertRefused(o, dir);
  assert.ok(o.err.startsWith('no-such-scenario: found "no-such-scenario"; expected '), o.err);
  for (const b of listBuiltins()) assert.ok(o.err.includes(b.name), `the message does not list ${b.name}:\n${o.err}`);
});

test('--seed abc exits 2 and names --seed', async () => {
  const dir = freshPath('seed-abc');
  const o = await cli('run', 'kv-outage-45m', '--seed', 'abc', '--out', dir);
  assertRefused(o, dir);
  assert.match(o.err, /^--seed: found "abc"; expected /m);
});

test('--param nope=1 exits 2 and lists every known parameter name', async () => {
  const dir = freshPath('param-nope');
  const o = await cli('run', 'kv-outage-45m', '--param', 'nope=1', '--out', dir);
  assertRefused(o, dir);
  assert.match(o.err, /--param/);
  assert.match(o.err, /\bnope\b/);
  for (const name of PARAM_NAMES) assert.ok(o.err.includes(name), `the message does not list the parameter ${name}:\n${o.err}`);
});

test('a scenario whose expectation fails exits 1, says which, and still writes its outputs', async () => {
  const o = await runExpectationFails();
  assert.is(o.status, STATUS.expectationFailed, show(o));
  assert.match(o.out, /expectations: 1 of 2 held/);
  assert.match(o.out, /FAILED totals\.ingestion\.offeredRecords equals -1: actual \d+/);
  assert.equal(readdirSync(o.dir).sort(), OUTPUT_FILES);
  const sla = JSON.parse(readFileSync(join(o.dir, 'sla.json'), 'utf8')) as { expectations: { metric: string; pass: boolean }[] };
  assert.equal(
    sla.expectations.map((e) => [e.metric, e.pass]),
    [
      ['totals.ingestion.droppedRecords', true],
      ['totals.ingestion.offeredRecords', false],
    ],
  );
  assert.ok(readFileSync(join(o.dir, 'timeline.jsonl'), 'utf8').length > 0);
  assert.ok(readFileSync(join(o.dir, 'sla.md'), 'utf8').length > 0);
});

test('--help exits 0, lists the commands and mentions --seed, --out, --profile and --param', async () => {
  const o = await cli('--help');
  assert.is(o.status, STATUS.ok, show(o));
  for (const command of ['run', 'validate', 'list']) assert.match(o.out, new RegExp(`cmk-sim ${command}\\b`));
  for (const option of ['--seed', '--out', '--profile', '--param']) assert.ok(o.out.includes(option), `--help does not mention ${option}:\n${o.out}`);
});

test('run --help exits 0 and mentions --seed, --out, --profile and --param', async () => {
  const o = await cli('run', '--help');
  assert.is(o.status, STATUS.ok, show(o));
  for (const option of ['--seed', '--out', '--profile', '--param']) assert.ok(o.out.includes(option), `run --help does not mention ${option}:\n${o.out}`);
});

test('an unknown command exits 2 and names it, without a stack trace', async () => {
  const o = await cli('frobnicate');
  assert.is(o.status, STATUS.badInput, show(o));
  assert.match(o.err, /frobnicate/);
  assertNoStackTrace(o);
});

test('run without a scenario exits 2', async () => {
  const o = await cli('run');
  assert.is(o.status, STATUS.badInput, show(o));
  assertNoStackTrace(o);
});

// ---- outputs ---------------------------------------------------------------------

test('after a run the output folder holds exactly the timeline (JSONL and CSV) and the SLA report (JSON, Markdown, CSV), and no temporary file', async () => {
  for (const o of [await runBare(), await runExpectationFails()]) {
    const names = readdirSync(o.dir).sort();
    assert.equal(names, OUTPUT_FILES, `${o.dir} holds ${names.join(', ')}`);
    assert.not.ok(names.some((n) => n.includes('.tmp')));
  }
});

test('timeline.csv holds the same events as timeline.jsonl, flat: t, time, type, entity, then a column per field of the event table', async () => {
  const o = await runBare();
  const jsonl = readFileSync(join(o.dir, 'timeline.jsonl'), 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  const [header, ...rows] = parse(readFileSync(join(o.dir, 'timeline.csv'), 'utf8')) as string[][];
  const fields = [...new Set(Object.values(EVENT_FIELDS).flatMap((f) => Object.keys(f)))];
  assert.equal(header, ['t', 'time', 'type', 'entity', ...fields]);
  assert.is(rows.length, jsonl.length);
  rows.forEach((row, i) => {
    const event = jsonl[i]!;
    header!.forEach((column, c) => {
      const value = event[column];
      const expected = value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
      assert.is(row[c], expected, `event ${i} (${String(event.type)}), column ${column}`);
    });
  });
});

test('sla.csv: one row per workspace and a total', async () => {
  const o = await runBare();
  const sla = JSON.parse(readFileSync(join(o.dir, 'sla.json'), 'utf8')) as { workspaces: Record<string, { ingestion: { offeredRecords: number } }> };
  const rows = readFileSync(join(o.dir, 'sla.csv'), 'utf8').trimEnd().split('\n');
  assert.ok(rows[0]!.startsWith('workspace,storage,cluster,offeredRecords,'));
  assert.is(rows.length, Object.keys(sla.workspaces).length + 2);
  const [name, ws] = Object.entries(sla.workspaces)[0]!;
  assert.ok(rows[1]!.startsWith(`${name},`) && rows[1]!.split(',')[3] === String(ws.ingestion.offeredRecords), rows[1]);
  assert.ok(rows.at(-1)!.startsWith('(total),'));
});

test('a run refused for bad input creates no output files', async () => {
  const cases: string[][] = [
    ['run', 'kv-outage-45m', '--seed', 'abc'],
    ['run', 'kv-outage-45m', '--param', 'nope=1'],
    ['run', 'kv-outage-45m', '--profile', '1999-01'],
    ['run', BAD],
    ['run', 'no-such-scenario'],
  ];
  for (const args of cases) {
    const dir = freshPath('refused');
    const o = await cli(...args, '--out', dir);
    assert.is(o.status, STATUS.badInput, `${args.join(' ')}: ${show(o)}`);
    assertRefused(o, dir);
  }
  // Refused later, when setup configures the key: no file either (the folder may exist, empty).
  const dir = freshPath('setup-refused');
  const o = await cli('run', SETUP_REFUSED, '--out', dir);
  assert.is(o.status, STATUS.badInput, show(o));
  assertNoStackTrace(o);
  assert.equal(existsSync(dir) ? readdirSync(dir) : [], [], 'a run refused at setup left files');
});

// ---- sla.json --------------------------------------------------------------------

type Json = Record<string, unknown>;

function field(obj: unknown, path: string): unknown {
  let value: unknown = obj;
  for (const part of path.split('.')) {
    assert.ok(typeof value === 'object' && value !== null && Object.hasOwn(value, part), `sla.json has no ${path}`);
    value = (value as Json)[part];
  }
  return value;
}

const isCount = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
const isMsOrNull = (v: unknown) => v === null || isCount(v);
const isFraction = (v: unknown) => typeof v === 'number' && v >= 0 && v <= 1;

function assertFields(obj: unknown, where: string, checks: Record<string, (v: unknown) => boolean>): void {
  for (const [path, ok] of Object.entries(checks)) {
    const value = field(obj, path);
    assert.ok(ok(value), `${where}.${path} is ${JSON.stringify(value)}`);
  }
}

const INGESTION_CHECKS = {
  offeredRecords: isCount,
  storedCmkRecords: isCount,
  storedMmkRecords: isCount,
  bufferedRecords: isCount,
  replayedRecords: isCount,
  droppedRecords: isCount,
  'droppedByReason.revoked': isCount,
  'droppedByReason.notProvisioned': isCount,
  'droppedByReason.bufferExpired': isCount,
};

const QUERY_CHECKS = { attempted: isCount, succeeded: isCount, failed: isCount, availability: isFraction, unavailableMs: isCount };

function assertSlaShape(sla: Json): void {
  assertFields(sla, 'sla', {
    scenario: (v) => typeof v === 'string' && /^[a-z0-9-]+$/.test(v),
    seed: isCount,
    profile: (v) => typeof v === 'string' && v !== '',
    version: (v) => v === VERSION,
    start: (v) => typeof v === 'string' && new Date(v).toISOString() === v,
    durationMs: (v) => isCount(v) && (v as number) > 0,
  });
  assertFields(field(sla, 'totals.ingestion'), 'totals.ingestion', INGESTION_CHECKS);
  assertFields(field(sla, 'totals.query'), 'totals.query', {
    ...QUERY_CHECKS,
    'latencyMs.p50': isCount,
    'latencyMs.p95': isCount,
    'latencyMs.p99': isCount,
  });
  assertFields(field(sla, 'totals.keyVault'), 'totals.keyVault', { unwrapCalls: isCount, unwrapFailures: isCount, throttled: isCount });
  const workspaces = field(sla, 'workspaces') as Json;
  assert.ok(Object.keys(workspaces).length > 0, 'no workspaces');
  for (const [name, ws] of Object.entries(workspaces)) {
    assertFields(field(ws, 'ingestion'), `workspaces.${name}.ingestion`, INGESTION_CHECKS);
    assertFields(field(ws, 'query'), `workspaces.${name}.query`, QUERY_CHECKS);
  }
  const incidents = field(sla, 'incidents');
  assert.ok(Array.isArray(incidents), 'incidents is not a list');
  incidents.forEach((incident, i) =>
    assertFields(incident, `incidents[${i}]`, {
      kind: (v) => v === 'outage' || v === 'revocation',
      cause: (v) => typeof v === 'string' && v.includes('.'),
      startMs: isCount,
      unavailableAtMs: isMsOrNull,
      restoredAtMs: isMsOrNull,
      resumedAtMs: isMsOrNull,
      bufferedRecords: isCount,
      droppedRecords: isCount,
    }),
  );
  const operations = field(sla, 'operations');
  assert.ok(Array.isArray(operations), 'operations is not a list');
  operations.forEach((operation, i) =>
    assertFields(operation, `operations[${i}]`, {
      atMs: isCount,
      action: (v) => typeof v === 'string' && v.includes('.'),
      target: (v) => typeof v === 'string' && v !== '',
      status: (v) => typeof v === 'string' && v !== '',
      code: (v) => v === null || typeof v === 'string',
      message: (v) => v === null || typeof v === 'string',
      completedAtMs: isMsOrNull,
    }),
  );
  assertFields(sla, 'sla', { 'invariants.checked': isCount, 'invariants.violations': Array.isArray });
  const expectations = field(sla, 'expectations');
  assert.ok(Array.isArray(expectations), 'expectations is not a list');
  expectations.forEach((e, i) => {
    assertFields(e, `expectations[${i}]`, {
      metric: (v) => typeof v === 'string' && v !== '',
      op: (v) => ['equals', 'atLeast', 'atMost', 'lessThan', 'greaterThan'].includes(v as string),
      pass: (v) => typeof v === 'boolean',
    });
    assert.ok(Object.hasOwn(e as Json, 'value') && Object.hasOwn(e as Json, 'actual'), `expectations[${i}] lacks value or actual`);
  });
  assertFields(sla, 'sla', { 'slo.target': isFraction, 'slo.availability': isFraction, 'slo.errorBudgetUsed': (v) => typeof v === 'number' && v >= 0 });
}

test('sla.json of kv-outage-45m has the shape INTERFACE.md gives', async () => {
  const o = await runBare();
  const sla = JSON.parse(readFileSync(join(o.dir, 'sla.json'), 'utf8')) as Json;
  assertSlaShape(sla);
  assert.is(sla.scenario, 'kv-outage-45m');
  assert.is(sla.seed, 7);
  assert.is(sla.profile, '2020-11');
  assert.is(sla.start, '2026-01-01T00:00:00.000Z');
  assert.is(sla.durationMs, 2 * 24 * 3600 * 1000);
  assert.ok((sla.incidents as unknown[]).length > 0, 'a 45-minute outage with no incident');
  assert.is((sla.expectations as unknown[]).length, 7);
});

test('sla.json of a run with operations and incidents has the shape INTERFACE.md gives, operations included', async () => {
  const o = await runExpectationFails();
  const sla = JSON.parse(readFileSync(join(o.dir, 'sla.json'), 'utf8')) as Json;
  assertSlaShape(sla);
  const operations = sla.operations as Json[];
  assert.equal(
    operations.map((op) => [op.action, op.target, op.status]),
    [
      ['key.rotate', 'kv1', 'Succeeded'],
      ['cluster.update', 'cl1', 'Succeeded'],
    ],
  );
  assert.ok((sla.incidents as unknown[]).length > 0, 'an outage with no incident');
});

test('cmk-sim --version prints the package version and exits 0', async () => {
  const o = await cli('--version');
  assert.is(o.status, STATUS.ok, show(o));
  assert.is(o.out, VERSION);
  assert.is(o.err, '');
});

// ---- the real command ------------------------------------------------------------

function spawnNode(args: string[]) {
  const env = { ...process.env };
  delete env.CMK_SIM_DEBUG;
  return spawnSync(process.execPath, args, { cwd: REPO, encoding: 'utf8', env });
}

test('the CLI as a process: sim/cli.ts run nope exits 2 and says why on stderr', () => {
  const child = spawnNode(['--import', 'tsx', 'sim/cli.ts', 'run', 'nope']);
  assert.is(child.error, undefined);
  assert.is(child.status, STATUS.badInput, `status ${child.status}\nstdout: ${child.stdout}\nstderr: ${child.stderr}`);
  assert.ok(child.stderr.startsWith('nope: found "nope"; expected a scenario file'), child.stderr);
  assert.ok(child.stderr.includes('kv-outage-45m'), child.stderr);
  assert.not.ok(child.stderr.includes('    at '), child.stderr);
  assert.is(child.stdout, '');
});

// The project's runner (uvu -r tsx) loads files as CommonJS: the CLI must not use top-level await.
test('sim/cli.ts can be loaded the way uvu -r tsx loads test files (CommonJS require)', () => {
  const child = spawnNode(['--require', 'tsx', '--eval', "const cli = require('./sim/cli.ts'); if (typeof cli.main !== 'function') process.exit(5);"]);
  const why = child.stderr.split('\n').filter((l) => l.length < 300 && /ERROR:|^\w*Error\b|code:/.test(l)).join('\n');
  assert.is(child.status, 0, `require('./sim/cli.ts') under tsx failed:\n${why}`);
});

test.run();
