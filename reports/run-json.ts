// `run --json`: the summary as one JSON object for CI and scripts, a stable
// shape documented in the README (Outputs, "run --json"). Its figures are
// sla.json's, under the same names, so a script reads the same number
// whichever it opens.

import type { RunResult } from '../sim/result.ts';

export interface RunJson {
  scenario: string;
  seed: number;
  profile: string;
  version: string;
  /** The exit status: 0 every expectation and rule held, 1 one failed. */
  status: number;
  outputs: { dir: string; files: string[]; junit: string | null };
  totals: {
    ingestion: RunResult['totals']['ingestion'];
    query: { attempted: number; succeeded: number; failed: number; availability: number; unavailableMs: number };
  };
  incidents: { count: number; seenByUsers: number };
  slo: {
    /** Where the target, window and alerts come from: "the SRE workbook" (the default), or the user's spec. */
    source: string;
    target: number;
    /** The error budget's window; null for the run itself. */
    windowMs: number | null;
    met: boolean;
    availability: number;
    errorBudgetUsed: number;
    serviceCreditPercent: number;
    /** Each burn-rate alert on the queries that fired, and when. */
    alertsFired: { name: string; firedAtMs: number; resolvedAtMs: number | null }[];
  };
  expectations: RunResult['expectations'];
  rules: { held: boolean; checks: number; violations: { rule: number; name: string; atMs: number; entity: string; message: string }[] };
}

export function runJson(result: RunResult, outputs: RunJson['outputs'], status: number): RunJson {
  const { attempted, succeeded, failed, availability, unavailableMs } = result.totals.query;
  const slo = result.slo;
  return {
    scenario: result.scenario,
    seed: result.seed,
    profile: result.profile,
    version: result.version,
    status,
    outputs,
    totals: { ingestion: result.totals.ingestion, query: { attempted, succeeded, failed, availability, unavailableMs } },
    incidents: { count: result.incidents.length, seenByUsers: result.incidents.filter((i) => i.unavailableAtMs !== null).length },
    slo: {
      source: slo.source,
      target: slo.target,
      windowMs: slo.windowMs,
      met: slo.met,
      availability: slo.availability,
      errorBudgetUsed: slo.errorBudgetUsed,
      serviceCreditPercent: slo.serviceCredit.creditPercent,
      alertsFired: slo.queries.alerts.flatMap((alert) => alert.firings.map((f) => ({ name: alert.name, firedAtMs: f.firedAtMs, resolvedAtMs: f.resolvedAtMs }))),
    },
    expectations: result.expectations,
    rules: {
      held: result.invariants.violations.length === 0,
      checks: result.invariants.checked,
      violations: result.invariants.violations.map(({ rule, name, atMs, entity, message }) => ({ rule, name, atMs, entity, message })),
    },
  };
}
