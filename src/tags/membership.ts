import { RIGHTS, type MemberBody, type Right } from './member-record.js';

/** A device as the membership records name it: its key is what identifies it. */
export interface MemberDevice {
  uuid: string;
  name: string;
  key: string;
  /** Who admitted it first, as the records say (null: a root, or a device no record admits, the library's first). */
  admitted_by: string | null;
  /** When it was first admitted (null as admitted_by). */
  admitted_at: string | null;
  /** What it may do in the library now (all of them where the library's founder is not known: one from before rights). */
  rights: Right[];
}

export interface MembershipView {
  /** The members now, keyed by key (this device's own among them when it is one). */
  members: Map<string, MemberDevice>;
  /** The devices removed and not admitted again since, keyed by key: the removal that counts, its time and author. */
  removed: Map<string, { uuid: string; at: string; by: string; id: string }>;
  /** Whether a removal with BODY, not among the records this view was worked out from, would count: its author a member now that may remove its member at its time. */
  mayRemove(body: Remove['body']): boolean;
}

/** A verified record: its id (derived from its body) and its body. */
export interface MemberFact {
  id: string;
  body: MemberBody;
}

/** A record dated further ahead of this device's clock than this is no evidence yet (a clock gone wild, or a date chosen to outlast removals). */
export const MEMBER_FUTURE_MS = 24 * 3600_000;

type Admit = { id: string; body: Extract<MemberBody, { kind: 'admit' }> };
type Remove = { id: string; body: Extract<MemberBody, { kind: 'remove' }> };
type Grant = { id: string; body: Extract<MemberBody, { kind: 'rights' }> };

/** What a member may do unless a grant says otherwise: remove and be relayed; only the founder admits. */
export const DEFAULT_RIGHTS: readonly Right[] = ['remove', 'relay'];

/**
 * What each key may do at a time, from the grants (issue 46): the library's founder may do all,
 * every other device DEFAULT_RIGHTS; a grant sets all its member may do from its time on, and
 * counts when its author may admit at that time and is not out (taken in time order, so a grant
 * stands on the grants before it). No founder known (a library from before rights): all may do all.
 */
class RightsTimeline {
  private readonly set = new Map<string, Array<{ at: string; rights: Right[] }>>();

  constructor(grants: readonly Grant[], private readonly founder: string | undefined, isVoid: (f: MemberFact) => boolean) {
    if (founder === undefined) return;
    for (const g of grants) {
      if (isVoid(g) || !this.may(g.body.by.key, 'admit', g.body.at)) continue;
      const list = this.set.get(g.body.member.key);
      if (list) list.push({ at: g.body.at, rights: g.body.rights });
      else this.set.set(g.body.member.key, [{ at: g.body.at, rights: g.body.rights }]);
    }
  }

  /** What KEY may do at AT (now: the newest). */
  at(key: string, at: string): readonly Right[] {
    if (this.founder === undefined) return RIGHTS;
    let got: readonly Right[] = key === this.founder ? RIGHTS : DEFAULT_RIGHTS;
    // Grants come in time order: the last one at or before AT says.
    for (const g of this.set.get(key) ?? []) if (g.at <= at) got = g.rights;
    return got;
  }

  may(key: string, right: Right, at: string): boolean {
    return this.at(key, at).includes(right);
  }
}

/**
 * Who the members of a library are now, from its signed records (issue 46), as a device that
 * trusts ROOTS sees it (itself, and the devices it paired with for this library).
 *
 * Trust spreads along admissions: each is signed by both devices of a pairing, so a device that
 * trusts either end takes the other in. Removals are taken in time order: one counts when its
 * author is reached so and is not out itself, and its target is out from then on. A removal
 * names the records of the removed device its author held (`keeps`): those stand (the devices it
 * admitted stay), and anything else it signed — made after, whatever date it carries — vouches for
 * no one and removes no one. A removed device comes back only by an admission that names the
 * removal it undoes (`over`: pairing again), and a second removal then keeps that admission and
 * takes it out again.
 *
 * Who may do what (`RightsTimeline`): an admission lets its member in only when its admitting
 * device may admit at its time (by default the library's FOUNDER alone, and the devices a grant
 * lets), a removal counts when its author may remove, and of the founder or a device that may
 * admit, when its author may admit too (`mayRemove`). A pairing with a device that may not admit
 * trusts the two devices each other (they are each other's roots) and no one else.
 *
 * What a removed device cannot be stopped from here: signing a removal dated before its own, which
 * a member that had not heard of its removal may take in first (then both are out). The members
 * that hold its removal refuse such records as they come (`staleSignature`).
 */
export function membership(facts: readonly MemberFact[], roots: ReadonlyMap<string, { uuid: string; name: string }>, now = Date.now(), founder?: string, self?: string): MembershipView {
  const horizon = new Date(now + MEMBER_FUTURE_MS).toISOString();
  const nowAt = new Date(now).toISOString();
  const live = facts.filter((f) => f.body.at <= horizon);
  const admits = live.filter((f): f is Admit => f.body.kind === 'admit').sort(byTime);
  const removals = live.filter((f): f is Remove => f.body.kind === 'remove').sort(byTime);
  const grants = live.filter((f): f is Grant => f.body.kind === 'rights').sort(byTime);
  const out = new Map<string, Remove>();
  const voidUnder = (f: MemberFact): boolean => {
    for (const key of signers(f.body)) {
      const r = out.get(key);
      if (!r || r.body.keeps.includes(f.id)) continue;
      if (f.body.kind === 'admit' && f.body.member.key === key && f.body.over.includes(r.id)) continue;
      return true;
    }
    return false;
  };
  let rights = new RightsTimeline(grants, founder, voidUnder);
  const admitting = (a: Admit) => rights.may(a.body.by.key, 'admit', a.body.at);
  let reached = spread(admits.filter(admitting), roots, voidUnder, self);
  for (const r of removals) {
    const target = r.body.member.key;
    if (out.has(target) || !reached.has(r.body.by.key) || voidUnder(r) || !mayRemove(rights, founder, r.body)) continue;
    // Undone by an admission that names it, made by a device that is in, not out, and may admit.
    const undone = admits.some((a) => a.body.member.key === target && a.body.over.includes(r.id) && reached.has(a.body.by.key) && !out.has(a.body.by.key) && !voidUnder(a) && admitting(a));
    if (undone) continue;
    out.set(target, r);
    // What the removed device signed and its remover did not hold vouches no more: trust spreads again without it.
    if ([...admits, ...grants].some((a) => signers(a.body).includes(target) && voidUnder(a))) {
      rights = new RightsTimeline(grants, founder, voidUnder);
      reached = spread(admits.filter(admitting), roots, voidUnder, self);
    }
  }
  const members = new Map<string, MemberDevice>();
  for (const [key, d] of reached) if (!out.has(key)) members.set(key, { ...d, rights: [...rights.at(key, nowAt)] });
  const removed = new Map<string, { uuid: string; at: string; by: string; id: string }>();
  for (const [key, r] of out) removed.set(key, { uuid: r.body.member.uuid, at: r.body.at, by: r.body.by.uuid, id: r.id });
  return { members, removed, mayRemove: (body) => reached.has(body.by.key) && !out.has(body.by.key) && mayRemove(rights, founder, body) };
}

/**
 * Whether removal R's author may remove its member at R's time (issue 57, N2): it needs the right
 * to remove, and where the member is the library's founder or may admit, the right to admit too.
 * A plain member cannot cut the library off from the devices that let others in; a removal made
 * against this (by an older vss, or forged by a member) counts for nothing, wherever it comes from.
 */
function mayRemove(rights: RightsTimeline, founder: string | undefined, r: Remove['body']): boolean {
  if (!rights.may(r.by.key, 'remove', r.at)) return false;
  const guarded = r.member.key === founder || rights.may(r.member.key, 'admit', r.at);
  return !guarded || rights.may(r.by.key, 'admit', r.at);
}

/**
 * The library's founder as the device with SELF's key knows it (issue 46): the one the admission
 * that let it in names (it signed that record, so it took its host's word), itself when no
 * admission lets it in (it made the library, or brought it to the pairing), and none when it was
 * let in by a record that names no founder (a library from before rights: all may do all).
 */
export function founderOf(facts: readonly MemberFact[], self: string): string | undefined {
  const mine = facts.filter((f): f is Admit => f.body.kind === 'admit' && f.body.member.key === self).sort(byTime);
  if (mine.length === 0) return self;
  return mine.find((a) => a.body.founder !== undefined)?.body.founder;
}

/**
 * Whether a record should not be taken in at all (issue 46): it is signed by a device a removal
 * among KNOWN removes, its remover did not hold it, and it undoes no removal: made after the
 * removal by a device that is out (a lost laptop signing on). A member that holds the removal
 * refuses it, so it does not travel on from there. KNOWN holds only removals that count
 * (`tags/member-intake.ts` weighs them): one made without the right refuses nothing.
 */
export function staleSignature(f: MemberFact, known: readonly MemberFact[]): boolean {
  for (const key of signers(f.body)) {
    for (const k of known) {
      if (k.body.kind !== 'remove' || k.body.member.key !== key || k.body.keeps.includes(f.id)) continue;
      if (f.body.kind === 'admit' && f.body.over.includes(k.id)) continue;
      return true;
    }
  }
  return false;
}

/** The keys that signed a record: an admission both devices', a removal or a grant its author's. */
function signers(b: MemberBody): string[] {
  return b.kind === 'admit' ? [b.by.key, b.member.key] : [b.by.key];
}

/**
 * ROOTS, and everyone an admission joins to them, either way, through admissions that are not
 * void; each key visited once. Given SELF, trust spreads from it alone: the other roots are
 * trusted as paired with it, and spread further only where an admission joins them to it (a
 * device that paired with a member that may not admit trusts that member, not the library).
 */
function spread(admits: readonly Admit[], roots: ReadonlyMap<string, { uuid: string; name: string }>, isVoid: (f: MemberFact) => boolean, self?: string): Map<string, MemberDevice> {
  const known = new Map<string, MemberDevice>();
  for (const [key, r] of roots) known.set(key, { uuid: r.uuid, name: r.name, key, admitted_by: null, admitted_at: null, rights: [] });
  const valid = admits.filter((a) => !isVoid(a));
  const edges = new Map<string, Admit[]>();
  for (const a of valid) {
    for (const k of [a.body.by.key, a.body.member.key]) {
      const list = edges.get(k);
      if (list) list.push(a);
      else edges.set(k, [a]);
    }
  }
  const queue = self !== undefined ? [self] : [...known.keys()];
  const spreadFrom = new Set(queue);
  while (queue.length > 0) {
    const key = queue.pop()!;
    for (const a of edges.get(key) ?? []) {
      const other = a.body.by.key === key ? a.body.member : a.body.by;
      if (spreadFrom.has(other.key)) continue;
      spreadFrom.add(other.key);
      if (!known.has(other.key)) known.set(other.key, { uuid: other.uuid, name: other.name, key: other.key, admitted_by: null, admitted_at: null, rights: [] });
      queue.push(other.key);
    }
  }
  for (const a of valid) {
    // Who admitted each first; a device named by newer records goes by the newest name they give.
    const m = known.get(a.body.member.key);
    if (m && m.admitted_at === null && !roots.has(a.body.member.key)) Object.assign(m, { admitted_by: a.body.by.uuid, admitted_at: a.body.at });
    for (const s of [a.body.by, a.body.member]) {
      const k = known.get(s.key);
      if (k && k.uuid === s.uuid) k.name = s.name;
    }
  }
  return known;
}

function byTime(a: MemberFact, b: MemberFact): number {
  return a.body.at < b.body.at ? -1 : a.body.at > b.body.at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
