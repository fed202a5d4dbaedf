// fast-check arbitraries for users' own property tests and for `explore`.
// fast-check comes from the caller (a peer dependency): pass it in, so there
// is never a second copy. Every arbitrary yields plain data shaped like a
// scenario file, so a failing case can be written out as YAML and replayed
// with `cmk-sim run`.

import type * as FastCheck from 'fast-check';
import type { Arbitrary } from 'fast-check';

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

export interface ScenarioOptions {
  /** Longest scenario, in hours (default 72). */
  maxHours?: number;
  /** Most actions (default 8). */
  maxActions?: number;
  /** Profiles to draw from (default all three). */
  profiles?: readonly string[];
  /** Parameters fixed in every scenario, e.g. { brokenRule: 'lateRevocation' }. */
  fixedParams?: Record<string, unknown>;
}

const VAULT = 'kv1';
const KEY = 'cmk';
const CLUSTER = 'cl1';
const WORKSPACES = ['ws1', 'ws2', 'ws3'] as const;

/** The arbitraries, built on the caller's fast-check: `arbitraries(fc).scenario()`. */
export function arbitraries(fc: Fc) {
  const minutes = (min: number, max: number): Arbitrary<string> => fc.integer({ min, max }).map((m) => `${m}m`);
  const seconds = (min: number, max: number): Arbitrary<number> => fc.integer({ min, max });

  /** Parameters within their documented ranges: the bounds people ask "what if" about. */
  const params: Arbitrary<Record<string, unknown>> = fc
    .record({
      delayMode: fc.constantFrom('uniform', 'worst', 'best'),
      poll: fc.tuple(seconds(1, 30), seconds(0, 90)),
      outageToUnavailable: minutes(5, 60),
      mmkBufferMaxAge: minutes(60, 480),
      revocationWithin: minutes(5, 120),
      resumeWithin: minutes(1, 60),
    })
    .map(({ poll: [min, extra], ...rest }) => ({ ...rest, unwrapPollInterval: [`${min}s`, `${min + extra}s`] }));

  const workspace = (name: string): Arbitrary<Record<string, unknown>> =>
    fc.record({
      name: fc.constant(name),
      retentionDays: fc.constantFrom(30, 31, 90),
      ingest: fc.record({ gbPerDay: fc.integer({ min: 0, max: 1000 }), recordsPerMinute: fc.integer({ min: 0, max: 300 }) }),
      query: fc.record({ perHour: fc.integer({ min: 0, max: 120 }), lookback: fc.constantFrom('10m', '1h', '6h', '1d', '3d') }),
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

  const keyBody = (version: string) => ({ properties: { keyVaultProperties: { keyVaultUri: `https://${VAULT}.vault.azure.net`, keyName: KEY, keyVersion: version } } });

  /** What people do to their key: disable, enable, rotate, delete, recover, policies, identity None, key updates. */
  const keyOperation = (atArb: Arbitrary<string>): Arbitrary<ActionData> =>
    fc.oneof(
      fc.record({ at: atArb, do: fc.constantFrom('key.disable', 'key.enable'), vault: fc.constant(VAULT), key: fc.constant(KEY) }),
      fc.record({ at: atArb, do: fc.constantFrom('key.disable', 'key.enable'), vault: fc.constant(VAULT), key: fc.constant(KEY), version: fc.constant('v1') }),
      fc.record({ at: atArb, do: fc.constant('key.rotate'), vault: fc.constant(VAULT), key: fc.constant(KEY) }),
      fc.record({ at: atArb, do: fc.constantFrom('key.delete', 'key.recover'), vault: fc.constant(VAULT), key: fc.constant(KEY) }),
      fc.record({ at: atArb, do: fc.constant('accessPolicy.remove'), vault: fc.constant(VAULT), principal: fc.constant(CLUSTER) }),
      fc.record({ at: atArb, do: fc.constant('accessPolicy.set'), vault: fc.constant(VAULT), principal: fc.constant(CLUSTER), permissions: fc.subarray(['get', 'wrapKey', 'unwrapKey'], { minLength: 1 }) }),
      fc.record({ at: atArb, do: fc.constant('cluster.setIdentity'), cluster: fc.constant(CLUSTER), type: fc.constant('None') }),
      fc.record({ at: atArb, do: fc.constant('cluster.update'), cluster: fc.constant(CLUSTER), body: fc.constantFrom('v1', 'v2').map(keyBody) }),
    );

  /** Requests on the cluster and its workspaces, mistakes included. */
  const controlPlaneOperation = (atArb: Arbitrary<string>): Arbitrary<ActionData> =>
    fc.oneof(
      fc.record({ at: atArb, do: fc.constant('cluster.create'), cluster: fc.constant(CLUSTER) }),
      fc.record({ at: atArb, do: fc.constant('accessPolicy.set'), vault: fc.constant(VAULT), principal: fc.constant(CLUSTER), permissions: fc.constant(['get', 'wrapKey', 'unwrapKey']) }),
      fc.record({ at: atArb, do: fc.constant('cluster.update'), cluster: fc.constant(CLUSTER), body: fc.constant(keyBody('v1')) }),
      fc.record({ at: atArb, do: fc.constant('workspace.link'), workspace: fc.constantFrom(...WORKSPACES.slice(0, 1)), cluster: fc.constant(CLUSTER) }),
      fc.record({ at: atArb, do: fc.constant('workspace.unlink'), workspace: fc.constantFrom(...WORKSPACES.slice(0, 1)) }),
      fc.record({ at: atArb, do: fc.constant('cluster.delete'), cluster: fc.constant(CLUSTER) }),
    );

  /** A whole scenario: one vault and key, one cluster, 1-3 workspaces, faults and key operations in time. */
  const scenario = (options: ScenarioOptions = {}): Arbitrary<ScenarioData> => {
    const maxHours = options.maxHours ?? 72;
    const maxActions = options.maxActions ?? 8;
    const profiles = options.profiles ?? ['2020-11', '2021-07', '2023-06'];
    // `at` is drawn as a share of the duration (per mille) so that the duration and the
    // actions shrink independently.
    const atArb = fc.integer({ min: 0, max: 999 }).map((perMille) => `#${perMille}`);
    return fc
      .record({
        hours: fc.integer({ min: 6, max: maxHours }),
        seed: fc.integer({ min: 0, max: 1_000_000 }),
        profile: fc.constantFrom(...profiles),
        setup: fc.constantFrom<'ready' | 'none'>('ready', 'ready', 'ready', 'none'),
        params: params,
        storageAccounts: fc.integer({ min: 1, max: 2 }),
        doubleEncryption: fc.boolean(),
        workspaces: workload,
        actions: fc.array(fc.oneof(fault(atArb), keyOperation(atArb), controlPlaneOperation(atArb)), { maxLength: maxActions }),
      })
      .map((d): ScenarioData => {
        const ready = d.setup === 'ready';
        const minutesOf = (at: string) => Math.floor((Number(at.slice(1)) / 1000) * d.hours * 60);
        return {
          name: 'explored',
          description: 'A scenario generated by cmk-sim explore.',
          seed: d.seed,
          profile: d.profile,
          duration: `${d.hours}h`,
          setup: d.setup,
          params: { ...d.params, clusterProvisionTime: ['10m', '30m'], linkTime: ['1m', '10m'], unlinkTime: ['1m', '10m'], ...options.fixedParams },
          keyVaults: [{ name: VAULT, keys: [{ name: KEY, kty: 'oct-HSM' }] }],
          clusters: [{ name: CLUSTER, storageAccounts: d.storageAccounts, doubleEncryption: d.doubleEncryption, ...(ready ? { key: { vault: VAULT, name: KEY } } : {}) }],
          workspaces: d.workspaces.map((w) => (ready ? { ...w, cluster: CLUSTER } : w)),
          actions: d.actions.map((a) => ({ ...a, at: `${minutesOf(a.at)}m` })).sort((a, b) => parseInt(a.at) - parseInt(b.at)),
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
    scenario,
  };
}

export type Arbitraries = ReturnType<typeof arbitraries>;
