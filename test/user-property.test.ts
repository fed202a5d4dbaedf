// The README's example of a user's own property test, kept true by running it.

import * as fc from 'fast-check';
import { test } from 'uvu';
import { arbitraries, parseScenario, runScenario } from '../sim/index.ts';

test('README example: Key Vault errors alone (outages, transient errors, throttling, network rules) never revoke', () => {
  const { params, workload, faultSequence } = arbitraries(fc);
  const minute = fc.integer({ min: 0, max: 24 * 60 - 1 }).map((m) => `${m}m`);
  const errorsOnly = fc.record({ params, workspaces: workload, faults: faultSequence(minute, 5) }).map(({ params, workspaces, faults }) => ({
    name: 'errors-only',
    duration: '1d',
    params: { ...params, modelShortcutOctKeys: true }, // an oct-HSM key: fast, and not Azure (cluster keys are RSA)
    keyVaults: [{ name: 'kv1', keys: [{ name: 'cmk', kty: 'oct-HSM' }] }],
    clusters: [{ name: 'cl1', key: { vault: 'kv1', name: 'cmk' } }],
    workspaces: workspaces.map((w) => ({ ...w, cluster: 'cl1' })),
    actions: faults,
  }));
  fc.assert(
    fc.property(errorsOnly, (data) => {
      const result = runScenario(parseScenario(JSON.stringify(data), 'errors-only', 'json'));
      return result.totals.ingestion.droppedByReason.revoked === 0 && result.incidents.every((i) => i.kind === 'outage');
    }),
    { seed: 7, numRuns: 20 },
  );
});

test.run();
