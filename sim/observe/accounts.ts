// The state of every storage account as the history tells it: what users
// see of each (provisioning, serving, unavailable, revoked, waiting to
// resume, deleted), derived from the storage events alone.

import type { SimEvent } from './events.ts';

export type ObservedState = 'provisioning' | 'noKey' | 'healthy' | 'unavailable' | 'revoked' | 'recovering' | 'deleted';

export interface ObservedTransition {
  account: string;
  from: ObservedState;
  to: ObservedState;
}

interface Observed {
  state: ObservedState;
  /** While recovering: what it recovers from (records are still buffered or dropped until the resume). */
  recoveringFrom: 'unavailable' | 'revoked' | null;
}

export class AccountStates {
  private readonly accounts = new Map<string, Observed>();

  /** Folds one event; returns the change of state it makes, if any. */
  apply(event: SimEvent): ObservedTransition | null {
    switch (event.type) {
      case 'storage.created':
        this.accounts.set(event.entity, { state: event.state, recoveringFrom: null });
        return null;
      case 'storage.provisioned':
        return this.move(event.entity, 'noKey');
      case 'storage.keyConfigured':
        return this.state(event.entity) === 'noKey' ? this.move(event.entity, 'healthy') : null;
      case 'storage.unavailable':
        return this.move(event.entity, 'unavailable');
      case 'storage.revoked':
        return this.move(event.entity, 'revoked');
      case 'storage.accessRestored': {
        const from = this.state(event.entity);
        const transition = this.move(event.entity, 'recovering');
        this.accounts.get(event.entity)!.recoveringFrom = from === 'unavailable' || from === 'revoked' ? from : null;
        return transition;
      }
      case 'storage.resumed':
        return this.move(event.entity, 'healthy');
      case 'storage.deleted':
        return this.move(event.entity, 'deleted');
      default:
        return null;
    }
  }

  state(account: string): ObservedState | undefined {
    return this.accounts.get(account)?.state;
  }

  /** What it recovers from while recovering, else null. */
  recoveringFrom(account: string): 'unavailable' | 'revoked' | null {
    return this.accounts.get(account)?.recoveringFrom ?? null;
  }

  /** Ingestion and queries are served: healthy, or storing under Microsoft keys. */
  serving(account: string): boolean {
    const state = this.state(account);
    return state === 'healthy' || state === 'noKey';
  }

  private move(account: string, to: ObservedState): ObservedTransition {
    let observed = this.accounts.get(account);
    if (observed === undefined) this.accounts.set(account, (observed = { state: 'provisioning', recoveringFrom: null }));
    const from = observed.state;
    observed.state = to;
    if (to !== 'recovering') observed.recoveringFrom = null;
    return { account, from, to };
  }
}
