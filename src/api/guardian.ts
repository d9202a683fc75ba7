import type { Library } from '../library/library.js';
import { listPolicies, setPolicy, type PolicyChange } from '../guardian/policy.js';
import { atRisk, guardianStatus } from '../guardian/redundancy.js';
import type { OpCall, OpHost } from '../ops/op.js';
import type { ProtectResult } from '../ops/guardian-protect/operation.js';
import type { JobRow } from '../jobs/states.js';
import type { GuardianAtRisk, GuardianPolicyView, GuardianProtectPlan, GuardianProtectTarget, GuardianStatus } from '../wire/guardian.js';

export type { GuardianAtRisk, GuardianPolicyView, GuardianProtectPlan, GuardianProtectTarget, GuardianStatus, PolicyChange, ProtectResult };

export interface ProtectOptions extends OpCall {
  /** A folder of this device's locations (absolute), a drive (name, fingerprint or id); absent: the first drive with room that lacks each content. */
  to?: string;
}

/** A protect as its caller sees it: its job (null: nothing to copy) and, once ended, what it did. */
export interface ProtectOutcome {
  job: JobRow | null;
  result: ProtectResult | null;
}

/**
 * The Guardian (`vss guardian`, issue 30): how many copies each content has across devices and
 * drives, against the policy of the library, a location or a tag.
 */
export class GuardianApi {
  constructor(private readonly lib: Library, private readonly online: () => ReadonlySet<string>, private readonly host: OpHost) {}

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

  /**
   * Copy the contents short of their policy onto drives of this device that lack them (`guardian
   * protect`): one durable job (`guardian-protect`), each copy verified by BLAKE3, resumed after a
   * kill -9, indexed; the action log says `protect`. What cannot be copied here is named in its
   * `not_planned`. Nothing to copy: answered at once, without a job.
   */
  async protect(opts: ProtectOptions = {}): Promise<ProtectOutcome> {
    const { to, ...call } = opts;
    const { perform } = await import('../ops/facade.js');
    return perform(this.host, 'guardian-protect', to !== undefined ? { to } : {}, call);
  }

  /** The protect's plan, shown and not run (`--dry-run`): no job, no row in the action log. */
  async protectPreview(opts: { to?: string } = {}): Promise<GuardianProtectPlan> {
    const { preview } = await import('../ops/preview.js');
    return preview(this.host, 'guardian-protect', opts.to !== undefined ? { to: opts.to } : {});
  }
}
