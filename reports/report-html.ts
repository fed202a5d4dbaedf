// report.html: the run on one self-contained page (inline CSS and SVG, no
// script, no network) for people who want to see it at a glance: a timeline
// with a lane per Key Vault, storage account and workspace, availability and
// records-lost charts, then the incidents, the SLO, the documented rules, the
// operations and the expectations.
//
// ReportCollector listens during the run like the trace writer: every call
// is O(1) amortised and what it keeps is bounded (windows and marks per lane,
// step series compacted to a few thousand points), so a month of a thousand
// workspaces costs little. render() draws the page from what it kept and the
// run's result; the same run gives the same bytes.

import type { SimEvent } from '../sim/observe/events.ts';
import { RateSteps } from '../sim/observe/rates.ts';
import { RecordLedger } from '../sim/observe/records.ts';
import type { Incident, RunResult } from '../sim/result.ts';
import { MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE } from '../sim/engine/duration.ts';
import { count, escapeHtml, percent, sinceStart, span, unresumed, wallClock } from './format.ts';
import { sloName, sloSource } from './sla-md.ts';
import { sentence } from './story.ts';

/** What a shaded window on a lane means. */
export type WindowKind =
  | 'outage'
  | 'networkDenied'
  | 'transient'
  | 'throttle'
  | 'provisioning'
  | 'unavailable'
  | 'revoked'
  | 'deleted'
  | 'buffer'
  | 'queriesFailing';

export const WINDOW_KINDS: Record<WindowKind, { label: string; fill: string }> = {
  outage: { label: 'Key Vault outage', fill: '#e15759' },
  networkDenied: { label: 'network denied', fill: '#b07aa1' },
  transient: { label: 'transient errors', fill: '#edc948' },
  throttle: { label: 'throttling', fill: '#9c755f' },
  provisioning: { label: 'provisioning', fill: '#bab0ac' },
  unavailable: { label: 'storage unavailable', fill: '#f28e2b' },
  revoked: { label: 'revoked (key access lost)', fill: '#8b1e3f' },
  deleted: { label: 'deleted', fill: '#4b4b4b' },
  buffer: { label: 'MMK buffer in use', fill: '#76b7b2' },
  queriesFailing: { label: 'queries fail', fill: '#d65f9e' },
};

/** Geometry shared by every chart, so that a time sits at the same x in all of them. */
export const LAYOUT = {
  width: 1100,
  /** Left edge of the plotting area (lane labels and y axes to its left). */
  x0: 200,
  /** Right edge of the plotting area. */
  x1: 1060,
  laneHeight: 24,
  groupHeight: 24,
} as const;

/** Most lanes drawn per group; the rest are counted. */
export const LANES_MAX = 40;
/** Most workspace lanes in a close-up of the timeline. */
export const CLOSE_UP_WORKSPACES_MAX = 12;
/** Most rows of the operations, actions and incidents tables. */
export const TABLE_ROWS_MAX = 200;
/** Points a step series keeps before it is compacted. */
const SERIES_CAP = 4000;
/** Buckets a compacted series keeps (up to four points each: first, lowest, highest, last). */
const SERIES_BUCKETS = 500;
/** Most points of a drawn line. */
const DRAWN_POINTS_MAX = 4 * SERIES_BUCKETS;

interface Window {
  kind: WindowKind;
  from: number;
  to: number;
}

interface Mark {
  t: number;
  tone: 'bad' | 'good' | 'info';
  text: string;
}

class Lane {
  readonly windows: Window[] = [];
  readonly marks: Mark[] = [];
  readonly open = new Map<WindowKind, number>();

  begin(kind: WindowKind, t: number): void {
    if (!this.open.has(kind)) this.open.set(kind, t);
  }

  end(kind: WindowKind, t: number): void {
    const from = this.open.get(kind);
    if (from === undefined) return;
    this.open.delete(kind);
    this.windows.push({ kind, from, to: t });
  }

  /** Closed windows and those still open, closed at the end of the run. */
  allWindows(endMs: number): Window[] {
    const all = [...this.windows];
    for (const [kind, from] of this.open) all.push({ kind, from, to: endMs });
    return all;
  }
}

/** A step series: from t[i] on, the value is v[i]. Kept bounded by compaction that keeps each bucket's first, lowest, highest and last point. */
class StepSeries {
  t: number[] = [];
  v: number[] = [];

  constructor(
    private readonly durationMs: number,
    initial: number,
  ) {
    this.t.push(0);
    this.v.push(initial);
  }

  add(t: number, value: number): void {
    const last = this.v.length - 1;
    if (this.v[last] === value) return;
    if (this.t[last] === t) {
      this.v[last] = value;
      if (last > 0 && this.v[last - 1] === value) {
        this.t.pop();
        this.v.pop();
      }
      return;
    }
    this.t.push(t);
    this.v.push(value);
    if (this.t.length > SERIES_CAP) this.compact();
  }

  get max(): number {
    let max = 0;
    for (const v of this.v) if (v > max) max = v;
    return max;
  }

  /** At most DRAWN_POINTS_MAX points for drawing: the series itself, or a compacted copy. */
  points(): { t: number[]; v: number[] } {
    return this.t.length <= DRAWN_POINTS_MAX ? this : this.compacted();
  }

  private compact(): void {
    const { t, v } = this.compacted();
    this.t = t;
    this.v = v;
  }

  private compacted(): { t: number[]; v: number[] } {
    const bucketMs = Math.max(1, this.durationMs / SERIES_BUCKETS);
    const t: number[] = [];
    const v: number[] = [];
    let i = 0;
    while (i < this.t.length) {
      const bucket = Math.floor(this.t[i]! / bucketMs);
      let j = i;
      let low = i;
      let high = i;
      while (j + 1 < this.t.length && Math.floor(this.t[j + 1]! / bucketMs) === bucket) {
        j++;
        if (this.v[j]! < this.v[low]!) low = j;
        if (this.v[j]! > this.v[high]!) high = j;
      }
      for (const k of [...new Set([i, low, high, j])].sort((a, b) => a - b)) {
        if (v.length > 0 && v[v.length - 1] === this.v[k]) continue;
        t.push(this.t[k]!);
        v.push(this.v[k]!);
      }
      i = j + 1;
    }
    return { t, v };
  }
}

type Group = 'vault' | 'storage' | 'workspace';

/** Events that simply open or close a window on their entity's lane. */
const WINDOW_EDGES: Partial<Record<SimEvent['type'], { group: Group; kind: WindowKind; opens: boolean }>> = {
  'keyVault.outage.begin': { group: 'vault', kind: 'outage', opens: true },
  'keyVault.outage.end': { group: 'vault', kind: 'outage', opens: false },
  'keyVault.networkDenied.begin': { group: 'vault', kind: 'networkDenied', opens: true },
  'keyVault.networkDenied.end': { group: 'vault', kind: 'networkDenied', opens: false },
  'keyVault.transient.begin': { group: 'vault', kind: 'transient', opens: true },
  'keyVault.transient.end': { group: 'vault', kind: 'transient', opens: false },
  'keyVault.throttle.begin': { group: 'vault', kind: 'throttle', opens: true },
  'keyVault.throttle.end': { group: 'vault', kind: 'throttle', opens: false },
  'buffer.started': { group: 'storage', kind: 'buffer', opens: true },
  'buffer.replayed': { group: 'storage', kind: 'buffer', opens: false },
  'workspace.queriesFailing': { group: 'workspace', kind: 'queriesFailing', opens: true },
  'workspace.queriesServing': { group: 'workspace', kind: 'queriesFailing', opens: false },
};

interface TimelineGroup {
  group: Group;
  title: string;
  noun: string;
  shown: { lanes: { name: string; lane: Lane; windows: Window[] }[]; hidden: number; total: number };
}

/** What the collector needs of the scenario: its length and its vaults (lanes even when nothing happens to them). */
export interface ReportScenario {
  durationMs: number;
  keyVaults: readonly { name: string }[];
}

/** Listens to a run (event, slice, rates) and renders report.html from what it kept and the result. */
export class ReportCollector {
  private readonly lanes: Record<Group, Map<string, Lane>> = { vault: new Map(), storage: new Map(), workspace: new Map() };
  private readonly actions: (SimEvent & { type: 'action' })[] = [];
  /** Clusters being created: their storage accounts are provisioning since then. */
  private readonly creating = new Map<string, number>();
  private readonly lost: StepSeries;
  private readonly buffered: StepSeries;
  private readonly queryAvailability: StepSeries;
  private readonly ingestAvailability: StepSeries;
  /** Where the records went, and the request rates: the same folds of the history as sla.json's. */
  private readonly records = new RecordLedger();
  /** Availability is the good share of the requests, 1 without requests. */
  private readonly rates = new RateSteps((step) => {
    this.queryAvailability.add(step.t, availability(step.queries));
    this.ingestAvailability.add(step.t, availability(step.ingestion));
  });

  constructor(scenario: ReportScenario) {
    this.lost = new StepSeries(scenario.durationMs, 0);
    this.buffered = new StepSeries(scenario.durationMs, 0);
    this.queryAvailability = new StepSeries(scenario.durationMs, 1);
    this.ingestAvailability = new StepSeries(scenario.durationMs, 1);
    for (const vault of scenario.keyVaults) this.lane('vault', vault.name);
  }

  event(e: SimEvent): void {
    const t = e.t;
    if (this.records.apply(e)) {
      const { buffered, lost } = this.records.bufferedAndLost();
      this.lost.add(t, lost);
      this.buffered.add(t, buffered);
    }
    this.rates.apply(e);
    const edge = WINDOW_EDGES[e.type];
    if (edge !== undefined) {
      const lane = this.lane(edge.group, e.entity);
      return edge.opens ? lane.begin(edge.kind, t) : lane.end(edge.kind, t);
    }
    switch (e.type) {
      case 'action':
        this.actions.push(e);
        return;
      case 'key.disabled':
      case 'key.deleted':
      case 'key.purged':
      case 'accessPolicy.removed':
      case 'roleAssignment.deleted':
        return this.mark('vault', vaultOf(e.entity), { t, tone: 'bad', text: sentence(e) });
      case 'key.enabled':
      case 'key.recovered':
      case 'accessPolicy.set':
      case 'roleAssignment.created':
        return this.mark('vault', vaultOf(e.entity), { t, tone: 'good', text: sentence(e) });
      case 'key.created':
        return this.mark('vault', vaultOf(e.entity), { t, tone: 'info', text: sentence(e) });
      case 'operation.accepted':
        if (e.action === 'cluster.create') this.creating.set(e.entity, t);
        return;
      case 'operation.succeeded':
      case 'operation.failed':
        if (e.action === 'cluster.create') this.creating.delete(e.entity);
        return;
      case 'storage.provisioned': {
        const lane = this.lane('storage', e.entity);
        lane.end('deleted', t);
        const since = this.creating.get(clusterOf(e.entity));
        if (since !== undefined && since < t) lane.windows.push({ kind: 'provisioning', from: since, to: t });
        return;
      }
      case 'storage.unavailable':
        return this.lane('storage', e.entity).begin('unavailable', t);
      case 'storage.revoked': {
        const lane = this.lane('storage', e.entity);
        lane.end('unavailable', t);
        return lane.begin('revoked', t);
      }
      case 'storage.resumed': {
        const lane = this.lane('storage', e.entity);
        lane.end('unavailable', t);
        return lane.end('revoked', t);
      }
      case 'storage.deleted': {
        const lane = this.lane('storage', e.entity);
        lane.end('unavailable', t);
        lane.end('revoked', t);
        lane.end('buffer', t);
        return lane.begin('deleted', t);
      }
      case 'buffer.expired':
        return this.mark('storage', e.entity, { t, tone: 'bad', text: sentence(e) });
      default:
        return;
    }
  }

  /** After every ingestion slice: records in the MMK buffer and lost so far. */
  render(result: RunResult): string {
    const page = new Page(result);
    const html: string[] = [];
    const push = (...more: string[]) => html.push(...more);
    push(
      '<!DOCTYPE html>',
      '<html lang="en">',
      '<head>',
      '<meta charset="utf-8" />',
      '<meta name="viewport" content="width=device-width, initial-scale=1" />',
      `<title>${escapeHtml(`cmk-sim report: ${result.scenario} (seed ${result.seed})`)}</title>`,
      `<style>${CSS}</style>`,
      '</head>',
      '<body>',
      '<main>',
    );
    push(...header(result));
    push(...headline(result));
    push(...this.timeline(page));
    push(...this.availabilityChart(page));
    push(...this.recordsChart(page));
    push(...incidents(result));
    push(...slo(result));
    push(...rules(result));
    push(...operations(result));
    push(...expectations(result));
    push(
      `<footer>cmk-sim ${escapeHtml(result.version)} · scenario ${escapeHtml(result.scenario)} · seed ${result.seed} · profile ${escapeHtml(result.profile)} · ${count(result.events)} simulator events. The same run gives the same page; sla.json holds every figure.</footer>`,
      '</main>',
      '</body>',
      '</html>',
      '',
    );
    return html.join('\n');
  }

  private lane(group: Group, name: string): Lane {
    const lanes = this.lanes[group];
    let lane = lanes.get(name);
    if (lane === undefined) {
      lane = new Lane();
      lanes.set(name, lane);
    }
    return lane;
  }

  private mark(group: Group, name: string, mark: Mark): void {
    this.lane(group, name).marks.push(mark);
  }

  /** The lanes of a group to draw, in order, and how many were left out. */
  private shown(group: Group, order: readonly string[], endMs: number, max = LANES_MAX): TimelineGroup['shown'] {
    const lanes = this.lanes[group];
    const known = new Set(order);
    const candidates = [...order, ...[...lanes.keys()].filter((name) => !known.has(name))];
    // Shared (MMK) storage goes last, and only when something happened to it.
    const busy = (name: string) => (lanes.get(name)?.windows.length ?? 0) + (lanes.get(name)?.open.size ?? 0) > 0;
    const names = [...candidates.filter((n) => !n.startsWith('shared/')), ...candidates.filter((n) => n.startsWith('shared/') && busy(n))];
    const all = names.map((name, index) => {
      const lane = lanes.get(name) ?? new Lane();
      const windows = lane.allWindows(endMs);
      const busyMs = windows.reduce((sum, w) => sum + (w.to - w.from), 0);
      return { name, lane, windows, index, busy: windows.length + lane.marks.length > 0 ? 1 : 0, busyMs };
    });
    if (all.length <= max) return { lanes: all, hidden: 0, total: all.length };
    const picked = [...all]
      .sort((a, b) => b.busy - a.busy || b.busyMs - a.busyMs || a.index - b.index)
      .slice(0, max)
      .sort((a, b) => a.index - b.index);
    return { lanes: picked, hidden: all.length - picked.length, total: all.length };
  }

  private timeline(page: Page): string[] {
    const { result } = page;
    const end = result.durationMs;
    const groups: TimelineGroup[] = [
      { group: 'vault', title: 'Key Vaults', noun: 'Key Vaults', shown: this.shown('vault', [], end) },
      { group: 'storage', title: 'Storage accounts', noun: 'storage accounts', shown: this.shown('storage', Object.keys(result.storageAccounts), end) },
      { group: 'workspace', title: 'Workspaces', noun: 'workspaces', shown: this.shown('workspace', Object.keys(result.workspaces), end) },
    ];
    const out: string[] = [];
    out.push('<section id="timeline">', '<h2>Timeline</h2>');
    out.push(`<p class="lead">${escapeHtml(`Starts ${wallClock(result.start, 0)} and runs ${span(end)}. Each lane is one Key Vault, storage account or workspace; shading marks when it was in trouble. Storage lanes show the account's state on top and the Microsoft-key (MMK) buffer below. Hover a shape for details.`)}</p>`);
    out.push(legend());
    out.push(`<div class="figure">${this.timelineSvg(page, groups, 'timeline-title', `Timeline of ${result.scenario}, the whole run: a lane per Key Vault, storage account and workspace, shaded where something was wrong, actions numbered`)}</div>`);
    const closeUps = this.closeUps(end);
    // Close-ups repeat fewer workspaces: they are there for the moments, not the inventory.
    const closeUpGroups = groups.map((g) => (g.group === 'workspace' ? { ...g, shown: this.shown('workspace', Object.keys(result.workspaces), end, CLOSE_UP_WORKSPACES_MAX) } : g));
    closeUps.forEach(([from, to], i) => {
      const zoom = new Page(result, from, to);
      out.push(`<h3>${escapeHtml(`Close-up ${closeUps.length > 1 ? `${i + 1} ` : ''}from ${sinceStart(from)} to ${sinceStart(to)} (${span(to - from)})`)}</h3>`);
      out.push(`<div class="figure">${this.timelineSvg(zoom, closeUpGroups, `timeline-closeup-${i + 1}-title`, `Close-up of the timeline from ${sinceStart(from)} to ${sinceStart(to)}`)}</div>`);
    });
    out.push(...this.actionsTable(result));
    out.push('</section>');
    return out;
  }

  /**
   * Where things happened, when that is a small part of the run: spans of
   * windows and actions, merged when close, padded; at most three.
   */
  private closeUps(durationMs: number): [number, number][] {
    const spans: [number, number][] = [];
    for (const group of Object.values(this.lanes)) {
      for (const lane of group.values()) for (const w of lane.allWindows(durationMs)) spans.push([w.from, w.to]);
    }
    for (const a of this.actions) spans.push([a.t, a.t]);
    if (spans.length === 0 || durationMs <= 0) return [];
    spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const gap = durationMs * 0.04;
    const merged: [number, number][] = [];
    for (const [from, to] of spans) {
      const last = merged[merged.length - 1];
      if (last !== undefined && from <= last[1] + gap) last[1] = Math.max(last[1], to);
      else merged.push([from, to]);
    }
    const out: [number, number][] = [];
    for (const [from, to] of merged) {
      const pad = Math.max((to - from) * 0.2, durationMs * 0.004, 60_000);
      const a = Math.max(0, from - pad);
      const b = Math.min(durationMs, to + pad);
      if (b - a <= durationMs * 0.35) out.push([a, b]);
    }
    return out.slice(0, 3);
  }

  private timelineSvg(page: Page, groups: readonly TimelineGroup[], titleId: string, title: string): string {
    const { result } = page;
    const { laneHeight, groupHeight, x0, x1, width } = LAYOUT;
    const axisHeight = 44;
    const marks: { action: SimEvent & { type: 'action' }; number: number }[] = [];
    this.actions.forEach((action, index) => {
      if (marks.length < TABLE_ROWS_MAX * 5 && page.contains(action.t)) marks.push({ action, number: index + 1 });
    });
    // Action markers in levels so that close ones do not overlap.
    const levelEnds: number[] = [];
    const placed = marks.map(({ action, number }) => {
      const x = page.x(action.t);
      let level = levelEnds.findIndex((lastX) => x - lastX >= 20);
      if (level === -1) {
        level = levelEnds.length < 4 ? levelEnds.length : levelEnds.length - 1;
        if (level === levelEnds.length) levelEnds.push(x);
      }
      levelEnds[level] = x;
      return { action, x, level, number };
    });
    const actionRowHeight = this.actions.length === 0 ? 0 : 8 + 20 * Math.max(1, levelEnds.length);
    let y = axisHeight + actionRowHeight;
    const body: string[] = [];
    const backgrounds: string[] = [];
    for (const { group, title: groupTitle, noun, shown } of groups) {
      backgrounds.push(`<rect class="group-band" x="0" y="${y}" width="${width}" height="${groupHeight}" />`);
      body.push(`<text class="group-title" x="8" y="${y + 16}">${escapeHtml(groupTitle)} (${count(shown.total)})</text>`);
      y += groupHeight;
      shown.lanes.forEach(({ name, lane, windows }, index) => {
        if (index % 2 === 1) backgrounds.push(`<rect class="lane-band" x="0" y="${y}" width="${width}" height="${laneHeight}" />`);
        body.push(...laneSvg(page, group, name, lane, windows, y));
        y += laneHeight;
      });
      if (shown.total === 0) {
        body.push(`<text class="note" x="${x0}" y="${y + 16}">none</text>`);
        y += laneHeight;
      }
      if (shown.hidden > 0) {
        body.push(`<text class="note more" x="${x0}" y="${y + 16}">${count(shown.hidden)} more ${escapeHtml(noun)} not shown (the ${count(shown.lanes.length)} shown are those with the most shaded time; sla.json has them all)</text>`);
        y += laneHeight;
      }
    }
    const height = y + 8;
    const svg: string[] = [];
    svg.push(
      `<svg class="chart timeline${page.fromMs === 0 && page.toMs === result.durationMs ? '' : ' closeup'}" role="img" aria-labelledby="${titleId}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" data-x0="${x0}" data-x1="${x1}" data-from-ms="${page.fromMs}" data-to-ms="${page.toMs}">`,
      `<title id="${titleId}">${escapeHtml(title)}</title>`,
    );
    svg.push(...backgrounds);
    // Time grid and axis.
    for (const tick of page.ticks) {
      const x = n(page.x(tick));
      svg.push(`<line class="grid" x1="${x}" y1="${axisHeight - 6}" x2="${x}" y2="${height - 8}" />`);
      svg.push(`<text class="tick" x="${x}" y="16" text-anchor="middle">${escapeHtml(tickLabel(tick))}</text>`);
      svg.push(`<text class="tick sub" x="${x}" y="30" text-anchor="middle">${escapeHtml(shortClock(result.start, tick))}</text>`);
    }
    svg.push(`<text class="axis-note" x="8" y="16">time from start</text>`, `<text class="axis-note sub" x="8" y="30">UTC (month-day time)</text>`);
    if (this.actions.length > 0) {
      const top = axisHeight;
      svg.push(`<text class="lane-label" x="8" y="${top + 18}">Actions (${count(this.actions.length)})</text>`);
      for (const { action, x, level, number } of placed) {
        const cy = top + 14 + level * 20;
        svg.push(
          `<g class="action-mark" data-t-ms="${action.t}"><title>${escapeHtml(`#${number} ${sinceStart(action.t)} (${wallClock(result.start, action.t)}): ${sentence(action)}`)}</title>` +
            `<line class="action-line" x1="${n(x)}" y1="${cy + 8}" x2="${n(x)}" y2="${height - 8}" />` +
            `<circle cx="${n(x)}" cy="${cy}" r="8" /><text x="${n(x)}" y="${cy + 3.5}" text-anchor="middle">${number}</text></g>`,
        );
      }
    }
    svg.push(...body);
    svg.push(`<line class="axis" x1="${x0}" y1="${axisHeight - 6}" x2="${x1}" y2="${axisHeight - 6}" />`);
    svg.push('</svg>');
    return svg.join('');
  }

  private actionsTable(result: RunResult): string[] {
    if (this.actions.length === 0) return ['<p class="note">No actions: the scenario only runs its workload.</p>'];
    const out = ['<table class="actions">', '<thead><tr><th>#</th><th>at</th><th>UTC</th><th>action</th></tr></thead>', '<tbody>'];
    this.actions.slice(0, TABLE_ROWS_MAX).forEach((a, i) => {
      out.push(`<tr><td class="num">${i + 1}</td><td>${escapeHtml(sinceStart(a.t))}</td><td>${escapeHtml(wallClock(result.start, a.t))}</td><td>${escapeHtml(sentence(a))}</td></tr>`);
    });
    out.push('</tbody>', '</table>');
    if (this.actions.length > TABLE_ROWS_MAX) out.push(`<p class="note">${count(this.actions.length - TABLE_ROWS_MAX)} more actions in timeline.jsonl.</p>`);
    return out;
  }

  /** Faint bands behind the charts: when a Key Vault was in trouble. */
  private contextBands(page: Page, top: number, bottom: number): string[] {
    const out: string[] = [];
    for (const lane of this.lanes.vault.values()) {
      for (const w of lane.allWindows(page.result.durationMs)) {
        const x = page.x(w.from);
        out.push(`<rect class="context" x="${n(x)}" y="${top}" width="${n(Math.max(1.5, page.x(w.to) - x))}" height="${bottom - top}" fill="${WINDOW_KINDS[w.kind].fill}" />`);
      }
    }
    return out;
  }

  private availabilityChart(page: Page): string[] {
    const { result } = page;
    const chart = new LineChart(page, 260, 0, 1);
    const target = result.slo.target;
    const svg: string[] = [chart.open('availability-title')];
    svg.push(`<title id="availability-title">${escapeHtml(`Query and ingestion availability over time, 0 to 100 %, with the SLO target ${percent(target, 1)}`)}</title>`);
    svg.push(...this.contextBands(page, chart.top, chart.bottom));
    for (const v of [0, 0.25, 0.5, 0.75, 1]) svg.push(chart.yTick(v, `${Math.round(v * 100)} %`));
    svg.push(...chart.xAxis());
    const yTarget = n(chart.y(target));
    svg.push(`<line class="slo-target" x1="${LAYOUT.x0}" y1="${yTarget}" x2="${LAYOUT.x1}" y2="${yTarget}" />`);
    svg.push(chart.line(this.ingestAvailability, 'line-ingestion', 'ingestion availability'));
    svg.push(chart.line(this.queryAvailability, 'line-queries', 'query availability'));
    svg.push(chart.legend([['line-queries', 'queries'], ['line-ingestion', 'ingestion (stored as it lands)'], ['slo-target', `SLO target ${percent(target, 1)}`]]));
    svg.push('</svg>');
    const q = result.slo.queries;
    const i = result.slo.ingestion;
    return [
      '<section id="availability">',
      '<h2>Availability</h2>',
      `<p class="lead">${escapeHtml(`Share of requests that succeed, as it changes. Queries: ${percent(q.availabilityByRequests)} over the run; ingestion: ${percent(i.availabilityByRequests)}. Faint bands: Key Vault trouble.`)}</p>`,
      `<div class="figure">${svg.join('')}</div>`,
      '</section>',
    ];
  }

  private recordsChart(page: Page): string[] {
    const { result } = page;
    const max = niceCeiling(Math.max(this.lost.max, this.buffered.max, 1));
    const chart = new LineChart(page, 240, 0, max);
    const svg: string[] = [chart.open('records-title')];
    svg.push(`<title id="records-title">${escapeHtml(`Records lost so far (cumulative) and records waiting in the MMK buffer, over time; at most ${count(max)}`)}</title>`);
    svg.push(...this.contextBands(page, chart.top, chart.bottom));
    for (let k = 0; k <= 4; k++) svg.push(chart.yTick((max * k) / 4, count((max * k) / 4)));
    svg.push(...chart.xAxis());
    svg.push(chart.line(this.buffered, 'line-buffered', 'records in the MMK buffer'));
    svg.push(chart.line(this.lost, 'line-lost', 'records lost (cumulative)'));
    svg.push(chart.legend([['line-lost', 'records lost (cumulative)'], ['line-buffered', 'records in the MMK buffer']]));
    svg.push('</svg>');
    const ing = result.totals.ingestion;
    return [
      '<section id="records-lost">',
      '<h2>Records lost and buffered</h2>',
      `<p class="lead">${escapeHtml(`${count(ing.droppedRecords)} of ${count(ing.offeredRecords)} offered records lost; ${count(ing.replayedRecords)} replayed from the MMK buffer under the customer key; ${count(ing.bufferedRecords)} still buffered at the end.`)}</p>`,
      `<div class="figure">${svg.join('')}</div>`,
      '</section>',
    ];
  }
}

/** A time axis: the whole run, or a close-up of part of it. */
class Page {
  readonly ticks: number[];
  readonly fromMs: number;
  readonly toMs: number;

  constructor(
    readonly result: RunResult,
    fromMs = 0,
    toMs = result.durationMs,
  ) {
    this.fromMs = fromMs;
    this.toMs = toMs;
    this.ticks = ticks(fromMs, toMs);
  }

  contains(t: number): boolean {
    return t >= this.fromMs && t <= this.toMs;
  }

  x(t: number): number {
    const d = this.toMs - this.fromMs;
    const clamped = Math.min(Math.max(t, this.fromMs), this.toMs) - this.fromMs;
    return LAYOUT.x0 + (d <= 0 ? 0 : (clamped / d) * (LAYOUT.x1 - LAYOUT.x0));
  }
}

class LineChart {
  readonly top = 34;
  readonly bottom: number;

  constructor(
    private readonly page: Page,
    private readonly height: number,
    private readonly min: number,
    private readonly max: number,
  ) {
    this.bottom = height - 40;
  }

  y(value: number): number {
    return this.bottom - ((value - this.min) / (this.max - this.min)) * (this.bottom - this.top);
  }

  open(titleId: string): string {
    const { width, x0, x1 } = LAYOUT;
    return `<svg class="chart" role="img" aria-labelledby="${titleId}" width="${width}" height="${this.height}" viewBox="0 0 ${width} ${this.height}" data-x0="${x0}" data-x1="${x1}" data-from-ms="${this.page.fromMs}" data-to-ms="${this.page.toMs}">`;
  }

  yTick(value: number, label: string): string {
    const y = n(this.y(value));
    return `<line class="grid" x1="${LAYOUT.x0}" y1="${y}" x2="${LAYOUT.x1}" y2="${y}" /><text class="tick" x="${LAYOUT.x0 - 8}" y="${n(this.y(value) + 4)}" text-anchor="end">${escapeHtml(label)}</text>`;
  }

  xAxis(): string[] {
    const out = [`<line class="axis" x1="${LAYOUT.x0}" y1="${this.bottom}" x2="${LAYOUT.x1}" y2="${this.bottom}" />`];
    for (const tick of this.page.ticks) {
      const x = n(this.page.x(tick));
      out.push(`<line class="axis" x1="${x}" y1="${this.bottom}" x2="${x}" y2="${this.bottom + 5}" />`);
      out.push(`<text class="tick" x="${x}" y="${this.bottom + 18}" text-anchor="middle">${escapeHtml(tickLabel(tick))}</text>`);
      out.push(`<text class="tick sub" x="${x}" y="${this.bottom + 31}" text-anchor="middle">${escapeHtml(shortClock(this.page.result.start, tick))}</text>`);
    }
    return out;
  }

  /** A step line: each value holds until the next point. */
  line(series: StepSeries, cls: string, label: string): string {
    const d: string[] = [];
    const points = series.points();
    points.t.forEach((t, i) => {
      const x = n(this.page.x(t));
      const y = n(this.y(points.v[i]!));
      d.push(i === 0 ? `M${x} ${y}` : `H${x}V${y}`);
    });
    d.push(`H${LAYOUT.x1}`);
    return `<path class="line ${cls}" d="${d.join('')}"><title>${escapeHtml(label)}</title></path>`;
  }

  legend(items: [string, string][]): string {
    let x = LAYOUT.x0;
    const out: string[] = [];
    for (const [cls, label] of items) {
      out.push(`<line class="${cls} key" x1="${x}" y1="14" x2="${x + 24}" y2="14" /><text class="legend-text" x="${x + 30}" y="18">${escapeHtml(label)}</text>`);
      x += 48 + label.length * 7;
    }
    return `<g class="chart-legend">${out.join('')}</g>`;
  }
}

function laneSvg(page: Page, group: Group, name: string, lane: Lane, windows: Window[], top: number): string[] {
  const { laneHeight, x0, x1 } = LAYOUT;
  const isStorage = group === 'storage';
  const parts: string[] = [];
  parts.push(`<g class="lane" data-lane="${escapeHtml(name)}">`);
  parts.push(`<text class="lane-label" x="16" y="${top + 16}">${escapeHtml(truncate(name, 26))}<title>${escapeHtml(name)}</title></text>`);
  parts.push(`<line class="lane-rule" x1="${x0}" y1="${top + laneHeight}" x2="${x1}" y2="${top + laneHeight}" />`);
  for (const w of windows) {
    if (w.to < w.from || w.to < page.fromMs || w.from > page.toMs) continue;
    const buffer = w.kind === 'buffer';
    const y = isStorage ? (buffer ? top + 16 : top + 3) : top + 4;
    const h = isStorage ? (buffer ? 6 : 12) : laneHeight - 8;
    const x = page.x(w.from);
    const wide = Math.max(1.5, page.x(w.to) - x);
    const info = `${name}: ${WINDOW_KINDS[w.kind].label} from ${sinceStart(w.from)} to ${sinceStart(w.to)} (${span(w.to - w.from)})`;
    parts.push(
      `<rect class="win" data-kind="${w.kind}" data-from-ms="${w.from}" data-to-ms="${w.to}" x="${n(x)}" y="${y}" width="${n(wide)}" height="${h}" fill="${WINDOW_KINDS[w.kind].fill}"><title>${escapeHtml(info)}</title></rect>`,
    );
  }
  for (const mark of lane.marks) {
    if (!page.contains(mark.t)) continue;
    const x = n(page.x(mark.t));
    const cy = top + laneHeight / 2;
    parts.push(`<path class="mark mark-${mark.tone}" d="M${x} ${cy - 6}L${n(page.x(mark.t) + 5)} ${cy}L${x} ${cy + 6}L${n(page.x(mark.t) - 5)} ${cy}Z"><title>${escapeHtml(`${sinceStart(mark.t)}: ${mark.text}`)}</title></path>`);
  }
  parts.push('</g>');
  return parts;
}

function header(result: RunResult): string[] {
  const out = ['<header>', `<h1>${escapeHtml(result.scenario)}</h1>`];
  if (result.description !== '') out.push(`<p class="description">${escapeHtml(result.description)}</p>`);
  out.push(
    `<p class="meta">${[
      `seed <b>${result.seed}</b>`,
      `profile <b>${escapeHtml(result.profile)}</b>`,
      `cmk-sim <b>${escapeHtml(result.version)}</b>`,
      `start <b>${escapeHtml(wallClock(result.start, 0))}</b>`,
      `duration <b>${escapeHtml(span(result.durationMs))}</b>`,
      `<b>${count(result.events)}</b> simulator events`,
    ].join(' · ')}</p>`,
    '</header>',
  );
  return out;
}

function headline(result: RunResult): string[] {
  const ing = result.totals.ingestion;
  const met = result.slo.met;
  const credit = result.slo.serviceCredit;
  const seen = result.incidents.filter((i) => i.unavailableAtMs !== null).length;
  const failedExpectations = result.expectations.filter((e) => !e.pass).length;
  const card = (label: string, value: string, tone: 'good' | 'bad' | 'warn' | 'plain', note = '') =>
    `<div class="card ${tone}"><div class="card-label">${escapeHtml(label)}</div><div class="card-value">${escapeHtml(value)}</div>${note === '' ? '' : `<div class="card-note">${escapeHtml(note)}</div>`}</div>`;
  return [
    '<section id="headline" class="cards">',
    card('records offered', count(ing.offeredRecords), 'plain'),
    card('stored under CMK', count(ing.storedCmkRecords), 'plain', `${count(ing.replayedRecords)} replayed from the MMK buffer`),
    card('stored under MMK', count(ing.storedMmkRecords), ing.storedMmkRecords > 0 ? 'warn' : 'plain'),
    card('still buffered', count(ing.bufferedRecords), ing.bufferedRecords > 0 ? 'warn' : 'plain', 'in the MMK buffer at the end'),
    card('records lost', count(ing.droppedRecords), ing.droppedRecords > 0 ? 'bad' : 'good'),
    card('query availability', percent(result.totals.query.availability), met ? 'good' : 'bad', `${count(result.totals.query.failed)} of ${count(result.totals.query.attempted)} failed`),
    card(`SLO ${sloName(result)}`, met ? 'met' : 'missed', met ? 'good' : 'bad', `error budget used ${percent(result.slo.errorBudgetUsed, 1)}`),
    card('service credit', `${credit.creditPercent} %`, credit.creditPercent > 0 ? 'bad' : 'good', `uptime ${percent(credit.uptime)}`),
    card('incidents', count(result.incidents.length), seen > 0 ? 'warn' : 'plain', `${seen} seen by users`),
    card(
      'rules and expectations',
      result.invariants.violations.length + failedExpectations === 0 ? 'all held' : `${result.invariants.violations.length + failedExpectations} failed`,
      result.invariants.violations.length + failedExpectations === 0 ? 'good' : 'bad',
      `${count(result.invariants.checked)} checks, ${result.expectations.length} expectations`,
    ),
    '</section>',
  ];
}

function incidents(result: RunResult): string[] {
  const out = ['<section id="incidents">', '<h2>Incidents</h2>'];
  if (result.incidents.length === 0) {
    out.push('<p class="note">None: no storage account ever failed to unwrap its key.</p>', '</section>');
    return out;
  }
  out.push(
    '<p class="lead">One per cause a storage account saw. "Unavailable at" is when users first saw it; "restored" the first successful unwrap after the cause cleared; "resumed" when ingestion and queries came back.</p>',
    '<table class="incidents">',
    '<thead><tr><th>storage account</th><th>kind</th><th>cause</th><th>start</th><th>unavailable at</th><th>restored</th><th>resumed</th><th>users saw it for</th><th class="num">buffered</th><th class="num">dropped</th></tr></thead>',
    '<tbody>',
  );
  const shown = result.incidents.slice(0, TABLE_ROWS_MAX * 5);
  for (const i of shown) out.push(incidentRow(result, i));
  out.push('</tbody>', '</table>');
  if (result.incidents.length > shown.length) out.push(`<p class="note">${count(result.incidents.length - shown.length)} more incidents in sla.json.</p>`);
  out.push('</section>');
  return out;
}

function incidentRow(result: RunResult, i: Incident): string {
  const at = (ms: number | null) => (ms === null ? '<span class="none">-</span>' : `<span title="${escapeHtml(wallClock(result.start, ms))}">${escapeHtml(sinceStart(ms))}</span>`);
  const seenFor = i.unavailableAtMs === null ? 'never' : i.resumedAtMs === null ? unresumed(result, i, 'until the end') : span(i.resumedAtMs - i.unavailableAtMs);
  return (
    `<tr><td>${escapeHtml(i.storageAccount)}</td><td><span class="tag tag-${i.kind}">${escapeHtml(i.kind)}</span></td><td>${escapeHtml(i.cause)}</td><td>${at(i.startMs)}</td><td>${at(i.unavailableAtMs)}</td>` +
    `<td>${at(i.restoredAtMs)}</td><td>${at(i.resumedAtMs)}</td><td>${escapeHtml(seenFor)}</td><td class="num">${count(i.bufferedRecords)}</td><td class="num${i.droppedRecords > 0 ? ' bad' : ''}">${count(i.droppedRecords)}</td></tr>`
  );
}

function slo(result: RunResult): string[] {
  const s = result.slo;
  const credit = s.serviceCredit;
  const out = ['<section id="slo">', `<h2>SLO ${escapeHtml(sloName(result))}</h2>`, `<p class="lead">${escapeHtml(sloSource(result))}</p>`];
  out.push(
    '<table class="slo">',
    '<thead><tr><th></th><th class="num">by requests</th><th class="num">by good minutes</th><th class="num">good minutes</th><th class="num">error budget used</th></tr></thead>',
    '<tbody>',
  );
  for (const [what, f] of [['queries', s.queries], ['ingestion (stored as it lands)', s.ingestion]] as const) {
    const tone = f.met ? 'good' : 'bad';
    out.push(
      `<tr><th>${escapeHtml(what)}</th><td class="num ${tone}">${escapeHtml(percent(f.availabilityByRequests))}</td><td class="num">${escapeHtml(percent(f.availabilityByGoodMinutes))}</td><td class="num">${count(f.goodMinutes)} of ${count(f.minutes)}</td><td class="num">${escapeHtml(percent(f.errorBudgetUsed, 1))}</td></tr>`,
    );
  }
  out.push('</tbody>', '</table>');
  out.push('<h3>Burn-rate alerts on the queries</h3>', `<p class="lead">${escapeHtml(`The burn-rate alerts of ${s.source}, evaluated every minute.`)}</p>`, '<ul class="alerts">');
  if (s.queries.alerts.length === 0) out.push('<li>none: the spec has no burn-rate alert</li>');
  for (const alert of s.queries.alerts) {
    const when = alert.firings.map((f) => `${sinceStart(f.firedAtMs)} to ${f.resolvedAtMs === null ? 'the end' : sinceStart(f.resolvedAtMs)}`);
    out.push(`<li><b>${escapeHtml(alert.name)}</b>: ${when.length === 0 ? '<span class="good">never fired</span>' : `<span class="bad">fired</span> ${escapeHtml(when.join(', '))}`}</li>`);
  }
  out.push('</ul>');
  out.push('<h3>Service credit</h3>');
  out.push(
    `<p id="service-credit" class="credit ${credit.creditPercent > 0 ? 'bad' : 'good'}">${escapeHtml(
      `${count(credit.downtimeMinutes)} minutes of query downtime in a ${count(credit.periodMinutes)}-minute billing period: uptime ${percent(credit.uptime)}, `,
    )}<b>${escapeHtml(`${credit.creditPercent} % service credit`)}</b>.</p>`,
  );
  if (credit.tiers.length > 0) {
    out.push('<table class="tiers">', '<thead><tr><th>monthly uptime below</th><th class="num">credit</th></tr></thead>', '<tbody>');
    for (const tier of credit.tiers) {
      const applies = credit.creditPercent > 0 && tier.creditPercent === credit.creditPercent && credit.uptime < tier.below;
      out.push(`<tr${applies ? ' class="applies"' : ''}><td>${escapeHtml(percent(tier.below, 2))}</td><td class="num">${tier.creditPercent} %</td></tr>`);
    }
    out.push('</tbody>', '</table>');
  } else out.push('<p class="note">No credit tiers configured.</p>');
  const seen = result.incidents.filter((i) => i.unavailableAtMs !== null);
  if (seen.length > 0) {
    out.push('<h3>Recovery per incident</h3>', '<ul class="recovery">');
    for (const i of seen.slice(0, TABLE_ROWS_MAX)) {
      const recovery = i.resumedAtMs === null ? unresumed(result, i, 'not recovered by the end') : span(i.resumedAtMs - i.unavailableAtMs!);
      out.push(`<li>${escapeHtml(`${i.storageAccount} ${i.kind} (${i.cause}): ${recovery} from users seeing it to resumed; ${count(i.droppedRecords)} records lost`)}</li>`);
    }
    out.push('</ul>');
  }
  out.push('</section>');
  return out;
}

function rules(result: RunResult): string[] {
  const inv = result.invariants;
  const out = ['<section id="rules">', '<h2>Documented rules</h2>'];
  out.push(`<p class="lead">${escapeHtml(`${count(inv.checked)} checks of what the documentation promises; ${inv.violations.length === 0 ? 'every rule held' : `${inv.violations.length} violations`}.`)}</p>`);
  out.push('<table class="rules">', '<thead><tr><th class="num">rule</th><th>what the documentation promises</th><th class="num">checks</th><th class="num">violations</th></tr></thead>', '<tbody>');
  for (const r of inv.rules) {
    const broken = inv.violations.filter((v) => v.rule === r.rule).length;
    out.push(`<tr><td class="num">${r.rule}</td><td>${escapeHtml(r.text)}</td><td class="num">${count(r.checks)}</td><td class="num ${broken > 0 ? 'bad' : 'good'}">${broken}</td></tr>`);
  }
  out.push('</tbody>', '</table>');
  if (inv.violations.length > 0) {
    out.push('<ul class="violations">');
    for (const v of inv.violations) out.push(`<li class="bad">${escapeHtml(`Rule ${v.rule} (${v.name}) broken at ${sinceStart(v.atMs)} on ${v.entity}: ${v.message}.`)}</li>`);
    out.push('</ul>');
  }
  out.push('</section>');
  return out;
}

function operations(result: RunResult): string[] {
  const ops = result.operations;
  const out = ['<section id="operations">', '<h2>Operations</h2>'];
  if (ops.length === 0) {
    out.push('<p class="note">No control-plane requests during the run.</p>', '</section>');
    return out;
  }
  out.push('<table class="operations">', '<thead><tr><th class="num">#</th><th>at</th><th>action</th><th>target</th><th>status</th><th>code</th><th>message</th><th>completed</th></tr></thead>', '<tbody>');
  ops.slice(0, TABLE_ROWS_MAX).forEach((op, index) => {
    const tone = op.status === 'Succeeded' ? 'good' : op.status === 'Failed' ? 'bad' : '';
    out.push(
      `<tr><td class="num">${index}</td><td>${escapeHtml(sinceStart(op.atMs))}</td><td>${escapeHtml(op.action)}</td><td>${escapeHtml(op.target)}</td><td class="${tone}">${escapeHtml(op.status)}</td><td>${escapeHtml(op.code ?? '')}</td><td>${escapeHtml(op.message ?? '')}</td><td>${op.completedAtMs === null ? '' : escapeHtml(sinceStart(op.completedAtMs))}</td></tr>`,
    );
  });
  out.push('</tbody>', '</table>');
  if (ops.length > TABLE_ROWS_MAX) out.push(`<p class="note">${count(ops.length - TABLE_ROWS_MAX)} more operations in sla.json (${count(ops.length)} in all).</p>`);
  out.push('</section>');
  return out;
}

function expectations(result: RunResult): string[] {
  const out = ['<section id="expectations">', '<h2>Expectations</h2>'];
  if (result.expectations.length === 0) {
    out.push('<p class="note">The scenario states no expectations.</p>', '</section>');
    return out;
  }
  const held = result.expectations.filter((e) => e.pass).length;
  out.push(`<p class="lead">${held} of ${result.expectations.length} held.</p>`);
  out.push('<table class="expectations">', '<thead><tr><th>metric</th><th>expected</th><th>actual</th><th>held</th></tr></thead>', '<tbody>');
  for (const e of result.expectations) {
    out.push(
      `<tr><td><code>${escapeHtml(e.metric)}</code></td><td>${escapeHtml(`${e.op} ${JSON.stringify(e.value)}`)}</td><td><code>${escapeHtml(JSON.stringify(e.actual) ?? 'undefined')}</code></td><td class="${e.pass ? 'good' : 'bad'}">${e.pass ? 'yes' : 'no'}</td></tr>`,
    );
  }
  out.push('</tbody>', '</table>', '</section>');
  return out;
}

function legend(): string {
  const kinds: WindowKind[] = ['outage', 'networkDenied', 'transient', 'throttle', 'unavailable', 'revoked', 'buffer', 'queriesFailing', 'provisioning', 'deleted'];
  const items = kinds.map((k) => `<li><span class="swatch" style="background:${WINDOW_KINDS[k].fill}"></span>${escapeHtml(WINDOW_KINDS[k].label)}</li>`);
  items.push('<li><span class="swatch action-swatch">1</span>action (numbered, listed below)</li>');
  items.push('<li><span class="diamond bad"></span>key or access revoked</li>');
  items.push('<li><span class="diamond good"></span>key or access granted</li>');
  return `<ul class="legend">${items.join('')}</ul>`;
}

function availability(r: { bad: number; total: number }): number {
  return r.total <= 0 ? 1 : 1 - r.bad / r.total;
}

function vaultOf(entity: string): string {
  const slash = entity.indexOf('/');
  return slash === -1 ? entity : entity.slice(0, slash);
}

function clusterOf(storageAccount: string): string {
  const slash = storageAccount.lastIndexOf('/');
  return slash === -1 ? storageAccount : storageAccount.slice(0, slash);
}

/** A coordinate, to two decimals. */
function n(x: number): string {
  return String(Math.round(x * 100) / 100);
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const TICK_STEPS = [1000, 5000, 10_000, 30_000, MS_PER_MINUTE, 2 * MS_PER_MINUTE, 5 * MS_PER_MINUTE, 10 * MS_PER_MINUTE, 15 * MS_PER_MINUTE, 30 * MS_PER_MINUTE, MS_PER_HOUR, 2 * MS_PER_HOUR, 3 * MS_PER_HOUR, 6 * MS_PER_HOUR, 12 * MS_PER_HOUR, MS_PER_DAY, 2 * MS_PER_DAY, 3 * MS_PER_DAY, 7 * MS_PER_DAY, 14 * MS_PER_DAY, 30 * MS_PER_DAY, 90 * MS_PER_DAY, 365 * MS_PER_DAY];

/** Round times from the start in [from, to], at most ten intervals. */
function ticks(fromMs: number, toMs: number): number[] {
  const length = toMs - fromMs;
  if (length <= 0) return [fromMs];
  const step = TICK_STEPS.find((s) => length / s <= 10) ?? Math.ceil(length / 10);
  const out: number[] = [];
  for (let t = Math.ceil(fromMs / step) * step; t <= toMs; t += step) out.push(t);
  return out;
}

function tickLabel(t: number): string {
  return t === 0 ? 'start' : sinceStart(t);
}

/** "01-02 06:00": the wall clock of a tick, short. */
function shortClock(startIso: string, t: number): string {
  const full = wallClock(startIso, t); // 2026-01-02 06:00:00Z
  return full.slice(5, 16);
}

/** 1, 2 or 5 times a power of ten, at least `value`. */
function niceCeiling(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * power >= value) return m * power;
  return 10 * power;
}

const CSS = `
:root { --ink: #1f2933; --muted: #5f6b7a; --line: #d9dee5; --band: #f5f7fa; --good: #1e7f4f; --bad: #b42318; --warn: #b54708; }
* { box-sizing: border-box; }
body { margin: 0; background: #eef1f5; color: var(--ink); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans", "DejaVu Sans", sans-serif; }
main { max-width: 1200px; margin: 0 auto; padding: 24px 24px 40px; background: #fff; min-height: 100vh; }
header { border-bottom: 3px solid #2b5797; padding-bottom: 12px; margin-bottom: 18px; }
h1 { font-size: 26px; margin: 0 0 4px; letter-spacing: -0.01em; }
h1::before { content: "cmk-sim report · "; color: var(--muted); font-weight: 400; }
h2 { font-size: 19px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 6px; }
.description { font-size: 16px; margin: 4px 0 6px; }
.meta { color: var(--muted); margin: 0; }
.meta b { color: var(--ink); font-weight: 600; }
.lead { color: var(--muted); margin: 4px 0 10px; }
.note { color: var(--muted); font-style: italic; }
.cards { display: grid; grid-template-columns: repeat(5, 1fr); gap: 10px; }
.card { border: 1px solid var(--line); border-left: 5px solid #9aa5b1; border-radius: 6px; padding: 8px 12px; background: #fbfcfd; }
.card.good { border-left-color: var(--good); }
.card.bad { border-left-color: var(--bad); background: #fff6f5; }
.card.warn { border-left-color: #f28e2b; }
.card-label { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.04em; }
.card-value { font-size: 22px; font-weight: 650; font-variant-numeric: tabular-nums; }
.card.good .card-value { color: var(--good); }
.card.bad .card-value { color: var(--bad); }
.card-note { font-size: 12px; color: var(--muted); }
.figure { overflow-x: auto; margin: 6px 0 12px; }
svg.chart { display: block; width: 100%; height: auto; font-family: inherit; }
svg .grid { stroke: #e6e9ee; stroke-width: 1; }
svg .axis { stroke: #7b8794; stroke-width: 1; }
svg .tick { font-size: 11px; fill: #3e4c59; font-variant-numeric: tabular-nums; }
svg .tick.sub, svg .axis-note.sub { font-size: 10px; fill: #8a96a3; }
svg .axis-note { font-size: 11px; fill: #52606d; font-weight: 600; }
svg .group-band { fill: #e9eef5; }
svg .group-title { font-size: 12px; font-weight: 700; fill: #243b53; text-transform: uppercase; letter-spacing: 0.05em; }
svg .lane-band { fill: #f7f9fb; }
svg .lane-rule { stroke: #eef1f4; }
svg .lane-label { font-size: 12px; fill: #1f2933; }
svg .note { font-size: 12px; fill: #616e7c; font-style: italic; }
svg .win { stroke: rgba(0,0,0,0.25); stroke-width: 0.5; }
svg .mark { stroke: #fff; stroke-width: 1; }
svg .mark-bad { fill: #8b1e3f; }
svg .mark-good { fill: #1e7f4f; }
svg .mark-info { fill: #2b5797; }
svg .action-mark circle { fill: #243b53; stroke: #fff; stroke-width: 1.5; }
svg .action-mark text { fill: #fff; font-size: 10px; font-weight: 700; }
svg .action-line { stroke: #243b53; stroke-width: 1; stroke-dasharray: 3 3; opacity: 0.45; }
svg .context { opacity: 0.13; }
svg .line { fill: none; stroke-width: 2; stroke-linejoin: round; }
svg .line-queries { stroke: #2b5797; stroke-width: 2; }
svg .line-ingestion { stroke: #59a14f; stroke-width: 3.5; opacity: 0.8; }
svg .line-lost { stroke: #d62728; stroke-width: 2.5; }
svg .line-buffered { stroke: #3c9a94; stroke-width: 2; }
svg .key { stroke-width: 3; }
svg .slo-target { stroke: #b42318; stroke-width: 1.25; stroke-dasharray: 6 4; }
svg .slo-label { font-size: 11px; fill: #b42318; font-weight: 600; }
svg .legend-text { font-size: 12px; fill: #3e4c59; }
.legend { list-style: none; padding: 0; margin: 6px 0 4px; display: flex; flex-wrap: wrap; gap: 6px 16px; font-size: 12.5px; color: #3e4c59; }
.legend li { display: flex; align-items: center; gap: 6px; }
.swatch { display: inline-block; width: 22px; height: 12px; border-radius: 2px; border: 1px solid rgba(0,0,0,0.2); }
.action-swatch { width: 16px; height: 16px; border-radius: 50%; background: #243b53; color: #fff; font-size: 10px; font-weight: 700; text-align: center; line-height: 14px; }
.diamond { display: inline-block; width: 9px; height: 9px; transform: rotate(45deg); margin: 0 3px; }
.diamond.bad { background: #8b1e3f; }
.diamond.good { background: #1e7f4f; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; font-size: 13px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { background: var(--band); font-weight: 600; color: #334e68; border-bottom: 2px solid #cbd2d9; white-space: nowrap; }
tbody tr:nth-child(even) { background: #fafbfc; }
tbody th { font-weight: 600; }
table.actions td:nth-child(-n+3), table.incidents td, table.operations td:nth-child(-n+2), table.operations td:last-child { white-space: nowrap; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
td.good, span.good, .good { color: var(--good); }
td.bad, span.bad, li.bad, .bad { color: var(--bad); }
table.tiers { width: auto; min-width: 320px; }
tr.applies td { background: #fff1f0; font-weight: 700; }
.tag { display: inline-block; padding: 0 6px; border-radius: 9px; font-size: 12px; background: #fde8d7; color: #8a4a0b; }
.tag-revocation { background: #f9dce3; color: #8b1e3f; }
.credit { font-size: 15px; }
.none { color: #9aa5b1; }
code { font-size: 12px; background: #f3f5f8; padding: 1px 4px; border-radius: 3px; }
ul.alerts, ul.recovery, ul.violations { margin: 4px 0 10px; padding-left: 20px; }
footer { margin-top: 32px; padding-top: 10px; border-top: 1px solid var(--line); color: var(--muted); font-size: 12px; }
@media print { body { background: #fff; } main { max-width: none; } }
`;
