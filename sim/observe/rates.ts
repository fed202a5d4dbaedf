// The SLO's input, folded from the history: query and ingestion request
// rates per hour, failing (bad) and in all (total), as steps in time. A step
// is taken at most once per instant, after every event of that instant, so
// a thousand workspaces linked at once cost one sum, not a thousand.

import { MS_PER_HOUR, MS_PER_MINUTE } from '../engine/duration.ts';
import { AccountStates } from './accounts.ts';
import type { SimEvent } from './events.ts';
import type { RateStep } from './slo.ts';

interface WorkspaceRates {
  queriesPerHour: number;
  recordsPerHour: number;
  queriesFailing: boolean;
  storage: string;
}

export class RateSteps {
  readonly queries: RateStep[] = [];
  readonly ingestion: RateStep[] = [];
  private readonly accounts = new AccountStates();
  private readonly workspaces = new Map<string, WorkspaceRates>();
  private dirtyAtMs: number | null = null;

  /** Called with each new step of both series. */
  constructor(private readonly onStep?: (step: { t: number; queries: RateStep; ingestion: RateStep }) => void) {}

  apply(event: SimEvent): void {
    if (this.dirtyAtMs !== null && event.t > this.dirtyAtMs) this.flush();
    if (this.fold(event)) this.dirtyAtMs = event.t;
    if (event.type === 'scenario.end') this.flush();
  }

  private fold(event: SimEvent): boolean {
    if (this.accounts.apply(event) !== null) return true;
    switch (event.type) {
      case 'workspace.workload': {
        const ws = this.workspace(event.entity);
        ws.queriesPerHour = event.queriesPerHour;
        ws.recordsPerHour = (event.recordsPerMinute * MS_PER_HOUR) / MS_PER_MINUTE;
        return true;
      }
      case 'workspace.routed':
        this.workspace(event.entity).storage = event.storage;
        return true;
      case 'workspace.queriesFailing':
      case 'workspace.queriesServing':
        this.workspace(event.entity).queriesFailing = event.type === 'workspace.queriesFailing';
        return true;
      default:
        return false;
    }
  }

  /** Sums the rates in workspace order (the same order every run) and appends a step where they changed. */
  private flush(): void {
    const t = this.dirtyAtMs!;
    this.dirtyAtMs = null;
    const queries = { t, bad: 0, total: 0 };
    const ingestion = { t, bad: 0, total: 0 };
    for (const ws of this.workspaces.values()) {
      queries.total += ws.queriesPerHour;
      if (ws.queriesFailing) queries.bad += ws.queriesPerHour;
      ingestion.total += ws.recordsPerHour;
      // Ingestion is available when records are stored as they land, not buffered or dropped.
      if (!this.accounts.serving(ws.storage)) ingestion.bad += ws.recordsPerHour;
    }
    const queriesChanged = pushStep(this.queries, queries);
    const ingestionChanged = pushStep(this.ingestion, ingestion);
    if (queriesChanged || ingestionChanged) this.onStep?.({ t, queries, ingestion });
  }

  private workspace(name: string): WorkspaceRates {
    let ws = this.workspaces.get(name);
    if (ws === undefined) this.workspaces.set(name, (ws = { queriesPerHour: 0, recordsPerHour: 0, queriesFailing: false, storage: 'shared/0' }));
    return ws;
  }
}

/** Appends a step unless it repeats the last; returns whether the series changed. */
function pushStep(steps: RateStep[], step: RateStep): boolean {
  const last = steps.at(-1);
  if (last !== undefined && last.bad === step.bad && last.total === step.total) return false;
  if (last !== undefined && last.t === step.t) steps.pop();
  steps.push(step);
  return true;
}
