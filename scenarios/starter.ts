// What `cmk-sim init` writes: a commented starting scenario, or a copy of a
// built-in, each with a first line that points editors at the scenario
// schema (scenarios/scenario.schema.json) from where the file is written.

import { existsSync, linkSync, lstatSync, mkdirSync, rmSync, writeFileSync, type Stats } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROFILE_DEFAULTS, DEFAULT_PROFILE, LATEST_ALIAS, PROFILES } from '../sim/azure/profiles.ts';
import { formatDuration } from '../sim/engine/duration.ts';
import { fsProblem, OutputFile } from '../reports/output-dir.ts';
import { InputError } from '../sim/input-error.ts';
import { VERSION } from '../sim/package.ts';
import { SCHEMA_FILE } from './json-schema.ts';
import { DEFAULTS } from './schema.ts';

/** The folder of this package: a checkout, or node_modules/cmk-sim once installed. */
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const PACKAGE_NAME = 'cmk-sim';
/** Folders walked up from the file looking for node_modules/cmk-sim; deeper trees are not looked at. */
const MAX_FOLDERS_UP = 64;

const MODELINE = '# yaml-language-server: $schema=';

/**
 * Where a file written in `dir` finds the schema, for its modeline:
 * 1. node_modules/cmk-sim/scenarios/scenario.schema.json in `dir` or a folder
 *    above it (where `npm install cmk-sim` puts it), as a relative path;
 * 2. else, when `dir` is inside this package's own folder (a checkout), the
 *    checkout's scenarios/scenario.schema.json, as a relative path;
 * 3. else the file published with this version of the package, by URL.
 */
export function schemaReference(dir: string): string {
  const from = resolve(dir);
  let folder = from;
  for (let up = 0; up < MAX_FOLDERS_UP; up++) {
    const candidate = join(folder, 'node_modules', PACKAGE_NAME, SCHEMA_FILE);
    if (existsSync(candidate)) return portable(relative(from, candidate));
    const parent = dirname(folder);
    if (parent === folder) break;
    folder = parent;
  }
  const own = resolve(PACKAGE_DIR);
  if (from === own || from.startsWith(own + sep)) return portable(relative(from, join(own, SCHEMA_FILE)));
  return `https://unpkg.com/${PACKAGE_NAME}@${VERSION}/${SCHEMA_FILE}`;
}

/** A path as a modeline writes it: forward slashes on every system. */
function portable(path: string): string {
  return path.split(sep).join('/');
}

export function modeline(dir: string): string {
  return `${MODELINE}${schemaReference(dir)}`;
}

/** Comments start in one of two columns, so that they read as a column. */
const COMMENT_COLUMNS = [36, 62];

/** A YAML line and its comment. */
function line(yaml: string, comment: string): string {
  const column = COMMENT_COLUMNS.find((c) => yaml.length < c) ?? yaml.length + 1;
  return `${yaml.padEnd(column)}# ${comment}`;
}

/** The commented starting scenario: it validates and runs as it is (a test runs it). */
export function starterScenario(name: string, schemaLine: string): string {
  const defaults = PROFILE_DEFAULTS[DEFAULT_PROFILE];
  return [
    schemaLine,
    '# A cmk-sim scenario. Check it:  npx cmk-sim validate <this file>',
    '#                     Run it:    npx cmk-sim run <this file>   (writes out/<name>-seed<seed>/)',
    '# Every field is described in the README ("A scenario") and, through the line above, on hover',
    '# in an editor with a YAML language server (VS Code: the YAML extension by Red Hat).',
    line(`name: ${name}`, 'lowercase letters, digits and hyphens'),
    line('description: A 45-minute Key Vault outage on one CMK cluster.', 'one line, shown by cmk-sim list'),
    line(`profile: ${DEFAULT_PROFILE}`, `documentation version: ${PROFILES.join(', ')} (default ${DEFAULT_PROFILE}), or ${LATEST_ALIAS} for the newest`),
    line(`seed: ${DEFAULTS.seed}`, `random seed (default ${DEFAULTS.seed}); --seed overrides it`),
    line('start: 2026-01-01T00:00:00Z', 'wall-clock time of t=0, for display only'),
    line('duration: 1d', 'how long to simulate: 250ms, 90s, 45m, 6h, 2d, 1d6h or ISO 8601 (PT45M, P2D)'),
    line(`# tenant: ${DEFAULTS.tenant}`, 'the tenant, subscription and region of every vault,'),
    line(`# subscription: ${DEFAULTS.subscription}`, 'cluster and workspace that names none (these are'),
    line(`# region: ${DEFAULTS.region}`, 'the defaults)'),
    line(`setup: ${DEFAULTS.setup}`, 'ready (default): clusters created, granted, keyed and linked before t=0; none: actions do it'),
    line('params:', "overrides of the profile's parameters (the README's parameter table)"),
    line(`  outageToUnavailable: ${formatDuration(defaults.outageToUnavailable)}`, 'without a successful unwrap this long, storage becomes unavailable'),
    line(`  delayMode: ${defaults.delayMode}`, 'a delay documented as "within X": uniform in [0, X], worst (X) or best'),
    'keyVaults:',
    line('  - name: kv1', '3 to 24 lowercase letters, digits and hyphens'),
    line(`    softDelete: ${DEFAULTS.softDelete}`, 'a cluster key needs soft delete and purge protection'),
    line(`    purgeProtection: ${DEFAULTS.purgeProtection}`, '(both default to true)'),
    '    keys:',
    line(`      - { name: cmk, kty: ${DEFAULTS.kty}, size: ${DEFAULTS.rsaSizeBits} }`, 'kty: RSA (default) or RSA-HSM, as Azure takes for a cluster (oct-HSM: a model shortcut, with modelShortcutOctKeys); size: 2048 (default), 3072, 4096'),
    'clusters:',
    line('  - name: cl1', "Azure's rule: 3 to 63 letters and digits"),
    line(`    capacityGBPerDay: ${DEFAULTS.capacityGBPerDay}`, `capacity reservation, GB per day: one of the profile's tiers, capacityTiersGBPerDay (default ${DEFAULTS.capacityGBPerDay})`),
    line(`    storageAccounts: ${defaults.storageAccountsPerCluster}`, `storage accounts, each with its own AEK (default ${defaults.storageAccountsPerCluster})`),
    line('    key: { vault: kv1, name: cmk }', 'the key setup: ready sets (version: the newest)'),
    'workspaces:',
    line('  - name: ws1', '1 to 63 letters, digits and hyphens'),
    line('    cluster: cl1', 'omit it and the workspace writes to shared storage under the Microsoft key'),
    line(`    retentionDays: ${DEFAULTS.retentionDays}`, `days of data kept, 30 to 730 (default ${DEFAULTS.retentionDays})`),
    line(`    ingest: { gbPerDay: ${DEFAULTS.ingestGBPerDay}, recordsPerMinute: ${DEFAULTS.recordsPerMinute} }`, 'the ingestion workload (these are the defaults)'),
    line(`    query: { perHour: ${DEFAULTS.queriesPerHour}, lookback: ${formatDuration(DEFAULTS.queryLookbackMs)} }`, 'queries per hour, and how far back each reads (defaults)'),
    line('actions:', 'in time order; `at` is a duration from t=0'),
    line('  - { at: 6h, do: keyVault.outage, vault: kv1, for: 45m }', 'every Key Vault request fails for 45 minutes'),
    line('  # - { at: 12h, do: key.disable, vault: kv1, key: cmk }', `a denial: storage is revoked within revocationWithin (${formatDuration(defaults.revocationWithin)})`),
    line('  # - { at: 15h, do: key.enable, vault: kv1, key: cmk }', 'access is back: ingestion and queries resume'),
    line('expect:', 'checked after the run against sla.json; a failure exits 1'),
    line('  - { metric: totals.ingestion.droppedRecords, equals: 0 }', `the outage is shorter than the MMK buffer (${formatDuration(defaults.mmkBufferMaxAge)}): nothing lost`),
    line('  - { metric: totals.query.availability, atLeast: 0.95 }', 'queries fail only while storage is unavailable'),
    line('  - { metric: "incidents[0].kind", equals: outage }', 'quote a path with [ ] inside { }'),
    '',
  ].join('\n');
}

/** A built-in's file under a new name: its modeline and its `name:` line replaced, the rest as it is. */
export function copyOfBuiltin(text: string, name: string, schemaLine: string): string {
  const lines = text.split('\n');
  const body = lines[0]?.startsWith(MODELINE) === true ? lines.slice(1) : lines;
  const at = body.findIndex((l) => /^name:/.test(l));
  if (at < 0) throw new Error('a built-in scenario without a top-level name: line');
  body[at] = `name: ${name}`;
  return [schemaLine, ...body].join('\n');
}

/**
 * Writes a new file, never over an existing one, and never half: the text
 * goes to a temporary file that is then linked to the name (which fails if
 * the name exists).
 */
export function writeNewFile(path: string, text: string): void {
  const refused = () =>
    new InputError([
      {
        file: path,
        path: '',
        found: lstatOrNull(path)?.isSymbolicLink() === true ? 'a symbolic link that already exists' : lstatOrNull(path)?.isDirectory() === true ? 'a folder' : 'a file that already exists',
        expected: 'a new file: init never overwrites (give another name, or --out FILE)',
      },
    ]);
  // A symbolic link, even to nothing, is something already there.
  if (lstatOrNull(path) !== null) throw refused();
  // The path checked as any output file is, before a folder is made: a kernel file system (/proc) or a file on the way is named at once.
  new OutputFile(path, '--out');
  const temp = join(dirname(resolve(path)), `.${process.pid}.cmk-sim-init.tmp`);
  try {
    mkdirSync(dirname(resolve(path)), { recursive: true });
    writeFileSync(temp, text);
    linkSync(temp, path);
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'EEXIST' && lstatOrNull(path) !== null) throw refused();
    // The file system's trouble (no permission, a loop of links, a name too long, a file where a folder should be): bad input naming --out.
    const problem = fsProblem(error, path, '--out');
    throw problem === undefined ? error : new InputError([problem]);
  } finally {
    // Nothing to remove where nothing could be made (a file where the folder should be).
    if (lstatOrNull(temp) !== null) rmSync(temp, { force: true });
  }
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}
