// What explore prints of its coverage: how much of the model the generated scenarios reached.

import type { ExploreCoverage } from '../sim/explore.ts';
import { count } from './format.ts';

/** Which rules the generated scenarios triggered and which state changes they took, in how many runs. */
export function renderCoverage(coverage: ExploreCoverage): string[] {
  const lines = [`coverage over ${count(coverage.runs)} runs (runs that triggered each rule, took each storage-account state change):`];
  lines.push('  ' + coverage.rules.map((r) => `rule ${r.rule} ${r.name} ${count(r.runs)}`).join(', '));
  lines.push('  ' + coverage.transitions.map((t) => `${t.transition} ${count(t.runs)}`).join(', '));
  const missed = [...coverage.rules.filter((r) => r.runs === 0).map((r) => `rule ${r.rule}`), ...coverage.transitions.filter((t) => t.runs === 0).map((t) => t.transition)];
  if (missed.length > 0) lines.push(`  never reached: ${missed.join(', ')}`);
  return lines;
}
