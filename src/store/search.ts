import type { Db } from '../db/connection.js';
import { MetadataFilterReads, type MetadataFilter } from './metadata-filter.js';
import { forEachChunk, multiRowSql } from './multi-row.js';
import { KIND_OF, LIVE_MOVIE } from './search-kind.js';
import { statementCache, type Prepared } from './statements.js';

export type { MetadataFilter };

/** Where a row of searchable text comes from. */
export type SearchDocSource = 'name' | 'ocr' | 'pdf-text' | 'transcript' | 'place';

/** A row of `search_docs` as written: one piece of a content's searchable text. */
export interface SearchDocInput {
  source: SearchDocSource;
  /** The page (ocr, pdf-text) or segment index (transcript); null for a name. */
  locator: number | null;
  /** A transcript segment's start, in seconds. */
  at: number | null;
  text: string;
  /** Chinese, Japanese or Korean in it: also in the trigram index. */
  cjk: boolean;
}

/** A row that matched, with its content and BM25 score (lower is better). */
export interface RankedDoc {
  id: number;
  content_uuid: string;
  /** The content's kind; null when the content left the library (its rows not yet dropped). */
  kind: string | null;
  score: number;
  source: SearchDocSource;
  locator: number | null;
  at: number | null;
}

/** A CJK row to match in JS (the trigram index only narrows terms of 3 characters or more). */
export interface CjkDoc {
  content_uuid: string;
  kind: string;
  source: SearchDocSource;
  locator: number | null;
  at: number | null;
  text: string;
}

/** A copy of a content on a device: its location and path there. */
export interface CopyPlace {
  uuid: string;
  loc: number;
  rel_path: string;
}

const SNIPPET = "snippet(search_fts, 0, char(2), char(3), '…', 12)";

/**
 * The search index (migration 008): `search_docs` with its FTS5 indexes, and the queue of
 * contents to index again (`search_pending`), plus the reads of other tables the index is built
 * from and answers with (a content's file names, where its copies are, its OCR sidecar's size):
 * search's read model (docs/architecture.md).
 */
export class SearchStore {
  private readonly sql: Prepared;
  /** The contents that meet a search's filters on shared data (metadata-filter.ts). */
  private readonly filters: MetadataFilterReads;

  constructor(private readonly db: Db) {
    this.sql = statementCache(db);
    this.filters = new MetadataFilterReads(this.sql);
  }

  /** FN in one transaction (a batch of contents indexed). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** Put ROWS in place of what CONTENTUUID had, and take it off the queue. */
  replaceRows(contentUuid: string, rows: readonly SearchDocInput[]): void {
    const ins = this.sql<[string, string, number | null, number | null, string, number]>('INSERT INTO search_docs (content_uuid, source, locator, at, text, cjk) VALUES (?, ?, ?, ?, ?, ?)');
    this.transaction(() => {
      this.sql<[string]>('DELETE FROM search_docs WHERE content_uuid = ?').run(contentUuid);
      this.dropPending(contentUuid);
      for (const r of rows) ins.run(contentUuid, r.source, r.locator, r.at, r.text, r.cjk ? 1 : 0);
    });
  }

  /** Whether the library has this content (a content that left it gets no rows). */
  hasContent(contentUuid: string): boolean {
    return this.kindOf(contentUuid) !== undefined;
  }

  /** The distinct names of a content's file copies, on this device and on paired ones, by name. */
  fileNames(contentUuid: string): string[] {
    return this.sql<[string, string], string>(
      `SELECT e.name FROM entries e JOIN content_identities c ON c.id = e.content_id WHERE c.uuid = ? AND e.kind = 'file'
       UNION SELECT e.name FROM peer_contents p JOIN peer_entries e ON e.content_id = p.id WHERE p.content_uuid = ? AND e.kind = 'file' ORDER BY 1`,
    ).pluck().all(contentUuid, contentUuid);
  }

  /** The place (issue 32) a content's media metadata gives, as JSON: this device's read, else a paired device's; null when none. */
  placeOf(contentUuid: string): string | null {
    return this.sql<[string, string], string | null>(
      `SELECT coalesce((SELECT json_extract(media_metadata, '$.place') FROM content_identities WHERE uuid = ? AND json_valid(media_metadata)),
         (SELECT json_extract(media_metadata, '$.place') FROM peer_contents WHERE content_uuid = ? AND json_valid(media_metadata) AND json_extract(media_metadata, '$.place') IS NOT NULL LIMIT 1))`,
    ).pluck().get(contentUuid, contentUuid) ?? null;
  }

  /** Where copies of CONTENTS are on paired devices: [content uuid, device name, location name, path in it]. */
  peerCopiesOf(contents: readonly string[]): Array<[string, string, string, string]> {
    return this.sql<[string], [string, string, string, string]>(
      `SELECT p.content_uuid, coalesce(d.name, e.device_uuid), l.name, CASE WHEN e.dir_path = '' THEN e.name ELSE e.dir_path || '/' || e.name END
       FROM peer_contents p JOIN peer_entries e ON e.content_id = p.id JOIN peer_locations l ON l.device_uuid = e.device_uuid AND l.location_id = e.location_id
         LEFT JOIN devices d ON d.uuid = e.device_uuid
       WHERE p.content_uuid IN (SELECT value FROM json_each(?)) AND e.kind = 'file' ORDER BY e.device_uuid, l.name, e.dir_path, e.name`,
    ).raw().all(JSON.stringify(contents));
  }

  /**
   * Whether any content waits to be indexed: queued by uuid, or added above the mark (migration
   * 047: a scan's new contents wait there without a row each).
   */
  hasPending(): boolean {
    return this.sql<[], number>(`SELECT EXISTS (SELECT 1 FROM search_pending) OR EXISTS (SELECT 1 FROM content_identities WHERE id > ${MARK})`).pluck().get() === 1;
  }

  /**
   * Up to N contents waiting to be indexed: those queued by uuid, then those above the mark in id
   * order. A content both queued and above the mark comes once, in id order with the others
   * there, so each above the mark is indexed in turn and the mark moves past it (`dropPending`).
   */
  takePending(n: number): string[] {
    const above = this.sql<[number], string>(`SELECT uuid FROM content_identities WHERE id > ${MARK} ORDER BY id LIMIT ?`).pluck().all(n);
    const queued = this.sql<[number], string>('SELECT content_uuid FROM search_pending LIMIT ?').pluck().all(n);
    if (above.length === 0) return queued;
    const inOrder = new Set(above);
    return [...queued.filter((u) => !inOrder.has(u)), ...above].slice(0, n);
  }

  /**
   * CONTENTUUID is indexed (or left out): off the queue, and the mark moved past it when it is the
   * next content above the mark (one indexed out of turn is indexed again in its turn: the mark
   * never passes a content not yet indexed).
   */
  dropPending(contentUuid: string): void {
    this.sql<[string]>('DELETE FROM search_pending WHERE content_uuid = ?').run(contentUuid);
    this.sql<[string]>(`UPDATE search_content_mark SET id = c.id FROM content_identities c
      WHERE c.uuid = ? AND c.id = (SELECT min(id) FROM content_identities WHERE id > search_content_mark.id)`).run(contentUuid);
  }

  /** How many contents wait to be indexed (queued, or above the mark). */
  pendingCount(): number {
    return this.sql<[], number>(`SELECT (SELECT count(*) FROM search_pending) + (SELECT count(*) FROM content_identities c
      WHERE c.id > ${MARK} AND NOT EXISTS (SELECT 1 FROM search_pending WHERE content_uuid = c.uuid))`).pluck().get()!;
  }

  /** The queue in two: contents still in the library (to index again) and contents that left it (their rows to remove). */
  pendingCounts(): { index: number; remove: number } {
    const r = this.sql<[], { total: number; present: number | null; above: number }>(
      `SELECT count(*) AS total, sum(EXISTS (SELECT 1 FROM content_identities WHERE uuid = p.content_uuid)
         OR EXISTS (SELECT 1 FROM peer_contents WHERE content_uuid = p.content_uuid)) AS present,
         (SELECT count(*) FROM content_identities c WHERE c.id > ${MARK} AND NOT EXISTS (SELECT 1 FROM search_pending WHERE content_uuid = c.uuid)) AS above
       FROM search_pending p`,
    ).get()!;
    const present = r.present ?? 0;
    return { index: present + r.above, remove: r.total - present };
  }

  /** The id that ends the next batch of N contents after id FROM; null past the last. */
  contentBatchEnd(from: number, n: number): number | null {
    return this.sql<[number, number], number | null>('SELECT max(id) FROM (SELECT id FROM content_identities WHERE id > ? ORDER BY id LIMIT ?)').pluck().get(from, n) ?? null;
  }

  /** Queue the contents with ids in (FROM, TO]; how many were queued. */
  queueContents(from: number, to: number): number {
    return this.sql<[number, number]>('INSERT OR IGNORE INTO search_pending SELECT uuid FROM content_identities WHERE id > ? AND id <= ?').run(from, to).changes;
  }

  /** The id that ends the next batch of N rows after row id FROM; null past the last. */
  docBatchEnd(from: number, n: number): number | null {
    return this.sql<[number, number], number | null>('SELECT max(id) FROM (SELECT id FROM search_docs WHERE id > ? ORDER BY id LIMIT ?)').pluck().get(from, n) ?? null;
  }

  /** Queue the contents gone from the library that rows (FROM, TO] still name; how many were queued. */
  queueOrphans(from: number, to: number): number {
    return this.sql<[number, number]>(
      `INSERT OR IGNORE INTO search_pending SELECT DISTINCT content_uuid FROM search_docs d WHERE d.id > ? AND d.id <= ?
         AND NOT EXISTS (SELECT 1 FROM content_identities c WHERE c.uuid = d.content_uuid) AND NOT EXISTS (SELECT 1 FROM peer_contents p WHERE p.content_uuid = d.content_uuid)`,
    ).run(from, to).changes;
  }

  contentCount(): number {
    return this.sql<[], number>('SELECT count(*) FROM content_identities').pluck().get()!;
  }

  docCount(): number {
    return this.sql<[], number>('SELECT count(*) FROM search_docs').pluck().get()!;
  }

  /*
   * A content is in the library when this device holds it or a paired device said it does
   * (DESIGN §15): its kind comes from either (KIND_OF, search-kind.ts), and a row of neither is a leftover.
   */

  /** The best FETCH rows for an FTS5 MATCH, best first, each with its snippet. */
  rankedWithSnippets(match: string, fetch: number): Array<Omit<RankedDoc, 'id'> & { snippet: string }> {
    return this.sql<[string, number], Omit<RankedDoc, 'id'> & { snippet: string }>(
      `SELECT d.content_uuid, ${KIND_OF} AS kind, m.score, m.snippet, d.source, d.locator, d.at FROM
         (SELECT rowid AS id, rank AS score, ${SNIPPET} AS snippet
            FROM search_fts WHERE search_fts MATCH ? ORDER BY rank LIMIT ?) m
         JOIN search_docs d ON d.id = m.id`,
    ).all(match, fetch);
  }

  /** The best FETCH rows for an FTS5 MATCH of contents still in the library, without snippets (cut later for the few kept). */
  ranked(match: string, fetch: number): RankedDoc[] {
    return this.sql<[string, number], RankedDoc>(
      `SELECT * FROM (SELECT d.id, d.content_uuid, ${KIND_OF} AS kind, m.score, d.source, d.locator, d.at FROM
         (SELECT rowid AS id, rank AS score FROM search_fts WHERE search_fts MATCH ? ORDER BY rank LIMIT ?) m
         JOIN search_docs d ON d.id = m.id) WHERE kind IS NOT NULL`,
    ).all(match, fetch);
  }

  /**
   * Up to LIMIT contents of the library (held here or by a paired device) that meet F, by uuid
   * after AFTER: a search of tags, favourites and ratings with no words (DESIGN §16; metadata-filter.ts).
   */
  filteredContents(f: MetadataFilter, limit: number, after = ''): Array<{ content_uuid: string; kind: string }> {
    return this.filters.filteredContents(f, limit, after);
  }

  /** The contents (of KIND, when given) with a row matching the FTS5 query MATCH, by uuid, at most LIMIT: not ranked. */
  matchingContents(match: string, kind: string | null, limit: number): string[] {
    return this.sql<[string, string | null, string | null, number], string>(
      `SELECT content_uuid FROM (SELECT DISTINCT d.content_uuid, ${KIND_OF} AS kind FROM search_fts JOIN search_docs d ON d.id = search_fts.rowid
         WHERE search_fts MATCH ?) WHERE kind IS NOT NULL AND (? IS NULL OR kind = ?) ORDER BY content_uuid LIMIT ?`,
    ).pluck().all(match, kind, kind, limit);
  }

  /** Those of CONTENTS that meet F (a search with words keeps only these of its matches). */
  meeting(contents: readonly string[], f: MetadataFilter): Set<string> {
    return this.filters.meeting(contents, f);
  }

  /**
   * A stamp of the database's writes: it differs after any commit, by this connection
   * (total_changes) or another (data_version). What a reader caches is good while it is the same.
   */
  writeStamp(): string {
    return this.sql<[], string>("SELECT (SELECT data_version FROM pragma_data_version()) || ':' || total_changes()").pluck().get()!;
  }

  /** Whether any content is hidden (a search need not look for hidden ones otherwise). */
  anyHidden(): boolean {
    return this.sql<[], number>('SELECT 1 FROM user_metadata WHERE hidden = 1 LIMIT 1').pluck().get() !== undefined;
  }

  /** [row id, snippet] of the rows IDS for an FTS5 MATCH. */
  snippets(match: string, ids: readonly number[]): Array<[number, string]> {
    return this.sql<[string, string], [number, string]>(
      `SELECT rowid, ${SNIPPET} FROM search_fts WHERE search_fts MATCH ? AND rowid IN (SELECT value FROM json_each(?))`,
    ).raw().all(match, JSON.stringify(ids));
  }

  /**
   * Up to LIMIT rows with CJK text, oldest first: those the trigram MATCH NARROW finds (when
   * given), of contents of KIND (when given).
   */
  cjkDocs(narrow: string | null, kind: string | undefined, limit: number): CjkDoc[] {
    const where = narrow !== null ? 'AND d.id IN (SELECT rowid FROM search_cjk WHERE search_cjk MATCH ?)' : '';
    return this.sql<Array<string | number>, CjkDoc>(
      `SELECT * FROM (SELECT d.id, d.content_uuid, ${KIND_OF} AS kind, d.source, d.locator, d.at, d.text FROM search_docs d
       WHERE d.cjk = 1 ${where}) WHERE kind IS NOT NULL ${kind !== undefined ? 'AND kind = ?' : ''} ORDER BY id LIMIT ?`,
    ).all(...(narrow !== null ? [narrow] : []), ...(kind !== undefined ? [kind] : []), limit);
  }

  /** The copies on device DEVICEID of CONTENTS: location and path, by location folder and path. */
  copiesOn(contents: readonly string[], deviceId: number): CopyPlace[] {
    return this.sql<[string, number], CopyPlace>(
      `SELECT c.uuid, e.location_id AS loc, e.rel_path FROM content_identities c JOIN entries e ON e.content_id = c.id
         JOIN locations l ON l.id = +e.location_id
       WHERE c.uuid IN (SELECT value FROM json_each(?)) AND l.device_id = ? ORDER BY l.path, e.rel_path`,
    ).all(JSON.stringify(contents), deviceId);
  }

  /** [content uuid, size] of CONTENTS that have a ready default OCR sidecar. */
  ocrSizes(contents: readonly string[]): Array<[string, number | null]> {
    return this.sql<[string], [string, number | null]>(
      "SELECT content_uuid, size FROM sidecars WHERE content_uuid IN (SELECT value FROM json_each(?)) AND kind = 'ocr' AND variant = 'default' AND status = 'ready'",
    ).raw().all(JSON.stringify(contents));
  }

  /** [content uuid, kind] of the contents that have a ready embeddings sidecar of VARIANT, by uuid. */
  embedded(variant: string): Array<{ uuid: string; kind: string }> {
    return this.sql<[string], { uuid: string; kind: string }>(
      `SELECT s.content_uuid AS uuid, c.kind FROM sidecars s JOIN content_identities c ON c.uuid = s.content_uuid
       WHERE s.kind = 'embeddings' AND s.variant = ? AND s.status = 'ready' AND NOT ${LIVE_MOVIE('s.content_uuid')} ORDER BY s.content_uuid`,
    ).all(variant);
  }

  /** A content's kind; undefined when it left the library. */
  kindOf(contentUuid: string): string | undefined {
    return this.sql<[string, string], string | null>(`SELECT coalesce((SELECT kind FROM content_identities WHERE uuid = ?),
      (SELECT kind FROM peer_contents WHERE content_uuid = ? LIMIT 1))`).pluck().get(contentUuid, contentUuid) ?? undefined;
  }

  // -- Queueing by the stores that link files to contents (speed helper, issue 18; migration 011).

  /** Queue contents (by uuid) to be indexed again, in a few multi-row statements whatever their number. */
  queue(uuids: readonly string[]): void {
    forEachChunk(uuids.length, (at, n) => this.sql<string[]>(QUEUE_SQL.get(n)!).run(...uuids.slice(at, at + n)));
  }

  /** Queue every content a paired device holds (after a full copy of its rows), in uuid order. */
  queuePeerDevice(deviceUuid: string): void {
    this.sql<[string]>('INSERT OR IGNORE INTO search_pending (content_uuid) SELECT content_uuid FROM peer_contents WHERE device_uuid = ? ORDER BY content_uuid').run(deviceUuid);
  }

  /**
   * Contents just added (with their first links) wait above the mark, unqueued; only one whose id
   * is not above it (an id freed by a removed content and given again) is queued by its uuid.
   */
  queueAdded(contents: ReadonlyArray<{ id: number; uuid: string }>): void {
    if (contents.length === 0) return;
    const mark = this.sql<[], number>('SELECT id FROM search_content_mark').pluck().get() ?? 0;
    this.queue(contents.filter((c) => c.id <= mark).map((c) => c.uuid));
  }

  /** Queue the contents UUIDS that are not above the mark (those above it wait there already), in one statement. */
  queueUnmarked(uuids: readonly string[]): void {
    if (uuids.length === 0) return;
    this.sql<[string]>(`INSERT OR IGNORE INTO search_pending (content_uuid)
      SELECT c.uuid FROM json_each(?) j JOIN content_identities c ON c.uuid = j.value WHERE c.id <= ${MARK}`).run(JSON.stringify(uuids));
  }

  /** Queue one content (by row id) to be indexed again. */
  queueById(contentId: number): void {
    this.sql<[number]>('INSERT OR IGNORE INTO search_pending SELECT uuid FROM content_identities WHERE id = ?').run(contentId);
  }
}

/** The search mark (migration 047): contents with a higher id wait to be indexed. */
const MARK = '(SELECT id FROM search_content_mark)';

const QUEUE_SQL = multiRowSql('(?)', (values) => `INSERT OR IGNORE INTO search_pending (content_uuid) VALUES ${values}`);
