// The scenario's `expect:` lines, checked against the run's sla.json.

import type { Expectation } from '../scenario.ts';
import type { ExpectationResult } from '../result.ts';

const MISSING = Symbol('missing');

/** Reads a dotted path with [index] and .length, e.g. "operations[3].status", "incidents.length". */
function readMetric(root: unknown, path: string): unknown {
  let value: unknown = root;
  for (const part of path.replace(/\[(\d+)\]/g, '.$1').split('.')) {
    if (part === '') return MISSING;
    if (Array.isArray(value) && part === 'length') value = value.length;
    else if (typeof value === 'object' && value !== null && Object.hasOwn(value, part)) value = (value as Record<string, unknown>)[part];
    else return MISSING;
  }
  return value;
}

export function checkExpectations(result: object, expectations: readonly Expectation[]): ExpectationResult[] {
  return expectations.map(({ metric, op, value }) => {
    const found = readMetric(result, metric);
    const actual = found === MISSING ? 'no such metric in sla.json' : found;
    return { metric, op, value, actual, pass: found !== MISSING && holds(op, found, value) };
  });
}

function holds(op: Expectation['op'], actual: unknown, expected: Expectation['value']): boolean {
  if (op === 'equals') return actual === expected;
  if (typeof actual !== 'number' || typeof expected !== 'number') return false;
  switch (op) {
    case 'atLeast':
      return actual >= expected;
    case 'atMost':
      return actual <= expected;
    case 'lessThan':
      return actual < expected;
    case 'greaterThan':
      return actual > expected;
  }
}
