// fast-check arbitraries for users' own property tests and for `explore`.
// fast-check comes from the caller (a peer dependency): pass it in, so there
// is never a second copy. Every arbitrary yields plain data shaped like a
// scenario file, so a failing case can be written out as YAML and replayed
// with `cmk-sim run`.

import type * as FastCheck from 'fast-check';
import type { Arbitrary } from 'fast-check';
import { REQUIRED_PERMISSIONS } from './azure/cluster.ts';
import { PROFILE_DEFAULTS, PROFILES, type ProfileName } from './azure/profiles.ts';

type Fc = typeof FastCheck;

/** A scenario file as data: what YAML or JSON would hold. */
export interface ScenarioData {
  name: string;
  description: string;
  seed: number;
  profile?: string;
  duration: string;
  setup: 'ready' | 'none';
  params: Record<string, unknown>;
  keyVaults: Record<string, unknown>[];
  clusters: Record<string, unknown>[];
  workspaces: Record<string, unknown>[];
  actions: ActionData[];
}

export type ActionData = { at: string; do: string } & Record<string, unknown>;

/** A round trip of access taken away and given back (see arbitraries().roundTrip). */
export interface RoundTrip {
  away: 'key' | 'policy' | 'outage' | 'links' | 'keyBehindNetwork';
  offPercent: number;
  again: { what: 'outage' | 'away'; afterPercentOfResume: number; outagePercent: number } | null;
  deletePercent: number | null;
}

/** The documented steps that bring a cluster up in a `setup: none` run (see arbitraries().bringUp). */
export interface BringUp {
  /** Where it starts, per mille of the run. */
  startPerMille: number;
  /** The create request's body: a tier, double encryption turned off; null: none. */
  createBody: Record<string, unknown> | null;
  /** When each later step is asked for after the create, per cent of the longest provisioning time. */
  grantPercent: number;
  keyPercent: number;
  linkPercent: number;
}

/** In a month-long run, a capacity tier raised and later lowered (see arbitraries().capacityTrip). */
export interface CapacityTrip {
  /** When the tier is lowered: per cent of the run's last day. */
  lowerPercentOfLastDay: number;
  /** How long before that it was raised: per cent of the profile's commitment period (31 days where it has none). */
  raisedPercentOfCommitment: number;
}

/** How the generated vault keeps deleted keys: recoverable (soft delete and purge protection, what a cluster key needs), or not. */
export type VaultRecovery = 'recoverable' | 'noPurgeProtection' | 'noSoftDelete';

/** Where the generated vault is against its cluster: the same region and Azure AD tenant (what a cluster key needs), or not. */
export type VaultPlace = 'withCluster' | 'otherRegion' | 'otherTenant';

export interface ScenarioOptions {
  /** Longest scenario, in hours (default 72), besides the month-long runs. */
  maxHours?: number;
  /** One scenario in this many runs a little over a month (31-33 days, 1 h slices), so retention purges (default 10; 0: never). */
  monthEvery?: number;
  /** Most actions (default 8). */
  maxActions?: number;
  /** Profiles to draw from (default all). */
  profiles?: readonly string[];
  /** Parameters fixed in every scenario, e.g. { brokenRule: 'lateRevocation' }. */
  fixedParams?: Record<string, unknown>;
}

const VAULT = 'kv1';
const KEY = 'cmk';
const CLUSTER = 'cl1';
const WORKSPACES = ['ws1', 'ws2', 'ws3'] as const;
// The generator's extremes, shared with largestScenarios (the work budget of explore).
const POLL_SECONDS = { min: 1, max: 30, spreadMax: 90 };
const STORAGE_ACCOUNTS_MAX = 2;
const RETENTION_DAYS = [30, 31, 90] as const;
const RECORDS_PER_MINUTE_MAX = 300;
const QUERIES_PER_HOUR_MAX = 120;
const LOOKBACKS = ['10m', '1h', '6h', '1d', '3d'] as const;
/** Capacity tiers asked for, GB/day: some profile's tiers, and 1234, none's. */
const CAPACITIES_GB_PER_DAY = [100, 500, 1000, 1234, 2000, 5000] as const;
/** Tables on the Auxiliary plan (auxiliaryTablePlan): records per minute and queries per hour of the first workspace. */
const AUXILIARY_RECORDS_PER_MINUTE_MAX = 100;
const AUXILIARY_QUERIES_PER_HOUR_MAX = 12;
const RBAC_ROLE = 'Key Vault Crypto Service Encryption User';
const MONTH_HOURS = { min: 31 * 24, max: 33 * 24 };
const MONTH_BLOCK_SLICE = '1h';
const ROUND_TRIPS_MAX = 3;
/** A round trip has at most: a network rule, access taken away, given back, taken away again, the cluster deleted. */
const ROUND_TRIP_ACTIONS_MAX = 5;
/** The region and tenant a misplaced vault is in: the defaults are eastus and contoso. */
const ELSEWHERE = { region: 'westus', tenant: 'fabrikam' } as const;
/** "31 days commitment period": what a capacity trip plays against in a profile without one. */
const DOCUMENTED_COMMITMENT_MINUTES = 31 * 24 * 60;
/** A quiet end: every workspace's ingestion set to nothing. */
const QUIET_END_ACTIONS_MAX = WORKSPACES.length;
/** A capacity trip: the tier raised, then lowered. */
const CAPACITY_TRIP_ACTIONS = 2;
/** The highest tier a capacity trip raises to, GB/day. */
const CAPACITY_TRIP_TOP_GB_PER_DAY = 5000;
/** A bring-up has at most: the create, the grant, the key update, a link per workspace. */
const BRING_UP_ACTIONS_MAX = 3 + WORKSPACES.length;
/** The longest a generated cluster takes to provision (clusterProvisionTime), minutes: a bring-up's steps fall before and after it. */
const PROVISION_MINUTES = { min: 10, max: 30 };
const DEFAULT_MAX_HOURS = 72;
const DEFAULT_MAX_ACTIONS = 8;

/** The arbitraries, built on the caller's fast-check: `arbitraries(fc).scenario()`. */
export function arbitraries(fc: Fc) {
  const minutes = (min: number, max: number): Arbitrary<string> => fc.integer({ min, max }).map((m) => `${m}m`);
  const seconds = (min: number, max: number): Arbitrary<number> => fc.integer({ min, max });

  /**
   * Parameters within their documented ranges: the bounds people ask "what
   * if" about. Each is drawn or left out, so a scenario sometimes keeps its
   * profile's defaults. A hot cache of 0 to 2 days ages within a short run.
   */
  const params: Arbitrary<Record<string, unknown>> = fc
    .record(
      {
        delayMode: fc.constantFrom('uniform', 'worst', 'best'),
        poll: fc.tuple(seconds(POLL_SECONDS.min, POLL_SECONDS.max), seconds(0, POLL_SECONDS.spreadMax)),
        outageToUnavailable: minutes(5, 60),
        mmkBufferMaxAge: minutes(30, 480),
        revocationWithin: minutes(5, 120),
        resumeWithin: minutes(1, 120),
        hotCacheDays: fc.constantFrom(0, 1, 2, 14),
        hotCacheScope: fc.constantFrom('lastDays', 'lastDaysOrRecentlyQueried'),
      },
      { requiredKeys: [] },
    )
    .map(({ poll, ...rest }) => (poll === undefined ? rest : { ...rest, unwrapPollInterval: [`${poll[0]}s`, `${poll[0] + poll[1]}s`] }));

  const workspace = (name: string): Arbitrary<Record<string, unknown>> =>
    fc.record({
      name: fc.constant(name),
      retentionDays: fc.constantFrom(...RETENTION_DAYS),
      ingest: fc.record({ gbPerDay: fc.integer({ min: 0, max: 1000 }), recordsPerMinute: fc.integer({ min: 0, max: RECORDS_PER_MINUTE_MAX }) }),
      query: fc.record({ perHour: fc.integer({ min: 0, max: QUERIES_PER_HOUR_MAX }), lookback: fc.constantFrom(...LOOKBACKS) }),
    });

  const workload: Arbitrary<Record<string, unknown>[]> = fc.integer({ min: 1, max: WORKSPACES.length }).chain((n) => fc.tuple(...WORKSPACES.slice(0, n).map(workspace)));

  /** Things that go wrong with Key Vault: errors, never denials. */
  const fault = (atArb: Arbitrary<string>): Arbitrary<ActionData> =>
    fc.oneof(
      fc.record({ at: atArb, do: fc.constant('keyVault.outage'), vault: fc.constant(VAULT), for: minutes(1, 600) }),
      fc.record({ at: atArb, do: fc.constant('keyVault.transient'), vault: fc.constant(VAULT), for: minutes(1, 600), failureRate: fc.integer({ min: 0, max: 100 }).map((p) => p / 100) }),
      fc.record({ at: atArb, do: fc.constant('keyVault.throttle'), vault: fc.constant(VAULT), for: minutes(1, 120), limitPer10s: fc.integer({ min: 1, max: 5 }) }),
      fc.record({ at: atArb, do: fc.constant('keyVault.denyNetwork'), vault: fc.constant(VAULT), for: minutes(1, 240) }),
    );

  const capacityBody = fc.record({ name: fc.constant('CapacityReservation'), capacity: fc.constantFrom(...CAPACITIES_GB_PER_DAY) });

  /** A create that asks for a tier, or turns double encryption off ("isDoubleEncryptionEnabled": false), or both. */
  const createBody: Arbitrary<Record<string, unknown>> = fc.record({ sku: capacityBody, properties: fc.record({ isDoubleEncryptionEnabled: fc.boolean() }) }, { requiredKeys: [] });

  const keyBody = (version: string) => ({ properties: { keyVaultProperties: { keyVaultUri: `https://${VAULT}.vault.azure.net`, keyName: KEY, keyVersion: version } } });

  /** What people do to their key: disable, enable, rotate, delete, recover, policies, identity None, expiry dates, key updates. */
  const keyOperation = (atArb: Arbitrary<string>): Arbitrary<ActionData> =>
    fc.oneof(
      fc.record({ at: atArb, do: fc.constantFrom('key.disable', 'key.enable'), vault: fc.constant(VAULT), key: fc.constant(KEY) }),
      fc.record({ at: atArb, do: fc.constantFrom('key.disable', 'key.enable'), vault: fc.constant(VAULT), key: fc.constant(KEY), version: fc.constant('v1') }),
      fc.record({ at: atArb, do: fc.constant('key.rotate'), vault: fc.constant(VAULT), key: fc.constant(KEY) }),
      fc.record({ at: atArb, do: fc.constantFrom('key.delete', 'key.recover', 'key.purge'), vault: fc.constant(VAULT), key: fc.constant(KEY) }),
      fc.record({ at: atArb, do: fc.constant('accessPolicy.remove'), vault: fc.constant(VAULT), principal: fc.constant(CLUSTER) }),
      fc.record({ at: atArb, do: fc.constant('accessPolicy.set'), vault: fc.constant(VAULT), principal: fc.constant(CLUSTER), permissions: fc.subarray([...REQUIRED_PERMISSIONS], { minLength: 1 }) }),
      fc.record({ at: atArb, do: fc.constant('cluster.setIdentity'), cluster: fc.constant(CLUSTER), type: fc.constant('None') }),
      // An expiry date: "ingestion and queries aren't affected", though from 2026-04 the cluster's key cannot be updated.
      fc.record({ at: atArb, do: fc.constant('key.setExpiry'), vault: fc.constant(VAULT), key: fc.constant(KEY), exp: minutes(0, MONTH_HOURS.max * 60) }),
      // An empty version follows the newest (auto-rotation), checked once a day.
      fc.record({ at: atArb, do: fc.constant('cluster.update'), cluster: fc.constant(CLUSTER), body: fc.constantFrom('v1', 'v2', '').map(keyBody) }),
    );

  /** Requests on the cluster and its workspaces, mistakes included. */
  const controlPlaneOperation = (atArb: Arbitrary<string>): Arbitrary<ActionData> =>
    fc.oneof(
      fc.record({ at: atArb, do: fc.constant('cluster.create'), cluster: fc.constant(CLUSTER) }),
      fc.record({ at: atArb, do: fc.constant('cluster.create'), cluster: fc.constant(CLUSTER), body: createBody }),
      // A change of capacity tier: raised any time, lowered after its commitment period; tiers differ by profile.
      fc.record({ at: atArb, do: fc.constant('cluster.update'), cluster: fc.constant(CLUSTER), body: fc.record({ sku: capacityBody }) }),
      fc.record({ at: atArb, do: fc.constant('accessPolicy.set'), vault: fc.constant(VAULT), principal: fc.constant(CLUSTER), permissions: fc.constant([...REQUIRED_PERMISSIONS]) }),
      // The documented key update, pinned or following the newest version (refused where the profile has no auto-rotation).
      fc.record({ at: atArb, do: fc.constant('cluster.update'), cluster: fc.constant(CLUSTER), body: fc.constantFrom('v1', '').map(keyBody) }),
      fc.record({ at: atArb, do: fc.constant('workspace.link'), workspace: fc.constantFrom(...WORKSPACES.slice(0, 1)), cluster: fc.constant(CLUSTER) }),
      fc.record({ at: atArb, do: fc.constant('workspace.unlink'), workspace: fc.constantFrom(...WORKSPACES.slice(0, 1)) }),
      fc.record({ at: atArb, do: fc.constant('workspace.setIngest'), workspace: fc.constantFrom(...WORKSPACES.slice(0, 1)), ingest: fc.record({ recordsPerMinute: fc.constantFrom(0, 100) }) }),
      fc.record({ at: atArb, do: fc.constant('workspace.setQuery'), workspace: fc.constantFrom(...WORKSPACES.slice(0, 1)), query: fc.record({ perHour: fc.integer({ min: 0, max: QUERIES_PER_HOUR_MAX }), lookback: fc.constantFrom(...LOOKBACKS) }) }),
      fc.record({ at: atArb, do: fc.constant('cluster.delete'), cluster: fc.constant(CLUSTER) }),
      // A Microsoft engineer's access request: a Lockbox matter only while the workspace is linked.
      fc.record({ at: atArb, do: fc.constant('lockbox.request'), workspace: fc.constantFrom(...WORKSPACES.slice(0, 1)), decision: fc.constantFrom('approve', 'reject'), after: minutes(1, 120) }),
    );

  /**
   * A round trip, the paths rare in independent draws: access taken away (a
   * key disabled, a policy removed, a Key Vault outage, a workspace
   * unlinked, or a key disabled behind a network rule), given back later, and sometimes taken away again while the
   * account waits to resume, or the cluster deleted meanwhile. Its times are
   * shares (per cent) of the documented bounds they play against, so they
   * fall on both sides of each bound whatever the scenario's parameters.
   */
  const roundTrip: Arbitrary<RoundTrip> = fc.record({
    away: fc.constantFrom<RoundTrip['away']>('key', 'policy', 'outage', 'links', 'keyBehindNetwork'),
    /** Of revocationWithin (key, policy, keyBehindNetwork), outageToUnavailable (outage), or minutes (links). */
    offPercent: fc.integer({ min: 25, max: 300 }),
    again: fc.option(fc.record({ what: fc.constantFrom('outage', 'away'), afterPercentOfResume: fc.integer({ min: 0, max: 60 }), outagePercent: fc.integer({ min: 25, max: 300 }) }), { nil: null }),
    /** Sometimes the cluster is deleted meanwhile: at this share (per cent) of the time access is away, or after it is back. */
    // Shrinks to no delete at all (cross shrink) when the failure does without it.
    deletePercent: fc.oneof({ withCrossShrink: true }, { weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 150 }) }),
  });

  /** The actions of a round trip starting at minute `start`, with the scenario's bounds in minutes. */
  const roundTripActions = (trip: RoundTrip, start: number, bounds: { revocationWithin: number; outageToUnavailable: number; resumeWithin: number }): ActionData[] => {
    const share = (percent: number, of: number) => Math.max(1, Math.round((percent * of) / 100));
    const off = trip.away === 'outage' ? share(trip.offPercent, bounds.outageToUnavailable) : trip.away === 'links' ? share(trip.offPercent, 10) : share(trip.offPercent, bounds.revocationWithin);
    const [away, back]: [Record<string, unknown>, Record<string, unknown> | null] =
      trip.away === 'key' || trip.away === 'keyBehindNetwork'
        ? [{ do: 'key.disable', vault: VAULT, key: KEY }, { do: 'key.enable', vault: VAULT, key: KEY }]
        : trip.away === 'policy'
          ? [{ do: 'accessPolicy.remove', vault: VAULT, principal: CLUSTER }, { do: 'accessPolicy.set', vault: VAULT, principal: CLUSTER, permissions: [...REQUIRED_PERMISSIONS] }]
          : trip.away === 'links'
            ? [{ do: 'workspace.unlink', workspace: WORKSPACES[0] }, { do: 'workspace.link', workspace: WORKSPACES[0], cluster: CLUSTER }]
            : [{ do: 'keyVault.outage', vault: VAULT, for: `${off}m` }, null];
    // Behind a network rule the cluster cannot reach the vault while its owner disables and enables the key; the rule lasts as long again after.
    const actions: ActionData[] = trip.away === 'keyBehindNetwork' ? [{ at: `${start}m`, do: 'keyVault.denyNetwork', vault: VAULT, for: `${2 * off}m` }] : [];
    actions.push({ at: `${start}m`, ...away } as ActionData);
    if (back !== null) actions.push({ at: `${start + off}m`, ...back } as ActionData);
    if (trip.again !== null) {
      const at = start + off + 1 + Math.round((trip.again.afterPercentOfResume * bounds.resumeWithin) / 100);
      const again = trip.again.what === 'outage' ? { do: 'keyVault.outage', vault: VAULT, for: `${share(trip.again.outagePercent, bounds.outageToUnavailable)}m` } : away;
      actions.push({ at: `${at}m`, ...again } as ActionData);
    }
    if (trip.deletePercent !== null) actions.push({ at: `${start + share(trip.deletePercent, off)}m`, do: 'cluster.delete', cluster: CLUSTER });
    return actions;
  };

  /**
   * The documented onboarding of a `setup: none` run, whose cluster nothing
   * else creates: create the cluster (its body sometimes asking for a tier or
   * turning double encryption off), grant it the key, update it with the
   * key, link the workspaces. Each later step's time is a share (per cent) of
   * the longest provisioning time after the create, so steps fall both before
   * and after the cluster is provisioned; the workspaces' records then reach
   * its storage, where the rules judge them. Independent draws of the same
   * four requests rarely line up so.
   */
  const bringUp: Arbitrary<BringUp> = fc.record({
    startPerMille: fc.integer({ min: 0, max: 300 }),
    createBody: fc.option(createBody, { nil: null }),
    grantPercent: fc.integer({ min: 0, max: 300 }),
    keyPercent: fc.integer({ min: 25, max: 300 }),
    linkPercent: fc.integer({ min: 25, max: 300 }),
  });

  /** The actions of a bring-up starting at minute `start`, linking these workspaces. */
  const bringUpActions = (b: BringUp, start: number, workspaces: readonly string[]): ActionData[] => {
    const after = (percent: number) => `${start + Math.round((percent * PROVISION_MINUTES.max) / 100)}m`;
    return [
      { at: `${start}m`, do: 'cluster.create', cluster: CLUSTER, ...(b.createBody === null ? {} : { body: b.createBody }) },
      { at: after(b.grantPercent), do: 'accessPolicy.set', vault: VAULT, principal: CLUSTER, permissions: [...REQUIRED_PERMISSIONS] },
      { at: after(b.keyPercent), do: 'cluster.update', cluster: CLUSTER, body: keyBody('v1') },
      ...workspaces.map((workspace) => ({ at: after(b.linkPercent), do: 'workspace.link', workspace, cluster: CLUSTER })),
    ];
  };

  /**
   * A month-long run's capacity tier raised to the profile's highest (up to
   * 5000 GB/day), then lowered to its lowest on the run's last day. The
   * commitment period started at the cluster's creation ends about then, so
   * the lowering falls after it; the raise comes a share (per cent) of the
   * commitment period before the lowering, so the raise's own commitment
   * has ended at the lowering, or not: "A commitment tier can be increased
   * any time, but has 31 days commitment period before it can be reduced".
   */
  const capacityTrip: Arbitrary<CapacityTrip> = fc.record({
    lowerPercentOfLastDay: fc.integer({ min: 0, max: 99 }),
    raisedPercentOfCommitment: fc.integer({ min: 25, max: 150 }),
  });

  const capacityTripActions = (trip: CapacityTrip, runMinutes: number, profile: ProfileName): ActionData[] => {
    const { capacityTiersGBPerDay: tiers, capacityCommitment } = PROFILE_DEFAULTS[profile];
    const commitmentMinutes = capacityCommitment > 0 ? capacityCommitment / 60_000 : DOCUMENTED_COMMITMENT_MINUTES;
    const lowerAt = runMinutes - 24 * 60 + Math.round((trip.lowerPercentOfLastDay * 24 * 60) / 100);
    const raisedAt = Math.max(0, lowerAt - Math.round((trip.raisedPercentOfCommitment * commitmentMinutes) / 100));
    const top = tiers.filter((t) => t <= CAPACITY_TRIP_TOP_GB_PER_DAY).at(-1)!;
    const tier = (capacity: number) => ({ sku: { name: 'CapacityReservation', capacity } });
    return [
      { at: `${raisedAt}m`, do: 'cluster.update', cluster: CLUSTER, body: tier(top) },
      { at: `${lowerAt}m`, do: 'cluster.update', cluster: CLUSTER, body: tier(tiers[0]!) },
    ];
  };

  /**
   * An access-policy action as a vault that grants by Azure RBAC role has it:
   * a policy with every permission the cluster needs is the role assigned,
   * one without some of them, or none, is the role taken away.
   */
  const byRole = (action: ActionData): ActionData => {
    if (action.do !== 'accessPolicy.set' && action.do !== 'accessPolicy.remove') return action;
    const permissions = (action.permissions ?? []) as readonly string[];
    const granted = action.do === 'accessPolicy.set' && REQUIRED_PERMISSIONS.every((p) => permissions.includes(p));
    return { at: action.at, do: granted ? 'roleAssignment.create' : 'roleAssignment.delete', vault: action.vault, principal: action.principal, role: RBAC_ROLE };
  };

  /**
   * A whole scenario: one vault (granting by access policy or by RBAC role)
   * and key, one cluster, 1-3 workspaces (the first sometimes with tables on
   * the Auxiliary plan), faults, key operations, requests and access round
   * trips in time; where nothing is set up (`setup: none`), mostly the
   * documented bring-up too, and sometimes a vault that is not recoverable,
   * or not in its cluster's region or tenant.
   */
  const scenario = (options: ScenarioOptions = {}): Arbitrary<ScenarioData> => {
    const maxHours = options.maxHours ?? DEFAULT_MAX_HOURS;
    const maxActions = options.maxActions ?? DEFAULT_MAX_ACTIONS;
    const monthEvery = options.monthEvery ?? 10;
    const profiles = options.profiles ?? PROFILES;
    // `at` is drawn as a share of the duration (per mille) so that the duration and the
    // actions shrink independently.
    const atArb = fc.integer({ min: 0, max: 999 }).map((perMille) => `#${perMille}`);
    const hours = monthEvery > 0
      ? fc.oneof({ weight: monthEvery - 1, arbitrary: fc.integer({ min: 6, max: maxHours }) }, { weight: 1, arbitrary: fc.integer(MONTH_HOURS) })
      : fc.integer({ min: 6, max: maxHours });
    return fc
      .record({
        hours,
        seed: fc.integer({ min: 0, max: 1_000_000 }),
        profile: fc.constantFrom(...profiles),
        setup: fc.constantFrom<'ready' | 'none'>('ready', 'ready', 'ready', 'none'),
        params: params,
        storageAccounts: fc.integer({ min: 1, max: STORAGE_ACCOUNTS_MAX }),
        doubleEncryption: fc.boolean(),
        // A vault that grants by Azure RBAC role instead of access policy (keyVaultRbac).
        rbac: fc.boolean(),
        // Where nothing is set up, a vault a cluster cannot be keyed to in two runs in five ("must be configured as recoverable").
        recovery: fc.constantFrom<VaultRecovery>('recoverable', 'recoverable', 'recoverable', 'noPurgeProtection', 'noSoftDelete'),
        // Where nothing is set up, a vault in another region or tenant than its cluster in two runs in five ("must be in the same region and in the same Azure AD tenant").
        place: fc.constantFrom<VaultPlace>('withCluster', 'withCluster', 'withCluster', 'otherRegion', 'otherTenant'),
        // Where nothing is set up, the documented bring-up in three runs in four; shrinks to none (cross shrink) when the failure does without it.
        bringUp: fc.oneof({ withCrossShrink: true }, { weight: 1, arbitrary: fc.constant(null) }, { weight: 3, arbitrary: bringUp }),
        workspaces: workload,
        // Tables on the Auxiliary plan in the first workspace (auxiliaryTablePlan).
        auxiliary: fc.option(fc.record({ recordsPerMinute: fc.integer({ min: 1, max: AUXILIARY_RECORDS_PER_MINUTE_MAX }), perHour: fc.integer({ min: 0, max: AUXILIARY_QUERIES_PER_HOUR_MAX }) }), { nil: null, freq: 4 }),
        actions: fc.array(fc.oneof(fault(atArb), keyOperation(atArb), controlPlaneOperation(atArb)), { maxLength: maxActions }),
        roundTrips: fc.array(fc.tuple(atArb, roundTrip), { maxLength: ROUND_TRIPS_MAX }),
        // In a month-long run, one time in two.
        capacityTrip: fc.option(capacityTrip, { nil: null, freq: 2 }),
        // In a month-long run, two times in three every workspace stops sending records (its tables on the Auxiliary plan aside) this far into it (per mille), near its end,
        // when the first days' blocks reach their retention: an account nobody writes to must still purge them.
        quietFromPerMille: fc.option(fc.integer({ min: 850, max: 990 }), { nil: null, freq: 3 }),
      })
      .map((d): ScenarioData => {
        const ready = d.setup === 'ready';
        const month = d.hours > maxHours;
        const minutesOf = (at: string) => Math.floor((Number(at.slice(1)) / 1000) * d.hours * 60);
        const actions: ActionData[] = d.actions.map((a) => ({ ...a, at: `${minutesOf(a.at)}m` }));
        const defaults = PROFILE_DEFAULTS[d.profile as ProfileName];
        const bound = (name: 'revocationWithin' | 'outageToUnavailable' | 'resumeWithin') => (typeof d.params[name] === 'string' ? parseInt(d.params[name] as string) : defaults[name] / 60_000);
        const bounds = { revocationWithin: bound('revocationWithin'), outageToUnavailable: bound('outageToUnavailable'), resumeWithin: bound('resumeWithin') };
        for (const [at, trip] of d.roundTrips) actions.push(...roundTripActions(trip, minutesOf(at), bounds));
        if (!ready && d.bringUp !== null) actions.push(...bringUpActions(d.bringUp, minutesOf(`#${d.bringUp.startPerMille}`), d.workspaces.map((w) => w.name as string)));
        if (month && d.capacityTrip !== null) actions.push(...capacityTripActions(d.capacityTrip, d.hours * 60, d.profile as ProfileName));
        if (month && d.quietFromPerMille !== null) {
          const at = `${minutesOf(`#${d.quietFromPerMille}`)}m`;
          for (const w of d.workspaces) actions.push({ at, do: 'workspace.setIngest', workspace: w.name as string, ingest: { recordsPerMinute: 0 } });
        }
        // setup: ready keys the cluster before t=0, which only a recoverable vault allows.
        const recovery = ready ? 'recoverable' : d.recovery;
        const place = ready ? 'withCluster' : d.place;
        // Parameters fixed to false turn the feature off.
        const rbac = d.rbac && options.fixedParams?.keyVaultRbac !== false;
        const auxiliary = options.fixedParams?.auxiliaryTablePlan === false ? null : d.auxiliary;
        const workspaces = d.workspaces.map((w, i) => ({
          ...w,
          ...(ready ? { cluster: CLUSTER } : {}),
          ...(i === 0 && auxiliary !== null ? { ingest: { ...(w.ingest as object), auxiliaryRecordsPerMinute: auxiliary.recordsPerMinute }, query: { ...(w.query as object), auxiliaryPerHour: auxiliary.perHour } } : {}),
        }));
        return {
          name: 'explored',
          description: 'A scenario generated by cmk-sim explore.',
          seed: d.seed,
          profile: d.profile,
          duration: `${d.hours}h`,
          setup: d.setup,
          // An oct-HSM key keeps thousands of runs fast: the model's shortcut, not Azure (its cluster keys are RSA).
          params: {
            ...d.params,
            ...(month ? { blockSlice: MONTH_BLOCK_SLICE } : {}),
            ...(rbac ? { keyVaultRbac: true } : {}),
            ...(auxiliary !== null ? { auxiliaryTablePlan: true } : {}),
            clusterProvisionTime: [`${PROVISION_MINUTES.min}m`, `${PROVISION_MINUTES.max}m`],
            linkTime: ['1m', '10m'],
            unlinkTime: ['1m', '10m'],
            modelShortcutOctKeys: true,
            ...options.fixedParams,
          },
          keyVaults: [
            {
              name: VAULT,
              keys: [{ name: KEY, kty: 'oct-HSM' }],
              ...(rbac ? { permissionModel: 'rbac' } : {}),
              ...(recovery === 'noPurgeProtection' ? { purgeProtection: false } : recovery === 'noSoftDelete' ? { softDelete: false, purgeProtection: false } : {}),
              ...(place === 'otherRegion' ? { region: ELSEWHERE.region } : place === 'otherTenant' ? { tenant: ELSEWHERE.tenant } : {}),
            },
          ],
          clusters: [{ name: CLUSTER, storageAccounts: d.storageAccounts, doubleEncryption: d.doubleEncryption, ...(ready ? { key: { vault: VAULT, name: KEY } } : {}) }],
          workspaces,
          // A stable sort: actions at the same minute keep the order they were drawn in.
          actions: actions
            .filter((a) => parseInt(a.at) < d.hours * 60)
            .map((a) => (rbac ? byRole(a) : a))
            .sort((a, b) => parseInt(a.at) - parseInt(b.at)),
        };
      });
  };

  /** Sequences in time order, for composing one's own scenarios. */
  const inOrder = (one: (at: Arbitrary<string>) => Arbitrary<ActionData>) => (atArb: Arbitrary<string>, maxLength = 6): Arbitrary<ActionData[]> =>
    fc.array(one(atArb), { maxLength }).map((actions) => [...actions].sort((a, b) => parseInt(a.at) - parseInt(b.at)));

  return {
    params,
    workload,
    fault,
    keyOperation,
    controlPlaneOperation,
    faultSequence: inOrder(fault),
    keyOperations: inOrder(keyOperation),
    controlPlaneSequence: inOrder(controlPlaneOperation),
    roundTrip,
    bringUp,
    capacityTrip,
    scenario,
  };
}

export type Arbitraries = ReturnType<typeof arbitraries>;

/**
 * The largest scenarios `scenario(options)` can generate, one per shape,
 * longest first (the longest month-long run with its 1 h slices, and the
 * longest short run): every storage account, workspace (the first with tables
 * on the Auxiliary plan) and action it may draw, the
 * shortest unwrap poll, the highest rates, the longest lookback. No generated
 * scenario implies more work than the larger of the two, so `explore` checks
 * its budget on these before it starts.
 */
export function largestScenarios(options: ScenarioOptions = {}): ScenarioData[] {
  const maxHours = options.maxHours ?? DEFAULT_MAX_HOURS;
  const actions = (options.maxActions ?? DEFAULT_MAX_ACTIONS) + ROUND_TRIPS_MAX * ROUND_TRIP_ACTIONS_MAX + BRING_UP_ACTIONS_MAX + CAPACITY_TRIP_ACTIONS + QUIET_END_ACTIONS_MAX;
  const auxiliary = options.fixedParams?.auxiliaryTablePlan !== false;
  const shapes = [...((options.monthEvery ?? 10) > 0 ? [{ hours: MONTH_HOURS.max, params: { blockSlice: MONTH_BLOCK_SLICE } }] : []), { hours: maxHours, params: {} }];
  return shapes.map(({ hours, params }) => ({
    name: 'explored',
    description: 'The largest scenario cmk-sim explore generates.',
    seed: 0,
    duration: `${hours}h`,
    setup: 'ready',
    params: { delayMode: 'best', unwrapPollInterval: [`${POLL_SECONDS.min}s`, `${POLL_SECONDS.min}s`], ...(auxiliary ? { auxiliaryTablePlan: true } : {}), ...params, ...options.fixedParams },
    keyVaults: [{ name: VAULT, keys: [{ name: KEY, kty: 'oct-HSM' }] }],
    clusters: [{ name: CLUSTER, storageAccounts: STORAGE_ACCOUNTS_MAX, key: { vault: VAULT, name: KEY } }],
    workspaces: WORKSPACES.map((name, i) => ({
      name,
      cluster: CLUSTER,
      retentionDays: RETENTION_DAYS[i % RETENTION_DAYS.length],
      ingest: { recordsPerMinute: RECORDS_PER_MINUTE_MAX, ...(auxiliary && i === 0 ? { auxiliaryRecordsPerMinute: AUXILIARY_RECORDS_PER_MINUTE_MAX } : {}) },
      query: { perHour: QUERIES_PER_HOUR_MAX, lookback: LOOKBACKS.at(-1), ...(auxiliary && i === 0 ? { auxiliaryPerHour: AUXILIARY_QUERIES_PER_HOUR_MAX } : {}) },
    })),
    actions: Array.from({ length: actions }, () => ({ at: '0m', do: 'keyVault.outage', vault: VAULT, for: '1m' })),
  }));
}
