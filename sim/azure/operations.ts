// Every request of the scenario to Azure (key, policy, cluster and
// workspace actions) as an operation: refused at once with an HTTP-like
// status and code, or accepted and completed later as Succeeded or Failed.

import type { Scheduler } from '../engine/scheduler.ts';
import type { EventBus } from '../observe/events.ts';
import type { ActionName } from '../scenario.ts';

export type OperationStatus = 'InProgress' | 'Updating' | 'Deleting' | 'Succeeded' | 'Failed';

export interface Operation {
  id: string;
  atMs: number;
  action: ActionName;
  target: string;
  status: OperationStatus;
  httpStatus: number;
  code: string | null;
  message: string | null;
  completedAtMs: number | null;
}

export interface Refusal {
  httpStatus: number;
  code: string;
  message: string;
}

export function refusal(httpStatus: number, code: string, message: string): Refusal {
  return { httpStatus, code, message };
}

export class OperationLog {
  readonly all: Operation[] = [];
  /** Ids stay unique when setup's requests are dropped from `all`. */
  private issued = 0;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly bus: EventBus,
  ) {}

  /** The request body of each cluster create or update: the history shows what was asked, for the checker to judge the answer by. */
  private readonly bodies = new WeakMap<Operation, unknown>();

  begin(action: ActionName, target: string, body: unknown = null): Operation {
    const operation: Operation = {
      id: `op-${++this.issued}`,
      atMs: this.scheduler.nowMs,
      action,
      target,
      status: 'InProgress',
      httpStatus: 200,
      code: null,
      message: null,
      completedAtMs: null,
    };
    this.all.push(operation);
    if (body !== null && body !== undefined) this.bodies.set(operation, body);
    return operation;
  }

  /** Accepted: answers 200 with an Azure-AsyncOperation to poll, and completes later. */
  accept(operation: Operation, status: 'InProgress' | 'Updating' | 'Deleting'): void {
    operation.status = status;
    this.bus.emit({ t: this.scheduler.nowMs, type: 'operation.accepted', entity: operation.target, operationId: operation.id, action: operation.action, status, body: this.bodies.get(operation) ?? null });
  }

  complete(operation: Operation, status: 'Succeeded'): void {
    operation.status = status;
    operation.completedAtMs = this.scheduler.nowMs;
    this.bus.emit({ t: this.scheduler.nowMs, type: 'operation.succeeded', entity: operation.target, operationId: operation.id, action: operation.action });
  }

  /** Refused at once: the request never became an operation that runs. */
  refuse(operation: Operation, { httpStatus, code, message }: Refusal): void {
    this.finishFailed(operation, httpStatus, code, message, 'operation.refused');
  }

  /** Accepted earlier, failed while running. */
  fail(operation: Operation, httpStatus: number, code: string, message: string): void {
    this.finishFailed(operation, httpStatus, code, message, 'operation.failed');
  }

  /** Whether another operation on the target is still running. */
  inProgress(target: string, except: Operation): boolean {
    return this.all.some((o) => o !== except && o.target === target && o.completedAtMs === null);
  }

  private finishFailed(operation: Operation, httpStatus: number, code: string, message: string, type: 'operation.refused' | 'operation.failed'): void {
    Object.assign(operation, { status: 'Failed', httpStatus, code, message, completedAtMs: this.scheduler.nowMs });
    const event = { t: this.scheduler.nowMs, entity: operation.target, operationId: operation.id, action: operation.action, httpStatus, code, message };
    this.bus.emit(type === 'operation.refused' ? { ...event, type, body: this.bodies.get(operation) ?? null } : { ...event, type });
  }
}
