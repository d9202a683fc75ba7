import { contentByRef } from '../browse/content-ref.js';
import { contentsOf, contentsWithStacks } from './content-refs.js';
import { UsageError } from '../core/errors.js';
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

  /** Tag the contents REFS name with TAG (made when no tag has that name). */
  add(tag: string, refs: string[]): { tag: TagView; changed: number; created: boolean } {
    return this.book.add(tag, contentsWithStacks(this.lib, refs));
  }

  remove(tag: string, refs: string[]): { tag: TagView; changed: number } {
    return this.book.remove(tag, contentsWithStacks(this.lib, refs));
  }
}

/** A content's user metadata (DESIGN §11 `vss meta`, §16): favourite, hidden, rating, note, and its tags. */
export class MetaApi {
  constructor(private readonly lib: Library) {}

  show(ref: string): UserMetaView {
    return showMeta(this.lib, contentByRef(this.lib, ref).uuid);
  }

  /** Set what FIELDS give on each content REFS names (`note` '' clears it); the new state of each. */
  set(refs: string[], fields: { favorite?: boolean; hidden?: boolean; rating?: number; note?: string } = {}): UserMetaView[] {
    const f = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
    if (Object.keys(f).length === 0) throw new UsageError('nothing to set: give --favorite, --hidden, --rating or --note (or their --no- forms)');
    return setMeta(this.lib, contentsWithStacks(this.lib, refs), f);
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
}
