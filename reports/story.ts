// One sentence per notable event: "what happened, in order".

import type { EventOf, SimEvent } from '../sim/observe/events.ts';
import { sinceStart, span } from './format.ts';

const REASONS: Record<string, string> = {
  keyDisabled: 'the key version is disabled',
  keyDeleted: 'the key is deleted',
  keyPurged: 'the key is purged',
  permissionMissing: 'the access policy or role assignment lacks a permission',
  identityNone: 'the cluster has no identity',
  unreachable: 'Key Vault is unreachable',
  networkDenied: 'Key Vault network rules deny the cluster',
  throttled: 'Key Vault throttles (HTTP 429)',
  transientFailure: 'a transient Key Vault error',
};

const PURGE_CAUSES: Record<EventOf<'key.purged'>['cause'], string> = {
  purgeRequest: ' on request',
  retentionEnded: ': its soft-delete retention ended before it was recovered',
  softDeleteOff: ' at deletion (the vault has no soft delete)',
};

function reasonText(reason: string): string {
  return REASONS[reason] ?? reason;
}

export function sentence(event: SimEvent): string {
  switch (event.type) {
    case 'scenario.start':
      return `Scenario ${event.scenario} starts (seed ${event.seed}, profile ${event.profile}).`;
    case 'scenario.ready':
      return `Setup is done: from here on the scenario's own actions and faults.`;
    case 'scenario.end':
      return `Scenario ends after ${event.events.toLocaleString('en-US')} simulator events.`;
    case 'action':
      return `Action ${event.action} on ${event.entity} ${event.detail}.`;
    case 'keyVault.outage.begin':
      return `Key Vault ${event.entity} goes down for ${span(event.untilMs - event.t)}.`;
    case 'keyVault.outage.end':
      return `Key Vault ${event.entity} is reachable again.`;
    case 'keyVault.networkDenied.begin':
      return `Key Vault ${event.entity} network rules block the cluster for ${span(event.untilMs - event.t)}.`;
    case 'keyVault.networkDenied.end':
      return `Key Vault ${event.entity} network rules allow the cluster again.`;
    case 'keyVault.transient.begin':
      return `Key Vault ${event.entity} fails ${Math.round(event.failureRate * 100)} % of requests for ${span(event.untilMs - event.t)}.`;
    case 'keyVault.transient.end':
      return `Key Vault ${event.entity} transient errors end.`;
    case 'keyVault.throttle.begin':
      return `Key Vault ${event.entity} throttles above ${event.limitPer10s} requests per 10 s for ${span(event.untilMs - event.t)}.`;
    case 'keyVault.throttle.end':
      return `Key Vault ${event.entity} stops throttling.`;
    case 'cluster.created':
      return `Cluster ${event.entity} is made in ${event.region} (tenant ${event.tenant}, subscription ${event.subscription}).`;
    case 'keyVault.created':
      return `Key Vault ${event.entity} exists in ${event.region} (tenant ${event.tenant}), soft delete ${event.softDelete ? 'on' : 'off'} and purge protection ${event.purgeProtection ? 'on' : 'off'}${event.softDelete && event.purgeProtection ? '' : ' (not recoverable: refused as a cluster key)'}, granting keys by ${event.permissionModel === 'rbac' ? 'Azure RBAC role' : 'access policy'}.`;
    case 'key.created':
      return `Key ${event.entity} gets a new version ${event.version}.`;
    case 'key.disabled':
      return `Key ${event.entity} version ${event.version} is disabled.`;
    case 'key.enabled':
      return `Key ${event.entity} version ${event.version} is enabled.`;
    case 'key.deleted':
      return `Key ${event.entity} is deleted.`;
    case 'key.recovered':
      return `Key ${event.entity} is recovered from soft delete.`;
    case 'key.purged':
      return `Key ${event.entity} is purged${PURGE_CAUSES[event.cause]}; its material is gone for good.`;
    case 'key.expirySet':
      return `Key ${event.entity} version ${event.version} expires at ${sinceStart(event.expMs)}.`;
    case 'accessPolicy.set':
      return `Key Vault ${event.entity} grants ${event.principal}: ${event.permissions.join(', ') || 'nothing'}.`;
    case 'accessPolicy.removed':
      return `Key Vault ${event.entity} removes the access policy of ${event.principal}.`;
    case 'roleAssignment.created':
      return `Key Vault ${event.entity} assigns ${event.principal} the role ${event.role}: get, wrapKey, unwrapKey.`;
    case 'roleAssignment.deleted':
      return `Key Vault ${event.entity} removes ${event.principal}'s role assignment ${event.role}.`;
    case 'cluster.principalSet':
      return event.identity === 'UserAssigned'
        ? `Cluster ${event.entity} uses the user-assigned identity ${event.principal}: Key Vault answers it for the cluster from now on.`
        : `Cluster ${event.entity} uses its system-assigned identity again: Key Vault answers it for the cluster from now on.`;
    case 'cluster.identitySet':
      return `Cluster ${event.entity}'s identity is set to ${event.identity}.`;
    case 'cluster.capacitySet':
      return `Cluster ${event.entity}'s capacity reservation is ${event.capacityGBPerDay} GB/day.`;
    case 'cluster.keySet':
      return `Cluster ${event.entity}'s key is ${event.vault}/${event.key}${event.keyVersion === '' ? ', following its newest version' : ` version ${event.keyVersion}`}.`;
    case 'operation.accepted':
      return `Operation ${event.operationId} (${event.action} on ${event.entity}) is accepted: ${event.status}.`;
    case 'operation.succeeded':
      return `Operation ${event.operationId} (${event.action} on ${event.entity}) succeeded.`;
    case 'operation.failed':
      return `Operation ${event.operationId} (${event.action} on ${event.entity}) failed: ${event.httpStatus} ${event.code}: ${event.message}.`;
    case 'operation.refused':
      return `Request ${event.operationId} (${event.action} on ${event.entity}) is refused: ${event.httpStatus} ${event.code}: ${event.message}.`;
    case 'storage.keyConfigured':
      return `Storage account ${event.entity} wraps its AEK with ${event.vault}/${event.key}/${event.version}.`;
    case 'storage.unwrap':
      return event.answer === 'success'
        ? `Storage account ${event.entity} unwraps its AEK again.`
        : `Storage account ${event.entity} fails to unwrap its AEK: ${reasonText(event.reason ?? event.answer)}.`;
    case 'storage.aekUnwrapped':
      return `Storage account ${event.entity} unwraps its AEK under ${event.version} (AEK fingerprint ${event.aek}).`;
    case 'storage.denialNotified':
      return `Key Vault tells storage account ${event.entity} of a denial at the change (${reasonText(event.reason)}), whether or not it can answer its polls.`;
    case 'storage.revocationScheduled':
      return `Storage account ${event.entity} sees a denial (${reasonText(event.reason)}); revocation takes effect at ${sinceStart(event.dueMs)} unless access returns.`;
    case 'storage.revocationCancelled':
      return `Storage account ${event.entity} has access again before revocation took effect.`;
    case 'storage.unavailable':
      return `Storage account ${event.entity} becomes unavailable (Key Vault last answered at ${sinceStart(event.lastAnswerMs)}): queries fail, ingestion goes to the MMK buffer.`;
    case 'storage.revoked':
      return `Storage account ${event.entity} is revoked (${reasonText(event.reason)}): its AEK is gone from memory, queries fail, new records are dropped.`;
    case 'storage.accessRestored':
      return `Storage account ${event.entity} unwraps its AEK again; ingestion and queries resume at ${sinceStart(event.resumeDueMs)}.`;
    case 'storage.resumed':
      return `Storage account ${event.entity} resumes ingestion and queries (was ${event.fromState}).`;
    case 'hotCache.purged':
      return `Storage account ${event.entity} deletes its SSD hot cache (${event.blocks} blocks${event.stillReadable > 0 ? `; ${event.stillReadable} copies could still be read after it` : ''}).`;
    case 'hotCache.reloaded':
      return `Storage account ${event.entity} reloads its SSD hot cache from storage (${event.blocks} blocks): queries of the last days read hot again.`;
    case 'buffer.started':
      return `Storage account ${event.entity} starts keeping ingestion in the MMK buffer.`;
    case 'buffer.expired':
      return event.cause === 'age'
        ? `Storage account ${event.entity} drops ${event.records.toLocaleString('en-US')} buffered records older than mmkBufferMaxAge.`
        : `Storage account ${event.entity} loses the ${event.records.toLocaleString('en-US')} records still in its MMK buffer: the cluster is deleted.`;
    case 'buffer.replayed':
      return `Storage account ${event.entity} replays ${event.records.toLocaleString('en-US')} buffered records (${event.blocks.length} blocks) under the customer key.`;
    case 'query.sampled':
      return event.ok ? `A sampled query of ${event.workspace} succeeds (${event.blocksOpened} blocks opened, ${event.hot ? 'hot' : 'cold'}).` : `A sampled query of ${event.workspace} fails: ${event.why}.`;
    case 'storage.blockProbed':
      return `Storage account ${event.entity} opens its first block ${event.block} with its own chain alone (double encryption ${event.doubleEncryption ? 'on' : 'off'}): ${event.serviceLayerAlone}; with another block's DEK: ${event.anotherBlocksDek}.`;
    case 'storage.openAttempt':
      return `Storage account ${event.entity} is closed; opening block ${event.block} with the AEK it holds: ${event.withHeldAek}; its hot copy: ${event.hotCopy}.`;
    case 'storage.ingested':
      return `Storage account ${event.entity} takes a slice of ${event.parts.reduce((n, p) => n + p.records, 0).toLocaleString('en-US')} records: ${event.placement}.`;
    case 'storage.purged':
      return `Storage account ${event.entity} purges ${event.blocks} blocks past their ${event.retentionDays}-day retention.`;
    case 'composition.defined':
      return `Storage account ${event.entity} takes records of ${event.members.length} workspaces with ${event.retentionDays}-day retention (composition ${event.composition}).`;
    case 'storage.created':
      return `Storage account ${event.entity} is created (${event.state === 'provisioning' ? 'provisioning' : 'storing under Microsoft keys'}).`;
    case 'workspace.workload':
      return `Workspace ${event.entity} ingests ${event.recordsPerMinute.toLocaleString('en-US')} records per minute and runs ${event.queriesPerHour} queries per hour over ${span(event.lookbackMs)}.`;
    case 'storage.provisioned':
      return `Storage account ${event.entity} is provisioned: data is stored from now on (under Microsoft keys until a key is set).`;
    case 'storage.deleted':
      return `Storage account ${event.entity} is deleted with its cluster: its data is gone.`;
    case 'workspace.routed':
      return `Workspace ${event.entity} now writes to ${event.storage}.`;
    case 'workspace.queriesFailing':
      return `Queries of workspace ${event.entity} fail from now on: data they need cannot be decrypted.`;
    case 'workspace.queriesServing':
      return `Queries of workspace ${event.entity} succeed again.`;
    case 'savedSearches.removed':
      return `Workspace ${event.entity}'s ${event.count} existing saved searches are removed: new ones are saved in storage account ${event.storageAccount}.`;
    case 'savedSearches.restored':
      return `Workspace ${event.entity}'s ${event.count} saved searches come back from storage account ${event.storageAccount}, whose link for saved searches is removed.`;
    case 'lockbox.requested':
      return `A Microsoft engineer asks, through Customer Lockbox, to access ${event.entity}'s data.`;
    case 'lockbox.approved':
      return `The customer approves the Lockbox request for ${event.entity}.`;
    case 'lockbox.rejected':
      return `The customer rejects the Lockbox request for ${event.entity}: no access.`;
    case 'key.rotationFollowed':
      return `Cluster ${event.entity} follows the new key version ${event.version} (auto-rotation).`;
    case 'key.rotationFollowFailed':
      return `Cluster ${event.entity} cannot follow ${event.version === null ? 'a new key version' : `the new key version ${event.version}`} (auto-rotation): ${event.reason}.`;
  }
}
