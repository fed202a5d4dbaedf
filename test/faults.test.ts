// Random fault processes (`faults:`): read with every problem's path, drawn
// from the seed alone, and played through the same actions a scenario
// scripts.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseScenario } from '../scenarios/load.ts';
import { RandomStreams } from '../sim/engine/random.ts';
import { drawFaults, sampleDuration } from '../sim/faults.ts';
import { InputError, type Problem } from '../sim/input-error.ts';
import type { FaultProcess } from '../sim/scenario.ts';
import { DAY, HOUR, MINUTE, run, scenario } from './helpers.ts';

const outage = (meanTimeBetween: string, duration: unknown): Record<string, unknown> => ({ process: 'keyVault.outage', vault: 'kv1', meanTimeBetween, duration });

function problemsOf(faults: unknown[]): Problem[] {
  try {
    scenario({ faults: faults as Record<string, unknown>[] });
  } catch (error) {
    if (error instanceof InputError) return [...error.problems];
    throw error;
  }
  return [];
}

test('faults are read into processes with durations in milliseconds', () => {
  const s = scenario({
    faults: [
      outage('7d', { lognormal: { median: '20m', p90: '3h' } }),
      { process: 'keyVault.transient', vault: 'kv1', meanTimeBetween: '12h', duration: { uniform: ['1m', '20m'] }, failureRate: 0.5 },
      { process: 'keyVault.throttle', vault: 'kv1', meanTimeBetween: '1d', duration: '10m', limitPer10s: 100 },
      { process: 'key.accidentalDisable', vault: 'kv1', key: 'cmk', meanTimeBetween: '60d', timeToNotice: { exponential: '2h' } },
    ],
  });
  assert.equal(s.faults, [
    { vault: 'kv1', meanTimeBetweenMs: 7 * DAY, process: 'keyVault.outage', duration: { type: 'lognormal', medianMs: 20 * MINUTE, p90Ms: 3 * HOUR } },
    { vault: 'kv1', meanTimeBetweenMs: 12 * HOUR, process: 'keyVault.transient', duration: { type: 'uniform', minMs: MINUTE, maxMs: 20 * MINUTE }, failureRate: 0.5 },
    { vault: 'kv1', meanTimeBetweenMs: DAY, process: 'keyVault.throttle', duration: { type: 'fixed', ms: 10 * MINUTE }, limitPer10s: 100 },
    { vault: 'kv1', meanTimeBetweenMs: 60 * DAY, process: 'key.accidentalDisable', key: 'cmk', timeToNotice: { type: 'exponential', meanMs: 2 * HOUR } },
  ]);
});

test('a bad fault process is reported with its path, what was found and what is expected', () => {
  const cases: { fault: unknown; path: string; found: RegExp; expected: RegExp }[] = [
    { fault: { ...outage('7d', '20m'), process: 'keyVault.outages' }, path: 'faults[0].process', found: /keyVault.outages/, expected: /one of keyVault.outage, .*key.accidentalDisable/ },
    { fault: { ...outage('7d', '20m'), vault: 'kv2' }, path: 'faults[0].vault', found: /kv2/, expected: /a name of keyVaults: kv1/ },
    { fault: outage('0s', '20m'), path: 'faults[0].meanTimeBetween', found: /0s/, expected: /greater than 0/ },
    { fault: { process: 'keyVault.outage', vault: 'kv1', meanTimeBetween: '7d' }, path: 'faults[0].duration', found: /nothing/, expected: /lognormal/ },
    { fault: outage('7d', { lognormal: { median: '2h', p90: '1h' } }), path: 'faults[0].duration.lognormal.p90', found: /1h/, expected: /at least the median \(2h\)/ },
    { fault: outage('7d', { normal: '1h' }), path: 'faults[0].duration.normal', found: /unknown field "normal"/, expected: /one of uniform, exponential, lognormal/ },
    { fault: outage('7d', { uniform: ['2h', '1h'] }), path: 'faults[0].duration.uniform', found: /2h/, expected: /min is at most its max/ },
    { fault: { ...outage('7d', '20m'), failureRate: 0.5 }, path: 'faults[0].failureRate', found: /unknown field/, expected: /one of process, vault, meanTimeBetween, duration/ },
    { fault: { process: 'keyVault.transient', vault: 'kv1', meanTimeBetween: '1d', duration: '5m' }, path: 'faults[0].failureRate', found: /nothing/, expected: /a number from 0 to 1/ },
    { fault: { process: 'key.accidentalDisable', vault: 'kv1', key: 'cmk2', meanTimeBetween: '60d', timeToNotice: '1h' }, path: 'faults[0].key', found: /cmk2/, expected: /a key of vault kv1: cmk/ },
  ];
  for (const c of cases) {
    const problems = problemsOf([c.fault]);
    const hit = problems.find((p) => p.path === c.path);
    assert.ok(hit !== undefined, `${c.path}: got ${JSON.stringify(problems)}`);
    assert.match(hit!.found, c.found, c.path);
    assert.match(hit!.expected, c.expected, c.path);
  }
});

const streams = (seed: number) => new RandomStreams(seed);
const OUTAGES: FaultProcess = { process: 'keyVault.outage', vault: 'kv1', meanTimeBetweenMs: DAY, duration: { type: 'fixed', ms: HOUR } };
const DISABLES: FaultProcess = { process: 'key.accidentalDisable', vault: 'kv1', key: 'cmk', meanTimeBetweenMs: 3 * DAY, timeToNotice: { type: 'exponential', meanMs: 2 * HOUR } };

test('the seed alone fixes the faults; another seed draws others; a second process never moves the first one', () => {
  const year = 365 * DAY;
  const a = drawFaults([OUTAGES], year, streams(7), 'test');
  assert.equal(drawFaults([OUTAGES], year, streams(7), 'test'), a);
  assert.not.equal(drawFaults([OUTAGES], year, streams(8), 'test'), a);
  const both = drawFaults([OUTAGES, DISABLES], year, streams(7), 'test');
  assert.equal(both.filter((f) => f.process === 0), a);
  assert.ok(both.some((f) => f.process === 1 && f.target === 'kv1/cmk'));
  for (let i = 1; i < both.length; i++) assert.ok(both[i - 1]!.atMs <= both[i]!.atMs, 'in time order');
});

test('a Poisson process: gaps of the given mean, occurrences of one process never overlap, none starts after the end', () => {
  const horizon = 2000 * DAY;
  const drawn = drawFaults([OUTAGES], horizon, streams(1), 'test');
  // About one a day plus an hour each: 2000 days hold about 2000 / (1 + 1/24) = 1920.
  assert.ok(Math.abs(drawn.length - 1920) < 1920 * 0.05, `${drawn.length} occurrences`);
  for (let i = 1; i < drawn.length; i++) assert.ok(drawn[i]!.atMs >= drawn[i - 1]!.atMs + drawn[i - 1]!.forMs);
  assert.ok(drawn.every((f) => f.atMs < horizon && f.forMs === HOUR));
  assert.equal(drawFaults([OUTAGES], 0, streams(1), 'test'), []);
});

test('duration distributions: lognormal median and p90, uniform bounds, exponential mean, whole milliseconds', () => {
  const random = streams(3).stream('test');
  const draws = (d: Parameters<typeof sampleDuration>[0]) => Array.from({ length: 20_000 }, () => sampleDuration(d, random)).sort((x, y) => x - y);
  const lognormal = draws({ type: 'lognormal', medianMs: 20 * MINUTE, p90Ms: 3 * HOUR });
  assert.ok(Math.abs(lognormal[10_000]! / (20 * MINUTE) - 1) < 0.05, `median ${lognormal[10_000]}`);
  assert.ok(Math.abs(lognormal[18_000]! / (3 * HOUR) - 1) < 0.08, `p90 ${lognormal[18_000]}`);
  const uniform = draws({ type: 'uniform', minMs: MINUTE, maxMs: 20 * MINUTE });
  assert.ok(uniform[0]! >= MINUTE && uniform.at(-1)! <= 20 * MINUTE);
  const exponential = draws({ type: 'exponential', meanMs: HOUR });
  const mean = exponential.reduce((s, x) => s + x, 0) / exponential.length;
  assert.ok(Math.abs(mean / HOUR - 1) < 0.03, `mean ${mean}`);
  assert.ok([...lognormal, ...uniform, ...exponential].every((x) => Number.isInteger(x) && x >= 1));
});

test('in a run: each drawn outage is a Key Vault outage of its length, marked as a random fault, and listed in sla.json faults', () => {
  const r = run(scenario({ duration: '10d', faults: [outage('2d', '40m')] }));
  const drawn = r.result.faults;
  assert.ok(drawn.length >= 2, `${drawn.length} outages drawn`);
  const begins = r.of('keyVault.outage.begin');
  assert.equal(begins.map((e) => [e.t, e.untilMs]), drawn.map((f) => [f.atMs, f.atMs + 40 * MINUTE]));
  assert.ok(r.of('action').every((a) => a.detail.endsWith('(random fault: faults[0])')));
  // 40 minutes is past "about 30 minutes": the storage account becomes unavailable each time.
  assert.is(r.of('storage.unavailable').length, drawn.length);
});

test('in a run: a key disabled by mistake and noticed after 2 hours is revoked within the hour, then enabled again and resumed', () => {
  const r = run(
    scenario({
      duration: '10d',
      params: { delayMode: 'worst' },
      faults: [{ process: 'key.accidentalDisable', vault: 'kv1', key: 'cmk', meanTimeBetween: '3d', timeToNotice: '2h' }],
    }),
  );
  const drawn = r.result.faults;
  assert.ok(drawn.length >= 1, 'at least one accidental disable in 10 days');
  for (const f of drawn) {
    assert.ok(r.of('key.disabled').some((e) => e.t === f.atMs && e.version === 'v1'));
    assert.ok(r.of('key.enabled').some((e) => e.t === f.atMs + 2 * HOUR && e.version === 'v1'));
    // "within one hour": with delayMode worst, exactly at the bound.
    assert.ok(r.of('storage.revoked').some((e) => e.t === f.atMs + HOUR));
  }
  assert.ok(r.result.totals.ingestion.droppedByReason.revoked > 0, 'records ingested while revoked are lost');
  assert.is(r.of('storage.resumed').length, drawn.length);
});

test('a scenario file with faults parses from YAML as documented in the README', () => {
  const s = parseScenario(
    'name: t\nduration: 1d\nkeyVaults: [{name: kv1, keys: [{name: cmk}]}]\nfaults:\n  - { process: keyVault.outage, vault: kv1, meanTimeBetween: 7d, duration: { lognormal: { median: 20m, p90: 3h } } }\n',
    't.yaml',
    'yaml',
  );
  assert.is(s.faults.length, 1);
});

test.run();
