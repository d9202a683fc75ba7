/**
 * Where in its text a result matched (DESIGN §14): the page of an OCR or PDF text match and the
 * box of the line holding the first matched word, or the start of a transcript segment. Only the
 * results returned are looked at; an OCR sidecar is read for its boxes only up to a bound, each
 * at most once a query, and a query reads at most MAX_BOX_BYTES_PER_QUERY of them (the rest get
 * their page without a box): these reads are synchronous, on the event loop a daemon answers from.
 */
import type { SearchLocator } from '../wire/search.js';
import type { Library } from '../library/library.js';
import { isSearchedLine } from './ocr-text.js';
import { readSidecarJson } from '../sidecars/sidecar-json-file.js';
import type { Hit } from './search-query.js';

export type { SearchLocator };

/** OCR JSON larger than this is not read for boxes (the page is still given). */
const MAX_BOX_JSON_BYTES = 8 * 1024 ** 2;
/** One query reads at most this much OCR JSON for boxes, all results together. */
export const MAX_BOX_BYTES_PER_QUERY = 16 * 1024 ** 2;

interface OcrPageLike { page?: unknown; source?: unknown; unit?: unknown; blocks?: Array<{ text?: unknown; bbox?: unknown; confidence?: unknown }> }

/** The locator of each hit, in order (undefined for a name). */
export function locatorsOf(lib: Library, hits: readonly Hit[], budgetBytes = MAX_BOX_BYTES_PER_QUERY): Array<SearchLocator | undefined> {
  const paged = hits.filter((h) => h.source === 'ocr' || h.source === 'pdf-text').map((h) => h.content_uuid);
  // One query says which have an OCR sidecar ready to read for boxes, and how big; the others are not looked up one by one.
  const sizes = new Map(paged.length === 0 ? [] : lib.store.search.ocrSizes(paged));
  // Each content's pages parsed once, however many of its pages matched; null: not read (too big, over the budget, unreadable).
  const parsed = new Map<string, OcrPageLike[] | null>();
  let left = budgetBytes;
  const pagesOf = (contentUuid: string): OcrPageLike[] | null => {
    let pages = parsed.get(contentUuid);
    if (pages !== undefined) return pages;
    const size = sizes.get(contentUuid) ?? Infinity;
    pages = null;
    if (size <= MAX_BOX_JSON_BYTES && size <= left) {
      left -= size;
      const json = readSidecarJson(lib, contentUuid, 'ocr', MAX_BOX_JSON_BYTES) as { pages?: unknown } | null;
      pages = Array.isArray(json?.pages) ? (json.pages as OcrPageLike[]) : null;
    }
    parsed.set(contentUuid, pages);
    return pages;
  };
  return hits.map((h) => {
    if (h.source === 'transcript') return h.at !== null ? { start_s: h.at } : undefined;
    if (h.source === 'name' || h.locator === null) return undefined;
    const loc: SearchLocator = { page: h.locator };
    const term = firstMarked(h.snippet);
    if (term === null || !sizes.has(h.content_uuid)) return loc;
    const page = pagesOf(h.content_uuid)?.find((p) => p?.page === h.locator);
    // Among the lines indexed: a noise line the index left out is not where the match is.
    const block = Array.isArray(page?.blocks) ? page.blocks.find((b) => isSearchedLine(page!, b) && fold(b.text as string).includes(term)) : undefined;
    if (block && isBox(block.bbox)) {
      loc.box = block.bbox;
      if (typeof page?.unit === 'string') loc.unit = page.unit;
    }
    return loc;
  });
}

/** The first marked word of a raw snippet (see MARK_START), folded; null when nothing is marked. */
export function firstMarked(snippet: string): string | null {
  const m = /\u0002([^\u0003]+)\u0003/.exec(snippet);
  return m ? fold(m[1]!) : null;
}

/** Lower case without accents, as the index compares words (unicode61 remove_diacritics). */
export function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

function isBox(v: unknown): v is [number, number, number, number] {
  return Array.isArray(v) && v.length === 4 && v.every((x) => typeof x === 'number' && Number.isFinite(x));
}
