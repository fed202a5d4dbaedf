// The checker's self-test (param brokenRule): each variant is the model with
// one documented rule deliberately broken, as a subclass that bends one
// figure or step of the storage account or control plane. The shipped model
// has no self-test branches; `explore --param brokenRule=...` and the tests
// show the checker catching each, and explore shrinking it.

import { StorageAccount, type BufferedBlock, type KeyCache } from './azure/storage-account.ts';
import { ControlPlane } from './azure/control-plane.ts';
import type { BrokenRule } from './azure/profiles.ts';

const FOREVER_MS = 100 * 365 * 24 * 60 * 60 * 1000;

type AccountClass = typeof StorageAccount;
type ControlPlaneClass = typeof ControlPlane;

/** Which documented rule each variant breaks, and how: for the README and the tests. */
export const BROKEN_RULE_INFO: { readonly [B in Exclude<BrokenRule, 'none'>]: { rule: number; what: string } } = {
  replayTwice: { rule: 1, what: 'the newest buffered block is replayed twice, so its records are counted twice' },
  lateRevocation: { rule: 2, what: 'revocation comes half of revocationWithin past the bound' },
  denialIgnored: { rule: 2, what: 'a denial is seen but the revocation never comes' },
  aekKeptWhenRevoked: { rule: 3, what: 'revocation leaves the AEK in memory' },
  hotCacheKeptWhenRevoked: { rule: 3, what: 'revocation leaves the SSD hot cache' },
  lateResume: { rule: 4, what: 'ingestion and queries resume twice resumeWithin after access is back' },
  outageCancelsResume: { rule: 4, what: 'an outage while waiting to resume keeps the account revoked, silently (the model before issue 9)' },
  earlyUnavailable: { rule: 5, what: 'unavailable after a third of outageToUnavailable' },
  lateUnavailable: { rule: 5, what: 'unavailable after twice outageToUnavailable' },
  aekKeptWhenUnavailable: { rule: 5, what: 'an outage past outageToUnavailable leaves the AEK in memory' },
  denialIsNotAnAnswer: { rule: 5, what: 'the outage clock runs from the last success, as if a denial were no answer (the model before issue 9)' },
  denialNoticeIgnored: { rule: 2, what: 'under revocationWhileUnreachable onTime, the account ignores Key Vault\'s notice of a denial: one made while the vault cannot answer waits for it (atNextAnswer)' },
  bufferDropsEarly: { rule: 6, what: 'the MMK buffer keeps a quarter of mmkBufferMaxAge' },
  replayLosesBlock: { rule: 6, what: 'the MMK buffer replay leaves its newest block out' },
  replayUnderMmk: { rule: 6, what: 'the buffer is replayed under the Microsoft key instead of the customer key' },
  rotationNewAek: { rule: 7, what: 'a key update makes a new AEK instead of re-wrapping the old one' },
  mmkDataLockedWhenRevoked: { rule: 8, what: 'revocation also locks data stored under Microsoft keys' },
  linkLimitIgnored: { rule: 9, what: 'the link operations limit is not enforced' },
  retentionKeepsBlocks: { rule: 10, what: 'retention keeps blocks a day past it' },
};

/** The storage account and control plane a run uses: the model, or a variant with one rule broken. */
export function modelClasses(brokenRule: BrokenRule): { Account: AccountClass; Plane: ControlPlaneClass } {
  const model = { Account: StorageAccount, Plane: ControlPlane };
  switch (brokenRule) {
    case 'none':
      return model;
    case 'linkLimitIgnored':
      return {
        Account: StorageAccount,
        Plane: class extends ControlPlane {
          protected override linkLimitRefusal(): false {
            return false;
          }
        },
      };
    default:
      return { Account: ACCOUNTS[brokenRule], Plane: ControlPlane };
  }
}

const ACCOUNTS: { readonly [B in Exclude<BrokenRule, 'none' | 'linkLimitIgnored'>]: AccountClass } = {
  replayTwice: class extends StorageAccount {
    protected override drainBuffer(): BufferedBlock[] {
      const items = super.drainBuffer();
      return items.length === 0 ? items : [...items, items.at(-1)!];
    }
  },
  replayLosesBlock: class extends StorageAccount {
    protected override drainBuffer(): BufferedBlock[] {
      const items = super.drainBuffer();
      items.pop();
      return items;
    }
  },
  lateRevocation: class extends StorageAccount {
    protected override revocationDueMs(nowMs: number, causeStartMs: number): number {
      return super.revocationDueMs(nowMs, causeStartMs) + this.deps.params.revocationWithin / 2;
    }
  },
  denialIgnored: class extends StorageAccount {
    protected override revocationDueMs(nowMs: number): number {
      return nowMs + FOREVER_MS;
    }
  },
  // The cache is dropped unzeroed: its bytes stay in the account's memory, where the probe of a revoked account looks.
  aekKeptWhenRevoked: class extends StorageAccount {
    protected override evict(cache: KeyCache, why: 'unavailable' | 'revoked' | 'deleted'): void {
      if (why !== 'revoked') super.evict(cache, why);
    }
  },
  hotCacheKeptWhenRevoked: class extends StorageAccount {
    protected override purgeHotCache(): void {}
  },
  lateResume: class extends StorageAccount {
    protected override resumeDueMs(nowMs: number): number {
      return nowMs + 2 * this.deps.params.resumeWithin;
    }
  },
  outageCancelsResume: class extends StorageAccount {
    protected override errorsTooLong(): void {
      const access = this.access;
      if (access.kind !== 'recovering' || access.from !== 'revoked') return super.errorsTooLong();
      this.evict(access.cache, 'unavailable');
      this.enter('revocationDue', { kind: 'revoked', reason: 'keyDisabled' });
    }
  },
  earlyUnavailable: class extends StorageAccount {
    protected override unavailableDueMs(nowMs: number): number {
      return super.unavailableDueMs(nowMs) - (2 * this.deps.params.outageToUnavailable) / 3;
    }
  },
  lateUnavailable: class extends StorageAccount {
    protected override unavailableDueMs(nowMs: number): number {
      return super.unavailableDueMs(nowMs) + this.deps.params.outageToUnavailable;
    }
  },
  // As aekKeptWhenRevoked, for an outage: the probe of an unavailable account finds the cached AEK's bytes.
  aekKeptWhenUnavailable: class extends StorageAccount {
    protected override evict(cache: KeyCache, why: 'unavailable' | 'revoked' | 'deleted'): void {
      if (why !== 'unavailable') super.evict(cache, why);
    }
  },
  denialIsNotAnAnswer: class extends StorageAccount {
    protected override denialIsAnAnswer(): boolean {
      return false;
    }
  },
  denialNoticeIgnored: class extends StorageAccount {
    protected override heedsDenialNotices(): boolean {
      return false;
    }
  },
  bufferDropsEarly: class extends StorageAccount {
    protected override bufferMaxAgeMs(): number {
      return super.bufferMaxAgeMs() / 4;
    }
  },
  replayUnderMmk: class extends StorageAccount {
    protected override replayAek(): Buffer {
      return (this as unknown as { mmkAek: Buffer }).mmkAek;
    }
  },
  rotationNewAek: class extends StorageAccount {
    protected override aekToWrap(nowMs: number): Buffer | string {
      const found = super.aekToWrap(nowMs);
      if (typeof found === 'string' || this.accessKind === 'noKey') return found;
      return this.deps.streams.keys.bytes(found.length);
    }
  },
  mmkDataLockedWhenRevoked: class extends StorageAccount {
    override serves(workspace: string): boolean {
      return this.state === 'revoked' ? false : super.serves(workspace);
    }
  },
  retentionKeepsBlocks: class extends StorageAccount {
    protected override retentionCutoffMs(nowMs: number, retentionDays: number): number {
      return super.retentionCutoffMs(nowMs, retentionDays) - 24 * 60 * 60 * 1000;
    }
  },
};
