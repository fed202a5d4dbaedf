// Every event the model emits, as one discriminated union. The timeline
// writes them in time order; metrics and checkers listen to the same bus.

import type { ActionName } from '../scenario.ts';

export type DenialReason = 'keyDisabled' | 'keyDeleted' | 'keyPurged' | 'permissionMissing' | 'identityNone';
export type ErrorReason = 'unreachable' | 'networkDenied' | 'throttled' | 'transientFailure';
export type DropReason = 'revoked' | 'notProvisioned' | 'bufferExpired';
export type StorageState = 'provisioning' | 'noKey' | 'healthy' | 'unavailable' | 'revoked' | 'deleted';

interface Base {
  /** Milliseconds from the scenario's start. */
  t: number;
  /** The actor it concerns: a vault, "vault/key", a storage account "cluster/index", a cluster or workspace. */
  entity: string;
}

export type SimEvent =
  | (Base & { type: 'scenario.start'; scenario: string; seed: number; profile: string })
  | (Base & { type: 'scenario.end'; events: number })
  | (Base & { type: 'action'; action: ActionName; detail: string })
  | (Base & { type: 'keyVault.outage.begin' | 'keyVault.networkDenied.begin'; untilMs: number })
  | (Base & { type: 'keyVault.outage.end' | 'keyVault.networkDenied.end' })
  | (Base & { type: 'keyVault.transient.begin'; untilMs: number; failureRate: number })
  | (Base & { type: 'keyVault.transient.end' })
  | (Base & { type: 'keyVault.throttle.begin'; untilMs: number; limitPer10s: number })
  | (Base & { type: 'keyVault.throttle.end' })
  | (Base & { type: 'key.disabled' | 'key.enabled' | 'key.created'; version: string })
  | (Base & { type: 'key.deleted' | 'key.recovered' | 'key.purged' })
  | (Base & { type: 'key.expirySet'; version: string; expMs: number })
  | (Base & { type: 'accessPolicy.set'; principal: string; permissions: string[] })
  | (Base & { type: 'accessPolicy.removed'; principal: string })
  | (Base & { type: 'cluster.identitySet'; identity: 'SystemAssigned' | 'None' })
  | (Base & { type: 'operation.accepted'; operationId: string; action: ActionName; status: string })
  | (Base & { type: 'operation.succeeded'; operationId: string; action: ActionName })
  | (Base & { type: 'operation.failed' | 'operation.refused'; operationId: string; action: ActionName; httpStatus: number; code: string; message: string })
  | (Base & { type: 'storage.keyConfigured'; vault: string; key: string; version: string })
  | (Base & { type: 'storage.unwrapFailed'; answer: 'error' | 'denial'; reason: ErrorReason | DenialReason })
  | (Base & { type: 'storage.unwrapSucceeded'; afterFailures: number })
  | (Base & { type: 'storage.revocationScheduled'; dueMs: number; reason: DenialReason })
  | (Base & { type: 'storage.revocationCancelled' })
  | (Base & { type: 'storage.unavailable'; lastUnwrapOkMs: number; failingSinceMs: number })
  | (Base & { type: 'storage.revoked'; reason: DenialReason; aekZeroed: boolean; causeStartMs: number; deniedSeenMs: number; keyVersion: string })
  | (Base & { type: 'storage.accessRestored'; resumeDueMs: number })
  | (Base & { type: 'storage.resumed'; fromState: StorageState; restoredAtMs: number; accessBackMs: number | null })
  | (Base & { type: 'storage.aekVerified'; version: string; unchanged: boolean })
  | (Base & { type: 'hotCache.purged'; blocks: number })
  | (Base & { type: 'buffer.started' })
  | (Base & { type: 'buffer.expired'; records: number; blocks: number; outageSinceMs: number })
  | (Base & { type: 'buffer.replayed'; records: number; blocks: number })
  | (Base & { type: 'query.sampleFailed'; workspace: string; why: string })
  | (Base & { type: 'storage.provisioned' | 'storage.deleted' })
  | (Base & { type: 'workspace.routed'; storage: string })
  | (Base & { type: 'workspace.queriesFailing' | 'workspace.queriesServing' })
  | (Base & { type: 'savedSearches.removed'; count: number; storageAccount: string })
  | (Base & { type: 'lockbox.requested' | 'lockbox.approved' | 'lockbox.rejected' })
  | (Base & { type: 'key.rotationFollowed'; version: string });

export type SimEventType = SimEvent['type'];

/** One bus: the model emits, observers listen, nobody listens back. */
export class EventBus {
  private readonly listeners: ((event: SimEvent) => void)[] = [];

  on(listener: (event: SimEvent) => void): void {
    this.listeners.push(listener);
  }

  emit(event: SimEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
