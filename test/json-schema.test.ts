// The JSON Schema of scenario files (scenarios/scenario.schema.json), checked
// with a real validator (Ajv, draft 2020-12): it is what `npm run schema`
// makes from the loader; every built-in and every scenario explore generates
// validates; and what the schema rejects, the loader rejects too, at the same
// field path (fast-check mutations of valid scenarios; fixed seed, printed;
// FC_SEED / FC_RUNS change it).

import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import * as fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { paramsTable } from '../reports/params-table.ts';
import { builtinIndexText, readBuiltinIndex } from '../scenarios/builtin-index.ts';
import { scenarioJsonSchemaText } from '../scenarios/json-schema.ts';
import { listBuiltins, parseScenario } from '../scenarios/load.ts';
import { arbitraries } from '../sim/arbitraries.ts';
import { DELAY_MODES, PARAM_NAMES, PARAM_SPECS, PROFILES } from '../sim/azure/profiles.ts';
import { InputError } from '../sim/input-error.ts';
import { FAULT_PROCESSES, KEY_TYPES } from '../sim/scenario.ts';
import { ACTION_NAMES } from '../scenarios/schema.ts';

const SEED = Number(process.env.FC_SEED ?? 20261212);
const RUNS = Number(process.env.FC_RUNS ?? 1500);
console.log(`json-schema: fast-check seed ${SEED}, ${RUNS} mutations (FC_SEED / FC_RUNS to change)`);

const SCHEMA_PATH = new URL('../scenarios/scenario.schema.json', import.meta.url);
const committed = readFileSync(SCHEMA_PATH, 'utf8');
const schema = JSON.parse(committed) as Record<string, unknown>;

// Strict, except for two things the schema does on purpose: types like ["string", "null"] for
// optional fields, and `required: ["kyName"]` to spot the documentation's typo, a field it does not define.
const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, strictRequired: false });
// What editors show when a pattern does not match: an annotation for Ajv.
ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' });
const validate: ValidateFunction = ajv.compile(schema);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A field path as the loader writes it (scenarios/schema.ts child/item): a.b, a[0], a["odd key"]. */
function fieldPath(data: unknown, segments: readonly string[]): string {
  let path = '';
  let node: unknown = data;
  for (const segment of segments) {
    if (Array.isArray(node)) {
      path += `[${segment}]`;
      node = node[Number(segment)];
    } else {
      const part = /^[A-Za-z0-9_-]+$/.test(segment) ? segment : JSON.stringify(segment);
      path = path === '' ? part : part === segment ? `${path}.${segment}` : `${path}[${part}]`;
      node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[segment] : undefined;
    }
  }
  return path;
}

function pointerSegments(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/**
 * The field paths the schema finds wrong. An `if` error only sums up the
 * errors of its `then`; an error inside a oneOf branch means the value at
 * the oneOf's place is wrong (e.g. "exactly one comparison").
 */
function schemaProblemPaths(data: unknown, errors: readonly ErrorObject[]): Set<string> {
  const paths = new Set<string>();
  for (const error of errors) {
    if (error.keyword === 'if') continue;
    const segments = pointerSegments(error.instancePath);
    const inBranch = /\/(oneOf|anyOf)\/\d+\//.test(error.schemaPath);
    if (!inBranch && error.keyword === 'required') segments.push((error.params as { missingProperty: string }).missingProperty);
    if (error.keyword === 'additionalProperties') segments.push((error.params as { additionalProperty: string }).additionalProperty);
    paths.add(fieldPath(data, segments));
  }
  return paths;
}

/** The field paths the loader reports, or null when it accepts the scenario. */
function loaderProblemPaths(data: unknown): Set<string> | null {
  try {
    parseScenario(JSON.stringify(data), 'mutated.json', 'json');
    return null;
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return new Set(error.problems.map((p) => p.path));
  }
}

function schemaErrors(): string {
  return ajv.errorsText(validate.errors, { separator: '\n  ' });
}

const builtins = listBuiltins().map((b) => ({ name: b.name, data: parse(readFileSync(b.path, 'utf8')) as Json }));

test('the committed scenarios/scenario.schema.json is what npm run schema makes from the loader', () => {
  assert.ok(committed === scenarioJsonSchemaText(), 'scenarios/scenario.schema.json is out of date: run npm run schema');
});

test('the committed scenarios/builtin/index.json, which list prints, is what npm run schema makes from the built-ins', () => {
  assert.ok(builtinIndexText(readBuiltinIndex()) === builtinIndexText(listBuiltins()), 'scenarios/builtin/index.json is out of date: run npm run schema');
});

test('the schema is a valid draft 2020-12 schema (Ajv compiles it in strict mode)', () => {
  assert.is(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  assert.type(validate, 'function');
});

test('the schema uses only keywords that mean the same in draft-07, which the YAML language server speaks', () => {
  const newer = ['prefixItems', 'unevaluatedProperties', 'unevaluatedItems', 'dependentRequired', 'dependentSchemas', '$dynamicRef', '$dynamicAnchor', '$ref', 'minContains', 'maxContains'];
  const found = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (typeof node === 'object' && node !== null) {
      for (const [key, value] of Object.entries(node)) {
        if (newer.includes(key)) found.add(key);
        // The names under `properties` are field names, not keywords.
        if (key === 'properties') Object.values(value as object).forEach(walk);
        else walk(value);
      }
    }
  };
  walk(schema);
  assert.equal([...found], []);
});

test('every built-in scenario validates against the schema', () => {
  assert.ok(builtins.length >= 23);
  for (const { name, data } of builtins) assert.ok(validate(data), `${name}:\n  ${schemaErrors()}`);
});

test('every scenario explore generates (the arbitraries, every profile, with and without fixed parameters) validates against the schema', () => {
  const { scenario } = arbitraries(fc);
  const generated = [
    ...fc.sample(scenario(), { seed: SEED, numRuns: 300 }),
    ...fc.sample(scenario({ maxActions: 20, fixedParams: { brokenRule: 'lateRevocation', delayMode: 'worst' } }), { seed: SEED + 1, numRuns: 100 }),
  ];
  for (const data of generated) assert.ok(validate(data), `seed ${SEED}: ${JSON.stringify(data)}\n  ${schemaErrors()}`);
});

test('the schema offers every action, key type, profile, delay mode and fault process of the code', () => {
  const properties = schema.properties as Record<string, { items?: Record<string, unknown>; enum?: unknown[]; properties?: Record<string, { enum?: unknown[] }> }>;
  const action = properties.actions!.items as { properties: { do: { enum: string[] } } };
  assert.equal(action.properties.do.enum, [...ACTION_NAMES]);
  const vault = properties.keyVaults!.items as { properties: { keys: { items: { properties: { kty: { enum: unknown[] } } } } } };
  assert.equal(vault.properties.keys.items.properties.kty.enum, [...KEY_TYPES, null]);
  assert.equal(properties.profile!.enum, [...PROFILES, 'latest', null]);
  assert.equal(properties.params!.properties!.delayMode!.enum, [...DELAY_MODES]);
  const fault = properties.faults!.items as { properties: { process: { enum: string[] } } };
  assert.equal(fault.properties.process.enum, [...FAULT_PROCESSES]);
});

test("each parameter's description is the README table's meaning, defaults and source", () => {
  const params = (schema.properties as Record<string, { properties: Record<string, { description: string }> }>).params!.properties;
  assert.equal(Object.keys(params), PARAM_NAMES);
  const table = paramsTable();
  for (const name of PARAM_NAMES) {
    const { description } = params[name]!;
    assert.ok(description.startsWith(`${PARAM_SPECS[name].meaning}. Default: `), `${name}: ${description}`);
    assert.ok(description.endsWith(`From the documentation: ${PARAM_SPECS[name].source}`), `${name}: ${description}`);
    assert.ok(table.includes(`| \`${name}\` |`), `${name} is not in the README table`);
  }
});

// ---------------------------------------------------------------------------
// What the schema rejects, the loader rejects too, at the same field path.

/** A scenario that uses the forms the built-ins leave out: distributions, every comparison, bodies, versions, nulls. */
const RICH: Json = {
  name: 'rich',
  description: null,
  profile: '2021-07',
  seed: 3,
  start: '2026-03-01T12:00:00+01:00',
  duration: 'P3D',
  tenant: 'fabrikam',
  subscription: 'sub9',
  region: 'westeurope',
  setup: 'ready',
  params: {
    unwrapPollInterval: '6s..60s',
    outageToUnavailable: 'PT30M',
    delayMode: 'best',
    hotCacheDays: 14,
    autoRotation: true,
    sloTarget: 0.99,
    serviceCreditTiers: [{ below: 0.99, creditPercent: 25 }],
    keyVaultRbac: true,
  },
  keyVaults: [
    {
      name: 'kv-main',
      softDelete: true,
      purgeProtection: true,
      softDeleteRetentionDays: 30,
      keys: [
        { name: 'cmk', kty: 'RSA-HSM', size: 3072, wrapAlgorithm: 'RSA-OAEP', versions: ['a1', 'a2'] },
        { name: 'aes', kty: 'oct-HSM', size: 256, wrapAlgorithm: 'A256KW' },
      ],
      accessPolicies: [{ principal: 'cl1', permissions: ['get'] }, { principal: 'uai-1', permissions: ['get', 'unwrapKey'] }],
    },
    { name: 'kv-rbac', permissionModel: 'rbac', privateLink: true, keys: [{ name: 'cmk' }] },
  ],
  userAssignedIdentities: [{ name: 'uai-1' }],
  clusters: [{ name: 'cl1', capacityGBPerDay: 500, billingType: 'Workspaces', doubleEncryption: false, storageAccounts: 1, key: { vault: 'kv-main', name: 'cmk', version: 'a1' } }],
  workspaces: [
    { name: 'ws1', cluster: 'cl1', retentionDays: 60, savedSearches: 3, ingest: { gbPerDay: 10.5, recordsPerMinute: 50 }, query: { perHour: 12, lookback: '6h' } },
    { name: 'ws2', ingest: null, query: { perHour: null } },
  ],
  actions: [
    { at: '1h', do: 'keyVault.transient', vault: 'kv-main', for: '10m', failureRate: 0.5 },
    { at: '2h', do: 'keyVault.throttle', vault: 'kv-main', for: '10m', limitPer10s: 5 },
    { at: '3h', do: 'key.rotate', vault: 'kv-main', key: 'cmk', version: 'a3' },
    { at: '4h', do: 'key.setExpiry', vault: 'kv-main', key: 'cmk', version: 'a3', exp: '2d' },
    { at: '5h', do: 'cluster.update', cluster: 'cl1', body: { properties: { keyVaultProperties: { keyVaultUri: 'https://kv-main.vault.azure.net', keyName: 'cmk', keyVersion: 'a3' }, billingType: 'Cluster' }, sku: { name: 'CapacityReservation', capacity: 500 } } },
    { at: '6h', do: 'workspace.linkStorage', workspace: 'ws1', type: 'Query', storageAccount: 'byosquery1', region: null },
    { at: '7h', do: 'workspace.setIngest', workspace: 'ws2', ingest: { gbPerDay: 1 } },
    { at: '8h', do: 'workspace.setQuery', workspace: 'ws2', perHour: 30, lookback: '1d' },
    { at: '9h', do: 'lockbox.request', workspace: 'ws1', decision: 'approve', after: '30m' },
    { at: '10h', do: 'accessPolicy.set', vault: 'kv-main', principal: 'cl1', permissions: ['get', 'wrapKey', 'unwrapKey'] },
    { at: '11h', do: 'cluster.setIdentity', cluster: 'cl1', type: 'SystemAssigned' },
    { at: '12h', do: 'cluster.create', cluster: 'cl1', body: { identity: { type: 'SystemAssigned' }, location: 'westeurope', tags: { team: 'sre' } } },
    { at: '13h', do: 'workspace.unlinkStorage', workspace: 'ws1', type: 'Query' },
    { at: '14h', do: 'roleAssignment.create', vault: 'kv-rbac', principal: 'uai-1', role: 'Key Vault Crypto Service Encryption User' },
    { at: '15h', do: 'roleAssignment.delete', vault: 'kv-rbac', principal: 'cl1', role: 'Key Vault Crypto Service Encryption User' },
    {
      at: '16h',
      do: 'cluster.update',
      cluster: 'cl1',
      body: { identity: { type: 'UserAssigned', userAssignedIdentities: { '/subscriptions/sub9/resourceGroups/rg1/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uai-1': {} } } },
    },
  ],
  faults: [
    { process: 'keyVault.outage', vault: 'kv-main', meanTimeBetween: '7d', duration: { lognormal: { median: '20m', p90: '3h' } } },
    { process: 'keyVault.transient', vault: 'kv-main', meanTimeBetween: '12h', duration: { uniform: ['1m', '20m'] }, failureRate: 0.5 },
    { process: 'keyVault.throttle', vault: 'kv-main', meanTimeBetween: '1d', duration: '10m', limitPer10s: 100 },
    { process: 'key.accidentalDisable', vault: 'kv-main', key: 'cmk', meanTimeBetween: '60d', timeToNotice: { exponential: '2h' } },
  ],
  expect: [
    { metric: 'totals.ingestion.droppedRecords', equals: 0 },
    { metric: 'totals.query.availability', atLeast: 0.9 },
    { metric: 'totals.keyVault.throttled', atMost: 10 },
    { metric: 'totals.query.latencyMs.p99', lessThan: 5000 },
    { metric: 'incidents.length', greaterThan: -1 },
    { metric: 'clusters.cl1.keyVaultProperties', equals: null },
  ],
};

test('the rich scenario of these tests is valid for the schema and the loader', () => {
  assert.ok(validate(RICH), schemaErrors());
  assert.is(loaderProblemPaths(RICH), null);
});

/** Every place in a value: the path to it (as pointer segments) and the value there. */
function places(value: Json, at: string[] = []): { at: string[]; value: Json }[] {
  const here = { at, value };
  if (Array.isArray(value)) return [here, ...value.flatMap((v, i) => places(v, [...at, String(i)]))];
  if (typeof value === 'object' && value !== null) return [here, ...Object.entries(value).flatMap(([k, v]) => places(v, [...at, k]))];
  return [here];
}

/** Every enum and const value, and every field name, in the schema: plausible wrong values and fields. */
const schemaWords = (() => {
  const values = new Set<Json>();
  const fields = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (typeof node === 'object' && node !== null) {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'enum') (value as Json[]).forEach((v) => values.add(v));
        else if (key === 'const' || key === 'default') values.add(value as Json);
        else if (key === 'properties') Object.keys(value as object).forEach((f) => fields.add(f));
        walk(value);
      }
    }
  };
  walk(schema);
  return { values: [...values], fields: [...fields] };
})();

const WRONG_VALUES: Json[] = [42, -1, 0, 1.5, 7, 90, 256, 2048, 9007199254740992, 'x', '', ' ', '45', '45m', '0s', 'P', 'PT5M', '6s..60s', 'a b', true, false, null, [], {}, ['6s', '60s'], ['1m'], { a: 1 }, [{}]];

function setAt(root: Json, at: readonly string[], value: Json | undefined): Json {
  const copy = structuredClone(root);
  if (at.length === 0) return value ?? null;
  let node = copy as Record<string, Json> | Json[];
  for (const segment of at.slice(0, -1)) node = (node as Record<string, Json>)[segment] as Record<string, Json>;
  const last = at.at(-1)!;
  if (value === undefined) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else (node as Record<string, Json>)[last] = value;
  return copy;
}

interface Mutation {
  kind: 'wrong value' | 'number out of range' | 'string changed' | 'field removed' | 'unknown field' | 'other enum value';
  data: Json;
  where: string;
}

/** A mutation of a scenario at a place: a wrong value, a number just out of range, a changed string, a field removed or added. */
const mutation = (bases: readonly Json[]): fc.Arbitrary<Mutation> =>
  fc
    .record({ base: fc.constantFrom(...bases), pick: fc.nat(), choice: fc.nat(), kind: fc.nat({ max: 5 }) })
    .map(({ base, pick, choice, kind }) => {
      const all = places(base);
      const { at, value } = all[pick % all.length]!;
      const where = at.join('/') || '(top)';
      const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
      switch (kind) {
        case 0:
          return { kind: 'wrong value' as const, data: setAt(base, at, WRONG_VALUES[choice % WRONG_VALUES.length]!), where };
        case 1: {
          const n = typeof value === 'number' ? value : 1;
          const near = [n - 1, n + 1, -n, n * 1000, n + 0.5, -1, 0, Number.MAX_SAFE_INTEGER + 1];
          return { kind: 'number out of range' as const, data: setAt(base, at, near[choice % near.length]!), where };
        }
        case 2: {
          const s = typeof value === 'string' ? value : 'x';
          const changed = [`${s}x`, s.slice(0, -1), s.toUpperCase(), `${s} `, `-${s}`, `${s}.${s}`, s.replace(/[0-9]/g, ''), `${s}!`];
          return { kind: 'string changed' as const, data: setAt(base, at, changed[choice % changed.length]!), where };
        }
        case 3:
          return { kind: 'field removed' as const, data: at.length === 0 ? base : setAt(base, at, undefined), where };
        case 4: {
          if (!isObject) return { kind: 'unknown field' as const, data: base, where };
          const keys = Object.keys(value);
          const typos = keys.flatMap((k) => [`${k}s`, k.slice(0, -1), k.toLowerCase() === k ? k.toUpperCase() : k.toLowerCase()]);
          const names = [...typos, ...schemaWords.fields, 'kyName', 'extra'];
          const name = names[choice % names.length]!;
          return { kind: 'unknown field' as const, data: setAt(base, [...at, name], WRONG_VALUES[choice % WRONG_VALUES.length]!), where: `${where}/${name}` };
        }
        default:
          return { kind: 'other enum value' as const, data: setAt(base, at, schemaWords.values[choice % schemaWords.values.length]!), where };
      }
    });

test(`what the schema rejects, the loader rejects too, at the same field path (${RUNS} mutations of the built-ins and a rich scenario; seed ${SEED})`, () => {
  const bases: Json[] = [RICH, ...builtins.map((b) => b.data)];
  const rejected: Record<string, number> = {};
  let schemaRejected = 0;
  const details = fc.check(
    fc.property(mutation(bases), ({ kind, data, where }) => {
      if (validate(data)) return true;
      schemaRejected++;
      rejected[kind] = (rejected[kind] ?? 0) + 1;
      const byLoader = loaderProblemPaths(data);
      const bySchema = schemaProblemPaths(data, validate.errors ?? []);
      if (byLoader === null) throw new Error(`mutated at ${where}: the schema rejects it (${[...bySchema].join(', ')}), the loader accepts it`);
      const missing = [...bySchema].filter((p) => !byLoader.has(p));
      if (missing.length > 0) {
        throw new Error(`mutated at ${where}: the schema rejects at ${missing.join(', ')}; the loader at ${[...byLoader].join(', ')}\n  ${schemaErrors()}`);
      }
      return true;
    }),
    { seed: SEED, numRuns: RUNS },
  );
  if (details.failed) {
    const message = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    assert.unreachable(`${message}\nreplay: FC_SEED=${SEED} (fast-check path ${details.counterexamplePath ?? ''})`);
  }
  console.log(`json-schema: the schema rejected ${schemaRejected} of ${RUNS} mutations: ${JSON.stringify(rejected)}`);
  // The property has teeth: many mutations are rejected, of every kind.
  assert.ok(schemaRejected > RUNS / 4, `only ${schemaRejected} of ${RUNS} mutations were rejected by the schema`);
  for (const kind of ['wrong value', 'number out of range', 'string changed', 'field removed', 'unknown field', 'other enum value']) {
    assert.ok((rejected[kind] ?? 0) > 0, `no "${kind}" mutation was rejected: ${JSON.stringify(rejected)}`);
  }
});

test.run();
