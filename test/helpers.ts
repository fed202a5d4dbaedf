// Small scenarios for the model tests, written as the user would write them.

import * as assert from 'uvu/assert';
import { parseScenario } from '../scenarios/load.ts';
import type { SimEvent } from '../sim/observe/events.ts';
import type { RunResult } from '../sim/result.ts';
import type { Scenario } from '../sim/scenario.ts';
import { runScenario, type RunOptions } from '../sim/world.ts';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export interface ScenarioInput {
  name?: string;
  duration?: string;
  seed?: number;
  profile?: string;
  /** "none": nothing exists before t=0, the actions create, key and link (default: the file's default, ready). */
  setup?: 'ready' | 'none';
  params?: Record<string, unknown>;
  actions?: Record<string, unknown>[];
  faults?: Record<string, unknown>[];
  clusters?: Record<string, unknown>[];
  workspaces?: Record<string, unknown>[];
  keyVaults?: Record<string, unknown>[];
  userAssignedIdentities?: Record<string, unknown>[];
}

/** One vault with key cmk, one cluster cl1 keyed to it, one linked workspace ws1; override any part. */
export function scenario(input: ScenarioInput = {}): Scenario {
  const data = {
    name: input.name ?? 'test',
    duration: input.duration ?? '2d',
    seed: input.seed ?? 1,
    ...(input.profile === undefined ? {} : { profile: input.profile }),
    ...(input.setup === undefined ? {} : { setup: input.setup }),
    params: { ...(hasOctKey(input.keyVaults) ? { modelShortcutOctKeys: true } : {}), ...input.params },
    keyVaults: input.keyVaults ?? [{ name: 'kv1', keys: [{ name: 'cmk', kty: 'RSA', size: 2048 }] }],
    clusters: input.clusters ?? [{ name: 'cl1', storageAccounts: 1, key: { vault: 'kv1', name: 'cmk' } }],
    workspaces: input.workspaces ?? [{ name: 'ws1', cluster: 'cl1', ingest: { gbPerDay: 100, recordsPerMinute: 100 }, query: { perHour: 60, lookback: '1h' } }],
    actions: input.actions ?? [],
    ...(input.faults === undefined ? {} : { faults: input.faults }),
    ...(input.userAssignedIdentities === undefined ? {} : { userAssignedIdentities: input.userAssignedIdentities }),
  };
  return parseScenario(JSON.stringify(data), 'test.json', 'json');
}

/**
 * Tests use oct-HSM keys for speed (no RSA key generation) where the key type
 * does not matter; Azure takes only RSA keys for a cluster, so the scenario
 * turns the model's shortcut on for them, unless the test sets it itself.
 */
function hasOctKey(vaults: Record<string, unknown>[] | undefined): boolean {
  return (vaults ?? []).some((v) => Array.isArray(v.keys) && v.keys.some((k: { kty?: unknown }) => k.kty === 'oct-HSM'));
}

export interface Run {
  result: RunResult;
  events: SimEvent[];
  /** Events of one type, in order. */
  of<T extends SimEvent['type']>(type: T): (SimEvent & { type: T })[];
}

/**
 * Runs the scenario and asserts that no documented rule broke, unless the
 * scenario breaks one on purpose (param brokenRule): every test that runs a
 * model also tests the model against the documentation.
 */
export function run(s: Scenario, options: Omit<RunOptions, 'onEvent'> = {}): Run {
  const events: SimEvent[] = [];
  const result = runScenario(s, { ...options, onEvent: (e) => events.push(e) });
  if (s.params.brokenRule === 'none') assertRulesHeld(result);
  return {
    result,
    events,
    of: <T extends SimEvent['type']>(type: T) => events.filter((e): e is SimEvent & { type: T } => e.type === type),
  };
}

/** No documented rule broke: the violations, if any, are the failure message. */
export function assertRulesHeld(result: RunResult): void {
  const violations = result.invariants.violations;
  assert.is(violations.length, 0, violations.map((v) => `rule ${v.rule} (${v.name}) at ${v.atMs} ms: ${v.message}`).join('\n'));
}
