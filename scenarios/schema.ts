// The scenario schema: turns the data of a scenario file (already parsed from
// YAML or JSON) into the normalized Scenario, or reports every problem found
// (field path, what was found, what is expected) in one InputError.
//
// A plain validator rather than a schema library: the messages are part of
// the interface (INTERFACE.md: the message names the file, the field path,
// what was found and what is expected), and most rules depend on other
// fields (key sizes on kty, references on declared names, versions on
// earlier rotations). Each check also states its rule as a JSON Schema
// fragment, from which scenarios/json-schema.ts makes the schema editors use.

import YAML from 'yaml';
import {
  DEFAULT_PROFILE,
  PARAM_NAMES,
  PARAM_SPECS,
  PROFILE_CHOICES,
  PROFILE_EXPECTED,
  PROFILE_DEFAULTS,
  RETIRED_PARAMS,
  resolveProfile,
  type ParamName,
  type Params,
  type ProfileName,
  type RangeMs,
  type CreditTier,
} from '../sim/azure/profiles.ts';
import { CLUSTER_BODY_SCHEMA, IDENTITY_NAME, parseClusterBody } from '../sim/azure/requests.ts';
import { DURATION_EXPECTED, DURATION_PATTERN, MS_PER_HOUR, MS_PER_MINUTE, formatDuration, tryParseDuration } from '../sim/engine/duration.ts';
import { describeFound, InputError, type Problem } from '../sim/input-error.ts';
import {
  MAX_AUXILIARY_RECORDS_PER_MINUTE,
  MAX_CAPACITY_GB_PER_DAY,
  MAX_DURATION_MS,
  MAX_GB_PER_DAY,
  MAX_LIMIT_PER_10S,
  MAX_QUERIES_PER_HOUR,
  MAX_RECORDS_PER_MINUTE,
  MAX_SAVED_SEARCHES,
  MAX_ACTIONS,
  MAX_WORKSPACES,
  MAX_SEED,
  SEED_EXPECTED,
} from '../sim/limits.ts';
import {
  EXPECT_OPS,
  KEY_TYPES,
  KEY_VAULT_ROLES,
  PERMISSION_MODELS,
  PERMISSIONS,
  RSA_SIZES,
  type AccessPolicySpec,
  FAULT_PROCESSES,
  type Action,
  type ActionName,
  type DurationDistribution,
  type FaultProcess,
  type FaultProcessName,
  type ClusterKeyRef,
  type ClusterSpec,
  type Expectation,
  type ExpectOp,
  type KeySpec,
  type KeyType,
  type KeyVaultSpec,
  type Scenario,
  type WorkspaceSpec,
  type WrapAlgorithm,
} from '../sim/scenario.ts';
import type { SloSpec } from '../sim/observe/slo.ts';
import { readSloSpec } from '../sim/observe/slo-spec.ts';

export interface LoadOptions {
  /** Overrides the file's `seed:` (--seed). */
  seed?: number;
  /** Overrides the file's `profile:` (--profile). */
  profile?: string;
  /** "name=value" overrides of the parameters (--param), applied last. */
  params?: readonly string[];
  /** The SLO of `--slo FILE`, read already; replaces the file's `slo:`. */
  slo?: SloSpec;
}

export const DEFAULTS = {
  description: '',
  profile: DEFAULT_PROFILE,
  seed: 1,
  startIso: '2026-01-01T00:00:00.000Z',
  tenant: 'contoso',
  subscription: 'sub1',
  region: 'eastus',
  setup: 'ready',
  softDelete: true,
  purgeProtection: true,
  softDeleteRetentionDays: 90,
  permissionModel: 'accessPolicy',
  privateLink: false,
  kty: 'RSA',
  rsaSizeBits: 2048,
  octSizeBits: 256,
  rsaWrapAlgorithm: 'RSA-OAEP-256',
  octWrapAlgorithm: 'A256KW',
  versions: ['v1'],
  capacityGBPerDay: 1000,
  billingType: 'Cluster',
  doubleEncryption: true,
  retentionDays: 30,
  savedSearches: 0,
  ingestGBPerDay: 100,
  recordsPerMinute: 100,
  queriesPerHour: 60,
  queryLookbackMs: MS_PER_HOUR,
} as const;

// ---------------------------------------------------------------------------
// Problems


class Ctx {
  constructor(
    readonly file: string,
    readonly problems: Problem[],
  ) {}

  /** The same list of problems, reported against another file (e.g. "--param"). */
  in(file: string): Ctx {
    return new Ctx(file, this.problems);
  }

  /** Records a problem; returns undefined so a reader can `return ctx.fail(...)`. */
  fail(path: string, found: unknown, expected: string): undefined {
    return this.failText(path, describeFound(found), expected);
  }

  failText(path: string, found: string, expected: string): undefined {
    this.problems.push({ file: this.file, path, found, expected });
    return undefined;
  }
}

function child(base: string, key: string): string {
  const part = /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
  if (base === '') return part;
  return part === key ? `${base}.${key}` : `${base}[${part}]`;
}

function item(base: string, index: number): string {
  return `${base}[${index}]`;
}

// ---------------------------------------------------------------------------
// "Did you mean"

/** The candidate closest to `word`, when one is close enough to be a likely typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  const sameButCase = candidates.find((c) => c.toLowerCase() === lower);
  if (sameButCase !== undefined) return sameButCase;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best !== undefined && bestDistance <= Math.max(1, Math.floor(word.length / 4))) return best;
  // A part of a name ("capacity" for capacityGBPerDay) or a name inside a longer one ("keyName" for name).
  if (lower.length < 3) return undefined;
  return candidates.find((c) => {
    const candidate = c.toLowerCase();
    return (lower.length >= 4 && candidate.startsWith(lower)) || (candidate.length >= 4 && lower.includes(candidate));
  });
}

/** Edit distance with adjacent transpositions (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(d[(i - 1) * cols + j]! + 1, d[i * cols + j - 1]! + 1, d[(i - 1) * cols + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, d[(i - 2) * cols + j - 2]! + 1);
      }
      d[i * cols + j] = value;
    }
  }
  return d[rows * cols - 1]!;
}

function withHint(expected: string, found: unknown, candidates: readonly string[]): string {
  if (typeof found !== 'string' || found === '') return expected;
  const hint = closest(found, candidates);
  return hint === undefined || hint === found ? expected : `${expected}; did you mean ${hint}?`;
}

/** "a name of keyVaults: kv1, kv2", or "... (none are declared)". */
function namesExpected(what: string, names: readonly string[]): string {
  return names.length === 0 ? `${what} (none are declared)` : `${what}: ${names.join(', ')}`;
}

// ---------------------------------------------------------------------------
// Readers of one value

/**
 * A fragment of JSON Schema (scenarios/json-schema.ts puts them together into
 * scenarios/scenario.schema.json). Besides the standard keywords it may carry
 * `patternErrorMessage`, which editors (VS Code's JSON and YAML services) show
 * instead of the bare regular expression.
 */
export type JsonSchema = { readonly [keyword: string]: unknown };

export interface Check<T> {
  /** What is allowed, also said when the field is missing. */
  readonly expected: string;
  /**
   * The same rule for editors, as JSON Schema: it never rejects what `read`
   * accepts, and what it rejects `read` reports at the same path
   * (test/json-schema.test.ts). Rules JSON Schema cannot say stay in `read` only.
   */
  readonly json: JsonSchema;
  /** The value, or undefined after reporting a problem at `path`. */
  read(ctx: Ctx, value: unknown, path: string): T | undefined;
}

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The JSON Schema of a field that may be absent: null is accepted too, as
 * `optional` and `withDefault` take null for absent (an empty YAML value).
 */
export function orNull(json: JsonSchema): JsonSchema {
  if (Array.isArray(json.enum)) return { ...json, enum: [...(json.enum as unknown[]), null] };
  if (typeof json.type === 'string') return { ...json, type: [json.type, 'null'] };
  if (Array.isArray(json.type)) return { ...json, type: [...(json.type as string[]), 'null'] };
  throw new Error(`orNull: a schema without type or enum: ${JSON.stringify(json)}`);
}

/** A field that may be absent (absent or null: undefined, nothing reported). */
function optional<T>(ctx: Ctx, obj: Obj, key: string, base: string, check: Check<T>): T | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  return check.read(ctx, value, child(base, key));
}

function withDefault<T>(ctx: Ctx, obj: Obj, key: string, base: string, check: Check<T>, fallback: T): T {
  return optional(ctx, obj, key, base, check) ?? fallback;
}

function required<T>(ctx: Ctx, obj: Obj, key: string, base: string, check: Check<T>): T | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return ctx.fail(child(base, key), value, check.expected);
  return check.read(ctx, value, child(base, key));
}

/** A mapping with only the given fields; every other field is a problem, with a hint. */
function mapping(ctx: Ctx, value: unknown, path: string, fields: readonly string[], expected: string): Obj | undefined {
  if (!isObject(value)) return ctx.fail(path, value, expected);
  for (const key of Object.keys(value)) {
    if (!fields.includes(key)) {
      ctx.failText(child(path, key), `unknown field ${JSON.stringify(key)}`, withHint(`one of ${fields.join(', ')}`, key, fields));
    }
  }
  return value;
}

/** The entries of an optional list field, each with its path. */
function entries(ctx: Ctx, obj: Obj, key: string, base: string, expected: string): { value: unknown; path: string }[] {
  const value = obj[key];
  if (value === undefined || value === null) return [];
  const path = child(base, key);
  if (!Array.isArray(value)) {
    ctx.fail(path, value, expected);
    return [];
  }
  return value.map((v, i) => ({ value: v, path: item(path, i) }));
}

function text(expected: string, pattern?: RegExp): Check<string> {
  return {
    expected,
    json: pattern === undefined ? { type: 'string', minLength: 1 } : { type: 'string', pattern: pattern.source, patternErrorMessage: `Expected ${expected}.` },
    read: (ctx, value, path) =>
      typeof value === 'string' && (pattern === undefined ? value !== '' : pattern.test(value))
        ? value
        : ctx.fail(path, value, expected),
  };
}

function choice<T extends string>(values: readonly T[], suffix = ''): Check<T> {
  const expected = `one of ${values.join(', ')}${suffix}`;
  return {
    expected,
    json: { enum: [...values] },
    read: (ctx, value, path) =>
      typeof value === 'string' && (values as readonly string[]).includes(value)
        ? (value as T)
        : ctx.fail(path, value, withHint(expected, value, values)),
  };
}

/** One of the given names (a reference to a declared entity). */
function reference(what: string, names: readonly string[]): Check<string> {
  const expected = namesExpected(what, names);
  return {
    expected,
    // Which names exist depends on the rest of the file: the schema says only "a name".
    json: { type: 'string' },
    read: (ctx, value, path) =>
      typeof value === 'string' && names.includes(value) ? value : ctx.fail(path, value, withHint(expected, value, names)),
  };
}

function integer(min: number, max: number, expected = `a whole number from ${min} to ${max}`): Check<number> {
  return {
    expected,
    json: { type: 'integer', minimum: min, maximum: max },
    read: (ctx, value, path) =>
      typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max
        ? value
        : ctx.fail(path, value, expected),
  };
}

function number(min: number, max: number, expected: string): Check<number> {
  return {
    expected,
    json: { type: 'number', minimum: min, maximum: max },
    read: (ctx, value, path) =>
      typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max ? value : ctx.fail(path, value, expected),
  };
}

export const BOOLEAN: Check<boolean> = {
  expected: 'true or false',
  json: { type: 'boolean' },
  read: (ctx, value, path) => (typeof value === 'boolean' ? value : ctx.fail(path, value, 'true or false')),
};

const DURATION_TOO_LONG = `a duration of at most ${formatDuration(MAX_DURATION_MS)} (3 years, the longest a scenario runs)`;

/** Milliseconds of a duration string, or undefined after reporting it (not a duration, or longer than MAX_DURATION_MS). */
function readMs(ctx: Ctx, text: string, found: unknown, path: string): number | undefined {
  const ms = tryParseDuration(text);
  if (ms === undefined) return ctx.fail(path, found, DURATION_EXPECTED);
  if (ms > MAX_DURATION_MS) return ctx.fail(path, found, DURATION_TOO_LONG);
  return ms;
}

/** A duration string (never a bare number: it has no unit), in milliseconds. */
function duration(options: { positive?: boolean } = {}): Check<number> {
  return {
    expected: options.positive === true ? `${DURATION_EXPECTED}, greater than 0` : DURATION_EXPECTED,
    // "Greater than 0" and "at most MAX_DURATION_MS" are left to `read`.
    json: { type: 'string', pattern: `^${DURATION_PATTERN}$`, patternErrorMessage: `Expected ${DURATION_EXPECTED}.` },
    read(ctx, value, path) {
      if (typeof value !== 'string') return ctx.fail(path, value, DURATION_EXPECTED);
      const ms = readMs(ctx, value, value, path);
      if (ms === undefined) return undefined;
      if (options.positive === true && ms <= 0) return ctx.fail(path, value, 'a duration greater than 0');
      return ms;
    },
  };
}

export const DURATION = duration();
export const POSITIVE_DURATION = duration({ positive: true });

const RANGE_EXPECTED = 'a range of two durations, [min, max] or "min..max", or one duration for both ends, e.g. [6s, 60s], "6s..60s" or 1h';

export const DURATION_RANGE: Check<RangeMs> = {
  expected: RANGE_EXPECTED,
  // "min at most max" is left to `read`.
  json: {
    type: ['array', 'string'],
    pattern: `^${DURATION_PATTERN}(\\.\\.${DURATION_PATTERN})?$`,
    minItems: 2,
    maxItems: 2,
    // As `read`: the two items are checked only when there are two.
    if: { type: 'array', minItems: 2, maxItems: 2 },
    then: { items: DURATION.json },
  },
  read(ctx, value, path) {
    let min: number | undefined;
    let max: number | undefined;
    if (typeof value === 'string') {
      // One duration is a range of one value: "provisioning takes 1h".
      const parts = value.split('..');
      if (parts.length > 2 || (parts.length === 1 && tryParseDuration(value) === undefined)) return ctx.fail(path, value, RANGE_EXPECTED);
      min = readMs(ctx, parts[0]!, parts[0]!.trim(), path);
      max = parts.length === 1 ? min : readMs(ctx, parts[1]!, parts[1]!.trim(), path);
    } else if (Array.isArray(value) && value.length === 2) {
      min = DURATION.read(ctx, value[0], item(path, 0));
      max = DURATION.read(ctx, value[1], item(path, 1));
    } else {
      return ctx.fail(path, value, RANGE_EXPECTED);
    }
    if (min === undefined || max === undefined) return undefined;
    if (min > max) return ctx.fail(path, value, 'a range whose min is at most its max');
    return [min, max];
  },
};

const CREDIT_TIERS_EXPECTED = 'a list of tiers {below: a fraction from 0 to 1, creditPercent: 0 to 100}, e.g. [{below: 0.999, creditPercent: 10}]';
const CREDIT_TIER_FIELDS = ['below', 'creditPercent'];
export const FRACTION = number(0, 1, 'a number from 0 to 1');
const CREDIT_PERCENT = number(0, 100, 'a percentage from 0 to 100');

const CREDIT_TIERS: Check<CreditTier[]> = {
  expected: CREDIT_TIERS_EXPECTED,
  json: {
    type: 'array',
    items: { type: 'object', properties: { below: FRACTION.json, creditPercent: CREDIT_PERCENT.json }, required: CREDIT_TIER_FIELDS, additionalProperties: false },
  },
  read(ctx, value, path) {
    if (!Array.isArray(value)) return ctx.fail(path, value, CREDIT_TIERS_EXPECTED);
    const tiers: CreditTier[] = [];
    value.forEach((entry, i) => {
      const tierPath = item(path, i);
      const obj = mapping(ctx, entry, tierPath, CREDIT_TIER_FIELDS, 'a tier {below, creditPercent}');
      if (obj === undefined) return;
      const below = required(ctx, obj, 'below', tierPath, FRACTION);
      const creditPercent = required(ctx, obj, 'creditPercent', tierPath, CREDIT_PERCENT);
      if (below !== undefined && creditPercent !== undefined) tiers.push({ below, creditPercent });
    });
    return tiers.length === value.length ? tiers : undefined;
  },
};

/** A list of distinct items. */
function distinctList<T>(element: Check<T>, expected: string, options: { nonEmpty?: boolean } = {}): Check<T[]> {
  return {
    expected,
    // No uniqueItems: a repeated item is reported at the item, where uniqueItems would name the list.
    json: { type: 'array', items: element.json, ...(options.nonEmpty === true ? { minItems: 1 } : {}) },
    read(ctx, value, path) {
      if (!Array.isArray(value) || (options.nonEmpty === true && value.length === 0)) return ctx.fail(path, value, expected);
      const out: T[] = [];
      let ok = true;
      value.forEach((v, i) => {
        const got = element.read(ctx, v, item(path, i));
        if (got === undefined) ok = false;
        else if (out.includes(got)) {
          ok = false;
          ctx.fail(item(path, i), v, `${element.expected}, each at most once`);
        } else out.push(got);
      });
      return ok ? out : undefined;
    },
  };
}

export const PERMISSION_LIST = distinctList(choice(PERMISSIONS), `a list of permissions from ${PERMISSIONS.join(', ')}`);

/**
 * An ISO 8601 date-time with a zone (a local time would depend on the
 * machine). RFC 3339 (5.6) also allows a lower-case t and z, and a space
 * between date and time.
 */
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;
const START_EXPECTED = 'an ISO 8601 date-time with a zone, e.g. 2026-01-01T00:00:00Z';

export const START: Check<string> = {
  expected: START_EXPECTED,
  // Days in the month and hours in the day are left to `read`.
  json: { type: 'string', pattern: ISO_DATE_TIME.source, patternErrorMessage: `Expected ${START_EXPECTED}.` },
  read(ctx, value, path) {
    const match = typeof value === 'string' ? ISO_DATE_TIME.exec(value) : null;
    if (match === null) return ctx.fail(path, value, START_EXPECTED);
    const [year, month, day, hour, minute, second = '0', offsetHours = '0', offsetMinutes = '0'] = match.slice(1).map((p) => p ?? '0');
    const daysInMonth = new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate();
    const valid =
      Number(month) >= 1 &&
      Number(month) <= 12 &&
      Number(day) >= 1 &&
      Number(day) <= daysInMonth &&
      Number(hour) <= 23 &&
      Number(minute) <= 59 &&
      Number(second) <= 59 &&
      Number(offsetHours) <= 23 &&
      Number(offsetMinutes) <= 59;
    const date = new Date(value as string);
    if (!valid || Number.isNaN(date.getTime())) return ctx.fail(path, value, START_EXPECTED);
    return date.toISOString();
  },
};

const BODY_EXPECTED = 'a JSON object (the ARM request body)';

/**
 * A cluster request body, read by the model's own parser (the one that
 * answers 400 at run time): each of its problems is reported inside the body.
 */
const CLUSTER_BODY: Check<Obj> = {
  expected: BODY_EXPECTED,
  json: CLUSTER_BODY_SCHEMA,
  read(ctx, value, path) {
    if (!isObject(value)) return ctx.fail(path, value, BODY_EXPECTED);
    const parsed = parseClusterBody(value);
    if (!('problems' in parsed)) return value;
    for (const problem of parsed.problems) {
      ctx.failText(problem.path === '' ? path : `${path}.${problem.path}`, problem.found, problem.expected);
    }
    return undefined;
  },
};

// ---------------------------------------------------------------------------
// Names (Azure's rules where they exist)

/** A scenario's name is part of its output folder's name (out/<name>-seed<N>): short enough for any file system. */
export const SCENARIO_NAME_PATTERN = /^[a-z0-9-]{1,100}$/;
export const SCENARIO_NAME = text('a name of 1 to 100 lowercase letters, digits and hyphens', SCENARIO_NAME_PATTERN);
export const VAULT_NAME = text('3 to 24 lowercase letters, digits and hyphens', /^[a-z0-9-]{3,24}$/);
export const KEY_NAME = text('1 to 127 letters, digits and hyphens', /^[A-Za-z0-9-]{1,127}$/);
const VERSION_ID_PATTERN = /^[A-Za-z0-9-]+$/;
export const VERSION_ID = text('a version id of letters, digits and hyphens ([A-Za-z0-9-]+)', VERSION_ID_PATTERN);
/** A cluster's key version in setup: "" is the empty keyVersion of a request, following the newest version where the profile has auto-rotation. */
export const CLUSTER_KEY_VERSION = text('a version id of letters, digits and hyphens ([A-Za-z0-9-]+), or "" to follow the newest version (profiles with auto-rotation)', /^(?:[A-Za-z0-9-]+)?$/);
// Azure's rule (3 to 63 letters and digits) is the model's: cluster.create answers 400 InvalidClusterName.
export const CLUSTER_NAME = text(
  'a name of 1 to 100 letters, digits, ".", "_" or "-" (Azure\'s 3 to 63 letters and digits is checked when the cluster is created)',
  /^[A-Za-z0-9_.-]{1,100}$/,
);
// Azure asks 4-63 characters; INTERFACE.md's own example names a workspace ws1, so 1-63 are accepted.
export const WORKSPACE_NAME = text('1 to 63 letters, digits and hyphens', /^[A-Za-z0-9-]{1,63}$/);
export const REGION = text('an Azure region name of lowercase letters and digits, e.g. eastus', /^[a-z0-9]+$/);
export const TENANT = text('a tenant name (non-empty text)');
export const SUBSCRIPTION = text('a subscription name (non-empty text)');
export const STORAGE_ACCOUNT_NAME = text('a storage account name: 3 to 24 lowercase letters and digits', /^[a-z0-9]{3,24}$/);

// 0 throttles every request: a storm of HTTP 429.
export const LIMIT_PER_10S = integer(0, MAX_LIMIT_PER_10S, `a whole number of requests per 10 seconds, from 0 to ${MAX_LIMIT_PER_10S} (0: every request throttled)`);
// References checked against the declarations later (checkReferences): here only "a name".
export const NAME_OF_CLUSTER = text('a cluster name');
export const NAME_OF_PRINCIPAL = text('a cluster name or the name of a user-assigned identity');
export const IDENTITY_NAME_CHECK = text('3 to 128 letters, digits, hyphens and underscores, starting with a letter or digit', IDENTITY_NAME);
export const NAME_OF_VAULT = text('a vault name');
export const NAME_OF_KEY = text('a key name');
export const SOFT_DELETE_RETENTION_DAYS = integer(7, 90);
export const CAPACITY_GB_PER_DAY = integer(1, MAX_CAPACITY_GB_PER_DAY, `a whole number of GB per day, from 1 to ${MAX_CAPACITY_GB_PER_DAY}`);
export const BILLING_TYPE = choice(['Cluster', 'Workspaces'] as const);
export const STORAGE_ACCOUNTS = integer(1, 64);
export const RETENTION_DAYS = integer(30, 730);
export const SETUP = choice(['ready', 'none'] as const);
/** A profile's name, or `latest` for the newest: read as the profile it names. */
export const PROFILE: Check<ProfileName> = {
  expected: PROFILE_EXPECTED,
  json: { enum: [...PROFILE_CHOICES] },
  read: (ctx, value, path) => (typeof value === 'string' ? resolveProfile(value) : undefined) ?? ctx.fail(path, value, withHint(PROFILE_EXPECTED, value, PROFILE_CHOICES)),
};
/** EC keys exist in Key Vault, but "EC keys cannot wrap" (DOMAIN.md): no cluster can use one, so the model has none. */
export const KEY_TYPE = choice(KEY_TYPES, ' (a cluster key wraps its AEK: EC keys cannot wrap, so they are not modelled)');
export const FAULT_PROCESS = choice(FAULT_PROCESSES);

/** The name as written (even if malformed) so references to it do not cascade into more problems. */
function declaredName(obj: Obj): string | undefined {
  return typeof obj.name === 'string' ? obj.name : undefined;
}

/** Reports every name already used by an earlier entry (case-insensitively: Azure names are). */
function checkUnique(ctx: Ctx, list: readonly { name: string | undefined; path: string }[], what: string): void {
  checkUniqueField(ctx, list, 'name', what);
}

function checkUniqueField(ctx: Ctx, list: readonly { name: string | undefined; path: string }[], fieldName: string, what: string): void {
  const seen = new Map<string, string>();
  for (const { name, path } of list) {
    if (name === undefined) continue;
    const earlier = seen.get(name.toLowerCase());
    if (earlier !== undefined) ctx.fail(child(path, fieldName), name, `a ${fieldName} no other ${what} has (${earlier} has it)`);
    else seen.set(name.toLowerCase(), path);
  }
}

// ---------------------------------------------------------------------------
// Parameters

export function paramCheck(name: ParamName): Check<unknown> {
  const kind = PARAM_SPECS[name].kind;
  switch (kind.type) {
    case 'duration':
      return DURATION;
    case 'durationRange':
      return DURATION_RANGE;
    case 'integer':
      return integer(kind.min, kind.max);
    case 'integerList':
      return distinctList(integer(kind.min, kind.max), `a non-empty list of whole numbers from ${kind.min} to ${kind.max}, in increasing order, e.g. [500, 1000, 2000]`, { nonEmpty: true });
    case 'regionList':
      return distinctList(REGION, 'a list of Azure region names, e.g. [southafricawest]; [] for none');
    case 'fraction':
      return FRACTION;
    case 'boolean':
      return BOOLEAN;
    case 'enum':
      return choice(kind.values);
    case 'creditTiers':
      return CREDIT_TIERS;
    default: {
      const never: never = kind;
      throw new Error(`unknown parameter kind ${JSON.stringify(never)}`);
    }
  }
}

/** Checks beyond the kind: values the model cannot run with. */
function paramExtraCheck(ctx: Ctx, name: ParamName, value: unknown, found: unknown, path: string): boolean {
  if (name === 'unwrapPollInterval' && (value as RangeMs)[0] <= 0) {
    ctx.fail(path, found, 'a range whose min is greater than 0 (a poll every 0 ms never ends)');
    return false;
  }
  if ((name === 'querySampleInterval' || name === 'keyVersionCheckInterval') && (value as number) <= 0) {
    ctx.fail(path, found, 'a duration greater than 0');
    return false;
  }
  if (PARAM_SPECS[name].kind.type === 'integerList' && !(value as number[]).every((n, i, list) => i === 0 || n > list[i - 1]!)) {
    ctx.fail(path, found, 'a list in increasing order');
    return false;
  }
  if (name === 'blockSlice') {
    const ms = value as number;
    if (ms <= 0 || ms % MS_PER_MINUTE !== 0) {
      ctx.fail(path, found, 'a positive whole number of minutes, e.g. 5m');
      return false;
    }
  }
  return true;
}

function readParam(ctx: Ctx, name: ParamName, value: unknown, path: string): unknown {
  if (value === undefined || value === null) return ctx.fail(path, value, paramCheck(name).expected);
  const got = paramCheck(name).read(ctx, value, path);
  if (got === undefined) return undefined;
  return paramExtraCheck(ctx, name, got, value, path) ? got : undefined;
}

/** The value of `--param name=value`: read as a YAML scalar or flow list, so 0.5, true and [6s, 60s] are typed. */
/**
 * A value given on the command line (--param, --vary), written as in the scenario file: YAML,
 * with the same strictness (a syntax error or a key twice is refused), and without aliases, which
 * a single value has no use for (and which can refer to themselves).
 */
function parseCommandLineYaml(valueText: string): { value: unknown } | { problem: string } {
  const doc = YAML.parseDocument(valueText, { uniqueKeys: true });
  if (doc.errors.length > 0) return { problem: `a YAML syntax error: ${(doc.errors[0]!.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}` };
  let aliases = false;
  YAML.visit(doc, { Alias: () => ((aliases = true), YAML.visit.BREAK) });
  if (aliases) return { problem: 'a YAML alias (*name)' };
  return { value: doc.toJS() as unknown };
}

const PARAM_VALUE_EXPECTED = 'a value written as in the scenario file (YAML), e.g. 45m or [6s, 60s]';

function parseParamValue(ctx: Ctx, name: string, valueText: string): unknown {
  if (valueText.trim() === '') return valueText;
  const parsed = parseCommandLineYaml(valueText);
  if ('problem' in parsed) return ctx.failText(name, `${JSON.stringify(valueText)}, ${parsed.problem}`, PARAM_VALUE_EXPECTED);
  return parsed.value === null || parsed.value === undefined ? valueText : parsed.value;
}

const PARAM_ARG_EXPECTED = 'name=value, e.g. outageToUnavailable=45m';

const RETIRED_NAMES = Object.keys(RETIRED_PARAMS);

function retired(ctx: Ctx, name: string, path: string): void {
  ctx.failText(path, `${name}, a parameter that this version replaced`, RETIRED_PARAMS[name]!);
}

/** Profile defaults, then the file's `params:`, then `--param`. */
/** The parameters: the profile's, then the file's, then --param; and the names the scenario set itself (file or --param), in name order. */
function resolveParams(ctx: Ctx, fileParams: unknown, profile: ProfileName, cliParams: readonly string[]): { params: Params; overridden: string[] } {
  const params: Record<string, unknown> = { ...PROFILE_DEFAULTS[profile] };
  const overridden = new Set<string>();
  if (fileParams !== undefined && fileParams !== null) {
    const obj = mapping(ctx, fileParams, 'params', [...PARAM_NAMES, ...RETIRED_NAMES], 'a mapping of parameter names to values');
    if (obj !== undefined) {
      for (const name of RETIRED_NAMES) if (Object.hasOwn(obj, name)) retired(ctx, name, child('params', name));
      for (const name of PARAM_NAMES) {
        if (!Object.hasOwn(obj, name)) continue;
        const value = readParam(ctx, name, obj[name], child('params', name));
        if (value !== undefined) params[name] = value;
        overridden.add(name);
      }
    }
  }
  const cli = ctx.in('--param');
  const given = new Map<string, string>();
  for (const arg of cliParams) {
    const eq = arg.indexOf('=');
    const name = eq < 0 ? '' : arg.slice(0, eq).trim();
    if (eq < 0 || name === '') {
      cli.fail('', arg, PARAM_ARG_EXPECTED);
      continue;
    }
    // Two values for one name are a conflict, not a list: the last would win silently.
    const earlier = given.get(name);
    if (earlier !== undefined) {
      cli.failText(name, `${JSON.stringify(earlier)} and ${JSON.stringify(arg)}`, 'each parameter once in --param');
      continue;
    }
    given.set(name, arg);
    if (RETIRED_NAMES.includes(name)) {
      retired(cli, name, name);
      continue;
    }
    if (!(PARAM_NAMES as readonly string[]).includes(name)) {
      cli.fail(name, name, withHint(`a parameter name: one of ${PARAM_NAMES.join(', ')}`, name, PARAM_NAMES));
      continue;
    }
    const text = parseParamValue(cli, name, arg.slice(eq + 1));
    if (text === undefined) continue;
    const value = readParam(cli, name as ParamName, text, name);
    if (value !== undefined) params[name] = value;
    overridden.add(name);
  }
  return { params: params as unknown as Params, overridden: [...overridden].sort() };
}

// ---------------------------------------------------------------------------
// Entities

interface EntityDefaults {
  region: string;
  tenant: string;
  subscription: string;
}

function placement(ctx: Ctx, obj: Obj, path: string, defaults: EntityDefaults): EntityDefaults {
  return {
    region: withDefault(ctx, obj, 'region', path, REGION, defaults.region),
    tenant: withDefault(ctx, obj, 'tenant', path, TENANT, defaults.tenant),
    subscription: withDefault(ctx, obj, 'subscription', path, SUBSCRIPTION, defaults.subscription),
  };
}

export const KEY_FIELDS = ['name', 'kty', 'size', 'wrapAlgorithm', 'versions'] as const;

/** The size and wrap algorithm a key of this type may have. */
export function keyTypeRules(type: KeyType): { size: Check<number>; wrapAlgorithm: Check<WrapAlgorithm> } {
  const suffix = ` (kty ${type})`;
  if (type === 'oct-HSM') {
    return { size: integer(256, 256, `256${suffix}: an oct-HSM key is AES-256`), wrapAlgorithm: choice(['A256KW'] as const, suffix) };
  }
  const sizes = `one of ${RSA_SIZES.join(', ')}${suffix}`;
  return {
    size: {
      expected: sizes,
      json: { enum: [...RSA_SIZES] },
      read: (c, v, p) => (typeof v === 'number' && (RSA_SIZES as readonly number[]).includes(v) ? v : c.fail(p, v, sizes)),
    },
    wrapAlgorithm: choice(['RSA-OAEP-256', 'RSA-OAEP'] as const, suffix),
  };
}

function readKey(ctx: Ctx, value: unknown, path: string): KeySpec | undefined {
  const obj = mapping(ctx, value, path, KEY_FIELDS, 'a key: {name, kty, size, wrapAlgorithm, versions}');
  if (obj === undefined) return undefined;
  const name = required(ctx, obj, 'name', path, KEY_NAME) ?? declaredName(obj) ?? '';
  const kty = optional(ctx, obj, 'kty', path, KEY_TYPE);
  const invalidKty = obj.kty !== undefined && obj.kty !== null && kty === undefined;
  const type: KeyType = kty ?? DEFAULTS.kty;
  let sizeBits: number = DEFAULTS.rsaSizeBits;
  let wrapAlgorithm: WrapAlgorithm = DEFAULTS.rsaWrapAlgorithm;
  // Size and algorithm depend on the key type: left unchecked when the type itself is wrong.
  if (!invalidKty) {
    const rules = keyTypeRules(type);
    const octet = type === 'oct-HSM';
    sizeBits = withDefault(ctx, obj, 'size', path, rules.size, octet ? DEFAULTS.octSizeBits : DEFAULTS.rsaSizeBits);
    wrapAlgorithm = withDefault(ctx, obj, 'wrapAlgorithm', path, rules.wrapAlgorithm, octet ? DEFAULTS.octWrapAlgorithm : DEFAULTS.rsaWrapAlgorithm);
  }
  const versions = withDefault(
    ctx,
    obj,
    'versions',
    path,
    distinctList(VERSION_ID, 'a non-empty list of version ids ([A-Za-z0-9-]+), e.g. [v1, v2]', { nonEmpty: true }),
    [...DEFAULTS.versions],
  );
  return { name, kty: type, sizeBits, wrapAlgorithm, versions };
}

export const VAULT_FIELDS = [
  'name',
  'region',
  'tenant',
  'subscription',
  'softDelete',
  'purgeProtection',
  'softDeleteRetentionDays',
  'permissionModel',
  'privateLink',
  'keys',
  'accessPolicies',
] as const;
export const ACCESS_POLICY_FIELDS = ['principal', 'permissions'] as const;

interface Declared<T> {
  spec: T;
  path: string;
  /** The name as written, even when malformed; undefined when missing. */
  name: string | undefined;
}

export const PERMISSION_MODEL = choice(PERMISSION_MODELS);

function readVault(ctx: Ctx, value: unknown, path: string, defaults: EntityDefaults, params: Params): Declared<KeyVaultSpec> | undefined {
  const obj = mapping(ctx, value, path, VAULT_FIELDS, 'a key vault: {name, region, keys, ...}');
  if (obj === undefined) return undefined;
  const name = required(ctx, obj, 'name', path, VAULT_NAME) ?? declaredName(obj);
  const where = placement(ctx, obj, path, defaults);
  const softDelete = withDefault(ctx, obj, 'softDelete', path, BOOLEAN, DEFAULTS.softDelete);
  const purgeProtection = withDefault(ctx, obj, 'purgeProtection', path, BOOLEAN, DEFAULTS.purgeProtection);
  const softDeleteRetentionDays = withDefault(ctx, obj, 'softDeleteRetentionDays', path, SOFT_DELETE_RETENTION_DAYS, DEFAULTS.softDeleteRetentionDays);
  const permissionModel = withDefault(ctx, obj, 'permissionModel', path, PERMISSION_MODEL, DEFAULTS.permissionModel);
  const privateLink = withDefault(ctx, obj, 'privateLink', path, BOOLEAN, DEFAULTS.privateLink);
  if (permissionModel === 'rbac' && !params.keyVaultRbac) {
    ctx.fail(child(path, 'permissionModel'), obj.permissionModel, 'accessPolicy: Azure RBAC for the cluster\'s key is documented from profile 2023-06 (or set the parameter keyVaultRbac: true)');
  }
  const keys: KeySpec[] = [];
  const keyPaths: { name: string | undefined; path: string }[] = [];
  for (const entry of entries(ctx, obj, 'keys', path, 'a list of keys')) {
    const key = readKey(ctx, entry.value, entry.path);
    if (key !== undefined) {
      keys.push(key);
      keyPaths.push({ name: key.name === '' ? undefined : key.name, path: entry.path });
    }
  }
  checkUnique(ctx, keyPaths, 'key of this vault');
  const accessPolicies: AccessPolicySpec[] = [];
  const policyEntries = entries(ctx, obj, 'accessPolicies', path, 'a list of access policies');
  if (permissionModel === 'rbac' && policyEntries.length > 0) {
    ctx.fail(child(path, 'accessPolicies'), obj.accessPolicies, 'no access policies in a vault with permissionModel: rbac (it grants by role assignment: roleAssignment.create)');
  }
  for (const entry of policyEntries) {
    const policy = mapping(ctx, entry.value, entry.path, ACCESS_POLICY_FIELDS, 'an access policy: {principal, permissions}');
    if (policy === undefined) continue;
    accessPolicies.push({
      principal: required(ctx, policy, 'principal', entry.path, NAME_OF_PRINCIPAL) ?? '',
      permissions: required(ctx, policy, 'permissions', entry.path, PERMISSION_LIST) ?? [],
    });
  }
  return {
    name,
    path,
    spec: {
      name: name ?? '',
      ...where,
      softDelete,
      purgeProtection,
      softDeleteRetentionDays,
      permissionModel,
      privateLink,
      keys,
      accessPolicies,
    },
  };
}

export const CLUSTER_FIELDS = [
  'name',
  'region',
  'tenant',
  'subscription',
  'capacityGBPerDay',
  'billingType',
  'doubleEncryption',
  'storageAccounts',
  'key',
] as const;
export const CLUSTER_KEY_FIELDS = ['vault', 'name', 'version'] as const;

function readCluster(ctx: Ctx, value: unknown, path: string, defaults: EntityDefaults, params: Params): Declared<ClusterSpec> | undefined {
  const obj = mapping(ctx, value, path, CLUSTER_FIELDS, 'a cluster: {name, region, capacityGBPerDay, key, ...}');
  if (obj === undefined) return undefined;
  const name = required(ctx, obj, 'name', path, CLUSTER_NAME) ?? declaredName(obj);
  const spec: ClusterSpec = {
    name: name ?? '',
    ...placement(ctx, obj, path, defaults),
    capacityGBPerDay: withDefault(ctx, obj, 'capacityGBPerDay', path, CAPACITY_GB_PER_DAY, DEFAULTS.capacityGBPerDay),
    billingType: withDefault(ctx, obj, 'billingType', path, BILLING_TYPE, DEFAULTS.billingType),
    doubleEncryption: withDefault(ctx, obj, 'doubleEncryption', path, BOOLEAN, DEFAULTS.doubleEncryption),
    storageAccounts: withDefault(ctx, obj, 'storageAccounts', path, STORAGE_ACCOUNTS, params.storageAccountsPerCluster),
  };
  const keyPath = child(path, 'key');
  if (obj.key !== undefined && obj.key !== null) {
    const keyObj = mapping(ctx, obj.key, keyPath, CLUSTER_KEY_FIELDS, 'a key reference: {vault, name, version}');
    if (keyObj !== undefined) {
      const ref: ClusterKeyRef = {
        vault: required(ctx, keyObj, 'vault', keyPath, NAME_OF_VAULT) ?? '',
        name: required(ctx, keyObj, 'name', keyPath, NAME_OF_KEY) ?? '',
      };
      const version = optional(ctx, keyObj, 'version', keyPath, CLUSTER_KEY_VERSION);
      if (version !== undefined) ref.version = version;
      spec.key = ref;
    }
  }
  return { name, path, spec };
}

export const WORKSPACE_FIELDS = ['name', 'region', 'tenant', 'subscription', 'cluster', 'retentionDays', 'savedSearches', 'ingest', 'query'] as const;
export const INGEST_FIELDS = ['gbPerDay', 'recordsPerMinute'] as const;
export const QUERY_FIELDS = ['perHour', 'lookback'] as const;
/** A workspace's own workload also names its tables on the Auxiliary plan; the set actions change the Analytics workload only. */
export const WORKSPACE_INGEST_FIELDS = [...INGEST_FIELDS, 'auxiliaryRecordsPerMinute'] as const;
export const WORKSPACE_QUERY_FIELDS = [...QUERY_FIELDS, 'auxiliaryPerHour'] as const;
export const GB_PER_DAY = number(0, MAX_GB_PER_DAY, `a number of GB per day, from 0 to ${MAX_GB_PER_DAY}`);
export const RECORDS_PER_MINUTE = integer(0, MAX_RECORDS_PER_MINUTE, `a whole number of records per minute, from 0 to ${MAX_RECORDS_PER_MINUTE}`);
export const AUXILIARY_RECORDS_PER_MINUTE = integer(0, MAX_AUXILIARY_RECORDS_PER_MINUTE, `a whole number of records per minute, from 0 to ${MAX_AUXILIARY_RECORDS_PER_MINUTE}`);
export const PER_HOUR = number(0, MAX_QUERIES_PER_HOUR, `a number of queries per hour, from 0 to ${MAX_QUERIES_PER_HOUR}`);
export const SAVED_SEARCHES = integer(0, MAX_SAVED_SEARCHES, `a whole number of saved searches, from 0 to ${MAX_SAVED_SEARCHES}`);

const AUXILIARY_EXPECTED = '0: tables on the Auxiliary plan are documented from profile 2024-01 (or set the parameter auxiliaryTablePlan: true)';

function readWorkspace(ctx: Ctx, value: unknown, path: string, defaults: EntityDefaults, params: Params): Declared<WorkspaceSpec> | undefined {
  const obj = mapping(ctx, value, path, WORKSPACE_FIELDS, 'a workspace: {name, region, cluster, ingest, query, ...}');
  if (obj === undefined) return undefined;
  const name = required(ctx, obj, 'name', path, WORKSPACE_NAME) ?? declaredName(obj);
  const ingestPath = child(path, 'ingest');
  const ingest = obj.ingest === undefined || obj.ingest === null ? {} : (mapping(ctx, obj.ingest, ingestPath, WORKSPACE_INGEST_FIELDS, 'a mapping {gbPerDay, recordsPerMinute, auxiliaryRecordsPerMinute}') ?? {});
  const queryPath = child(path, 'query');
  const query = obj.query === undefined || obj.query === null ? {} : (mapping(ctx, obj.query, queryPath, WORKSPACE_QUERY_FIELDS, 'a mapping {perHour, lookback, auxiliaryPerHour}') ?? {});
  const auxiliary = {
    recordsPerMinute: withDefault(ctx, ingest, 'auxiliaryRecordsPerMinute', ingestPath, AUXILIARY_RECORDS_PER_MINUTE, 0),
    queriesPerHour: withDefault(ctx, query, 'auxiliaryPerHour', queryPath, PER_HOUR, 0),
  };
  if (!params.auxiliaryTablePlan) {
    if (auxiliary.recordsPerMinute > 0) ctx.fail(child(ingestPath, 'auxiliaryRecordsPerMinute'), ingest.auxiliaryRecordsPerMinute, AUXILIARY_EXPECTED);
    if (auxiliary.queriesPerHour > 0) ctx.fail(child(queryPath, 'auxiliaryPerHour'), query.auxiliaryPerHour, AUXILIARY_EXPECTED);
  }
  const cluster = optional(ctx, obj, 'cluster', path, NAME_OF_CLUSTER);
  const spec: WorkspaceSpec = {
    name: name ?? '',
    ...placement(ctx, obj, path, defaults),
    ...(cluster === undefined ? {} : { cluster }),
    retentionDays: withDefault(ctx, obj, 'retentionDays', path, RETENTION_DAYS, DEFAULTS.retentionDays),
    savedSearches: withDefault(ctx, obj, 'savedSearches', path, SAVED_SEARCHES, DEFAULTS.savedSearches),
    ingest: {
      gbPerDay: withDefault(ctx, ingest, 'gbPerDay', ingestPath, GB_PER_DAY, DEFAULTS.ingestGBPerDay),
      recordsPerMinute: withDefault(ctx, ingest, 'recordsPerMinute', ingestPath, RECORDS_PER_MINUTE, DEFAULTS.recordsPerMinute),
    },
    query: {
      perHour: withDefault(ctx, query, 'perHour', queryPath, PER_HOUR, DEFAULTS.queriesPerHour),
      lookbackMs: withDefault(ctx, query, 'lookback', queryPath, DURATION, DEFAULTS.queryLookbackMs),
    },
    auxiliary,
  };
  return { name, path, spec };
}

export const IDENTITY_FIELDS = ['name'] as const;

/** A user-assigned identity: it exists before any cluster, so Key Vault can grant it first. */
function readIdentity(ctx: Ctx, value: unknown, path: string): Declared<string> | undefined {
  const obj = mapping(ctx, value, path, IDENTITY_FIELDS, 'a user-assigned identity: {name}');
  if (obj === undefined) return undefined;
  const name = required(ctx, obj, 'name', path, IDENTITY_NAME_CHECK) ?? declaredName(obj);
  return { name, path, spec: name ?? '' };
}

// ---------------------------------------------------------------------------
// Actions

export interface World {
  vaults: Map<string, KeyVaultSpec>;
  vaultNames: string[];
  clusterNames: string[];
  workspaceNames: string[];
  /** Who Key Vault can grant: the clusters (their system-assigned identities) and the user-assigned identities. */
  principalNames: string[];
}

/** An action read so far: its output fields by name, and where it was in the file. */
type Draft = Record<string, unknown>;

export interface ActionField {
  /** The field in the file. */
  name: string;
  /** The field in the Action (forMs for `for`). */
  out: string;
  required: boolean;
  check(world: World, draft: Draft): Check<unknown>;
}

const field = (name: string, out: string, isRequired: boolean, check: (world: World, draft: Draft) => Check<unknown>): ActionField => ({
  name,
  out,
  required: isRequired,
  check,
});

const VAULT = field('vault', 'vault', true, (w) => reference('a name of keyVaults', w.vaultNames));
const KEY = field('key', 'key', true, (w, d) => {
  const vault = typeof d.vault === 'string' ? w.vaults.get(d.vault) : undefined;
  // Without a known vault there is nothing to check the key against.
  return vault === undefined
    ? KEY_NAME
    : reference(`a key of vault ${vault.name}`, vault.keys.map((k) => k.name).filter((n) => n !== ''));
});
/** Known versions are checked later, in time order (rotations add versions). */
const VERSION = field('version', 'version', false, () => VERSION_ID);
const FOR = field('for', 'forMs', true, () => POSITIVE_DURATION);
const PRINCIPAL = field('principal', 'principal', true, (w) => reference(PRINCIPAL_EXPECTED, w.principalNames));
const CLUSTER = field('cluster', 'cluster', true, (w) => reference('a name of clusters', w.clusterNames));
const WORKSPACE = field('workspace', 'workspace', true, (w) => reference('a name of workspaces', w.workspaceNames));
const fixed = (check: Check<unknown>) => () => check;
const PRINCIPAL_EXPECTED = 'a cluster name (a name of clusters) or a name of userAssignedIdentities';
const ROLE = field('role', 'role', true, fixed(choice(KEY_VAULT_ROLES)));

/** The fields of each action, in the order they are read (vault before key). */
export const ACTION_FIELDS: { readonly [N in ActionName]: readonly ActionField[] } = {
  'keyVault.outage': [VAULT, FOR],
  'keyVault.transient': [VAULT, FOR, field('failureRate', 'failureRate', true, fixed(FRACTION))],
  'keyVault.denyNetwork': [VAULT, FOR],
  'keyVault.throttle': [
    VAULT,
    FOR,
    field('limitPer10s', 'limitPer10s', true, fixed(LIMIT_PER_10S)),
  ],
  'key.disable': [VAULT, KEY, VERSION],
  'key.enable': [VAULT, KEY, VERSION],
  'key.rotate': [VAULT, KEY, VERSION],
  'key.delete': [VAULT, KEY],
  'key.recover': [VAULT, KEY],
  'key.purge': [VAULT, KEY],
  'key.setExpiry': [VAULT, KEY, VERSION, field('exp', 'expMs', true, fixed(DURATION))],
  'accessPolicy.set': [VAULT, PRINCIPAL, field('permissions', 'permissions', true, fixed(PERMISSION_LIST))],
  'accessPolicy.remove': [VAULT, PRINCIPAL],
  'roleAssignment.create': [VAULT, PRINCIPAL, ROLE],
  'roleAssignment.delete': [VAULT, PRINCIPAL, ROLE],
  'cluster.create': [CLUSTER, field('body', 'body', false, fixed(CLUSTER_BODY))],
  'cluster.update': [CLUSTER, field('body', 'body', true, fixed(CLUSTER_BODY))],
  'cluster.setIdentity': [CLUSTER, field('type', 'type', true, fixed(choice(['SystemAssigned', 'None'] as const)))],
  'cluster.delete': [CLUSTER],
  'workspace.link': [WORKSPACE, CLUSTER],
  'workspace.unlink': [WORKSPACE],
  'workspace.linkStorage': [
    WORKSPACE,
    field('type', 'type', true, fixed(choice(['Query', 'Alerts'] as const))),
    field('storageAccount', 'storageAccount', true, fixed(STORAGE_ACCOUNT_NAME)),
    field('region', 'region', false, fixed(REGION)),
  ],
  'workspace.unlinkStorage': [WORKSPACE, field('type', 'type', true, fixed(choice(['Query', 'Alerts'] as const)))],
  // The new workload fields, flat (gbPerDay: 10) or grouped (ingest: {gbPerDay: 10}).
  'workspace.setIngest': [
    WORKSPACE,
    field('gbPerDay', 'ingest.gbPerDay', false, fixed(GB_PER_DAY)),
    field('recordsPerMinute', 'ingest.recordsPerMinute', false, fixed(RECORDS_PER_MINUTE)),
    field('ingest', 'ingest', false, fixed(workloadGroup('ingest', INGEST_FIELDS, { gbPerDay: GB_PER_DAY, recordsPerMinute: RECORDS_PER_MINUTE }))),
  ],
  'workspace.setQuery': [
    WORKSPACE,
    field('perHour', 'query.perHour', false, fixed(PER_HOUR)),
    field('lookback', 'query.lookbackMs', false, fixed(DURATION)),
    field('query', 'query', false, fixed(workloadGroup('query', QUERY_FIELDS, { perHour: PER_HOUR, lookback: DURATION }))),
  ],
  'lockbox.request': [
    WORKSPACE,
    field('decision', 'decision', true, fixed(choice(['approve', 'reject'] as const))),
    field('after', 'afterMs', true, fixed(DURATION)),
  ],
};
export const ACTION_NAMES = Object.keys(ACTION_FIELDS) as ActionName[];
export const ACTION_NAME = choice(ACTION_NAMES);

/** `ingest: {gbPerDay, recordsPerMinute}` or `query: {perHour, lookback}` inside a set action. */
function workloadGroup(what: string, fields: readonly string[], checks: Record<string, Check<unknown>>): Check<Obj> {
  const expected = `a mapping with some of ${fields.join(', ')}`;
  return {
    expected,
    json: {
      type: 'object',
      properties: Object.fromEntries(fields.map((name) => [name, orNull(checks[name]!.json)])),
      additionalProperties: false,
      minProperties: 1,
    },
    read(ctx, value, path) {
      const obj = mapping(ctx, value, path, fields, expected);
      if (obj === undefined) return undefined;
      const out: Obj = {};
      let ok = true;
      for (const name of fields) {
        if (obj[name] === undefined || obj[name] === null) continue;
        const got = checks[name]!.read(ctx, obj[name], child(path, name));
        if (got === undefined) ok = false;
        else out[name === 'lookback' ? 'lookbackMs' : name] = got;
      }
      if (Object.keys(obj).length === 0) return ctx.fail(path, value, `a ${what} mapping with at least one of ${fields.join(', ')}`);
      return ok ? out : undefined;
    },
  };
}

interface ReadAction {
  /** Index in the file's list, for paths. */
  index: number;
  path: string;
  draft: Draft;
}

function readAction(ctx: Ctx, value: unknown, path: string, world: World, durationMs: number | undefined): ReadAction | undefined {
  if (!isObject(value)) return ctx.fail(path, value, 'an action: {at, do, ...}');
  const doName = required(ctx, value, 'do', path, ACTION_NAME);
  const fields = doName === undefined ? undefined : ACTION_FIELDS[doName];
  if (fields !== undefined) mapping(ctx, value, path, ['at', 'do', ...fields.map((f) => f.name)], '');
  const draft: Draft = {};
  const atMs = required(ctx, value, 'at', path, DURATION);
  if (atMs !== undefined) {
    if (durationMs !== undefined && atMs >= durationMs) {
      ctx.fail(child(path, 'at'), value.at, `a time before the end (duration ${formatDuration(durationMs)}): an action at or after the end never runs`);
    }
    draft.atMs = atMs;
  }
  if (doName === undefined || fields === undefined) return undefined;
  draft.do = doName;
  for (const f of fields) {
    const check = f.check(world, draft);
    const got = f.required ? required(ctx, value, f.name, path, check) : optional(ctx, value, f.name, path, check);
    if (got === undefined) continue;
    const [group, sub] = f.out.split('.') as [string, string | undefined];
    if (sub === undefined) draft[group] = isObject(got) && isObject(draft[group]) ? { ...(draft[group] as Obj), ...got } : got;
    else draft[group] = { ...(isObject(draft[group]) ? draft[group] : {}), [sub]: got };
  }
  if (doName === 'workspace.setIngest' || doName === 'workspace.setQuery') {
    const group = doName === 'workspace.setIngest' ? 'ingest' : 'query';
    const flat = fields.filter((f) => f.name !== group && f.name !== 'workspace').map((f) => f.name);
    const hasFlat = flat.some((n) => value[n] !== undefined && value[n] !== null);
    const hasGroup = value[group] !== undefined && value[group] !== null;
    if (hasFlat && hasGroup) {
      ctx.fail(child(path, group), value[group], `either ${flat.join(', ')} or ${group}: {...}, not both`);
    } else if (!hasFlat && !hasGroup) {
      ctx.fail(path, value, `at least one of ${flat.join(', ')} (the new ${group} workload)`);
    }
    if (!isObject(draft[group])) draft[group] = {};
  }
  return { index: 0, path, draft };
}

/**
 * Version references in time order: a version exists if the key declares it
 * or an earlier key.rotate created it. A rotation without `version:` creates
 * "v<n+1>" where n is the number of versions so far.
 */
function checkVersions(ctx: Ctx, sorted: readonly ReadAction[], world: World): void {
  const versions = new Map<string, string[]>();
  const versionsOf = (vault: KeyVaultSpec, key: KeySpec): string[] => {
    const id = `${vault.name}/${key.name}`;
    let list = versions.get(id);
    if (list === undefined) {
      list = [...key.versions];
      versions.set(id, list);
    }
    return list;
  };
  for (const { draft, path } of sorted) {
    const vault = typeof draft.vault === 'string' ? world.vaults.get(draft.vault) : undefined;
    const key = vault?.keys.find((k) => k.name === draft.key);
    if (vault === undefined || key === undefined) continue;
    const known = versionsOf(vault, key);
    const version = draft.version;
    if (draft.do === 'key.rotate') {
      if (typeof version === 'string') {
        if (known.includes(version)) ctx.fail(child(path, 'version'), version, `a new version id; key ${vault.name}/${key.name} already has ${known.join(', ')}`);
        else known.push(version);
      } else {
        const next = `v${known.length + 1}`;
        if (known.includes(next)) {
          ctx.fail(child(path, 'version'), undefined, `a version id: the default next id ${next} is already taken by key ${vault.name}/${key.name}`);
        } else known.push(next);
      }
    } else if (typeof version === 'string' && !known.includes(version)) {
      const expected = `a version of key ${vault.name}/${key.name} at that time: ${known.join(', ')}`;
      ctx.fail(child(path, 'version'), version, withHint(expected, version, known));
    }
  }
}

// ---------------------------------------------------------------------------
// Expectations

export const EXPECT_FIELDS = ['metric', ...EXPECT_OPS] as const;
export const METRIC = text('a metric: a dotted path into sla.json, e.g. totals.query.availability');

function readExpectation(ctx: Ctx, value: unknown, path: string): Expectation | undefined {
  const obj = mapping(ctx, value, path, EXPECT_FIELDS, `an expectation: {metric, and one of ${EXPECT_OPS.join(', ')}}`);
  if (obj === undefined) return undefined;
  const metric = required(ctx, obj, 'metric', path, METRIC);
  const ops = EXPECT_OPS.filter((op) => Object.hasOwn(obj, op));
  if (ops.length !== 1) {
    ctx.failText(path, ops.length === 0 ? 'no comparison' : ops.join(' and '), `exactly one of ${EXPECT_OPS.join(', ')}`);
    return undefined;
  }
  const op: ExpectOp = ops[0]!;
  const raw = obj[op];
  let expectedValue: Expectation['value'] | undefined;
  if (op === 'equals') {
    if (raw === null || typeof raw === 'string' || typeof raw === 'boolean' || (typeof raw === 'number' && Number.isFinite(raw))) expectedValue = raw;
    else ctx.fail(child(path, op), raw, 'a number, text, true, false or null');
  } else {
    expectedValue = typeof raw === 'number' && Number.isFinite(raw) ? raw : ctx.fail(child(path, op), raw, 'a number');
  }
  if (metric === undefined || expectedValue === undefined) return undefined;
  return { metric, op, value: expectedValue };
}

// ---------------------------------------------------------------------------
// References between entities. Azure's rules (regions, tenants, recoverable
// keys, capacities, quotas) are the model's: `validate` runs its setup.

function checkReferences(
  ctx: Ctx,
  setup: 'ready' | 'none',
  vaults: readonly Declared<KeyVaultSpec>[],
  clusters: readonly Declared<ClusterSpec>[],
  workspaces: readonly Declared<WorkspaceSpec>[],
  world: World,
): void {
  for (const { spec, path } of clusters) {
    const ref = spec.key;
    if (ref === undefined) continue;
    const keyPath = child(path, 'key');
    if (setup === 'none') {
      ctx.fail(keyPath, ref, 'no key with setup: none (nothing exists before t=0; set the key with a cluster.update action)');
      continue;
    }
    if (ref.vault === '') continue;
    const vault = world.vaults.get(ref.vault);
    if (vault === undefined) {
      ctx.fail(child(keyPath, 'vault'), ref.vault, withHint(namesExpected('a name of keyVaults', world.vaultNames), ref.vault, world.vaultNames));
      continue;
    }
    if (ref.name === '') continue;
    const key = vault.keys.find((k) => k.name === ref.name);
    if (key === undefined) {
      const names = vault.keys.map((k) => k.name);
      ctx.fail(child(keyPath, 'name'), ref.name, withHint(namesExpected(`a key of vault ${vault.name}`, names), ref.name, names));
      continue;
    }
    if (ref.version !== undefined && ref.version !== '' && !key.versions.includes(ref.version)) {
      ctx.fail(child(keyPath, 'version'), ref.version, withHint(`a version of key ${vault.name}/${key.name}: ${key.versions.join(', ')}`, ref.version, key.versions));
    }
  }
  for (const { spec, path } of workspaces) {
    if (spec.cluster === undefined) continue;
    const clusterPath = child(path, 'cluster');
    if (setup === 'none') {
      ctx.fail(clusterPath, spec.cluster, 'no cluster with setup: none (nothing exists before t=0; link it with a workspace.link action)');
      continue;
    }
    if (!world.clusterNames.includes(spec.cluster)) {
      ctx.fail(clusterPath, spec.cluster, withHint(namesExpected('a name of clusters', world.clusterNames), spec.cluster, world.clusterNames));
    }
  }
  for (const { spec, path } of vaults) {
    spec.accessPolicies.forEach((policy, i) => {
      const policyPath = item(child(path, 'accessPolicies'), i);
      if (policy.principal !== '' && !world.principalNames.includes(policy.principal)) {
        ctx.fail(child(policyPath, 'principal'), policy.principal, withHint(namesExpected(PRINCIPAL_EXPECTED, world.principalNames), policy.principal, world.principalNames));
      }
    });
    const principals = spec.accessPolicies.map((p, i) => ({
      name: p.principal === '' ? undefined : p.principal,
      path: item(child(path, 'accessPolicies'), i),
    }));
    checkUniqueField(ctx, principals, 'principal', 'access policy of this vault');
  }
}

// ---------------------------------------------------------------------------
// Random fault processes

const DISTRIBUTION_EXPECTED =
  'a duration (45m), or one of {uniform: [min, max]}, {exponential: mean}, {lognormal: {median, p90}} with durations greater than 0';

const DISTRIBUTION_KINDS = ['uniform', 'exponential', 'lognormal'] as const;
const EXACTLY_ONE_KIND = { oneOf: DISTRIBUTION_KINDS.map((kind) => ({ required: [kind] })) };

export const DURATION_DISTRIBUTION: Check<DurationDistribution> = {
  expected: DISTRIBUTION_EXPECTED,
  // "Greater than 0" and "p90 at least the median" are left to `read`.
  json: {
    type: ['string', 'object'],
    pattern: `^${DURATION_PATTERN}$`,
    properties: { uniform: {}, exponential: {}, lognormal: {} },
    additionalProperties: false,
    // As `read`: with an unknown key, that key alone is the problem; else exactly one kind, and then its value is checked.
    if: { type: 'object', propertyNames: { enum: [...DISTRIBUTION_KINDS] } },
    then: {
      if: EXACTLY_ONE_KIND,
      then: {
        properties: {
          uniform: DURATION_RANGE.json,
          exponential: POSITIVE_DURATION.json,
          lognormal: {
            type: 'object',
            properties: { median: POSITIVE_DURATION.json, p90: POSITIVE_DURATION.json },
            required: ['median', 'p90'],
            additionalProperties: false,
          },
        },
      },
      else: EXACTLY_ONE_KIND,
    },
  },
  read(ctx, value, path) {
    if (typeof value === 'string') {
      const ms = POSITIVE_DURATION.read(ctx, value, path);
      return ms === undefined ? undefined : { type: 'fixed', ms };
    }
    const known: readonly string[] = DISTRIBUTION_KINDS;
    const obj = mapping(ctx, value, path, known, DISTRIBUTION_EXPECTED);
    if (obj === undefined) return undefined;
    const keys = Object.keys(obj);
    // An unknown key was reported by mapping; two kinds at once, or none, are reported here.
    if (keys.some((k) => !known.includes(k))) return undefined;
    if (keys.length !== 1) return ctx.fail(path, value, DISTRIBUTION_EXPECTED);
    if (obj.uniform !== undefined) {
      const range = DURATION_RANGE.read(ctx, obj.uniform, child(path, 'uniform'));
      if (range === undefined) return undefined;
      if (range[1] <= 0) return ctx.fail(child(path, 'uniform'), obj.uniform, 'a range whose max is greater than 0');
      return { type: 'uniform', minMs: range[0], maxMs: range[1] };
    }
    if (obj.exponential !== undefined) {
      const meanMs = POSITIVE_DURATION.read(ctx, obj.exponential, child(path, 'exponential'));
      return meanMs === undefined ? undefined : { type: 'exponential', meanMs };
    }
    const lognormalPath = child(path, 'lognormal');
    const lognormal = mapping(ctx, obj.lognormal, lognormalPath, ['median', 'p90'], 'a mapping {median, p90} of two durations');
    if (lognormal === undefined) return undefined;
    const medianMs = required(ctx, lognormal, 'median', lognormalPath, POSITIVE_DURATION);
    const p90Ms = required(ctx, lognormal, 'p90', lognormalPath, POSITIVE_DURATION);
    if (medianMs === undefined || p90Ms === undefined) return undefined;
    if (p90Ms < medianMs) return ctx.fail(child(lognormalPath, 'p90'), lognormal.p90, `a duration at least the median (${formatDuration(medianMs)})`);
    return { type: 'lognormal', medianMs, p90Ms };
  },
};

export const FAULT_FIELDS: { readonly [P in FaultProcessName]: readonly string[] } = {
  'keyVault.outage': ['duration'],
  'keyVault.denyNetwork': ['duration'],
  'keyVault.transient': ['duration', 'failureRate'],
  'keyVault.throttle': ['duration', 'limitPer10s'],
  'key.accidentalDisable': ['key', 'timeToNotice'],
};

/** The fields of any fault process, each once. */
export const ANY_FAULT_FIELDS: readonly string[] = [...new Set(Object.values(FAULT_FIELDS).flat())];

function readFault(ctx: Ctx, value: unknown, path: string, world: World): FaultProcess | undefined {
  const candidate = isObject(value) && typeof value.process === 'string' ? (value.process as FaultProcessName) : undefined;
  // Own fields only: "constructor" is no process, though `in` would find it on every object. An unknown process
  // (reported as such) is read with the fields of every process, so that only a field no process has is reported
  // beside it (as the JSON Schema does).
  const own = candidate !== undefined && Object.hasOwn(FAULT_FIELDS, candidate) ? FAULT_FIELDS[candidate] : ANY_FAULT_FIELDS;
  const obj = mapping(ctx, value, path, ['process', 'vault', 'meanTimeBetween', ...own], 'a fault process: {process, vault, meanTimeBetween, ...}');
  if (obj === undefined) return undefined;
  const process = required(ctx, obj, 'process', path, FAULT_PROCESS);
  const vault = required(ctx, obj, 'vault', path, reference('a name of keyVaults', world.vaultNames));
  const meanTimeBetweenMs = required(ctx, obj, 'meanTimeBetween', path, POSITIVE_DURATION);
  if (process === undefined || vault === undefined || meanTimeBetweenMs === undefined) return undefined;
  const base = { vault, meanTimeBetweenMs };
  switch (process) {
    case 'keyVault.outage':
    case 'keyVault.denyNetwork': {
      const duration = required(ctx, obj, 'duration', path, DURATION_DISTRIBUTION);
      return duration === undefined ? undefined : { ...base, process, duration };
    }
    case 'keyVault.transient': {
      const duration = required(ctx, obj, 'duration', path, DURATION_DISTRIBUTION);
      const failureRate = required(ctx, obj, 'failureRate', path, FRACTION);
      return duration === undefined || failureRate === undefined ? undefined : { ...base, process, duration, failureRate };
    }
    case 'keyVault.throttle': {
      const duration = required(ctx, obj, 'duration', path, DURATION_DISTRIBUTION);
      const limitPer10s = required(ctx, obj, 'limitPer10s', path, LIMIT_PER_10S);
      return duration === undefined || limitPer10s === undefined ? undefined : { ...base, process, duration, limitPer10s };
    }
    case 'key.accidentalDisable': {
      const spec = world.vaults.get(vault)!;
      const key = required(ctx, obj, 'key', path, reference(`a key of vault ${vault}`, spec.keys.map((k) => k.name)));
      const timeToNotice = required(ctx, obj, 'timeToNotice', path, DURATION_DISTRIBUTION);
      return key === undefined || timeToNotice === undefined ? undefined : { ...base, process, key, timeToNotice };
    }
  }
}

// ---------------------------------------------------------------------------
// The scenario

export const TOP_FIELDS = [
  'name',
  'description',
  'profile',
  'seed',
  'start',
  'duration',
  'tenant',
  'subscription',
  'region',
  'setup',
  'params',
  'keyVaults',
  'clusters',
  'workspaces',
  'userAssignedIdentities',
  'actions',
  'faults',
  'expect',
  'slo',
] as const;

/** The file's problems in the order found, then those of the options, in command-line order. */
function fileFirst(problems: readonly Problem[], source: string): Problem[] {
  const rank = (p: Problem) => (p.file === source ? 0 : p.file === '--profile' ? 1 : p.file === '--seed' ? 2 : 3);
  return [...problems].sort((a, b) => rank(a) - rank(b));
}

/** `slo:`, the user's own SLO (sim/observe/slo-spec.ts reads it, field by field). */
export const SLO_SPEC: Check<SloSpec> = {
  expected: 'an OpenSLO v1 SLO document or a Sloth spec (version: prometheus/v1), or a list of OpenSLO documents',
  json: { type: ['object', 'array'] },
  read: (ctx, value, path) => (isObject(value) || Array.isArray(value) ? readSloSpec(value, ctx.file, path, ctx.problems) : ctx.fail(path, value, SLO_SPEC.expected)),
};

/** The longest description: a paragraph or a page, not a payload the reports would copy everywhere. */
export const DESCRIPTION_CHARS_MAX = 10_000;
// Newlines and tabs are text; other control characters (escape sequences among them) would reach terminals and sla.md as they are.
const CONTROL_CHARACTER = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const DESCRIPTION_EXPECTED = `text of at most ${DESCRIPTION_CHARS_MAX.toLocaleString('en-US')} characters, without control characters other than newlines and tabs`;
export const DESCRIPTION: Check<string> = {
  expected: DESCRIPTION_EXPECTED,
  json: { type: 'string', maxLength: DESCRIPTION_CHARS_MAX, pattern: `^[^${CONTROL_CHARACTER.source.slice(1, -1)}]*$`, patternErrorMessage: `Expected ${DESCRIPTION_EXPECTED}.` },
  read: (ctx, v, p) => (typeof v === 'string' && v.length <= DESCRIPTION_CHARS_MAX && !CONTROL_CHARACTER.test(v) ? v : ctx.fail(p, v, DESCRIPTION_EXPECTED)),
};
export const SEED = integer(0, MAX_SEED, SEED_EXPECTED);

/**
 * The normalized Scenario of a parsed file; throws one InputError listing
 * every problem (of the file and of the options).
 */
export function validateScenario(data: unknown, source: string, options: LoadOptions = {}): Scenario {
  const problems: Problem[] = [];
  const ctx = new Ctx(source, problems);
  const top = mapping(ctx, data, '', TOP_FIELDS, 'a scenario: a mapping with name, duration and the other fields of INTERFACE.md');

  // The options are checked even when the file is unusable: every problem is reported.
  const cliProfile = options.profile === undefined ? undefined : PROFILE.read(ctx.in('--profile'), options.profile, '');
  const cliSeed = options.seed === undefined ? undefined : SEED.read(ctx.in('--seed'), options.seed, '');
  if (top === undefined) {
    resolveParams(ctx, undefined, cliProfile ?? DEFAULT_PROFILE, options.params ?? []);
    throw new InputError(fileFirst(problems, source));
  }

  const name = required(ctx, top, 'name', '', SCENARIO_NAME);
  const description = withDefault(ctx, top, 'description', '', DESCRIPTION, DEFAULTS.description);
  const fileProfile = optional(ctx, top, 'profile', '', PROFILE);
  const profile: ProfileName = cliProfile ?? fileProfile ?? DEFAULTS.profile;
  const fileSeed = optional(ctx, top, 'seed', '', SEED);
  const seed = cliSeed ?? fileSeed ?? DEFAULTS.seed;
  const startIso = withDefault(ctx, top, 'start', '', START, DEFAULTS.startIso);
  const durationMs = required(ctx, top, 'duration', '', POSITIVE_DURATION);
  const defaults: EntityDefaults = {
    tenant: withDefault(ctx, top, 'tenant', '', TENANT, DEFAULTS.tenant),
    subscription: withDefault(ctx, top, 'subscription', '', SUBSCRIPTION, DEFAULTS.subscription),
    region: withDefault(ctx, top, 'region', '', REGION, DEFAULTS.region),
  };
  const setup = withDefault(ctx, top, 'setup', '', SETUP, DEFAULTS.setup);
  const { params, overridden: overriddenParams } = resolveParams(ctx, top.params, profile, options.params ?? []);

  const vaults = entries(ctx, top, 'keyVaults', '', 'a list of key vaults')
    .map((e) => readVault(ctx, e.value, e.path, defaults, params))
    .filter((v) => v !== undefined);
  const clusters = entries(ctx, top, 'clusters', '', 'a list of clusters')
    .map((e) => readCluster(ctx, e.value, e.path, defaults, params))
    .filter((c) => c !== undefined);
  const workspaceEntries = entries(ctx, top, 'workspaces', '', 'a list of workspaces');
  // Every total stays exact up to MAX_WORKSPACES workspaces ingesting at their largest rate (sim/limits.ts).
  if (workspaceEntries.length > MAX_WORKSPACES) ctx.failText('workspaces', `${workspaceEntries.length} workspaces`, `at most ${MAX_WORKSPACES} workspaces`);
  const workspaces = workspaceEntries.map((e) => readWorkspace(ctx, e.value, e.path, defaults, params)).filter((w) => w !== undefined);
  const identities = entries(ctx, top, 'userAssignedIdentities', '', 'a list of user-assigned identities')
    .map((e) => readIdentity(ctx, e.value, e.path))
    .filter((i) => i !== undefined);
  checkUnique(ctx, vaults, 'key vault');
  checkUnique(ctx, clusters, 'cluster');
  checkUnique(ctx, workspaces, 'workspace');
  // A principal name is a cluster's (its system-assigned identity) or a user-assigned identity's: never both.
  checkUnique(ctx, [...clusters, ...identities], 'cluster or user-assigned identity');

  const namesOf = (list: readonly Declared<unknown>[]): string[] =>
    list.map((d) => d.name).filter((n): n is string => n !== undefined);
  const world: World = {
    vaults: new Map(vaults.map((v) => [v.spec.name, v.spec])),
    vaultNames: namesOf(vaults),
    clusterNames: namesOf(clusters),
    workspaceNames: namesOf(workspaces),
    principalNames: [...namesOf(clusters), ...namesOf(identities)],
  };
  checkReferences(ctx, setup, vaults, clusters, workspaces, world);

  const read: ReadAction[] = [];
  const actionEntries = entries(ctx, top, 'actions', '', 'a list of actions');
  if (actionEntries.length > MAX_ACTIONS) ctx.failText('actions', `${actionEntries.length} actions`, `at most ${MAX_ACTIONS} actions`);
  actionEntries.slice(0, MAX_ACTIONS).forEach((e, index) => {
    const action = readAction(ctx, e.value, e.path, world, durationMs);
    if (action !== undefined) read.push({ ...action, index });
  });
  // Stable: equal times keep file order. An action whose time is wrong goes last.
  const sorted = [...read].sort((a, b) => ((a.draft.atMs as number | undefined) ?? Infinity) - ((b.draft.atMs as number | undefined) ?? Infinity));
  checkVersions(ctx, sorted, world);

  const faults = entries(ctx, top, 'faults', '', 'a list of fault processes')
    .map((e) => readFault(ctx, e.value, e.path, world))
    .filter((f) => f !== undefined);

  const expect = entries(ctx, top, 'expect', '', 'a list of expectations')
    .map((e) => readExpectation(ctx, e.value, e.path))
    .filter((x) => x !== undefined);

  const slo = options.slo ?? optional(ctx, top, 'slo', '', SLO_SPEC) ?? null;
  if (slo !== null) {
    // The spec sets the target: a second one elsewhere could only disagree with it.
    const targetElsewhere = isObject(top.params) && top.params.sloTarget !== undefined ? ctx.in(source) : (options.params ?? []).some((p) => p.startsWith('sloTarget=')) ? ctx.in('--param') : undefined;
    targetElsewhere?.failText(targetElsewhere.file === source ? 'params.sloTarget' : 'sloTarget', 'a target besides the SLO spec\'s objective', `the target in one place: the objective of ${options.slo === undefined ? 'slo:' : '--slo'} (${slo.source}), or no SLO spec`);
  }

  if (problems.length > 0 || name === undefined || durationMs === undefined) throw new InputError(fileFirst(problems, source));
  return {
    name,
    description,
    source,
    profile,
    seed,
    startIso,
    durationMs,
    params,
    overriddenParams,
    setup,
    keyVaults: vaults.map((v) => v.spec),
    clusters: clusters.map((c) => c.spec),
    workspaces: workspaces.map((w) => w.spec),
    userAssignedIdentities: identities.map((i) => i.spec),
    actions: sorted.map((a) => a.draft as unknown as Action),
    faults,
    expect,
    slo,
  };
}
