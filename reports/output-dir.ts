// An output folder, committed as a whole. A command's files are staged in a
// temporary sibling folder, <parent>/.<name>.tmp-<pid>, and that folder is
// renamed into place once every file is written. A previous output at the
// path is first renamed aside (.<name>.old-<pid>) and removed once the new
// one is in place: at every instant the path holds the old output, the new
// one or nothing, never a mix of the two.
//
// A marker file (.cmk-sim-output) tells a cmk-sim output from the user's own
// folder: a non-empty folder without it is refused, never replaced.
//
// The folder is checked before any work starts (OutputDir.check), and
// file-system trouble (a file in the way, no permission, a full disk, a name
// too long) is bad input naming the path, not a bug: FS_TROUBLE below is the
// one table of what each error code means to the user.
//
// SIGKILL cannot be caught: it leaves the temporary folder behind, and the
// next command writing to the same path removes it (its process is gone).
// When the command line asks for it (exitCleanlyOnSignals), SIGHUP, SIGINT
// and SIGTERM remove the temporary folder at once and exit 129 / 130 / 143.

import { closeSync, type Dirent, lstatSync, mkdirSync, openSync, readdirSync, readSync, realpathSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { InputError, type Problem } from '../sim/input-error.ts';

export const MARKER_FILE = '.cmk-sim-output';

/** What the marker records: the kind of output and the version that wrote it. */
export interface OutputMarker {
  output: 'run' | 'sweep' | 'explore';
  version: string;
}

/** The exit status of a command stopped by a signal: 128 + the signal's number, as shells report it. */
export const SIGNAL_EXIT = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;

// The files cmk-sim 0.1.0 wrote before outputs carried a marker, and its
// per-file temporaries (.<file>.tmp-<pid>): a folder holding nothing else is
// an earlier output, replaced like one, so upgrading does not lock users out
// of their own out/ folders.
const UNMARKED_OUTPUT_FILES: ReadonlySet<string> = new Set([
  'timeline.jsonl', 'timeline.csv', 'trace.json', 'sla.json', 'sla.md', 'sla.csv', 'report.html',
  'sweep.json', 'runs.csv', 'summary.csv', 'summary.md', 'summary.html',
  'counterexample.yaml',
]);
const UNMARKED_TEMPORARY = /^\.(.+)\.tmp-\d+$/;

/** What an error code of the file system means to the user, and what to do about it. */
const FS_TROUBLE: Readonly<Record<string, { found: string; todo: string }>> = {
  ENOSPC: { found: 'no space left on the device (ENOSPC)', todo: 'free some space, or choose a folder on another disk with --out' },
  EDQUOT: { found: 'the disk quota used up (EDQUOT)', todo: 'free some space within your quota, or choose another folder with --out' },
  EFBIG: { found: 'a file larger than the file system or `ulimit -f` allows (EFBIG)', todo: 'raise the limit, or choose another folder with --out' },
  EROFS: { found: 'a read-only file system (EROFS)', todo: 'choose a folder on a writable file system with --out' },
  EACCES: { found: 'no permission (EACCES)', todo: 'choose a folder you can write to with --out, or change its permissions' },
  EPERM: { found: 'an operation not permitted (EPERM)', todo: 'choose a folder you can write to with --out' },
  ENAMETOOLONG: { found: 'a name longer than the file system allows (ENAMETOOLONG)', todo: 'choose a shorter path with --out (cmk-sim adds about 20 characters to the folder name while it writes)' },
  ENOTDIR: { found: 'a file where a folder should be (ENOTDIR)', todo: 'choose a path whose parents are folders with --out' },
  EEXIST: { found: 'a file where a folder should be (EEXIST)', todo: 'choose a path whose parents are folders with --out' },
  ENOENT: { found: 'a path where nothing can be made (ENOENT): a symbolic link to nothing, a folder removed while cmk-sim wrote, or a file system of the kernel such as /proc', todo: 'choose another folder with --out' },
  ENOTEMPTY: { found: 'a folder that another command wrote at the same moment (ENOTEMPTY)', todo: 'run one command at a time per output folder' },
  EBUSY: { found: 'a folder in use that cannot be moved, such as a mount point (EBUSY)', todo: 'choose a folder inside it with --out' },
  EXDEV: { found: 'a folder on another file system than its parent (EXDEV)', todo: 'choose a folder inside it with --out' },
  ELOOP: { found: 'a loop of symbolic links (ELOOP)', todo: 'choose another path with --out' },
  EIO: { found: 'an input/output error of the disk (EIO)', todo: 'check the disk, or choose a folder on another one with --out' },
  EMFILE: { found: 'too many open files (EMFILE)', todo: 'raise the limit (`ulimit -n`) and run again' },
  ENFILE: { found: 'too many open files on the system (ENFILE)', todo: 'close some programs and run again' },
};

/** The problem an error of the file system poses at `file`, or undefined when it is not the user's environment (a bug); `flag` is the option that chose the path. */
export function fsProblem(error: unknown, file: string, flag = '--out'): Problem | undefined {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  const trouble = FS_TROUBLE[code];
  if (trouble === undefined) return undefined;
  return { file, path: '', found: trouble.found, expected: `a place to write: ${trouble.todo.replaceAll('--out', flag)}; nothing was written` };
}

/** How a JUnit file starts: the only kind of existing file an OutputFile replaces. */
const JUNIT_START = /^(?:\uFEFF)?<\?xml[^>]*\?>\s*<testsuites?[\s>]/;
const HEAD_BYTES = 4096;

/** The first bytes of a file, as text. */
function headOf(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(HEAD_BYTES);
    return head.subarray(0, readSync(fd, head, 0, HEAD_BYTES, 0)).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * One file written outside an output folder (`run --junit FILE`), as atomically as the folders:
 * checked before any work, staged beside its place as .<name>.tmp-<pid>, and renamed into place
 * by commit. File-system trouble is bad input naming the file and the flag.
 */
export class OutputFile {
  private readonly target: string;
  private staged: string | null = null;

  constructor(
    readonly path: string,
    private readonly flag: string,
  ) {
    const problem = (found: string, expected: string) => new InputError([{ file: flag, path: '', found, expected }]);
    if (path.trim() === '') throw problem(JSON.stringify(path), 'a file path, e.g. out/junit.xml');
    // Standard output carries the summary (or --json): "-" is not taken to mean it, nor written as a file of that name.
    if (path === '-') throw problem('"-" (standard output)', 'a file path, e.g. out/junit.xml (./- for a file named -)');
    this.target = resolve(path);
    const stats = statOrNull(this.target, path, statSync, flag);
    if (stats !== null && !stats.isFile()) throw new InputError([{ file: path, path: '', found: stats.isDirectory() ? 'a folder' : 'something that is not a regular file (a device, a pipe or a socket)', expected: `a file path for ${flag}: choose another` }]);
    // Only a JUnit file is replaced: a scenario, an SLO file, another run's sla.json or anything else named by mistake is kept.
    if (stats !== null && !JUNIT_START.test(this.tryFs(() => headOf(this.target)))) {
      throw new InputError([{ file: path, path: '', found: 'an existing file that is not JUnit XML', expected: `a new file path for ${flag}, or a JUnit file to replace: nothing else is overwritten` }]);
    }
    // A probe, as the file will need: a new file beside it (or in the nearest folder that exists: none is made before the work), then nothing left.
    const probe = join(nearestFolder(dirname(this.target), path, flag), basename(temporaryName(this.target, 'probe')));
    this.tryFs(() => {
      try {
        writeFileSync(probe, '');
      } finally {
        rmSync(probe, { force: true });
      }
    });
  }

  /** Writes the content beside its place; nothing is in place until commit. */
  stage(content: string): void {
    const staged = temporaryName(this.target, 'tmp');
    this.staged = staged;
    try {
      this.tryFs(() => {
        mkdirSync(dirname(staged), { recursive: true });
        writeFileSync(staged, content);
      });
    } catch (error) {
      this.abort();
      throw error;
    }
  }

  commit(): void {
    const staged = this.staged;
    if (staged === null) throw new Error('internal: an output file committed before it was staged');
    try {
      this.tryFs(() => renameSync(staged, this.target));
    } finally {
      this.abort();
    }
  }

  /** Removes the staged file, if any. */
  abort(): void {
    if (this.staged !== null) rmSync(this.staged, { force: true });
    this.staged = null;
  }

  private tryFs<T>(action: () => T): T {
    try {
      return action();
    } catch (error) {
      const problem = fsProblem(error, this.path, this.flag);
      throw problem === undefined ? error : new InputError([problem]);
    }
  }
}

/** Makes `dir` (if missing) and marks it as a cmk-sim output, for a command that keeps work in progress there (a sweep's progress file). */
export function markOutput(dir: string, marker: OutputMarker): void {
  tryFs(dir, () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, MARKER_FILE), JSON.stringify({ tool: 'cmk-sim', ...marker }) + '\n');
  });
}

export class OutputDir {
  /** The absolute path of the folder that receives the output. */
  private readonly target: string;
  private staging: string | null = null;
  private readonly staged: string[] = [];

  /** Checks the folder as `check` does; nothing is created until the first file is staged. */
  constructor(
    readonly dir: string,
    private readonly marker: OutputMarker,
  ) {
    this.target = OutputDir.check(dir);
  }

  /**
   * Checks, before any work, that `dir` can receive an output: a new path, an
   * empty folder or an earlier cmk-sim output, on a file system that takes a
   * file. Creates the missing parent folders and removes temporaries that
   * killed commands left there; throws InputError naming the path and what
   * to do. Returns the absolute path of the folder.
   */
  static check(dir: string): string {
    if (dir.trim() === '') throw new InputError([{ file: '--out', path: '', found: JSON.stringify(dir), expected: 'a folder path, e.g. --out out/my-run' }]);
    let target = resolve(dir);
    if (basename(target) === '') throw new InputError([{ file: dir, path: '', found: 'the root of the file system', expected: 'a folder path under it, e.g. --out out/my-run' }]);
    if (statOrNull(target, dir, lstatSync)?.isSymbolicLink() === true) {
      // A link to a folder: the output goes where it points.
      target = tryFs(dir, () => realpathSync(target));
    }
    const parent = dirname(target);
    if (refuseUnlessReplaceable(target, dir) && tryFs(dir, () => statSync(target).dev !== statSync(parent).dev)) {
      // The output is staged beside the folder and renamed into its place: a mount point (a volume) cannot be.
      throw new InputError([{ file: dir, path: '', found: 'a mount point (another file system than its parent)', expected: 'a folder inside it, e.g. --out ' + join(dir, 'run-1') }]);
    }
    // Nothing is made before the work: the folders missing on the way are made when the output is.
    const existing = nearestFolder(parent, dir);
    if (existing === parent) removeLeftovers(parent, basename(target));
    // A probe: a folder and a small file, as the output will need, then nothing left.
    const probe = join(existing, basename(temporaryName(target, 'probe')));
    tryFs(dir, () => {
      rmSync(probe, { recursive: true, force: true });
      mkdirSync(probe);
      try {
        writeFileSync(join(probe, MARKER_FILE), 'probe\n');
      } finally {
        rmSync(probe, { recursive: true, force: true });
      }
    });
    return target;
  }

  /**
   * A file path given beside the folder (run --junit) that falls inside it: its name, to be
   * written as one more file of the output; null when it is outside. The output's own files, and
   * subfolders (the folder is replaced as a whole), are refused.
   */
  fileInside(path: string, flag: string): string | null {
    const inside = relative(this.target, resolve(path));
    if (inside.startsWith('..') || isAbsolute(inside)) return null;
    if (inside === '' || inside.includes(sep) || UNMARKED_OUTPUT_FILES.has(inside) || inside === MARKER_FILE) {
      throw new InputError([{ file: flag, path: '', found: `${JSON.stringify(path)}, ${inside === '' ? 'the --out folder itself' : inside.includes(sep) ? 'a path in a subfolder of the --out folder' : 'a file the command writes there'}`, expected: `a file outside the --out folder, or directly in it under a name of its own, e.g. ${join(this.dir, 'junit.xml')}` }]);
    }
    return inside;
  }

  /** The path a writer streams the file `name` to; it is in place, in `dir`, after commit. */
  stage(name: string): string {
    this.staged.push(name);
    return join(this.open(), name);
  }

  write(name: string, content: string): void {
    const path = this.stage(name);
    tryFs(join(this.dir, name), () => writeFileSync(path, content));
  }

  /** The names of the files, in the order they were staged. */
  get names(): string[] {
    return [...this.staged];
  }

  /** Puts the staged folder in place of `dir`, replacing an earlier output as a whole. */
  commit(): void {
    const staging = this.open();
    const aside = temporaryName(this.target, 'old');
    let movedAside = false;
    try {
      // Checked before the work started; checked again, something may have been put there since.
      if (refuseUnlessReplaceable(this.target, this.dir)) {
        rmSync(aside, { recursive: true, force: true });
        renameSync(this.target, aside);
        movedAside = true;
      }
      renameSync(staging, this.target);
    } catch (error) {
      if (movedAside) tryToRestore(aside, this.target);
      throw this.failure(error);
    }
    this.close();
    if (!movedAside) return;
    try {
      rmSync(aside, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // The new output is in place: an old one that cannot be removed now is removed by the next command writing there.
    }
  }

  /** Removes the staged files: nothing of this command is left. */
  abort(): void {
    if (this.staging === null) return;
    rmSync(this.staging, { recursive: true, force: true, maxRetries: 3 });
    this.close();
  }

  /**
   * Aborts, and returns the error to throw: file-system trouble as an
   * InputError naming the file that could not be written, anything else as it
   * was (a bug).
   */
  failure(error: unknown): unknown {
    const staging = temporaryName(this.target, 'tmp');
    this.abort();
    if (error instanceof InputError) return error;
    const path = typeof error === 'object' && error !== null && 'path' in error && typeof error.path === 'string' ? error.path : '';
    const inside = relative(staging, path);
    const file = path === '' || inside === '' || inside.startsWith('..') ? this.dir : join(this.dir, inside);
    const problem = fsProblem(error, file);
    return problem === undefined ? error : new InputError([problem]);
  }

  private open(): string {
    if (this.staging !== null) return this.staging;
    const staging = temporaryName(this.target, 'tmp');
    // Left by an earlier process with the same pid (a restarted container): stale.
    if (!openStagings.has(staging)) rmSync(staging, { recursive: true, force: true });
    tryFs(this.dir, () => {
      mkdirSync(dirname(staging), { recursive: true });
      mkdirSync(staging);
    });
    markOutput(staging, this.marker);
    this.staging = staging;
    openStagings.set(staging, this.dir);
    listenForSignals();
    return staging;
  }

  private close(): void {
    if (this.staging !== null) openStagings.delete(this.staging);
    this.staging = null;
    listenForSignals();
  }
}

function temporaryName(target: string, kind: 'tmp' | 'old' | 'probe'): string {
  return join(dirname(target), `.${basename(target)}.${kind}-${process.pid}`);
}

/** Whether something is at `target` (an empty folder or an earlier output, which may be replaced); an InputError for anything else. */
function refuseUnlessReplaceable(target: string, shown: string): boolean {
  const stats = statOrNull(target, shown, lstatSync);
  if (stats === null) return false;
  if (!stats.isDirectory()) {
    throw new InputError([{ file: shown, path: '', found: 'a file, not a folder', expected: 'a folder for the outputs: remove the file, or choose another folder with --out' }]);
  }
  if (!isReplaceable(tryFs(shown, () => readdirSync(target, { withFileTypes: true })))) {
    throw new InputError([{ file: shown, path: '', found: `a folder that is not a cmk-sim output (it has files and no ${MARKER_FILE})`, expected: 'a new or empty folder: choose one with --out; cmk-sim replaces only its own outputs' }]);
  }
  return true;
}

function tryToRestore(aside: string, target: string): void {
  try {
    renameSync(aside, target);
  } catch {
    // The earlier output stays aside, as .<name>.old-<pid>, until the next command writing there removes it.
  }
}

/**
 * An empty folder, one with the marker (a regular file), or one holding only
 * regular files named as cmk-sim writes them: a folder or a link among them,
 * whatever its name, is the user's, so the folder is not replaced.
 */
function isReplaceable(entries: readonly Dirent[]): boolean {
  if (entries.length === 0 || entries.some((entry) => entry.name === MARKER_FILE && entry.isFile())) return true;
  return entries.every((entry) => entry.isFile() && (UNMARKED_OUTPUT_FILES.has(entry.name) || UNMARKED_OUTPUT_FILES.has(UNMARKED_TEMPORARY.exec(entry.name)?.[1] ?? '')));
}

/** Removes .<name>.tmp-<pid>, .old-<pid> and .probe-<pid> folders whose process is gone: left by a kill that could not be caught. */
function removeLeftovers(parent: string, name: string): void {
  const pattern = new RegExp(`^\\.${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(?:tmp|old|probe)-(\\d+)$`);
  for (const entry of tryFs(parent, () => readdirSync(parent))) {
    const pid = Number(pattern.exec(entry)?.[1] ?? NaN);
    if (Number.isSafeInteger(pid) && pid !== process.pid && !isAlive(pid)) rmSync(join(parent, entry), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** The stats of `path`, or null when nothing is there; trouble is reported against `shown`. */
function statOrNull(path: string, shown: string, stat: (path: string) => Stats, flag = '--out'): Stats | null {
  try {
    return stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') throw underAFile(path, shown, flag);
    throw problemOr(error, shown, flag);
  }
}

/**
 * `folder` if it exists, else its nearest parent that does: where a probe tells whether the
 * output can be written, before any folder is made. A file on the way is bad input.
 */
function nearestFolder(folder: string, shown: string, flag = '--out'): string {
  // Bounded by the path's depth: dirname of the root is the root.
  for (let at = folder; ; at = dirname(at)) {
    const stats = statOrNull(at, shown, statSync, flag);
    if (stats !== null) {
      if (!stats.isDirectory()) throw underAFile(join(at, 'x'), shown, flag);
      return at;
    }
    if (dirname(at) === at) return at;
  }
}

/** `--out a/b/c` where a or a/b is a file: name the file. */
function underAFile(path: string, shown: string, flag = '--out'): InputError {
  let ancestor = dirname(path);
  while (dirname(ancestor) !== ancestor) {
    try {
      if (!statSync(ancestor).isDirectory()) break;
    } catch {
      // Not there, or not a folder on the way: keep going up.
    }
    ancestor = dirname(ancestor);
  }
  const file = isAbsolute(shown) ? ancestor : relative(process.cwd(), ancestor).split(sep).join('/');
  return new InputError([{ file: shown, path: '', found: `a path under the file ${file}`, expected: `a path whose parents are folders: choose another with ${flag}` }]);
}

function tryFs<T>(shown: string, action: () => T): T {
  try {
    return action();
  } catch (error) {
    throw problemOr(error, shown);
  }
}

function problemOr(error: unknown, file: string, flag = '--out'): unknown {
  const problem = fsProblem(error, file, flag);
  return problem === undefined ? error : new InputError([problem]);
}

// ---------------------------------------------------------------------------
// Signals

/** Staging folders being written, and the folder each is for. */
const openStagings = new Map<string, string>();
let exitOnSignals = false;

/**
 * Called by the command line (not by library users, whose process is theirs):
 * while a staging folder exists (or a stop note is registered), SIGHUP,
 * SIGINT and SIGTERM remove it and exit with 129 / 130 / 143. The handlers
 * are installed only while one exists, because a
 * handler defers the signal until the running task ends, and a long
 * synchronous task (an explore, a sweep on one worker) must stay stoppable.
 */
export function exitCleanlyOnSignals(): void {
  exitOnSignals = true;
}

/** What a command stopped now leaves behind that the user should know of (a sweep's progress, kept for --resume), while registered. */
const stopNotes = new Set<(signal: string) => string>();

/**
 * While the returned function is not called, a signal that stops the command
 * also prints this note: for work whose progress outlives the process.
 */
export function noteOnStop(note: (signal: string) => string): () => void {
  stopNotes.add(note);
  listenForSignals();
  return () => {
    stopNotes.delete(note);
    listenForSignals();
  };
}

function onSignal(signal: keyof typeof SIGNAL_EXIT): void {
  for (const [staging, dir] of openStagings) {
    rmSync(staging, { recursive: true, force: true, maxRetries: 3 });
    process.stderr.write(`cmk-sim: stopped by ${signal}; nothing was written to ${dir}, which is as it was\n`);
  }
  for (const note of stopNotes) process.stderr.write(`${note(signal)}\n`);
  process.exit(SIGNAL_EXIT[signal]);
}

let listening = false;
function listenForSignals(): void {
  const wanted = exitOnSignals && (openStagings.size > 0 || stopNotes.size > 0);
  if (wanted === listening) return;
  for (const signal of Object.keys(SIGNAL_EXIT) as (keyof typeof SIGNAL_EXIT)[]) {
    if (wanted) process.on(signal, onSignal);
    else process.off(signal, onSignal);
  }
  listening = wanted;
}
