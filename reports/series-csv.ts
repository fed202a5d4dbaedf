// series.csv: the run minute by minute, one row a minute, tidy columns for a
// data frame or a spreadsheet. Folded from the same events with the same
// folds as sla.json (QueryAccounting, RecordLedger, RateSteps), so the counts
// of the rows add up to sla.json's totals exactly, and a minute whose failing
// query rate is 0 is exactly a good minute of its SLO.
//
// Minute m covers (m, m+1] minutes from the start (minute 0 also holds t = 0,
// the last one ends with the run): a query or a slice of records that
// arrives at a minute's last instant counts in that minute, as the totals
// count it when they settle there.

import { stringify } from 'csv-stringify/sync';
import { MS_PER_MINUTE } from '../sim/engine/duration.ts';
import type { SimEvent } from '../sim/observe/events.ts';
import { QueryAccounting } from '../sim/observe/query-flow.ts';
import { RateSteps } from '../sim/observe/rates.ts';
import { RecordLedger } from '../sim/observe/records.ts';
import { meanRatesPerMinute } from '../sim/observe/slo.ts';

export const SERIES_COLUMNS = [
  'minute',
  'time',
  'queriesAttempted',
  'queriesFailed',
  'queryAvailability',
  'recordsOffered',
  'recordsStoredOnArrival',
  'ingestionAvailability',
  'recordsInMmkBuffer',
  'recordsLost',
  'queriesPerHour',
  'failingQueriesPerHour',
  'recordsPerHour',
  'unservedRecordsPerHour',
] as const;

/** What the rows count at the end of each minute, cumulative from the start. */
interface Totals {
  queriesAttempted: number;
  queriesFailed: number;
  recordsOffered: number;
  recordsStoredOnArrival: number;
  recordsInMmkBuffer: number;
  recordsLost: number;
}

/** Listens to a run and renders series.csv once it has ended. Keeps one small row a minute. */
export class SeriesCollector {
  private readonly queries = new QueryAccounting();
  private readonly records = new RecordLedger();
  private readonly rates = new RateSteps();
  /** The totals at the end of each minute closed so far. */
  private readonly ends: Totals[] = [];

  constructor(
    private readonly startIso: string,
    private readonly durationMs: number,
  ) {}

  event(e: SimEvent): void {
    // The rates first: this event's time ends the steps before it, which the minutes closed below do not need.
    this.rates.apply(e);
    // A minute closes once every event of its last instant is in.
    while (this.ends.length < this.minutes() && this.minuteEndMs(this.ends.length) < e.t) this.closeMinute();
    this.records.apply(e);
    this.queries.apply(e);
    if (e.type === 'scenario.end') while (this.ends.length < this.minutes()) this.closeMinute();
  }

  /** series.csv, once scenario.end has been folded. */
  render(): string {
    const startMs = Date.parse(this.startIso);
    const rates = { queries: meanRatesPerMinute(this.rates.queries, this.durationMs), ingestion: meanRatesPerMinute(this.rates.ingestion, this.durationMs) };
    const rows: (string | number)[][] = [[...SERIES_COLUMNS]];
    let before: Totals = { queriesAttempted: 0, queriesFailed: 0, recordsOffered: 0, recordsStoredOnArrival: 0, recordsInMmkBuffer: 0, recordsLost: 0 };
    this.ends.forEach((end, m) => {
      const attempted = end.queriesAttempted - before.queriesAttempted;
      const failed = end.queriesFailed - before.queriesFailed;
      const offered = end.recordsOffered - before.recordsOffered;
      const stored = end.recordsStoredOnArrival - before.recordsStoredOnArrival;
      rows.push([
        m,
        new Date(startMs + m * MS_PER_MINUTE).toISOString(),
        attempted,
        failed,
        share(attempted - failed, attempted),
        offered,
        stored,
        share(stored, offered),
        end.recordsInMmkBuffer,
        end.recordsLost,
        rates.queries[m]!.total,
        rates.queries[m]!.bad,
        rates.ingestion[m]!.total,
        rates.ingestion[m]!.bad,
      ]);
      before = end;
    });
    return stringify(rows);
  }

  private minutes(): number {
    return Math.ceil(this.durationMs / MS_PER_MINUTE);
  }

  private minuteEndMs(minute: number): number {
    return Math.min(this.durationMs, (minute + 1) * MS_PER_MINUTE);
  }

  private closeMinute(): void {
    const { attempted, failed } = this.queries.settleAll(this.minuteEndMs(this.ends.length));
    const r = this.records.totals();
    const { buffered, lost } = this.records.bufferedAndLost();
    this.ends.push({
      queriesAttempted: attempted,
      queriesFailed: failed,
      recordsOffered: r.offered,
      // As the SLO counts them (metrics.ts): stored under either key as they landed, not replayed later.
      recordsStoredOnArrival: r.cmk - r.replayed + r.mmk,
      recordsInMmkBuffer: buffered,
      recordsLost: lost,
    });
  }
}

/** good / total, or empty when there were none (a minute without requests has no availability). */
function share(good: number, total: number): number | string {
  return total === 0 ? '' : good / total;
}

