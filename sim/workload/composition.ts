// Records are counted exactly, as integers, without one event per record.
// Workspaces that share a destination and a retention form a composition
// (records per slice for each); a slice of a composition is one sealed
// block, so a block costs O(1) however many workspaces it carries, and
// per-workspace figures are multiplied out only when read.

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
    /** Unique in a run, in the order compositions are made. */
    readonly id: number,
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
