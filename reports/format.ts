// How times, durations and counts read in the reports people see.

import { formatDuration } from '../sim/engine/duration.ts';
import type { Incident, RunResult } from '../sim/result.ts';

/** "2026-01-02 00:29:21Z": the wall-clock instant of a time from the start. */
export function wallClock(startIso: string, ms: number): string {
  return new Date(Date.parse(startIso) + ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}

/** "+1d0h29m21s": a time from the start, to the second. */
export function sinceStart(ms: number): string {
  return `+${formatDuration(Math.floor(ms / 1000) * 1000)}`;
}

/** "29m21s": a span, to the second (below a second: milliseconds). */
export function span(ms: number): string {
  return ms < 1000 ? `${ms}ms` : formatDuration(Math.floor(ms / 1000) * 1000);
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** 0.98944 -> "98.944 %" */
export function percent(fraction: number, digits = 3): string {
  return `${(fraction * 100).toFixed(digits)} %`;
}

/** Text made safe for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** What an incident that never resumed says instead of a time: its cluster was deleted, or it was still open (`open`) when the run ended. */
export function unresumed(result: RunResult, incident: Incident, open: string): string {
  return result.storageAccounts[incident.storageAccount]?.finalState === 'deleted' ? 'never resumed: its cluster was deleted' : open;
}
