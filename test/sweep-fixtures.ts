// The cheap scenario the sweep tests run: one day of random Key Vault
// outages on a cluster with an oct-HSM key (no RSA key to generate), written
// into the test's own temporary folder.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const OUTAGES = '  - { process: keyVault.outage, vault: kv1, meanTimeBetween: 12h, duration: { lognormal: { median: 30m, p90: 3h } } }';
const ACCIDENTAL_DISABLES = '  - { process: key.accidentalDisable, vault: kv1, key: cmk, meanTimeBetween: 2d, timeToNotice: { exponential: 2h } }';

/** Writes random.yaml into root and returns its path; with accidentalDisables, the key is also disabled by accident now and then. */
export function writeRandomFaults(root: string, { accidentalDisables }: { accidentalDisables: boolean }): string {
  const path = join(root, 'random.yaml');
  writeFileSync(
    path,
    `name: random-faults
duration: 1d
seed: 40
params: { modelShortcutOctKeys: true }
keyVaults: [{ name: kv1, keys: [{ name: cmk, kty: oct-HSM }] }]
clusters: [{ name: cl1, storageAccounts: 1, key: { vault: kv1, name: cmk } }]
workspaces: [{ name: ws1, cluster: cl1, ingest: { gbPerDay: 100, recordsPerMinute: 100 }, query: { perHour: 60, lookback: 1h } }]
faults:
${accidentalDisables ? `${OUTAGES}\n${ACCIDENTAL_DISABLES}` : OUTAGES}
`,
  );
  return path;
}
