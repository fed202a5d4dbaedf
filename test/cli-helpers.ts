// Running the command line in tests: in this process through main() with a
// captured Io, or as a real process (signals, ulimit, another user).

import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as assert from 'uvu/assert';

// sim/cli.ts is loaded as ESM (see test/cli.test.ts).
const cliModule = import('../sim/cli.ts');

export const REPO = fileURLToPath(new URL('..', import.meta.url));
export const STATUS = { ok: 0, expectationFailed: 1, badInput: 2, internal: 3, sighup: 129, sigint: 130, sigterm: 143 } as const;

/** A scenario that runs in a blink: one oct-HSM key, one storage account, one workspace, an hour. */
export const SMALL_SCENARIO_TEXT = `name: small
duration: 1h
params: { modelShortcutOctKeys: true }
keyVaults: [{ name: kv1, keys: [{ name: cmk, kty: oct-HSM }] }]
clusters: [{ name: cl1, storageAccounts: 1, key: { vault: kv1, name: cmk } }]
workspaces: [{ name: ws1, cluster: cl1, ingest: { gbPerDay: 10, recordsPerMinute: 10 }, query: { perHour: 10, lookback: 1h } }]
`;

/**
 * A test file's own temporary folder, removed after its tests (`after` is the suite's
 * test.after), holding SMALL_SCENARIO_TEXT as small.yaml; `fresh` gives a new path in it.
 */
export function scratchFolder(prefix: string, after: (hook: () => void) => void): { root: string; fresh: (label: string) => string; small: string } {
  const root = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(root, { recursive: true, force: true }));
  let made = 0;
  const small = join(root, 'small.yaml');
  writeFileSync(small, SMALL_SCENARIO_TEXT);
  return { root, fresh: (label) => join(root, `${++made}-${label}`), small };
}

export interface Outcome {
  status: number | null;
  out: string;
  err: string;
}

export async function cli(...args: string[]): Promise<Outcome> {
  const { main } = await cliModule;
  const out: string[] = [];
  const err: string[] = [];
  const status = await main(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { status, out: out.join('\n'), err: err.join('\n') };
}

export function show(o: Outcome): string {
  return `status ${o.status}\n--- out\n${o.out}\n--- err\n${o.err}`;
}

export function assertNoStackTrace(o: Outcome): void {
  assert.not.ok(`${o.out}\n${o.err}`.includes('    at '), `a stack trace was printed:\n${show(o)}`);
}

/** Refused as bad input: exit 2, every line of stderr a problem (`where: found ...; expected ...`), no stack trace. */
export function assertBadInput(o: Outcome, where: string | RegExp): void {
  assert.is(o.status, STATUS.badInput, show(o));
  assertNoStackTrace(o);
  const lines = o.err.trimEnd().split('\n');
  assert.ok(lines.some((line) => (typeof where === 'string' ? line.startsWith(`${where}: `) : where.test(line))), `no problem names ${where}:\n${o.err}`);
  for (const line of lines) assert.match(line, /: found .+; expected ./, `not a problem: ${line}`);
}

/** The command run as `node --import tsx sim/cli.ts ...`, as a user runs it; optionally under `ulimit -f` or another user. */
export function spawnCli(args: string[], options: { fileSizeLimitBlocks?: number; uid?: number } = {}): Outcome {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.CMK_SIM_DEBUG;
  // tsx keeps a compile cache per user: none for a user that exists only for this test.
  if (options.uid !== undefined) env.TSX_DISABLE_CACHE = '1';
  const command = [process.execPath, '--import', 'tsx', 'sim/cli.ts', ...args];
  const spawnOptions: SpawnSyncOptions = { cwd: REPO, encoding: 'utf8', env, ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.uid }) };
  const child =
    options.fileSizeLimitBlocks === undefined
      ? spawnSync(command[0]!, command.slice(1), spawnOptions)
      : spawnSync('sh', ['-c', `ulimit -f ${options.fileSizeLimitBlocks} && exec "$@"`, 'sh', ...command], spawnOptions);
  assert.is(child.error, undefined);
  return { status: child.status, out: String(child.stdout), err: String(child.stderr) };
}

/** The command started as a process that the test stops itself. */
export function startCli(args: string[]) {
  const env = { ...process.env };
  delete env.CMK_SIM_DEBUG;
  const child = spawn(process.execPath, ['--import', 'tsx', 'sim/cli.ts', ...args], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const ended = new Promise<Outcome & { signal: NodeJS.Signals | null }>((resolve) => child.on('close', (status, signal) => resolve({ status, signal, out, err })));
  return { child, ended };
}
