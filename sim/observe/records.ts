// Where every record went, folded from the history: each slice of a
// composition counted once per bucket, exactly, as integers. A slice costs
// O(1) however many workspaces its composition holds; per-workspace figures
// are multiplied out only when read.

import type { SimEvent } from './events.ts';

/** The entity of a workspace's tables on the Auxiliary plan, in compositions and workloads: "ws1/auxiliary" (a workspace name has no slash). */
export function auxiliaryTablesOf(workspace: string): string {
  return `${workspace}${AUXILIARY_SUFFIX}`;
}

/** Whether a composition member or workload entity is a workspace's tables on the Auxiliary plan. */
export function isAuxiliaryTables(entity: string): boolean {
  return entity.endsWith(AUXILIARY_SUFFIX);
}

const AUXILIARY_SUFFIX = '/auxiliary';

const BUCKETS = ['offered', 'cmk', 'mmk', 'buffered', 'replayed', 'revoked', 'notProvisioned', 'bufferExpired'] as const;
export type Bucket = (typeof BUCKETS)[number];
export type BucketCounts = Record<Bucket, number>;

interface CompositionRecord {
  members: readonly { workspace: string; recordsPerSlice: number }[];
  recordsPerSlice: number;
  /** Slices per bucket. */
  slices: BucketCounts;
}

export function emptyCounts(): BucketCounts {
  return { offered: 0, cmk: 0, mmk: 0, buffered: 0, replayed: 0, revoked: 0, notProvisioned: 0, bufferExpired: 0 };
}

export class RecordLedger {
  /** By composition id, in the order they were defined: reads are deterministic. */
  private readonly compositions = new Map<number, CompositionRecord>();
  /** Running totals in records, so the buffered and lost figures after each slice cost O(1). */
  private readonly running = emptyCounts();

  /** Folds one event; returns whether the counts changed. */
  apply(event: SimEvent): boolean {
    switch (event.type) {
      case 'composition.defined':
        this.compositions.set(event.composition, {
          members: event.members,
          recordsPerSlice: event.members.reduce((sum, m) => sum + m.recordsPerSlice, 0),
          slices: emptyCounts(),
        });
        return false;
      case 'storage.ingested':
        for (const part of event.parts) {
          this.add(part.composition, 'offered', 1);
          this.add(part.composition, event.placement, 1);
        }
        return true;
      case 'buffer.replayed':
        for (const block of event.blocks) {
          this.add(block.composition, 'buffered', -1);
          this.add(block.composition, 'cmk', 1);
          this.add(block.composition, 'replayed', 1);
        }
        return true;
      case 'buffer.expired':
        for (const block of event.blocks) {
          this.add(block.composition, 'buffered', -1);
          this.add(block.composition, 'bufferExpired', 1);
        }
        return true;
      default:
        return false;
    }
  }

  totals(): BucketCounts {
    return { ...this.running };
  }

  /** Records in the MMK buffer now, and lost (dropped for any reason) so far. */
  bufferedAndLost(): { buffered: number; lost: number } {
    const r = this.running;
    return { buffered: r.buffered, lost: r.revoked + r.notProvisioned + r.bufferExpired };
  }

  /** Per workspace, in the order given. */
  byWorkspace(workspaces: readonly string[]): Map<string, BucketCounts> {
    const result = new Map(workspaces.map((name) => [name, emptyCounts()]));
    for (const { members, slices } of this.compositions.values()) {
      for (const member of members) {
        const target = result.get(member.workspace);
        if (target === undefined) continue;
        for (const bucket of BUCKETS) target[bucket] += slices[bucket] * member.recordsPerSlice;
      }
    }
    return result;
  }

  private add(composition: number, bucket: Bucket, slices: number): void {
    const record = this.compositions.get(composition);
    if (record === undefined) throw new Error(`internal: records of composition ${composition} before it was defined`);
    record.slices[bucket] += slices;
    this.running[bucket] += slices * record.recordsPerSlice;
  }
}
