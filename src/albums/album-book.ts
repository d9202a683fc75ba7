import { v4 as uuidv4 } from 'uuid';
import { UsageError, VssError } from '../core/errors.js';
import { byShortId, mayBeShortId, shortId, SHORT_ID_CHARS } from '../core/short-id.js';
import type { Library } from '../library/library.js';
import { UUID_RE } from '../sidecars/address.js';
import type { AlbumCountRecord, AlbumRecord } from '../store/albums.js';
import { checkSearch } from '../search/search-query.js';
import { withSmartAlbums } from '../search/search-filters.js';
import { SharedData, type UnstampedOp } from '../tags/shared-data.js';
import { albumNameProblem, ALBUM_QUERY_MAX } from '../tags/shared-op.js';
import { effectiveParents, wouldLoop } from '../tags/tag-tree.js';
import type { AlbumShown, AlbumView } from '../wire/albums.js';
import { albumContents } from './album-contents.js';

export type { AlbumShown, AlbumView };

/** A smart album's count in a listing stops here (its search is run for the listing). */
const LIST_COUNT_CAP = 10_000;

/** What an album may be given when it is made or changed. */
export interface AlbumChange {
  name?: string;
  /** An album's name or id; null: to the top. */
  parent?: string | null;
  /** A saved search (a smart album); null: an album of its own contents again (what was put in it stays). */
  query?: string | null;
  /** A content's uuid; null: its first content. */
  cover?: string | null;
}

/**
 * The library's albums (issue 32), every change an operation of the shared data (DESIGN §15), as
 * tags are. An album is named by its id (or its first 8 or more characters) or its name (any
 * case); a name two albums share (made on two devices at once) must be given by id. A smart album's contents are its saved search's, run
 * when asked: nothing is put in it, and it follows the library.
 */
export class AlbumBook {
  private readonly shared: SharedData;

  constructor(private readonly lib: Library) {
    this.shared = new SharedData(lib);
  }

  list(): AlbumView[] {
    const rows = this.lib.store.albums.live();
    const parents = effectiveParents(this.lib.store.albums.parents());
    const byUuid = new Map(rows.map((r) => [r.uuid, r] as const));
    const names = new Map<string, number>();
    for (const r of rows) names.set(r.name.toLowerCase(), (names.get(r.name.toLowerCase()) ?? 0) + 1);
    return rows.map((r) => this.view(r, parents, byUuid, names));
  }

  /** An album and its contents (their names are the API's to add: contentTiles). */
  show(ref: string): Omit<AlbumShown, 'names'> {
    const album = this.resolve(ref);
    const contents = albumContents(this.lib, album);
    return { ...this.viewOf(album.uuid, contents), contents };
  }

  /** Make an album NAME (under PARENT; smart with QUERY). A live album of that name under the same parent is refused. */
  create(name: string, opts: Omit<AlbumChange, 'name' | 'cover'> = {}): AlbumView {
    const problem = albumNameProblem(name);
    if (problem) throw new UsageError(problem);
    const parent = opts.parent == null ? null : this.resolve(opts.parent).uuid;
    const parents = effectiveParents(this.lib.store.albums.parents());
    const twin = this.lib.store.albums.named(name).find((a) => (parents.get(a.uuid) ?? null) === parent);
    if (twin) throw new VssError('ALREADY_EXISTS', `an album ${JSON.stringify(name)} is there already${parent ? ' in that album' : ''} (${shortId(twin.uuid)})`);
    const uuid = uuidv4();
    const query = opts.query == null ? null : this.checkQuery(opts.query, uuid);
    this.shared.commit([{ record: 'album', id: uuid, set: { name, parent, query } }]);
    return this.viewOf(uuid);
  }

  /** Rename an album, move it, make it smart (or not) or choose its cover. Moving an album into itself or an album within it is refused. */
  change(ref: string, c: AlbumChange): AlbumView {
    const album = this.resolve(ref);
    const set: { name?: string; parent?: string | null; query?: string | null; cover?: string | null } = {};
    if (c.name !== undefined) {
      const problem = albumNameProblem(c.name);
      if (problem) throw new UsageError(problem);
      set.name = c.name;
    }
    if (c.parent !== undefined) {
      const parent = c.parent === null ? null : this.resolve(c.parent).uuid;
      if (parent !== null && wouldLoop(album.uuid, parent, effectiveParents(this.lib.store.albums.parents()))) {
        throw new UsageError(`${album.name} cannot go into ${c.parent}: an album cannot be within itself`);
      }
      set.parent = parent;
    }
    if (c.query !== undefined) set.query = c.query === null ? null : this.checkQuery(c.query, album.uuid);
    if (c.cover !== undefined) {
      if (c.cover !== null && !UUID_RE.test(c.cover)) throw new UsageError(`a cover is a content's uuid, not ${JSON.stringify(c.cover).slice(0, 80)}`);
      set.cover = c.cover;
    }
    if (Object.keys(set).length > 0) this.shared.commit([{ record: 'album', id: album.uuid, set }]);
    return this.viewOf(album.uuid);
  }

  /** Delete an album: the albums within it move up to its parent; its contents stay in the library. */
  delete(ref: string): AlbumView {
    const album = this.resolve(ref);
    const shown = this.viewOf(album.uuid);
    const parents = effectiveParents(this.lib.store.albums.parents());
    const up = parents.get(album.uuid) ?? null;
    const ops: UnstampedOp[] = [...parents].filter(([, p]) => p === album.uuid).map(([child]) => ({ record: 'album', id: child, set: { parent: up } }));
    ops.push({ record: 'album', id: album.uuid, set: { deleted: true } });
    this.shared.commit(ops);
    return shown;
  }

  /**
   * Put each of CONTENTS in album REF (made first when no album has that name). Every content
   * gets the operation, also one in it already: the choice made now must beat an older removal
   * another device made meanwhile. A smart album is refused: its search says what it holds.
   */
  add(ref: string, contents: readonly string[]): { album: AlbumView; changed: number; created: boolean } {
    let album = this.find(ref);
    if (album === undefined && UUID_RE.test(ref.toLowerCase())) throw new VssError('NOT_FOUND', `no album ${ref}`);
    const created = album === undefined;
    album ??= this.lib.store.albums.get(this.create(ref).album_id)!;
    this.notSmart(album);
    const changed = this.setItems(album.uuid, contents, true);
    return { album: this.viewOf(album.uuid), changed, created };
  }

  /** Take each of CONTENTS out of album REF; how many were in it. */
  remove(ref: string, contents: readonly string[]): { album: AlbumView; changed: number } {
    const album = this.resolve(ref);
    this.notSmart(album);
    const changed = this.setItems(album.uuid, contents, false);
    return { album: this.viewOf(album.uuid), changed };
  }

  /** The live album REF names (id or name, any case); refused when none or several do. */
  resolve(ref: string): AlbumRecord {
    const album = this.find(ref);
    if (!album) throw new VssError('NOT_FOUND', `no album ${JSON.stringify(ref).slice(0, 200)}`);
    return album;
  }

  private notSmart(album: AlbumRecord): void {
    if (album.query !== null) {
      throw new UsageError(`${album.name} is a smart album: what it holds is what its search finds (${JSON.stringify(album.query)}); put photos in an album of your own`);
    }
  }

  /** QUERY as a smart album's search: a search that parses, and that does not name album UUID itself. */
  private checkQuery(query: string, uuid: string): string {
    const q = query.trim();
    if (q === '') throw new UsageError('a smart album needs a search: --query "tag:Family rating:>=4", --query "place:Dubrovnik date:2024"');
    if (q.length > ALBUM_QUERY_MAX) throw new UsageError(`a smart album's search is at most ${ALBUM_QUERY_MAX} characters`);
    withSmartAlbums(this.lib, checkSearch(q, undefined), [uuid]);
    return q;
  }

  /** Say of each of CONTENTS that it is in ALBUM (PRESENT) or not; how many that changed here. */
  private setItems(album: string, contents: readonly string[], present: boolean): number {
    const had = new Set(this.lib.store.albumItems.contentsOf(album));
    const unique = [...new Set(contents)];
    this.shared.commit(unique.map((c) => ({ record: 'album_item', id: album, content: c, set: { present } })));
    return unique.filter((c) => had.has(c) !== present).length;
  }

  private find(ref: string): AlbumRecord | undefined {
    const live = (a: AlbumRecord | undefined) => (a && a.deleted === 0 && a.name_hlc !== '' ? a : undefined);
    if (UUID_RE.test(ref.toLowerCase())) return live(this.lib.store.albums.get(ref.toLowerCase()));
    const named = this.lib.store.albums.named(ref);
    if (named.length > 1) throw new UsageError(`${named.length} albums are named ${JSON.stringify(ref)} (${named.map((a) => shortId(a.uuid)).join(', ')}): give one by its id`);
    if (named[0] || ref.trim().length < SHORT_ID_CHARS || !mayBeShortId(ref)) return named[0];
    // The start of an id, as messages show it, where no album has the name: 8 characters at least,
    // so that a name such as "2024" that no album has yet makes one (album add) rather than finding an id.
    const lower = ref.trim().toLowerCase();
    const id = byShortId(lower, this.lib.store.albums.uuidsStarting(lower).filter((u) => live(this.lib.store.albums.get(u))), 'album');
    return id === undefined ? undefined : this.lib.store.albums.get(id);
  }

  private viewOf(uuid: string, contents?: readonly string[]): AlbumView {
    const rows = this.lib.store.albums.live();
    const row = rows.find((r) => r.uuid === uuid);
    if (!row) throw new VssError('NOT_FOUND', `no album ${uuid}`);
    const names = new Map<string, number>();
    for (const r of rows) names.set(r.name.toLowerCase(), (names.get(r.name.toLowerCase()) ?? 0) + 1);
    return this.view(row, effectiveParents(this.lib.store.albums.parents()), new Map(rows.map((r) => [r.uuid, r] as const)), names, contents);
  }

  private view(r: AlbumCountRecord, parents: ReadonlyMap<string, string | null>, byUuid: ReadonlyMap<string, AlbumRecord>, names: ReadonlyMap<string, number>, contents?: readonly string[]): AlbumView {
    const path: string[] = [];
    for (let at: string | null | undefined = r.uuid, steps = 0; at != null && steps <= parents.size; at = parents.get(at), steps++) path.unshift(byUuid.get(at)?.name ?? '?');
    // A smart album's count and cover come from its search, run now (bounded for a listing).
    const held = contents ?? (r.query !== null ? albumContents(this.lib, r, LIST_COUNT_CAP) : undefined);
    const count = held?.length ?? r.items;
    const cover = r.cover ?? (held ? held[0] ?? null : this.lib.store.albumItems.first(r.uuid));
    return { album_id: r.uuid, name: r.name, parent: parents.get(r.uuid) ?? null, path, query: r.query, cover, count, same_name: (names.get(r.name.toLowerCase()) ?? 0) > 1 };
  }
}
