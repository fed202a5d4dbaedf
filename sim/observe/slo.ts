// The SLO arithmetic: availability by requests and by good minutes, the
// error budget, and when the multi-window burn-rate alerts (the SRE
// workbook's, or the user's own: slo-spec.ts) would have fired. Pure
// functions over the requests counted (by requests) and over a step series of
// request rates (bad and total, per hour), which changes only when the state
// does (good minutes and the alerts' windows).

import { MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE } from '../engine/duration.ts';

/** A service-credit tier: a billing month whose uptime is below `below` earns `creditPercent` % of the monthly charge back. */
export interface CreditTier {
  below: number;
  creditPercent: number;
}

/** From `t` on, `bad` of `total` requests per hour fail. */
export interface RateStep {
  t: number;
  bad: number;
  total: number;
}

export interface BurnRateAlert {
  name: string;
  /** Burn rate: how many times faster than "exactly on budget" the errors come. */
  factor: number;
  /** Whether the burn rate must reach the factor (gte) or pass it (gt, as Sloth's rules compare). */
  op: 'gte' | 'gt';
  longWindowMs: number;
  /** The second, shorter window that must burn too (multi-window alerts); null for one window. */
  shortWindowMs: number | null;
  /** How long the condition must hold before the alert fires (OpenSLO's alertAfter, Prometheus' for:). */
  forMs: number;
}

/** The SRE workbook's multi-window, multi-burn-rate alerts. */
export const SRE_WORKBOOK_ALERTS: readonly BurnRateAlert[] = [
  { name: '14.4x over 1h (5m)', factor: 14.4, op: 'gte', longWindowMs: MS_PER_HOUR, shortWindowMs: 5 * MS_PER_MINUTE, forMs: 0 },
  { name: '6x over 6h (30m)', factor: 6, op: 'gte', longWindowMs: 6 * MS_PER_HOUR, shortWindowMs: 30 * MS_PER_MINUTE, forMs: 0 },
  { name: '3x over 1d (2h)', factor: 3, op: 'gte', longWindowMs: MS_PER_DAY, shortWindowMs: 2 * MS_PER_HOUR, forMs: 0 },
  { name: '1x over 3d (6h)', factor: 1, op: 'gte', longWindowMs: 3 * MS_PER_DAY, shortWindowMs: 6 * MS_PER_HOUR, forMs: 0 },
];

/**
 * What the run is measured against: the target, the error budget's window and the burn-rate
 * alerts. By default the parameter sloTarget over the run with the SRE workbook's alerts; an
 * OpenSLO or Sloth spec (slo-spec.ts, `--slo FILE` or `slo:`) replaces all three.
 */
export interface SloSpec {
  /** Where it comes from, for the reports: "the SRE workbook", "OpenSLO SLO api-availability", ... */
  source: string;
  target: number;
  /** The error budget's window; null for the run itself. A longer window holds the rest of it without failures. */
  windowMs: number | null;
  alerts: readonly BurnRateAlert[];
}

export function defaultSloSpec(target: number): SloSpec {
  return { source: 'the SRE workbook', target, windowMs: null, alerts: SRE_WORKBOOK_ALERTS };
}

/** Requests, bad and in all: counted over the run (queries attempted and failed; records offered and not stored as they landed), or as rates. */
export interface RequestCount {
  bad: number;
  total: number;
}

export interface SloFigures {
  /** (total - bad) / total of the requests counted, 1 when there were none: the same number as the totals' availability. */
  availabilityByRequests: number;
  availabilityByGoodMinutes: number;
  goodMinutes: number;
  minutes: number;
  /** Share of the window's error budget the run spent; above 1 the objective is missed. */
  errorBudgetUsed: number;
  /** The availability by requests over the window (the run's, when the window is the run) reaches the target. */
  met: boolean;
  alerts: { name: string; factor: number; firings: { firedAtMs: number; resolvedAtMs: number | null }[] }[];
}

/** Integrals of the bad and total rates from 0 to any time (request counts), by binary search over the steps. */
class Integral {
  private readonly at: number[] = [];
  private readonly bad: number[] = [];
  private readonly total: number[] = [];

  constructor(private readonly steps: readonly RateStep[]) {
    let bad = 0;
    let total = 0;
    steps.forEach((step, i) => {
      if (i > 0) {
        const span = step.t - steps[i - 1]!.t;
        bad += (steps[i - 1]!.bad * span) / MS_PER_HOUR;
        total += (steps[i - 1]!.total * span) / MS_PER_HOUR;
      }
      this.at.push(step.t);
      this.bad.push(bad);
      this.total.push(total);
    });
  }

  upTo(t: number): { bad: number; total: number } {
    let low = 0;
    let high = this.at.length - 1;
    if (high < 0 || t <= this.at[0]!) return { bad: 0, total: 0 };
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      if (this.at[mid]! <= t) low = mid;
      else high = mid - 1;
    }
    const step = this.steps[low]!;
    const span = t - step.t;
    return { bad: this.bad[low]! + (step.bad * span) / MS_PER_HOUR, total: this.total[low]! + (step.total * span) / MS_PER_HOUR };
  }

  /** Failed share of the requests in [from, to]; 0 when there were none. */
  errorRatio(from: number, to: number): number {
    const a = this.upTo(Math.max(0, from));
    const b = this.upTo(to);
    const total = b.total - a.total;
    return total <= 0 ? 0 : (b.bad - a.bad) / total;
  }
}

export function sloFigures(steps: readonly RateStep[], requests: RequestCount, durationMs: number, spec: SloSpec): SloFigures {
  const integral = new Integral(steps);
  const availabilityByRequests = requests.total <= 0 ? 1 : (requests.total - requests.bad) / requests.total;
  let minutes = 0;
  let goodMinutes = 0;
  for (const minute of ratesPerMinute(steps, durationMs)) {
    minutes++;
    if (minute.bad === 0) goodMinutes++;
  }
  const budget = 1 - spec.target;
  // The run's share of the window: the rest of a longer window has the same requests, none failing.
  const share = spec.windowMs === null ? 1 : Math.min(1, durationMs / spec.windowMs);
  const failedShare = (1 - availabilityByRequests) * share;
  return {
    availabilityByRequests,
    availabilityByGoodMinutes: minutes === 0 ? 1 : goodMinutes / minutes,
    goodMinutes,
    minutes,
    errorBudgetUsed: budget <= 0 ? (availabilityByRequests < 1 ? 1 : 0) : failedShare / budget,
    met: failedShare <= budget,
    alerts: spec.alerts.map((alert) => ({ name: alert.name, factor: alert.factor, firings: firings(steps, integral, alert, budget, durationMs) })),
  };
}

/**
 * The mean request rates (per hour, bad and total) of each minute of the run: minute m is [m, m+1)
 * minutes, the last one cut at the end. A minute is good when none of its requests fail: its bad
 * rate is exactly 0. Each minute is summed from the steps it overlaps, not as a difference of
 * running totals, so a steady rate reads as itself and a clean minute as exactly 0.
 */
export function meanRatesPerMinute(steps: readonly RateStep[], durationMs: number): RequestCount[] {
  return [...ratesPerMinute(steps, durationMs)];
}

/** meanRatesPerMinute one minute at a time, without holding the run's minutes (a year has 525,600). */
function* ratesPerMinute(steps: readonly RateStep[], durationMs: number): Generator<RequestCount> {
  const minutes = Math.ceil(durationMs / MS_PER_MINUTE);
  let i = 0;
  for (let m = 0; m < minutes; m++) {
    const from = m * MS_PER_MINUTE;
    const to = Math.min(durationMs, from + MS_PER_MINUTE);
    // The step in force at `from`, then each step that starts within the minute.
    while (i + 1 < steps.length && steps[i + 1]!.t <= from) i++;
    let bad = 0;
    let total = 0;
    for (let j = i; j < steps.length && steps[j]!.t < to; j++) {
      const overlapMs = Math.min(to, steps[j + 1]?.t ?? to) - Math.max(from, steps[j]!.t);
      if (overlapMs <= 0) continue;
      bad += steps[j]!.bad * overlapMs;
      total += steps[j]!.total * overlapMs;
    }
    yield { bad: bad / (to - from), total: total / (to - from) };
  }
}

/**
 * When the alert fires and resolves, evaluated every minute as a monitoring system would. Only
 * the minutes whose windows can hold a failed request are evaluated (burningMinutes): at every
 * other minute the error ratio of both windows is exactly 0, so the alert cannot hold.
 */
function firings(steps: readonly RateStep[], integral: Integral, alert: BurnRateAlert, budget: number, durationMs: number): { firedAtMs: number; resolvedAtMs: number | null }[] {
  const result: { firedAtMs: number; resolvedAtMs: number | null }[] = [];
  const threshold = alert.factor * budget;
  if (threshold <= 0) return result;
  const burns = (windowMs: number, t: number) => {
    const ratio = integral.errorRatio(t - windowMs, t);
    return alert.op === 'gt' ? ratio > threshold : ratio >= threshold;
  };
  let holdingSinceMs: number | null = null;
  let firing = false;
  for (const t of burningMinutes(steps, Math.max(alert.longWindowMs, alert.shortWindowMs ?? 0), durationMs)) {
    const holds = burns(alert.longWindowMs, t) && (alert.shortWindowMs === null || burns(alert.shortWindowMs, t));
    holdingSinceMs = holds ? (holdingSinceMs ?? t) : null;
    const fires = holdingSinceMs !== null && t - holdingSinceMs >= alert.forMs;
    if (fires && !firing) result.push({ firedAtMs: t, resolvedAtMs: null });
    if (!fires && firing) result.at(-1)!.resolvedAtMs = t;
    firing = fires;
  }
  return result;
}

/**
 * The evaluation minutes (MS_PER_MINUTE, 2 x MS_PER_MINUTE, ... up to durationMs) whose window
 * of windowMs can hold a failed request: from a step with failures until windowMs after it ends,
 * and the first minute after that (where an alert resolves), in order, each once.
 */
function* burningMinutes(steps: readonly RateStep[], windowMs: number, durationMs: number): Generator<number> {
  let nextMs = MS_PER_MINUTE;
  for (let i = 0; i < steps.length; i++) {
    if (steps[i]!.bad <= 0) continue;
    const startMs = steps[i]!.t;
    const endMs = steps[i + 1]?.t ?? durationMs;
    // The first minute after startMs, through the first minute past endMs + windowMs; none twice.
    const lastMs = Math.min(durationMs, (Math.floor((endMs + windowMs) / MS_PER_MINUTE) + 1) * MS_PER_MINUTE);
    for (let t = Math.max(nextMs, (Math.floor(startMs / MS_PER_MINUTE) + 1) * MS_PER_MINUTE); t <= lastMs; t += MS_PER_MINUTE) yield t;
    nextMs = Math.max(nextMs, lastMs + MS_PER_MINUTE);
  }
}

/** The billing month of a service-level agreement. */
export const BILLING_MONTH_MS = 30 * MS_PER_DAY;

export interface ServiceCredit {
  /** Minutes in which queries failed (not every request good). */
  downtimeMinutes: number;
  /** The billing period: the run, or a 30-day month when the run is shorter (the rest of the month without downtime). */
  periodMinutes: number;
  /** Monthly uptime percentage as the SLA counts it: (period - downtime) / period. */
  uptime: number;
  /** The highest tier whose `below` the uptime falls under; 0 when none. */
  creditPercent: number;
  tiers: readonly CreditTier[];
}

/** The service credit the query downtime of this run would earn. */
export function serviceCredit(queries: SloFigures, tiers: readonly CreditTier[]): ServiceCredit {
  const downtimeMinutes = queries.minutes - queries.goodMinutes;
  const periodMinutes = Math.max(queries.minutes, BILLING_MONTH_MS / MS_PER_MINUTE);
  const uptime = 1 - downtimeMinutes / periodMinutes;
  const creditPercent = tiers.reduce((best, tier) => (uptime < tier.below ? Math.max(best, tier.creditPercent) : best), 0);
  return { downtimeMinutes, periodMinutes, uptime, creditPercent, tiers };
}
