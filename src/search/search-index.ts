/**
 * The search index (DESIGN §14): what a content's ready sidecars and file names say, as rows of
 * `search_docs` (migration 008). Contents to index again wait in `search_pending` (filled by
 * triggers and by the sidecar events seen here), contents new to the library above a mark
 * (migration 047: a scan's new contents are not queued one by one), and are indexed in slices of a few milliseconds,
 * the event loop free between them: a scan of 80,000 files queues 80,000 contents, and a daemon
 * must go on answering while they are indexed. Sidecar files are read only through `sidecarFile`
 * (the library's confinement), and only up to a bound.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { childLog } from '../core/log.js';
import type { Library } from '../library/library.js';
import { readSidecarJson } from '../sidecars/sidecar-json-file.js';
import type { SearchSource } from '../wire/search.js';
import { searchedText } from './ocr-text.js';



export type { SearchSource };

/** The sidecar kinds whose text is searched; a change of one of these re-indexes its content. */
export const SEARCHED_KINDS: ReadonlySet<string> = new Set(['ocr', 'transcript']);

/** A sidecar's JSON larger than this is not read for search (its rows are left out). */
export const MAX_SIDECAR_BYTES = 32 * 1024 ** 2;
/** One row's text is cut here: a page or a segment longer than this is not a thing to search whole. */
const MAX_ROW_CHARS = 200_000;
/** One slice of indexing ends after this long; the event loop turns before the next. */
const SLICE_MS = 8;
/** Contents taken from the queue at a time (one transaction each batch). */
const BATCH = 32;
/**
 * How often a follower looks at the queue besides the events that start it: contents are queued by
 * more than it hears of (an unpaired device's contents, another process's writes through the
 * triggers), and a queue nobody drains would wait for searches to take it a slice at a time.
 */
const LOOK_MS = 2_000;

const log = childLog('search');
/** What the follower does with an error by default: one log line (the content is left out, never the daemon brought down). */
const logError = (err: unknown): void => log.warn({ err }, 'a content could not be indexed for search');

/** A place's names (town, region, country) as one searched text; '' when there is none or it is not one. */
function placeText(json: string | null): string {
  if (json === null) return '';
  try {
    const p = JSON.parse(json) as Record<string, unknown>;
    return [p.city, p.region, p.country].filter((v): v is string => typeof v === 'string' && v.length <= 200).join(', ');
  } catch {
    return '';
  }
}

/** Han, kana, Hangul: scripts written without spaces between words. */
export const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

interface Row { source: SearchSource; locator: number | null; at: number | null; text: string }

/** Put one content's rows in place of what it had (none when it has left the library). Returns how many rows it has now. */
export function indexContent(lib: Library, contentUuid: string): number {
  const rows = textOf(lib, contentUuid);
  const known = lib.store.search.hasContent(contentUuid);
  lib.store.search.replaceRows(contentUuid, known ? rows.map((r) => {
    // The snippet's match markers are STX/ETX: text may not carry them (or fake a match).
    const text = r.text.slice(0, MAX_ROW_CHARS).replace(/[\u0002\u0003]/g, ' ');
    return { ...r, text, cjk: CJK.test(text) };
  }) : []);
  return known ? rows.length : 0;
}

/** Whether any content waits to be indexed. */
export function hasPending(lib: Library): boolean {
  return lib.store.search.hasPending();
}

/**
 * Index queued contents for about BUDGET_MS (at least one batch); returns how many were indexed
 * and whether the queue is now empty. An error in one content leaves it out of the queue (it is
 * reported, not retried forever) so one bad sidecar cannot stall the rest.
 */
export function indexSlice(lib: Library, budgetMs = SLICE_MS, onError: (err: unknown) => void = () => {}): { indexed: number; empty: boolean } {
  const store = lib.store.search;
  const t0 = performance.now();
  let indexed = 0;
  for (;;) {
    const batch = store.takePending(BATCH);
    if (batch.length === 0) return { indexed, empty: true };
    let late = false;
    // One transaction per batch (cheaper than one per content); the time is checked after each content.
    store.transaction(() => {
      for (const u of batch) {
        try {
          indexContent(lib, u);
        } catch (err) {
          store.dropPending(u);
          onError(err);
        }
        indexed++;
        if (performance.now() - t0 >= budgetMs) { late = true; return; }
      }
    });
    if (late) return { indexed, empty: !hasPending(lib) };
  }
}

/** Index every queued content in slices, letting the event loop turn between them, until the queue is empty or DEADLINE (ms since the epoch). */
export async function indexPending(lib: Library, deadline = Infinity, onError?: (err: unknown) => void): Promise<number> {
  let total = 0;
  for (;;) {
    const r = indexSlice(lib, SLICE_MS, onError);
    total += r.indexed;
    if (r.empty || Date.now() >= deadline) return total;
    await nextTurn();
  }
}

/** Contents queued by reindex at a time, a turn of the event loop between. */
const REINDEX_BATCH = 5_000;

/**
 * Rebuild the whole index from the sidecars and entries, in slices: every content is queued (and
 * every content the index still has rows of, gone from the library), in id-bounded batches with
 * a turn of the event loop between, then indexed as the queue always is. Each content's rows are
 * replaced in one transaction, so search goes on answering meanwhile, never from half a content.
 */
export async function reindex(lib: Library): Promise<{ contents: number; rows: number }> {
  const store = lib.store.search;
  // Every content, and the contents gone that still had rows (a follower may index some meanwhile: not counted from the queue).
  let queued = store.contentCount();
  const passes = [
    { end: (from: number) => store.contentBatchEnd(from, REINDEX_BATCH), queue: (from: number, to: number) => { store.queueContents(from, to); } },
    { end: (from: number) => store.docBatchEnd(from, REINDEX_BATCH), queue: (from: number, to: number) => { queued += store.queueOrphans(from, to); } },
  ];
  for (const { end, queue } of passes) {
    for (let from = 0; ;) {
      const to = end(from);
      if (to === null) break;
      queue(from, to);
      from = to;
      await nextTurn();
    }
  }
  await indexPending(lib);
  return { contents: queued, rows: store.docCount() };
}

/**
 * What the queue holds: contents to index (new, or changed: their text may be missing from a
 * search now) and contents that left the library, whose rows are only to be removed (a search
 * never answers with them meanwhile: it keeps only rows of contents the library has).
 */
export function pendingCounts(lib: Library): { indexing: number; removing: number } {
  const { index, remove } = lib.store.search.pendingCounts();
  return { indexing: index, removing: remove };
}

/** A process keeping the index current: it drains the queue in slices whenever something may have been queued. */
export interface SearchFollower {
  /** Index what is queued, in slices, until the queue is empty or DEADLINE (ms since the epoch). */
  catchUp(deadline?: number): Promise<void>;
  stop(): void;
}

/**
 * Keep the index current: the triggers queue a content whose searched sidecar became ready (made
 * here or fetched), changed, went missing or away, and whose copies changed; such a sidecar event,
 * a scan's end (the triggers queued its copies as it
 * went; indexing them during the scan would only slow it), the start itself, and a look at the
 * queue every LOOK_MS (whatever queued it) set the queue draining, a slice per turn of the event loop.
 */
export function followSidecars(lib: Library, onError: (err: unknown) => void = logError): SearchFollower {
  let stopped = false;
  let running: Promise<void> | undefined;
  const drain = (): Promise<void> => {
    running ??= (async () => {
      try {
        await nextTurn();
        while (!stopped && !indexSlice(lib, SLICE_MS, onError).empty) await nextTurn();
      } catch (err) {
        onError(err);
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
  const stops = [
    // The triggers on sidecars queued the content (whichever connection wrote); this only starts the draining now.
    lib.events.on('sidecar:changed', (e) => {
      if (stopped || !SEARCHED_KINDS.has(e.kind) || e.status === 'generating') return;
      void drain();
    }),
    lib.events.on('index:done', () => { if (!stopped) void drain(); }),
    // A paired device's rows came (DESIGN §15): their names are searched here too.
    lib.events.on('library:peer-rows', () => { if (!stopped) void drain(); }),
  ];
  const look = setInterval(() => {
    if (!stopped && running === undefined && lib.db.open && hasPending(lib)) void drain();
  }, LOOK_MS).unref();
  stops.push(() => clearInterval(look));
  void drain();
  return {
    async catchUp(deadline = Infinity) {
      while (!stopped && Date.now() < deadline && !indexSlice(lib, SLICE_MS, onError).empty) await nextTurn();
    },
    stop() {
      stopped = true;
      for (const s of stops) s();
    },
  };
}

/** What one content says: its file names, and the text of its ready OCR (the lines searchedText keeps) and transcript sidecars. */
function textOf(lib: Library, contentUuid: string): Row[] {
  const rows: Row[] = [];
  for (const n of lib.store.search.fileNames(contentUuid)) rows.push({ source: 'name', locator: null, at: null, text: n.normalize('NFC') });
  const place = placeText(lib.store.search.placeOf(contentUuid));
  if (place !== '') rows.push({ source: 'place', locator: null, at: null, text: place });
  const ocr = readSidecarJson(lib, contentUuid, 'ocr', MAX_SIDECAR_BYTES) as { pages?: Array<{ page?: unknown; source?: unknown; text?: unknown }> } | null;
  for (const p of Array.isArray(ocr?.pages) ? ocr.pages : []) {
    if (typeof p?.text !== 'string') continue;
    // Only the lines read confidently enough (ocr-text.ts): a photo's noise is not indexed; the sidecar keeps every line.
    const text = searchedText(p);
    if (text.trim() === '') continue;
    rows.push({ source: p.source === 'text-layer' ? 'pdf-text' : 'ocr', locator: typeof p.page === 'number' ? p.page : null, at: null, text });
  }
  const tr = readSidecarJson(lib, contentUuid, 'transcript', MAX_SIDECAR_BYTES) as { segments?: Array<{ text?: unknown; start?: unknown }> } | null;
  const segments = Array.isArray(tr?.segments) ? tr.segments : [];
  segments.forEach((s, i) => {
    if (typeof s?.text !== 'string' || s.text.trim() === '') return;
    rows.push({ source: 'transcript', locator: i, at: typeof s.start === 'number' && Number.isFinite(s.start) ? s.start : null, text: s.text });
  });
  return rows;
}

