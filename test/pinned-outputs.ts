// The output bytes of every built-in scenario, pinned as SHA-256 digests in
// test/fixtures/pinned-outputs.json. test/pinned-outputs.test.ts compares a
// fresh run of each built-in with its seed against the fixture, so a change
// meant to be invisible (speed, memory) proves it moved no byte.
//
// A change that means to move outputs re-pins the built-ins it moves with
// `npm run pin` (test/pin.ts).

import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listBuiltins } from '../scenarios/load.ts';

export const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'pinned-outputs.json');

/** What `cmk-sim run <built-in>` writes, but the files derived from another pinned one byte for byte are pinned too: any change shows. */
export const PINNED_FILES = ['sla.json', 'sla.md', 'sla.csv', 'timeline.jsonl', 'timeline.csv', 'trace.json', 'report.html'] as const;

/** A built-in's exit status and the SHA-256 of each output file. */
export type Pin = { exit: number } & Record<(typeof PINNED_FILES)[number], string>;

export function builtinNames(): string[] {
  return listBuiltins().map((b) => b.name);
}

/** Runs `cmk-sim run <name>` (its own seed, a fresh output folder) and digests what it wrote. */
export async function pinOf(name: string): Promise<Pin> {
  // sim/cli.ts ends in a top-level await: under uvu's CommonJS transform only a dynamic import loads it.
  const { main } = await import('../sim/cli.ts');
  const dir = mkdtempSync(join(tmpdir(), `cmk-sim-pin-${name}-`));
  try {
    const err: string[] = [];
    const exit = await main(['run', name, '--out', join(dir, 'out')], { out: () => {}, err: (text) => err.push(text) });
    if (exit !== 0 && exit !== 1) throw new Error(`cmk-sim run ${name} exited ${exit}: ${err.join('\n')}`);
    const pin = { exit } as Pin;
    for (const file of PINNED_FILES) pin[file] = createHash('sha256').update(readFileSync(join(dir, 'out', file))).digest('hex');
    return pin;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function readPins(): Record<string, Pin> {
  return JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, Pin>;
}
