/**
 * The search index (DESIGN §14): what a content's ready sidecars and file names say, as rows of
 * `search_docs` (migration 008), and the query over them. Sidecar files are read only through
 * `sidecarFile` (the library's confinement: inside the library folder or the location holding a
 * reference, a regular file through no symlink, of the recorded size), and only up to a bound.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import { PathRefusedError } from '../library/confine.js';
import { sidecarFile } from '../sidecars/sidecar-file.js';

export type SearchSource = 'name' | 'ocr' | 'pdf' | 'transcript';

/** The sidecar kinds whose text is searched; a change of one of these re-indexes its content. */
export const SEARCHED_KINDS: ReadonlySet<string> = new Set(['ocr', 'transcript']);

/** A sidecar's JSON larger than this is not read for search (its rows are left out). */
export const MAX_SIDECAR_BYTES = 32 * 1024 ** 2;
/** One row's text is cut here: a page or a segment longer than this is not a thing to search whole. */
const MAX_ROW_CHARS = 200_000;

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

export interface SearchResult {
  content_uuid: string;
  kind: string;
  /** BM25 (SQLite's sign: lower is better) of the best-matching row. */
  score: number;
  /** The best row's text around the match, the match in [brackets]. */
  snippet: string;
  /** Which text matched: the file name, an OCR page, a PDF's text layer, a transcript segment. */
  source: SearchSource;
  /** The page (1-based) for ocr/pdf, the segment index for a transcript, null for a name. */
  locator: number | null;
  paths: string[];
}

export interface SearchOptions {
  kind?: string;
  limit?: number;
}

interface Row { source: SearchSource; locator: number | null; text: string }

/** Put one content's rows in place of what it had. Returns how many rows it has now. */
export function indexContent(lib: Library, contentUuid: string): number {
  const rows = textOf(lib, contentUuid);
  const del = lib.db.prepare('DELETE FROM search_docs WHERE content_uuid = ?');
  const ins = lib.db.prepare('INSERT INTO search_docs (content_uuid, source, locator, text) VALUES (?, ?, ?, ?)');
  const mark = lib.db.prepare('INSERT INTO search_indexed (content_uuid, indexed_at) VALUES (?, ?) ON CONFLICT(content_uuid) DO UPDATE SET indexed_at = excluded.indexed_at');
  const unmark = lib.db.prepare('DELETE FROM search_indexed WHERE content_uuid = ?');
  const known = lib.db.prepare('SELECT 1 FROM content_identities WHERE uuid = ?').get(contentUuid) !== undefined;
  lib.db.transaction(() => {
    del.run(contentUuid);
    if (!known) return void unmark.run(contentUuid);
    for (const r of rows) ins.run(contentUuid, r.source, r.locator, r.text.slice(0, MAX_ROW_CHARS));
    mark.run(contentUuid, Date.now());
  })();
  return rows.length;
}

/** Index every content with no rows yet (a library made before search, contents newly scanned). */
export function indexMissing(lib: Library): number {
  const uuids = lib.db.prepare(
    'SELECT c.uuid FROM content_identities c WHERE NOT EXISTS (SELECT 1 FROM search_indexed s WHERE s.content_uuid = c.uuid)',
  ).pluck().all() as string[];
  for (const u of uuids) indexContent(lib, u);
  return uuids.length;
}

/** Rebuild the whole index from the sidecars and entries. */
export function reindex(lib: Library): { contents: number; rows: number } {
  lib.db.transaction(() => {
    lib.db.exec('DELETE FROM search_docs; DELETE FROM search_indexed;');
    lib.db.exec(`INSERT INTO search_fts(search_fts) VALUES ('rebuild')`);
  })();
  const contents = indexMissing(lib);
  const rows = lib.db.prepare('SELECT count(*) FROM search_docs').pluck().get() as number;
  return { contents, rows };
}

/**
 * Keep the index current: a sidecar of a searched kind that became ready (made here or fetched),
 * went missing or away re-indexes its content, batched once per turn of the event loop. Returns the stop.
 */
export function followSidecars(lib: Library, onError: (err: unknown) => void = () => {}): () => void {
  const due = new Set<string>();
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    const list = [...due];
    due.clear();
    for (const u of list) {
      try {
        indexContent(lib, u);
      } catch (err) {
        onError(err);
      }
    }
  };
  return lib.events.on('sidecar:changed', (e) => {
    if (!SEARCHED_KINDS.has(e.kind)) return;
    // Work starting changes nothing searchable; every other change (ready, missing, pending again, absent) may.
    if (e.status === 'generating') return;
    due.add(e.contentUuid);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  });
}

/** What one content says: its file names, and the text of its ready OCR and transcript sidecars. */
function textOf(lib: Library, contentUuid: string): Row[] {
  const rows: Row[] = [];
  const names = lib.db.prepare(
    `SELECT DISTINCT e.name FROM entries e JOIN content_identities c ON c.id = e.content_id WHERE c.uuid = ? AND e.kind = 'file' ORDER BY e.name`,
  ).pluck().all(contentUuid) as string[];
  for (const n of names) rows.push({ source: 'name', locator: null, text: n.normalize('NFC') });
  const ocr = readJson(lib, contentUuid, 'ocr') as { pages?: Array<{ page?: unknown; source?: unknown; text?: unknown }> } | null;
  for (const p of Array.isArray(ocr?.pages) ? ocr.pages : []) {
    if (typeof p?.text !== 'string' || p.text.trim() === '') continue;
    rows.push({ source: p.source === 'text-layer' ? 'pdf' : 'ocr', locator: typeof p.page === 'number' ? p.page : null, text: p.text });
  }
  const tr = readJson(lib, contentUuid, 'transcript') as { segments?: Array<{ text?: unknown }> } | null;
  const segments = Array.isArray(tr?.segments) ? tr.segments : [];
  segments.forEach((s, i) => {
    if (typeof s?.text === 'string' && s.text.trim() !== '') rows.push({ source: 'transcript', locator: i, text: s.text });
  });
  return rows;
}

/** A ready sidecar's JSON, read through the library's confinement; null when there is none here, it is too big, or it is not JSON. */
function readJson(lib: Library, contentUuid: string, kind: string): unknown {
  const f = sidecarFile(lib, contentUuid, kind, 'default');
  if (f.state !== 'ready' || f.size > MAX_SIDECAR_BYTES) return null;
  try {
    return JSON.parse(readFileSync(f.path, 'utf8')) as unknown;
  } catch (err) {
    if (err instanceof PathRefusedError || err instanceof SyntaxError || (err as NodeJS.ErrnoException).code !== undefined) return null;
    throw err;
  }
}

/**
 * A user's query as FTS5 syntax that cannot fail to parse: each word becomes a quoted string
 * (a trailing * kept outside it, a prefix query), each "quoted phrase" one quoted phrase, and
 * the parts are all required. A stray quote closes at the end; operators and brackets are words.
 */
export function ftsQuery(q: string): string {
  const parts: string[] = [];
  const re = /"([^"]*)("?)|([^\s"]+)/g;
  for (let m = re.exec(q); m !== null; m = re.exec(q)) {
    if (m[1] !== undefined) {
      const words = m[1].match(/[\p{L}\p{N}]+/gu);
      if (words) parts.push(`"${words.join(' ')}"`);
    } else if (m[3] !== undefined) {
      const prefix = m[3].endsWith('*');
      const words = m[3].match(/[\p{L}\p{N}]+/gu);
      if (!words) continue;
      parts.push(`"${words.join(' ')}"${prefix ? '*' : ''}`);
    }
  }
  if (parts.length === 0) throw new UsageError(`nothing to search for in ${JSON.stringify(q)}: give a word, a "phrase" or a prefix*`);
  return parts.join(' AND ');
}

export function checkLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new UsageError(`limit must be a whole number from 1 to ${MAX_LIMIT}, got ${limit}`);
  return limit;
}

/** Contents whose text matches QUERY, best (BM25) first, one result per content with its best row. */
export function searchLibrary(lib: Library, query: string, opts: SearchOptions = {}): SearchResult[] {
  const match = ftsQuery(query);
  const limit = checkLimit(opts.limit);
  // The best row of each content: ranked contents first (a GROUP BY over the matches), then the snippet of that row.
  const kindSql = opts.kind !== undefined ? 'AND c.kind = ?' : '';
  const best = lib.db.prepare(
    `SELECT d.content_uuid, c.kind, min(m.rank) AS score FROM
       (SELECT rowid, rank FROM search_fts WHERE search_fts MATCH ?) m
       JOIN search_docs d ON d.id = m.rowid JOIN content_identities c ON c.uuid = d.content_uuid
     WHERE 1 ${kindSql} GROUP BY d.content_uuid ORDER BY score, d.content_uuid LIMIT ?`,
  ).all(match, ...(opts.kind !== undefined ? [opts.kind] : []), limit) as Array<{ content_uuid: string; kind: string; score: number }>;
  const rowOf = lib.db.prepare(
    `SELECT d.source, d.locator, snippet(search_fts, 0, '[', ']', '…', 12) AS snippet
     FROM search_fts JOIN search_docs d ON d.id = search_fts.rowid
     WHERE search_fts MATCH ? AND d.content_uuid = ? ORDER BY rank LIMIT 1`,
  );
  return best.map((b) => {
    const r = rowOf.get(match, b.content_uuid) as { source: SearchSource; locator: number | null; snippet: string } | undefined;
    return { content_uuid: b.content_uuid, kind: b.kind, score: b.score, snippet: r?.snippet ?? '', source: r?.source ?? 'name', locator: r?.locator ?? null, paths: pathsOf(lib, b.content_uuid) };
  });
}

/** The absolute paths of a content's copies on this device, where vss may read them. */
function pathsOf(lib: Library, contentUuid: string): string[] {
  const rows = lib.db.prepare(
    `SELECT e.location_id AS loc, e.rel_path FROM entries e JOIN content_identities c ON c.id = e.content_id
       JOIN locations l ON l.id = +e.location_id WHERE c.uuid = ? AND l.device_id = ? ORDER BY l.path, e.rel_path`,
  ).all(contentUuid, lib.deviceId) as Array<{ loc: number; rel_path: string }>;
  const out: string[] = [];
  for (const r of rows) {
    const root = lib.roots.tryLocation(r.loc);
    if (root instanceof PathRefusedError) continue;
    try {
      out.push(root.path(r.rel_path));
    } catch {
      // outside its location: not shown
    }
  }
  return out;
}
