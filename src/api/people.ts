import { contentByRef } from '../browse/content-ref.js';
import type { Library } from '../library/library.js';
import { followFaces } from '../people/faces-follower.js';
import { PeopleBook } from '../people/people-book.js';
import type { FaceView, PersonCardView, PersonFaceView, PersonView, UnsortedFacesView } from '../wire/people.js';

export type { FaceView, PersonCardView, PersonFaceView, PersonView, UnsortedFacesView };

/** The most unsorted faces one answer shows. */
const MAX_UNSORTED_SAMPLE = 100;

/** Faces and people (issue 31): found once on any device, named once, known everywhere. */
export class PeopleApi {
  private readonly book: PeopleBook;

  constructor(private readonly lib: Library) {
    this.book = new PeopleBook(lib);
  }

  /** Keep the faces and people current while the library is open for writing; the stop. */
  follow(): () => void {
    const f = followFaces(this.lib);
    return () => f.stop();
  }

  /** Every person some face is (`hidden: false` leaves hidden people out), named first. */
  list(opts: { hidden?: boolean } = {}): PersonCardView[] {
    return this.book.list(opts);
  }

  /** One person's faces, with their contents. */
  faces(person: string): PersonFaceView[] {
    return this.book.facesOfPerson(person);
  }

  name(person: string, name: string): PersonView {
    return name === '' ? this.book.unname(person) : this.book.name(person, name);
  }

  merge(people: string[]): PersonView {
    return this.book.merge(people);
  }

  split(person: string, faces: string[]): PersonView {
    return this.book.split(person, faces);
  }

  hide(person: string): PersonView {
    return this.book.setHidden(person, true);
  }

  show(person: string): PersonView {
    return this.book.setHidden(person, false);
  }

  /** A new person of FACES, named NAME when given. */
  create(faces: string[], name?: string): PersonView {
    return this.book.create(faces, name);
  }
}

export class FacesApi {
  private readonly book: PeopleBook;

  constructor(private readonly lib: Library) {
    this.book = new PeopleBook(lib);
  }

  /** The faces of the content REF names (a uuid, DEVICE:/LOCATION/PATH, or a file path here). */
  list(ref: string): FaceView[] {
    return this.book.facesOf(contentByRef(this.lib, ref).uuid);
  }

  /**
   * Make the faces of the contents REFS name again (none: of every content whose faces were made
   * here), with the model this vss has: a newer model re-makes nothing until asked. Their faces
   * leave the people until the new ones are made; what users said of them stays.
   */
  async remake(refs: string[] = []): Promise<{ queued: number }> {
    // Loaded when asked: the queueing reaches the generators and their engines, which a light command never loads.
    const [{ queueSidecarJob }, { sidecarAddress }, { SidecarManager }, { variantsOf }] = await Promise.all([
      import('../jobs/queueing.js'), import('../sidecars/address.js'), import('../sidecars/manager.js'), import('../sidecars/kinds.js'),
    ]);
    const lib = this.lib;
    const uuids = refs.length > 0 ? refs.map((r) => contentByRef(lib, r).uuid) : lib.store.sidecars.ofKindWithStatus('faces', 'ready').filter((s) => s.variant === 'default' && s.source === 'generated').map((s) => s.content_uuid);
    const manager = new SidecarManager(lib);
    let queued = 0;
    const variants = variantsOf('faces');
    for (const uuid of new Set(uuids)) {
      if (!lib.store.contents.byUuid(uuid)) continue;
      for (const variant of variants === 'open' ? [] : variants) manager.markMissing(sidecarAddress(uuid, 'faces', variant), 'made again: asked for (vss faces remake)');
      if (queueSidecarJob(lib, uuid, 'faces')) queued++;
    }
    return { queued };
  }

  /** The faces that are nobody yet: how many, in how many contents, and the clearest LIMIT (at most 100) to name. */
  unsorted(opts: { limit?: number } = {}): UnsortedFacesView {
    return this.book.unsorted(Math.min(MAX_UNSORTED_SAMPLE, Math.max(0, opts.limit ?? 12)));
  }

  /** FACE put with PERSON (an id or a name), `none` (nobody), or `auto` (whom the clustering says). */
  assign(face: string, person: string): FaceView {
    return this.book.assign(face, person);
  }
}
