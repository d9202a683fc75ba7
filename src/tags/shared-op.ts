import { parseStamp } from '../core/hlc.js';
import type { Stores } from '../store/stores.js';
import type { TagFields } from '../store/tags.js';
import type { UserMetadataFields } from '../store/user-metadata.js';
import type { PersonFields } from '../store/people.js';
import type { AlbumFields } from '../store/albums.js';
import type { StackFields } from '../store/stacks.js';
import type { ObjectFields } from '../store/objects.js';
import { UUID_RE } from '../sidecars/address.js';
import { absolutePathProblem } from '../library/confine.js';
import { verifyMemberRecord, type MemberBody, type MemberRecord } from './member-record.js';
import { keyIdOf } from '../volumes/bucket-keys.js';
import type { MemberIntake } from './member-intake.js';

/**
 * One change of shared data (DESIGN §15, §16), as made here and as paired devices send it: the
 * record it changes, the fields it sets, and its stamp (which also names the device that made it).
 * The one list of what shared data is: a new kind of shared record is a new member here.
 */
export type SharedOp =
  | { hlc: string; record: 'tag'; id: string; set: TagFields }
  | { hlc: string; record: 'meta'; id: string; set: UserMetadataFields }
  /** ID: the tag; CONTENT: the content that carries it (`present`) or not any more. */
  | { hlc: string; record: 'tagging'; id: string; content: string; set: { present: boolean } }
  /** ID: a person (issue 31): the face they were first known by, their name, hidden, merged into another. */
  | { hlc: string; record: 'person'; id: string; set: PersonFields }
  /** ID: a face: put with a person (their id), with nobody (''), or back with whom the clustering says (null). */
  | { hlc: string; record: 'face'; id: string; set: { person: string | null } }
  /** ID: an album (issue 32): its name, parent, saved search (a smart album), cover, deleted. */
  | { hlc: string; record: 'album'; id: string; set: AlbumFields }
  /** ID: the album; CONTENT: a content put in it (`present`) or taken out. */
  | { hlc: string; record: 'album_item'; id: string; content: string; set: { present: boolean } }
  /** ID: a stack (issue 45): its kind, the cover its rules pick, the cover a user chose, unstacked. */
  | { hlc: string; record: 'stack'; id: string; set: StackFields }
  /** ID: the stack; CONTENT: a content in it (`present`) or not any more. */
  | { hlc: string; record: 'stack_member'; id: string; content: string; set: { present: boolean } }
  /** ID: a folder, or a file outside every location, that carries user data (issue 59): whose, what, where, a file's content. */
  | { hlc: string; record: 'object'; id: string; set: ObjectFields }
  /** ID: derived from the body (issue 46): a signed record that a device was admitted to the library or removed from it. */
  | { hlc: string; record: 'member'; id: string; set: MemberRecord }
  /** ID: derived from the secret (issue 60): the library's bucket key, its secret as hex, so every member reads and writes its encrypted buckets. */
  | { hlc: string; record: 'bucket_key'; id: string; set: { secret: string } };

export const ALBUM_NAME_MAX = 200;
/** A smart album's saved search is a search query: the same bound. */
export const ALBUM_QUERY_MAX = 1024;

/** Why NAME cannot be an album's name, or undefined when it can. */
export function albumNameProblem(name: string): string | undefined {
  return nameProblem('an album name', name, ALBUM_NAME_MAX);
}

export const PERSON_NAME_MAX = 200;

/** Why NAME cannot be a person's name, or undefined when it can. */
export function personNameProblem(name: string): string | undefined {
  return nameProblem("a person's name", name, PERSON_NAME_MAX);
}

export const TAG_NAME_MAX = 200;
/** An object's path as a peer may send it (an absolute path on its device). */
export const OBJECT_PATH_MAX = 4096;
export const NOTE_MAX = 10_000;
const COLOR_RE = /^#[0-9a-f]{6}$/;
// Control characters would break a listing (and a terminal): refused in names.
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f]/;

/** Why NAME cannot be a tag's name, or undefined when it can. */
export function tagNameProblem(name: string): string | undefined {
  return nameProblem('a tag name', name, TAG_NAME_MAX);
}

/** Why NAME cannot be what WHAT names (a tag's, a person's, an album's name: one rule), or undefined when it can. */
function nameProblem(what: string, name: string, max: number): string | undefined {
  if (name.trim() === '' || name !== name.trim()) return `${what} is not empty and has no spaces at its ends`;
  if (name.length > max) return `${what} is at most ${max} characters`;
  if (CONTROL_RE.test(name)) return `${what} has no control characters`;
  return undefined;
}

/** VALUE as an operation, or why it is not one: every field checked and bounded (a peer sends these). */
export function checkOp(value: unknown): SharedOp | { refused: string } {
  if (!isObject(value)) return { refused: 'not an object' };
  const { hlc, record, id, set } = value;
  if (typeof hlc !== 'string' || !parseStamp(hlc)) return { refused: 'no valid stamp' };
  if (typeof id !== 'string' || !UUID_RE.test(id)) return { refused: 'no valid record id' };
  if (!isObject(set)) return { refused: 'no fields' };
  const extra = (allowed: string[]) => Object.keys(set).find((k) => !allowed.includes(k));
  if (record === 'tag') {
    const bad = extra(['name', 'color', 'parent', 'deleted']);
    if (bad) return { refused: `a tag has no field ${JSON.stringify(bad).slice(0, 40)}` };
    const f: TagFields = {};
    if (set.name !== undefined) {
      if (typeof set.name !== 'string' || tagNameProblem(set.name)) return { refused: 'a tag name that is not one' };
      f.name = set.name;
    }
    if (set.color !== undefined) {
      if (set.color !== null && (typeof set.color !== 'string' || !COLOR_RE.test(set.color))) return { refused: 'a colour that is not #rrggbb' };
      f.color = set.color;
    }
    if (set.parent !== undefined) {
      if (set.parent !== null && (typeof set.parent !== 'string' || !UUID_RE.test(set.parent) || set.parent === id)) return { refused: 'a parent that is not another tag' };
      f.parent = set.parent;
    }
    if (set.deleted !== undefined) {
      if (typeof set.deleted !== 'boolean') return { refused: 'deleted that is not true or false' };
      f.deleted = set.deleted;
    }
    return { hlc, record, id, set: f };
  }
  if (record === 'meta') {
    const bad = extra(['favorite', 'hidden', 'rating', 'note']);
    if (bad) return { refused: `user metadata has no field ${JSON.stringify(bad).slice(0, 40)}` };
    const f: UserMetadataFields = {};
    for (const k of ['favorite', 'hidden'] as const) {
      if (set[k] === undefined) continue;
      if (typeof set[k] !== 'boolean') return { refused: `${k} that is not true or false` };
      f[k] = set[k];
    }
    if (set.rating !== undefined) {
      if (!Number.isInteger(set.rating) || (set.rating as number) < 0 || (set.rating as number) > 5) return { refused: 'a rating that is not 0 to 5' };
      f.rating = set.rating as number;
    }
    if (set.note !== undefined) {
      if (set.note !== null && (typeof set.note !== 'string' || set.note.length > NOTE_MAX)) return { refused: `a note that is not text of at most ${NOTE_MAX} characters` };
      f.note = set.note;
    }
    return { hlc, record, id, set: f };
  }
  if (record === 'tagging') {
    const content = value.content;
    if (typeof content !== 'string' || !UUID_RE.test(content)) return { refused: 'no valid content id' };
    if (Object.keys(set).length !== 1 || typeof set.present !== 'boolean') return { refused: 'a tagging says only whether it is present' };
    return { hlc, record, id, content, set: { present: set.present } };
  }
  if (record === 'person') {
    const bad = extra(['anchor', 'name', 'hidden', 'merged_into']);
    if (bad) return { refused: `a person has no field ${JSON.stringify(bad).slice(0, 40)}` };
    if (Object.keys(set).length === 0) return { refused: 'a person operation that says nothing' };
    const f: PersonFields = {};
    if (set.anchor !== undefined) {
      if (typeof set.anchor !== 'string' || !UUID_RE.test(set.anchor)) return { refused: 'an anchor that is not a face id' };
      f.anchor = set.anchor;
    }
    if (set.name !== undefined) {
      if (set.name !== null && (typeof set.name !== 'string' || personNameProblem(set.name))) return { refused: "a person's name that is not one" };
      f.name = set.name;
    }
    if (set.hidden !== undefined) {
      if (typeof set.hidden !== 'boolean') return { refused: 'hidden that is not true or false' };
      f.hidden = set.hidden;
    }
    if (set.merged_into !== undefined) {
      if (set.merged_into !== null && (typeof set.merged_into !== 'string' || !UUID_RE.test(set.merged_into) || set.merged_into === id)) return { refused: 'merged into what is not another person' };
      f.merged_into = set.merged_into;
    }
    return { hlc, record, id, set: f };
  }
  if (record === 'face') {
    if (Object.keys(set).length !== 1 || !('person' in set)) return { refused: 'a face correction says only who the face is' };
    const person = set.person;
    if (person !== null && person !== '' && (typeof person !== 'string' || !UUID_RE.test(person))) return { refused: 'a face put with what is not a person' };
    return { hlc, record, id, set: { person: person as string | null } };
  }
  if (record === 'album') {
    const bad = extra(['name', 'parent', 'query', 'cover', 'deleted']);
    if (bad) return { refused: `an album has no field ${JSON.stringify(bad).slice(0, 40)}` };
    if (Object.keys(set).length === 0) return { refused: 'an album operation that says nothing' };
    const f: AlbumFields = {};
    if (set.name !== undefined) {
      if (typeof set.name !== 'string' || albumNameProblem(set.name)) return { refused: 'an album name that is not one' };
      f.name = set.name;
    }
    if (set.parent !== undefined) {
      if (set.parent !== null && (typeof set.parent !== 'string' || !UUID_RE.test(set.parent) || set.parent === id)) return { refused: 'a parent that is not another album' };
      f.parent = set.parent;
    }
    if (set.query !== undefined) {
      if (set.query !== null && (typeof set.query !== 'string' || set.query.trim() === '' || set.query.length > ALBUM_QUERY_MAX || CONTROL_RE.test(set.query))) {
        return { refused: `a saved search that is not text of 1 to ${ALBUM_QUERY_MAX} characters` };
      }
      f.query = set.query;
    }
    if (set.cover !== undefined) {
      if (set.cover !== null && (typeof set.cover !== 'string' || !UUID_RE.test(set.cover))) return { refused: 'a cover that is not a content id' };
      f.cover = set.cover;
    }
    if (set.deleted !== undefined) {
      if (typeof set.deleted !== 'boolean') return { refused: 'deleted that is not true or false' };
      f.deleted = set.deleted;
    }
    return { hlc, record, id, set: f };
  }
  if (record === 'album_item') {
    const content = value.content;
    if (typeof content !== 'string' || !UUID_RE.test(content)) return { refused: 'no valid content id' };
    if (Object.keys(set).length !== 1 || typeof set.present !== 'boolean') return { refused: 'an album item says only whether it is present' };
    return { hlc, record, id, content, set: { present: set.present } };
  }
  if (record === 'stack') {
    const bad = extra(['kind', 'auto_cover', 'cover', 'deleted']);
    if (bad) return { refused: `a stack has no field ${JSON.stringify(bad).slice(0, 40)}` };
    if (Object.keys(set).length === 0) return { refused: 'a stack operation that says nothing' };
    const f: StackFields = {};
    if (set.kind !== undefined) {
      if (set.kind !== 'raw+jpeg' && set.kind !== 'burst') return { refused: 'a stack kind that is not raw+jpeg or burst' };
      f.kind = set.kind;
    }
    for (const k of ['auto_cover', 'cover'] as const) {
      if (set[k] === undefined) continue;
      if (set[k] !== null && (typeof set[k] !== 'string' || !UUID_RE.test(set[k]))) return { refused: 'a cover that is not a content id' };
      f[k] = set[k] as string | null;
    }
    if (set.deleted !== undefined) {
      if (typeof set.deleted !== 'boolean') return { refused: 'deleted that is not true or false' };
      f.deleted = set.deleted;
    }
    return { hlc, record, id, set: f };
  }
  if (record === 'stack_member') {
    const content = value.content;
    if (typeof content !== 'string' || !UUID_RE.test(content)) return { refused: 'no valid content id' };
    if (Object.keys(set).length !== 1 || typeof set.present !== 'boolean') return { refused: 'a stack member says only whether it is present' };
    return { hlc, record, id, content, set: { present: set.present } };
  }
  if (record === 'object') {
    const bad = extra(['device', 'kind', 'path', 'content', 'deleted']);
    if (bad) return { refused: `an object has no field ${JSON.stringify(bad).slice(0, 40)}` };
    if (Object.keys(set).length === 0) return { refused: 'an object operation that says nothing' };
    const f: ObjectFields = {};
    if (set.device !== undefined) {
      if (typeof set.device !== 'string' || !UUID_RE.test(set.device)) return { refused: 'a device that is not a device id' };
      f.device = set.device;
    }
    if (set.kind !== undefined) {
      if (set.kind !== 'folder' && set.kind !== 'file') return { refused: 'an object kind that is not folder or file' };
      f.kind = set.kind;
    }
    if (set.path !== undefined) {
      if (typeof set.path !== 'string' || set.path.length > OBJECT_PATH_MAX || absolutePathProblem(set.path) !== undefined) return { refused: `a path that is not an absolute path of at most ${OBJECT_PATH_MAX} characters` };
      f.path = set.path;
    }
    if (set.content !== undefined) {
      if (set.content !== null && (typeof set.content !== 'string' || !UUID_RE.test(set.content))) return { refused: 'a content that is not a content id' };
      f.content = set.content;
    }
    if (set.deleted !== undefined) {
      if (typeof set.deleted !== 'boolean') return { refused: 'deleted that is not true or false' };
      f.deleted = set.deleted;
    }
    return { hlc, record, id, set: f };
  }
  if (record === 'member') {
    const bad = extra(['body', 'sig_by', 'sig_member']);
    if (bad) return { refused: `a member record has no field ${JSON.stringify(bad).slice(0, 40)}` };
    const got = verifyMemberRecord({ body: set.body, sig_by: set.sig_by, sig_member: set.sig_member ?? null });
    if ('refused' in got) return got;
    if (got.id !== id) return { refused: 'a member record under another id than its body gives' };
    return { hlc, record, id, set: got.record };
  }
  if (record === 'bucket_key') {
    if (Object.keys(set).length !== 1 || typeof set.secret !== 'string' || !/^[0-9a-f]{64}$/.test(set.secret)) return { refused: 'a bucket key is its secret alone, 64 hex digits' };
    if (keyIdOf(Buffer.from(set.secret, 'hex')) !== id) return { refused: 'a bucket key under another id than its secret gives' };
    return { hlc, record, id, set: { secret: set.secret } };
  }
  return { refused: `no record kind ${JSON.stringify(record).slice(0, 40)}` };
}

/**
 * Merge OP into the shared-data tables (the newer stamp wins per field; applying it again changes
 * nothing). MEMBERS weighs a membership record as it comes (one for the operations taken in together).
 */
export function applyOp(store: Stores, op: SharedOp, members: MemberIntake): void {
  switch (op.record) {
    case 'tag':
      return store.tags.apply(op.id, op.hlc, op.set);
    case 'meta':
      return store.userMetadata.apply(op.id, op.hlc, op.set);
    case 'tagging':
      return store.metadataTags.apply(op.id, op.content, op.set.present, op.hlc);
    case 'person':
      return store.people.apply(op.id, op.hlc, op.set);
    case 'face':
      return store.people.applyCorrection(op.id, op.hlc, op.set.person);
    case 'album':
      return store.albums.apply(op.id, op.hlc, op.set);
    case 'album_item':
      return store.albumItems.apply(op.id, op.content, op.set.present, op.hlc);
    case 'stack':
      return store.stacks.apply(op.id, op.hlc, op.set);
    case 'stack_member':
      return store.stackMembers.apply(op.id, op.content, op.set.present, op.hlc);
    case 'object':
      return store.objects.apply(op.id, op.hlc, op.set);
    case 'member': {
      // Checked (checkOp) before it comes here: the body parses.
      const f = { id: op.id, body: JSON.parse(op.set.body) as MemberBody };
      // Signed by a device a removal that counts puts out, not held by its remover, undoing no removal: not taken in.
      if (members.stale(f)) return;
      const b = f.body;
      if (store.libraryMembers.add({ id: op.id, kind: b.kind, member_uuid: b.member.uuid, by_uuid: b.by.uuid, at: b.at, body: op.set.body, sig_by: op.set.sig_by, sig_member: op.set.sig_member, hlc: op.hlc })) members.taken(f);
      return;
    }
    case 'bucket_key':
      // A key never changes (its id is its secret's): kept once, the first stamp's time its making.
      return store.libraryKeys.add({ id: op.id, secret: Buffer.from(op.set.secret, 'hex'), made_at: parseStamp(op.hlc)!.ms, hlc: op.hlc });
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
