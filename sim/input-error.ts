// The one error type for bad user input (scenario files, --param, CLI
// arguments). It carries every problem found, not just the first; the CLI
// prints them and exits with status 2.

import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

export interface Problem {
  /** The file (or "builtin:<name>", or "--param") the problem is in. */
  file: string;
  /** Field path inside it, e.g. "actions[2].for"; "" for the whole file. */
  path: string;
  /** What was found, as the user wrote it. */
  found: string;
  /** What is expected instead. */
  expected: string;
}

/** Marks an InputError whatever copy of this module made it (a lazily imported module may load its own copy). */
const INPUT_ERROR = Symbol.for('cmk-sim/InputError');

export class InputError extends Error {
  readonly problems: readonly Problem[];
  readonly [INPUT_ERROR] = true;

  constructor(problems: readonly Problem[]) {
    super(formatProblems(problems));
    this.name = 'InputError';
    this.problems = problems;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as { [INPUT_ERROR]?: unknown })[INPUT_ERROR] === true;
  }
}

/** The most characters of a field path a message shows: a key 100,000 characters long is cut, not copied. */
const SHOWN_PATH_CHARS_MAX = 200;
/** The most characters of a found value: a value read from a file is cut at 80 already (describeFound); the simulator's own wording, such as a work-budget figure, fits. */
const SHOWN_FOUND_CHARS_MAX = 400;
/** A file name is shown whole up to the longest path Linux takes (PATH_MAX). */
const SHOWN_FILE_CHARS_MAX = 4096;
/** The most problems a message lists: a file with 5,000 unknown fields gets the first ones and a count. */
const PROBLEMS_SHOWN_MAX = 20;

/** Control characters (C0 but a line break or a tab, DEL, C1) and invisible format characters (a right-to-left override, a zero-width space). */
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\p{Cf}]/gu;

/** Text for a terminal: what could move its cursor, recolour it or reorder what it shows is written as \u escapes. */
export function terminalSafe(text: string): string {
  return text.replace(UNPRINTABLE, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}

/** Cut past `most` characters, on one line: an escape sequence in a file name must not reach the terminal. */
const clip = (text: string, most: number): string => terminalSafe(text.length > most ? `${text.slice(0, most - 3)}...` : text).replace(/[\n\t]/g, (c) => (c === '\n' ? '\\u000a' : '\\u0009'));

export function formatProblem(problem: Problem): string {
  const file = clip(problem.file, SHOWN_FILE_CHARS_MAX);
  const where = problem.path === '' ? file : `${file}: ${clip(problem.path, SHOWN_PATH_CHARS_MAX)}`;
  return `${where}: found ${clip(problem.found, SHOWN_FOUND_CHARS_MAX)}; expected ${problem.expected}`;
}

/** Every problem on a line of its own, the first PROBLEMS_SHOWN_MAX of them. */
export function formatProblems(problems: readonly Problem[]): string {
  const shown = problems.slice(0, PROBLEMS_SHOWN_MAX).map(formatProblem);
  if (problems.length > PROBLEMS_SHOWN_MAX) shown.push(`... and ${problems.length - PROBLEMS_SHOWN_MAX} more problems`);
  return shown.join('\n');
}

/** A text file as a string: at most `maxBytes`, UTF-8 (a byte order mark dropped), or an InputError naming `source`. */
/**
 * Opens an input file for reading: a regular file, or an InputError saying
 * what the path is instead. Opened without blocking, so a pipe with no writer
 * is refused rather than waited on; the caller closes the descriptor.
 */
export function openInput(path: string, source: string, what: string): { fd: number; sizeBytes: number } {
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new InputError([{ file: source, path: '', found: 'a folder', expected: what }]);
    if (!stat.isFile()) throw new InputError([{ file: source, path: '', found: 'something that is not a regular file (a device, a pipe or a socket)', expected: what }]);
    return { fd, sizeBytes: stat.size };
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    if (error instanceof InputError) throw error;
    const code = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    const found = code === 'ENOENT' ? 'no such file' : code === 'EACCES' || code === 'EPERM' ? `a file it may not read (${code})` : code === 'EISDIR' ? 'a folder' : `a file that cannot be read (${code})`;
    throw new InputError([{ file: source, path: '', found, expected: what }]);
  }
}

/** Bytes read at a time from a file whose size says nothing (a /proc file says 0). */
const READ_CHUNK_BYTES = 1 << 16;

export function readTextInput(path: string, source: string, maxBytes: number, what: string): string {
  let bytes: Buffer;
  const { fd, sizeBytes } = openInput(path, source, what);
  const tooLarge = (found: string) => new InputError([{ file: source, path: '', found, expected: `${what} of at most ${formatBytes(maxBytes)}` }]);
  try {
    if (sizeBytes > maxBytes) throw tooLarge(`a file of ${formatBytes(sizeBytes)}`);
    // The size the file reports, and at least a chunk: a file that grows meanwhile, or reports 0 (/proc), is read up to one byte past the limit.
    bytes = Buffer.allocUnsafe(Math.max(sizeBytes, READ_CHUNK_BYTES));
    let read = 0;
    for (;;) {
      if (read === bytes.length) {
        if (read > maxBytes) throw tooLarge(`a file of more than ${formatBytes(maxBytes)}`);
        const grown = Buffer.allocUnsafe(Math.min(bytes.length * 2, maxBytes + 1));
        bytes.copy(grown, 0, 0, read);
        bytes = grown;
      }
      const got = readSync(fd, bytes, read, bytes.length - read, read);
      if (got === 0) break;
      read += got;
    }
    bytes = bytes.subarray(0, read);
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    throw new InputError([{ file: source, path: '', found: `a file that cannot be read (${code})`, expected: what }]);
  } finally {
    closeSync(fd);
  }
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new InputError([{ file: source, path: '', found: 'UTF-16 text (it starts with a UTF-16 byte order mark)', expected: `${what} in UTF-8` }]);
  }
  const text = bytes.toString('utf8');
  if (!isUtf8(bytes, text)) {
    const offset = firstNonUtf8Byte(bytes, text);
    const line = bytes.subarray(0, offset).toString('utf8').split('\n').length;
    throw new InputError([{ file: source, path: '', found: `bytes that are not UTF-8 at line ${line} (byte ${offset})`, expected: `${what} in UTF-8` }]);
  }
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

/** Whether decoding lost nothing: invalid UTF-8 decodes to U+FFFD, which encodes back to other bytes. */
function isUtf8(bytes: Buffer, text: string): boolean {
  return !text.includes('\uFFFD') || Buffer.byteLength(text) === bytes.length && Buffer.from(text).equals(bytes);
}

/** Where the bytes and their decoding, encoded again, first differ: the first byte that is not UTF-8. */
function firstNonUtf8Byte(bytes: Buffer, text: string): number {
  const again = Buffer.from(text);
  let i = 0;
  while (i < bytes.length && i < again.length && bytes[i] === again[i]) i++;
  return i;
}

function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

const MAX_FOUND_CHARS = 80;

/** What the user wrote, short and JSON-ish; "nothing" when the field is missing. */
export function describeFound(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  if (typeof value === 'string') text = JSON.stringify(value);
  else if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) text = `${value} (as read, rounded: past 2^53 - 1 whole numbers are not exact)`;
  else if (typeof value === 'number' || typeof value === 'boolean' || value === null) text = String(value);
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > MAX_FOUND_CHARS ? `${text.slice(0, MAX_FOUND_CHARS - 3)}...` : text;
}
