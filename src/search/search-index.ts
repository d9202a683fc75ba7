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

/** Han, kana, Hangul: scripts written without spaces between words. */
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
/** At most this many rows of CJK text are looked at for one query (they are matched without a word index). */
const MAX_CJK_ROWS = 20_000;

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
  const ins = lib.db.prepare('INSERT INTO search_docs (content_uuid, source, locator, text, cjk) VALUES (?, ?, ?, ?, ?)');
  const mark = lib.db.prepare('INSERT INTO search_indexed (content_uuid, indexed_at) VALUES (?, ?) ON CONFLICT(content_uuid) DO UPDATE SET indexed_at = excluded.indexed_at');
  const unmark = lib.db.prepare('DELETE FROM search_indexed WHERE content_uuid = ?');
  const known = lib.db.prepare('SELECT 1 FROM content_identities WHERE uuid = ?').get(contentUuid) !== undefined;
  lib.db.transaction(() => {
    del.run(contentUuid);
    if (!known) return void unmark.run(contentUuid);
    for (const r of rows) {
      const text = r.text.slice(0, MAX_ROW_CHARS);
      ins.run(contentUuid, r.source, r.locator, text, CJK.test(text) ? 1 : 0);
    }
    mark.run(contentUuid, Date.now());
  })();
  return rows.length;
}

/**
 * Index every content with no rows yet (a library made before search, contents identified by
 * another process), and forget contents gone. Two counts first: when they agree (the usual case,
 * the index following this process's scans and sidecars) a query pays nothing more.
 */
export function indexMissing(lib: Library): number {
  const contents = lib.db.prepare('SELECT count(*) FROM content_identities').pluck().get() as number;
  const indexed = lib.db.prepare('SELECT count(*) FROM search_indexed').pluck().get() as number;
  if (contents === indexed) return 0;
  dropGone(lib);
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
    lib.db.exec(`INSERT INTO search_fts(search_fts) VALUES ('rebuild'); INSERT INTO search_cjk(search_cjk) VALUES ('rebuild')`);
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
  const add = (uuid: string): void => {
    due.add(uuid);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  const stopSidecars = lib.events.on('sidecar:changed', (e) => {
    if (!SEARCHED_KINDS.has(e.kind)) return;
    // Work starting changes nothing searchable; every other change (ready, missing, pending again, absent) may.
    if (e.status === 'generating') return;
    add(e.contentUuid);
  });
  // A scan done: names of copies added or renamed since their content was indexed, and contents gone.
  const stopScans = lib.events.on('index:done', (e) => {
    try {
      for (const u of namesChanged(lib, e.locationId)) add(u);
      dropGone(lib);
    } catch (err) {
      onError(err);
    }
  });
  return () => { stopSidecars(); stopScans(); };
}

/** Contents with a copy in LOCATION added or changed since the content was last indexed. */
function namesChanged(lib: Library, locationId: number): string[] {
  return lib.db.prepare(
    `SELECT DISTINCT c.uuid FROM entries e JOIN content_identities c ON c.id = e.content_id
       LEFT JOIN search_indexed s ON s.content_uuid = c.uuid
     WHERE e.location_id = ? AND (s.indexed_at IS NULL OR e.updated_at > s.indexed_at)`,
  ).pluck().all(locationId) as string[];
}

/** Forget the rows of contents that have left the library. */
export function dropGone(lib: Library): number {
  return lib.db.transaction(() => {
    const gone = 'SELECT s.content_uuid FROM search_indexed s WHERE NOT EXISTS (SELECT 1 FROM content_identities c WHERE c.uuid = s.content_uuid)';
    lib.db.prepare(`DELETE FROM search_docs WHERE content_uuid IN (${gone})`).run();
    return lib.db.prepare(`DELETE FROM search_indexed WHERE content_uuid IN (${gone})`).run().changes;
  })();
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
  if (CJK.test(query)) return searchCjk(lib, query, opts.kind, limit);
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

/**
 * A query with Chinese, Japanese or Korean in it, over the rows that have such text: every term
 * (a word, or a quoted phrase as one string) must occur in the row, case-insensitively. Terms of
 * 3 characters or more narrow the rows through the trigram index; shorter ones (most Chinese words
 * are 2) are looked for in those rows. Ranked by how often the terms occur; the snippet is cut here.
 */
function searchCjk(lib: Library, query: string, kind: string | undefined, limit: number): SearchResult[] {
  const terms: string[] = [];
  const re = /"([^"]*)"?|([^\s"]+)/g;
  for (let m = re.exec(query); m !== null; m = re.exec(query)) {
    const t = (m[1] ?? m[2] ?? '').replace(/[*()]/g, ' ').trim().toLowerCase();
    if (t !== '') terms.push(t);
  }
  const long = terms.filter((t) => [...t].length >= 3);
  const narrow = long.length > 0 ? `AND d.id IN (SELECT rowid FROM search_cjk WHERE search_cjk MATCH ?)` : '';
  const rows = lib.db.prepare(
    `SELECT d.content_uuid, c.kind, d.source, d.locator, d.text FROM search_docs d JOIN content_identities c ON c.uuid = d.content_uuid
     WHERE d.cjk = 1 ${narrow} ${kind !== undefined ? 'AND c.kind = ?' : ''} LIMIT ${MAX_CJK_ROWS}`,
  ).all(...(long.length > 0 ? [long.map((t) => `"${t.replace(/"/g, '""')}"`).join(' AND ')] : []), ...(kind !== undefined ? [kind] : [])) as
    Array<{ content_uuid: string; kind: string; source: SearchSource; locator: number | null; text: string }>;
  const best = new Map<string, { hits: number; row: (typeof rows)[number] }>();
  for (const r of rows) {
    const lower = r.text.toLowerCase();
    let hits = 0;
    for (const t of terms) {
      const n = lower.split(t).length - 1;
      if (n === 0) { hits = 0; break; }
      hits += n;
    }
    if (hits === 0) continue;
    const had = best.get(r.content_uuid);
    if (!had || hits > had.hits) best.set(r.content_uuid, { hits, row: r });
  }
  return [...best.values()]
    .sort((a, b) => b.hits - a.hits || (a.row.content_uuid < b.row.content_uuid ? -1 : 1))
    .slice(0, limit)
    .map(({ hits, row }) => ({
      content_uuid: row.content_uuid, kind: row.kind, score: -hits, snippet: snippetOf(row.text, terms[0]!), source: row.source, locator: row.locator,
      paths: pathsOf(lib, row.content_uuid),
    }));
}

/** TEXT around the first TERM, the term in [brackets], as FTS5's snippet() marks it. */
function snippetOf(text: string, term: string): string {
  const at = text.toLowerCase().indexOf(term);
  if (at < 0) return text.slice(0, 40);
  const from = Math.max(0, at - 20);
  const to = Math.min(text.length, at + term.length + 20);
  return `${from > 0 ? '…' : ''}${text.slice(from, at)}[${text.slice(at, at + term.length)}]${text.slice(at + term.length, to)}${to < text.length ? '…' : ''}`;
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
