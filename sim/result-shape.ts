// The shape of sla.json (RunResult), declared field by field, so that an
// `expect:` metric path can be checked before the run: a typo is bad input
// (exit 2, "did you mean"), not a failed expectation found after the run.
// The declaration is typed by RunResult: adding, renaming or removing a field
// there makes the compiler point here.

import { editDistance } from '../scenarios/schema.ts';
import type { Problem } from './input-error.ts';
import type { ExpectationResult, IngestionTotals, LatencyPercentiles, QueryTotals, RunResult, StorageAccountSummary } from './result.ts';
import type { SloFigures } from './observe/slo.ts';
import type { Scenario } from './scenario.ts';
import { STATE_CHANGES } from './azure/transitions.ts';

/** Where the keys of a record of sla.json come from: names in the scenario. */
export type KeySource = 'workspaces' | 'clusters' | 'storageAccounts' | 'stateChanges';

type Scalar = string | number | boolean | null | undefined;
type IsUnion<T, U = T> = T extends unknown ? ([U] extends [T] ? false : true) : never;

/**
 * The declared shape of a value of type T:
 * - 'value': a number, text, true/false or null (a path ends there);
 * - { list }: an array, addressed as `[i]` (any i: counts are known only after the run) or `.length`;
 * - { keys, each }: a record keyed by the scenario's names of `keys`;
 * - 'any': a union of object types (the timeline events): any field below is accepted;
 * - { fields }: an object with exactly these fields, and `orNull` when it may be null instead (a path may end there, compared with null).
 */
export type Shape<T> = unknown extends T
  ? 'value'
  : [NonNullable<T>] extends [Scalar]
    ? 'value'
    : NonNullable<T> extends readonly (infer E)[]
      ? { list: Shape<E> }
      : string extends keyof NonNullable<T>
        ? { keys: KeySource; each: Shape<NonNullable<T>[string]> }
        : true extends IsUnion<NonNullable<T>>
          ? 'any'
          : { fields: { readonly [K in keyof NonNullable<T>]-?: Shape<NonNullable<T>[K]> } } & (null extends T ? { readonly orNull: true } : unknown);

type AnyShape = 'value' | 'any' | { list: AnyShape } | { keys: KeySource; each: AnyShape } | { fields: Readonly<Record<string, AnyShape>>; orNull?: true };

const V = 'value';

const INGESTION: Shape<IngestionTotals> = {
  fields: {
    offeredRecords: V,
    storedCmkRecords: V,
    storedMmkRecords: V,
    bufferedRecords: V,
    replayedRecords: V,
    droppedRecords: V,
    droppedByReason: { fields: { revoked: V, notProvisioned: V, bufferExpired: V } },
  },
};

const QUERY_FIELDS: Shape<QueryTotals>['fields'] = { attempted: V, succeeded: V, failed: V, availability: V, unavailableMs: V };
const LATENCY: Shape<LatencyPercentiles> = { fields: { samples: V, p50: V, p95: V, p99: V } };

const STORAGE_ACCOUNT: Shape<StorageAccountSummary> = {
  fields: { finalState: V, aekInMemory: V, blocksSealed: V, blocksPurgedByRetention: V, hotCachePurges: V, hotCacheReloads: V, sampledQueries: V, incidents: V },
};

const SLO_FIGURES: Shape<SloFigures> = {
  fields: {
    availabilityByRequests: V,
    availabilityByGoodMinutes: V,
    goodMinutes: V,
    minutes: V,
    errorBudgetUsed: V,
    met: V,
    alerts: { list: { fields: { name: V, factor: V, firings: { list: { fields: { firedAtMs: V, resolvedAtMs: V } } } } } },
  },
};

const EXPECTATION: Shape<ExpectationResult> = { fields: { metric: V, op: V, value: V, actual: V, pass: V } };

export const RUN_RESULT_SHAPE: Shape<RunResult> = {
  fields: {
    scenario: V,
    description: V,
    seed: V,
    profile: V,
    version: V,
    start: V,
    durationMs: V,
    events: V,
    totals: {
      fields: {
        ingestion: INGESTION,
        query: { fields: { ...QUERY_FIELDS, latencyMs: LATENCY } },
        keyVault: { fields: { requests: V, unwrapCalls: V, unwrapFailures: V, throttled: V, denied: V } },
      },
    },
    workspaces: {
      keys: 'workspaces',
      each: {
        fields: {
          storage: V,
          cluster: V,
          ingestion: INGESTION,
          query: { fields: QUERY_FIELDS },
          auxiliary: { fields: { ingestion: INGESTION, query: { fields: QUERY_FIELDS } } },
          linkedStorage: { fields: { Query: V, Alerts: V } },
          savedSearches: { fields: { inWorkspace: V, removedByLinkedStorage: V, restoredByUnlink: V } },
        },
      },
    },
    clusters: {
      keys: 'clusters',
      each: {
        fields: {
          provisioningState: V,
          keyVaultProperties: { fields: { keyVaultUri: V, keyName: V, keyVersion: V }, orNull: true },
          settings: { fields: { capacityGBPerDay: V, billingType: V, doubleEncryption: V, identityType: V, userAssignedIdentity: V }, orNull: true },
        },
      },
    },
    storageAccounts: { keys: 'storageAccounts', each: STORAGE_ACCOUNT },
    incidents: {
      list: {
        fields: {
          kind: V,
          cause: V,
          causeId: V,
          storageAccount: V,
          startMs: V,
          unavailableAtMs: V,
          restoredAtMs: V,
          resumedAtMs: V,
          bufferedRecords: V,
          droppedRecords: V,
        },
      },
    },
    operations: { list: { fields: { id: V, atMs: V, action: V, target: V, status: V, httpStatus: V, code: V, message: V, completedAtMs: V } } },
    faults: { list: { fields: { process: V, do: V, target: V, atMs: V, forMs: V } } },
    lockbox: { list: { fields: { workspace: V, requestedAtMs: V, decision: V, decidedAtMs: V } } },
    highlights: { fields: { events: { list: 'any' }, leftOut: V } },
    invariants: {
      fields: {
        checked: V,
        rules: { list: { fields: { rule: V, name: V, text: V, checks: V, triggered: V } } },
        transitions: { keys: 'stateChanges', each: V },
        violations: { list: { fields: { rule: V, name: V, atMs: V, entity: V, message: V, events: { list: 'any' } } } },
      },
    },
    expectations: { list: EXPECTATION },
    slo: {
      fields: {
        source: V,
        target: V,
        windowMs: V,
        availability: V,
        errorBudgetUsed: V,
        met: V,
        queries: SLO_FIGURES,
        ingestion: SLO_FIGURES,
        serviceCredit: {
          fields: { downtimeMinutes: V, periodMinutes: V, uptime: V, creditPercent: V, tiers: { list: { fields: { below: V, creditPercent: V } } } },
        },
      },
    },
  },
};

/** The storage account of workspaces outside any cluster (sim/world.ts names it), in sla.json when it stored anything. */
const SHARED_STORAGE_ACCOUNT = 'shared/0';

/** The names a record of sla.json is keyed by, for this scenario. */
function namesOf(scenario: Scenario, source: KeySource): string[] {
  switch (source) {
    case 'workspaces':
      return scenario.workspaces.map((w) => w.name);
    case 'clusters':
      return scenario.clusters.map((c) => c.name);
    case 'storageAccounts':
      return [...scenario.clusters.flatMap((c) => Array.from({ length: c.storageAccounts }, (_, i) => `${c.name}/${i}`)), SHARED_STORAGE_ACCOUNT];
    case 'stateChanges':
      return [...STATE_CHANGES];
  }
}

/** The parts of a metric path as the expectations read them at run time (sim/observe/expectations.ts): "[3]" is ".3". */
function partsOf(metric: string): string[] {
  return metric.replace(/\[(\d+)\]/g, '.$1').split('.');
}

const INDEX = /^\d+$/;

/** Why the path does not fit the shape ("totals.ingestion has no field x: ..."), or undefined when it does. */
function misfit(scenario: Scenario, parts: readonly string[]): string | undefined {
  let shape: AnyShape = RUN_RESULT_SHAPE;
  let at = 'sla.json';
  const here = (part: string, index: number) => (index === 0 ? part : INDEX.test(part) ? `${at}[${part}]` : `${at}.${part}`);
  for (const [index, part] of parts.entries()) {
    if (part === '') return `${at} is followed by an empty part`;
    if (shape === 'any') return undefined;
    if (shape === 'value') return `${at} is a single value, with nothing below it`;
    if ('list' in shape) {
      if (part === 'length') {
        shape = V;
      } else if (INDEX.test(part)) {
        if (!Number.isSafeInteger(Number(part))) return `${at}[${part}] is past any list's end: an index is at most ${Number.MAX_SAFE_INTEGER}`;
        shape = shape.list;
      } else {
        return `${at} is a list: ${at}[i] or ${at}.length`;
      }
    } else if ('fields' in shape) {
      const next: AnyShape | undefined = Object.hasOwn(shape.fields, part) ? shape.fields[part] : undefined;
      if (next === undefined) return `${at} has no field ${part}: it has ${listed(Object.keys(shape.fields))}`;
      shape = next;
    } else {
      const names = namesOf(scenario, shape.keys);
      if (!names.includes(part)) return `${at} is keyed by the scenario's ${shape.keys}: ${listed(names)}`;
      shape = shape.each;
    }
    at = here(part, index);
  }
  // An expectation compares one value: a list or a mapping never equals a number, a text or null.
  if (shape === 'value' || shape === 'any' || ('fields' in shape && shape.orNull === true)) return undefined;
  return 'list' in shape ? `${at} is a list, not a value: ${at}[i].<field> or ${at}.length` : `${at} is a mapping, not a value: a path to one of its values`;
}

const MAX_LISTED = 24;

function listed(names: readonly string[]): string {
  if (names.length === 0) return '(none)';
  return names.length <= MAX_LISTED ? names.join(', ') : `${names.slice(0, MAX_LISTED).join(', ')} and ${names.length - MAX_LISTED} more`;
}

/** The name nearest to `part` by edit distance, when near enough to be a typo. */
function nearestName(part: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of names) {
    const distance = editDistance(part.toLowerCase(), name.toLowerCase());
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(part.length / 3)) ? best : undefined;
}

function childOf(shape: Extract<AnyShape, { fields: unknown }> | Extract<AnyShape, { keys: unknown }>, name: string): AnyShape {
  return 'fields' in shape ? shape.fields[name]! : shape.each;
}

/**
 * The valid path nearest to the metric, mended part by part: a mistyped field
 * or name becomes the nearest one at that level, a skipped level is put back
 * ("totals.droppedRecords": totals.ingestion.droppedRecords), a list gets the
 * index it lacks ([0]), and parts below a single value are dropped.
 * Undefined when some part resembles nothing there.
 */
function nearest(scenario: Scenario, metric: string): string | undefined {
  const parts = partsOf(metric);
  let path = '';
  const add = (part: string) => {
    path = path === '' ? part : INDEX.test(part) ? `${path}[${part}]` : `${path}.${part}`;
  };
  let shape: AnyShape = RUN_RESULT_SHAPE;
  // Each part is read at most twice (once more after a level or an index is put back before it).
  for (let i = 0, steps = 0; i < parts.length && steps < 2 * parts.length; i++, steps++) {
    const part = parts[i]!;
    if (shape === 'any') {
      add(part);
      continue;
    }
    if (shape === 'value') break;
    if ('list' in shape) {
      if (part === 'length') {
        add('length');
        shape = V;
      } else {
        add(INDEX.test(part) ? part : '0');
        if (!INDEX.test(part)) i--;
        shape = shape.list;
      }
      continue;
    }
    const names: string[] = 'fields' in shape ? Object.keys(shape.fields) : namesOf(scenario, shape.keys);
    let name = names.includes(part) ? part : nearestName(part, names);
    if (name === undefined && 'fields' in shape) {
      const fields: Readonly<Record<string, AnyShape>> = shape.fields;
      const skipped: string | undefined = names.find((n: string) => {
        const child = fields[n]!;
        return typeof child === 'object' && 'fields' in child && nearestName(part, Object.keys(child.fields)) !== undefined;
      });
      if (skipped === undefined) return undefined;
      add(skipped);
      shape = fields[skipped]!;
      i--;
      continue;
    }
    if (name === undefined) return undefined;
    add(name);
    shape = childOf(shape, name);
  }
  return path === '' ? undefined : path;
}

/** A problem for each `expect:` metric that is not a path into this scenario's sla.json (checked before the run). */
export function metricPathProblems(scenario: Scenario): Problem[] {
  const problems: Problem[] = [];
  scenario.expect.forEach(({ metric }, i) => {
    const why = misfit(scenario, partsOf(metric));
    if (why === undefined) return;
    const hint = nearest(scenario, metric);
    problems.push({
      file: scenario.source,
      path: `expect[${i}].metric`,
      found: JSON.stringify(metric),
      expected: `a sla.json metric path (${why})${hint === undefined || hint === metric ? '' : `; did you mean ${hint}?`}`,
    });
  });
  return problems;
}
