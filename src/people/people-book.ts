import { byShortId, mayBeShortId, shortId } from '../core/short-id.js';
/**
 * What a user does to people (issue 31): name, merge, split, hide and show them, put a face with
 * someone or nobody. Each is shared data (tags/shared-op.ts: `person` and `face` records), so every
 * paired device comes to the same people; the faces it moves are moved here at once, and the
 * people pass (people-pass.ts) agrees with them afterwards.
 */
import { randomUUID } from 'node:crypto';
import { UsageError, VssError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import type { FaceRecord } from '../store/faces.js';
import { UUID_RE } from '../sidecars/address.js';
import { SharedData, type UnstampedOp } from '../tags/shared-data.js';
import { personNameProblem } from '../tags/shared-op.js';
import type { FaceView, PersonCardView, PersonFaceView, PersonView, UnsortedFacesView } from '../wire/people.js';
import { catchUpFaces } from './faces-follower.js';
import { mergedEnd, peopleNamed } from './names.js';

/** Faces one call may name. */
const MAX_FACES_PER_CALL = 10_000;
/** People one merge may name. */
const MAX_MERGE = 1_000;

/** A face as the API answers it. */
function faceView(f: FaceRecord): FaceView {
  return { face_id: f.face_id, box: { x: f.x, y: f.y, w: f.w, h: f.h }, score: f.score, person_id: f.person_id };
}

export class PeopleBook {
  private readonly shared: SharedData;

  constructor(private readonly lib: Library) {
    this.shared = new SharedData(lib);
  }

  /** Faces read and people found up to now (what a call answers from). */
  catchUp(): void {
    catchUpFaces(this.lib);
  }

  /** Every person some face is, named first (by name), then by how many faces. */
  list(opts: { hidden?: boolean } = {}): PersonCardView[] {
    this.catchUp();
    const store = this.lib.store;
    const records = new Map(store.people.all().map((r) => [r.person_id, r]));
    const out: PersonCardView[] = [];
    for (const c of store.faces.personCounts()) {
      const r = records.get(c.person_id);
      const hidden = r?.hidden === 1;
      if (hidden && opts.hidden === false) continue;
      const cover = store.faces.coverOf(c.person_id);
      out.push({ person_id: c.person_id, name: r?.name ?? null, faces: c.faces, contents: c.contents, hidden, cover: cover ? { face_id: cover.face_id, content_uuid: cover.content_uuid, index: cover.idx } : null });
    }
    return out.sort((a, b) => (a.name === null ? 1 : 0) - (b.name === null ? 1 : 0) || (a.name ?? '').localeCompare(b.name ?? '') || b.faces - a.faces || a.person_id.localeCompare(b.person_id));
  }

  /** One person as the list shows them (their counts read for them alone). */
  get(ref: string): PersonView {
    this.catchUp();
    const id = this.personOf(ref);
    const r = this.lib.store.people.get(id);
    const c = this.lib.store.faces.countsOf(id);
    return { person_id: id, name: r?.name ?? null, faces: c.faces, contents: c.contents, hidden: r?.hidden === 1 };
  }

  /** The faces of one content, in the order of its crops. */
  facesOf(contentUuid: string): FaceView[] {
    this.catchUp();
    return this.lib.store.faces.ofContent(contentUuid).map(faceView);
  }

  /** The faces of one person, with their contents. */
  facesOfPerson(ref: string): PersonFaceView[] {
    this.catchUp();
    const id = this.personOf(ref);
    return this.lib.store.faces.ofPerson(id).map((f) => ({ ...faceView(f), content_uuid: f.content_uuid, index: f.idx }));
  }

  /** The faces that are nobody yet: how many, in how many contents, and the clearest LIMIT. */
  unsorted(limit: number): UnsortedFacesView {
    this.catchUp();
    const u = this.lib.store.faces.unsorted(limit);
    return { faces: u.faces, contents: u.contents, sample: u.sample.map((f) => ({ ...faceView(f), content_uuid: f.content_uuid, index: f.idx })) };
  }

  name(ref: string, name: string): PersonView {
    const problem = personNameProblem(name);
    if (problem) throw new UsageError(problem);
    const id = this.personOf(ref);
    this.commit([...this.recordOps(id), { record: 'person', id, set: { name } }]);
    return this.get(id);
  }

  /** Take back a person's name. */
  unname(ref: string): PersonView {
    const id = this.personOf(ref);
    this.commit([...this.recordOps(id), { record: 'person', id, set: { name: null } }]);
    return this.get(id);
  }

  setHidden(ref: string, hidden: boolean): PersonView {
    const id = this.personOf(ref);
    this.commit([...this.recordOps(id), { record: 'person', id, set: { hidden } }]);
    return this.get(id);
  }

  /** The people REFS name, after the first, merged into the first (a name the first lacks is taken from the others). */
  merge(refs: readonly string[]): PersonView {
    if (refs.length < 2) throw new UsageError('name at least two people to merge: the first keeps its id, the others join it');
    if (refs.length > MAX_MERGE) throw new UsageError(`at most ${MAX_MERGE} people at once`);
    const ids = [...new Set(refs.map((r) => this.personOf(r)))];
    const [into, ...from] = ids as [string, ...string[]];
    if (from.length === 0) throw new UsageError('those name one person only');
    const ops: UnstampedOp[] = this.recordOps(into);
    const name = this.lib.store.people.get(into)?.name ?? from.map((f) => this.lib.store.people.get(f)?.name).find((n) => n) ?? undefined;
    if (name && !this.lib.store.people.get(into)?.name) ops.push({ record: 'person', id: into, set: { name } });
    for (const f of from) ops.push(...this.recordOps(f), { record: 'person', id: f, set: { merged_into: into } });
    // The operations first (their own immediate transaction), then the faces they move: the pass agrees with both.
    this.commit(ops);
    this.lib.store.transaction(() => {
      for (const f of from) this.lib.store.faces.movePerson(f, into);
    });
    return this.get(into);
  }

  /** FACES (of PERSON) taken out into a new person of their own. */
  split(ref: string, faceRefs: readonly string[]): PersonView {
    const id = this.personOf(ref);
    const faces = this.facesNamed(faceRefs);
    const strangers = faces.filter((f) => this.lib.store.faces.get(f)!.person_id !== id);
    if (strangers.length > 0) throw new UsageError(`face ${strangers[0]} is not ${ref}'s; split takes faces of the person named`);
    return this.create(faces);
  }

  /**
   * FACE put with PERSON (an id or a name; a name nobody has makes a new person of it), with nobody
   * (`none`), or back with whom the clustering says (`auto`).
   */
  assign(faceRef: string, personRef: string): FaceView {
    const [face] = this.facesNamed([faceRef]) as [string];
    const ops: UnstampedOp[] = [];
    let person: string | null;
    if (personRef === 'none') person = '';
    else if (personRef === 'auto') person = null;
    else if (!UUID_RE.test(personRef.trim().toLowerCase()) && peopleNamed(this.lib, personRef.trim()).length === 0 && !this.startsAnId(personRef)) {
      // A name nobody has yet: the face is the first of a new person of that name.
      this.create([face], personRef.trim());
      return faceView(this.lib.store.faces.get(face)!);
    } else {
      person = this.personOf(personRef);
      ops.push(...this.recordOps(person));
    }
    const was = this.lib.store.faces.get(face)!.person_id;
    // Its person keeps a face to be known by when this one was it.
    if (was !== null && was !== person) ops.unshift(...this.keepAnchor(was, [face]));
    ops.push({ record: 'face', id: face, set: { person } });
    this.commit(ops);
    if (person !== null) this.lib.store.faces.setPersons([{ face_id: face, person_id: person === '' ? null : person }]);
    if (person === null) this.catchUp();
    return faceView(this.lib.store.faces.get(face)!);
  }

  /** A new person made of FACES (the web UI's "this is someone else"), named NAME when given. */
  create(faceRefs: readonly string[], name?: string): PersonView {
    if (name !== undefined) {
      const problem = personNameProblem(name);
      if (problem) throw new UsageError(problem);
    }
    const faces = this.facesNamed(faceRefs);
    // A random id: only automatic people need ids every device derives alike; this one travels in the log.
    const fresh = randomUUID();
    const ops: UnstampedOp[] = [];
    for (const was of new Set(faces.map((f) => this.lib.store.faces.get(f)!.person_id))) if (was !== null) ops.push(...this.keepAnchor(was, faces));
    ops.push({ record: 'person', id: fresh, set: { anchor: [...faces].sort()[0]!, ...(name !== undefined ? { name } : {}) } }, ...faces.map((f): UnstampedOp => ({ record: 'face', id: f, set: { person: fresh } })));
    this.commit(ops);
    this.lib.store.faces.setPersons(faces.map((f) => ({ face_id: f, person_id: fresh })));
    return this.get(fresh);
  }

  /** The person REF names: their id (or its start, as `people list` shows it), or a name one person has (any case). */
  personOf(ref: string): string {
    const lower = ref.trim().toLowerCase();
    if (UUID_RE.test(lower)) {
      if (this.lib.store.people.get(lower) || this.lib.store.faces.hasPerson(lower)) return this.resolve(lower);
      throw new VssError('NOT_FOUND', `no person ${lower} in this library (vss people list shows them)`);
    }
    const named = peopleNamed(this.lib, ref.trim());
    // A name wins over an id's start: a person may be named with hex digits.
    const short = named.length === 0 && mayBeShortId(lower) ? byShortId(lower, this.list().map((p) => p.person_id), 'person') : undefined;
    if (short !== undefined) return short;
    if (named.length === 0) throw new VssError('NOT_FOUND', `nobody is named ${JSON.stringify(ref)} (vss people list shows them)`);
    if (named.length > 1) throw new UsageError(`${named.length} people are named ${JSON.stringify(ref)}: name one by id (${named.map((p) => shortId(p.person_id)).join(', ')}), or merge them`);
    return named[0]!.person_id;
  }

  /** Whether REF is the start of a person's id (as `people list` shows it), not a name to give. */
  private startsAnId(ref: string): boolean {
    const start = ref.trim().toLowerCase();
    return mayBeShortId(start) && this.list().some((p) => p.person_id.startsWith(start));
  }

  /** Where ID's merges lead (as the pass reads them: a loop ends at its lowest id). */
  private resolve(id: string): string {
    return mergedEnd(this.lib, id);
  }

  /**
   * What PERSON needs so that taking MOVING out of them leaves them known by a face still theirs:
   * a record when they have none, anchored on their lowest face that stays; a new anchor when
   * theirs is among MOVING (else the pass would give the rest an id of their own, and the name
   * would be left on nobody). None when no face of theirs stays.
   */
  private keepAnchor(person: string, moving: readonly string[]): UnstampedOp[] {
    const leaving = new Set(moving);
    const record = this.lib.store.people.get(person);
    if (record && record.anchor !== '' && !leaving.has(record.anchor)) return [];
    const stays = this.lib.store.faces.ofPerson(person).filter((f) => !leaving.has(f.face_id)).sort((a, b) => b.clusterable - a.clusterable || a.face_id.localeCompare(b.face_id))[0];
    return stays ? [{ record: 'person', id: person, set: { anchor: stays.face_id } }] : [];
  }

  private facesNamed(refs: readonly string[]): string[] {
    if (refs.length === 0) throw new UsageError('name at least one face (vss faces list shows their ids)');
    if (refs.length > MAX_FACES_PER_CALL) throw new UsageError(`at most ${MAX_FACES_PER_CALL} faces at once`);
    this.catchUp();
    // A face's whole id, or the start of it a list shows.
    return [...new Set(refs.map((r) => {
      const f = r.trim().toLowerCase();
      const id = UUID_RE.test(f) ? f : mayBeShortId(f) ? byShortId(f, this.lib.store.faces.idsStarting(f), 'face') : undefined;
      if (id === undefined || !this.lib.store.faces.get(id)) throw new VssError('NOT_FOUND', `no face ${JSON.stringify(f.slice(0, 80))} here (vss faces list FILE shows them)`);
      return id;
    }))];
  }

  /**
   * The record an automatic person needs before anything is said of them: the face their id comes
   * from, so every device gives that cluster this id (none when they have a record already).
   */
  private recordOps(id: string): UnstampedOp[] {
    if (this.lib.store.people.get(id)) return [];
    const anchor = this.lib.store.faces.lowestFaceOf(id);
    if (!anchor) throw new VssError('NOT_FOUND', `person ${id} has no faces here to be known by`);
    return [{ record: 'person', id, set: { anchor } }];
  }

  private commit(ops: readonly UnstampedOp[]): void {
    this.shared.commit(ops);
  }
}
