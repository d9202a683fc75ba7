import type { MemberBody } from '../../tags/member-record.js';

/** A device as the membership records name it: its key is what identifies it. */
export interface MemberDevice {
  uuid: string;
  name: string;
  key: string;
  /** Who admitted it first, as the records say (null: a root, trusted here without a record). */
  admitted_by: string | null;
  /** When it was first admitted (null: a root). */
  admitted_at: string | null;
}

export interface MembershipView {
  /** The members now, keyed by key (this device's own among them when it is one). */
  members: Map<string, MemberDevice>;
  /** The devices removed and not admitted again since, keyed by key: the time of the removal and who removed them. */
  removed: Map<string, { uuid: string; at: string; by: string }>;
}

/** A verified record's body, as membership reads it. */
export type MemberFact = MemberBody;

/**
 * Who the members of a library are now, from its signed records (issue 46), as a device that
 * trusts ROOTS sees it (itself, and the devices it paired with for this library).
 *
 * Trust spreads along admissions: each is signed by both devices of a pairing, so a device that
 * trusts either end takes the other in, and so on until nothing more comes in. A removal counts
 * when its author is trusted so and was not removed before it; a removed device is no member, and
 * what it signed after its removal vouches for no one (what it signed before still does: the
 * devices it admitted stay). A removed device comes back only by a newer admission (pairing again).
 *
 * The result does not depend on the order the records came in: it is worked out from all of them.
 */
export function membership(facts: readonly MemberFact[], roots: ReadonlyMap<string, { uuid: string; name: string }>): MembershipView {
  const admits = facts.filter((f): f is Extract<MemberBody, { kind: 'admit' }> => f.kind === 'admit');
  const removals = facts.filter((f): f is Extract<MemberBody, { kind: 'remove' }> => f.kind === 'remove').sort(byTime);
  // Removals first as if none counted: whose word can remove is decided against the widest trust.
  const widest = spread(admits, roots, new Map());
  const cutoff = new Map<string, { uuid: string; at: string; by: string }>();
  for (const r of removals) {
    if (!widest.has(r.by.key)) continue;
    const authorCut = cutoff.get(r.by.key);
    if (authorCut && authorCut.at <= r.at) continue;
    const prior = cutoff.get(r.member.key);
    if (!prior || r.at < prior.at) cutoff.set(r.member.key, { uuid: r.member.uuid, at: r.at, by: r.by.uuid });
  }
  // Admitted again after its removal (paired again): a member once more.
  for (const a of admits) {
    const cut = cutoff.get(a.member.key);
    if (cut && a.at > cut.at && widest.has(a.by.key) && !(cutoff.get(a.by.key) && cutoff.get(a.by.key)!.at <= a.at)) cutoff.delete(a.member.key);
  }
  const reached = spread(admits, roots, cutoff);
  const members = new Map<string, MemberDevice>();
  for (const [key, d] of reached) if (!cutoff.has(key)) members.set(key, d);
  return { members, removed: cutoff };
}

function spread(
  admits: ReadonlyArray<Extract<MemberBody, { kind: 'admit' }>>,
  roots: ReadonlyMap<string, { uuid: string; name: string }>,
  cutoff: ReadonlyMap<string, { at: string }>,
): Map<string, MemberDevice> {
  const known = new Map<string, MemberDevice>();
  for (const [key, r] of roots) known.set(key, { uuid: r.uuid, name: r.name, key, admitted_by: null, admitted_at: null });
  const sorted = [...admits].sort(byTime);
  // Vouches while not cut off: a removed device's signatures from before its removal still count.
  const vouches = (key: string, at: string) => known.has(key) && !((cutoff.get(key)?.at ?? '\uffff') <= at);
  for (let grew = true; grew; ) {
    grew = false;
    for (const a of sorted) {
      if (!known.has(a.member.key) && vouches(a.by.key, a.at)) {
        known.set(a.member.key, { uuid: a.member.uuid, name: a.member.name, key: a.member.key, admitted_by: a.by.uuid, admitted_at: a.at });
        grew = true;
      }
      if (!known.has(a.by.key) && vouches(a.member.key, a.at)) {
        known.set(a.by.key, { uuid: a.by.uuid, name: a.by.name, key: a.by.key, admitted_by: null, admitted_at: null });
        grew = true;
      }
    }
  }
  for (const a of sorted) {
    // Reached through a device it admitted: who admitted it is in its own admission.
    const k = known.get(a.member.key);
    if (k && k.admitted_at === null) Object.assign(k, { admitted_by: a.by.uuid, admitted_at: a.at });
  }
  // A device named by newer records goes by the newest name they give.
  for (const a of sorted) {
    for (const s of [a.by, a.member]) {
      const k = known.get(s.key);
      if (k) k.name = s.name;
    }
  }
  return known;
}

function byTime(a: { at: string }, b: { at: string }): number {
  return a.at < b.at ? -1 : a.at > b.at ? 1 : 0;
}
