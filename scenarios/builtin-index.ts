// The index of the built-in scenarios, scenarios/builtin/index.json: each
// one's name and description, as listBuiltins reads them from the YAML files.
// `cmk-sim list` prints it without loading a YAML parser, which costs as much
// again as the argument parser when the command starts. `npm run schema`
// writes it (scenarios/json-schema.ts), and a test checks the committed file
// is what the built-ins say.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../sim/package.ts';

/** Absolute path of the built-in scenarios (scenarios/builtin). */
export const BUILTIN_DIR: string = join(PACKAGE_ROOT, 'scenarios', 'builtin');
export const BUILTIN_INDEX_FILE = 'index.json';

export interface BuiltinEntry {
  name: string;
  description: string;
}

/** The committed index, in name order. */
export function readBuiltinIndex(): BuiltinEntry[] {
  return JSON.parse(readFileSync(join(BUILTIN_DIR, BUILTIN_INDEX_FILE), 'utf8')) as BuiltinEntry[];
}

/** The index file's text for these built-ins: two-space JSON with a final newline. */
export function builtinIndexText(builtins: readonly BuiltinEntry[]): string {
  return `${JSON.stringify(builtins.map(({ name, description }) => ({ name, description })), null, 2)}\n`;
}
