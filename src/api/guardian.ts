import type { Library } from '../library/library.js';
import { listPolicies, setPolicy, type PolicyChange } from '../guardian/policy.js';
import { atRisk, guardianStatus } from '../guardian/redundancy.js';
import type { GuardianAtRisk, GuardianPolicyView, GuardianStatus } from '../wire/guardian.js';

export type { GuardianAtRisk, GuardianPolicyView, GuardianStatus, PolicyChange };

/**
 * The Guardian (`vss guardian`, issue 30): how many copies each content has across devices and
 * drives, against the policy of the library, a location or a tag.
 */
export class GuardianApi {
  constructor(private readonly lib: Library, private readonly online: () => ReadonlySet<string>) {}

  /** Every policy: the library's (its defaults where never set), then locations' and tags'. */
  policies(): GuardianPolicyView[] {
    return listPolicies(this.lib);
  }

  /** Set what the library, a location (`location`: this device's, by id) or a tag (`tag`: uuid or name) asks; `clear` forgets it. */
  setPolicy(change: PolicyChange = {}): GuardianPolicyView {
    return setPolicy(this.lib, change);
  }

  /** Contents and bytes that meet their policy, fall short, exist once, or only on drives or devices not seen for 30 days; each device's share. */
  status(): GuardianStatus {
    return guardianStatus(this.lib);
  }

  /** The contents short of their policy, fewest copies first, with every file that holds each (`limit`: 100 unless asked). */
  atRisk(opts: { limit?: number } = {}): GuardianAtRisk[] {
    return atRisk(this.lib, this.online(), opts);
  }
}
