// One figure, one number: every figure that appears in more than one output
// of `run` (the printed summary, run --json, sla.json, sla.md, sla.csv,
// series.csv, report.html) is the same number in each, read back from the
// texts as a person or a script reads them.

import { readFileSync, rmSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { count, percent, span } from '../reports/format.ts';
import { cli, show, STATUS } from './cli-helpers.ts';

const root = mkdtempSync(join(tmpdir(), 'cmk-figures-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

interface Outputs {
  summary: string;
  json: Record<string, any>;
  sla: Record<string, any>;
  md: string;
  html: string;
  slaCsv: Record<string, string>[];
  series: Record<string, string>[];
}

let n = 0;
async function outputs(...args: string[]): Promise<Outputs> {
  const dir = join(root, `run-${++n}`);
  const o = await cli('run', ...args, '--out', dir, '--json');
  assert.ok(o.status === STATUS.ok || o.status === STATUS.expectationFailed, show(o));
  const read = (file: string) => readFileSync(join(dir, file), 'utf8');
  return {
    summary: o.err,
    json: JSON.parse(o.out) as Record<string, any>,
    sla: JSON.parse(read('sla.json')) as Record<string, any>,
    md: read('sla.md'),
    html: read('report.html'),
    slaCsv: parse(read('sla.csv'), { columns: true }) as Record<string, string>[],
    series: parse(read('series.csv'), { columns: true }) as Record<string, string>[],
  };
}

/** The first group of `pattern` in `text`, which must match. */
function find(text: string, pattern: RegExp, what: string): string {
  const match = pattern.exec(text);
  assert.ok(match !== null, `${what}: ${pattern} is not in the text`);
  return match[1]!;
}

/** A headline card of report.html: its value and its note. */
function card(html: string, label: string): { value: string; note: string } {
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`<div class="card-label">${escaped}</div><div class="card-value">([^<]*)</div>(?:<div class="card-note">([^<]*)</div>)?`).exec(html);
  assert.ok(match !== null, `no card ${label}`);
  return { value: match[1]!, note: match[2] ?? '' };
}

/** A row of an SLO table (sla.md or report.html): by requests, by good minutes, good minutes, error budget used. */
function mdSloRow(md: string, what: string): string[] {
  const row = md.split('\n').find((line) => line.startsWith(`| ${what} |`));
  assert.ok(row !== undefined, `no SLO row ${what} in sla.md`);
  return row.split('|').slice(2, -1).map((cell) => cell.trim());
}

function htmlSloRow(html: string, what: string): string[] {
  const row = new RegExp(`<tr><th>${what.replace(/[()]/g, '\\$&')}</th>((?:<td[^>]*>[^<]*</td>)+)</tr>`).exec(html);
  assert.ok(row !== null, `no SLO row ${what} in report.html`);
  return [...row[1]!.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]!);
}

const sum = (rows: Record<string, string>[], column: string) => rows.reduce((total, row) => total + Number(row[column]), 0);

/** Every place a figure appears, and the one value they must all show. */
function same(figure: string, places: Record<string, unknown>): void {
  const values = Object.entries(places);
  for (const [where, value] of values) assert.equal(value, values[0]![1], `${figure}: ${where} says ${JSON.stringify(value)}, ${values[0]![0]} says ${JSON.stringify(values[0]![1])}`);
}

function checkEveryFigure(o: Outputs): void {
  const { sla, md, html, summary, json } = o;
  const total = o.slaCsv.find((row) => row.workspace === '(total)')!;
  const q = sla.totals.query;
  const ing = sla.totals.ingestion;
  const slo = sla.slo;

  same('query availability (a number)', {
    'sla.json totals.query.availability': q.availability,
    'sla.json slo.availability': slo.availability,
    'sla.json slo.queries.availabilityByRequests': slo.queries.availabilityByRequests,
    'run --json totals.query.availability': json.totals.query.availability,
    'run --json slo.availability': json.slo.availability,
    'sla.csv total queryAvailability': Number(total.queryAvailability),
  });
  same('query availability (as printed)', {
    'sla.json, formatted': percent(q.availability),
    summary: find(summary, /^queries: ([\d.]+ %) available/m, 'summary'),
    'sla.md verdict': find(md, /\*\*Query availability:\*\* ([\d.]+ %)/, 'sla.md'),
    'sla.md SLO table, by requests': mdSloRow(md, 'queries')[0],
    'report.html card': card(html, 'query availability').value,
    'report.html availability chart': find(html, /Queries: ([\d.]+ %) over the run/, 'report.html chart'),
    'report.html SLO table, by requests': htmlSloRow(html, 'queries')[0],
  });
  same('queries failed of attempted', {
    'sla.json': `${count(q.failed)} of ${count(q.attempted)}`,
    summary: find(summary, /^queries: [\d.]+ % available \(([\d,]+ of [\d,]+) failed/m, 'summary'),
    'sla.md verdict': find(md, /\(([\d,]+ of [\d,]+) queries failed/, 'sla.md'),
    'report.html card': card(html, 'query availability').note.replace(/ failed$/, ''),
    'sla.csv total': `${count(Number(total.queriesFailed))} of ${count(Number(total.queriesAttempted))}`,
    'series.csv, summed': `${count(sum(o.series, 'queriesFailed'))} of ${count(sum(o.series, 'queriesAttempted'))}`,
    'run --json': `${count(json.totals.query.failed)} of ${count(json.totals.query.attempted)}`,
  });
  same('time with failing queries', {
    'sla.json': span(q.unavailableMs),
    summary: find(summary, /failing for ([\dmshd]+|0ms)\)/, 'summary'),
    'sla.md verdict': find(md, /failed for ([\dmshd]+|0ms)\)/, 'sla.md'),
    'sla.csv total': span(Number(total.queryUnavailableMs)),
  });
  same('records offered', {
    'sla.json': ing.offeredRecords,
    summary: Number(find(summary, /^records: ([\d,]+) offered/m, 'summary').replaceAll(',', '')),
    'sla.md verdict': Number(find(md, /\*\*Records lost:\*\* [\d,]+ of ([\d,]+) offered/, 'sla.md').replaceAll(',', '')),
    'report.html card': Number(card(html, 'records offered').value.replaceAll(',', '')),
    'sla.csv total': Number(total.offeredRecords),
    'series.csv, summed': sum(o.series, 'recordsOffered'),
    'run --json': json.totals.ingestion.offeredRecords,
  });
  same('records lost', {
    'sla.json': ing.droppedRecords,
    summary: Number(find(summary, /still buffered, ([\d,]+) lost/, 'summary').replaceAll(',', '')),
    'sla.md verdict': Number(find(md, /\*\*Records lost:\*\* ([\d,]+) of/, 'sla.md').replaceAll(',', '')),
    'report.html card': Number(card(html, 'records lost').value.replaceAll(',', '')),
    'report.html records chart': Number(find(html, /([\d,]+) of [\d,]+ offered records lost/, 'report.html').replaceAll(',', '')),
    'sla.csv total': Number(total.droppedRecords),
    'series.csv, last minute': Number(o.series.at(-1)!.recordsLost),
  });
  same('records still in the MMK buffer at the end', {
    'sla.json': ing.bufferedRecords,
    summary: Number(find(summary, /([\d,]+) still buffered/, 'summary').replaceAll(',', '')),
    'sla.md verdict': Number(find(md, /\*\*Records still in the MMK buffer at the end:\*\* ([\d,]+)/, 'sla.md').replaceAll(',', '')),
    'report.html card': Number(card(html, 'still buffered').value.replaceAll(',', '')),
    'sla.csv total': Number(total.bufferedRecords),
    'series.csv, last minute': Number(o.series.at(-1)!.recordsInMmkBuffer),
  });
  same('records replayed from the MMK buffer', {
    'sla.json': count(ing.replayedRecords),
    summary: find(summary, /\(([\d,]+) replayed from the MMK buffer\)/, 'summary'),
    'report.html card': card(html, 'stored under CMK').note.replace(/ replayed from the MMK buffer$/, ''),
    'sla.csv total': count(Number(total.replayedRecords)),
  });
  same('records stored under the MMK', {
    'sla.json': count(ing.storedMmkRecords),
    summary: find(summary, /, ([\d,]+) under MMK/, 'summary'),
    'report.html card': card(html, 'stored under MMK').value,
    'sla.csv total': count(Number(total.storedMmkRecords)),
  });
  const met = slo.met ? 'met' : 'missed';
  same('the SLO met or missed', {
    'sla.json': met,
    summary: find(summary, /SLO [\d.]+ %(?: over \w+)? (met|missed)/, 'summary'),
    'sla.md verdict': find(md, /\*\*SLO [\d.]+ %(?: over \w+)?:\*\* (met|missed)/, 'sla.md'),
    'report.html card': find(html, /<div class="card-label">SLO [\d.]+ %(?: over \w+)?<\/div><div class="card-value">(met|missed)/, 'report.html'),
    'run --json': json.slo.met ? 'met' : 'missed',
  });
  same('error budget used', {
    'sla.json': percent(slo.errorBudgetUsed, 1),
    'sla.json slo.queries': percent(slo.queries.errorBudgetUsed, 1),
    'sla.md verdict': find(md, /error budget used ([\d.]+ %)\./, 'sla.md'),
    'sla.md SLO table': mdSloRow(md, 'queries')[2],
    'report.html card': card(html, `SLO ${find(html, /<div class="card-label">SLO ([^<]+)<\/div>/, 'card')}`).note.replace(/^error budget used /, ''),
    'report.html SLO table': htmlSloRow(html, 'queries')[3],
  });
  same('query availability by good minutes', {
    'sla.json': `${percent(slo.queries.availabilityByGoodMinutes)} (${count(slo.queries.goodMinutes)} of ${count(slo.queries.minutes)})`,
    'sla.md SLO table': mdSloRow(md, 'queries')[1],
    'report.html SLO table': `${htmlSloRow(html, 'queries')[1]} (${htmlSloRow(html, 'queries')[2]})`,
    // A good minute is one in which no query failed: series.csv's failing rate is exactly 0.
    'series.csv': `${percent(o.series.filter((r) => Number(r.failingQueriesPerHour) === 0).length / o.series.length)} (${count(o.series.filter((r) => Number(r.failingQueriesPerHour) === 0).length)} of ${count(o.series.length)})`,
  });
  same('ingestion availability by requests (records stored as they landed)', {
    'sla.json': percent(slo.ingestion.availabilityByRequests),
    'sla.md SLO table': mdSloRow(md, 'ingestion (stored as it lands)')[0],
    'report.html availability chart': find(html, /ingestion: ([\d.]+ %)\. Faint bands/, 'report.html chart'),
    'report.html SLO table': htmlSloRow(html, 'ingestion (stored as it lands)')[0],
    'series.csv, summed': percent(sum(o.series, 'recordsOffered') === 0 ? 1 : sum(o.series, 'recordsStoredOnArrival') / sum(o.series, 'recordsOffered')),
  });
  same('ingestion good minutes', {
    'sla.json': count(slo.ingestion.goodMinutes),
    'series.csv': count(o.series.filter((r) => Number(r.unservedRecordsPerHour) === 0).length),
    'sla.md SLO table': find(mdSloRow(md, 'ingestion (stored as it lands)')[1]!, /\(([\d,]+) of/, 'sla.md'),
  });
  const credit = slo.serviceCredit;
  same('service credit', {
    'sla.json': `${credit.creditPercent} %`,
    summary: find(summary, /service credit (\d+ %)/, 'summary'),
    'sla.md': find(md, /\*\*(\d+ %) credit\*\*/, 'sla.md'),
    'report.html card': card(html, 'service credit').value,
    'report.html SLO section': find(html, /<b>(\d+ %) service credit<\/b>/, 'report.html'),
    'run --json': `${json.slo.serviceCreditPercent} %`,
  });
  same('uptime for the service credit', {
    'sla.json': percent(credit.uptime),
    'sla.md': find(md, /uptime ([\d.]+ %): \*\*/, 'sla.md'),
    'report.html card': card(html, 'service credit').note.replace(/^uptime /, ''),
    'report.html SLO section': find(html, /billing period: uptime ([\d.]+ %)/, 'report.html'),
  });
  same('minutes of query downtime', {
    'sla.json': count(credit.downtimeMinutes),
    'sla.json, minutes less good minutes': count(slo.queries.minutes - slo.queries.goodMinutes),
    'sla.md': find(md, /Service credit estimate: ([\d,]+) minutes/, 'sla.md'),
    'report.html': find(html, /id="service-credit"[^>]*>([\d,]+) minutes/, 'report.html'),
  });
  const seen = sla.incidents.filter((i: { unavailableAtMs: number | null }) => i.unavailableAtMs !== null).length;
  same('incidents, and those users saw', {
    'sla.json': `${sla.incidents.length} (${seen} seen by users)`,
    summary: find(summary, /^incidents: (\d+ \(\d+ seen by users\))/m, 'summary'),
    'sla.md verdict': find(md, /\*\*Incidents:\*\* (\d+ \(\d+ seen by users\))/, 'sla.md'),
    'report.html card': `${card(html, 'incidents').value} (${card(html, 'incidents').note})`,
    'run --json': `${json.incidents.count} (${json.incidents.seenByUsers} seen by users)`,
  });
  same('checks of the documented rules', {
    'sla.json': count(sla.invariants.checked),
    // The summary gives the count of checks when every rule held, the violations otherwise.
    ...(sla.invariants.violations.length === 0 ? { summary: find(summary, /documented rules: all held \(([\d,]+) checks\)/, 'summary') } : {}),
    'sla.md verdict': find(md, /\*\*Documented rules:\*\* .*?\(([\d,]+) checks\)/, 'sla.md'),
    'report.html card': find(card(html, 'rules and expectations').note, /^([\d,]+) checks/, 'report.html'),
    'run --json': count(json.rules.checks),
  });
  if (sla.expectations.length > 0) {
    const held = sla.expectations.filter((e: { pass: boolean }) => e.pass).length;
    same('expectations held', {
      'sla.json': `${held} of ${sla.expectations.length}`,
      summary: find(summary, /^expectations: (\d+ of \d+) held/m, 'summary'),
      'sla.md verdict': find(md, /\*\*Expectations:\*\* (\d+ of \d+) held/, 'sla.md'),
      'report.html': find(html, /<p class="lead">(\d+ of \d+) held\.<\/p>/, 'report.html'),
      'run --json': `${json.expectations.filter((e: { pass: boolean }) => e.pass).length} of ${json.expectations.length}`,
    });
  }
}

for (const args of [['kv-outage-45m'], ['key-disabled-and-restored'], ['kv-outage-8h'], ['link-before-provisioned'], ['kv-outage-45m', '--slo', 'examples/slo/openslo-queries.yaml']]) {
  test(`${args.join(' ')}: every figure that appears in more than one output is the same number in each`, async () => {
    checkEveryFigure(await outputs(...args));
  });
}

test.run();

test('an incident whose cluster was deleted before it resumed says so in every output, not "by the end"', async () => {
  const o = await outputs('cluster-deleted-during-outage');
  const [incident] = o.sla.incidents as { resumedAtMs: number | null; storageAccount: string }[];
  assert.is(incident!.resumedAtMs, null);
  assert.is(o.sla.storageAccounts[incident!.storageAccount].finalState, 'deleted');
  for (const [name, text] of [['summary', o.summary], ['sla.md', o.md], ['report.html', o.html]] as const) {
    assert.ok(text.includes('never resumed: its cluster was deleted'), `${name} says why the incident never resumed`);
    assert.not.ok(/not (resumed|recovered) by the end|until the end/.test(text), `${name} does not say "by the end"`);
  }
});
