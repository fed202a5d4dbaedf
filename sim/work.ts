// The work a scenario implies, estimated from the loaded Scenario before it
// runs: the CPU time its polls, sealed blocks, sampled queries, fault
// occurrences, actions and workspaces take, and the memory its stored blocks
// and drawn faults hold. `validate`, `run`, `sweep` (each run) and `explore`
// (its largest generated scenario) refuse a scenario past the budget, naming
// the field that drives the largest part of it, unless --max-cpu or
// --max-memory lift the budget. A pure function of the scenario: the same
// file is refused or accepted on every machine.
//
// The costs are measured (cmk-sim run, outputs written, Node 20 on the
// project's 2-core machine; see the README's Limits section). They differ a
// hundredfold between kinds of event, so the estimate is a time, not a count:
// an unwrap poll costs about 2 µs, sealing a block about 165 µs plus 25 ns per
// payload byte (the synthetic records it is made of), opening one 30 µs.

import { MS_PER_DAY, MS_PER_MINUTE, formatDuration, tryParseDuration } from './engine/duration.ts';
import { PARAM_SPECS, PROFILE_DEFAULTS, type ParamName } from './azure/profiles.ts';
import type { Problem } from './input-error.ts';
import { MAX_FAULT_OCCURRENCES } from './limits.ts';
import type { Scenario } from './scenario.ts';

export interface WorkBudget {
  /** Estimated CPU time of one run, milliseconds. */
  cpuMs: number;
  /** Estimated memory the run's stored blocks and drawn faults hold, bytes. */
  memoryBytes: number;
}

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

/** A few minutes of CPU, and memory a developer's machine has to spare; bench/month-1000-workspaces.yaml is estimated at about 10 s and 700 MiB. */
export const DEFAULT_BUDGET: WorkBudget = { cpuMs: 5 * MS_PER_MINUTE, memoryBytes: 8 * GIB };

/**
 * Expected fault occurrences beyond which a scenario is refused, whatever the
 * budget: half of what a run may draw (MAX_FAULT_OCCURRENCES), so that a run
 * that passes never reaches that limit by the luck of its draws.
 */
export const MAX_EXPECTED_FAULT_OCCURRENCES = MAX_FAULT_OCCURRENCES / 2;

/** CPU cost of each kind of work, in microseconds (measured as the header says). */
const COST_US = {
  poll: 2,
  blockSealed: 165,
  payloadByte: 0.025,
  sampledQuery: 10,
  blockOpened: 30,
  openedByte: 0.002,
  faultOccurrence: 150,
  action: 150,
  workspace: 650,
  sloMinute: 0.5,
  rsaKeygen2048: 150_000,
  rsaKeygen3072: 500_000,
  rsaKeygen4096: 1_200_000,
} as const;

/**
 * Memory a stored block holds besides its payload's two sealed copies (cold
 * and hot): its record, ids and fingerprints (in the model and the checker),
 * and the 8 KiB pool slab each of its small Buffers keeps alive. Measured at
 * 10 to 19 KiB a block in all; the estimate takes the upper end.
 */
const BLOCK_OVERHEAD_BYTES = 16 * 1024;
const FAULT_OCCURRENCE_BYTES = 1024;
/** A synthetic record's size in a block's payload, and the payload's header. */
const RECORD_BYTES = 160;
const HEADER_BYTES = 256;

/** One part of the estimate: what, how many, how it was counted, what it costs, and the field of the scenario that drives it. */
export interface WorkTerm {
  what: string;
  count: number;
  /** The arithmetic, e.g. "2 storage accounts x 1d / 1ms". */
  how: string;
  cpuMs: number;
  memoryBytes: number;
  /** A field path of the scenario file (`duration`, `faults[2].meanTimeBetween`) or a parameter (`params.unwrapPollInterval`). */
  field: string;
  /** The field's value as the problem shows it. */
  value: string;
}

export interface WorkEstimate {
  terms: WorkTerm[];
  cpuMs: number;
  memoryBytes: number;
  /** Expected occurrences of every fault process together. */
  faultOccurrences: number;
  /** The fault process expected to draw the most, and how many. */
  busiestFault: { index: number; occurrences: number } | null;
}

const count = (n: number): string => Math.round(n).toLocaleString('en-US');
const plural = (n: number, what: string): string => `${count(n)} ${what}${Math.round(n) === 1 ? '' : 's'}`;

/** The estimate of one run of the scenario. */
export function estimateWork(scenario: Scenario): WorkEstimate {
  const { params, durationMs } = scenario;
  const defaults = PROFILE_DEFAULTS[scenario.profile];
  /** The parameter when the scenario changed it (it then drives the term), else the run's duration. */
  const driver = (...names: ParamName[]): { field: string; value: string } => {
    const changed = names.find((name) => JSON.stringify(params[name]) !== JSON.stringify(defaults[name]));
    return changed === undefined ? { field: 'duration', value: formatDuration(durationMs) } : { field: `params.${changed}`, value: showParam(changed, params[changed]) };
  };
  const terms: WorkTerm[] = [];
  const accounts = scenario.clusters.reduce((sum, c) => sum + c.storageAccounts, 0);
  const workspaces = scenario.workspaces.length;

  // Every account polls Key Vault at a gap drawn from unwrapPollInterval: its mean, or the bound delayMode picks.
  const [pollMinMs, pollMaxMs] = params.unwrapPollInterval;
  const pollGapMs = params.delayMode === 'worst' ? pollMaxMs : params.delayMode === 'best' ? pollMinMs : (pollMinMs + pollMaxMs) / 2;
  const polls = (accounts * durationMs) / pollGapMs;
  terms.push({
    what: 'unwrap polls',
    count: polls,
    how: `${plural(accounts, 'storage account')} x ${formatDuration(durationMs)} / ${formatDuration(Math.round(pollGapMs))}`,
    cpuMs: (polls * COST_US.poll) / 1000,
    memoryBytes: 0,
    ...driver('unwrapPollInterval', 'delayMode'),
  });

  // Each slice, every storage account seals one block per retention group of the workspaces writing to it: a cluster's
  // accounts, and the shared account while a workspace is in no cluster (not linked yet, or unlinked).
  const sinks = accounts + 1;
  const retentions = new Set(scenario.workspaces.map((w) => w.retentionDays)).size;
  const shared = scenario.workspaces.some((w) => w.cluster === undefined) || scenario.actions.some((a) => a.do === 'workspace.unlink' || a.do === 'cluster.delete');
  const groups = Math.min(workspaces, accounts * retentions + (shared ? retentions : 0));
  const slices = Math.floor(durationMs / params.blockSlice);
  const sliceMinutes = params.blockSlice / MS_PER_MINUTE;
  const recordsPerMinute = scenario.workspaces.reduce((sum, w) => sum + largestRate(scenario, w.name, w.ingest.recordsPerMinute), 0);
  const payloadBytes = Math.min(params.blockPayloadBytes, HEADER_BYTES + RECORD_BYTES * recordsPerMinute * sliceMinutes);
  const blocks = slices * groups;
  const longestRetentionMs = scenario.workspaces.reduce((most, w) => Math.max(most, w.retentionDays * MS_PER_DAY), 0);
  const keptBlocks = groups * Math.ceil(Math.min(durationMs, longestRetentionMs) / params.blockSlice);
  terms.push({
    what: 'blocks sealed',
    count: blocks,
    how: `${count(slices)} slices of ${formatDuration(params.blockSlice)} x ${plural(groups, 'group')} of workspaces (by storage account and retention), ${count(payloadBytes)} payload bytes each, ${count(keptBlocks)} kept at once`,
    cpuMs: (blocks * (COST_US.blockSealed + COST_US.payloadByte * payloadBytes)) / 1000,
    memoryBytes: keptBlocks * (2 * payloadBytes + BLOCK_OVERHEAD_BYTES),
    ...driver('blockSlice', 'blockPayloadBytes'),
  });

  // Every querySampleInterval each account with workspaces runs one query that opens the newest blocks of its lookback.
  const samples = Math.floor(durationMs / params.querySampleInterval) * Math.min(sinks, workspaces);
  // Reduced, not spread: a scenario may hold 100,000 actions, more than a call takes arguments.
  const lookbackMs = scenario.actions.reduce((most, a) => Math.max(most, a.do === 'workspace.setQuery' ? (a.query.lookbackMs ?? 0) : 0), scenario.workspaces.reduce((most, w) => Math.max(most, w.query.lookbackMs), 0));
  const opened = Math.min(params.querySampleMaxBlocks, Math.ceil(lookbackMs / params.blockSlice) + 1);
  terms.push({
    what: 'sampled queries',
    count: samples,
    how: `${formatDuration(durationMs)} / ${formatDuration(params.querySampleInterval)} x ${plural(Math.min(sinks, workspaces), 'storage account')}, opening up to ${plural(opened, 'block')} each`,
    cpuMs: (samples * (COST_US.sampledQuery + opened * (COST_US.blockOpened + COST_US.openedByte * payloadBytes))) / 1000,
    memoryBytes: 0,
    ...driver('querySampleInterval', 'querySampleMaxBlocks'),
  });

  // A fault process starts an occurrence every meanTimeBetween on average (less its occurrences' own length).
  let faultOccurrences = 0;
  let busiestFault: WorkEstimate['busiestFault'] = null;
  scenario.faults.forEach((fault, index) => {
    const occurrences = durationMs / fault.meanTimeBetweenMs;
    faultOccurrences += occurrences;
    if (busiestFault === null || occurrences > busiestFault.occurrences) busiestFault = { index, occurrences };
    terms.push({
      what: 'fault occurrences',
      count: occurrences,
      how: `${formatDuration(durationMs)} / ${formatDuration(fault.meanTimeBetweenMs)}`,
      cpuMs: (occurrences * COST_US.faultOccurrence) / 1000,
      memoryBytes: occurrences * FAULT_OCCURRENCE_BYTES,
      field: `faults[${index}].meanTimeBetween`,
      value: formatDuration(fault.meanTimeBetweenMs),
    });
  });

  // Every RSA key version is a key pair generated for real: those of the file, and one per key.rotate of an RSA key.
  let initialKeys = 0;
  let rotatedKeys = 0;
  let keygenUs = 0;
  for (const vault of scenario.keyVaults) {
    for (const key of vault.keys) {
      if (key.kty === 'oct-HSM') continue;
      const rotations = scenario.actions.reduce((n, a) => n + (a.do === 'key.rotate' && a.vault === vault.name && a.key === key.name ? 1 : 0), 0);
      initialKeys += key.versions.length;
      rotatedKeys += rotations;
      keygenUs += (key.versions.length + rotations) * rsaKeygenUs(key.sizeBits);
    }
  }
  if (initialKeys + rotatedKeys > 0) {
    terms.push({
      what: 'RSA key pairs generated',
      count: initialKeys + rotatedKeys,
      how: `${plural(initialKeys, 'key version')} in keyVaults + ${plural(rotatedKeys, 'key.rotate')}`,
      cpuMs: keygenUs / 1000,
      memoryBytes: 0,
      ...(rotatedKeys > initialKeys ? { field: 'actions', value: plural(rotatedKeys, 'key.rotate action') } : { field: 'keyVaults', value: plural(initialKeys, 'RSA key version') }),
    });
  }

  const actions = scenario.actions.length;
  terms.push({ what: 'actions', count: actions, how: plural(actions, 'action'), cpuMs: (actions * COST_US.action) / 1000, memoryBytes: 0, field: 'actions', value: plural(actions, 'action') });
  terms.push({ what: 'workspaces', count: workspaces, how: plural(workspaces, 'workspace'), cpuMs: (workspaces * COST_US.workspace) / 1000, memoryBytes: 0, field: 'workspaces', value: plural(workspaces, 'workspace') });
  // The SLO is judged minute by minute (good minutes, burn-rate alerts).
  const minutes = Math.ceil(durationMs / MS_PER_MINUTE);
  terms.push({ what: 'SLO minutes', count: minutes, how: `${formatDuration(durationMs)} in minutes`, cpuMs: (minutes * COST_US.sloMinute) / 1000, memoryBytes: 0, field: 'duration', value: formatDuration(durationMs) });

  return {
    terms,
    cpuMs: terms.reduce((sum, t) => sum + t.cpuMs, 0),
    memoryBytes: terms.reduce((sum, t) => sum + t.memoryBytes, 0),
    faultOccurrences,
    busiestFault,
  };
}

/** CPU time of generating one RSA key pair of this size (a random search for primes: the mean, measured as the header says). */
function rsaKeygenUs(sizeBits: number): number {
  return sizeBits <= 2048 ? COST_US.rsaKeygen2048 : sizeBits <= 3072 ? COST_US.rsaKeygen3072 : COST_US.rsaKeygen4096;
}

/** The highest records-per-minute rate a workspace has during the run: its own, or one a workspace.setIngest action gives it. */
function largestRate(scenario: Scenario, workspace: string, initial: number): number {
  let rate = initial;
  for (const action of scenario.actions) {
    if (action.do === 'workspace.setIngest' && action.workspace === workspace) rate = Math.max(rate, action.ingest.recordsPerMinute ?? 0);
  }
  return rate;
}

/** A parameter's value as a scenario file writes it. */
function showParam(name: ParamName, value: unknown): string {
  switch (PARAM_SPECS[name].kind.type) {
    case 'duration':
      return formatDuration(value as number);
    case 'durationRange': {
      const [min, max] = value as readonly [number, number];
      return `${formatDuration(min)}..${formatDuration(max)}`;
    }
    default:
      return typeof value === 'string' ? value : JSON.stringify(value);
  }
}

/**
 * The problems of a scenario whose estimate exceeds the budget, or whose
 * fault processes are expected to draw too many occurrences; none when it
 * fits. `cliParams` are the --param arguments: a parameter set there is
 * reported against --param, as the loader reports its value.
 */
export function workProblems(scenario: Scenario, budget: WorkBudget, cliParams: readonly string[] = []): Problem[] {
  const estimate = estimateWork(scenario);
  const fromCli = new Set(cliParams.map((arg) => arg.slice(0, Math.max(0, arg.indexOf('='))).trim()));
  const where = (field: string): { file: string; path: string } => {
    const param = field.startsWith('params.') ? field.slice('params.'.length) : undefined;
    return param !== undefined && fromCli.has(param) ? { file: '--param', path: param } : { file: scenario.source, path: field };
  };
  const problems: Problem[] = [];
  const busiest = estimate.busiestFault;
  if (busiest !== null && estimate.faultOccurrences > MAX_EXPECTED_FAULT_OCCURRENCES) {
    const fault = scenario.faults[busiest.index]!;
    problems.push({
      ...where(`faults[${busiest.index}].meanTimeBetween`),
      found: `${formatDuration(fault.meanTimeBetweenMs)}: about ${plural(busiest.occurrences, 'occurrence')} on average in ${formatDuration(scenario.durationMs)} (${count(estimate.faultOccurrences)} from every fault process)`,
      expected: `at most ${count(MAX_EXPECTED_FAULT_OCCURRENCES)} fault occurrences on average in a run (each is kept in memory and listed in sla.json; no flag lifts this limit): a longer meanTimeBetween or a shorter duration`,
    });
    // Past this limit the run is refused whatever the budget: the budget's figures would only repeat the cause.
    return problems;
  }
  // Every term past the budget on its own drives it; when none is, the largest of those that add up past it.
  const drivers = (key: 'cpuMs' | 'memoryBytes', limit: number): WorkTerm[] => {
    if (estimate[key] <= limit) return [];
    const alone = estimate.terms.filter((t) => t[key] > limit);
    return alone.length > 0 ? alone : [estimate.terms.reduce((a, b) => (b[key] > a[key] ? b : a))];
  };
  const cpu = drivers('cpuMs', budget.cpuMs);
  const memory = drivers('memoryBytes', budget.memoryBytes);
  const cpuFigures = (term: WorkTerm) => ({ cost: `about ${showCpu(term.cpuMs)} of CPU, of about ${showCpu(estimate.cpuMs)} for the whole run`, limit: `at most ${showCpu(budget.cpuMs)} of CPU`, flag: `--max-cpu ${formatDuration(Math.ceil(estimate.cpuMs / MS_PER_MINUTE) * MS_PER_MINUTE)}` });
  const memoryFigures = (term: WorkTerm) => ({ cost: `about ${showBytes(term.memoryBytes)} of memory, of about ${showBytes(estimate.memoryBytes)} for the whole run`, limit: `at most ${showBytes(budget.memoryBytes)} of memory`, flag: `--max-memory ${Math.ceil(estimate.memoryBytes / GIB)}GiB` });
  for (const term of [...new Set([...cpu, ...memory])]) {
    const figures = [...(cpu.includes(term) ? [cpuFigures(term)] : []), ...(memory.includes(term) ? [memoryFigures(term)] : [])];
    problems.push({
      ...where(term.field),
      // A term counted as its field says (100 actions) is said once.
      found: `${term.value === term.how ? term.value : `${term.value}, which makes about ${count(term.count)} ${term.what} (${term.how})`}: ${figures.map((f) => f.cost).join('; ')}`,
      expected: `a run estimated to take ${figures.map((f) => f.limit).join(' and ')} (the work budget; ${figures.map((f) => f.flag).join(' ')} runs it anyway)`,
    });
  }
  return problems;
}

/** Whole seconds, as a duration: "4m13s"; whole milliseconds below a second ("240ms"), so a budget and a cost under a second still differ. */
function showCpu(ms: number): string {
  return ms < 1000 ? `${Math.max(1, Math.round(ms))}ms` : formatDuration(Math.round(ms / 1000) * 1000);
}

function showBytes(bytes: number): string {
  return bytes >= GIB ? `${(bytes / GIB).toFixed(1)} GiB` : `${Math.ceil(bytes / MIB)} MiB`;
}

const MEMORY_UNITS: Readonly<Record<string, number>> = { MB: 1e6, GB: 1e9, TB: 1e12, MiB: MIB, GiB: GIB, TiB: 1024 * GIB };
const MEMORY_PATTERN = /^(\d+(?:\.\d+)?)\s*(MB|GB|TB|MiB|GiB|TiB)$/;

/** The budget the --max-cpu and --max-memory flags give (each left at its default when absent), or the problems of their values. */
export function budgetFromFlags(flags: { maxCpu?: string | undefined; maxMemory?: string | undefined }): { budget: WorkBudget; problems: Problem[] } {
  const problems: Problem[] = [];
  const budget = { ...DEFAULT_BUDGET };
  if (flags.maxCpu !== undefined) {
    const ms = tryParseDuration(flags.maxCpu);
    if (ms === undefined || ms <= 0) problems.push({ file: '--max-cpu', path: '', found: JSON.stringify(flags.maxCpu), expected: 'a duration greater than 0 of estimated CPU time a run may take, e.g. 30m or 2h' });
    else budget.cpuMs = ms;
  }
  if (flags.maxMemory !== undefined) {
    const match = MEMORY_PATTERN.exec(flags.maxMemory.trim());
    const bytes = match === null ? 0 : Number(match[1]) * MEMORY_UNITS[match[2]!]!;
    if (!(bytes > 0 && Number.isFinite(bytes))) problems.push({ file: '--max-memory', path: '', found: JSON.stringify(flags.maxMemory), expected: 'an amount of memory greater than 0 a run may hold, e.g. 16GiB or 512MiB (MB, GB, TB, MiB, GiB, TiB)' });
    else budget.memoryBytes = bytes;
  }
  return { budget, problems };
}
