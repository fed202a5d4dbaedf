// Loading a scenario: find the file (a path, or the name of a built-in
// scenario), parse YAML or JSON, and validate it into the normalized
// Scenario (scenarios/schema.ts). Every problem is an InputError.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { Lexer, parseDocument, visit } from 'yaml';
import { InputError, readTextInput, type Problem } from '../sim/input-error.ts';
import { keyTwice } from '../sim/json-keys.ts';
import { checkArguments, loadOptionChecks } from '../sim/api-arguments.ts';
import type { Scenario } from '../sim/scenario.ts';
import { BUILTIN_DIR } from './builtin-index.ts';
import { validateScenario, type LoadOptions } from './schema.ts';

export type { LoadOptions } from './schema.ts';
export { BUILTIN_DIR };

const SCENARIO_EXTENSIONS: Readonly<Record<string, 'yaml' | 'json'>> = { '.yaml': 'yaml', '.yml': 'yaml', '.json': 'json' };

export interface BuiltinScenario {
  name: string;
  description: string;
  path: string;
}

/** Every *.yaml in the directory (default BUILTIN_DIR), sorted by name; none when it does not exist. */
export function listBuiltins(dir: string = BUILTIN_DIR): BuiltinScenario[] {
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return [];
  }
  return files
    .filter((file) => file.endsWith('.yaml') && isFile(join(dir, file)))
    .map((file) => ({ name: file.slice(0, -'.yaml'.length), description: descriptionOf(join(dir, file)), path: join(dir, file) }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The file's `description:`, or "" when it has none or does not parse (`validate` says why).
 * `list` reads every built-in when it starts, and lexing whole files would cost more than the rest
 * of the command, so only the top-level `description:` entry is parsed: its line and the indented
 * or blank lines that continue it. A file where the entry cannot be read alone is parsed whole.
 */
function descriptionOf(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return '';
  }
  const entry = DESCRIPTION_ENTRY.exec(text)?.[0];
  return (entry === undefined ? undefined : descriptionIn(entry)) ?? descriptionIn(text) ?? '';
}

const DESCRIPTION_ENTRY = /^description:.*(?:\n(?:[ \t].*)?)*/m;

/** The top-level `description:` of this YAML text, when it parses and has one. */
function descriptionIn(yamlText: string): string | undefined {
  const document = parseDocument(yamlText);
  if (document.errors.length > 0) return undefined;
  let data: unknown;
  try {
    data = document.toJS();
  } catch {
    return undefined; // an alias whose anchor is elsewhere (or nowhere)
  }
  if (typeof data === 'object' && data !== null && 'description' in data && typeof data.description === 'string') return data.description;
  return undefined;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export interface ResolvedScenario {
  /** The file to read. */
  path: string;
  /** What Scenario.source and the problems name: the path as given, or "builtin:<name>". */
  source: string;
  format: 'yaml' | 'json';
}

/**
 * A path to an existing .yaml/.yml/.json file, or else the name of a
 * built-in scenario (`<builtinDir>/<name>.yaml`).
 */
export function resolveScenario(nameOrPath: string, builtinDir: string = BUILTIN_DIR): ResolvedScenario {
  const format = SCENARIO_EXTENSIONS[extname(nameOrPath).toLowerCase()];
  // A .yaml, .yml or .json name is a file: reading it says what is wrong with it (missing, a folder, not UTF-8, too large).
  if (format !== undefined) return { path: nameOrPath, source: nameOrPath, format };
  // A built-in's own file, found by its name: listing them would read every built-in.
  const builtinPath = join(builtinDir, `${nameOrPath}.yaml`);
  if (nameOrPath !== '' && basename(nameOrPath) === nameOrPath && isFile(builtinPath)) return { path: builtinPath, source: `builtin:${nameOrPath}`, format: 'yaml' };
  const builtins = listBuiltins(builtinDir);
  const names = builtins.map((b) => b.name);
  throw new InputError([
    {
      file: nameOrPath,
      path: '',
      found: JSON.stringify(nameOrPath),
      expected: `a scenario file (.yaml, .yml, .json) or a built-in name: ${names.length === 0 ? '(there are none)' : names.join(', ')}`,
    },
  ]);
}

/** Reads, parses and validates a scenario file or built-in scenario. */
export function loadScenario(nameOrPath: string, options: LoadOptions = {}): Scenario {
  checkArguments('loadScenario', [{ path: 'nameOrPath', value: nameOrPath, ok: typeof nameOrPath === 'string', expected: 'a built-in name or a file path' }, ...loadOptionChecks(options)]);
  return loadResolved(resolveScenario(nameOrPath), options);
}

/** loadScenario with the built-ins taken from another directory (tests). */
export function loadScenarioFrom(builtinDir: string, nameOrPath: string, options: LoadOptions = {}): Scenario {
  return loadResolved(resolveScenario(nameOrPath, builtinDir), options);
}

function loadResolved(resolved: ResolvedScenario, options: LoadOptions): Scenario {
  return validateScenario(readResolved(resolved), resolved.source, options);
}

/**
 * The parsed, not yet validated, content of a scenario file or built-in, and
 * the source that problems name: for a tool that edits a scenario before
 * validating it (sweep --vary), so the edit is checked as the file would be.
 */
export function readScenarioData(nameOrPath: string): { data: unknown; source: string } {
  const resolved = resolveScenario(nameOrPath);
  return { data: readResolved(resolved), source: resolved.source };
}

function readResolved(resolved: ResolvedScenario): unknown {
  return parseData(readTextInput(resolved.path, resolved.source, FILE_LIMITS.bytes, 'a scenario file'), resolved.source, resolved.format);
}

/** Parses and validates the text of a scenario file; `source` names it in problems and in Scenario.source. */
export function parseScenario(text: string, source: string, format: 'yaml' | 'json', options: LoadOptions = {}): Scenario {
  checkArguments('parseScenario', [
    { path: 'text', value: text, ok: typeof text === 'string', expected: 'the text of a scenario file' },
    { path: 'source', value: source, ok: typeof source === 'string', expected: 'the name its problems are told against, e.g. my.yaml' },
    { path: 'format', value: format, ok: format === 'yaml' || format === 'json', expected: 'yaml or json' },
    ...loadOptionChecks(options),
  ]);
  return validateScenario(parseData(text, source, format), source, options);
}

function parseData(text: string, source: string, format: 'yaml' | 'json'): unknown {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  return format === 'json' ? parseJson(body, source) : parseYaml(body, source);
}

/**
 * How large a scenario file may be, in the units that cost time and memory.
 * bench/month-1000-workspaces.yaml is about 10,000 values, 5 levels deep
 * (request bodies reach 6), and would have 2,000 aliases if every workspace
 * shared its `ingest:` and `query:` through anchors.
 *
 * The yaml library's own guard, maxAliasCount, is turned off: it counts the
 * uses of each anchor, weighted by the aliases inside it, and not the size
 * of what an alias stands for. Its default (100) refuses 101 workspaces
 * sharing `ingest: *ing`, while 10,000 uses of an anchor of 100,000 values
 * would pass any limit that lets a thousand workspaces through. The values
 * counted below, with every alias expanded, measure what the validator will
 * walk, and refuse the "billion laughs" as soon as the count passes the limit.
 */
export const FILE_LIMITS = {
  /** Bytes in the file: the month of 10,000 workspaces is 2 MB as JSON; far larger is a file built to exhaust memory. */
  bytes: 32 * 2 ** 20,
  /** Values (mappings, lists, scalars) once aliases are expanded. */
  values: 1_000_000,
  /** Levels of lists and mappings: deeper data overflows recursive code (ours and the yaml library's). */
  depth: 64,
  /** `*name` aliases in a YAML file: the yaml library resolves each by a scan of the document, so their cost grows with their square (10,000 take about a second). */
  aliases: 10_000,
} as const;

const DEPTH_EXPECTED = `lists and mappings nested at most ${FILE_LIMITS.depth} levels deep`;

/** Too deep, or too many values (in YAML, with aliases expanded); found by one walk that stops at the first limit passed. */
function shapeProblem(data: unknown, source: string, format: 'YAML' | 'JSON'): Problem | undefined {
  const pending: { value: unknown; depth: number; field: string }[] = [{ value: data, depth: 0, field: '' }];
  let values = 0;
  const tooMany = (): Problem =>
    format === 'JSON'
      ? { file: source, path: '', found: `more than ${FILE_LIMITS.values.toLocaleString('en-US')} values`, expected: `a scenario of at most ${FILE_LIMITS.values.toLocaleString('en-US')} values` }
      : { file: source, path: '', found: `more than ${FILE_LIMITS.values.toLocaleString('en-US')} values once YAML aliases are expanded`, expected: `a scenario of at most ${FILE_LIMITS.values.toLocaleString('en-US')} values (aliases that multiply, a "billion laughs", are refused)` };
  while (pending.length > 0) {
    const { value, depth, field } = pending.pop()!;
    if (++values > FILE_LIMITS.values) return tooMany();
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= FILE_LIMITS.depth) return { file: source, path: field, found: `nesting deeper than ${FILE_LIMITS.depth} levels`, expected: DEPTH_EXPECTED };
    // Every item will be counted: a list of millions is refused by its length, before a walk holds them all.
    const keys = Array.isArray(value) ? null : Object.keys(value);
    if (values + pending.length + (keys?.length ?? (value as unknown[]).length) > FILE_LIMITS.values) return tooMany();
    if (keys === null) for (const item of value as unknown[]) pending.push({ value: item, depth: depth + 1, field });
    else for (const key of keys) pending.push({ value: (value as Record<string, unknown>)[key], depth: depth + 1, field: depth === 0 ? key : field });
  }
  return undefined;
}

const MAX_SYNTAX_ERRORS = 5;

/**
 * Keys and values in a YAML text, counted by the yaml library's lexer
 * without building anything, up to `max` + 1: the document tree the parser
 * builds costs about a kilobyte per scalar, so a file of millions of values
 * would exhaust memory before the values could be counted in it.
 */
function yamlScalarsUpTo(text: string, max: number): number {
  let scalars = 0;
  for (const token of new Lexer().lex(text)) {
    const first = token.charCodeAt(0);
    // A source token that is text: a plain scalar (not an indicator, a space or a control code), or a quoted one.
    if ((first > 0x20 && !YAML_INDICATORS.includes(token[0]!)) || first === 0x22 || first === 0x27) {
      if (++scalars > max) return scalars;
    }
  }
  return scalars;
}

const YAML_INDICATORS = ',[]{}:-#?|>&*!"\'';

/**
 * Files up to this many characters are parsed without counting first: at two
 * characters a scalar ("1,"), the tree of the largest holds a million and
 * fits in a gigabyte or two. The month of 10,000 workspaces is 1.4 MB.
 */
const YAML_COUNTED_ABOVE_CHARS = 2 * 2 ** 20;

function parseYaml(text: string, source: string): unknown {
  // Every value can have a key: twice the values, and no more, is worth a document tree.
  const scalarsMax = 2 * FILE_LIMITS.values;
  if (text.length > YAML_COUNTED_ABOVE_CHARS && yamlScalarsUpTo(text, scalarsMax) > scalarsMax) {
    throw new InputError([{ file: source, path: '', found: `more than ${scalarsMax.toLocaleString('en-US')} keys and values`, expected: `a scenario of at most ${FILE_LIMITS.values.toLocaleString('en-US')} values` }]);
  }
  // Warnings (a key that is a list, stringified) are not printed: the key is reported as the unknown field it becomes.
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, logLevel: 'error' });
  if (doc.errors.length > 0) {
    // One error often sets off more on the lines after it: the first of each line, a few lines at most.
    const seenLines = new Set<number>();
    const errors = doc.errors.filter((error) => {
      const line = error.linePos?.[0].line ?? 0;
      if (seenLines.has(line) || seenLines.size >= MAX_SYNTAX_ERRORS) return false;
      seenLines.add(line);
      return true;
    });
    throw new InputError(
      errors.map((error): Problem => {
        const where = error.linePos === undefined ? '' : ` at line ${error.linePos[0].line}, column ${error.linePos[0].col}`;
        // The parser ran out of stack: a nesting far beyond the limit.
        if (error.code === 'RESOURCE_EXHAUSTION') return { file: source, path: '', found: `nesting deeper than ${FILE_LIMITS.depth} levels${where}`, expected: DEPTH_EXPECTED };
        if (error.code === 'MULTIPLE_DOCS') return { file: source, path: '', found: `a second YAML document${where} (after a --- line)`, expected: 'one scenario in a file' };
        const message = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
        return { file: source, path: '', found: `a YAML syntax error${where}: ${message}`, expected: 'valid YAML' };
      }),
    );
  }
  // %YAML 1.1 would silently read yes as true, 1:00:00 as 3600 and 010 as 8: every value means what YAML 1.2 says.
  const yamlVersion = doc.directives?.yaml.version;
  if (yamlVersion !== undefined && yamlVersion !== '1.2') {
    throw new InputError([{ file: source, path: '', found: `a %YAML ${yamlVersion} directive`, expected: 'YAML 1.2 (no %YAML line, or %YAML 1.2): under 1.1, yes is true and 1:00:00 is 3600' }]);
  }
  let aliases = 0;
  visit(doc, { Alias: () => (++aliases > FILE_LIMITS.aliases ? visit.BREAK : undefined) });
  if (aliases > FILE_LIMITS.aliases) {
    throw new InputError([{ file: source, path: '', found: `more than ${FILE_LIMITS.aliases.toLocaleString('en-US')} aliases (*name)`, expected: `at most ${FILE_LIMITS.aliases.toLocaleString('en-US')} aliases in one file` }]);
  }
  let data: unknown;
  try {
    // An empty document is null: reported as a missing scenario, not as "null". Aliases are limited by FILE_LIMITS.
    data = doc.toJS({ maxAliasCount: -1 }) ?? undefined;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new InputError([{ file: source, path: '', found: `YAML that cannot be expanded: ${message}`, expected: 'valid YAML' }]);
  }
  const shape = shapeProblem(data, source, 'YAML');
  if (shape !== undefined) throw new InputError([shape]);
  return data;
}

function parseJson(text: string, source: string): unknown {
  try {
    const data = JSON.parse(text) as unknown;
    // Too many values is said before the key scan walks them all.
    const shape = shapeProblem(data, source, 'JSON');
    if (shape !== undefined) throw new InputError([shape]);
    const twice = keyTwice(text);
    if (twice !== undefined) throw new InputError([{ file: source, path: twice.path, found: `the key ${JSON.stringify(twice.key)} a second time in the same object`, expected: 'each key once (JSON.parse would silently keep the last)' }]);
    return data;
  } catch (error) {
    if (error instanceof InputError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    const position = /at position (\d+)/.exec(message);
    let where = '';
    if (position !== null) {
      const before = text.slice(0, Number(position[1]));
      const line = before.split('\n').length;
      const col = before.length - before.lastIndexOf('\n');
      where = ` at line ${line}, column ${col}`;
    }
    const reason = (message.replace(/ in JSON at position \d+.*$/s, '').replace(/, (?:\.\.\.)?".*" is not valid JSON$/s, '').split('\n')[0] ?? '')
      // "Unexpected token '\r'": a control character would move the cursor of the terminal showing the message.
      .replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    throw new InputError([{ file: source, path: '', found: `a JSON syntax error${where}: ${reason}`, expected: 'valid JSON' }]);
  }
}
