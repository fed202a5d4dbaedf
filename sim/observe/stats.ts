// Pure statistics shared by the model's result and the reports.

/** Nearest-rank percentile (p in 0..100) of values sorted ascending; 0 for none. */
export function percentile(sortedAscending: readonly number[], p: number): number {
  if (sortedAscending.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sortedAscending.length);
  return sortedAscending[Math.min(sortedAscending.length, Math.max(1, rank)) - 1]!;
}
