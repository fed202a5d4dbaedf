// Model-based: the storage account and the key vault against a small
// reference model of the documented rules (fast-check commands; FC_SEED and
// FC_RUNS override the fixed seed and run count).

import * as fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PlatformKey } from '../sim/crypto/index.ts';
import { RandomStreams } from '../sim/engine/random.ts';
import { Scheduler } from '../sim/engine/scheduler.ts';
import { KeyVault } from '../sim/azure/key-vault.ts';
import { PROFILE_DEFAULTS, type Params } from '../sim/azure/profiles.ts';
import { StorageAccount } from '../sim/azure/storage-account.ts';
import { EventBus } from '../sim/observe/events.ts';

const SEED = Number(process.env.FC_SEED ?? 20261128);
const RUNS = Number(process.env.FC_RUNS ?? 40);
console.log(`model-based: fast-check seed ${SEED}, ${RUNS} runs (FC_SEED / FC_RUNS to change)`);


const PARAMS: Params = {
  ...PROFILE_DEFAULTS['2020-11'],
  unwrapPollInterval: [6_000, 60_000],
  outageToUnavailable: 10 * 60_000,
  revocationWithin: 10 * 60_000,
  resumeWithin: 5 * 60_000,
};
const MAX_POLL = PARAMS.unwrapPollInterval[1];

interface Reference {
  nowMs: number;
  /** Since when access is denied (key disabled or policy removed), or null. */
  deniedSinceMs: number | null;
  disabled: boolean;
  policyRemoved: boolean;
  /** Since when Key Vault is unreachable, or null. */
  unreachableSinceMs: number | null;
  /** When Key Vault last became reachable again. */
  reachableSinceMs: number;
  healthyWhenOutageBegan: boolean;
  everDenied: boolean;
  outageUntilMs: number;
  /** The last moment any fault (denial or outage) was in force. */
  lastFaultMs: number;
}

interface Real {
  scheduler: Scheduler;
  vault: KeyVault;
  account: StorageAccount;
}

function makeReal(seed: number): Real {
  const scheduler = new Scheduler(0);
  const bus = new EventBus();
  const streams = new RandomStreams(seed);
  const vault = new KeyVault(
    { name: 'kv1', region: 'eastus', tenant: 't', subscription: 's', softDelete: true, purgeProtection: true, softDeleteRetentionDays: 90, permissionModel: 'accessPolicy', privateLink: false, accessPolicies: [{ principal: 'cl1', permissions: ['get', 'wrapKey', 'unwrapKey'] }], keys: [{ name: 'cmk', kty: 'oct-HSM', sizeBits: 256, wrapAlgorithm: 'A256KW', versions: ['v1'] }] },
    { bus, scheduler, transientStream: streams.stream('kv1/transient'), octMaterial: (n) => streams.stream('kv1/keys').bytes(n), rsa2048ThrottleLimitPer10s: 4000 },
  );
  const account = new StorageAccount(
    'cl1',
    0,
    {
      scheduler,
      bus,
      params: PARAMS,
      startIso: '2026-01-01T00:00:00.000Z',
      cluster: { name: 'cl1', principal: 'cl1', identityNoneCause: () => null },
      vaults: new Map([['kv1', vault]]),
      platformKey: new PlatformKey(streams.stream('platform').bytes(32)),
      doubleEncryption: false,
      infrastructure: null,
      streams: { poll: streams.stream('poll'), delays: streams.stream('delays'), keys: streams.stream('keys'), payload: streams.stream('payload'), queries: streams.stream('queries'), hotCache: streams.stream('hotCache') },
      onServingChange: () => {},
    },
    'noKey',
  );
  assert.is(account.configureKey({ vault: 'kv1', key: 'cmk', version: 'v1' }), null);
  return { scheduler, vault, account };
}

function denialChanged(m: Reference): void {
  const denied = m.disabled || m.policyRemoved;
  if (denied) m.everDenied = true;
  if (denied && m.deniedSinceMs === null) m.deniedSinceMs = m.nowMs;
  if (!denied && m.deniedSinceMs !== null) {
    m.deniedSinceMs = null;
    m.lastFaultMs = m.nowMs;
  }
}

const toggle = (label: string, apply: (m: Reference, r: Real) => void): fc.Arbitrary<fc.Command<Reference, Real>> =>
  fc.constant({
    check: () => true,
    run: (m: Reference, r: Real) => {
      apply(m, r);
      denialChanged(m);
    },
    toString: () => label,
  });

const commands = [
  toggle('disable key', (m, r) => {
    m.disabled = true;
    r.vault.setEnabled(m.nowMs, 'cmk', undefined, false);
  }),
  toggle('enable key', (m, r) => {
    m.disabled = false;
    r.vault.setEnabled(m.nowMs, 'cmk', undefined, true);
  }),
  toggle('remove policy', (m, r) => {
    m.policyRemoved = true;
    r.vault.removePolicy(m.nowMs, 'cl1');
  }),
  toggle('grant policy', (m, r) => {
    m.policyRemoved = false;
    r.vault.setPolicy(m.nowMs, 'cl1', ['get', 'wrapKey', 'unwrapKey']);
  }),
  fc.integer({ min: 1, max: 120 }).map((minutes) => ({
    check: (m: Readonly<Reference>) => m.unreachableSinceMs === null,
    run: (m: Reference, r: Real) => {
      const forMs = minutes * 60_000;
      r.vault.beginOutage(m.nowMs, forMs);
      r.scheduler.at(m.nowMs + forMs, () => r.vault.endWindows(r.scheduler.nowMs));
      m.unreachableSinceMs = m.nowMs;
      m.outageUntilMs = m.nowMs + forMs;
      m.healthyWhenOutageBegan = r.account.accessKind === 'healthy' && m.deniedSinceMs === null;
    },
    toString: () => `outage ${minutes}m`,
  })),
  fc.integer({ min: 1, max: 90 }).map((minutes) => ({
    check: () => true,
    run: (m: Reference, r: Real) => {
      // Minute by minute, so a rule broken between two checks cannot hide.
      for (let step = 0; step < minutes; step++) {
        const untilMs = m.nowMs + 60_000;
        if (m.unreachableSinceMs !== null && m.outageUntilMs <= untilMs) {
          r.scheduler.runUntil(m.outageUntilMs);
          m.nowMs = m.outageUntilMs;
          m.unreachableSinceMs = null;
          m.reachableSinceMs = m.nowMs;
          m.lastFaultMs = m.nowMs;
        }
        r.scheduler.runUntil(untilMs);
        m.nowMs = untilMs;
        if (m.deniedSinceMs !== null || m.unreachableSinceMs !== null) m.lastFaultMs = m.nowMs;
        judge(m, r.account);
      }
    },
    toString: () => `wait ${minutes}m`,
  })),
];

/** What the documented rules allow the account to be in now. */
function judge(m: Reference, account: StorageAccount): void {
  const where = `at ${m.nowMs / 60_000} min`;
  const reachable = m.unreachableSinceMs === null;
  if (m.deniedSinceMs === null && m.lastFaultMs === 0) assert.is(account.state, 'healthy', `${where}: nothing ever went wrong`);
  if (!m.everDenied) assert.not.equal(account.state, 'revoked', `${where}: revoked without any denial`);
  // Errors shorter than outageToUnavailable minus the longest poll reach no user.
  if (m.unreachableSinceMs !== null && m.healthyWhenOutageBegan && m.deniedSinceMs === null && m.nowMs < m.unreachableSinceMs + PARAMS.outageToUnavailable - MAX_POLL) {
    assert.is(account.state, 'healthy', `${where}: Key Vault unreachable only since ${m.unreachableSinceMs / 60_000} min`);
  }
  // Denied long enough, with the vault reachable to see it: revoked ("within an hour or sooner").
  if (m.deniedSinceMs !== null && reachable && m.nowMs >= Math.max(m.deniedSinceMs, m.reachableSinceMs) + Math.max(PARAMS.revocationWithin, MAX_POLL) + 1) {
    assert.is(account.state, 'revoked', `${where}: denied since ${m.deniedSinceMs / 60_000} min`);
    assert.is(account.aekInMemory, false, `${where}: revoked with the AEK in memory`);
  }
  // Unreachable long enough: no longer healthy.
  if (m.unreachableSinceMs !== null && m.nowMs >= m.unreachableSinceMs + PARAMS.outageToUnavailable) {
    assert.not.equal(account.state, 'healthy', `${where}: Key Vault unreachable since ${m.unreachableSinceMs / 60_000} min`);
  }
  // Every fault over for a poll and resumeWithin: healthy again.
  if (m.deniedSinceMs === null && reachable && m.nowMs >= m.lastFaultMs + MAX_POLL + PARAMS.resumeWithin + 1) {
    assert.is(account.state, 'healthy', `${where}: every fault ended at ${m.lastFaultMs / 60_000} min`);
  }
}

test('model-based: storage account and Key Vault against the documented rules (fc.commands)', () => {
  fc.assert(
    fc.property(fc.commands(commands, { maxCommands: 25 }), fc.integer({ min: 0, max: 1000 }), (cmds, seed) => {
      const model: Reference = { nowMs: 0, deniedSinceMs: null, disabled: false, policyRemoved: false, unreachableSinceMs: null, reachableSinceMs: 0, healthyWhenOutageBegan: true, everDenied: false, outageUntilMs: 0, lastFaultMs: 0 };
      fc.modelRun(() => ({ model, real: makeReal(seed) }), cmds);
    }),
    { seed: SEED + 2, numRuns: RUNS },
  );
});

test.run();
