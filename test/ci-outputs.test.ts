// Outputs for CI: `run --junit FILE` (checked against the Apache Ant JUnit
// schema with libxml2, offline) and `run --json` (one JSON object on stdout).

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateXML } from 'xmllint-wasm';
import { assertBadInput, cli, show, STATUS } from './cli-helpers.ts';
import { RULES } from '../sim/observe/checker.ts';

const root = mkdtempSync(join(tmpdir(), 'cmk-ci-outputs-'));
test.after(() => rmSync(root, { recursive: true, force: true }));
const XSD = readFileSync(new URL('./fixtures/junit/JUnit.xsd', import.meta.url), 'utf8');

async function schemaErrors(xml: string): Promise<string[]> {
  const result = await validateXML({ xml: [{ fileName: 'junit.xml', contents: xml }], schema: [{ fileName: 'JUnit.xsd', contents: XSD }] });
  return result.errors.map((e) => e.rawMessage);
}

let n = 0;
async function runWithJunit(...args: string[]): Promise<{ status: number | null; xml: string; out: string; err: string; dir: string }> {
  const dir = join(root, `run-${++n}`);
  const file = join(root, `junit-${n}.xml`);
  const o = await cli('run', ...args, '--out', dir, '--junit', file);
  return { ...o, xml: existsSync(file) ? readFileSync(file, 'utf8') : '', dir };
}

/** A built-in with one more expectation, which fails, and XML's special characters in a value. */
function failingScenario(): string {
  const path = join(root, 'failing.yaml');
  const builtin = readFileSync(new URL('../scenarios/builtin/kv-outage-20m.yaml', import.meta.url), 'utf8');
  writeFileSync(path, `${builtin.trimEnd()}\n  - { metric: "incidents[0].cause", equals: "<a & 'b' \\"c\\">" }\n`);
  return path;
}

const attribute = (xml: string, name: string) => new RegExp(`<testsuite [^>]*\\b${name}="(\\d+)"`).exec(xml)?.[1];

test('run --junit: the JUnit XML of a run where everything held is accepted by the Ant JUnit schema, a test case per expectation and per documented rule', async () => {
  const o = await runWithJunit('kv-outage-45m');
  assert.is(o.status, STATUS.ok, show(o));
  assert.equal(await schemaErrors(o.xml), []);
  const sla = JSON.parse(readFileSync(join(o.dir, 'sla.json'), 'utf8')) as { expectations: unknown[] };
  assert.is(Number(attribute(o.xml, 'tests')), sla.expectations.length + RULES.length);
  assert.is(attribute(o.xml, 'failures'), '0');
  assert.is(attribute(o.xml, 'skipped'), '2');
  for (const rule of RULES) assert.ok(o.xml.includes(`name="rule ${rule.rule} ${rule.name}"`), `no test case for rule ${rule.rule}`);
  // Rules 11 and 12 are checked by the test suite, not within a run: skipped, with the reason.
  assert.match(o.xml, /<testcase name="rule 11 kekStaysInVault"[^>]*>\s*<skipped message="[^"]*checked by test\/crypto\.test\.ts/);
});

test('run --junit: a failed expectation and broken rules are failures carrying their explanation, and the file is still schema-valid', async () => {
  const failed = await runWithJunit(failingScenario());
  assert.is(failed.status, STATUS.expectationFailed, show(failed));
  assert.equal(await schemaErrors(failed.xml), []);
  assert.is(attribute(failed.xml, 'failures'), '1');
  assert.match(failed.xml, /<failure message="incidents\[0\]\.cause: expected equals &quot;&lt;a &amp; 'b' \\&quot;c\\&quot;&gt;&quot;, actual &quot;keyVault\.outage&quot;"/);
  const broken = await runWithJunit('key-disabled-and-restored', '--param', 'brokenRule=lateRevocation');
  assert.is(broken.status, STATUS.expectationFailed, show(broken));
  assert.equal(await schemaErrors(broken.xml), []);
  assert.match(broken.xml, /<testcase name="rule 2 revocationTiming"[^>]*>\s*<failure message="\d+ violations? of &quot;no revocation before Key Vault denied/);
  assert.match(broken.xml, /within an hour or sooner/);
});

test('the schema check can fail: a testsuite without its properties, or with a time zone in its timestamp, is refused', async () => {
  const { xml } = await runWithJunit('kv-outage-20m');
  assert.ok((await schemaErrors(xml.replace(/<properties>[\s\S]*<\/properties>/, ''))).length > 0);
  assert.ok((await schemaErrors(xml.replace(/timestamp="([^"]+)"/, 'timestamp="$1Z"'))).length > 0);
});

test('run --junit: the same run gives the same bytes', async () => {
  const a = await runWithJunit('kv-outage-20m', '--seed', '3');
  const b = await runWithJunit('kv-outage-20m', '--seed', '3');
  assert.is(a.xml, b.xml);
});

test('run --junit to a folder, or under a file, is bad input before the run: exit 2, and neither the file nor the output folder is written', async () => {
  const dir = join(root, 'refused');
  for (const [junit, where] of [[root, root], [join(root, 'failing.yaml', 'junit.xml'), join(root, 'failing.yaml', 'junit.xml')], ['', '--junit']] as const) {
    failingScenario();
    const o = await cli('run', 'kv-outage-20m', '--out', dir, '--junit', junit);
    assertBadInput(o, where);
    assert.not.ok(existsSync(dir), `the refused run wrote ${dir}`);
  }
});

test('sweep --junit: a test case for the documented rules over the sweep, and a failing one per run that broke a rule, with its replay; schema-valid', async () => {
  const file = join(root, 'sweep.xml');
  const clean = await cli('sweep', 'kv-outage-20m', '--runs', '2', '--workers', '1', '--out', join(root, 'sweep-clean'), '--junit', file);
  assert.is(clean.status, STATUS.ok, show(clean));
  const xml = readFileSync(file, 'utf8');
  assert.equal(await schemaErrors(xml), []);
  assert.equal([attribute(xml, 'tests'), attribute(xml, 'failures')], ['1', '0']);
  assert.match(xml, /name="documented rules held in every run \(2 runs from seed \d+\)"/);
  const broken = await cli('sweep', 'kv-outage-45m', '--runs', '2', '--workers', '1', '--param', 'brokenRule=earlyUnavailable', '--out', join(root, 'sweep-broken'), '--junit', file);
  assert.is(broken.status, STATUS.expectationFailed, show(broken));
  const failing = readFileSync(file, 'utf8');
  assert.equal(await schemaErrors(failing), []);
  assert.equal([attribute(failing, 'tests'), attribute(failing, 'failures')], ['3', '3']);
  assert.match(failing, /<testcase name="seed 7"[^>]*>\s*<failure message="a documented rule broke; replay: npx cmk-sim run kv-outage-45m --seed 7"/);
});

test('run --json: one JSON object on stdout with sla.json\'s figures under the same names, the text summary on stderr, and the exit status', async () => {
  const dir = join(root, 'json');
  const o = await cli('run', 'key-disabled-and-restored', '--out', dir, '--json');
  assert.is(o.status, STATUS.ok, show(o));
  const json = JSON.parse(o.out) as Record<string, any>;
  const sla = JSON.parse(readFileSync(join(dir, 'sla.json'), 'utf8')) as Record<string, any>;
  assert.equal(Object.keys(json), ['scenario', 'seed', 'profile', 'version', 'status', 'outputs', 'totals', 'incidents', 'slo', 'expectations', 'rules']);
  assert.equal([json.scenario, json.seed, json.profile, json.version, json.status], [sla.scenario, sla.seed, sla.profile, sla.version, 0]);
  assert.equal(json.outputs, { dir, files: ['timeline.jsonl', 'timeline.csv', 'trace.json', 'sla.json', 'sla.md', 'sla.csv', 'series.csv', 'report.html'], junit: null });
  assert.equal(json.totals.ingestion, sla.totals.ingestion);
  for (const field of ['attempted', 'succeeded', 'failed', 'availability', 'unavailableMs']) assert.is(json.totals.query[field], sla.totals.query[field], field);
  assert.equal(json.expectations, sla.expectations);
  assert.equal([json.slo.target, json.slo.availability, json.slo.errorBudgetUsed, json.slo.serviceCreditPercent], [sla.slo.target, sla.slo.availability, sla.slo.errorBudgetUsed, sla.slo.serviceCredit.creditPercent]);
  assert.is(json.slo.met, sla.slo.availability >= sla.slo.target);
  const fired = (sla.slo.queries.alerts as { firings: unknown[] }[]).reduce((k, a) => k + a.firings.length, 0);
  assert.is(json.slo.alertsFired.length, fired);
  assert.ok(fired > 0, 'a revocation of hours fires a burn-rate alert');
  assert.equal(json.rules, { held: true, checks: sla.invariants.checked, violations: [] });
  assert.equal(json.incidents, { count: sla.incidents.length, seenByUsers: 2 });
  assert.match(o.err, /^key-disabled-and-restored: seed 11, profile 2020-11/);
  assert.match(o.err, /documented rules: all held/);
});

test('run --json with a broken rule: status 1 in the object and as the exit status, the violations listed', async () => {
  const o = await cli('run', 'key-disabled-and-restored', '--out', join(root, 'json-broken'), '--json', '--param', 'brokenRule=lateRevocation');
  assert.is(o.status, STATUS.expectationFailed, show(o));
  const json = JSON.parse(o.out) as { status: number; rules: { held: boolean; violations: { rule: number; message: string }[] } };
  assert.is(json.status, 1);
  assert.is(json.rules.held, false);
  assert.ok(json.rules.violations.length > 0 && json.rules.violations.every((v) => v.rule === 2 && v.message !== ''));
});

test.run();
