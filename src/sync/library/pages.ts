import type { MessageOut } from '../messages/channel.js';
import { LIBRARY_PAGE_ROWS } from '../messages/table.js';

export type PageOut = MessageOut<'feed.library.page'>;
export type EntryOut = PageOut['folders'][number]['entries'][number];
/** A content's facts as a page carries them: [uuid, cas id, cas version, kind, mime, size, media]. */
export type FactsOut = PageOut['contents'][number];

/** A page is sent when it holds this many bytes (about), well inside the protocol's 4 MiB. */
const PAGE_BYTES = 1024 * 1024;

/** A folder a pull sends: where it is, its owner's id and number, and the name its listing starts after ('' : from the start). */
export interface PagedFolder {
  location: number;
  path: string;
  id: number;
  seq: number;
  afterName: string;
}

/** One entry of a listing as read: what the page says of it, when it was verified, its content's facts. */
export interface PagedRow {
  entry: EntryOut;
  verified: number | null;
  facts: FactsOut | undefined;
}

export interface Paging<F extends PagedFolder> {
  /** LIMIT entries of F's listing after AFTERNAME, by name. */
  listing(f: F, afterName: string, limit: number): PagedRow[];
  /** The owner's signature over F's whole listing, asked with each part as read (LAST: its last part). */
  sign?(f: F, part: readonly PagedRow[], last: boolean): Uint8Array | undefined;
}

/**
 * The pages of a library pull (the owner's own rows, or another's passed on): FOLDERS in the
 * order the pull goes, each with its listing by name, split where a page is full — a page holds at
 * most LIBRARY_PAGE_ROWS rows (entries, and the facts of the contents they hold, once a page) and
 * about a megabyte. Each listing is read a query at a time as the pages are taken.
 */
export function* pagesOf<F extends PagedFolder>(folders: Iterable<F>, how: Paging<F>): IterableIterator<PageOut> {
  let page: PageOut = { folders: [], contents: [] };
  let rows = 0;
  let bytes = 0;
  let inPage = new Set<string>();
  const flush = (): PageOut => {
    const out = page;
    page = { folders: [], contents: [] };
    rows = 0;
    bytes = 0;
    inPage = new Set();
    return out;
  };
  for (const f of folders) {
    let afterName = f.afterName;
    for (;;) {
      // Each entry may bring its content's facts: room for both, so every list of the page stays in bounds.
      const room = Math.floor((LIBRARY_PAGE_ROWS - rows - 1) / 2);
      if (room <= 0 || bytes >= PAGE_BYTES) {
        yield flush();
        continue;
      }
      const listing = how.listing(f, afterName, Math.min(room, 1024) + 1);
      const more = listing.length > Math.min(room, 1024);
      const part = more ? listing.slice(0, -1) : listing;
      const verified = part.some((r) => r.verified !== null) ? part.map((r) => r.verified) : undefined;
      const sig = how.sign?.(f, part, !more);
      page.folders.push({ location: f.location, path: f.path, id: f.id, seq: f.seq, whole: !more, entries: part.map((r) => r.entry), ...(verified ? { verified } : {}), ...(sig ? { sig } : {}) });
      rows += 1 + part.length;
      bytes += 64 + f.path.length + (verified ? 9 * verified.length : 0) + (sig ? 72 : 0);
      for (const r of part) {
        bytes += 48 + r.entry[0].length;
        const c = r.facts;
        if (c === undefined || inPage.has(c[0])) continue;
        inPage.add(c[0]);
        page.contents.push(c);
        rows++;
        bytes += 160 + (c[6]?.length ?? 0);
      }
      if (!more) break;
      afterName = part[part.length - 1]!.entry[0];
    }
  }
  if (page.folders.length > 0) yield flush();
}

/** Folders read a query at a time: READ gives up to LIMIT after the last one given (undefined: from the start). */
export function* foldersInQueries<T, F>(read: (after: T | undefined, limit: number) => T[], toFolder: (row: T) => F, limit = 256): IterableIterator<F> {
  let after: T | undefined;
  for (;;) {
    const batch = read(after, limit);
    for (const row of batch) yield toFolder(row);
    if (batch.length < limit) return;
    after = batch[batch.length - 1];
  }
}
