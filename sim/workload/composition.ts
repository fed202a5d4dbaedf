// Records are counted exactly, as integers, without one event per record.
// Workspaces that share a destination and a retention form a composition
// (records per slice for each); the ledger counts slices per composition
// and bucket, so a block costs O(1) however many workspaces it carries and
// per-workspace figures are multiplied out only when read.

const BUCKETS = ['offered', 'cmk', 'mmk', 'buffered', 'replayed', 'revoked', 'notProvisioned', 'bufferExpired'] as const;
export type Bucket = (typeof BUCKETS)[number];

export type BucketCounts = Record<Bucket, number>;

export interface Member {
  readonly workspace: string;
  readonly recordsPerSlice: number;
}

/** An immutable set of workspaces writing to one destination with one retention. */
export class Composition {
  readonly recordsPerSlice: number;
  readonly workspaces: readonly string[];
  private readonly names: ReadonlySet<string>;

  constructor(
    readonly retentionDays: number,
    readonly members: readonly Member[],
  ) {
    this.recordsPerSlice = members.reduce((sum, m) => sum + m.recordsPerSlice, 0);
    this.workspaces = members.map((m) => m.workspace);
    this.names = new Set(this.workspaces);
  }

  has(workspace: string): boolean {
    return this.names.has(workspace);
  }
}

function emptyCounts(): BucketCounts {
  return { offered: 0, cmk: 0, mmk: 0, buffered: 0, replayed: 0, revoked: 0, notProvisioned: 0, bufferExpired: 0 };
}

export class RecordLedger {
  /** Slices per composition and bucket; Map keeps insertion order, so reads are deterministic. */
  private readonly slices = new Map<Composition, BucketCounts>();

  add(composition: Composition, bucket: Bucket, slices = 1): void {
    this.countsOf(composition)[bucket] += slices;
  }

  move(composition: Composition, from: Bucket, to: Bucket, slices = 1): void {
    const counts = this.countsOf(composition);
    if (counts[from] < slices) throw new Error(`internal: ledger moves ${slices} slices out of ${from}, which holds ${counts[from]}`);
    counts[from] -= slices;
    counts[to] += slices;
  }

  totals(): BucketCounts {
    const total = emptyCounts();
    for (const [composition, counts] of this.slices) {
      for (const bucket of BUCKETS) total[bucket] += counts[bucket] * composition.recordsPerSlice;
    }
    return total;
  }

  /** Per workspace, in the order given. */
  byWorkspace(workspaces: readonly string[]): Map<string, BucketCounts> {
    const result = new Map(workspaces.map((name) => [name, emptyCounts()]));
    for (const [composition, counts] of this.slices) {
      for (const member of composition.members) {
        const target = result.get(member.workspace)!;
        for (const bucket of BUCKETS) target[bucket] += counts[bucket] * member.recordsPerSlice;
      }
    }
    return result;
  }

  /** Every composition whose records are not all accounted for, described (empty when conservation holds). */
  conservationGaps(): string[] {
    const gaps: string[] = [];
    for (const [composition, counts] of this.slices) {
      const gap = conservationGap(counts);
      if (gap !== 0) gaps.push(`workspaces ${composition.workspaces.slice(0, 3).join(', ')}${composition.workspaces.length > 3 ? ', ...' : ''}: ${gap * composition.recordsPerSlice} records offered but neither stored, buffered nor dropped`);
    }
    return gaps;
  }

  private countsOf(composition: Composition): BucketCounts {
    let counts = this.slices.get(composition);
    if (counts === undefined) {
      counts = emptyCounts();
      this.slices.set(composition, counts);
    }
    return counts;
  }
}

/** offered = CMK + MMK + buffered + dropped by reason: the sum that must always hold. */
function conservationGap(counts: BucketCounts): number {
  return counts.offered - (counts.cmk + counts.mmk + counts.buffered + counts.revoked + counts.notProvisioned + counts.bufferExpired);
}
