// The semantic mutants (test/mutants/*.patch, run by `npm run mutants:semantic`)
// must keep applying to the model as it changes: a patch that no longer
// applies is a mutant nobody checks.

import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MUTANTS = join(ROOT, 'test', 'mutants');
const patches = readdirSync(MUTANTS).filter((f) => f.endsWith('.patch')).sort();

test('there are at least ten semantic mutants, each with the story of its bug on its first line', () => {
  assert.ok(patches.length >= 10, `${patches.length} mutants`);
  for (const patch of patches) assert.match(readFileSync(join(MUTANTS, patch), 'utf8'), /^# \S.{20,}\n\ndiff --git /, patch);
});

for (const patch of patches) {
  test(`mutant ${patch} applies to the model as it is`, () => {
    const check = spawnSync('git', ['apply', '--check', join(MUTANTS, patch)], { cwd: ROOT, encoding: 'utf8' });
    assert.is(check.status, 0, check.stderr);
  });
}

test.run();
