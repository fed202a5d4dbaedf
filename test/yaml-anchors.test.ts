// YAML anchors in scenario files (README "Limits"): realistic sharing loads,
// as if each use were a copy; aliases that multiply (a "billion laughs"),
// an anchor of many values used many times, too many aliases and an alias
// inside its own anchor are refused as problems of the file.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FILE_LIMITS, parseScenario } from '../scenarios/load.ts';
import { InputError, type Problem } from '../sim/input-error.ts';

const HEADER = `name: shared
duration: 1h
params: { modelShortcutOctKeys: true }
keyVaults: [{ name: kv1, keys: [{ name: cmk, kty: oct-HSM }] }]
clusters:
  - { name: cl1, key: { vault: kv1, name: cmk } }
  - { name: cl2, key: { vault: kv1, name: cmk } }
`;

/** `count` workspaces, the first defining the anchors &ing and &q, every other one using them. */
function sharedWorkspaces(count: number): string {
  const lines = ['workspaces:', '  - { name: ws0000, cluster: cl1, ingest: &ing { gbPerDay: 1, recordsPerMinute: 10 }, query: &q { perHour: 2, lookback: 1h } }'];
  for (let i = 1; i < count; i++) lines.push(`  - { name: ws${String(i).padStart(4, '0')}, cluster: cl${i < 1000 ? 1 : 2}, ingest: *ing, query: *q }`);
  return `${HEADER}${lines.join('\n')}\n`;
}

function problemsOf(text: string, format: 'yaml' | 'json' = 'yaml'): Problem[] {
  try {
    parseScenario(text, `shared.${format}`, format);
  } catch (error) {
    if (error instanceof InputError) return [...error.problems];
    throw error;
  }
  return [];
}

test('1001 workspaces sharing ingest: *ing and query: *q load, each with the shared values', () => {
  const scenario = parseScenario(sharedWorkspaces(1001), 'shared.yaml', 'yaml');
  assert.is(scenario.workspaces.length, 1001);
  const first = scenario.workspaces[0]!;
  const last = scenario.workspaces[1000]!;
  assert.equal(last.ingest, first.ingest);
  assert.equal(last.query, first.query);
  assert.is(last.ingest.recordsPerMinute, 10);
});

test('the classic billion laughs is refused with a problem of the file, within the first million values', () => {
  const levels = ['name: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (const [i, anchor] of [...'bcdefghi'].entries()) {
    const previous = i === 0 ? 'a' : 'bcdefghi'[i - 1]!;
    levels.push(`${anchor}: &${anchor} [${Array(9).fill(`*${previous}`).join(',')}]`);
  }
  assert.equal(problemsOf(`${levels.join('\n')}\nduration: 1h\n`), [
    {
      file: 'shared.yaml',
      path: '',
      found: 'more than 1,000,000 values once YAML aliases are expanded',
      expected: 'a scenario of at most 1,000,000 values (aliases that multiply, a "billion laughs", are refused)',
    },
  ]);
});

test('an anchor of many values used many times is refused the same way, though no alias is nested in another', () => {
  const big = `[${Array(1000).fill('0').join(',')}]`;
  const uses = Array(1500).fill('*big').join(', ');
  const problems = problemsOf(`name: shared\nduration: 1h\nbig: &big ${big}\ndescription: [${uses}]\n`);
  assert.equal(problems.map((p) => p.found), ['more than 1,000,000 values once YAML aliases are expanded']);
});

test('a file of millions of plain values is refused by counting them before a document tree is built (the tree costs about a kilobyte a value; files over 2 MiB are counted)', () => {
  const values = 2 * FILE_LIMITS.values + 1;
  assert.equal(problemsOf(`name: wide\nduration: 1h\nx: [${Array(values).fill('1').join(',')}]\n`), [
    { file: 'shared.yaml', path: '', found: 'more than 2,000,000 keys and values', expected: 'a scenario of at most 1,000,000 values' },
  ]);
  // A list longer than the limit is refused by its length, before it is walked (JSON: the yaml library's tree of it would cost a gigabyte).
  assert.equal(problemsOf(`{"name": "wide", "duration": "1h", "x": [${Array(FILE_LIMITS.values + 1).fill('1').join(',')}]}`, 'json'), [
    { file: 'shared.json', path: '', found: 'more than 1,000,000 values', expected: 'a scenario of at most 1,000,000 values' },
  ]);
});

test('more than 10,000 aliases in a file are refused before the yaml library resolves them', () => {
  assert.is(FILE_LIMITS.aliases, 10_000);
  const uses = Array(FILE_LIMITS.aliases + 1).fill('*x').join(', ');
  assert.equal(problemsOf(`name: shared\nduration: 1h\nx: &x 1\ndescription: [${uses}]\n`), [
    { file: 'shared.yaml', path: '', found: 'more than 10,000 aliases (*name)', expected: 'at most 10,000 aliases in one file' },
  ]);
});

test('an alias inside its own anchor (a cycle) is refused as nesting too deep, not a crash', () => {
  const problems = problemsOf('name: &loop [*loop]\nduration: 1h\n');
  assert.equal(problems.map((p) => [p.path, p.found]), [['name', 'nesting deeper than 64 levels']]);
});

test('64 levels of lists and mappings are read (and checked as usual); 65 are refused', () => {
  // The top-level mapping is the first level: 63 lists under it make 64.
  const nested = (lists: number) => `name: ${'['.repeat(lists)}${']'.repeat(lists)}\nduration: 1h\n`;
  assert.equal(problemsOf(nested(63)).map((p) => p.path), ['name'], 'the name is not a name, but the file is read');
  assert.not.match(problemsOf(nested(63))[0]!.found, /nesting/);
  assert.equal(problemsOf(nested(64)).map((p) => [p.path, p.found]), [['name', 'nesting deeper than 64 levels']]);
});

test.run();
