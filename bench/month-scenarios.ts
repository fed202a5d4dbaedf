// The month scenarios `npm run bench` runs, so their thousands of
// workspaces follow one pattern (retention, ingestion, queries cycle with the
// workspace's number) and differ only in their count and clusters:
//
//   month-1000-workspaces.yaml     1,000 workspaces on one cluster (committed in bench/: tests and the README use it)
//   month-10000-workspaces.yaml    10,000 on one cluster (maxWorkspacesPerCluster raised: the documentation's limit is 1,000)
//   month-10-clusters.yaml         10,000 as 10 clusters of 1,000 (2 per subscription, the documented limit per region)
//
// Each: 30 days, a 45-minute Key Vault outage on day 10, the key disabled for 2 hours on day 20.
// The two of 10,000 (3 MB of YAML) are written where they are run, not committed,
// each also as JSON (the same scenario: what a script generating thousands of
// workspaces is best to write, since JSON loads 15 times faster):
//
//   npx tsx bench/month-scenarios.ts [folder]     all three, .yaml and .json, into folder (default bench/generated)

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** Where the bench writes the generated months (gitignored). */
export const GENERATED_DIR = join(dirname(fileURLToPath(import.meta.url)), 'generated');
const CLUSTERS_PER_SUBSCRIPTION = 2;

export interface Month {
  file: string;
  description: string;
  workspaces: number;
  clusters: number;
  params?: string[];
}

export const MONTHS: Month[] = [
  { file: 'month-1000-workspaces.yaml', description: 'A month of 1000 workspaces on one cluster', workspaces: 1000, clusters: 1 },
  {
    file: 'month-10000-workspaces.yaml',
    description: 'A month of 10,000 workspaces on one cluster (10 times the documented limit of linked workspaces, raised here to measure the cost of scale)',
    workspaces: 10_000,
    clusters: 1,
    params: ['maxWorkspacesPerCluster: 10000'],
  },
  { file: 'month-10-clusters.yaml', description: 'A month of 10,000 workspaces as 10 clusters of 1000, two per subscription', workspaces: 10_000, clusters: 10 },
];

export function monthYaml({ file, description, workspaces, clusters, params }: Month): string {
  const digits = workspaces > 1000 ? 5 : 4;
  const clusterName = (c: number) => (clusters === 1 ? 'cl1' : `cl${String(c + 1).padStart(2, '0')}`);
  const lines = [
    `name: ${file.replace(/\.yaml$/, '')}`,
    `description: ${description} with a 45-minute Key Vault outage on day 10 and a key disabled for 2 hours on day 20.`,
    'seed: 42',
    'duration: 30d',
    ...(params === undefined ? [] : ['params:', ...params.map((p) => `  ${p}`)]),
    'keyVaults:',
    '  - name: kv1',
    '    keys:',
    '      - { name: cmk, kty: RSA, size: 2048 }',
    'clusters:',
  ];
  for (let c = 0; c < clusters; c++) {
    lines.push(`  - name: ${clusterName(c)}`);
    if (clusters > 1) lines.push(`    subscription: sub${Math.floor(c / CLUSTERS_PER_SUBSCRIPTION) + 1}`);
    lines.push('    key: { vault: kv1, name: cmk }');
  }
  lines.push('workspaces:');
  const perCluster = workspaces / clusters;
  for (let i = 0; i < workspaces; i++) {
    const name = `ws${String(i).padStart(digits, '0')}`;
    const subscription = clusters > 1 ? `subscription: sub${Math.floor(Math.floor(i / perCluster) / CLUSTERS_PER_SUBSCRIPTION) + 1}, ` : '';
    const retentionDays = i % 4 === 0 ? 90 : 30;
    const recordsPerMinute = 50 + 10 * (i % 7);
    const perHour = 4 + (i % 5);
    const lookback = i % 3 === 0 ? '1d' : '1h';
    lines.push(
      `  - { name: ${name}, ${subscription}cluster: ${clusterName(Math.floor(i / perCluster))}, retentionDays: ${retentionDays}, ingest: { gbPerDay: 5, recordsPerMinute: ${recordsPerMinute} }, query: { perHour: ${perHour}, lookback: ${lookback} } }`,
    );
  }
  lines.push(
    'actions:',
    '  - { at: 10d, do: keyVault.outage, vault: kv1, for: 45m }',
    '  - { at: 20d, do: key.disable, vault: kv1, key: cmk }',
    '  - { at: 20d2h, do: key.enable, vault: kv1, key: cmk }',
  );
  return lines.join('\n') + '\n';
}

/** The same month as JSON. */
export function monthJson(month: Month): string {
  return JSON.stringify(parse(monthYaml(month)), null, 1) + '\n';
}

/** Writes every month into the folder, as YAML and as JSON; returns their paths, in MONTHS order. */
export function writeMonths(dir: string = GENERATED_DIR): { yaml: string; json: string }[] {
  mkdirSync(dir, { recursive: true });
  return MONTHS.map((month) => {
    const yaml = join(dir, month.file);
    const json = yaml.replace(/\.yaml$/, '.json');
    writeFileSync(yaml, monthYaml(month));
    writeFileSync(json, monthJson(month));
    return { yaml, json };
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const { yaml, json } of writeMonths(process.argv[2])) console.log(`wrote ${yaml} and ${json}`);
}
