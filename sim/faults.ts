// Random fault processes (the scenario's `faults:`): each is a Poisson
// process of occurrences, with durations drawn from a distribution. Every
// process draws from its own named stream, so adding a process never moves
// another one's faults, and the seed fixes them all.

import { formatDuration } from './engine/duration.ts';
import type { Random, RandomStreams } from './engine/random.ts';
import { InputError } from './input-error.ts';
import { MAX_DURATION_MS, MAX_FAULT_OCCURRENCES } from './limits.ts';
import type { DurationDistribution, FaultProcess, FaultProcessName } from './scenario.ts';

/** The 90th percentile of the standard normal distribution. */
const Z_90 = 1.2815515655446004;

/** One occurrence of a fault process, as it happened in the run. */
export interface DrawnFault {
  /** Index of the process in the scenario's `faults`. */
  process: number;
  do: FaultProcessName;
  /** The vault, or "vault/key" for an accidental disable. */
  target: string;
  atMs: number;
  /** How long it lasted: the outage's length, or the time until the disabled key was noticed and enabled. */
  forMs: number;
}

/**
 * A duration drawn from the distribution, in whole milliseconds, from 1 to
 * MAX_DURATION_MS: a lognormal's tail reaches 1e70 ms and more, past which
 * the times it leads to would no longer be whole numbers.
 */
export function sampleDuration(distribution: DurationDistribution, random: Random): number {
  let ms: number;
  switch (distribution.type) {
    case 'fixed':
      ms = distribution.ms;
      break;
    case 'uniform':
      ms = random.uniform(distribution.minMs, distribution.maxMs);
      break;
    case 'exponential':
      ms = random.exponential(distribution.meanMs);
      break;
    case 'lognormal': {
      const mu = Math.log(distribution.medianMs);
      const sigma = (Math.log(distribution.p90Ms) - mu) / Z_90;
      ms = Math.exp(mu + sigma * standardNormal(random));
      break;
    }
  }
  return Math.min(MAX_DURATION_MS, Math.max(1, Math.round(ms)));
}

/** Box-Muller: a standard normal draw from two uniform draws. */
function standardNormal(random: Random): number {
  const u = 1 - random.next(); // in (0, 1]: the log is finite
  const v = random.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * Every occurrence of every process that starts before the end of the run,
 * in time order (ties by process order). One process's occurrences never
 * overlap: the next gap starts when the previous occurrence ends. More than
 * MAX_FAULT_OCCURRENCES in all is bad input (`source` names the file),
 * reported against the process that drew the most.
 */
export function drawFaults(faults: readonly FaultProcess[], durationMs: number, streams: RandomStreams, source: string): DrawnFault[] {
  const drawn: DrawnFault[] = [];
  const counts = faults.map(() => 0);
  faults.forEach((fault, index) => {
    const random = streams.stream(`faults/${index}/${fault.process}`);
    const target = fault.process === 'key.accidentalDisable' ? `${fault.vault}/${fault.key}` : fault.vault;
    const length = fault.process === 'key.accidentalDisable' ? fault.timeToNotice : fault.duration;
    let atMs = Math.round(random.exponential(fault.meanTimeBetweenMs));
    while (atMs < durationMs) {
      if (drawn.length === MAX_FAULT_OCCURRENCES) throw tooManyOccurrences(faults, counts, durationMs, source);
      const forMs = sampleDuration(length, random);
      drawn.push({ process: index, do: fault.process, target, atMs, forMs });
      counts[index]!++;
      atMs += forMs + Math.round(random.exponential(fault.meanTimeBetweenMs));
    }
  });
  return drawn.sort((a, b) => a.atMs - b.atMs || a.process - b.process);
}

function tooManyOccurrences(faults: readonly FaultProcess[], counts: readonly number[], durationMs: number, source: string): InputError {
  const most = counts.indexOf(Math.max(...counts));
  return new InputError([
    {
      file: source,
      path: `faults[${most}].meanTimeBetween`,
      found: `${formatDuration(faults[most]!.meanTimeBetweenMs)}, which drew ${counts[most]} of more than ${MAX_FAULT_OCCURRENCES} fault occurrences in ${formatDuration(durationMs)}`,
      expected: `at most ${MAX_FAULT_OCCURRENCES} fault occurrences in a run (each is kept in memory and listed in sla.json): a longer meanTimeBetween or a shorter duration`,
    },
  ]);
}
