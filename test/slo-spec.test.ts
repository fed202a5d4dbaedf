// The user's own SLO: an OpenSLO v1 SLO or a Sloth spec, from --slo FILE or
// `slo:` in the scenario, replaces the target, the window and the alerts.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { parseScenario } from '../scenarios/load.ts';
import { InputError, type Problem } from '../sim/input-error.ts';
import { loadSloFile, readSloSpec } from '../sim/observe/slo-spec.ts';
import type { SloReport } from '../sim/observe/metrics.ts';
import { SRE_WORKBOOK_ALERTS, defaultSloSpec, sloFigures } from '../sim/observe/slo.ts';
import { assertBadInput, cli, show, STATUS } from './cli-helpers.ts';
import { HOUR, MINUTE } from './helpers.ts';

const root = mkdtempSync(join(tmpdir(), 'cmk-slo-spec-'));
test.after(() => rmSync(root, { recursive: true, force: true }));
const OPENSLO = 'examples/slo/openslo-queries.yaml';
const SLOTH = 'examples/slo/sloth-queries.yaml';
const DAY = 24 * HOUR;

let n = 0;
async function runSlo(...args: string[]): Promise<{ status: number | null; out: string; err: string; slo: SloReport; dir: string }> {
  const dir = join(root, `run-${++n}`);
  const o = await cli('run', ...args, '--out', dir);
  assert.ok(o.status === STATUS.ok || o.status === STATUS.expectationFailed, show(o));
  return { ...o, dir, slo: (JSON.parse(readFileSync(join(dir, 'sla.json'), 'utf8')) as { slo: SloReport }).slo };
}

/** The problems a spec gives, as `path: expected` (the file named in each). */
function problemsOf(data: unknown, file = 'spec.yaml'): Problem[] {
  const problems: Problem[] = [];
  readSloSpec(data, file, Array.isArray(data) ? 'documents' : '', problems);
  for (const p of problems) assert.is(p.file, file);
  return problems;
}

const openSloDocuments = () => parseAllDocuments(readFileSync(OPENSLO, 'utf8')).map((d) => d.toJS() as Record<string, any>);
const slothSpec = () => parse(readFileSync(SLOTH, 'utf8')) as Record<string, any>;

test('OpenSLO: the objective, the 28-day window and both burn-rate conditions, one by reference across documents and one inline', () => {
  const spec = loadSloFile(OPENSLO);
  assert.equal(spec, {
    source: 'OpenSLO SLO log-queries-availability',
    target: 0.999,
    windowMs: 28 * DAY,
    alerts: [
      { name: 'fast-burn: 14.4x over 1h for 2m', factor: 14.4, op: 'gte', longWindowMs: HOUR, shortWindowMs: null, forMs: 2 * MINUTE },
      { name: 'slow-burn: 6x over 6h for 15m', factor: 6, op: 'gte', longWindowMs: 6 * HOUR, shortWindowMs: null, forMs: 15 * MINUTE },
    ],
  });
});

test("Sloth: the objective as a fraction, Sloth's 30-day period and its four default alerts, compared with >", () => {
  const spec = loadSloFile(SLOTH);
  assert.is(spec.source, 'Sloth SLO log-analytics/queries-availability');
  assert.is(spec.target, 0.999);
  assert.is(spec.windowMs, 30 * DAY);
  assert.equal(
    spec.alerts.map((a) => [a.name, a.factor, a.longWindowMs, a.shortWindowMs, a.op]),
    [
      ['LogQueriesAvailability page: 14.4x over 1h (5m)', 14.4, HOUR, 5 * MINUTE, 'gt'],
      ['LogQueriesAvailability page: 6x over 6h (30m)', 6, 6 * HOUR, 30 * MINUTE, 'gt'],
      ['LogQueriesAvailability ticket: 3x over 1d (2h)', 3, DAY, 2 * HOUR, 'gt'],
      ['LogQueriesAvailability ticket: 1x over 3d (6h)', 1, 3 * DAY, 6 * HOUR, 'gt'],
    ],
  );
  const noTicket = slothSpec();
  noTicket.slos[0].alerting.ticket_alert.disable = true;
  assert.equal(readSloSpec(noTicket, 'x', '', [])!.alerts.map((a) => a.name.split(':')[0]), ['LogQueriesAvailability page', 'LogQueriesAvailability page']);
});

test('an alert held for alertAfter fires that much after its condition first holds, and a single-window alert needs no short window', () => {
  // All queries fail from 1h to 2h of a 4-hour run; budget 10 %.
  const steps = [{ t: 0, bad: 0, total: 60 }, { t: HOUR, bad: 60, total: 60 }, { t: 2 * HOUR, bad: 0, total: 60 }];
  const at = (forMs: number) => sloFigures(steps, { bad: 60, total: 240 }, 4 * HOUR, { ...defaultSloSpec(0.9), alerts: [{ name: 'a', factor: 1, op: 'gte', longWindowMs: HOUR, shortWindowMs: null, forMs }] }).alerts[0]!.firings;
  // The hour's error ratio reaches 10 % 6 minutes in, and falls below it when the hour holds fewer than 6 failing minutes.
  assert.equal(at(0), [{ firedAtMs: HOUR + 6 * MINUTE, resolvedAtMs: 2 * HOUR + 55 * MINUTE }]);
  assert.equal(at(10 * MINUTE), [{ firedAtMs: HOUR + 16 * MINUTE, resolvedAtMs: 2 * HOUR + 55 * MINUTE }]);
  // Held longer than the condition lasts: it never fires.
  assert.equal(at(3 * HOUR), []);
});

test('run --slo with the OpenSLO example: its alerts fire during the outage, and over 28 days the 2-day run spends 2/28 of what it would over itself', async () => {
  const { slo, out } = await runSlo('kv-outage-45m', '--slo', OPENSLO);
  const { slo: byDefault } = await runSlo('kv-outage-45m');
  assert.equal([slo.source, slo.target, slo.windowMs], ['OpenSLO SLO log-queries-availability', 0.999, 28 * DAY]);
  assert.is(slo.availability, byDefault.availability);
  assert.ok(Math.abs(slo.errorBudgetUsed - (byDefault.errorBudgetUsed * 2) / 28) < 1e-12, `${slo.errorBudgetUsed}`);
  assert.equal([byDefault.met, slo.met], [false, true]);
  assert.equal(slo.queries.alerts.map((a) => a.name), ['fast-burn: 14.4x over 1h for 2m', 'slow-burn: 6x over 6h for 15m']);
  for (const alert of slo.queries.alerts) {
    assert.is(alert.firings.length, 1, alert.name);
    // The outage starts at 1d; queries fail from about 1d29m.
    assert.ok(alert.firings[0]!.firedAtMs > DAY + 29 * MINUTE && alert.firings[0]!.firedAtMs < DAY + 2 * HOUR, `${alert.name} fired at ${alert.firings[0]!.firedAtMs}`);
  }
  assert.match(out, /SLO 99\.9 % over 28d met/);
  const md = readFileSync(join(root, `run-${n - 1}`, 'sla.md'), 'utf8');
  assert.match(md, /## SLO: 99\.9 % over 28d/);
  assert.match(md, /Burn-rate alerts of OpenSLO SLO log-queries-availability/);
  assert.match(md, /- fast-burn: 14\.4x over 1h for 2m: fired \+1d/);
});

test('run --slo with the Sloth example: the four alerts, and the default (no spec) is the parameter sloTarget with the SRE workbook alerts over the run', async () => {
  const { slo } = await runSlo('kv-outage-45m', '--slo', SLOTH);
  assert.equal([slo.source, slo.target, slo.windowMs, slo.met], ['Sloth SLO log-analytics/queries-availability', 0.999, 30 * DAY, true]);
  assert.is(slo.queries.alerts.length, 4);
  assert.ok(slo.queries.alerts[0]!.firings.length === 1, 'the page fires during a 45-minute outage');
  const { slo: byDefault } = await runSlo('kv-outage-45m');
  assert.equal([byDefault.source, byDefault.windowMs], ['the SRE workbook', null]);
  assert.equal(byDefault.queries.alerts.map((a) => a.name), SRE_WORKBOOK_ALERTS.map((a) => a.name));
});

test('slo: in the scenario takes the same spec as --slo (inline, or a list of documents), and --slo replaces it', async () => {
  const builtin = parse(readFileSync('scenarios/builtin/kv-outage-45m.yaml', 'utf8')) as Record<string, unknown>;
  const inline = join(root, 'inline.yaml');
  writeFileSync(inline, stringify({ ...builtin, slo: openSloDocuments() }));
  const fromFile = await runSlo('kv-outage-45m', '--slo', OPENSLO);
  const fromScenario = await runSlo(inline);
  assert.equal(fromScenario.slo, fromFile.slo);
  writeFileSync(inline, stringify({ ...builtin, slo: slothSpec() }));
  assert.is((await runSlo(inline)).slo.source, 'Sloth SLO log-analytics/queries-availability');
  assert.is((await runSlo(inline, '--slo', OPENSLO)).slo.source, 'OpenSLO SLO log-queries-availability');
});

/** One field of a spec changed, and the problem it must give. */
interface Case {
  title: string;
  edit: (docs: Record<string, any>[]) => void;
  path: string;
  found?: string;
}

const OPENSLO_CASES: Case[] = [
  { title: 'a target of 1 or more', edit: (d) => (d[0]!.spec.objectives[0].target = 1.5), path: 'documents[0].spec.objectives[0].target', found: '1.5' },
  { title: 'both target and targetPercent', edit: (d) => (d[0]!.spec.objectives[0].targetPercent = 99.9), path: 'documents[0].spec.objectives[0]' },
  { title: 'two objectives', edit: (d) => d[0]!.spec.objectives.push({ target: 0.99 }), path: 'documents[0].spec.objectives', found: '2 objectives' },
  { title: 'a window that is no shorthand', edit: (d) => (d[0]!.spec.timeWindow[0].duration = '28 days'), path: 'documents[0].spec.timeWindow[0].duration', found: '"28 days"' },
  { title: 'Timeslices', edit: (d) => (d[0]!.spec.budgetingMethod = 'Timeslices'), path: 'documents[0].spec.budgetingMethod', found: '"Timeslices"' },
  { title: 'an alert policy named but not in the file', edit: (d) => (d[0]!.spec.alertPolicies[0].alertPolicyRef = 'page-on-fast-burm'), path: 'documents[0].spec.alertPolicies[0].alertPolicyRef', found: '"page-on-fast-burm"' },
  { title: 'a condition that fires below its threshold', edit: (d) => (d[0]!.spec.alertPolicies[1].spec.conditions[0].spec.condition.op = 'lte'), path: 'documents[0].spec.alertPolicies[1].spec.conditions[0].spec.condition.op', found: '"lte"' },
  { title: 'a negative threshold, in a referenced condition', edit: (d) => (d[2]!.spec.condition.threshold = -1), path: 'documents[2].spec.condition.threshold', found: '-1' },
  { title: 'no lookback window', edit: (d) => delete d[2]!.spec.condition.lookbackWindow, path: 'documents[2].spec.condition.lookbackWindow', found: 'nothing' },
  { title: 'another version of OpenSLO', edit: (d) => (d[1]!.apiVersion = 'openslo/v2alpha'), path: 'documents[1].apiVersion', found: '"openslo/v2alpha"' },
  { title: 'a document of neither kind', edit: (d) => d.push({ kind: 'SLO' }), path: 'documents[3]' },
];

const SLOTH_CASES: Case[] = [
  { title: 'an objective that is not a percentage', edit: (d) => (d[0]!.slos[0].objective = 999), path: 'slos[0].objective', found: '999' },
  { title: 'two SLOs', edit: (d) => d[0]!.slos.push({ ...d[0]!.slos[0], name: 'latency' }), path: 'slos', found: '2 SLOs' },
  { title: 'disable that is not true or false', edit: (d) => (d[0]!.slos[0].alerting.page_alert.disable = 'yes'), path: 'slos[0].alerting.page_alert.disable', found: '"yes"' },
  { title: 'another Sloth version', edit: (d) => (d[0]!.version = 'prometheus/v2'), path: 'version', found: '"prometheus/v2"' },
  { title: 'alerting without a name', edit: (d) => delete d[0]!.slos[0].alerting.name, path: 'slos[0].alerting.name', found: 'nothing' },
];

for (const [kind, cases, documents] of [['OpenSLO', OPENSLO_CASES, openSloDocuments], ['Sloth', SLOTH_CASES, () => [slothSpec()]]] as const) {
  for (const c of cases) {
    test(`${kind}: ${c.title} is a problem at its path in the spec file`, () => {
      const docs = documents();
      c.edit(docs);
      const problems = problemsOf(docs.length === 1 ? docs[0] : docs);
      const problem = problems.find((p) => p.path === c.path);
      assert.ok(problem !== undefined, `no problem at ${c.path}: ${JSON.stringify(problems)}`);
      if (c.found !== undefined) assert.is(problem.found, c.found);
    });
  }
}

test('--slo with a bad field: exit 2 naming the file and the field path, before the run', async () => {
  const file = join(root, 'bad-sloth.yaml');
  const spec = slothSpec();
  spec.slos[0].objective = 150;
  writeFileSync(file, stringify(spec));
  const out = join(root, 'refused');
  const o = await cli('run', 'kv-outage-45m', '--slo', file, '--out', out);
  assertBadInput(o, `${file}: slos[0].objective`);
  assert.match(o.err, /found 150; expected a percentage above 0 and below 100/);
  assertBadInput(await cli('run', 'kv-outage-45m', '--slo', join(root, 'missing.yaml'), '--out', out), join(root, 'missing.yaml'));
  assert.match((await cli('run', 'kv-outage-45m', '--slo', join(root, 'missing.yaml'), '--out', out)).err, /missing\.yaml: found no such file; expected an OpenSLO or Sloth spec file/);
});

test('slo: in a scenario: a bad field is a problem at slo.<path>, and a target besides the spec (params.sloTarget or --param) is refused', () => {
  const builtin = parse(readFileSync('scenarios/builtin/kv-outage-45m.yaml', 'utf8')) as Record<string, any>;
  const spec = slothSpec();
  spec.slos[0].objective = 'high';
  const problems = (text: string, params: string[] = []) => {
    try {
      parseScenario(text, 'mine.yaml', 'yaml', { params });
      return [];
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      return error.problems.map((p) => `${p.file}: ${p.path}`);
    }
  };
  assert.ok(problems(stringify({ ...builtin, slo: spec })).includes('mine.yaml: slo.slos[0].objective'));
  assert.ok(problems(stringify({ ...builtin, slo: 'sloth.yaml' })).includes('mine.yaml: slo'));
  const good = { ...builtin, slo: slothSpec() };
  assert.equal(problems(stringify(good)), []);
  assert.ok(problems(stringify({ ...good, params: { ...builtin.params, sloTarget: 0.99 } })).includes('mine.yaml: params.sloTarget'));
  assert.ok(problems(stringify(good), ['sloTarget=0.99']).includes('--param: sloTarget'));
});

test('sweep --slo: the SLO is part of the sweep (sloMissed over the spec\'s window)', async () => {
  const dir = join(root, 'sweep');
  const o = await cli('sweep', 'kv-outage-45m', '--runs', '2', '--workers', '1', '--slo', OPENSLO, '--out', dir);
  assert.is(o.status, STATUS.ok, show(o));
  const rows = readFileSync(join(dir, 'runs.csv'), 'utf8').trimEnd().split('\n');
  const column = rows[0]!.split(',').indexOf('sloMissed');
  assert.equal(rows.slice(1).map((r) => r.split(',')[column]), ['0', '0']);
});

test('OpenSLO: two AlertCondition documents of one name are refused at the second, not resolved by their order', () => {
  const docs = openSloDocuments();
  const condition = docs.findIndex((d) => d.kind === 'AlertCondition');
  assert.ok(condition > 0);
  const twice = [...docs, { ...structuredClone(docs[condition]), spec: { ...docs[condition]!.spec, condition: { ...docs[condition]!.spec.condition, threshold: 1000 } } }];
  assert.equal(
    problemsOf(twice).map((p) => `${p.path}: found ${p.found}; expected ${p.expected}`),
    [`documents[${docs.length}].metadata.name: found "fast-burn"; expected a name no other AlertCondition document has (documents[${condition}] has it)`],
  );
});

test.run();
