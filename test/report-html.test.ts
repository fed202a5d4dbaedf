// report.html without a browser: the page is parsed by a strict tokenizer
// (every tag closed, SVG included; no stray < or &) into a small tree, and
// the tree is checked against the run: a lane per vault, storage account and
// workspace, windows at the right x, one mark per action, a row per
// incident, the credit, no external URL, escaping, determinism and a bounded
// page for many workspaces. `npm run test:browser` renders it in Chromium.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { escapeHtml as esc } from '../reports/format.ts';
import { CLOSE_UP_WORKSPACES_MAX, LANES_MAX, ReportCollector } from '../reports/report-html.ts';
import type { SimEvent } from '../sim/observe/events.ts';
import type { RunResult } from '../sim/result.ts';
import type { Scenario } from '../sim/scenario.ts';
import { runScenario } from '../sim/world.ts';
import { DAY, HOUR, MINUTE, scenario } from './helpers.ts';

// ---------------------------------------------------------------- a strict little HTML parser

interface El {
  tag: string;
  attrs: Record<string, string>;
  children: El[];
  /** Text and elements directly inside, in order; text as written (entities not decoded). */
  nodes: (El | string)[];
  /** The raw text of a <style>. */
  text: string;
}

const ENTITY = /&(?!(?:amp|lt|gt|quot|#39);)/;

/** Parses the page; throws on anything not well formed. Start tags end in "/>" or are closed by their end tag. */
function parse(html: string): El {
  assert.ok(html.startsWith('<!DOCTYPE html>\n'), 'starts with <!DOCTYPE html>');
  const root: El = { tag: '#root', attrs: {}, children: [], nodes: [], text: '' };
  const stack: El[] = [root];
  const token = /<\/([a-zA-Z][\w-]*)>|<([a-zA-Z][\w-]*)((?:\s+[a-zA-Z_:][\w:.-]*="[^"<>]*")*)\s*(\/?)>|([^<]+)/y;
  let at = '<!DOCTYPE html>'.length;
  while (at < html.length) {
    const top = stack[stack.length - 1]!;
    if (top.tag === 'style') {
      const end = html.indexOf('</style>', at);
      assert.ok(end !== -1, '<style> is closed');
      top.text += html.slice(at, end);
      at = end;
      stack.pop();
      at += '</style>'.length;
      continue;
    }
    token.lastIndex = at;
    const m = token.exec(html);
    if (m === null) throw new Error(`not well formed at ${at}: ${JSON.stringify(html.slice(at, at + 80))}`);
    at = token.lastIndex;
    const [, close, open, attrText, selfClosing, text] = m;
    if (text !== undefined) {
      if (ENTITY.test(text)) throw new Error(`a bare & in text: ${JSON.stringify(text.slice(0, 80))}`);
      if (text.includes('>')) throw new Error(`a bare > in text: ${JSON.stringify(text.slice(0, 80))}`);
      top.nodes.push(text);
    } else if (close !== undefined) {
      if (close !== top.tag) throw new Error(`</${close}> closes <${top.tag}> at ${at}: ${JSON.stringify(html.slice(at - 80, at))}`);
      stack.pop();
    } else {
      const attrs: Record<string, string> = {};
      for (const a of attrText!.matchAll(/([a-zA-Z_:][\w:.-]*)="([^"]*)"/g)) {
        if (a[1]! in attrs) throw new Error(`attribute ${a[1]} twice on <${open}>`);
        if (ENTITY.test(a[2]!)) throw new Error(`a bare & in attribute ${a[1]}`);
        attrs[a[1]!] = a[2]!;
      }
      const el: El = { tag: open!, attrs, children: [], nodes: [], text: '' };
      top.children.push(el);
      top.nodes.push(el);
      if (selfClosing !== '/') stack.push(el);
    }
  }
  if (stack.length !== 1) throw new Error(`unclosed: ${stack.map((e) => e.tag).join(' > ')}`);
  return root;
}

function all(el: El, pred: (e: El) => boolean, out: El[] = []): El[] {
  for (const child of el.children) {
    if (pred(child)) out.push(child);
    all(child, pred, out);
  }
  return out;
}

const byTag = (el: El, tag: string) => all(el, (e) => e.tag === tag);
const byClass = (el: El, cls: string) => all(el, (e) => (e.attrs.class ?? '').split(' ').includes(cls));
function byId(el: El, id: string): El {
  const found = all(el, (e) => e.attrs.id === id);
  assert.is(found.length, 1, `one element with id ${id}`);
  return found[0]!;
}

/** All text under an element, entities decoded. */
function textOf(el: El): string {
  const raw = el.nodes.map((node) => (typeof node === 'string' ? node : textOf(node))).join('');
  return raw.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

const num = (el: El, attr: string) => Number(el.attrs[attr]);

// ---------------------------------------------------------------- runs

interface Report {
  collector: ReportCollector;
  html: string;
  doc: El;
  result: RunResult;
  events: SimEvent[];
}

function report(s: Scenario): Report {
  const collector = new ReportCollector(s);
  const events: SimEvent[] = [];
  const result = runScenario(s, {
    onEvent: (e) => {
      events.push(e);
      collector.event(e);
    },
  });
  const html = collector.render(result);
  return { collector, html, doc: parse(html), result, events };
}

/** Two vaults (kv2 idle), a cluster with two storage accounts, two linked workspaces and one on shared storage; kv1 down at 1d for 45m. */
function outageScenario(extraActions: Record<string, unknown>[] = []): Scenario {
  return scenario({
    name: 'kv-outage-test',
    keyVaults: [
      { name: 'kv1', keys: [{ name: 'cmk', kty: 'RSA', size: 2048 }] },
      { name: 'kv2', keys: [{ name: 'other', kty: 'RSA', size: 2048 }] },
    ],
    clusters: [{ name: 'cl1', storageAccounts: 2, key: { vault: 'kv1', name: 'cmk' } }],
    workspaces: [
      { name: 'ws1', cluster: 'cl1', ingest: { gbPerDay: 100, recordsPerMinute: 100 }, query: { perHour: 60, lookback: '1h' } },
      { name: 'ws2', cluster: 'cl1', ingest: { gbPerDay: 100, recordsPerMinute: 50 }, query: { perHour: 30, lookback: '1d' } },
      { name: 'ws-shared', ingest: { gbPerDay: 10, recordsPerMinute: 10 }, query: { perHour: 10, lookback: '1h' } },
    ],
    actions: [{ at: '1d', do: 'keyVault.outage', vault: 'kv1', for: '45m' }, ...extraActions],
  });
}

let cached: Report | undefined;
/** The outage run, shared by the tests that only read it. */
const outage = () => (cached ??= report(outageScenario()));

function fullTimeline(doc: El): El {
  const svgs = byTag(byId(doc, 'timeline'), 'svg');
  const full = svgs.filter((s) => !(s.attrs.class ?? '').includes('closeup'));
  assert.is(full.length, 1, 'one whole-run timeline');
  return full[0]!;
}

function lane(svg: El, name: string): El {
  const found = all(svg, (e) => e.attrs.class === 'lane' && e.attrs['data-lane'] === name);
  assert.is(found.length, 1, `one lane ${name}`);
  return found[0]!;
}

/** x of time t on an SVG's axis, from its own data attributes. */
function xOf(svg: El, t: number): number {
  const x0 = num(svg, 'data-x0');
  const x1 = num(svg, 'data-x1');
  const from = num(svg, 'data-from-ms');
  const to = num(svg, 'data-to-ms');
  return x0 + ((t - from) / (to - from)) * (x1 - x0);
}

// ---------------------------------------------------------------- tests

test('the page is well formed, self-titled, and has its sections in order', () => {
  const { doc, result } = outage();
  const html = byTag(doc, 'html');
  assert.is(html.length, 1);
  assert.is(html[0]!.attrs.lang, 'en');
  assert.ok(textOf(byTag(doc, 'title')[0]!).includes('kv-outage-test'));
  assert.is(byTag(doc, 'h1').length, 1);
  assert.ok(textOf(byTag(doc, 'h1')[0]!).includes(result.scenario));
  assert.is(byTag(doc, 'style').length, 1);
  const ids = byTag(doc, 'section').map((s) => s.attrs.id);
  assert.equal(ids, ['headline', 'timeline', 'availability', 'records-lost', 'incidents', 'slo', 'rules', 'operations', 'expectations']);
  const meta = textOf(byTag(doc, 'header')[0]!);
  for (const part of [`seed ${result.seed}`, `profile ${result.profile}`, result.version, '2026-01-01 00:00:00Z', 'duration 2d']) assert.ok(meta.includes(part), `header names ${part}: ${meta}`);
  const headline = textOf(byId(doc, 'headline'));
  for (const part of ['records offered', 'records lost', 'query availability', 'service credit', 'still buffered']) assert.ok(headline.includes(part), part);
});

test('every chart is one SVG with role="img" and a title naming it', () => {
  const { doc } = outage();
  for (const id of ['availability', 'records-lost']) assert.is(byTag(byId(doc, id), 'svg').length, 1, `one svg in #${id}`);
  const svgs = byTag(doc, 'svg');
  assert.ok(svgs.length >= 4, 'timeline, its close-up, availability, records');
  for (const svg of svgs) {
    assert.is(svg.attrs.role, 'img');
    const label = svg.attrs['aria-labelledby'];
    assert.ok(label !== undefined);
    const title = svg.children[0]!;
    assert.is(title.tag, 'title', 'the first child is its <title>');
    assert.is(title.attrs.id, label);
    assert.ok(textOf(title).length > 20);
  }
  // The availability chart draws both series and the SLO target; the query line dips during the outage.
  const availability = byTag(byId(doc, 'availability'), 'svg')[0]!;
  assert.is(byClass(availability, 'slo-target').filter((e) => e.tag === 'line').length, 2, 'the dashed target and its legend key');
  const queries = byClass(availability, 'line-queries').find((e) => e.tag === 'path')!;
  const ys = new Set([...queries.attrs.d!.matchAll(/V([\d.]+)/g)].map((m) => m[1]));
  assert.ok(ys.size >= 2, `the query availability line changes: ${queries.attrs.d}`);
  const records = byTag(byId(doc, 'records-lost'), 'svg')[0]!;
  assert.is(byClass(records, 'line-lost').filter((e) => e.tag === 'path').length, 1);
  assert.is(byClass(records, 'line-buffered').filter((e) => e.tag === 'path').length, 1);
});

test('the timeline has a lane for every vault, cluster storage account and workspace, grouped, and none for shared storage', () => {
  const { doc, result } = outage();
  const svg = fullTimeline(doc);
  const lanes = byClass(svg, 'lane').map((l) => l.attrs['data-lane']);
  assert.equal(lanes, ['kv1', 'kv2', 'cl1/0', 'cl1/1', 'ws1', 'ws2', 'ws-shared']);
  assert.equal(Object.keys(result.storageAccounts).sort(), ['cl1/0', 'cl1/1', 'shared/0'], 'shared storage is in the result, not on the timeline');
  for (const name of lanes) {
    const label = byClass(lane(svg, name!), 'lane-label')[0]!;
    assert.ok(textOf(label).includes(name!), `lane ${name} is labelled`);
  }
  const groups = byClass(svg, 'group-title').map(textOf);
  assert.equal(groups, ['Key Vaults (2)', 'Storage accounts (2)', 'Workspaces (3)']);
  // The legend names every kind of shading.
  const legend = textOf(byClass(byId(doc, 'timeline'), 'legend')[0]!);
  for (const kind of ['Key Vault outage', 'network denied', 'transient errors', 'throttling', 'storage unavailable', 'revoked', 'MMK buffer in use', 'queries fail']) assert.ok(legend.includes(kind), kind);
});

test('the outage window spans 1d to 1d45m on the axis; unavailable, buffer and failing windows sit where the events say', () => {
  const { doc, events } = outage();
  const svg = fullTimeline(doc);
  assert.is(num(svg, 'data-from-ms'), 0);
  assert.is(num(svg, 'data-to-ms'), 2 * DAY);
  const rects = byClass(lane(svg, 'kv1'), 'win');
  assert.is(rects.length, 1);
  const rect = rects[0]!;
  assert.is(rect.attrs['data-kind'], 'outage');
  assert.is(num(rect, 'data-from-ms'), DAY);
  assert.is(num(rect, 'data-to-ms'), DAY + 45 * MINUTE);
  const x0 = num(svg, 'data-x0');
  const x1 = num(svg, 'data-x1');
  assert.ok(Math.abs(num(rect, 'x') - (x0 + (x1 - x0) / 2)) < 0.01, `x ${rect.attrs.x} is the middle of ${x0}..${x1}`);
  assert.ok(Math.abs(num(rect, 'width') - ((x1 - x0) * 45) / (48 * 60)) < 0.01, `width ${rect.attrs.width}`);
  assert.is(byClass(lane(svg, 'kv2'), 'win').length, 0, 'the idle vault has no window');

  for (const account of ['cl1/0', 'cl1/1']) {
    const unavailable = events.find((e) => e.type === 'storage.unavailable' && e.entity === account)!;
    const resumed = events.find((e) => e.type === 'storage.resumed' && e.entity === account)!;
    const windows = byClass(lane(svg, account), 'win');
    const u = windows.find((w) => w.attrs['data-kind'] === 'unavailable')!;
    assert.is(num(u, 'data-from-ms'), unavailable.t);
    assert.is(num(u, 'data-to-ms'), resumed.t);
    assert.ok(Math.abs(num(u, 'x') - xOf(svg, unavailable.t)) < 0.01);
    assert.ok(windows.some((w) => w.attrs['data-kind'] === 'buffer'), `${account} used the MMK buffer`);
  }
  for (const ws of ['ws1', 'ws2']) {
    const failing = events.filter((e) => e.type === 'workspace.queriesFailing' && e.entity === ws);
    const windows = byClass(lane(svg, ws), 'win');
    assert.is(windows.length, failing.length);
    assert.ok(windows.length > 0 && windows.every((w) => w.attrs['data-kind'] === 'queriesFailing'));
  }
  assert.is(byClass(lane(svg, 'ws-shared'), 'win').length, 0);

  // The close-up spans the trouble and draws the same window, wider, at its own scale.
  const closeUps = byClass(byId(doc, 'timeline'), 'closeup').filter((e) => e.tag === 'svg');
  assert.is(closeUps.length, 1);
  const zoom = closeUps[0]!;
  assert.ok(num(zoom, 'data-from-ms') < DAY && num(zoom, 'data-to-ms') > DAY + 45 * MINUTE);
  const zoomed = byClass(lane(zoom, 'kv1'), 'win')[0]!;
  assert.ok(Math.abs(num(zoomed, 'x') - xOf(zoom, DAY)) < 0.01);
  assert.ok(Math.abs(num(zoomed, 'x') + num(zoomed, 'width') - xOf(zoom, DAY + 45 * MINUTE)) < 0.02);
  assert.ok(num(zoomed, 'width') > 10 * num(rect, 'width'));
});

test('one numbered mark per action, listed in a table with its sentence; key events mark the vault lane', () => {
  const r = report(
    outageScenario([
      { at: '1d12h', do: 'key.disable', vault: 'kv1', key: 'cmk' },
      { at: '1d14h', do: 'key.enable', vault: 'kv1', key: 'cmk' },
    ]),
  );
  const actions = r.events.filter((e) => e.type === 'action');
  assert.is(actions.length, 3);
  const svg = fullTimeline(r.doc);
  const marks = byClass(svg, 'action-mark');
  assert.is(marks.length, actions.length);
  assert.equal(
    marks.map((m) => num(m, 'data-t-ms')),
    actions.map((a) => a.t),
  );
  assert.equal(marks.map((m) => textOf(byTag(m, 'text')[0]!)), ['1', '2', '3']);
  const rows = byTag(byTag(byClass(r.doc, 'actions')[0]!, 'tbody')[0]!, 'tr');
  assert.is(rows.length, actions.length);
  assert.ok(textOf(rows[1]!).includes('Action key.disable on kv1/cmk'), textOf(rows[1]!));
  assert.ok(textOf(rows[1]!).includes('+1d12h'));
  const vaultMarks = byClass(lane(svg, 'kv1'), 'mark');
  assert.ok(vaultMarks.some((m) => m.attrs.class!.includes('mark-bad') && textOf(m).includes('disabled')), 'the key disable is marked');
  assert.ok(vaultMarks.some((m) => m.attrs.class!.includes('mark-good') && textOf(m).includes('enabled')), 'the key enable is marked');
  // A revocation shades the storage lanes.
  assert.ok(byClass(svg, 'win').some((w) => w.attrs['data-kind'] === 'revoked'), 'a revoked window');
  // Close-ups draw only the actions inside them.
  for (const zoom of byClass(r.doc, 'closeup').filter((e) => e.tag === 'svg')) {
    for (const m of byClass(zoom, 'action-mark')) assert.ok(num(m, 'data-t-ms') >= num(zoom, 'data-from-ms') && num(m, 'data-t-ms') <= num(zoom, 'data-to-ms'));
  }
});

test('the incidents table has a row per incident; the SLO section shows the figures and the credit', () => {
  const { doc, result } = outage();
  assert.ok(result.incidents.length > 0);
  const rows = byTag(byTag(byId(doc, 'incidents'), 'tbody')[0]!, 'tr');
  assert.is(rows.length, result.incidents.length);
  const first = result.incidents[0]!;
  const cells = byTag(rows[0]!, 'td').map(textOf);
  assert.is(cells[0], first.storageAccount);
  assert.is(cells[1], first.kind);
  assert.is(cells[2], first.cause);
  assert.is(cells[3], '+1d');
  const heads = byTag(byId(doc, 'incidents'), 'th').map(textOf);
  for (const h of ['storage account', 'kind', 'cause', 'start', 'unavailable at', 'restored', 'resumed', 'buffered', 'dropped']) assert.ok(heads.includes(h), h);

  const slo = byId(doc, 'slo');
  const credit = result.slo.serviceCredit;
  const text = textOf(byId(doc, 'service-credit'));
  assert.ok(text.includes(`${credit.creditPercent} % service credit`), text);
  assert.ok(text.includes(`${credit.downtimeMinutes} minutes`), text);
  assert.ok(text.includes(credit.periodMinutes.toLocaleString('en-US')), text);
  const sloText = textOf(slo);
  for (const alert of result.slo.queries.alerts) assert.ok(sloText.includes(alert.name), alert.name);
  assert.ok(sloText.includes(`${(result.slo.queries.availabilityByRequests * 100).toFixed(3)} %`));
  assert.ok(sloText.includes(`${(result.slo.queries.availabilityByGoodMinutes * 100).toFixed(3)} %`));
  assert.is(byTag(byTag(byClass(slo, 'tiers')[0]!, 'tbody')[0]!, 'tr').length, credit.tiers.length);
  const rulesRows = byTag(byTag(byId(doc, 'rules'), 'tbody')[0]!, 'tr');
  assert.is(rulesRows.length, result.invariants.rules.length);
});

test('nothing is fetched: no script, no external URL, no src or href at all', () => {
  const { html, doc } = outage();
  assert.not.ok(/https?:\/\//i.test(html), 'no http:// or https://');
  assert.not.ok(/\/\/[a-z0-9.-]+\.[a-z]{2,}/i.test(html.replace(/<style>[\s\S]*<\/style>/, '')), 'no protocol-relative URL');
  assert.is(all(doc, (e) => 'src' in e.attrs || 'href' in e.attrs || 'xlink:href' in e.attrs).length, 0);
  for (const tag of ['script', 'link', 'img', 'iframe', 'object', 'embed']) assert.is(byTag(doc, tag).length, 0, `no <${tag}>`);
  assert.not.ok(/url\(|@import/i.test(byTag(doc, 'style')[0]!.text), 'the CSS loads nothing');
});

test('text from the scenario is escaped', () => {
  const { collector, result } = outage();
  const description = 'Evil <script>alert("x")</script> & <b>bold</b> it\'s';
  const operation = { id: 'op-x', atMs: 0, action: 'cluster.update', target: 'cl1<i>', status: 'Failed', httpStatus: 400, code: 'Bad&Code', message: '<img src=x onerror=alert(1)>', completedAtMs: 0 } as const;
  // render() only reads: the collector renders the same run with a hostile description and message.
  const html = collector.render({ ...result, description, operations: [...result.operations, operation] });
  const doc = parse(html);
  assert.not.ok(html.includes('<script'), 'no script tag');
  assert.not.ok(html.includes('<img'), 'no img tag');
  assert.ok(html.includes('Evil &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt; it&#39;s'));
  assert.is(esc(description), 'Evil &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt; it&#39;s');
  assert.is(textOf(byClass(doc, 'description')[0]!), description);
  assert.ok(textOf(byId(doc, 'operations')).includes('<img src=x onerror=alert(1)>'));
  assert.ok(textOf(byId(doc, 'operations')).includes('Bad&Code'));
  assert.ok(textOf(byId(doc, 'operations')).includes('cl1<i>'));
  assert.ok(collector.render(result) === outage().html, 'rendering again gives the same page');
});

test('the same run gives the same page, byte for byte', () => {
  const again = report(outageScenario());
  assert.ok(again.html === outage().html, 'identical');
});

test('many workspaces: at most 40 lanes, those whose queries failed first, the rest counted; the page stays small', () => {
  const workspaces = Array.from({ length: 60 }, (_, i) => ({
    name: `ws${String(i).padStart(2, '0')}`,
    // The last ten are linked to the cluster: only their queries fail.
    ...(i >= 50 ? { cluster: 'cl1' } : {}),
    ingest: { gbPerDay: 1, recordsPerMinute: 5 },
    query: { perHour: 4, lookback: '1h' },
  }));
  const r = report(scenario({ name: 'many', duration: '1d', workspaces, actions: [{ at: '12h', do: 'keyVault.outage', vault: 'kv1', for: '45m' }] }));
  const svg = fullTimeline(r.doc);
  const names = byClass(svg, 'lane').map((l) => l.attrs['data-lane']!);
  const shownWorkspaces = names.filter((n) => n.startsWith('ws'));
  assert.is(shownWorkspaces.length, LANES_MAX);
  for (let i = 50; i < 60; i++) assert.ok(shownWorkspaces.includes(`ws${i}`), `ws${i}, whose queries failed, is shown`);
  assert.equal(shownWorkspaces, [...shownWorkspaces].sort(), 'in scenario order');
  const note = byClass(svg, 'more').map(textOf);
  assert.is(note.length, 1);
  assert.ok(note[0]!.startsWith('20 more workspaces not shown'), note[0]);
  assert.ok(textOf(byClass(svg, 'group-title')[2]!).includes('(60)'));
  for (const zoom of byClass(r.doc, 'closeup').filter((e) => e.tag === 'svg')) {
    assert.is(byClass(zoom, 'lane').filter((l) => l.attrs['data-lane']!.startsWith('ws')).length, CLOSE_UP_WORKSPACES_MAX);
  }
  assert.ok(r.html.length < 200_000, `${r.html.length} bytes`);
});

test('a month of slices and rate changes draws at most a few thousand points, extremes and the end kept', () => {
  const month = 30 * DAY;
  const collector = new ReportCollector({ durationMs: month, keyVaults: [{ name: 'kv1' }] });
  const feed = (e: Record<string, unknown>) => collector.event(e as unknown as SimEvent);
  const ingested = (t: number, placement: string, composition: number, records: number) =>
    feed({ t, type: 'storage.ingested', entity: 'cl1/0', placement, parts: [{ composition, records, block: placement === 'revoked' ? null : { id: `b${t}-${composition}`, aek: 'a', bytes: 'b' } }] });
  feed({ t: 0, type: 'composition.defined', entity: 'cl1/0', composition: 1, retentionDays: 30, members: [{ workspace: 'ws1', recordsPerSlice: 7 }] });
  feed({ t: 0, type: 'composition.defined', entity: 'cl1/0', composition: 2, retentionDays: 30, members: [{ workspace: 'ws2', recordsPerSlice: 1 }] });
  feed({ t: 0, type: 'composition.defined', entity: 'cl1/0', composition: 3, retentionDays: 30, members: [{ workspace: 'ws3', recordsPerSlice: 123_456 }] });
  feed({ t: 0, type: 'workspace.workload', entity: 'ws1', recordsPerMinute: 1, queriesPerHour: 10, lookbackMs: HOUR });
  let buffered: { id: string; composition: number; records: number; aek: string; bytes: string }[] = [];
  for (let t = 0; t <= month; t += 5 * MINUTE) {
    ingested(t, 'revoked', 1, 7); // a revocation that drops records all month
    const spike = t === 17 * DAY + 5 * MINUTE;
    ingested(t, 'buffered', spike ? 3 : 2, spike ? 123_456 : 1); // a buffer that fills, one huge slice among them
    buffered.push({ id: `b${t}-${spike ? 3 : 2}`, composition: spike ? 3 : 2, records: spike ? 123_456 : 1, aek: 'a', bytes: 'b' });
    if (t % (97 * 5 * MINUTE) === 0 || t === 17 * DAY + 10 * MINUTE) {
      feed({ t, type: 'buffer.replayed', entity: 'cl1/0', records: buffered.reduce((n, b) => n + b.records, 0), blocks: buffered });
      buffered = [];
    }
    if (t % HOUR === 0) feed({ t, type: (t / HOUR) % 2 === 0 ? 'workspace.queriesFailing' : 'workspace.queriesServing', entity: 'ws1' });
  }
  const small = outage().result;
  const result: RunResult = { ...small, durationMs: month };
  const html = collector.render(result);
  const doc = parse(html);
  const records = byTag(byId(doc, 'records-lost'), 'svg')[0]!;
  const path = (cls: string, svg: El) => byClass(svg, cls).find((e) => e.tag === 'path')!.attrs.d!;
  const lostPath = path('line-lost', records);
  const points = lostPath.split('H').length;
  assert.ok(points <= 2100, `${points} points`);
  // The last value is drawn at the top of the axis: the series ends at `lost`, the axis at its nice ceiling.
  const bufferedPath = path('line-buffered', records);
  assert.ok(bufferedPath.split('H').length <= 2100);
  const ticks = byClass(records, 'tick').map(textOf);
  assert.ok(ticks.includes('200,000'), `the spike and the end set the scale: ${ticks.join(' ')}`);
  const availability = byTag(byId(doc, 'availability'), 'svg')[0]!;
  const q = path('line-queries', availability);
  assert.ok(q.split('H').length <= 2100);
  assert.ok(q.includes('V'), 'availability changes');
});

test.run();
