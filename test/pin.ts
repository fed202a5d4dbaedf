// Rewrites test/fixtures/pinned-outputs.json from fresh runs of the built-ins:
//
//   npm run pin                                  every built-in
//   npm run pin -- kv-outage-45m healthy-baseline  only these (the others keep their pins)
//
// Re-pin only what a change is meant to move, and say so in its commit.

import { writeFileSync } from 'node:fs';
import { builtinNames, FIXTURE, pinOf, readPins, type Pin } from './pinned-outputs.ts';

const names = process.argv.slice(2);
const builtins = builtinNames();
const unknown = names.filter((name) => !builtins.includes(name));
if (unknown.length > 0) {
  console.error(`not built-in scenarios: ${unknown.join(', ')} (the built-ins: ${builtins.join(', ')})`);
  process.exit(2);
}
let old: Record<string, Pin> = {};
try {
  old = readPins();
} catch {
  // no fixture yet: every built-in is pinned
}
const chosen = names.length === 0 ? builtins : names;
// In the order of the built-ins; a pin of a built-in that no longer exists is dropped.
const pins: Record<string, Pin> = {};
for (const name of builtins) {
  const kept = old[name];
  if (!chosen.includes(name) && kept !== undefined) {
    pins[name] = kept;
    continue;
  }
  pins[name] = await pinOf(name);
  console.log(`pinned ${name}${kept !== undefined && JSON.stringify(kept) !== JSON.stringify(pins[name]) ? ' (changed)' : ''}`);
}
writeFileSync(FIXTURE, JSON.stringify(pins, null, 2) + '\n');
console.log(`wrote ${FIXTURE}`);
