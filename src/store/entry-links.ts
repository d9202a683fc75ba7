import type { Db } from '../db/connection.js';
import { EntryTree } from './entry-tree.js';
import type { ContentLink, IdentifiedFile, LinkEffects, UnidentifiedFile } from './entry-types.js';
import { NUMBER_FOLDERS_OF_CONTENT, NUMBER_PARENT_OF, NUMBER_PARENTS_OF } from './entry-numbering.js';
import { forEachChunk, multiRowSql } from './multi-row.js';

const UNIDENTIFIED_PAGE = `SELECT id, name, rel_path, size, inode, mtime_ms, ctime_ms FROM entries
  WHERE id > ? AND +location_id = ? AND kind = 'file' AND content_id IS NULL ORDER BY id LIMIT ?`;
const FILES_PAGE = `SELECT id, name, rel_path, size, inode, mtime_ms, ctime_ms, content_id FROM entries
  WHERE id > ? AND +location_id = ? AND kind = 'file' ORDER BY id LIMIT ?`;
/*
 * A link verifies the copy when its bytes were hashed whole (VERIFIED); otherwise a copy linked to
 * the content it had keeps its time, and one linked to another content has none.
 */
const VERIFIED_AT = (verified: string, content: string) => `verified_at = CASE WHEN ${verified} = 1 THEN ? WHEN entries.content_id = ${content} THEN entries.verified_at END`;
const LINK = `UPDATE entries SET ${VERIFIED_AT('?', '?')}, content_id = ?, updated_at = ? WHERE id = ? AND inode = ? AND size = ? AND mtime_ms = ? AND ctime_ms IS ?`;
/**
 * Of [entry id, content id] pairs (files just linked), the entries whose content had another file
 * of the same name before them: one linked earlier, not one of the pairs (two files of one name
 * and one new content, linked together, are both new to search). Only a content's first
 * NAMES_LOOKED files are looked at (the index finds a content's files, not its names): a content
 * of 50,000 files costs no more than one of 64, and a name past them is queued as before.
 */
const NAMES_LOOKED = 64;
const NAMED_ALREADY = `WITH t(id, content_id) AS MATERIALIZED (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?))
  SELECT t.id FROM t JOIN entries e ON e.id = t.id
  WHERE EXISTS (SELECT 1 FROM (SELECT o.name FROM entries o WHERE o.content_id = t.content_id AND o.kind = 'file' AND o.id NOT IN (SELECT id FROM t) LIMIT ${NAMES_LOOKED}) WHERE name = e.name)`;
/**
 * Link many files to their contents (by uuid) in one statement, each guarded as LINK is; the
 * files linked come back. The VALUES rows are (entry id, content uuid, inode, size, mtime, verified 0|1, ctime).
 */
const LINK_MANY = multiRowSql('(?, ?, ?, ?, ?, ?, ?)', (values) => `UPDATE entries SET ${VERIFIED_AT('v.column6', 'c.id')}, content_id = c.id, updated_at = ?
  FROM (VALUES ${values}) AS v JOIN content_identities c ON c.uuid = v.column2
  WHERE entries.id = v.column1 AND entries.inode = v.column3 AND entries.size = v.column4 AND entries.mtime_ms = v.column5 AND entries.ctime_ms IS v.column7
  RETURNING entries.id, entries.content_id`);

/**
 * The links of the `entries` table's files to their contents: the pages of files a scan reads to
 * identify them, each file linked (guarded: a stale hash is never linked), verified or forgotten
 * as verified, and what a location's files hold. EntryStore (store/entries.ts) is this with the
 * writes of the rows themselves.
 */
export class EntryLinks extends EntryTree {
  constructor(db: Db, protected readonly effects: LinkEffects) {
    super(db);
  }

  /** A content's facts changed (its media metadata): every folder listing one of its files takes the next number. */
  numberFoldersOfContent(contentId: number): void {
    this.sql<[number, number]>(NUMBER_FOLDERS_OF_CONTENT).run(this.effects.nextSeq(), contentId);
  }

  /** How many of a location's files have no content identity yet, and their bytes. */
  unidentified(locationId: number): { files: number; bytes: number } {
    return this.sql<[number], { files: number; bytes: number }>(
      "SELECT COUNT(*) AS files, COALESCE(SUM(size), 0) AS bytes FROM entries WHERE location_id = ? AND kind = 'file' AND content_id IS NULL",
    ).get(locationId)!;
  }

  /**
   * The next files without a content identity, after AFTERID. `+location_id` keeps SQLite on the
   * rowid range (one pass over the table in all) instead of the location index followed by a sort
   * of every row, on every page.
   */
  unidentifiedPage(locationId: number, afterId: number, limit: number): UnidentifiedFile[] {
    const st = this.sql<[number, number, number], [number, string, string, number, number, number, number | null]>(UNIDENTIFIED_PAGE);
    st.raw(true);
    return st.all(afterId, locationId, limit).map(([id, name, rel_path, size, inode, mtime_ms, ctime_ms]) => ({ id, name, rel_path, size, inode, mtime_ms, ctime_ms }));
  }

  /** How many files a location has, and their bytes. */
  files(locationId: number): { files: number; bytes: number } {
    return this.sql<[number], { files: number; bytes: number }>(
      "SELECT COUNT(*) AS files, COALESCE(SUM(size), 0) AS bytes FROM entries WHERE location_id = ? AND kind = 'file'",
    ).get(locationId)!;
  }

  /** The next files of a location after AFTERID, identified or not (by id, as `unidentifiedPage`). */
  filesPage(locationId: number, afterId: number, limit: number): IdentifiedFile[] {
    return this.sql<[number, number, number], IdentifiedFile>(FILES_PAGE).all(afterId, locationId, limit);
  }

  /**
   * Link a file to its content, unless the row changed since it was read (a stale hash is never
   * linked). The time marks it as written by this scan: a watched batch queues jobs for what it
   * wrote, and a file identified once it settled was not otherwise touched by the scan that did it.
   */
  linkContent(file: UnidentifiedFile & { content_id?: number | null }, contentId: number, now: number, verified = false): boolean {
    const linked = this.sql<[number, number, number, number, number, number, number, number, number, number | null]>(LINK)
      .run(verified ? 1 : 0, now, contentId, contentId, now, file.id, file.inode, file.size, file.mtime_ms, file.ctime_ms ?? null).changes > 0;
    if (linked) this.sql<[number, number]>(NUMBER_PARENT_OF).run(this.effects.nextSeq(), file.id);
    if (linked && file.content_id == null) {
      this.effects.queueForSearchById(contentId);
      this.effects.moveGridVersion();
    }
    return linked;
  }

  /**
   * `linkContent` for many files, in a few multi-row statements (the contents must exist): the
   * files linked, by entry id, with the content each is linked to now. Files that had no content
   * when read are queued for search and move the grid's version here, once for the call; a link
   * that replaces another content is queued by the triggers, as a rename is. Contents whose id is
   * above NEWABOVE were added with these links (in the same transaction, just before): they have
   * no other file whose name search knows, and wait for search above its mark without a look.
   */
  linkContents(links: readonly ContentLink[], now: number, newAbove = Infinity): Map<number, number> {
    const linked = new Map<number, number>();
    forEachChunk(links.length, (at, n) => {
      const args: Array<string | number | null> = [now, now];
      for (let i = at; i < at + n; i++) {
        const { file, uuid, verified } = links[i]!;
        args.push(file.id, uuid, file.inode, file.size, file.mtime_ms, verified ? 1 : 0, file.ctime_ms ?? null);
      }
      const st = this.sql<Array<string | number | null>, [number, number]>(LINK_MANY.get(n)!);
      st.raw(true);
      for (const [id, contentId] of st.all(...args)) linked.set(id, contentId);
    });
    if (linked.size > 0) this.sql<[number, string]>(NUMBER_PARENTS_OF).run(this.effects.nextSeq(), JSON.stringify([...linked.keys()]));
    const first = links.filter(({ file }) => file.content_id == null && linked.has(file.id));
    if (first.length > 0) {
      // What search reads of a content is the distinct names of its files (search-index.ts): a
      // file whose content has another file of its name already (a copy of a folder, a second
      // scan of one drive) changes none of it, and is not queued (10,000 small files copied
      // spent a tenth of the copy indexing their contents' unchanged names again).
      // A content added with these links (its id above NEWABOVE) has no other file yet: not looked up.
      // Such a content waits for search above the mark (migration 047), without a row of the queue.
      const older = first.filter(({ file }) => linked.get(file.id)! <= newAbove);
      const named = older.length === 0 ? new Set<number>() : new Set(this.sql<[string], number>(NAMED_ALREADY).pluck().all(JSON.stringify(older.map(({ file }) => [file.id, linked.get(file.id)!]))));
      const queue = older.filter(({ file }) => !named.has(file.id)).map(({ uuid }) => uuid);
      if (queue.length > 0) this.effects.queueForSearch(queue);
      if (older.length < first.length) {
        this.effects.queueAddedForSearch(first.filter(({ file }) => linked.get(file.id)! > newAbove).map(({ file, uuid }) => ({ id: linked.get(file.id)!, uuid })));
      }
      this.effects.moveGridVersion();
    }
    return linked;
  }

  /**
   * Files IDS were hashed whole at AT and matched their content (a scrub): how many rows took it.
   * Their folders take the next number, so peers hear of it (DESIGN §15).
   */
  markVerified(ids: readonly number[], at: number): number {
    if (ids.length === 0) return 0;
    const json = JSON.stringify(ids);
    const n = this.sql<[number, string]>("UPDATE entries SET verified_at = ? WHERE id IN (SELECT value FROM json_each(?)) AND kind = 'file' AND content_id IS NOT NULL")
      .run(at, json).changes;
    if (n > 0) this.sql<[number, string]>(NUMBER_PARENTS_OF).run(this.effects.nextSeq(), json);
    return n;
  }

  /**
   * Forget when the files IDS were last verified (a scrub found their bytes rotten: they no longer
   * hold what they were verified as); their folders take the next number, so peers hear of it.
   */
  forgetVerified(ids: readonly number[]): number {
    if (ids.length === 0) return 0;
    const json = JSON.stringify(ids);
    const n = this.sql<[string]>('UPDATE entries SET verified_at = NULL WHERE id IN (SELECT value FROM json_each(?)) AND verified_at IS NOT NULL').run(json).changes;
    if (n > 0) this.sql<[number, string]>(NUMBER_PARENTS_OF).run(this.effects.nextSeq(), json);
    return n;
  }

  /** The contents of the entries of a location written since SINCE. */
  contentsWrittenSince(locationId: number, since: number): number[] {
    return this.sql<[number, number], number>('SELECT DISTINCT content_id FROM entries WHERE location_id = ? AND updated_at >= ? AND content_id IS NOT NULL')
      .pluck().all(locationId, since);
  }

  /** Distinct contents with a copy in a location. */
  contentCount(locationId: number): number {
    // With one location (most libraries) its copies are all there are, and the content index alone
    // answers: 4 ms instead of 31 at 100k files, on every scan's end.
    const only = this.sql<[number], number>('SELECT COUNT(*) = 1 AND MAX(id) = ? FROM locations').pluck().get(locationId) === 1;
    if (only) return this.sql<[], number>('SELECT COUNT(*) FROM (SELECT DISTINCT content_id FROM entries INDEXED BY entries_by_content WHERE content_id IS NOT NULL)').pluck().get()!;
    return this.sql<[number], number>('SELECT COUNT(DISTINCT content_id) FROM entries WHERE location_id = ? AND content_id IS NOT NULL').pluck().get(locationId)!;
  }
}
