import { contentsOf, MAX_REFS } from './content-refs.js';
import { placeInLibrary } from '../files/places.js';
import { StackBook } from '../stacks/stack-book.js';
import { objectNamed, objectPlace } from '../tags/objects.js';
import { userDataTargets } from '../browse/user-data-targets.js';
import { UsageError, VssError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import { TagBook, type TagChange } from '../tags/tag-book.js';
import { setMeta, showMeta } from '../tags/user-meta.js';
import type { TagView, UserMetaView } from '../wire/tags.js';
import type { XmpExportResult } from '../tags/xmp-export.js';

export type { TagView, UserMetaView, XmpExportResult };


/** The library's tags (DESIGN §11 `vss tag`, §16): shared by every device of the library. */
export class TagsApi {
  private readonly book: TagBook;

  constructor(private readonly lib: Library) {
    this.book = new TagBook(lib);
  }

  /** Every tag, by name, with its place in the tree and how many contents carry it. */
  list(): TagView[] {
    return this.book.list();
  }

  create(name: string, opts: { parent?: string; color?: string } = {}): TagView {
    return this.book.create(name, opts);
  }

  /** Rename, move (`parent`: a tag, or '' for the top) or colour (`color`: #rrggbb, or '' for none) a tag. */
  change(ref: string, opts: { name?: string; parent?: string; color?: string } = {}): TagView {
    const c: TagChange = {};
    if (opts.name !== undefined) c.name = opts.name;
    if (opts.parent !== undefined) c.parent = opts.parent === '' ? null : opts.parent;
    if (opts.color !== undefined) c.color = opts.color === '' ? null : opts.color;
    return this.book.change(ref, c);
  }

  delete(ref: string): TagView {
    return this.book.delete(ref);
  }

  merge(from: string, into: string): TagView {
    return this.book.merge(from, into);
  }

  /**
   * Tag what REFS name with TAG (made when no tag has that name): contents, and (issue 59) folders
   * and files anywhere this machine's user can read; RECURSIVE: each folder's files too.
   */
  async add(tag: string, refs: string[], opts: UserDataOptions = {}): Promise<{ tag: TagView; changed: number; created: boolean }> {
    return this.book.add(tag, await targetsOf(this.lib, refs, { create: true, ...opts }));
  }

  async remove(tag: string, refs: string[], opts: UserDataOptions = {}): Promise<{ tag: TagView; changed: number }> {
    return this.book.remove(tag, await targetsOf(this.lib, refs, { create: false, ...opts }));
  }
}

/** How a tag or metadata call takes its paths (issue 59). */
export interface UserDataOptions {
  /** A folder's files too, each one beneath it. */
  recursive?: boolean;
  /** Who asks (the daemon says): a paired browser names contents and paths in locations only. */
  party?: string;
}

/**
 * The uuids user data is kept under for REFS (tags/objects.ts): contents, with every member of
 * their stacks (a stack takes tags and ratings as one item), and folders' objects. A paired
 * browser names nothing outside this device's locations.
 */
async function targetsOf(lib: Library, refs: readonly string[], opts: UserDataOptions & { create: boolean }): Promise<string[]> {
  if (refs.length === 0) throw new UsageError("name at least one content or folder (a path, a file's name, DEVICE:/LOCATION/PATH or an id)");
  if (refs.length > MAX_REFS) throw new UsageError(`at most ${MAX_REFS} at once`);
  if (opts.party !== undefined && opts.party !== 'local') for (const r of refs) if (r.startsWith('/')) placeInLibrary(lib, r, 'a path a browser names');
  const targets = await userDataTargets(lib, refs, { create: opts.create, ...(opts.recursive ? { recursive: true } : {}) });
  const contents = new StackBook(lib).expand(targets.filter((t) => t.content).map((t) => t.uuid));
  return [...new Set([...contents, ...targets.filter((t) => !t.content).map((t) => t.uuid)])];
}

/** A content's user metadata (DESIGN §11 `vss meta`, §16): favourite, hidden, rating, note, and its tags. */
export class MetaApi {
  constructor(private readonly lib: Library) {}

  /** What is set on the content, folder or file REF names (issue 59: a folder, a file outside the locations). */
  async show(ref: string, opts: UserDataOptions = {}): Promise<UserMetaView> {
    const [uuid] = await targetsOf(this.lib, [ref], { create: false, ...opts, recursive: false });
    return this.view(uuid!);
  }

  /** Set what FIELDS give on each content, folder or file REFS names (`note` '' clears it); the new state of each. */
  async set(refs: string[], fields: { favorite?: boolean; hidden?: boolean; rating?: number; note?: string; party?: string } = {}): Promise<UserMetaView[]> {
    const { party, ...given } = fields;
    const f = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
    if (Object.keys(f).length === 0) throw new UsageError('nothing to set: give --favorite, --hidden, --rating or --note (or their --no- forms)');
    return setMeta(this.lib, await targetsOf(this.lib, refs, { create: true, ...(party !== undefined ? { party } : {}) }), f).map((m) => this.view(m.content_uuid, m));
  }

  /** What is set on UUID (a content's, or a folder's object's: then where the folder is). */
  private view(uuid: string, shown: UserMetaView = showMeta(this.lib, uuid)): UserMetaView {
    const o = objectNamed(this.lib, uuid);
    if (!o || (o.kind !== 'folder' && o.kind !== 'file')) return shown;
    return { ...shown, object: { uuid: o.uuid, kind: o.kind, ...objectPlace(this.lib, o) } };
  }
}

/** XMP sidecars other photo tools keep beside the originals (DESIGN §11 `vss xmp`, §16). */
export class XmpApi {
  constructor(private readonly lib: Library) {}

  /** Write vss's rating, label and tags of the contents REFS name (none: every content that has some) into their XMP sidecars. */
  async export(refs: string[] = []): Promise<XmpExportResult> {
    const { exportXmp } = await import('../tags/xmp-export.js');
    return exportXmp(this.lib, refs.length === 0 ? undefined : contentsOf(this.lib, refs));
  }

  /**
   * Keep location ID's XMP sidecars written back (issue 59 item 6), or not: a tag, rating or note
   * that changes here or arrives from another device is written into the sidecars of its files
   * there while the daemon runs (the daemon's services: keepWrittenBack).
   */
  async writeBack(id: number, on: boolean): Promise<{ location_id: number; write_back: boolean }> {
    const loc = this.lib.store.locations.byId(id);
    if (!loc || loc.device_id !== this.lib.deviceId) throw new VssError('NOT_FOUND', `no location ${id} on this device`);
    if (loc.kind !== 'disk') throw new UsageError(`location ${loc.name} is a ${loc.kind}: XMP sidecars are written beside files on a drive`);
    const { setXmpWriteBack } = await import('../tags/xmp-write-back.js');
    setXmpWriteBack(this.lib, id, on);
    return { location_id: id, write_back: on };
  }

  /** The write-back, followed until the returned function stops it (the daemon's). */
  async keepWrittenBack(onProblem: (err: unknown) => void): Promise<() => void> {
    const { keepXmpWrittenBack } = await import('../tags/xmp-write-back.js');
    return keepXmpWrittenBack(this.lib, onProblem);
  }
}
