import type { Stores } from '../store/stores.js';
import type { MemberBody } from './member-record.js';
import { founderOf, membership, staleSignature, type MemberFact, type MembershipView } from './membership.js';

/**
 * Membership records as they come into one library (issue 46, issue 57 N2): a record signed by a
 * device that a removal puts out, made after it, is refused as it comes (`staleSignature`), but
 * only for a removal that counts. A removal made without the right (a plain member removing the
 * founder) refuses nothing, so the records of the device it names still come in, and the removal
 * of that member by the founder reaches every member.
 *
 * Which removals count is worked out from the records held here as this device (SELF) sees them
 * from its own records (the devices paired by hand are not known at this layer), once for a batch
 * of operations taken in together: a removal taken in within the batch is weighed against that
 * view (its author a member that may remove its member), so a batch costs one pass over the
 * records, not one a record.
 */
export class MemberIntake {
  private view: MembershipView | undefined;
  /** Removals taken in since the view was made, that count. */
  private readonly since: MemberFact[] = [];

  constructor(private readonly store: Stores, private readonly library: string, private readonly self: string, private readonly now = Date.now()) {}

  /** Whether F, signed by a device a counting removal puts out and made after it, should not be taken in. */
  stale(f: MemberFact): boolean {
    const signers = f.body.kind === 'admit' ? [f.body.by.uuid, f.body.member.uuid] : [f.body.by.uuid];
    const removals = this.store.libraryMembers.removalsOf(signers);
    if (removals.length === 0) return false;
    const view = (this.view ??= this.work());
    const counting = removals
      .map((r) => ({ id: r.id, body: JSON.parse(r.body) as MemberBody }))
      .filter((r) => r.body.library === this.library && r.body.kind === 'remove' && (view.removed.get(r.body.member.key)?.id === r.id || this.since.some((s) => s.id === r.id)));
    return counting.length > 0 && staleSignature(f, counting);
  }

  /** F was taken in: a removal among them is weighed now, against the view of the batch. */
  taken(f: MemberFact): void {
    if (f.body.kind !== 'remove' || this.view === undefined) return;
    if (this.view.mayRemove(f.body)) this.since.push(f);
  }

  private work(): MembershipView {
    const facts: MemberFact[] = [];
    for (const row of this.store.libraryMembers.all()) {
      const body = JSON.parse(row.body) as MemberBody;
      if (body.library === this.library) facts.push({ id: row.id, body });
    }
    const roots = new Map([[this.self, { uuid: '', name: '' }]]);
    return membership(facts, roots, this.now, founderOf(facts, this.self), this.self);
  }
}
