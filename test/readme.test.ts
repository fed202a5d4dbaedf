import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { paramsTable } from '../reports/params-table.ts';
import { comparisonTable } from '../reports/profile-comparison.ts';
import { listBuiltins } from '../scenarios/load.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

test('the README starts with the two set-up commands', () => {
  const firstBlock = readme.slice(readme.indexOf('```sh'), readme.indexOf('```', readme.indexOf('```sh') + 5));
  assert.ok(firstBlock.includes('npm ci && npm start'));
  assert.ok(firstBlock.includes('npm ci && npm test'));
});

test('the README parameter table is the one made from the parameter specs (run: npx tsx reports/params-table.ts --write)', () => {
  assert.ok(readme.includes(paramsTable()));
});

test('the README compares the profiles with what the model gives today: kv-outage-45m, the kill switch and the rotation under each (run: npx tsx reports/profile-comparison.ts --write)', () => {
  const table = comparisonTable();
  assert.ok(readme.includes(table), `README.md should hold:\n${table}`);
});

/** The README's text outside its code blocks. */
const prose = readme.replace(/^```[\s\S]*?^```$/gm, '');
/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
const anchorOf = (heading: string) => heading.trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-');

test('the README links only what the package ships, public pages and its own headings; its contents list every heading', () => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { files: string[] };
  const headings = [...prose.matchAll(/^#{2,3} (.+)$/gm)].map((m) => m[1]!).filter((h) => h !== 'Contents');
  const anchors = new Set(headings.map(anchorOf));
  const links = [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
  assert.ok(links.length > headings.length, 'the README has its contents list');
  for (const link of links) {
    if (link.startsWith('#')) assert.ok(anchors.has(link.slice(1)), `${link}: no such heading`);
    else if (/^https:\/\//.test(link)) assert.not.match(link, /localhost|github\.com\/[^/]+\/[^/]+\/(blob|tree)\/[^/]*\/\.\./);
    else assert.ok(pkg.files.some((shipped) => link === shipped || link.startsWith(`${shipped}/`)), `${link}: not a file the package ships (package.json files)`);
  }
  for (const heading of headings) assert.ok(links.includes(`#${anchorOf(heading)}`), `${heading} is not in the contents`);
});

test('the README names every built-in scenario', () => {
  for (const { name } of listBuiltins()) assert.ok(readme.includes(`\`${name}\``), name);
});

test('the output the README shows for npm start is what the default run prints today', async () => {
  // Loaded as ESM (see test/cli.test.ts).
  const { main } = await import('../sim/cli.ts');
  const root = mkdtempSync(join(tmpdir(), 'cmk-sim-readme-'));
  try {
    const dir = join(root, 'out');
    const out: string[] = [];
    assert.is(await main(['run', 'kv-outage-45m', '--out', dir], { out: (t) => out.push(t), err: () => {} }), 0);
    const printed = out.join('\n').replaceAll(dir, 'out/kv-outage-45m-seed7');
    assert.ok(readme.includes(printed), `README.md should show:\n${printed}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
