// Every built-in scenario, run with its seed, writes exactly the bytes pinned
// in test/fixtures/pinned-outputs.json (test/pinned-outputs.ts). A change that
// is meant to move outputs re-pins them with `npm run pin -- <built-in>...`.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { builtinNames, PINNED_FILES, pinOf, readPins } from './pinned-outputs.ts';

const pins = readPins();

test('every built-in scenario has pinned outputs, and no pin is left of a built-in that is gone', () => {
  assert.equal(Object.keys(pins).sort(), builtinNames().sort());
});

for (const name of builtinNames()) {
  test(`${name} writes the pinned bytes of ${PINNED_FILES.join(', ')}`, async () => {
    const pinned = pins[name];
    if (pinned === undefined) assert.unreachable(`${name} has no pin: npm run pin -- ${name}`);
    const fresh = await pinOf(name);
    const moved = Object.keys(fresh).filter((key) => fresh[key as keyof typeof fresh] !== pinned![key as keyof typeof pinned]);
    assert.equal(moved, [], `${name}: ${moved.join(', ')} differ from the pin (a change meant to move them: npm run pin -- ${name})`);
  });
}

test.run();
