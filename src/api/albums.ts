import { inSharedAlbum, sharedAlbumItems } from './shared-album.js';
import type { SharedAlbumItem } from '../wire/shares.js';
import type { Library } from '../library/library.js';
import { AlbumBook, type AlbumChange } from '../albums/album-book.js';
import type { AlbumShown, AlbumView } from '../wire/albums.js';
import { contentsOf, contentsWithStacks } from './content-refs.js';
import { contentTiles } from './content-tiles.js';
import type { SearchApi } from './search.js';

export type { AlbumShown, AlbumView };

/** The library's albums (issue 32): shared by every device of the library, as tags are. */
export class AlbumsApi {
  private readonly book: AlbumBook;

  /** SEARCH: a smart album's contents are a search, run on what was indexed (what a scan just queued first). */
  constructor(private readonly lib: Library, private readonly search: SearchApi) {
    this.book = new AlbumBook(lib);
  }

  /** Every album, by name, with its place in the tree, its cover and how many contents it holds. */
  async list(): Promise<AlbumView[]> {
    await this.search.caughtUp();
    return this.book.list();
  }

  /** An album (id or name) and its contents. */
  async show(ref: string): Promise<AlbumShown> {
    await this.search.caughtUp();
    const shown = this.book.show(ref);
    const tiles = contentTiles(this.lib, shown.contents);
    return { ...shown, names: Object.fromEntries(shown.contents.map((c) => [c, tiles.get(c)?.name ?? null])) };
  }

  /** Make an album (in PARENT; a smart album with QUERY, a saved search). */
  async create(name: string, opts: { parent?: string; query?: string } = {}): Promise<AlbumView> {
    if (opts.query !== undefined) await this.search.caughtUp();
    return this.book.create(name, opts);
  }

  /** Rename, move (`parent`: an album, or '' for the top), make smart (`query`; '' for not) or choose a cover (`cover`: a content, '' for the first). */
  change(ref: string, opts: { name?: string; parent?: string; query?: string; cover?: string } = {}): AlbumView {
    const c: AlbumChange = {};
    if (opts.name !== undefined) c.name = opts.name;
    if (opts.parent !== undefined) c.parent = opts.parent === '' ? null : opts.parent;
    if (opts.query !== undefined) c.query = opts.query === '' ? null : opts.query;
    if (opts.cover !== undefined) c.cover = opts.cover === '' ? null : contentsOf(this.lib, [opts.cover])[0]!;
    return this.book.change(ref, c);
  }

  delete(ref: string): AlbumView {
    return this.book.delete(ref);
  }

  /** Put the contents REFS name in ALBUM (made when no album has that name). */
  add(album: string, refs: string[]): { album: AlbumView; changed: number; created: boolean } {
    return this.book.add(album, contentsWithStacks(this.lib, refs));
  }

  /** The live album REF names (id or name): its id and name (what a share records). */
  resolve(ref: string): { uuid: string; name: string } {
    const a = this.book.resolve(ref);
    return { uuid: a.uuid, name: a.name };
  }

  /** Album ALBUMUUID as a guest of its share sees it now (issue 61): its title and photos, no name or path. */
  shared(albumUuid: string): { title: string; items: SharedAlbumItem[] } {
    return sharedAlbumItems(this.lib, albumUuid);
  }

  /** Whether CONTENT is in album ALBUMUUID now (a share's guest asks at every file). */
  sharedHolds(albumUuid: string, content: string): boolean {
    return inSharedAlbum(this.lib, albumUuid, content);
  }

  remove(album: string, refs: string[]): { album: AlbumView; changed: number } {
    return this.book.remove(album, contentsWithStacks(this.lib, refs));
  }
}
