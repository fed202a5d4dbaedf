// The SLO arithmetic against a case computed by hand, and in a run.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sloFigures, type BurnRateAlert } from '../sim/observe/slo.ts';
import { HOUR, MINUTE, run, scenario } from './helpers.ts';

// 60 queries an hour for 4 hours; all of them fail from 1h to 1h30m.
const steps = [
  { t: 0, bad: 0, total: 60 },
  { t: HOUR, bad: 60, total: 60 },
  { t: HOUR + 30 * MINUTE, bad: 0, total: 60 },
];
const alert: BurnRateAlert = { name: '1x over 1h (5m)', factor: 1, longWindowMs: HOUR, shortWindowMs: 5 * MINUTE };

test('availability by requests and by good minutes, and the error budget, as computed by hand', () => {
  const slo = sloFigures(steps, 4 * HOUR, 0.9, [alert]);
  assert.is(slo.availabilityByRequests, 1 - 30 / 240);
  assert.is(slo.minutes, 240);
  assert.is(slo.goodMinutes, 210);
  assert.is(slo.availabilityByGoodMinutes, 210 / 240);
  assert.ok(Math.abs(slo.errorBudgetUsed - 1.25) < 1e-9, `${slo.errorBudgetUsed}`);
});

test('a burn-rate alert fires when both windows burn at its rate, and resolves when the short one stops', () => {
  const [fired] = sloFigures(steps, 4 * HOUR, 0.9, [alert]).alerts;
  // Budget 10 %: the last hour reaches 10 % errors 6 minutes in; the last 5 minutes are clean at 1h35m.
  assert.equal(fired!.firings, [{ firedAtMs: HOUR + 6 * MINUTE, resolvedAtMs: HOUR + 35 * MINUTE }]);
});

test('no requests: everything available, nothing fires', () => {
  const slo = sloFigures([{ t: 0, bad: 0, total: 0 }], HOUR, 0.999);
  assert.is(slo.availabilityByRequests, 1);
  assert.is(slo.errorBudgetUsed, 0);
  assert.ok(slo.alerts.every((a) => a.firings.length === 0));
});

test('in a run: a 2-hour key disable burns the budget, fires the fast alert, and ingestion counts what was not stored as it landed', () => {
  const r = run(scenario({ params: { delayMode: 'worst' }, actions: [{ at: '1d', do: 'key.disable', vault: 'kv1', key: 'cmk' }, { at: '1d2h', do: 'key.enable', vault: 'kv1', key: 'cmk' }] })).result;
  const { queries, ingestion } = r.slo;
  assert.ok(Math.abs(queries.availabilityByRequests - r.totals.query.availability) < 0.001);
  assert.ok(queries.errorBudgetUsed > 1, 'a 99.9 % objective cannot absorb 1.5 hours of failures in 2 days');
  const fast = queries.alerts.find((a) => a.factor === 14.4)!;
  assert.is(fast.firings.length, 1);
  assert.ok(fast.firings[0]!.firedAtMs > 25 * HOUR && fast.firings[0]!.firedAtMs < 25 * HOUR + 10 * MINUTE, `${fast.firings[0]!.firedAtMs}`);
  assert.ok(ingestion.availabilityByRequests < 1 && ingestion.goodMinutes < ingestion.minutes);
});

test.run();
