// What each version of the documentation states for the figures the rules
// judge with, written here from the pages (docs: DOMAIN.md's profile table)
// apart from the model's profiles (sim/azure/profiles.ts), which the checker
// never reads. A run records its parameters and which of them its scenario
// set (scenario.start); a parameter the scenario left to its profile must be
// what that profile's page says, or the model misread its page, and every
// rule judged with that parameter would judge with the model's mistake.

/** A figure one or more rules judge with: its parameter, its value under each page, and the page's words. */
export interface PageFigure {
  readonly rule: 2 | 3 | 4 | 5 | 7 | 9;
  readonly param: string;
  readonly byProfile: Readonly<Record<string, unknown>>;
  readonly quote: string;
}

/** The versions of the page, as a run names them in scenario.start. */
export const PAGE_PROFILES = ['2020-11', '2021-07', '2023-06', '2024-01', '2026-04'] as const;
const everyPage = (value: unknown): Record<string, unknown> => Object.fromEntries(PAGE_PROFILES.map((p) => [p, value]));
const MINUTE_MS = 60_000;

export const PAGE_FIGURES: readonly PageFigure[] = [
  {
    rule: 2,
    param: 'revocationWithin',
    byProfile: everyPage(60 * MINUTE_MS),
    quote: '"The Log Analytics cluster storage will always respect changes in key permissions within an hour or sooner"',
  },
  {
    rule: 2,
    param: 'revocationWhileUnreachable',
    byProfile: { ...everyPage('atNextAnswer'), '2026-04': 'onTime' },
    quote: '2026-04: caching "doesn\'t bypass or weaken key revocation controls" (a denial revokes within the hour though the cluster cannot reach the vault); earlier pages: only once the vault answers',
  },
  {
    rule: 4,
    param: 'resumeWithin',
    byProfile: everyPage(30 * MINUTE_MS),
    quote: '"once accessed, data ingestion and query resume within 30 minutes"',
  },
  {
    rule: 3,
    param: 'hotCacheDays',
    byProfile: everyPage(14),
    quote: '"Data ingested in the last 14 days is also kept in hot-cache (SSD-backed)"',
  },
  {
    rule: 3,
    param: 'hotCacheScope',
    byProfile: { ...everyPage('lastDaysOrRecentlyQueried'), '2020-11': 'lastDays', '2021-07': 'lastDays' },
    quote: '2020-11: "Data ingested in the last 14 days is also kept in hot-cache"; 2023-06 and later: the last 14 days "or recently queried"',
  },
  {
    rule: 5,
    param: 'outageHandling',
    byProfile: { ...everyPage('keepCachedKey'), '2020-11': 'unavailableAfterTimeout' },
    quote: '2020-11: "unavailability of about 30 minutes will cause the Storage account to become unavailable"; 2021-07 and later: keys stay cached "for the duration of the availability issue"',
  },
  {
    rule: 5,
    param: 'outageToUnavailable',
    byProfile: everyPage(30 * MINUTE_MS),
    quote: '"unavailability of about 30 minutes will cause the Storage account to become unavailable"',
  },
  {
    rule: 7,
    param: 'autoRotation',
    byProfile: { ...everyPage(true), '2020-11': false },
    quote: '2020-11: "Customer-Managed key rotation requires an explicit update to the cluster with the new key version"; 2021-07 and later: an empty key version follows the newest (auto-rotation)',
  },
  {
    rule: 7,
    param: 'keyVersionCheckInterval',
    byProfile: everyPage(24 * 60 * MINUTE_MS),
    quote: 'Azure Storage\'s page (the Azure Monitor pages give no time of their own): "Azure Storage checks the key vault for a new key version only once daily"',
  },
  {
    rule: 9,
    param: 'capacityCommitment',
    byProfile: { ...everyPage(31 * 24 * 60 * MINUTE_MS), '2020-11': 0 },
    quote: '2021-07 and later: "A commitment tier can be increased any time, but has 31 days commitment period before it can be reduced" (2020-11 states none)',
  },
  {
    rule: 9,
    param: 'linkOpsPer30Days',
    byProfile: everyPage(2),
    quote: '"The number of workspace link operations on particular workspace is limited to 2 in a period of 30 days"',
  },
  {
    rule: 9,
    param: 'clusterNameReservation',
    byProfile: everyPage(14 * 24 * 60 * MINUTE_MS),
    quote: '"It may be that you have deleted your cluster in the last 14 days and it\'s in a soft-delete period. The cluster name remains reserved during the soft-delete period"',
  },
  {
    rule: 9,
    param: 'maxClustersPerRegion',
    byProfile: { ...everyPage(5), '2020-11': 2, '2021-07': 2 },
    quote: '2020-11: "The max number of cluster per region and subscription is 2"; 2021-07: 2 active; 2023-06 and later: 5 active',
  },
  {
    rule: 9,
    param: 'maxClustersPerRegionIncludingDeleted',
    // 2020-11 counts active clusters only: no figure to judge.
    byProfile: { '2021-07': 4, '2023-06': 7, '2024-01': 7, '2026-04': 7 },
    quote: '2021-07: 4 including those deleted in the last 14 days; 2023-06 and later: "A maximum number of seven reserved clusters (active or recently deleted) can exist in each region and subscription"',
  },
  {
    rule: 9,
    param: 'capacityTiersGBPerDay',
    byProfile: {
      '2020-11': Array.from({ length: 21 }, (_, i) => 1000 + 100 * i),
      '2021-07': [500, 1000, 2000, 5000],
      '2023-06': [500, 1000, 2000, 5000],
      '2024-01': [100, 200, 300, 400, 500, 1000, 2000, 5000, 10_000, 25_000, 50_000],
      '2026-04': [100, 200, 300, 400, 500, 1000, 2000, 5000, 10_000, 25_000, 50_000],
    },
    quote: '2020-11: "starting at 1000 GB/day" (1000 to 3000 in steps of 100, DOMAIN.md); 2021-07: 500, 1000, 2000, 5000; 2023-06: "starting at 500"; 2024-01 and later: 100 to 50000 GB/day',
  },
  {
    rule: 9,
    param: 'unlinkRestoresSavedSearches',
    byProfile: { ...everyPage(false), '2026-04': true },
    quote: '2026-04: "You can unlink the Storage Account for saved queries, to move saved queries and functions back to your workspace"; earlier pages say only that linking removes them',
  },
  {
    rule: 3,
    param: 'hotCacheReload',
    byProfile: { ...everyPage(true), '2020-11': false, '2021-07': false },
    quote: '2023-06 and later: "Once the key is enabled and unwrap succeeds, SSD data is reloaded from storage"',
  },
  {
    rule: 5,
    param: 'unwrapPollInterval',
    byProfile: everyPage([6000, 60_000]),
    quote: '"The frequency that Azure Monitor Storage accesses Key Vault for wrap and unwrap operations is between 6 to 60 seconds"',
  },
  {
    rule: 9,
    param: 'maxWorkspacesPerCluster',
    byProfile: everyPage(1000),
    quote: '"The maximum of linked workspaces to cluster is 1000"',
  },
];
