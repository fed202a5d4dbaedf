// The upper bound of every number a scenario may hold, in one place. Each is
// chosen from the domain (far above any real workspace, cluster or run), and
// all of them together keep every total the simulator keeps an exact integer:
// test/bounds.test.ts computes, from these constants, the largest record
// count, query count and time any run can reach and checks each against
// Number.MAX_SAFE_INTEGER (2^53 - 1, past which doubles skip integers). The
// loader (scenarios/schema.ts) refuses anything above them, and the JSON
// Schema carries the same maxima.

import { MS_PER_DAY } from './engine/duration.ts';

/** The longest duration anywhere in a scenario (the run, an action's `for`, a lookback, a parameter): 3 years, past the longest retention (730 days). */
export const MAX_DURATION_MS = 1095 * MS_PER_DAY;

/** Workspaces in one scenario: 10 clusters of the documented 1000 workspaces each (the bench's month of 10,000). */
export const MAX_WORKSPACES = 10_000;

/** Actions in one scenario: a year of an action every few minutes, far past any incident one replays; more would only be a file built to exhaust the loader. */
export const MAX_ACTIONS = 100_000;

/** Records a workspace ingests per minute: 720 million a day, far above any one workspace. */
export const MAX_RECORDS_PER_MINUTE = 500_000;

/**
 * Records a workspace sends per minute to tables on the Auxiliary plan,
 * besides its Analytics records: 72 million a day. Lower than the Analytics
 * bound because both count in the run's record totals, which stay exact only
 * below 2^53 (test/bounds.test.ts).
 */
export const MAX_AUXILIARY_RECORDS_PER_MINUTE = 50_000;

/** Queries a workspace runs per hour: 1000 a minute. */
export const MAX_QUERIES_PER_HOUR = 60_000;

/** GB a workspace ingests per day: a petabyte. */
export const MAX_GB_PER_DAY = 1_000_000;

/** A cluster's capacity reservation, GB per day (Azure's largest tier is 50,000). */
export const MAX_CAPACITY_GB_PER_DAY = 1_000_000;

/** Key Vault requests per 10 seconds in a throttling limit. */
export const MAX_LIMIT_PER_10S = 1_000_000;

/** Saved searches in one workspace. */
export const MAX_SAVED_SEARCHES = 1_000_000;

/**
 * Occurrences of the scenario's fault processes that one run may draw, in
 * all. Each is kept until the end (sla.json lists them), so this bounds the
 * memory they take; there is no override. A scenario expected to draw more
 * than half of it is refused before the run (sim/work.ts), so a run that
 * passed that check never meets this limit by chance.
 */
export const MAX_FAULT_OCCURRENCES = 1_000_000;

/** A seed, in a scenario or as --seed: any whole number a double holds exactly. */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;
export const SEED_EXPECTED = `a whole number from 0 to ${MAX_SEED}`;
