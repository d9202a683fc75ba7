import { UsageError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import type { SimilarGroup, SimilarKeepResult } from '../wire/similar.js';
import type { AlbumsApi } from './albums.js';
import { contentByRef } from '../browse/content-ref.js';
import { shortId } from '../core/short-id.js';
import { contentTiles } from './content-tiles.js';
import { contentsOf } from './content-refs.js';
import { StackBook } from '../stacks/stack-book.js';
import type { FilesApi } from './files.js';
import type { MetaApi, TagsApi } from './tags.js';

export type { SimilarGroup, SimilarKeepResult };

/**
 * Near-duplicates (issue 45): photos whose pictures match though their bytes differ, grouped
 * (`vss similar`); keeping one of a group merges what the others carry (tags, rating, favourite,
 * albums) onto it and moves their files on this device to the trash.
 */
export class SimilarApi {
  constructor(private readonly lib: Library, private readonly api: { files: FilesApi; tags: TagsApi; meta: MetaApi; albums: AlbumsApi }) {}

  /** Every group of near-duplicates, largest first, each with the one to keep suggested. */
  async list(): Promise<SimilarGroup[]> {
    // Loaded when asked: the fingerprints' module brings sharp, which every other command can do without.
    const { findSimilar } = await import('../similar/find-similar.js');
    return findSimilar(this.lib, { leaveOut: this.stacked() });
  }

  /**
   * Keep KEEP and let OTHERS go: their tags, albums, best rating and favourite are merged onto
   * KEEP first (shared data: every device sees it), then their files on this device go to the
   * trash (restorable for 30 days), each with the rest of its stack (issue 45: a near-duplicate
   * stands for its stack, compared by its cover). Each was a content of its own, so the delete goes past the
   * Guardian's last-copy refusal: the picture is kept, as KEEP; the trash, told so, lets them go
   * when emptied only while KEEP has a copy.
   */
  async keep(keep: string, others: string[]): Promise<SimilarKeepResult> {
    const kept = contentByRef(this.lib, keep).uuid;
    const gone = [...new Set(contentsOf(this.lib, others))].filter((u) => u !== kept);
    if (gone.length === 0) throw new UsageError('name the near-duplicates to let go besides the one kept');
    // Only a near-duplicate of KEEP goes (its picture is kept, as KEEP): the delete passes the
    // Guardian's last-copy refusal, and the trash lets it go, on that ground alone.
    const { findSimilar } = await import('../similar/find-similar.js');
    const group = findSimilar(this.lib, { leaveOut: this.stacked() }).find((g) => g.contents.some((c) => c.content_uuid === kept));
    const members = new Map(group?.contents.map((c) => [c.content_uuid, c]) ?? []);
    const strangers = gone.filter((u) => !members.has(u));
    // Said with the photos' names, as `vss similar` shows them.
    const names = contentTiles(this.lib, [kept, ...gone]);
    const shown = (uuids: string[]) => uuids.map((u) => names.get(u)?.name ?? shortId(u)).join(', ');
    if (strangers.length > 0) {
      throw new UsageError(`${shown(strangers)} ${strangers.length === 1 ? 'is not a near-duplicate' : 'are not near-duplicates'} of ${shown([kept])} (vss similar lists each group): nothing was changed`);
    }
    const elsewhere = gone.filter((u) => !members.get(u)!.paths.some((p) => p.startsWith('/')));
    if (elsewhere.length > 0) throw new UsageError(`${shown(elsewhere)} ${elsewhere.length === 1 ? 'has' : 'have'} no file on this device (its files are another device's to let go): nothing was changed`);
    const { store } = this.lib;
    const tags = new Set<string>();
    const albums = new Set<string>();
    let rating = 0;
    let favorite = false;
    const mine = await this.api.meta.show(kept);
    for (const u of gone) {
      for (const t of store.metadataTags.tagsOf(u)) {
        const tag = store.tags.get(t);
        if (tag && tag.deleted === 0 && tag.name_hlc !== '') tags.add(t);
      }
      for (const a of store.albumItems.albumsOf(u)) if (store.albums.get(a)?.deleted === 0) albums.add(a);
      const m = await this.api.meta.show(u);
      rating = Math.max(rating, m.rating);
      favorite ||= m.favorite;
    }
    const had = new Set(store.metadataTags.tagsOf(kept));
    const tagNames: string[] = [];
    for (const t of tags) {
      if (had.has(t)) continue;
      const r = await this.api.tags.add(t, [kept]);
      tagNames.push(r.tag.name);
    }
    for (const a of albums) this.api.albums.add(a, [kept]);
    const fields: { rating?: number; favorite?: boolean } = {};
    if (rating > mine.rating) fields.rating = rating;
    if (favorite && !mine.favorite) fields.favorite = true;
    if (Object.keys(fields).length > 0) await this.api.meta.set([kept], fields);

    // A stack let go goes whole to the trash (a RAW with the JPEG it was compared by); the kept one's own stack stays.
    // Only what was compared is marked kept as KEEP: the rest of its stack (a RAW holds more than
    // any JPEG of it) is weighed as its own content when the trash is emptied, its last bytes kept.
    const book = new StackBook(this.lib);
    const keptWith = new Set(book.expand([kept]));
    const leaving = book.expand(gone).filter((u) => !keptWith.has(u));
    const since = Date.now();
    const out = await this.api.files.delete(leaving, { keptInstead: kept });
    store.trash.markKeptAs(gone, kept, since);
    return {
      kept, kept_name: names.get(kept)?.name ?? null, trashed: leaving, files: out.result?.done ?? 0,
      merged: { tags: tagNames.sort(), albums: albums.size, rating: Math.max(rating, mine.rating), favorite: favorite || mine.favorite },
    };
  }

  /**
   * The photos a stack shows through its cover (issue 45): a RAW behind its JPEG, a burst's other
   * frames. They are one item the user keeps whole, not near-duplicates to let go: only the
   * cover is compared with the rest of the library.
   */
  private stacked(): Set<string> {
    return new Set(new StackBook(this.lib).list().flatMap((s) => s.members.filter((m) => m !== s.cover)));
  }
}
