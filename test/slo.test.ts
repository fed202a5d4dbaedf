// The SLO arithmetic against a case computed by hand, and in a run.

import * as fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultSloSpec, serviceCredit, sloFigures, type BurnRateAlert } from '../sim/observe/slo.ts';
import { HOUR, MINUTE, run, scenario } from './helpers.ts';

const SECOND = 1000;
const SEED = Number(process.env.FC_SEED ?? 20261130);
const RUNS = Number(process.env.FC_RUNS ?? 200);
console.log(`slo: fast-check seed ${SEED}, ${RUNS} runs (FC_SEED / FC_RUNS to change)`);

// 60 queries an hour for 4 hours; all of them fail from 1h to 1h30m.
const steps = [
  { t: 0, bad: 0, total: 60 },
  { t: HOUR, bad: 60, total: 60 },
  { t: HOUR + 30 * MINUTE, bad: 0, total: 60 },
];
/** The requests counted in those 4 hours: 240, 30 of them failed. */
const counted = { bad: 30, total: 240 };
const alert: BurnRateAlert = { name: '1x over 1h (5m)', factor: 1, op: 'gte', longWindowMs: HOUR, shortWindowMs: 5 * MINUTE, forMs: 0 };
/** The target with this one alert, over the run. */
const withAlert = (target: number, alerts = [alert]) => ({ ...defaultSloSpec(target), alerts });

test('availability by requests (the requests counted) and by good minutes (from the rates), and the error budget, as computed by hand', () => {
  const slo = sloFigures(steps, counted, 4 * HOUR, withAlert(0.9));
  assert.is(slo.availabilityByRequests, 1 - 30 / 240);
  assert.is(slo.minutes, 240);
  assert.is(slo.goodMinutes, 210);
  assert.is(slo.availabilityByGoodMinutes, 210 / 240);
  assert.ok(Math.abs(slo.errorBudgetUsed - 1.25) < 1e-9, `${slo.errorBudgetUsed}`);
});

test('a burn-rate alert fires when both windows burn at its rate, and resolves when the short one stops', () => {
  const [fired] = sloFigures(steps, counted, 4 * HOUR, withAlert(0.9)).alerts;
  // Budget 10 %: the last hour reaches 10 % errors 6 minutes in; the last 5 minutes are clean at 1h35m.
  assert.equal(fired!.firings, [{ firedAtMs: HOUR + 6 * MINUTE, resolvedAtMs: HOUR + 35 * MINUTE }]);
});

test('alerts are evaluated at every minute of the run: the same firings as a minute-by-minute evaluation of both windows', () => {
  // Steps on whole seconds and rates in multiples of 3600 an hour: every count below is a whole number, so both sides compute the same ratios exactly.
  const step = fc.record({ seconds: fc.integer({ min: 1, max: 18_000 }), bad: fc.integer({ min: 0, max: 20 }), good: fc.integer({ min: 0, max: 20 }) });
  const alerts = fc.record({
    factor: fc.constantFrom(1, 3, 6, 14.4),
    op: fc.constantFrom('gte' as const, 'gt' as const),
    longMinutes: fc.integer({ min: 1, max: 600 }),
    shortMinutes: fc.option(fc.integer({ min: 1, max: 900 })),
    forMinutes: fc.integer({ min: 0, max: 30 }),
  });
  fc.assert(
    fc.property(fc.array(step, { minLength: 1, maxLength: 12 }), alerts, fc.integer({ min: 1, max: 3000 }), fc.constantFrom(0.9, 0.99, 0.999), (drawn, a, durationMinutes, target) => {
      const steps: { t: number; bad: number; total: number }[] = [];
      let t = 0;
      for (const { seconds, bad, good } of drawn) {
        steps.push({ t, bad: 3600 * bad, total: 3600 * (bad + good) });
        t += seconds * SECOND;
      }
      const alert: BurnRateAlert = { name: 'a', factor: a.factor, op: a.op, longWindowMs: a.longMinutes * MINUTE, shortWindowMs: a.shortMinutes === null ? null : a.shortMinutes * MINUTE, forMs: a.forMinutes * MINUTE };
      const durationMs = durationMinutes * MINUTE;
      // Requests of each second, whole numbers, summed from the start: the step in force at a second's start holds for all of it.
      const badUpTo = [0];
      const totalUpTo = [0];
      for (let second = 0, at = 0; second < durationMinutes * 60; second++) {
        while (at + 1 < steps.length && steps[at + 1]!.t <= second * SECOND) at++;
        badUpTo.push(badUpTo[second]! + steps[at]!.bad / 3600);
        totalUpTo.push(totalUpTo[second]! + steps[at]!.total / 3600);
      }
      const count = (fromMs: number, toMs: number) => {
        const [from, to] = [Math.max(0, fromMs) / SECOND, toMs / SECOND];
        const total = totalUpTo[to]! - totalUpTo[from]!;
        return total <= 0 ? 0 : (badUpTo[to]! - badUpTo[from]!) / total;
      };
      const threshold = alert.factor * (1 - target);
      const burns = (windowMs: number, at: number) => (alert.op === 'gt' ? count(at - windowMs, at) > threshold : count(at - windowMs, at) >= threshold);
      const expected: { firedAtMs: number; resolvedAtMs: number | null }[] = [];
      let since: number | null = null;
      let firing = false;
      for (let at = MINUTE; at <= durationMs; at += MINUTE) {
        const holds = threshold > 0 && burns(alert.longWindowMs, at) && (alert.shortWindowMs === null || burns(alert.shortWindowMs, at));
        since = holds ? (since ?? at) : null;
        const fires = since !== null && at - since >= alert.forMs;
        if (fires && !firing) expected.push({ firedAtMs: at, resolvedAtMs: null });
        if (!fires && firing) expected.at(-1)!.resolvedAtMs = at;
        firing = fires;
      }
      assert.equal(sloFigures(steps, { bad: 0, total: 0 }, durationMs, withAlert(target, [alert])).alerts[0]!.firings, expected);
    }),
    { seed: SEED, numRuns: RUNS },
  );
});

test('no requests: everything available, nothing fires', () => {
  const slo = sloFigures([{ t: 0, bad: 0, total: 0 }], { bad: 0, total: 0 }, HOUR, defaultSloSpec(0.999));
  assert.is(slo.availabilityByRequests, 1);
  assert.is(slo.errorBudgetUsed, 0);
  assert.ok(slo.alerts.every((a) => a.firings.length === 0));
});

const AZURE_TIERS = [
  { below: 0.999, creditPercent: 10 },
  { below: 0.99, creditPercent: 25 },
];

test('service credit: downtime minutes over a 30-day month; the highest tier the uptime falls below', () => {
  // 30 bad minutes in 4 hours: 43,170 of 43,200 minutes up = 99.931 %, above 99.9 %: no credit.
  const short = serviceCredit(sloFigures(steps, counted, 4 * HOUR, defaultSloSpec(0.999)), AZURE_TIERS);
  assert.equal([short.downtimeMinutes, short.periodMinutes, short.creditPercent], [30, 43_200, 0]);
  assert.is(short.uptime, 1 - 30 / 43_200);
  // 60 bad minutes (all failing from 1h to 2h): 99.861 % is below 99.9 %, not below 99 %: 10 %.
  const hour = [{ t: 0, bad: 0, total: 60 }, { t: HOUR, bad: 60, total: 60 }, { t: 2 * HOUR, bad: 0, total: 60 }];
  assert.is(serviceCredit(sloFigures(hour, counted, 4 * HOUR, defaultSloSpec(0.999)), AZURE_TIERS).creditPercent, 10);
  // Eight failing hours (480 minutes): 98.889 % is below 99 %: 25 %, the higher tier, whatever the order of the tiers.
  const day = [{ t: 0, bad: 60, total: 60 }, { t: 8 * HOUR, bad: 0, total: 60 }];
  assert.is(serviceCredit(sloFigures(day, counted, 10 * HOUR, defaultSloSpec(0.999)), [...AZURE_TIERS].reverse()).creditPercent, 25);
  // A run longer than a month is its own billing period.
  const long = serviceCredit(sloFigures(day, counted, 40 * 24 * HOUR, defaultSloSpec(0.999)), AZURE_TIERS);
  assert.is(long.periodMinutes, 40 * 24 * 60);
  assert.is(serviceCredit(sloFigures(day, counted, 10 * HOUR, defaultSloSpec(0.999)), []).creditPercent, 0);
});

test('in a run: a 2-hour key disable burns the budget, fires the fast alert, and ingestion counts what was not stored as it landed', () => {
  const r = run(scenario({ params: { delayMode: 'worst' }, actions: [{ at: '1d', do: 'key.disable', vault: 'kv1', key: 'cmk' }, { at: '1d2h', do: 'key.enable', vault: 'kv1', key: 'cmk' }] })).result;
  const { queries, ingestion } = r.slo;
  // One figure, one number: the SLO's "by requests" is the totals' availability, to the last bit.
  assert.is(queries.availabilityByRequests, r.totals.query.availability);
  assert.is(r.slo.availability, r.totals.query.availability);
  assert.is(r.slo.errorBudgetUsed, queries.errorBudgetUsed);
  const i = r.totals.ingestion;
  assert.is(ingestion.availabilityByRequests, (i.storedCmkRecords - i.replayedRecords + i.storedMmkRecords) / i.offeredRecords);
  assert.ok(queries.errorBudgetUsed > 1, 'a 99.9 % objective cannot absorb 1.5 hours of failures in 2 days');
  const fast = queries.alerts.find((a) => a.factor === 14.4)!;
  assert.is(fast.firings.length, 1);
  assert.ok(fast.firings[0]!.firedAtMs > 25 * HOUR && fast.firings[0]!.firedAtMs < 25 * HOUR + 10 * MINUTE, `${fast.firings[0]!.firedAtMs}`);
  assert.ok(ingestion.availabilityByRequests < 1 && ingestion.goodMinutes < ingestion.minutes);
  // About 1.5 hours of failing queries in a 30-day month is below 99.9 % uptime: the 10 % tier.
  assert.is(r.slo.serviceCredit.creditPercent, 10);
  assert.is(r.slo.serviceCredit.downtimeMinutes, queries.minutes - queries.goodMinutes);
});

test.run();
