// Tables on the Auxiliary plan (2024-01 and later): "The Auxiliary table plan
// doesn't support customer-managed keys. Data in tables with the Auxiliary
// plan is encrypted with Microsoft-managed keys, even if you protect the data
// in the rest of your Log Analytics workspace using your own encryption key."

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '../sim/input-error.ts';
import { run, scenario } from './helpers.ts';

const KV = [{ name: 'kv1', keys: [{ name: 'cmk', kty: 'oct-HSM' }] }];
const MINUTES_PER_DAY = 24 * 60;

const withAuxiliary = (actions: Record<string, unknown>[]) =>
  scenario({
    profile: '2023-06',
    duration: '1d',
    params: { auxiliaryTablePlan: true },
    keyVaults: KV,
    workspaces: [{ name: 'ws1', cluster: 'cl1', ingest: { gbPerDay: 10, recordsPerMinute: 100, auxiliaryRecordsPerMinute: 20 }, query: { perHour: 60, lookback: '1h', auxiliaryPerHour: 6 } }],
    actions,
  });

test('profile 2024-01 (auxiliaryTablePlan): "Data in tables with the Auxiliary plan is encrypted with Microsoft-managed keys": while the key is revoked, the rest of the workspace is dropped and fails, its Auxiliary tables are stored and queried', () => {
  const r = run(withAuxiliary([{ at: '6h', do: 'key.disable', vault: 'kv1', key: 'cmk' }, { at: '12h', do: 'key.enable', vault: 'kv1', key: 'cmk' }]));
  const ws = r.result.workspaces.ws1!;
  const auxiliary = ws.auxiliary.ingestion;
  assert.is(auxiliary.offeredRecords, 20 * MINUTES_PER_DAY);
  assert.is(auxiliary.storedMmkRecords, auxiliary.offeredRecords, 'every Auxiliary record under Microsoft keys');
  assert.is(auxiliary.storedCmkRecords + auxiliary.droppedRecords + auxiliary.bufferedRecords, 0);
  assert.ok(ws.ingestion.droppedByReason.revoked > 0, 'the Analytics tables lose records while revoked');
  assert.is(ws.ingestion.storedMmkRecords, auxiliary.storedMmkRecords, 'the workspace figures count its Auxiliary tables too');
  assert.is(ws.ingestion.offeredRecords, (100 + 20) * MINUTES_PER_DAY);
  assert.is(ws.auxiliary.query.attempted, 6 * 24);
  assert.is(ws.auxiliary.query.failed, 0, 'queries of the Auxiliary tables do not fail for the customer key');
  assert.is(ws.query.attempted, (60 + 6) * 24, 'the workspace counts the queries of all its tables');
  assert.ok(ws.query.failed > 0);
  // The blocks of the Auxiliary tables are sealed in shared storage; rule 8 checked each one's AEK is the Microsoft-managed one.
  const auxiliaryBlocks = r.of('storage.ingested').filter((e) => e.entity === 'shared/0');
  assert.ok(auxiliaryBlocks.length > 0 && auxiliaryBlocks.every((e) => e.placement === 'mmk'));
});

test('without Auxiliary tables nothing changes: no workload of them, zero figures', () => {
  const r = run(scenario({ profile: '2023-06', duration: '2h', params: { auxiliaryTablePlan: true }, keyVaults: KV }));
  assert.is(r.of('workspace.workload').filter((e) => e.entity.endsWith('/auxiliary')).length, 0);
  assert.equal(r.result.workspaces.ws1!.auxiliary.query, { attempted: 0, succeeded: 0, failed: 0, availability: 1, unavailableMs: 0 });
  assert.is(r.result.workspaces.ws1!.auxiliary.ingestion.offeredRecords, 0);
});

test('profiles before 2024-01 know no Auxiliary plan: auxiliaryRecordsPerMinute and auxiliaryPerHour are bad input with their field paths', () => {
  for (const profile of ['2020-11', '2021-07', '2023-06']) {
    try {
      scenario({ profile, workspaces: [{ name: 'ws1', cluster: 'cl1', ingest: { auxiliaryRecordsPerMinute: 5 }, query: { auxiliaryPerHour: 1 } }] });
      assert.unreachable(`${profile} accepted Auxiliary tables`);
    } catch (error) {
      assert.instance(error, InputError);
      const paths = (error as InputError).problems.map((p) => [p.path, p.expected.includes('2024-01') && p.expected.includes('auxiliaryTablePlan')]);
      assert.equal(paths, [
        ['workspaces[0].ingest.auxiliaryRecordsPerMinute', true],
        ['workspaces[0].query.auxiliaryPerHour', true],
      ]);
    }
  }
});

test.run();
