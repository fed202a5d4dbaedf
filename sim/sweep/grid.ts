// What-if grids: `--vary name=v1,v2,...` (repeatable) names a parameter or a
// field of an action or a fault, and gives the values to try. Each cell of
// the cartesian product is the scenario file with those values written in,
// validated by the loader exactly as if the user had written them, so a bad
// value is reported as the loader would, against the --vary flag.

import { isCollection, parseDocument, visit } from 'yaml';
import { readScenarioData, type LoadOptions } from '../../scenarios/load.ts';
import { closest, validateScenario } from '../../scenarios/schema.ts';
import { PARAM_NAMES } from '../azure/profiles.ts';
import { RsaKeyPool } from '../crypto/index.ts';
import { InputError, type Problem } from '../input-error.ts';
import type { Scenario } from '../scenario.ts';
import { setupProblems } from '../world.ts';
import { MAX_GRID_CELLS, cellCount, cellValues, type GridAxis } from './plan.ts';

export interface Grid {
  axes: GridAxis[];
  /** One scenario per cell, in cell order (cellValues). */
  cells: Scenario[];
}

const VARY = '--vary';
const VARY_EXPECTED = 'name=v1,v2,... with a parameter name or a field of an action or a fault, e.g. actions[0].for=30m,1h,4h or mmkBufferMaxAge=2h,4h';
const FIELD_PATH = /^(actions|faults)((?:\[\d+\]|\.[A-Za-z][A-Za-z0-9]*)+)$/;

type Segment = string | number;

interface Axis extends GridAxis {
  /** Where the values go in the scenario file's data. */
  segments: Segment[];
  /** The values as YAML read them: what the loader is given. */
  data: unknown[];
}

/** The grid of --vary flags over the scenario `nameOrPath` loaded with `options`; every problem of every flag in one InputError. */
export function buildGrid(nameOrPath: string, options: LoadOptions, vary: readonly string[]): Grid {
  const problems: Problem[] = [];
  const axes = vary.map((arg) => parseAxis(arg, options, problems)).filter((axis) => axis !== undefined);
  axes.forEach((axis, a) => {
    // Compared as the field they reach: actions[00].for is actions[0].for.
    const field = pathText(axis.segments);
    const first = axes.findIndex((other) => pathText(other.segments) === field);
    if (first < a) problems.push({ file: VARY, path: axis.name, found: axes[first]!.name === axis.name ? 'the name varied twice' : `the field ${axes[first]!.name} varied twice`, expected: 'each name in one --vary flag, with all its values' });
  });
  // The size of the grid is known from the flags alone: said before any value is built.
  if (cellCount(axes) > MAX_GRID_CELLS) {
    problems.push({ file: VARY, path: '', found: `${cellCount(axes)} cells (${axes.map((a) => a.values.length).join(' x ')})`, expected: `at most ${MAX_GRID_CELLS} cells` });
    throw new InputError(problems);
  }
  const { data, source } = readScenarioData(nameOrPath);
  // The setup of every value draws its RSA pairs from one pool: the n-th key of a size is the same pair in each.
  const rsaKeyPool = new RsaKeyPool();

  // Each value on its own first: a bad value is named once, not in every cell it is part of.
  for (const axis of axes) {
    const missing = missingAt(data, axis.segments);
    if (missing !== undefined) {
      problems.push({ file: VARY, path: axis.name, found: missing, expected: 'a field of an action or a fault the scenario has (entries count from 0, in file order)' });
      continue;
    }
    // Two values are one when they make the same scenario (60m and 1h, 0.1 and 0.10): a grid runs each once.
    const scenarioOf = new Map<string, string>();
    axis.data.forEach((value, v) => {
      const text = axis.values[v]!;
      const scenario = tryBuild(data, source, options, [{ axis, value }], (found) => problems.push(...found.map((p) => blame(p, source, axis, text))));
      if (scenario === undefined) return;
      const read = JSON.stringify(scenario);
      const same = scenarioOf.get(read);
      if (same !== undefined) return void problems.push({ file: VARY, path: axis.name, found: `${same} and ${text}, the same value`, expected: 'each value once' });
      scenarioOf.set(read, text);
      // The setup before t=0 depends on the parameters alone, not on actions or faults.
      if (isParam(axis.name)) problems.push(...setupProblems(scenario, rsaKeyPool).map((p) => blame(p, source, axis, text)));
    });
  }
  if (problems.length > 0) throw new InputError(problems);

  const cells: Scenario[] = [];
  for (let cell = 0; cell < cellCount(axes); cell++) {
    const values = cellValues(axes, cell);
    const edits = axes.map((axis, a) => ({ axis, value: axis.data[axis.values.indexOf(values[a]!)] }));
    const label = axes.map((axis, a) => `${axis.name}=${values[a]}`).join(', ');
    const scenario = tryBuild(data, source, options, edits, (p) => problems.push(...p.map((one) => ({ file: VARY, path: one.path === '' ? label : `${label}: ${one.path}`, found: one.found, expected: one.expected }))));
    if (scenario !== undefined) cells.push(scenario);
  }
  if (problems.length > 0) throw new InputError(problems);
  return { axes: axes.map(({ name, values }) => ({ name, values })), cells };
}

const isParam = (name: string): boolean => (PARAM_NAMES as readonly string[]).includes(name);

function parseAxis(arg: string, options: LoadOptions, problems: Problem[]): Axis | undefined {
  const eq = arg.indexOf('=');
  const name = eq < 0 ? '' : arg.slice(0, eq).trim();
  if (name === '') return void problems.push({ file: VARY, path: '', found: JSON.stringify(arg), expected: VARY_EXPECTED });
  let segments: Segment[];
  if (isParam(name)) {
    if ((options.params ?? []).some((p) => p.slice(0, p.indexOf('=')).trim() === name)) {
      return void problems.push({ file: VARY, path: name, found: 'a parameter also set with --param', expected: 'a parameter either fixed (--param) or varied (--vary), not both' });
    }
    segments = ['params', name];
  } else {
    const match = FIELD_PATH.exec(name);
    if (match === null || !match[2]!.startsWith('[')) {
      const hint = closest(name, PARAM_NAMES);
      const expected = `a parameter name (one of ${PARAM_NAMES.join(', ')}) or a field of an action or a fault, e.g. actions[0].for or faults[1].meanTimeBetween`;
      return void problems.push({ file: VARY, path: name, found: JSON.stringify(name), expected: hint === undefined ? expected : `${expected}; did you mean ${hint}?` });
    }
    segments = [match[1]!, ...[...match[2]!.matchAll(/\[(\d+)\]|\.([A-Za-z0-9]+)/g)].map((m) => (m[1] !== undefined ? Number(m[1]) : m[2]!))];
  }
  const list = `[${arg.slice(eq + 1)}]`;
  const doc = parseDocument(list, { uniqueKeys: true });
  const items = isCollection(doc.contents) ? doc.contents.items : [];
  let aliases = false;
  visit(doc, { Alias: () => ((aliases = true), visit.BREAK) });
  // YAML takes [1h,] as one value: a trailing comma, as a leading one, is a value left out.
  if (doc.errors.length > 0 || items.length === 0 || aliases || arg.slice(eq + 1).trim().endsWith(',')) {
    return void problems.push({ file: VARY, path: name, found: JSON.stringify(arg.slice(eq + 1)), expected: 'one or more values separated by commas, each written as in the scenario file (YAML, without aliases), e.g. 30m,1h,4h or [6s, 60s],[1m, 2m]' });
  }
  // Each value as the user wrote it: the column of runs.csv and the label of its cell.
  const values = items.map((item) => {
    const range = (item as { range?: [number, number, number] }).range!;
    return list.slice(range[0], range[1]).trim();
  });
  const duplicate = values.find((value, i) => values.indexOf(value) < i);
  if (duplicate !== undefined) return void problems.push({ file: VARY, path: name, found: `${JSON.stringify(duplicate)} twice`, expected: 'each value once' });
  return { name, values, segments, data: doc.toJS() as unknown[] };
}

/** Why `segments` cannot be written into the scenario's data, or undefined when its parent exists. */
function missingAt(data: unknown, segments: readonly Segment[]): string | undefined {
  if (segments[0] === 'params') return undefined;
  let node: unknown = data;
  for (let i = 0; i < segments.length - 1; i++) {
    const segment = segments[i]!;
    const next = typeof segment === 'number' ? (Array.isArray(node) ? node[segment] : undefined) : typeof node === 'object' && node !== null && !Array.isArray(node) ? (node as Record<string, unknown>)[segment] : undefined;
    if (next === undefined || next === null) {
      const where = pathText(segments.slice(0, i + 1));
      const list = pathText(segments.slice(0, i));
      const size = !Array.isArray(node) ? '' : node.length === 0 ? ` (${list} is empty)` : ` (the scenario has ${list}[0] to ${list}[${node.length - 1}])`;
      return `nothing at ${where}${size}`;
    }
    node = next;
  }
  const parent = node;
  const leaf = segments.at(-1)!;
  if (typeof leaf === 'number' ? !Array.isArray(parent) || leaf >= parent.length : typeof parent !== 'object' || parent === null || Array.isArray(parent)) {
    return `nothing at ${pathText(segments)} that can be set`;
  }
  return undefined;
}

const pathText = (segments: readonly Segment[]): string => segments.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');

/** The scenario with the edits written in, validated; undefined (and `onProblems` called) when the loader refuses it. */
function tryBuild(data: unknown, source: string, options: LoadOptions, edits: readonly { axis: Axis; value: unknown }[], onProblems: (problems: readonly Problem[]) => void): Scenario | undefined {
  const copy = structuredClone(data) as Record<string, unknown>;
  for (const { axis, value } of edits) setAt(copy, axis.segments, structuredClone(value));
  try {
    return validateScenario(copy, source, options);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    onProblems(error.problems);
    return undefined;
  }
}

function setAt(data: Record<string, unknown>, segments: readonly Segment[], value: unknown): void {
  if (segments[0] === 'params' && (typeof data.params !== 'object' || data.params === null)) data.params = {};
  let node = data as Record<Segment, unknown>;
  for (const segment of segments.slice(0, -1)) node = node[segment] as Record<Segment, unknown>;
  node[segments.at(-1)!] = value;
}

/**
 * A problem the loader (or the setup) found with one value of an axis, told
 * against the --vary flag: at the varied name when it is about the value
 * itself, else at name=value with where in the scenario it arose.
 */
function blame(problem: Problem, source: string, axis: Axis, value: string): Problem {
  if (problem.file === source && problem.path === pathText(axis.segments)) return { ...problem, file: VARY, path: axis.name };
  const where = problem.file === source ? problem.path : problem.file;
  return { file: VARY, path: where === '' ? `${axis.name}=${value}` : `${axis.name}=${value}: ${where}`, found: problem.found, expected: problem.expected };
}
