// Reading a recorded history back (timeline.jsonl) and judging it with the
// same checker a run uses: `cmk-sim check`. The file is read line by line in
// chunks, so a history of any length costs memory for one line at a time;
// every line is checked against the event table before the checker sees it.

import { closeSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { InputError, openInput } from '../input-error.ts';
import { keyTwice } from '../json-keys.ts';
import { Checker, HistoryError, type InvariantReport } from './checker.ts';
import { readEvent } from './events.ts';

const CHUNK_BYTES = 1 << 20;
/** A line longer than this is not a cmk-sim event: refuse it rather than hold it. */
const LINE_BYTES_MAX = 64 << 20;

/** The timeline of a run folder, or the file itself. */
export function historyPath(path: string): string {
  try {
    return statSync(path).isDirectory() ? join(path, 'timeline.jsonl') : path;
  } catch {
    return path;
  }
}

/** Judges every event of the file in order; a malformed line or history is an InputError naming the line. */
export function checkHistory(path: string): InvariantReport {
  if (path.trim() === '') throw new InputError([{ file: 'check', path: '', found: JSON.stringify(path), expected: 'a timeline.jsonl written by cmk-sim run, or the run folder holding it' }]);
  const file = historyPath(path);
  const { fd } = openInput(file, file, 'a timeline.jsonl written by cmk-sim run, or the run folder holding it');
  const checker = new Checker();
  let lineNumber = 0;
  let seen = 0;
  const judge = (text: string): void => {
    lineNumber++;
    // A byte order mark an editor put before the first event is not part of it.
    const line = lineNumber === 1 && text.startsWith('\uFEFF') ? text.slice(1) : text;
    if (line.trim() === '') return;
    const where = `line ${lineNumber}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      // A compressed or binary file decodes to replacement characters: say so rather than show them.
      if (line.includes('\uFFFD')) throw new InputError([{ file, path: where, found: 'bytes that are not UTF-8', expected: 'a timeline.jsonl in UTF-8, as cmk-sim run writes it (not compressed)' }]);
      throw new InputError([{ file, path: where, found: excerpt(line), expected: 'one JSON event per line' }]);
    }
    const read = readEvent(recordedBeforeOverridden(value));
    if ('problem' in read) {
      const { path, found, expected } = read.problem;
      throw new InputError([{ file, path: path === '' ? where : `${where}: ${path}`, found, expected }]);
    }
    // A line as cmk-sim writes it is what JSON.stringify makes of its value (an event: no deeper than the event table);
    // any other (spaces, escapes, a key given twice) is read for a key twice.
    const twice = JSON.stringify(value) === line ? undefined : keyTwice(line);
    if (twice !== undefined) throw new InputError([{ file, path: `${where}: ${twice.path}`, found: `the key ${JSON.stringify(twice.key)} a second time in the same object`, expected: 'each key once (JSON.parse would silently keep the last)' }]);
    try {
      checker.apply(read.event);
    } catch (error) {
      if (error instanceof HistoryError) {
        throw new InputError([error.field === undefined ? { file, path: where, found: error.message, expected: 'a history as cmk-sim run records it' } : { file, path: `${where}: ${error.field.path}`, found: error.field.found, expected: error.field.expected }]);
      }
      throw error;
    }
    seen++;
  };
  try {
    const chunk = Buffer.alloc(CHUNK_BYTES);
    // A character split across two chunks is decoded whole.
    const decoder = new StringDecoder('utf8');
    let pending = '';
    for (let read = readSync(fd, chunk); read > 0; read = readSync(fd, chunk)) {
      const lines = (pending + decoder.write(chunk.subarray(0, read))).split('\n');
      pending = lines.pop()!;
      if (pending.length > LINE_BYTES_MAX) throw new InputError([{ file, path: `line ${lineNumber + lines.length + 1}`, found: `a line over ${LINE_BYTES_MAX} bytes`, expected: 'one JSON event per line' }]);
      for (const line of lines) judge(line);
    }
    judge(pending + decoder.end());
  } finally {
    closeSync(fd);
  }
  if (seen === 0) throw new InputError([{ file, path: '', found: 'no events', expected: 'a timeline.jsonl written by cmk-sim run' }]);
  if (!checker.ended) throw new InputError([{ file, path: `line ${lineNumber}`, found: 'a history without scenario.end', expected: 'a whole run: the file ends with scenario.end (was the run interrupted?)' }]);
  return checker.report();
}

function excerpt(line: string): string {
  return JSON.stringify(line.length > 60 ? `${line.slice(0, 57)}...` : line);
}

/**
 * A scenario.start recorded before it named the parameters its scenario set
 * (`overridden`) cannot tell a page the model misread from a setting: every
 * parameter it holds is taken as the scenario's own, and no page figure is
 * judged.
 */
function recordedBeforeOverridden(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  if (record.type !== 'scenario.start' || Object.hasOwn(record, 'overridden')) return value;
  const params = record.params;
  return { ...record, overridden: typeof params === 'object' && params !== null ? Object.keys(params).sort() : [] };
}
