import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { derivedUuid } from '../core/derived-uuid.js';
import { UUID_RE } from '../sidecars/address.js';

/*
 * A library's membership (issue 46): who belongs to it, as signed records every member keeps and
 * passes on with the library's shared data. A device that joins through any member becomes a
 * member, and every member trusts it for that library without pairing with it.
 *
 * Two kinds of record:
 * - an admission: device BY let device MEMBER into LIBRARY at AT. Both sign the same body during
 *   their pairing, so the record vouches both ways: a device that trusts either of them takes the
 *   other in (the joiner's host need not have been admitted by anyone the reader knows: the joiner
 *   vouches for it).
 * - a removal: device BY removed MEMBER from LIBRARY at AT, signed by BY.
 * - a grant: device BY set what MEMBER may do in LIBRARY from AT on (admit others, remove,
 *   relay), signed by BY, which counts only when BY may admit (`membership.ts`).
 *
 * An admission names the library's FOUNDER (the device that made it) as its admitting device knows
 * it: who may admit is worked out from there, so the joiner learns it from the host it trusts.
 *
 * A body is JSON made here in one fixed key order and signed as the exact text: a reader verifies
 * the text it got, so nothing depends on two encoders agreeing.
 */

const LABEL = 'vss/member/1\n';
/** A record's body is at most this long (two PEM keys, two names, ids, and the ids a removal keeps): anything longer is refused unread. */
export const MEMBER_BODY_CHARS = 12_000;
/** Record ids a removal keeps, or an admission overrides, at most (the body must fit one shared-data operation). */
export const MEMBER_REFS_MAX = 200;
const NAME_CHARS = 200;
const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export interface MemberSide {
  uuid: string;
  name: string;
  /** Ed25519 public key, SPKI PEM (as device.json and paired-devices.json keep it). */
  key: string;
}

/** What a member may do in a library (issue 46): let others in, remove members, have its connections relayed by the library's relays. */
export const RIGHTS = ['admit', 'remove', 'relay'] as const;
export type Right = (typeof RIGHTS)[number];

export type MemberBody =
  /** OVER: the removals of MEMBER this admission undoes (it was removed, and is paired again). */
  | { v: 1; kind: 'admit'; library: string; at: string; by: MemberSide; member: MemberSide; over: string[]; founder?: string }
  /**
   * KEEPS: the ids of the records MEMBER signed that BY held when it removed it: they stand; any
   * other record MEMBER signed (made after, whatever time it says) vouches for no one.
   */
  | { v: 1; kind: 'remove'; library: string; at: string; by: MemberSide; member: { uuid: string; key: string }; keeps: string[] }
  /** RIGHTS: all MEMBER may do from AT on (the rights it is not given it may not do). */
  | { v: 1; kind: 'rights'; library: string; at: string; by: MemberSide; member: MemberSide; rights: Right[] };

/** What an admission says besides who and when, as its admitting device makes it: the removals it undoes, the library's founder. */
export interface AdmissionTerms {
  over: string[];
  founder?: string;
}

/** A record as kept and sent: the body's text and the signatures over it (base64). */
export interface MemberRecord {
  body: string;
  sig_by: string;
  /** The admitted device's signature (admissions only). */
  sig_member: string | null;
}

/** A record read and verified. */
export interface VerifiedMember {
  id: string;
  record: MemberRecord;
  body: MemberBody;
}

/** FOUNDER: the key of the device that made the library, as BY knows it (left out where BY knows none: a library from before rights). */
export function admissionBody(library: string, at: string, by: MemberSide, member: MemberSide, over: readonly string[] = [], founder?: string): string {
  const b: MemberBody = { v: 1, kind: 'admit', library, at, by: side(by), member: side(member), over: [...over].sort().slice(0, MEMBER_REFS_MAX), ...(founder !== undefined ? { founder } : {}) };
  return JSON.stringify(b);
}

export function rightsBody(library: string, at: string, by: MemberSide, member: MemberSide, rights: readonly Right[]): string {
  const b: MemberBody = { v: 1, kind: 'rights', library, at, by: side(by), member: side(member), rights: RIGHTS.filter((r) => rights.includes(r)) };
  return JSON.stringify(b);
}

export function removalBody(library: string, at: string, by: MemberSide, member: { uuid: string; key: string }, keeps: readonly string[] = []): string {
  const b: MemberBody = { v: 1, kind: 'remove', library, at, by: side(by), member: { uuid: member.uuid, key: member.key }, keeps: [...keeps].sort().slice(-MEMBER_REFS_MAX) };
  return JSON.stringify(b);
}

/** This device's signature over BODY, base64. */
export function signMemberBody(body: string, privateKey: KeyObject | string): string {
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  return sign(null, Buffer.from(LABEL + body, 'utf8'), key).toString('base64');
}

/** A record's id: the same on every device (derived from its body). */
export function memberRecordId(body: string): string {
  return derivedUuid(`member:${body}`);
}

/**
 * RECORD read and its signatures checked, or why it is refused: a record a peer sends is taken in
 * only when its body is well formed and bounded and every signature it needs is the named key's.
 */
export function verifyMemberRecord(record: unknown): VerifiedMember | { refused: string } {
  if (typeof record !== 'object' || record === null) return { refused: 'a member record that is not an object' };
  const r = record as Record<string, unknown>;
  if (typeof r.body !== 'string' || r.body.length > MEMBER_BODY_CHARS) return { refused: `a member record's body is text of at most ${MEMBER_BODY_CHARS} characters` };
  if (typeof r.sig_by !== 'string' || r.sig_by.length > 200) return { refused: 'a member record without its signature' };
  if (r.sig_member !== null && (typeof r.sig_member !== 'string' || r.sig_member.length > 200)) return { refused: "a member record's second signature that is not one" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(r.body);
  } catch {
    return { refused: "a member record's body that is not JSON" };
  }
  const body = checkBody(parsed);
  if ('refused' in body) return body;
  if (!signedBy(r.body, r.sig_by, body.by.key)) return { refused: "a member record whose signature is not its author's" };
  if (body.kind === 'admit') {
    if (typeof r.sig_member !== 'string' || !signedBy(r.body, r.sig_member, body.member.key)) return { refused: "an admission the admitted device did not sign" };
  }
  const out: MemberRecord = { body: r.body, sig_by: r.sig_by, sig_member: body.kind === 'admit' ? (r.sig_member as string) : null };
  return { id: memberRecordId(r.body), record: out, body };
}

function checkBody(v: unknown): MemberBody | { refused: string } {
  if (typeof v !== 'object' || v === null) return { refused: 'a member body that is not an object' };
  const b = v as Record<string, unknown>;
  if (b.v !== 1) return { refused: 'a member record of another version' };
  if (b.kind !== 'admit' && b.kind !== 'remove' && b.kind !== 'rights') return { refused: 'a member record that neither admits, removes nor sets rights' };
  if (typeof b.library !== 'string' || !UUID_RE.test(b.library)) return { refused: 'a member record without its library' };
  // One form of time (toISOString's), so times compare as text alike everywhere.
  if (typeof b.at !== 'string' || !ISO_RE.test(b.at) || Number.isNaN(Date.parse(b.at))) return { refused: 'a member record without its time' };
  const by = checkSide(b.by, true);
  if (!by) return { refused: "a member record's author that is not a device" };
  const member = checkSide(b.member, b.kind !== 'remove');
  if (!member) return { refused: "a member record's member that is not a device" };
  if (by.uuid === member.uuid || by.key === member.key) return { refused: 'a member record of a device about itself' };
  if (b.kind === 'rights') {
    const rights = b.rights;
    if (!Array.isArray(rights) || rights.length > RIGHTS.length || !rights.every((r) => (RIGHTS as readonly unknown[]).includes(r)) || new Set(rights).size !== rights.length) {
      return { refused: `a member record's rights are not a list of ${RIGHTS.join(', ')}` };
    }
    return { v: 1, kind: 'rights', library: b.library, at: b.at, by, member: member as MemberSide, rights: rights as Right[] };
  }
  if (b.founder !== undefined && (typeof b.founder !== 'string' || b.founder.length > 400 || !isEd25519(b.founder))) return { refused: "an admission's founder that is not a device key" };
  const refs = b.kind === 'admit' ? b.over : b.keeps;
  if (!Array.isArray(refs) || refs.length > MEMBER_REFS_MAX || !refs.every((x) => typeof x === 'string' && UUID_RE.test(x))) {
    return { refused: `a member record's ${b.kind === 'admit' ? 'over' : 'keeps'} is not a list of at most ${MEMBER_REFS_MAX} record ids` };
  }
  return b.kind === 'admit'
    ? { v: 1, kind: 'admit', library: b.library, at: b.at, by, member: member as MemberSide, over: refs as string[], ...(b.founder !== undefined ? { founder: b.founder as string } : {}) }
    : { v: 1, kind: 'remove', library: b.library, at: b.at, by, member: { uuid: member.uuid, key: member.key }, keeps: refs as string[] };
}

function checkSide(v: unknown, named: boolean): MemberSide | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const s = v as Record<string, unknown>;
  if (typeof s.uuid !== 'string' || !UUID_RE.test(s.uuid)) return undefined;
  if (typeof s.key !== 'string' || s.key.length > 400 || !isEd25519(s.key)) return undefined;
  if (named && (typeof s.name !== 'string' || s.name.length === 0 || s.name.length > NAME_CHARS)) return undefined;
  return { uuid: s.uuid, name: typeof s.name === 'string' ? s.name : '', key: s.key };
}

function isEd25519(pem: string): boolean {
  try {
    return createPublicKey(pem).asymmetricKeyType === 'ed25519';
  } catch {
    return false;
  }
}

function signedBy(body: string, sig: string, keyPem: string): boolean {
  try {
    return verify(null, Buffer.from(LABEL + body, 'utf8'), createPublicKey(keyPem), Buffer.from(sig, 'base64'));
  } catch {
    return false;
  }
}

function side(s: MemberSide): MemberSide {
  return { uuid: s.uuid, name: s.name.slice(0, NAME_CHARS), key: s.key };
}
