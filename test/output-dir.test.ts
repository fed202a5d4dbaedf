// The output folder (README "Outputs are committed as a folder"): checked
// before any work, written all together or not at all, file-system trouble
// reported as bad input naming the path, an earlier cmk-sim output replaced
// as a whole, anything else refused; SIGINT and SIGTERM leave nothing behind
// and the next command removes what SIGKILL left.

import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fsProblem, MARKER_FILE, OutputDir } from '../reports/output-dir.ts';
import { InputError } from '../sim/input-error.ts';
import { VERSION } from '../sim/package.ts';
import { assertBadInput, cli, REPO, show, spawnCli, startCli, STATUS } from './cli-helpers.ts';

const root = mkdtempSync(join(tmpdir(), 'cmk-sim-output-dir-'));
let made = 0;
/** A fresh path under the temporary root; not created. */
const fresh = (label: string) => join(root, `${++made}-${label}`);
test.after(() => rmSync(root, { recursive: true, force: true }));

// An hour of one workspace: a run that costs little.
const SMALL = join(root, 'small.yaml');
writeFileSync(
  SMALL,
  `name: small
duration: 1h
params: { modelShortcutOctKeys: true }
keyVaults: [{ name: kv1, keys: [{ name: cmk, kty: oct-HSM }] }]
clusters: [{ name: cl1, storageAccounts: 1, key: { vault: kv1, name: cmk } }]
workspaces: [{ name: ws1, cluster: cl1, ingest: { gbPerDay: 10, recordsPerMinute: 10 }, query: { perHour: 10, lookback: 1h } }]
`,
);
const RUN_FILES = [MARKER_FILE, 'report.html', 'series.csv', 'sla.csv', 'sla.json', 'sla.md', 'timeline.csv', 'timeline.jsonl', 'trace.json'];
// A process id above Linux's largest pid_max (2^22): no process has it.
const GONE_PID = 2 ** 22 + 1;

/** An earlier cmk-sim output with a file the new run does not write. */
function earlierOutput(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, MARKER_FILE), JSON.stringify({ tool: 'cmk-sim', output: 'run', version: VERSION }) + '\n');
  writeFileSync(join(dir, 'sla.json'), '{"an": "older run"}\n');
  writeFileSync(join(dir, 'stale-from-an-older-version.md'), 'stale\n');
}

/** Every file under `dir` with its content. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((name) => [name, readFileSync(join(dir, name), 'utf8')]));
}

/** What a parent folder holds besides the output: a temporary or an old output left behind. */
const leftovers = (parent: string) => readdirSync(parent).filter((name) => /\.(tmp|old|probe)-\d+$/.test(name));

// ---- 1. No lost work: the folder is checked before the work ------------------------

test('sweep --out an existing file is refused before any seed runs: exit 2 naming the file, left as it was', async () => {
  const file = fresh('a-file');
  writeFileSync(file, 'mine\n');
  const o = await cli('sweep', SMALL, '--runs', '20', '--workers', '1', '--out', file);
  assertBadInput(o, file);
  assert.match(o.err, /found a file, not a folder; expected a folder for the outputs: remove the file, or choose another folder with --out/);
  assert.is(o.out, '', 'no sweep ran');
  assert.is(readFileSync(file, 'utf8'), 'mine\n');
});

test('explore --out a file is refused before the search starts, so no counterexample is found and then lost', async () => {
  const file = fresh('a-file');
  writeFileSync(file, 'mine\n');
  const o = await cli('explore', '--runs', '200', '--param', 'brokenRule=lateRevocation', '--out', file);
  assertBadInput(o, file);
  assert.is(o.out, '', 'no explore ran');
});

test('a counterexample that cannot be written at the end is printed with the command that replays it, and explore still exits 1', () => {
  // 1 block of 512 bytes: the folder check passes, the counterexample does not fit.
  const dir = fresh('explore');
  const o = spawnCli(['explore', '--runs', '200', '--param', 'brokenRule=lateRevocation', '--out', dir], { fileSizeLimitBlocks: 1 });
  assert.is(o.status, STATUS.expectationFailed, show(o));
  assert.ok(o.err.startsWith(`${dir}/counterexample.yaml: found a file larger than the file system or \`ulimit -f\` allows (EFBIG); expected `), o.err);
  assert.match(o.out, /^explore: a documented rule broke after \d+ runs/m);
  const yaml = /\n---\n([\s\S]*)\n---\n/.exec(o.out)?.[1];
  assert.ok(yaml !== undefined && yaml.includes('name: explore-counterexample') && yaml.includes('brokenRule: lateRevocation'), o.out);
  assert.match(o.out, /^replay: save it as counterexample.yaml, then npx cmk-sim run counterexample.yaml$/m);
  assert.match(o.out, /^fast-check replay: npx cmk-sim explore --seed 1 --path "[\d:]+" --param brokenRule=lateRevocation$/m);
  assert.not.ok(existsSync(dir));
  assert.equal(leftovers(root), []);
});

// ---- 3. File-system trouble is the user's environment: exit 2, the path, what to do ----

test('--out "" is refused: exit 2 naming --out', async () => {
  assertBadInput(await cli('run', SMALL, '--out', ''), '--out');
});

test('--out under a file is refused, naming the file in the way', async () => {
  const file = fresh('a-file');
  writeFileSync(file, '');
  const o = await cli('run', SMALL, '--out', join(file, 'x', 'y'));
  assertBadInput(o, join(file, 'x', 'y'));
  assert.match(o.err, new RegExp(`found a path under the file ${file}; expected a path whose parents are folders`));
});

test('--out with a name longer than the file system allows is refused (ENAMETOOLONG)', async () => {
  const dir = join(root, 'x'.repeat(300));
  const o = await cli('run', SMALL, '--out', dir);
  assertBadInput(o, dir);
  assert.match(o.err, /found a name longer than the file system allows \(ENAMETOOLONG\); expected a place to write: choose a shorter path/);
});

test('--out in a folder the user may not write to is refused (EACCES), and nothing is created', () => {
  // As root every folder is writable: the command runs as nobody (uid 65534) in a folder of root's instead.
  const asNobody = process.getuid?.() === 0;
  chmodSync(root, 0o755);
  const parent = fresh('not-yours');
  mkdirSync(parent, { mode: asNobody ? 0o755 : 0o555 });
  const o = spawnCli(['run', 'kv-outage-45m', '--out', join(parent, 'x')], asNobody ? { uid: 65534 } : {});
  assertBadInput(o, join(parent, 'x'));
  assert.match(o.err, /found no permission \(EACCES\); expected a place to write: choose a folder you can write to with --out, or change its permissions/);
  assert.equal(readdirSync(parent), []);
});

test('a mount point (a volume) is refused before the work, with a folder inside it to use instead', async () => {
  // /dev/shm is a tmpfs mounted on most Linux machines; the case needs it empty.
  const mount = '/dev/shm';
  if (!existsSync(mount) || readdirSync(mount).length > 0 || statSync(mount).dev === statSync('/dev').dev) {
    console.log(`output-dir: no empty mount point at ${mount}, the mount-point case is not checked here`);
    return;
  }
  const o = await cli('run', SMALL, '--out', mount);
  assertBadInput(o, mount);
  assert.ok(o.err.startsWith(`${mount}: found a mount point (another file system than its parent); expected a folder inside it, e.g. --out ${mount}/run-1`), o.err);
  assert.equal(readdirSync(mount), []);
  assert.equal(readdirSync('/dev').filter((name) => name.startsWith('.shm.')), []);
});

test('a disk that fills while the run writes: exit 2 naming the file that could not be written, and nothing half-written is left', () => {
  // `ulimit -f 8` (4 KB) fails the streamed timeline (5 KB) as a full disk would.
  const dir = fresh('full');
  const o = spawnCli(['run', 'kv-outage-45m', '--out', dir], { fileSizeLimitBlocks: 8 });
  assert.is(o.status, STATUS.badInput, show(o));
  assert.is(o.err, `${dir}/timeline.jsonl: found a file larger than the file system or \`ulimit -f\` allows (EFBIG); expected a place to write: raise the limit, or choose another folder with --out; nothing was written\n`);
  assert.not.ok(o.err.includes('    at '), o.err);
  assert.not.ok(existsSync(dir));
  assert.equal(leftovers(root), []);
});

test('a full disk (ENOSPC) names the file that could not be written, and the staged files are removed', () => {
  const dir = fresh('dev-full');
  const output = new OutputDir(dir, { output: 'run', version: VERSION });
  output.write('sla.md', 'fits\n');
  // The staged sla.json is /dev/full, which refuses every write with ENOSPC.
  symlinkSync('/dev/full', join(root, `.${basename(dir)}.tmp-${process.pid}`, 'sla.json'));
  let thrown: unknown;
  try {
    output.write('sla.json', '{}');
  } catch (error) {
    thrown = output.failure(error);
  }
  assert.instance(thrown, InputError);
  assert.equal((thrown as InputError).problems, [
    { file: join(dir, 'sla.json'), path: '', found: 'no space left on the device (ENOSPC)', expected: 'a place to write: free some space, or choose a folder on another disk with --out; nothing was written' },
  ]);
  assert.not.ok(existsSync(dir));
  assert.equal(leftovers(root), []);
});

test('the error codes of a full, read-only or forbidden file system are bad input; others are bugs', () => {
  const found = (code: string) => fsProblem(Object.assign(new Error(code), { code }), 'out/x/sla.json')?.found;
  assert.is(found('ENOSPC'), 'no space left on the device (ENOSPC)');
  assert.is(found('EDQUOT'), 'the disk quota used up (EDQUOT)');
  assert.is(found('EROFS'), 'a read-only file system (EROFS)');
  assert.is(found('EACCES'), 'no permission (EACCES)');
  assert.is(found('ENAMETOOLONG'), 'a name longer than the file system allows (ENAMETOOLONG)');
  assert.is(found('EINVAL'), undefined);
  assert.is(fsProblem(new TypeError('not a file-system error'), 'x'), undefined);
});

// ---- 10. An existing folder: a cmk-sim output is replaced as a whole, anything else refused ----

test('a folder that is not a cmk-sim output is refused and left untouched', async () => {
  const dir = fresh('mine');
  mkdirSync(dir);
  writeFileSync(join(dir, 'notes.txt'), 'my notes\n');
  const o = await cli('run', SMALL, '--out', dir);
  assertBadInput(o, dir);
  assert.match(o.err, /found a folder that is not a cmk-sim output \(it has files and no \.cmk-sim-output\); expected a new or empty folder: choose one with --out/);
  assert.equal(snapshot(dir), { 'notes.txt': 'my notes\n' });
});

test('an empty folder receives the output', async () => {
  const dir = fresh('empty');
  mkdirSync(dir);
  const o = await cli('run', SMALL, '--out', dir);
  assert.is(o.status, STATUS.ok, show(o));
  assert.equal(readdirSync(dir).sort(), RUN_FILES);
});

test('an earlier cmk-sim output is replaced as a whole: no file of the older run is left beside the new ones', async () => {
  const dir = fresh('earlier');
  earlierOutput(dir);
  const o = await cli('run', SMALL, '--out', dir);
  assert.is(o.status, STATUS.ok, show(o));
  assert.equal(readdirSync(dir).sort(), RUN_FILES);
  assert.not.match(readFileSync(join(dir, 'sla.json'), 'utf8'), /older run/);
  assert.equal(leftovers(root), []);
});

test('the marker records the kind of output and the version that wrote it', async () => {
  const dir = fresh('marker');
  assert.is((await cli('run', SMALL, '--out', dir)).status, STATUS.ok);
  assert.equal(JSON.parse(readFileSync(join(dir, MARKER_FILE), 'utf8')), { tool: 'cmk-sim', output: 'run', version: VERSION });
  const sweep = fresh('sweep');
  assert.is((await cli('sweep', SMALL, '--runs', '2', '--workers', '1', '--out', sweep)).status, STATUS.ok);
  assert.equal(JSON.parse(readFileSync(join(sweep, MARKER_FILE), 'utf8')), { tool: 'cmk-sim', output: 'sweep', version: VERSION });
});

test('an output written before the marker existed (only cmk-sim files and their temporaries) is replaced, temporaries included', async () => {
  const dir = fresh('unmarked');
  mkdirSync(dir);
  for (const name of ['sla.json', 'sla.md', 'report.html', '.timeline.jsonl.tmp-4242', '.trace.json.tmp-4242']) writeFileSync(join(dir, name), 'old\n');
  const o = await cli('run', SMALL, '--out', dir);
  assert.is(o.status, STATUS.ok, show(o));
  assert.equal(readdirSync(dir).sort(), RUN_FILES);
});

test('a folder without the marker whose entries only have cmk-sim\'s names is the user\'s when one is a folder or a link: nothing in it is removed, whatever the command', async () => {
  for (const [command, name] of [['run', 'sla.json'], ['sweep', 'runs.csv'], ['explore', 'counterexample.yaml']] as const) {
    const dir = fresh(`named-${command}`);
    mkdirSync(join(dir, name), { recursive: true });
    writeFileSync(join(dir, name, 'notes.txt'), 'precious\n');
    const args = command === 'run' ? [SMALL] : command === 'sweep' ? [SMALL, '--runs', '1', '--workers', '1'] : ['--runs', '1'];
    const o = await cli(command, ...args, '--out', dir);
    assertBadInput(o, dir);
    assert.match(o.err, /found a folder that is not a cmk-sim output/);
    assert.equal(readFileSync(join(dir, name, 'notes.txt'), 'utf8'), 'precious\n');
  }
  const linked = fresh('named-link');
  mkdirSync(linked);
  writeFileSync(join(linked, 'mine.txt'), 'precious\n');
  symlinkSync(join(linked, 'mine.txt'), join(linked, 'sla.md'));
  assertBadInput(await cli('run', SMALL, '--out', linked), linked);
  assert.equal(readFileSync(join(linked, 'mine.txt'), 'utf8'), 'precious\n');
});

test('a symbolic link to a folder: the output goes into the folder it points to', async () => {
  const real = fresh('real');
  mkdirSync(real);
  const link = fresh('link');
  symlinkSync(real, link);
  assert.is((await cli('run', SMALL, '--out', link)).status, STATUS.ok);
  assert.equal(readdirSync(real).sort(), RUN_FILES);
  assert.equal(readdirSync(link).sort(), RUN_FILES);
});

// ---- 12.6. Committed as a folder: the old output, the new one, or nothing ------------

test('until commit the folder holds the earlier output; after it, the new one; never a mix, and no temporary is left', () => {
  const dir = fresh('commit');
  earlierOutput(dir);
  const before = snapshot(dir);
  const output = new OutputDir(dir, { output: 'run', version: VERSION });
  output.write('sla.json', '{"the": "new run"}\n');
  output.write('sla.md', 'new\n');
  assert.equal(snapshot(dir), before, 'the earlier output changed before commit');
  output.commit();
  assert.equal(snapshot(dir), { [MARKER_FILE]: JSON.stringify({ tool: 'cmk-sim', output: 'run', version: VERSION }) + '\n', 'sla.json': '{"the": "new run"}\n', 'sla.md': 'new\n' });
  assert.equal(output.names, ['sla.json', 'sla.md']);
  assert.equal(leftovers(root), []);
});

test('a failed command leaves the earlier output exactly as it was', () => {
  const dir = fresh('failed');
  earlierOutput(dir);
  const before = snapshot(dir);
  const output = new OutputDir(dir, { output: 'run', version: VERSION });
  output.write('sla.json', 'half\n');
  output.abort();
  assert.equal(snapshot(dir), before);
  assert.equal(leftovers(root), []);
});

test('a folder that became foreign during the work is not replaced at commit', () => {
  const dir = fresh('became-foreign');
  const output = new OutputDir(dir, { output: 'run', version: VERSION });
  output.write('sla.json', '{}\n');
  mkdirSync(dir);
  writeFileSync(join(dir, 'notes.txt'), 'mine\n');
  let thrown: unknown;
  try {
    output.commit();
  } catch (error) {
    thrown = error;
  }
  assert.instance(thrown, InputError);
  assert.match((thrown as InputError).message, /not a cmk-sim output/);
  assert.equal(snapshot(dir), { 'notes.txt': 'mine\n' });
  assert.equal(leftovers(root), []);
});

test('temporaries whose process is gone are removed by the next command writing there; a live process keeps its own', async () => {
  const parent = fresh('stale');
  const dir = join(parent, 'out');
  for (const kind of ['tmp', 'old', 'probe']) mkdirSync(join(parent, `.out.${kind}-${GONE_PID}`), { recursive: true });
  // The parent of this test process is alive.
  const live = join(parent, `.out.tmp-${process.ppid}`);
  mkdirSync(live);
  const other = join(parent, `.other.tmp-${GONE_PID}`);
  mkdirSync(other);
  assert.is((await cli('run', SMALL, '--out', dir)).status, STATUS.ok);
  assert.equal(readdirSync(parent).sort(), [`.other.tmp-${GONE_PID}`, `.out.tmp-${process.ppid}`, 'out']);
});

// ---- 2. Signals: SIGINT, SIGTERM and SIGHUP remove the unfinished output; what SIGKILL leaves, the next run removes ----

/** Starts a month of 1000 workspaces into `dir` and waits until its timeline is being written. */
async function startLongRun(dir: string) {
  const running = startCli(['run', 'bench/month-1000-workspaces.yaml', '--out', dir]);
  const staging = join(dirname(dir), `.${basename(dir)}.tmp-${running.child.pid}`);
  // At most two minutes on a loaded machine; the run writes its timeline within seconds.
  for (let polls = 0; polls < 1200; polls++) {
    const timeline = join(staging, 'timeline.jsonl');
    if (existsSync(timeline) && readFileSync(timeline).length > 0) return { ...running, staging };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  running.child.kill('SIGKILL');
  throw new Error(`the run never started writing ${staging}:\n${(await running.ended).err}`);
}

for (const [signal, status] of [['SIGINT', STATUS.sigint], ['SIGTERM', STATUS.sigterm], ['SIGHUP', STATUS.sighup]] as const) {
  test(`${signal} during a run exits ${status}, removes the unfinished output and leaves the earlier one as it was`, async () => {
    const parent = fresh(signal);
    const dir = join(parent, 'X');
    earlierOutput(dir);
    const before = snapshot(dir);
    const run = await startLongRun(dir);
    run.child.kill(signal);
    const ended = await run.ended;
    assert.is(ended.status, status, `status ${ended.status} signal ${ended.signal}\n${ended.err}`);
    assert.is(ended.err, `cmk-sim: stopped by ${signal}; nothing was written to ${dir}, which is as it was\n`);
    assert.equal(snapshot(dir), before);
    assert.equal(readdirSync(parent), ['X'], 'a temporary was left');
  });
}

test('SIGKILL cannot be caught: the earlier output stays whole, and the next run into the folder removes the temporary it left', async () => {
  const parent = fresh('SIGKILL');
  const dir = join(parent, 'X');
  earlierOutput(dir);
  const before = snapshot(dir);
  const run = await startLongRun(dir);
  run.child.kill('SIGKILL');
  assert.is((await run.ended).signal, 'SIGKILL');
  assert.equal(snapshot(dir), before);
  assert.equal(readdirSync(parent).sort(), [`.X.tmp-${run.child.pid}`, 'X']);
  assert.ok(readdirSync(run.staging).includes('timeline.jsonl'), 'the kill left the staged timeline');
  const next = await cli('run', SMALL, '--out', dir);
  assert.is(next.status, STATUS.ok, show(next));
  assert.equal(readdirSync(parent), ['X']);
  assert.equal(readdirSync(dir).sort(), RUN_FILES);
});

test('the README tells the truth about outputs: committed as a folder, the marker, the signals and their exit statuses', () => {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  assert.not.match(readme, /Outputs are written atomically/);
  for (const words of ['.cmk-sim-output', '.<name>.tmp-<pid>', 'SIGKILL', '**129**', '**130**', '**143**']) assert.ok(readme.includes(words), `the README does not mention ${words}`);
});

test.run();
