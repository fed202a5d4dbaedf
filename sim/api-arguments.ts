// The library's entry points check what a caller passes, as the command line
// checks its flags: a wrong argument is an InputError naming the function and
// the argument (`runSweep: options.runs: found -1; expected ...`), never a
// TypeError from deep inside or a result the command line would refuse.

import { describeFound, InputError, type Problem } from './input-error.ts';

/** One argument: where it is, what it is, whether it is fine, and what is expected when it is not. */
export interface ArgumentCheck {
  path: string;
  value: unknown;
  ok: boolean;
  expected: string;
}

/** Throws one InputError with a problem per argument that is not fine, told against the function's name. */
export function checkArguments(fn: string, checks: readonly (ArgumentCheck | Problem | undefined)[]): void {
  const problems = checks.flatMap((check): Problem[] => {
    if (check === undefined) return [];
    if ('file' in check) return [{ ...check, file: fn }];
    return check.ok ? [] : [{ file: fn, path: check.path, found: typeof check.value === 'function' ? 'a function' : describeFound(check.value), expected: check.expected }];
  });
  if (problems.length > 0) throw new InputError(problems);
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** An options argument: left out, or an object. */
export const optionsObject = (value: unknown): ArgumentCheck => ({ path: 'options', value, ok: value === undefined || isRecord(value), expected: 'an object of options, or nothing' });

/** A field of an options object that is a function when given. */
export const optionalFunction = (options: unknown, field: string): ArgumentCheck => {
  const value = isRecord(options) ? options[field] : undefined;
  return { path: `options.${field}`, value, ok: value === undefined || typeof value === 'function', expected: 'a function, or nothing' };
};

/** A Scenario as loadScenario and parseScenario return it (checked by its shape: the loader made it whole). */
export function scenarioArgument(value: unknown): ArgumentCheck {
  const ok =
    isRecord(value) &&
    typeof value.name === 'string' &&
    Number.isSafeInteger(value.seed) &&
    Number.isSafeInteger(value.durationMs) &&
    isRecord(value.params) &&
    ['keyVaults', 'clusters', 'workspaces', 'actions', 'faults', 'expect'].every((list) => Array.isArray(value[list]));
  return { path: 'scenario', value, ok, expected: 'a Scenario, as loadScenario or parseScenario returns it' };
}

/** The LoadOptions of loadScenario and parseScenario whose type the loader takes for granted (it judges seed and profile itself, as --seed and --profile). */
export function loadOptionChecks(options: unknown): ArgumentCheck[] {
  const o = isRecord(options) ? options : {};
  return [
    optionsObject(options),
    { path: 'options.params', value: o.params, ok: o.params === undefined || (Array.isArray(o.params) && o.params.every((p) => typeof p === 'string')), expected: 'a list of "name=value" texts (as --param), or nothing' },
    { path: 'options.slo', value: o.slo, ok: o.slo === undefined || isRecord(o.slo), expected: 'an SLO as readSloFile gives it, or nothing' },
  ];
}
