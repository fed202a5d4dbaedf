// Each behaviour a later version of the page introduced is on from that
// version's profile, and off before it (DOMAIN.md, "Profiles"): the
// parameters that switch them, checked for every profile there is.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PROFILE_DEFAULTS, PROFILES, type ParamName } from '../sim/azure/profiles.ts';

/** The parameter, and the first profile whose page has the behaviour. */
const INTRODUCED: [ParamName, string, string][] = [
  ['keyVaultRbac', '2023-06', 'RBAC role Key Vault Crypto Service Encryption User'],
  ['userAssignedIdentity', '2023-06', '+ user-assigned (not with a Private-Link vault)'],
  ['hotCacheReload', '2023-06', '"reloaded from storage" after access returns'],
  ['auxiliaryTablePlan', '2024-01', '+ Auxiliary-plan tables stay under Microsoft keys'],
  ['identityTypeSwitch', '2026-04', '+ switching system/user-assigned without interruption'],
  ['expiredKeyBlocksClusterUpdates', '2026-04', 'blocks cluster key updates until the expiry is extended'],
  ['unlinkRestoresSavedSearches', '2026-04', 'unlinking restores saved searches and functions'],
];

for (const [param, from, words] of INTRODUCED) {
  test(`${param} ("${words}") is on from profile ${from}, off before it`, () => {
    assert.equal(
      PROFILES.map((profile) => [profile, PROFILE_DEFAULTS[profile][param]]),
      PROFILES.map((profile) => [profile, profile >= from]),
    );
  });
}

test('"A maximum of five active clusters" and "seven reserved clusters (active or recently deleted)" from profile 2023-06', () => {
  for (const profile of PROFILES.filter((p) => p >= '2023-06')) {
    assert.is(PROFILE_DEFAULTS[profile].maxClustersPerRegion, 5, profile);
    assert.is(PROFILE_DEFAULTS[profile].maxClustersPerRegionIncludingDeleted, 7, profile);
  }
});

test.run();
