// Issue 11, item 5: no output ever holds NaN or Infinity. Every built-in,
// a scenario at the largest values the bounds allow and the edge scenarios
// (no queries, no ingestion, nothing at all, a 1 ms run, zero-length
// windows, SLO targets of 0 and 1) are run by the command line, every file
// written is scanned for NaN, Infinity, -Infinity and "undefined", and so
// are the summaries printed; then a small sweep and a grid.

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { listBuiltins } from '../scenarios/load.ts';
import { formatDuration } from '../sim/engine/duration.ts';
import { MAX_CAPACITY_GB_PER_DAY, MAX_DURATION_MS, MAX_GB_PER_DAY, MAX_LIMIT_PER_10S, MAX_QUERIES_PER_HOUR, MAX_RECORDS_PER_MINUTE, MAX_SAVED_SEARCHES } from '../sim/limits.ts';
import { cli, show, STATUS, type Outcome } from './cli-helpers.ts';

const root = mkdtempSync(join(tmpdir(), 'cmk-sim-no-nan-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

const NOT_A_NUMBER = /NaN|Infinity|undefined/;
const RUN_FILES = ['sla.json', 'sla.md', 'sla.csv', 'report.html', 'timeline.jsonl', 'timeline.csv', 'trace.json'];
const SWEEP_FILES = ['sweep.json', 'runs.csv', 'summary.csv', 'summary.md', 'summary.html'];

/** Every place in the command's output and in the files of `dir` where NaN, Infinity or undefined appears, with a little context. */
function findings(o: Outcome, dir: string, expectedFiles: readonly string[]): string[] {
  const found: string[] = [];
  const scan = (where: string, text: string) => {
    const match = NOT_A_NUMBER.exec(text);
    if (match !== null) found.push(`${where}: ...${text.slice(Math.max(0, match.index - 80), match.index + 40)}...`);
  };
  scan('stdout', o.out);
  scan('stderr', o.err);
  const written = readdirSync(dir);
  for (const name of expectedFiles) assert.ok(written.includes(name), `${name} was not written:\n${show(o)}`);
  for (const name of written) scan(name, readFileSync(join(dir, name), 'utf8'));
  return found;
}

let runs = 0;
async function runAndScan(scenario: string, extra: string[] = []): Promise<string[]> {
  const out = join(root, `run-${++runs}`);
  const o = await cli('run', scenario, '--out', out, ...extra);
  assert.ok(o.status === STATUS.ok || o.status === STATUS.expectationFailed, `${scenario}:\n${show(o)}`);
  return findings(o, out, RUN_FILES);
}

function scenarioFile(name: string, data: Record<string, unknown>): string {
  const path = join(root, `${name}.json`);
  writeFileSync(path, JSON.stringify({ name, ...data }));
  return path;
}

const KV = [{ name: 'kv1', keys: [{ name: 'cmk', kty: 'RSA' }] }];
const CL = [{ name: 'cl1', storageAccounts: 1, key: { vault: 'kv1', name: 'cmk' } }];
const OUTAGE = { at: '1h', do: 'keyVault.outage', vault: 'kv1', for: '2h' };
const LONGEST = formatDuration(MAX_DURATION_MS);

const EDGES: Record<string, Record<string, unknown>> = {
  'largest-values': {
    duration: LONGEST,
    params: { unwrapPollInterval: [LONGEST, LONGEST], blockSlice: `${MAX_DURATION_MS / 60_000}m`, querySampleInterval: LONGEST, sloTarget: 1, keyVaultThrottleLimitPer10s: MAX_LIMIT_PER_10S, serviceCreditTiers: [{ below: 1, creditPercent: 100 }], capacityTiersGBPerDay: [MAX_CAPACITY_GB_PER_DAY] },
    keyVaults: KV,
    clusters: [{ name: 'cl1', storageAccounts: 2, capacityGBPerDay: MAX_CAPACITY_GB_PER_DAY, key: { vault: 'kv1', name: 'cmk' } }],
    workspaces: ['ws1', 'ws2', 'ws3'].map((name) => ({ name, cluster: 'cl1', retentionDays: 730, savedSearches: MAX_SAVED_SEARCHES, ingest: { gbPerDay: MAX_GB_PER_DAY, recordsPerMinute: MAX_RECORDS_PER_MINUTE }, query: { perHour: MAX_QUERIES_PER_HOUR, lookback: LONGEST } })),
    actions: [{ at: '1d', do: 'keyVault.outage', vault: 'kv1', for: LONGEST }],
  },
  'nothing-at-all': { duration: '1h' },
  'no-workspaces': { duration: '1d', keyVaults: KV, clusters: CL, actions: [OUTAGE] },
  'no-queries': { duration: '1d', keyVaults: KV, clusters: CL, workspaces: [{ name: 'ws1', cluster: 'cl1', query: { perHour: 0 } }], actions: [OUTAGE] },
  'no-ingestion': { duration: '1d', keyVaults: KV, clusters: CL, workspaces: [{ name: 'ws1', cluster: 'cl1', ingest: { gbPerDay: 0, recordsPerMinute: 0 } }], actions: [OUTAGE] },
  'no-workload-revoked': {
    duration: '1d',
    keyVaults: KV,
    clusters: CL,
    workspaces: [{ name: 'ws1', cluster: 'cl1', ingest: { gbPerDay: 0, recordsPerMinute: 0 }, query: { perHour: 0, lookback: '0s' } }],
    actions: [{ at: '1h', do: 'key.disable', vault: 'kv1', key: 'cmk' }],
  },
  'one-millisecond': { duration: '1ms', keyVaults: KV, clusters: CL, workspaces: [{ name: 'ws1', cluster: 'cl1' }] },
  'zero-length-windows': {
    duration: '1d',
    params: { hotCacheDays: 0, mmkBufferMaxAge: '0s', outageToUnavailable: '0s', revocationWithin: '0s', resumeWithin: '0s', sloTarget: 1, serviceCreditTiers: [] },
    keyVaults: KV,
    clusters: CL,
    workspaces: [{ name: 'ws1', cluster: 'cl1', query: { perHour: 60, lookback: '0s' } }],
    actions: [{ at: '1h', do: 'keyVault.outage', vault: 'kv1', for: '1ms' }, { at: '2h', do: 'key.disable', vault: 'kv1', key: 'cmk' }],
  },
  'slo-target-zero': { duration: '2h', params: { sloTarget: 0 }, keyVaults: KV, clusters: CL, workspaces: [{ name: 'ws1', cluster: 'cl1' }], actions: [{ at: '1m', do: 'keyVault.outage', vault: 'kv1', for: '2h' }] },
  'nothing-provisioned': { duration: '3h', setup: 'none', keyVaults: KV, clusters: [{ name: 'cl1' }], workspaces: [{ name: 'ws1' }] },
};

test('no output of any built-in scenario holds NaN, Infinity or undefined', async () => {
  const found: string[] = [];
  for (const builtin of listBuiltins()) found.push(...(await runAndScan(builtin.name)).map((f) => `${builtin.name}: ${f}`));
  assert.equal(found, []);
});

for (const [name, data] of Object.entries(EDGES)) {
  test(`no output of the scenario ${name} holds NaN, Infinity or undefined`, async () => {
    assert.equal(await runAndScan(scenarioFile(name, data)), []);
  });
}

test('no file of a small sweep, of a sweep without workload, or of a grid holds NaN, Infinity or undefined', async () => {
  const sweeps = [
    ['kv-outage-45m-random-faults', '--runs', '3'],
    [scenarioFile('sweep-nothing', EDGES['nothing-at-all']!), '--runs', '2'],
    [scenarioFile('sweep-no-workload', EDGES['no-workload-revoked']!), '--runs', '2', '--vary', 'revocationWithin=0s,1h'],
  ];
  for (const args of sweeps) {
    const out = join(root, `sweep-${++runs}`);
    const o = await cli('sweep', ...args, '--workers', '1', '--out', out);
    assert.is(o.status, STATUS.ok, show(o));
    assert.equal(findings(o, out, SWEEP_FILES), [], args.join(' '));
  }
});

test.run();
