import type { Db } from '../db/connection.js';
import { forEachChunk, multiRowSql } from './multi-row.js';
import { statementCache, type Prepared } from './statements.js';

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

  constructor(private readonly db: Db) {
    this.sql = statementCache(db);
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

  hasPending(): boolean {
    return this.sql<[]>('SELECT 1 FROM search_pending LIMIT 1').get() !== undefined;
  }

  /** Up to N contents waiting to be indexed. */
  takePending(n: number): string[] {
    return this.sql<[number], string>('SELECT content_uuid FROM search_pending LIMIT ?').pluck().all(n);
  }

  dropPending(contentUuid: string): void {
    this.sql<[string]>('DELETE FROM search_pending WHERE content_uuid = ?').run(contentUuid);
  }

  pendingCount(): number {
    return this.sql<[], number>('SELECT count(*) FROM search_pending').pluck().get()!;
  }

  /** The queue in two: contents still in the library (to index again) and contents that left it (their rows to remove). */
  pendingCounts(): { index: number; remove: number } {
    const r = this.sql<[], { total: number; present: number | null }>(
      `SELECT count(*) AS total, sum(EXISTS (SELECT 1 FROM content_identities WHERE uuid = p.content_uuid)
         OR EXISTS (SELECT 1 FROM peer_contents WHERE content_uuid = p.content_uuid)) AS present FROM search_pending p`,
    ).get()!;
    const present = r.present ?? 0;
    return { index: present, remove: r.total - present };
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
   * (DESIGN §15): its kind comes from either (KIND_OF below), and a row of neither is a leftover.
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
   * after AFTER: a search of tags, favourites and ratings with no words (DESIGN §16).
   */
  filteredContents(f: MetadataFilter, limit: number, after = ''): Array<{ content_uuid: string; kind: string }> {
    if (f.places && f.places.length > 0) return this.placedContents(f, limit, after);
    if (f.albums && f.albums.length > 0) {
      const driver = f.albums.reduce((a, b) => (b.length < a.length ? b : a));
      return this.mergedContents(driver, (ids, cursor, n) => this.heads(ALBUM_HEADS, ids, cursor, n), { ...f, albums: f.albums.filter((a) => a !== driver) }, limit, after);
    }
    if (f.tags.length > 0) return this.taggedContents(f, limit, after);
    if (f.people && f.people.length > 0) return this.personContents(f, limit, after);
    const { from, args } = filterSource(f);
    const where = filterConditions(f, 'x.content_uuid');
    return this.sql<unknown[], { content_uuid: string; kind: string }>(
      `SELECT * FROM (SELECT x.content_uuid, ${KIND_OF.replaceAll('d.content_uuid', 'x.content_uuid')} AS kind FROM (${from}) x
         WHERE x.content_uuid > ? ${where.sql} ORDER BY x.content_uuid) WHERE kind IS NOT NULL LIMIT ?`,
    ).all(...args, after, ...where.args, limit);
  }

  /**
   * filteredContents when F names people (and no tags): the contents of the person one `person:`
   * named (the one naming the fewest people), read in uuid order straight from the faces' index by
   * person and content, so it stops at LIMIT however many photos they are in; the rest of F checked
   * on those.
   */
  private personContents(f: MetadataFilter, limit: number, after: string): Array<{ content_uuid: string; kind: string }> {
    const people = f.people!;
    const driver = people.reduce((a, b) => (b.length < a.length ? b : a));
    const where = filterConditions({ ...f, people: people.filter((p) => p !== driver) }, 'f.content_uuid');
    const kind = KIND_OF.replaceAll('d.content_uuid', 'f.content_uuid');
    const one = driver.length === 1;
    return this.sql<unknown[], { content_uuid: string; kind: string }>(
      `SELECT f.content_uuid, ${kind} AS kind FROM faces f
       WHERE ${one ? 'f.person_id = ?' : 'f.person_id IN (SELECT value FROM json_each(?))'} AND f.content_uuid > ? ${where.sql}
       GROUP BY f.content_uuid HAVING kind IS NOT NULL ORDER BY f.content_uuid LIMIT ?`,
    ).all(one ? driver[0] : JSON.stringify(driver), after, ...where.args, limit);
  }

  /**
   * filteredContents when F names tags: the contents carrying the tags of one `tag:` (the one
   * naming the fewest), walked in uuid order as a merge of each tag's own list (its index is
   * by tag, then content), a few of each tag at a time; the rest of F checked on those. A
   * `tag:` over a whole tree (a hundred tags, most contents) reads a few hundred rows, not every
   * content it names, and a rare tag reads only its own.
   */
  private taggedContents(f: MetadataFilter, limit: number, after: string): Array<{ content_uuid: string; kind: string }> {
    const driver = f.tags.reduce((a, b) => (b.length < a.length ? b : a));
    return this.mergedContents(driver, (ids, cursor, n) => this.heads(TAG_HEADS, ids, cursor, n), { ...f, tags: f.tags.filter((t) => t !== driver) }, limit, after);
  }

  /**
   * filteredContents when F names places (issue 32): the contents whose place rows match every
   * `place:` (an FTS5 match each, a few thousand rows at most for a town), in uuid order after
   * AFTER, the rest of F checked a chunk at a time until LIMIT are found.
   */
  private placedContents(f: MetadataFilter, limit: number, after: string): Array<{ content_uuid: string; kind: string }> {
    let matched: Set<string> | undefined;
    for (const match of f.places!) {
      const rows = this.sql<[string], string>(
        `SELECT DISTINCT d.content_uuid FROM search_fts JOIN search_docs d ON d.id = search_fts.rowid WHERE search_fts MATCH ? AND d.source = 'place'`,
      ).pluck().all(match);
      matched = matched === undefined ? new Set(rows) : new Set(rows.filter((c) => matched!.has(c)));
    }
    const sorted = [...(matched ?? [])].filter((c) => c > after).sort();
    const rest: MetadataFilter = { ...f, places: [] };
    const out: Array<{ content_uuid: string; kind: string }> = [];
    for (let at = 0, chunk = Math.max(64, 2 * limit); at < sorted.length && out.length < limit; at += chunk, chunk = Math.min(4096, chunk * 2)) {
      const slice = sorted.slice(at, at + chunk);
      const met = new Map(this.meetingWithKind(slice, rest).map((r) => [r.content_uuid, r.kind] as const));
      for (const c of slice) {
        const kind = met.get(c);
        if (kind == null) continue;
        out.push({ content_uuid: c, kind });
        if (out.length === limit) break;
      }
    }
    return out;
  }

  /**
   * The contents of any of the sets DRIVER names (tags, albums), walked in uuid order as a merge of
   * each set's own list (HEADS reads up to N of each after a cursor, by uuid, from its index), a few
   * of each at a time; REST checked on those. A set over most contents reads a few hundred rows, not
   * every content it holds, and a small set reads only its own.
   */
  private mergedContents(driver: readonly string[], heads: (ids: readonly string[], after: string, n: number) => string[][], rest: MetadataFilter, limit: number, after: string): Array<{ content_uuid: string; kind: string }> {
    const out: Array<{ content_uuid: string; kind: string }> = [];
    let active = [...new Set(driver)];
    // Enough of each tag that the first round usually finds LIMIT; more each round when the rest of F is choosy.
    let each = Math.max(4, Math.ceil((2 * limit) / Math.max(1, active.length)));
    for (let cursor = after, round = 0; active.length > 0 && round < MAX_MERGE_ROUNDS; round++) {
      const got = heads(active, cursor, each);
      // Past the lowest last uuid of a tag that gave all it was asked for, that tag may hold more: the merge is complete up to it.
      let horizon: string | undefined;
      for (const h of got) if (h.length === each && (horizon === undefined || h.at(-1)! < horizon)) horizon = h.at(-1)!;
      // A tag that gave less than asked has nothing more; it is read again only for what lay past the horizon.
      const next = active.filter((_, i) => got[i]!.length === each || (horizon !== undefined && got[i]!.at(-1)! > horizon));
      const candidates = new Set<string>();
      for (const h of got) for (const c of h) if (horizon === undefined || c <= horizon) candidates.add(c);
      const sorted = [...candidates].sort();
      const met = new Map(this.meetingWithKind(sorted, rest).map((r) => [r.content_uuid, r.kind] as const));
      for (const c of sorted) {
        const kind = met.get(c);
        if (kind == null) continue;
        out.push({ content_uuid: c, kind });
        if (out.length === limit) return out;
      }
      if (horizon === undefined) break;
      cursor = horizon;
      active = next;
      each = Math.min(MAX_TAG_HEAD, each * 4);
    }
    return out;
  }

  /** For each of IDS (tags, albums: SQL says which), in order, up to N of its contents with uuids after AFTER, by uuid: one statement for all. */
  private heads(sql: string, ids: readonly string[], after: string, n: number): string[][] {
    const rows = this.sql<[string, number, string], string | null>(sql).pluck().all(after, n, JSON.stringify(ids));
    return rows.map((r) => (r === null ? [] : r.split(',')));
  }

  /** Those of CONTENTS that meet F and are in the library, with their kind. */
  private meetingWithKind(contents: readonly string[], f: MetadataFilter): Array<{ content_uuid: string; kind: string | null }> {
    if (contents.length === 0) return [];
    const where = filterConditions(f, 'v.value');
    return this.sql<unknown[], { content_uuid: string; kind: string | null }>(
      `SELECT v.value AS content_uuid, ${KIND_OF.replaceAll('d.content_uuid', 'v.value')} AS kind FROM json_each(?) v WHERE 1 ${where.sql}`,
    ).all(JSON.stringify(contents), ...where.args);
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
    const where = filterConditions(f, 'v.value');
    const rows = this.sql<unknown[], string>(`SELECT v.value FROM json_each(?) v WHERE 1 ${where.sql}`).pluck().all(JSON.stringify(contents), ...where.args);
    return new Set(rows);
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

  /** Queue one content (by row id) to be indexed again. */
  queueById(contentId: number): void {
    this.sql<[number]>('INSERT OR IGNORE INTO search_pending SELECT uuid FROM content_identities WHERE id = ?').run(contentId);
  }
}

/** A search row's content kind: this device's content, else a paired device's (null: neither has it now). */
/**
 * A content some still here has as its Live Photo movie (`live_photo_video/original`, a reference
 * to the movie's own entry): a part of that photo, not a second result (issue 45).
 */
const LIVE_MOVIE = (uuid: string) => `EXISTS (SELECT 1 FROM content_identities lc JOIN entries le ON le.content_id = lc.id
  JOIN sidecars ls ON ls.source_entry_id = le.id WHERE lc.uuid = ${uuid} AND ls.kind = 'live_photo_video' AND ls.status = 'ready')`;

/** A content's kind, or null: gone from the library, or a Live Photo's movie (LIVE_MOVIE) — every list of results leaves a null out. */
const KIND_OF = `CASE WHEN ${LIVE_MOVIE('d.content_uuid')} THEN NULL
  ELSE coalesce((SELECT kind FROM content_identities WHERE uuid = d.content_uuid), (SELECT kind FROM peer_contents WHERE content_uuid = d.content_uuid LIMIT 1)) END`;

/** Up to N contents of each set (a tag's, an album's) after a uuid, by uuid, from the set's own (set, content) index. */
const setHeads = (table: string, column: string) => `SELECT (SELECT group_concat(content_uuid, ',') FROM
    (SELECT content_uuid FROM ${table} WHERE ${column} = s.value AND content_uuid > ? AND present = 1 ORDER BY content_uuid LIMIT ?))
  FROM json_each(?) s ORDER BY s.id`;
const TAG_HEADS = setHeads('metadata_tag', 'tag_uuid');
const ALBUM_HEADS = setHeads('album_items', 'album_uuid');

/** Rounds of the tag merge at most (each reads MAX_TAG_HEAD of each tag at most once it has grown). */
const MAX_MERGE_ROUNDS = 64;
/** The most of one tag's contents a round of the merge reads. */
const MAX_TAG_HEAD = 4096;

const QUEUE_SQL = multiRowSql('(?)', (values) => `INSERT OR IGNORE INTO search_pending (content_uuid) VALUES ${values}`);

/**
 * A search's filters on shared data (DESIGN §16): each of TAGS is the set of tags one `tag:` named
 * (that tag and those beneath it: a content carrying any of them meets it), every one of them met;
 * FAVORITE, RATING; HIDDEN true: only hidden contents, false: hidden ones left out.
 */
export interface MetadataFilter {
  tags: string[][];
  /** Each the people one `person:` named (a content with a face of any of them meets it), every one met. */
  people?: string[][];
  favorite?: boolean;
  rating?: { op: '>=' | '<=' | '=' | '>' | '<'; value: number };
  /** Ratings besides RATING, every one met (a smart album's within a search that has its own). */
  moreRatings?: Array<{ op: '>=' | '<=' | '=' | '>' | '<'; value: number }>;
  hidden?: boolean;
  /** Each the albums one `album:` named (with the albums beneath them): a content put in any of them meets it (issue 32). */
  albums?: string[][];
  /** Each an FTS5 query over the places (`source` 'place') one `place:` gave, every one met. */
  places?: string[];
  /** Each the devices one `device:` named, as device uuids (HERE: this device's): a content one of them holds meets it. */
  devices?: Array<{ here: boolean; peers: string[] }>;
  /** Capture days, each range met (`YYYY-MM-DD`, inclusive). */
  dates?: Array<{ from: string; to: string }>;
}

/** Where the contents F (with no tags: taggedContents) could be come from: the smallest index that narrows them (the favourites', …). */
function filterSource(f: MetadataFilter): { from: string; args: unknown[] } {
  if (f.people && f.people.length > 0) {
    const fewest = f.people.reduce((a, b) => (b.length < a.length ? b : a));
    return { from: 'SELECT DISTINCT content_uuid FROM faces WHERE person_id IN (SELECT value FROM json_each(?))', args: [JSON.stringify(fewest)] };
  }
  if (f.albums && f.albums.length > 0) {
    const fewest = f.albums.reduce((a, b) => (b.length < a.length ? b : a));
    return { from: 'SELECT DISTINCT content_uuid FROM album_items WHERE album_uuid IN (SELECT value FROM json_each(?)) AND present = 1', args: [JSON.stringify(fewest)] };
  }
  if (f.places && f.places.length > 0) {
    return { from: `SELECT DISTINCT d.content_uuid FROM search_fts JOIN search_docs d ON d.id = search_fts.rowid WHERE search_fts MATCH ? AND d.source = 'place'`, args: [f.places[0]] };
  }
  if (f.favorite === true) return { from: 'SELECT content_uuid FROM user_metadata WHERE favorite = 1', args: [] };
  if (f.rating !== undefined && ratingExcludesZero(f.rating)) return { from: 'SELECT content_uuid FROM user_metadata WHERE rating > 0', args: [] };
  if (f.hidden === true) return { from: 'SELECT content_uuid FROM user_metadata WHERE hidden = 1', args: [] };
  if (f.dates && f.dates.length > 0) {
    const { from, to } = f.dates[0]!;
    return {
      from: `SELECT uuid AS content_uuid FROM content_identities WHERE capture_day BETWEEN ? AND ?
        UNION SELECT content_uuid FROM peer_contents WHERE substr(json_extract(media_metadata, '$.captured_at'), 1, 10) BETWEEN ? AND ?`,
      args: [from, to, from, to],
    };
  }
  return { from: 'SELECT uuid AS content_uuid FROM content_identities UNION SELECT content_uuid FROM peer_contents', args: [] };
}

/** F's conditions on the content uuid COL, as `AND …` SQL and its arguments (in order). */
function filterConditions(f: MetadataFilter, col: string): { sql: string; args: unknown[] } {
  const parts: string[] = [];
  const args: unknown[] = [];
  for (const set of f.tags) {
    // `+`: the content's few tags are read and each looked up in the set, not the set's every tag looked up for the content.
    parts.push(`AND EXISTS (SELECT 1 FROM metadata_tag m WHERE m.content_uuid = ${col} AND m.present = 1 AND +m.tag_uuid IN (SELECT value FROM json_each(?)))`);
    args.push(JSON.stringify(set));
  }
  for (const set of f.people ?? []) {
    parts.push(`AND EXISTS (SELECT 1 FROM faces fc WHERE fc.content_uuid = ${col} AND fc.person_id IN (SELECT value FROM json_each(?)))`);
    args.push(JSON.stringify(set));
  }
  for (const set of f.albums ?? []) {
    parts.push(`AND EXISTS (SELECT 1 FROM album_items ai WHERE ai.content_uuid = ${col} AND ai.present = 1 AND +ai.album_uuid IN (SELECT value FROM json_each(?)))`);
    args.push(JSON.stringify(set));
  }
  for (const match of f.places ?? []) {
    parts.push(`AND EXISTS (SELECT 1 FROM search_docs pd WHERE pd.content_uuid = ${col} AND pd.source = 'place'
      AND pd.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ?))`);
    args.push(match);
  }
  for (const d of f.devices ?? []) {
    const any: string[] = [];
    if (d.here) any.push(`EXISTS (SELECT 1 FROM content_identities ci JOIN entries e ON e.content_id = ci.id WHERE ci.uuid = ${col})`);
    if (d.peers.length > 0) {
      any.push(`EXISTS (SELECT 1 FROM peer_contents pc WHERE pc.content_uuid = ${col} AND pc.device_uuid IN (SELECT value FROM json_each(?)))`);
      args.push(JSON.stringify(d.peers));
    }
    parts.push(any.length === 0 ? 'AND 0' : `AND (${any.join(' OR ')})`);
  }
  for (const r of f.dates ?? []) {
    parts.push(`AND coalesce((SELECT capture_day FROM content_identities WHERE uuid = ${col}),
      (SELECT substr(json_extract(media_metadata, '$.captured_at'), 1, 10) FROM peer_contents WHERE content_uuid = ${col} AND json_valid(media_metadata) LIMIT 1)) BETWEEN ? AND ?`);
    args.push(r.from, r.to);
  }
  const meta = (expr: string, fallback: string) => `coalesce((SELECT ${expr} FROM user_metadata u WHERE u.content_uuid = ${col}), ${fallback})`;
  if (f.favorite !== undefined) {
    parts.push(`AND ${meta('favorite', '0')} = ?`);
    args.push(f.favorite ? 1 : 0);
  }
  for (const r of [...(f.rating ? [f.rating] : []), ...(f.moreRatings ?? [])]) {
    parts.push(`AND ${meta('rating', '0')} ${r.op} ?`);
    args.push(r.value);
  }
  if (f.hidden !== undefined) {
    parts.push(`AND ${meta('hidden', '0')} = ?`);
    args.push(f.hidden ? 1 : 0);
  }
  return { sql: parts.join(' '), args };
}

/** Whether RATING leaves out contents with no rating (0): then only rated contents need be looked at. */
function ratingExcludesZero(r: NonNullable<MetadataFilter['rating']>): boolean {
  return (r.op === '>=' && r.value > 0) || r.op === '>' || (r.op === '=' && r.value > 0);
}
