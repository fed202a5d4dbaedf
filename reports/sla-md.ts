// sla.md: the run told to a person: the verdict first, then what happened
// in order, the incidents, where the records went, the queries and the
// expectations.

import type { InvariantReport } from '../sim/observe/checker.ts';
import type { Incident, RunResult } from '../sim/result.ts';
import { formatDuration } from '../sim/engine/duration.ts';
import { count, percent, sinceStart, span, unresumed, wallClock } from './format.ts';
import { sentence } from './story.ts';

export function renderSlaMarkdown(result: RunResult): string {
  const { totals } = result;
  const lines: string[] = [];
  const push = (...more: string[]) => lines.push(...more);
  const lost = totals.ingestion.droppedRecords;
  const held = result.expectations.filter((e) => e.pass).length;

  push(`# SLA report: ${result.scenario}`, '');
  if (result.description !== '') push(`> ${asText(result.description)}`, '');
  push(
    `Seed ${result.seed}, profile ${result.profile}, ${span(result.durationMs)} simulated from ${wallClock(result.start, 0)}, cmk-sim ${result.version}. ` +
      `Times are given from the start (+1d2h3m4s) and as wall-clock UTC.`,
    '',
  );

  push('## Verdict', '');
  push(`- **Records lost:** ${count(lost)} of ${count(totals.ingestion.offeredRecords)} offered${lost > 0 ? ` (${dropReasons(result)})` : ''}.`);
  push(`- **Records still in the MMK buffer at the end:** ${count(totals.ingestion.bufferedRecords)}.`);
  push(`- **Query availability:** ${percent(totals.query.availability)} (${count(totals.query.failed)} of ${count(totals.query.attempted)} queries failed; queries of some workspace failed for ${span(totals.query.unavailableMs)}).`);
  push(`- **SLO ${sloName(result)}:** ${result.slo.met ? 'met' : 'missed'}; error budget used ${percent(result.slo.errorBudgetUsed, 1)}.`);
  push(`- **Incidents:** ${result.incidents.length} (${result.incidents.filter((i) => i.unavailableAtMs !== null).length} seen by users).`);
  if (result.expectations.length > 0) push(`- **Expectations:** ${held} of ${result.expectations.length} held.`);
  push(`- **Documented rules:** ${result.invariants.violations.length === 0 ? 'all held' : `${result.invariants.violations.length} violations`} (${count(result.invariants.checked)} checks).`);
  push('');

  push('## What happened, in order', '');
  for (const event of result.highlights.events) push(`- ${sinceStart(event.t)} (${wallClock(result.start, event.t)}): ${asText(sentence(event))}`);
  if (result.highlights.leftOut > 0) push(`- ... and ${count(result.highlights.leftOut)} more events in timeline.jsonl.`);
  push('');

  push('## Incidents', '');
  if (result.incidents.length === 0) push('None: no storage account ever failed to unwrap its key.', '');
  else {
    push('| storage account | kind | cause | began | users saw it | restored | resumed | users saw it for | buffered | lost |');
    push('|---|---|---|---|---|---|---|---|---|---|');
    for (const incident of result.incidents) push(incidentRow(result, incident));
    push('', '"Users saw it" is when the storage account became unavailable or revoked; "restored" the first successful unwrap after the cause cleared; "resumed" when ingestion and queries came back.', '');
  }

  push('## Records', '');
  push('| workspace | storage | offered | stored under CMK | stored under MMK | buffered at end | replayed from buffer | dropped: revoked | dropped: not provisioned | dropped: buffer expired |');
  push('|---|---|---|---|---|---|---|---|---|---|');
  for (const [name, ws] of Object.entries(result.workspaces)) push(recordsRow(name, ws.storage, ws.ingestion));
  push(recordsRow('**total**', '', totals.ingestion));
  push('', 'offered = stored under CMK + stored under MMK + buffered + dropped, exactly, for every row. Replayed records are counted in "stored under CMK" too.', '');

  push('## Queries', '');
  push('| workspace | attempted | succeeded | failed | availability | failing for |');
  push('|---|---|---|---|---|---|');
  for (const [name, ws] of Object.entries(result.workspaces)) {
    const q = ws.query;
    push(`| ${name} | ${count(q.attempted)} | ${count(q.succeeded)} | ${count(q.failed)} | ${percent(q.availability)} | ${span(q.unavailableMs)} |`);
  }
  const latency = totals.query.latencyMs;
  push('', `Latency of the ${count(latency.samples)} sampled queries that really opened their blocks: p50 ${latency.p50} ms, p95 ${latency.p95} ms, p99 ${latency.p99} ms.`, '');

  push(`## SLO: ${sloName(result)}`, '');
  push(sloSource(result), '');
  push('| | by requests | by good minutes | error budget used |');
  push('|---|---|---|---|');
  for (const [what, figures] of [['queries', result.slo.queries], ['ingestion (stored as it lands)', result.slo.ingestion]] as const) {
    push(`| ${what} | ${percent(figures.availabilityByRequests)} | ${percent(figures.availabilityByGoodMinutes)} (${count(figures.goodMinutes)} of ${count(figures.minutes)}) | ${percent(figures.errorBudgetUsed, 1)} |`);
  }
  push('', `Burn-rate alerts of ${result.slo.source}, evaluated every minute on the queries:`, '');
  if (result.slo.queries.alerts.length === 0) push('- none: the spec has no burn-rate alert');
  for (const alert of result.slo.queries.alerts) {
    const when = alert.firings.map((f) => `${sinceStart(f.firedAtMs)} to ${f.resolvedAtMs === null ? 'the end' : sinceStart(f.resolvedAtMs)}`);
    push(`- ${alert.name}: ${when.length === 0 ? 'never fired' : `fired ${when.join(', ')}`}`);
  }
  const credit = result.slo.serviceCredit;
  const tiers = credit.tiers.map((t) => `below ${percent(t.below, 2)}: ${t.creditPercent} %`).join(', ');
  push(
    '',
    `Service credit estimate: ${count(credit.downtimeMinutes)} minutes of query downtime in a ${count(credit.periodMinutes)}-minute billing period, uptime ${percent(credit.uptime)}: **${credit.creditPercent} % credit** (tiers: ${tiers === '' ? 'none' : tiers}).`,
  );
  push('');
  const seen = result.incidents.filter((i) => i.unavailableAtMs !== null);
  if (seen.length > 0) {
    push('Recovery per incident (from users first seeing it to ingestion and queries resuming):', '');
    for (const i of seen) {
      const recovery = i.resumedAtMs === null ? unresumed(result, i, 'not recovered by the end') : span(i.resumedAtMs - i.unavailableAtMs!);
      push(`- ${i.storageAccount} ${i.kind} (${i.cause}): ${recovery}; ${count(i.droppedRecords)} records lost`);
    }
    push('');
  }

  push('## Key Vault', '');
  const kv = totals.keyVault;
  push(`${count(kv.requests)} requests, ${count(kv.unwrapCalls)} unwrap calls, ${count(kv.unwrapFailures)} failed; ${count(kv.throttled)} throttled, ${count(kv.denied)} denied.`, '');

  if (result.operations.length > 0) {
    push('## Operations', '');
    push('| # | at | action | target | status | code | message | completed |');
    push('|---|---|---|---|---|---|---|---|');
    result.operations.forEach((op, index) => {
      push(`| ${index} | ${sinceStart(op.atMs)} | ${op.action} | ${op.target} | ${op.status} | ${op.code ?? ''} | ${escapeCell(op.message ?? '')} | ${op.completedAtMs === null ? '' : sinceStart(op.completedAtMs)} |`);
    });
    push('');
  }

  push('## Documented rules', '');
  push('| rule | what the documentation promises | checks | violations |');
  push('|---|---|---|---|');
  for (const r of result.invariants.rules) push(`| ${r.rule} | ${r.text} | ${count(r.checks)} | ${result.invariants.violations.filter((v) => v.rule === r.rule).length} |`);
  push('');
  for (const v of result.invariants.violations) push(`- **Rule ${v.rule} (${v.name}) broken at ${sinceStart(v.atMs)}:** ${asText(v.message)}.`);
  if (result.invariants.violations.length > 0) push('');

  if (result.expectations.length > 0) {
    push('## Expectations', '');
    push('| metric | expected | actual | held |');
    push('|---|---|---|---|');
    for (const e of result.expectations) push(`| ${e.metric} | ${e.op} ${escapeCell(JSON.stringify(e.value))} | ${escapeCell(JSON.stringify(e.actual) ?? 'nothing')} | ${e.pass ? 'yes' : '**no**'} |`);
    push('');
  }
  return lines.join('\n');
}

function incidentRow(result: RunResult, incident: Incident): string {
  const at = (ms: number | null) => (ms === null ? '-' : sinceStart(ms));
  const seenFor =
    incident.unavailableAtMs === null ? 'never' : incident.resumedAtMs === null ? unresumed(result, incident, 'until the end') : span(incident.resumedAtMs - incident.unavailableAtMs);
  return `| ${incident.storageAccount} | ${incident.kind} | ${incident.cause} | ${at(incident.startMs)} | ${at(incident.unavailableAtMs)} | ${at(incident.restoredAtMs)} | ${at(incident.resumedAtMs)} | ${seenFor} | ${count(incident.bufferedRecords)} | ${count(incident.droppedRecords)} |`;
}

function recordsRow(name: string, storage: string, i: RunResult['totals']['ingestion']): string {
  const d = i.droppedByReason;
  return `| ${name} | ${storage} | ${count(i.offeredRecords)} | ${count(i.storedCmkRecords)} | ${count(i.storedMmkRecords)} | ${count(i.bufferedRecords)} | ${count(i.replayedRecords)} | ${count(d.revoked)} | ${count(d.notProvisioned)} | ${count(d.bufferExpired)} |`;
}

function dropReasons(result: RunResult): string {
  return Object.entries(result.totals.ingestion.droppedByReason)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${count(n)} ${reason}`)
    .join(', ');
}

/**
 * Text the scenario chose (a description, a request's values in a message),
 * shown as text wherever the Markdown is rendered: a tag in it would be HTML
 * to most renderers.
 */
function asText(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function escapeCell(text: string): string {
  return asText(text).replaceAll('|', '\\|');
}

/** "99.9 %", or "99.9 % over 30d" when the SLO's window is not the run. */
export function sloName(result: RunResult): string {
  const { target, windowMs } = result.slo;
  return `${percent(target, 1)}${windowMs === null ? '' : ` over ${formatDuration(windowMs)}`}`;
}

/** Where the SLO comes from, and how a window longer than the run counts. */
export function sloSource(result: RunResult): string {
  const { source, windowMs } = result.slo;
  if (windowMs === null) return `Target from the parameter sloTarget, measured over the run; alerts of ${source}.`;
  const rest = windowMs > result.durationMs ? `; the run is ${span(result.durationMs)} of it, the rest of the window taken as the same requests without failures` : '; the run is at least that long, so it is its own window';
  return `Target, ${formatDuration(windowMs)} window and burn-rate alerts from ${source}${rest}. The error budget used is the window's; by requests and by good minutes are the run's.`;
}

/** The short summary `run` prints at the end. */
export function renderSummary(result: RunResult, outDir: string, files: readonly string[]): string {
  const { totals } = result;
  const lines = [
    `${result.scenario}: seed ${result.seed}, profile ${result.profile}, ${span(result.durationMs)} simulated, ${count(result.events)} simulator events`,
  ];
  const seen = result.incidents.filter((i) => i.unavailableAtMs !== null);
  lines.push(`incidents: ${result.incidents.length} (${seen.length} seen by users)`);
  for (const i of seen) {
    const end = i.resumedAtMs === null ? unresumed(result, i, 'not resumed by the end') : `resumed ${sinceStart(i.resumedAtMs)} (${wallClock(result.start, i.resumedAtMs)})`;
    lines.push(
      `  ${i.storageAccount} ${i.kind} (${i.cause} at ${sinceStart(i.startMs)}): ${i.kind === 'outage' ? 'unavailable' : 'revoked'} ${sinceStart(i.unavailableAtMs!)} (${wallClock(result.start, i.unavailableAtMs!)}), ${end}; ${count(i.bufferedRecords)} buffered, ${count(i.droppedRecords)} lost`,
    );
  }
  const ing = totals.ingestion;
  lines.push(
    `records: ${count(ing.offeredRecords)} offered, ${count(ing.storedCmkRecords)} under CMK (${count(ing.replayedRecords)} replayed from the MMK buffer), ${count(ing.storedMmkRecords)} under MMK, ${count(ing.bufferedRecords)} still buffered, ${count(ing.droppedRecords)} lost${ing.droppedRecords > 0 ? ` (${dropReasons(result)})` : ''}`,
  );
  lines.push(`queries: ${percent(totals.query.availability)} available (${count(totals.query.failed)} of ${count(totals.query.attempted)} failed, failing for ${span(totals.query.unavailableMs)}); SLO ${sloName(result)} ${result.slo.met ? 'met' : 'missed'}, service credit ${result.slo.serviceCredit.creditPercent} %`);
  if (result.expectations.length > 0) {
    const failed = result.expectations.filter((e) => !e.pass);
    lines.push(`expectations: ${result.expectations.length - failed.length} of ${result.expectations.length} held`);
    for (const e of failed) lines.push(`  FAILED ${e.metric} ${e.op} ${JSON.stringify(e.value)}: actual ${JSON.stringify(e.actual)}`);
  }
  lines.push(...renderVerdict(result.invariants));
  lines.push(`wrote ${outDir}/{${files.join(',')}}`);
  if (files.includes('report.html')) lines.push(`see it: open ${outDir}/report.html in a browser (sla.md has the story in words)`);
  return lines.join('\n');
}

/** The documented rules' verdict, as `run` and `check` print it: the first few violations in full. */
export function renderVerdict(report: InvariantReport): string[] {
  const { violations } = report;
  const lines = [`documented rules: ${violations.length === 0 ? `all held (${count(report.checked)} checks)` : `${violations.length} VIOLATED`}`];
  for (const v of violations.slice(0, 5)) lines.push(`  rule ${v.rule} (${v.name}): ${v.message}`);
  return lines;
}
