// `cmk-sim init [name] [--from <builtin>]` writes a starting scenario that an
// editor understands (its first line points at the schema); `cmk-sim show
// <builtin>` prints a built-in. Wrong names are bad input (exit 2, "did you
// mean"), and init never overwrites a file.

import { Ajv2020 } from 'ajv/dist/2020.js';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { listBuiltins } from '../scenarios/load.ts';
import { schemaReference } from '../scenarios/starter.ts';
import { cli } from './cli-helpers.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
const MODELINE = '# yaml-language-server: $schema=';
const root = mkdtempSync(join(tmpdir(), 'cmk-sim-init-'));
test.after(() => rmSync(root, { recursive: true, force: true }));
let folders = 0;
const freshFolder = (label: string) => {
  const dir = join(root, `${++folders}-${label}`);
  mkdirSync(dir);
  return dir;
};

/** Runs the CLI with `dir` as the working folder. */
async function cliIn(dir: string, ...args: string[]) {
  const previous = process.cwd();
  process.chdir(dir);
  try {
    return await cli(...args);
  } finally {
    process.chdir(previous);
  }
}

const schema = JSON.parse(readFileSync(join(REPO, 'scenarios/scenario.schema.json'), 'utf8')) as object;
const ajv = new Ajv2020({ allErrors: true, allowUnionTypes: true, strictRequired: false });
ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' });
const validate = ajv.compile(schema);

test('init writes my-scenario.yaml in the working folder; it validates, runs as it is, and every expectation holds', async () => {
  const dir = freshFolder('default');
  const o = await cliIn(dir, 'init');
  assert.is(o.status, 0, o.err);
  assert.equal(readdirSync(dir), ['my-scenario.yaml']);
  assert.match(o.out, /^wrote my-scenario\.yaml: a starting scenario, commented line by line;/);
  const file = join(dir, 'my-scenario.yaml');
  assert.is((await cli('validate', file)).status, 0);
  const run = await cli('run', file, '--out', join(dir, 'out'));
  assert.is(run.status, 0, `${run.out}\n${run.err}`);
  assert.match(run.out, /^my-scenario: seed 1, profile 2020-11, 1d simulated/);
  assert.match(run.out, /expectations: 3 of 3 held/);
});

test('the starting scenario is commented line by line: every line but a list heading says what it is, and it validates against the schema', async () => {
  const dir = freshFolder('comments');
  await cliIn(dir, 'init', 'outage-drill');
  const text = readFileSync(join(dir, 'outage-drill.yaml'), 'utf8');
  const uncommented = text.split('\n').filter((l) => l !== '' && !l.includes('#') && !/^\s*(keyVaults|clusters|workspaces|keys):$/.test(l));
  assert.equal(uncommented, []);
  const data = parse(text) as { name: string };
  assert.is(data.name, 'outage-drill');
  assert.ok(validate(data), JSON.stringify(validate.errors));
});

test('the schema line points at node_modules/cmk-sim/scenarios/scenario.schema.json, relative to the file, when a folder above has it', async () => {
  const project = freshFolder('project');
  mkdirSync(join(project, 'node_modules/cmk-sim/scenarios'), { recursive: true });
  writeFileSync(join(project, 'node_modules/cmk-sim/scenarios/scenario.schema.json'), '{}');
  const o = await cliIn(project, 'init', 'drill', '--out', 'scenarios/drills/drill.yaml');
  assert.is(o.status, 0, o.err);
  const first = readFileSync(join(project, 'scenarios/drills/drill.yaml'), 'utf8').split('\n')[0];
  assert.is(first, `${MODELINE}../../node_modules/cmk-sim/scenarios/scenario.schema.json`);
  assert.ok(existsSync(resolve(join(project, 'scenarios/drills'), '../../node_modules/cmk-sim/scenarios/scenario.schema.json')));
});

test("without node_modules/cmk-sim, outside the package, it points at this version's published schema", () => {
  assert.is(schemaReference(freshFolder('bare')), `https://unpkg.com/cmk-sim@${VERSION}/scenarios/scenario.schema.json`);
});

test("in a checkout of cmk-sim it points at the checkout's own schema", () => {
  assert.is(schemaReference(REPO), 'scenarios/scenario.schema.json');
  assert.is(schemaReference(join(REPO, 'out/drills')), '../../scenarios/scenario.schema.json');
});

test('init never overwrites: exit 2 naming the file, and the file is unchanged', async () => {
  const dir = freshFolder('exists');
  writeFileSync(join(dir, 'my-scenario.yaml'), 'mine\n');
  const o = await cliIn(dir, 'init');
  assert.is(o.status, 2);
  assert.is(o.err, 'my-scenario.yaml: found a file that already exists; expected a new file: init never overwrites (give another name, or --out FILE)');
  assert.is(readFileSync(join(dir, 'my-scenario.yaml'), 'utf8'), 'mine\n');
  assert.equal(readdirSync(dir), ['my-scenario.yaml'], 'a temporary file was left behind');
});

test('init --out where the file system says no is bad input naming the path, never an internal error; a link, even to nothing, is never written through', async () => {
  const dir = freshFolder('fs-trouble');
  writeFileSync(join(dir, 'plain'), 'a file\n');
  symlinkSync(join(dir, 'nowhere', 'q.yaml'), join(dir, 'dangling.yaml'));
  symlinkSync('loop2.yaml', join(dir, 'loop1.yaml'));
  symlinkSync('loop1.yaml', join(dir, 'loop2.yaml'));
  const cases: [string, RegExp][] = [
    ['plain/x.yaml', /^plain\/x\.yaml: found a path under the file plain; expected a path whose parents are folders/],
    ['dangling.yaml', /^dangling\.yaml: found a symbolic link that already exists; expected a new file: init never overwrites/],
    ['loop1.yaml', /^loop1\.yaml: found a symbolic link that already exists/],
    [`${'x'.repeat(300)}.yaml`, /: found a name longer than the file system allows \(ENAMETOOLONG\)/],
    ['/proc/no-such/x.yaml', /^\/proc\/no-such\/x\.yaml: found a path where nothing can be made \(ENOENT\)/],
  ];
  for (const [out, message] of cases) {
    const o = await cliIn(dir, 'init', 'drill', '--out', out);
    assert.is(o.status, 2, `${out}: ${o.err}`);
    assert.match(o.err, message, out);
  }
  assert.equal(readdirSync(dir).sort(), ['dangling.yaml', 'loop1.yaml', 'loop2.yaml', 'plain'], 'nothing written, no temporary file left');
});

test('init --from copies a built-in with its schema line and name replaced, the rest as it is', async () => {
  const dir = freshFolder('from');
  const o = await cliIn(dir, 'init', 'my-rotation', '--from', 'rotation-done-right');
  assert.is(o.status, 0, o.err);
  assert.match(o.out, /a copy of rotation-done-right/);
  const builtin = readFileSync(listBuiltins().find((b) => b.name === 'rotation-done-right')!.path, 'utf8').split('\n');
  const copy = readFileSync(join(dir, 'my-rotation.yaml'), 'utf8').split('\n');
  assert.is(copy[0], `${MODELINE}https://unpkg.com/cmk-sim@${VERSION}/scenarios/scenario.schema.json`);
  assert.is(copy[1], 'name: my-rotation');
  assert.equal(copy.slice(2), builtin.slice(2));
  assert.is((await cli('validate', join(dir, 'my-rotation.yaml'))).status, 0);
});

test('init --from an unknown built-in is bad input with did you mean, and writes nothing', async () => {
  const dir = freshFolder('unknown');
  const o = await cliIn(dir, 'init', '--from', 'kv-outage-45');
  assert.is(o.status, 2);
  assert.match(o.err, /^--from: found "kv-outage-45"; expected a built-in scenario: access-policy-removed, .*; did you mean kv-outage-45m\?$/);
  assert.equal(readdirSync(dir), []);
});

test('init refuses a name that is not lowercase letters, digits and hyphens, and a file that is not .yaml', async () => {
  const dir = freshFolder('bad-name');
  const o = await cliIn(dir, 'init', 'My Scenario', '--out', 'x.txt');
  assert.is(o.status, 2);
  assert.is(
    o.err,
    [
      'name: found "My Scenario"; expected a name of 1 to 100 lowercase letters, digits and hyphens, e.g. my-scenario (the file is <name>.yaml unless --out names it)',
      '--out: found "x.txt"; expected a file name ending in .yaml or .yml',
    ].join('\n'),
  );
  assert.equal(readdirSync(dir), []);
});

test("show prints the built-in's file as it is", async () => {
  const o = await cli('show', 'kv-outage-45m');
  assert.is(o.status, 0, o.err);
  assert.is(`${o.out}\n`, readFileSync(join(REPO, 'scenarios/builtin/kv-outage-45m.yaml'), 'utf8'));
});

test('show of an unknown built-in is bad input with did you mean', async () => {
  const o = await cli('show', 'key-disabled-and-restord');
  assert.is(o.status, 2);
  assert.match(o.err, /^show: found "key-disabled-and-restord"; expected a built-in scenario: .*; did you mean key-disabled-and-restored\?$/);
});

test('every built-in starts with the schema line, and it leads to the schema', () => {
  for (const { name, path } of listBuiltins()) {
    const first = readFileSync(path, 'utf8').split('\n')[0]!;
    assert.is(first, `${MODELINE}../scenario.schema.json`, name);
    assert.ok(existsSync(resolve(dirname(path), first.slice(MODELINE.length))), name);
  }
});

test.run();
