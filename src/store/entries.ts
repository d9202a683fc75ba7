import type { Db } from '../db/connection.js';
import { EntryReads } from './entry-reads.js';
import type { ContentLink, DirectFiles, EntryFacts, EntryKind, EntryRecord, FolderFigures, IdentifiedFile, IndexedFileAt, KeptListing, LinkEffects, ListedRow, ScannedEntry, UnidentifiedFile } from './entry-types.js';
import { forEachChunk, multiRowSql } from './multi-row.js';

export * from './entry-types.js';

// The scan's statements as constants: one string each, so the statement cache finds them by a hash computed once.
const SCANNED = 'id, name, rel_path, kind, size, inode, mtime_ms, link_target, content_id, parent_id';
const CHILDREN = `SELECT ${SCANNED} FROM entries WHERE parent_id = ?`;
const LISTED_CHILDREN = 'SELECT id, name, kind, size, inode, mtime_ms, ctime_ms, link_target, rel_path = ? || name FROM entries WHERE parent_id = ?';
const BY_INODE = `SELECT ${SCANNED} FROM entries WHERE location_id = ? AND inode = ? LIMIT 8`;
const INSERT = `INSERT INTO entries (location_id, parent_id, name, rel_path, kind, size, inode, mtime_ms, ctime_ms, link_target, sync_seq, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const INSERT_COLUMNS = '(location_id, parent_id, name, rel_path, kind, size, inode, mtime_ms, ctime_ms, link_target, sync_seq, created_at, updated_at)';
const INSERT_ROW = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
const INSERT_MANY = multiRowSql(INSERT_ROW, (values) => `INSERT INTO entries ${INSERT_COLUMNS} VALUES ${values}`);
const CHILD_ID = 'SELECT id FROM entries WHERE parent_id = ? AND name = ?';
/*
 * A folder's `sync_seq` (migration 012): the number of the last change to its direct listing, which
 * peers pull. Every write that changes what a listing shows numbers the folder it shows in. A peer
 * also keeps each folder itself (its path, id and number, signed: peer_folders), which a full copy
 * sends for every folder and a delta for those numbered since: so a folder is numbered too when it
 * is made (an empty one is otherwise never numbered) and when its path changes, else a delta
 * leaves out what a full copy brings.
 */
const NUMBER_PARENT_OF = 'UPDATE entries SET sync_seq = ? WHERE id = (SELECT parent_id FROM entries WHERE id = ?)';
/*
 * A write that changes a folder's rows themselves (added, removed, renamed, facts rewritten) also
 * forgets the listing digest the indexer kept for it (migration 023): a digest still there always
 * describes the rows as they are, so a rescan may trust it without reading them.
 */
const FOLDER_CHANGED = 'UPDATE entries SET sync_seq = ?, listing_digest = NULL WHERE id = ?';
const PARENT_CHANGED = 'UPDATE entries SET sync_seq = ?, listing_digest = NULL WHERE id = (SELECT parent_id FROM entries WHERE id = ?)';
const NUMBER_PARENTS_OF = `UPDATE entries SET sync_seq = ? WHERE id IN
  (SELECT parent_id FROM entries WHERE id IN (SELECT value FROM json_each(?)))`;
/** A folder's own number when the path it is at changes (before its row is rewritten). */
const FOLDER_MOVED = 'UPDATE entries SET sync_seq = ? WHERE id = ? AND rel_path IS NOT ?';
const NUMBER_FOLDERS_OF_CONTENT = 'UPDATE entries SET sync_seq = ? WHERE id IN (SELECT parent_id FROM entries WHERE content_id = ?)';
// A folder moved or renamed forgets its own listing digest too: its rows' paths are not yet its new ones.
const SET_FACTS = 'parent_id = ?, name = ?, rel_path = ?, size = ?, inode = ?, mtime_ms = ?, ctime_ms = ?, link_target = ?, updated_at = ?, listing_digest = NULL';
const UPDATE_KEEP = `UPDATE entries SET ${SET_FACTS} WHERE id = ?`;
// Bytes that may differ are no longer the ones verified.
const UPDATE_CLEAR = `UPDATE entries SET ${SET_FACTS}, content_id = NULL, verified_at = NULL WHERE id = ?`;
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

type ListedTuple = [number, string, EntryKind, number, number | null, number | null, number | null, string | null, 0 | 1];

function listedRow(r: ListedTuple): ListedRow {
  return { id: r[0], name: r[1], kind: r[2], size: r[3], inode: r[4], mtime_ms: r[5], ctime_ms: r[6], link_target: r[7], at_place: r[8] === 1 };
}

type ScannedTuple = [number, string, string, EntryKind, number, number | null, number | null, string | null, number | null, number | null];

function scanned(r: ScannedTuple): ScannedEntry {
  return { id: r[0], name: r[1], rel_path: r[2], kind: r[3], size: r[4], inode: r[5], mtime_ms: r[6], link_target: r[7], content_id: r[8], parent_id: r[9] };
}

/**
 * The `entries` table. The scan's statements run once per entry of a location (a hundred
 * thousand times in a scan): each is prepared once per connection and binds plain values.
 */
export class EntryStore extends EntryReads {
  constructor(db: Db, private readonly effects: LinkEffects) {
    super(db);
  }

  byId(id: number): EntryRecord | undefined {
    return this.sql<[number], EntryRecord>('SELECT * FROM entries WHERE id = ?').get(id);
  }

  /** The id of a location's own row (its folder). */
  rootOf(locationId: number): number | undefined {
    return this.sql<[number], number>('SELECT id FROM entries WHERE location_id = ? AND parent_id IS NULL').pluck().get(locationId);
  }

  /** Rows in a location, all kinds. */
  count(locationId: number): number {
    return this.sql<[number], number>('SELECT COUNT(*) FROM entries WHERE location_id = ?').pluck().get(locationId)!;
  }

  /** Whether a location has any row beside its root (false until its first scan adds some). */
  hasChildren(locationId: number): boolean {
    return this.sql<[number], number>('SELECT 1 FROM entries WHERE location_id = ? AND parent_id IS NOT NULL LIMIT 1').pluck().get(locationId) !== undefined;
  }

  /**
   * A folder's rows: a scan reads every folder's. Read as arrays and made into records here,
   * which costs a third less than better-sqlite3 making the objects.
   */
  children(parentId: number): ScannedEntry[] {
    const st = this.sql<[number], ScannedTuple>(CHILDREN);
    st.raw(true);
    return st.all(parentId).map(scanned);
  }

  /**
   * The rows of folder PARENTID, whose path is REL ('' for a location's root), as a scan compares
   * them with its listing (ListedRow): every folder of a location is read once a scan.
   */
  listedChildren(parentId: number, rel: string): ListedRow[] {
    const st = this.sql<[string, number], ListedTuple>(LISTED_CHILDREN);
    st.raw(true);
    return st.all(rel === '' ? '' : `${rel}/`, parentId).map(listedRow);
  }

  /** Folders of LOCATIONID holding a file named `*.xmp` (any case): where XMP sidecars may be (DESIGN §16); with CHANGEDSINCE, only those whose listing changed after that change number. */
  /** Folder FOLDERID's rows are as the listing with DIGEST shows them (the indexer just made them so). */
  keepListing(folderId: number, digest: string): void {
    this.sql<[string, number]>('UPDATE entries SET listing_digest = ? WHERE id = ?').run(digest, folderId);
  }

  /** The listing digest kept for a folder, while its rows are still as that listing showed them. */
  keptListing(folderId: number): string | null {
    return this.sql<[number], string | null>('SELECT listing_digest FROM entries WHERE id = ?').pluck().get(folderId) ?? null;
  }

  /** A location's folders that keep a listing digest (from the digests' partial index). */
  keptListings(locationId: number): KeptListing[] {
    return this.sql<[number], KeptListing>(
      'SELECT id, parent_id, name, rel_path, listing_digest AS digest FROM entries WHERE location_id = ? AND listing_digest IS NOT NULL',
    ).all(locationId);
  }

  /** The subfolders of a folder, by name. */
  subfolders(parentId: number): Array<{ id: number; name: string }> {
    return this.sql<[number], { id: number; name: string }>("SELECT id, name FROM entries WHERE parent_id = ? AND kind = 'dir'").all(parentId);
  }

  foldersWithXmp(locationId: number, changedSince?: number): number[] {
    if (changedSince !== undefined) {
      return this.sql<[number, number], number>(
        `SELECT d.id FROM entries d WHERE d.sync_seq > ? AND d.location_id = ? AND d.kind = 'dir'
           AND EXISTS (SELECT 1 FROM entries e WHERE e.parent_id = d.id AND e.kind = 'file' AND e.name LIKE '%.xmp')
         ORDER BY d.id`,
      ).pluck().all(changedSince, locationId);
    }
    return this.sql<[number], number>(
      `SELECT DISTINCT parent_id FROM entries WHERE location_id = ? AND kind = 'file' AND name LIKE '%.xmp' AND parent_id IS NOT NULL ORDER BY parent_id`,
    ).pluck().all(locationId);
  }

  /** The folders of LOCATIONID whose listing changed after change number SEQ, by their path in the location ('' for its root). */
  foldersChangedSince(locationId: number, seq: number): string[] {
    return this.sql<[number, number], string>(
      `SELECT rel_path FROM entries WHERE sync_seq > ? AND location_id = ? AND kind = 'dir'`,
    ).pluck().all(seq, locationId);
  }

  /** The ids of LOCATIONID's folders whose listing changed after change number SEQ (null: every folder). */
  folderIdsChangedSince(locationId: number, seq: number | null): number[] {
    if (seq === null) return this.sql<[number], number>(`SELECT id FROM entries WHERE location_id = ? AND kind = 'dir' ORDER BY id`).pluck().all(locationId);
    return this.sql<[number, number], number>(`SELECT id FROM entries WHERE sync_seq > ? AND location_id = ? AND kind = 'dir' ORDER BY id`).pluck().all(seq, locationId);
  }

  /** The photos of folder PARENTID with their content's type and media metadata, by name: what the stack rules read (issue 45). */
  imagesIn(parentId: number): Array<{ name: string; mtime_ms: number | null; content_uuid: string; mime: string; media_metadata: string | null }> {
    return this.sql<[number], { name: string; mtime_ms: number | null; content_uuid: string; mime: string; media_metadata: string | null }>(
      `SELECT e.name, e.mtime_ms, c.uuid AS content_uuid, c.mime, c.media_metadata FROM entries e JOIN content_identities c ON c.id = e.content_id
       WHERE e.parent_id = ? AND e.kind = 'file' AND c.kind = 'image' ORDER BY e.name`,
    ).all(parentId);
  }

  /** The files of folder PARENTID with their content uuid (null while unidentified), by name. */
  filesWithContentIn(parentId: number): Array<{ id: number; name: string; rel_path: string; size: number; content_uuid: string | null }> {
    return this.sql<[number], { id: number; name: string; rel_path: string; size: number; content_uuid: string | null }>(
      `SELECT e.id, e.name, e.rel_path, e.size, c.uuid AS content_uuid FROM entries e LEFT JOIN content_identities c ON c.id = e.content_id
       WHERE e.parent_id = ? AND e.kind = 'file' ORDER BY e.name`,
    ).all(parentId);
  }

  /** A folder's child by name. */
  child(parentId: number, name: string): ScannedEntry | undefined {
    return this.sql<[number, string], ScannedEntry>(`SELECT ${SCANNED} FROM entries WHERE parent_id = ? AND name = ?`).get(parentId, name);
  }

  /** A folder's subfolder by name. */
  childDir(parentId: number, name: string): number | undefined {
    return this.sql<[number, string], number>("SELECT id FROM entries WHERE parent_id = ? AND name = ? AND kind = 'dir'").pluck().get(parentId, name);
  }

  /** The few rows of a location with this inode (a moved file, or hard links). */
  byInode(locationId: number, inode: number): ScannedEntry[] {
    return this.sql<[number, number], ScannedEntry>(BY_INODE).all(locationId, inode);
  }

  /** Add a location's own row (its folder), when the location is added. */
  insertRoot(locationId: number, name: string, inode: number, mtimeMs: number, now = Date.now()): number {
    // Numbered as it is made: a location added empty is a folder a delta brings (see sync_seq above).
    const r = this.sql<[number, string, number, number, number, number, number]>(
      "INSERT INTO entries (location_id, parent_id, name, rel_path, kind, size, inode, mtime_ms, sync_seq, created_at, updated_at) VALUES (?, NULL, ?, '', 'dir', 0, ?, ?, ?, ?, ?)",
    ).run(locationId, name, inode, mtimeMs, this.effects.nextSeq(), now, now);
    return Number(r.lastInsertRowid);
  }

  insert(locationId: number, f: EntryFacts, now = Date.now()): number {
    // One number for the listing it joins and, a folder, its own (empty) listing.
    const seq = this.effects.nextSeq();
    const r = this.sql<[number, number | null, string, string, EntryKind, number, number, number, number | null, string | null, number | null, number, number]>(INSERT)
      .run(locationId, f.parent_id, f.name, f.rel_path, f.kind, f.size, f.inode, f.mtime_ms, f.ctime_ms ?? null, f.link_target, f.kind === 'dir' ? seq : null, now, now);
    if (f.parent_id !== null) this.sql<[number, number]>(FOLDER_CHANGED).run(seq, f.parent_id);
    return Number(r.lastInsertRowid);
  }

  /**
   * Add many rows (a folder's new entries) in a few multi-row statements: per row, far less of
   * the binding and stepping that one statement a row costs. Their ids, in the order given.
   */
  insertMany(locationId: number, facts: readonly EntryFacts[], now = Date.now()): number[] {
    const ids: number[] = [];
    if (facts.length === 0) return ids;
    // One number for the listings they join and, for each folder among them, its own (empty) listing.
    const seq = this.effects.nextSeq();
    const parents = new Set<number>();
    for (const f of facts) if (f.parent_id !== null) parents.add(f.parent_id);
    for (const p of parents) this.sql<[number, number]>(FOLDER_CHANGED).run(seq, p);
    forEachChunk(facts.length, (at, n) => {
      const args: Array<string | number | null> = [];
      for (let i = at; i < at + n; i++) {
        const f = facts[i]!;
        args.push(locationId, f.parent_id, f.name, f.rel_path, f.kind, f.size, f.inode, f.mtime_ms, f.ctime_ms ?? null, f.link_target, f.kind === 'dir' ? seq : null, now, now);
      }
      const last = Number(this.sql<Array<string | number | null>>(INSERT_MANY.get(n)!).run(...args).lastInsertRowid);
      // SQLite gives each new row the table's largest id plus one, so a statement's rows have
      // consecutive ids ending at the last; only a table whose largest id is the largest
      // possible gets random ones. The first row is looked up to be sure.
      const first = facts[at]!;
      if (this.childId(first.parent_id!, first.name) === last - n + 1) {
        for (let id = last - n + 1; id <= last; id++) ids.push(id);
      } else {
        for (let i = at; i < at + n; i++) ids.push(this.childId(facts[i]!.parent_id!, facts[i]!.name)!);
      }
    });
    return ids;
  }


  /** A content's facts changed (its media metadata): every folder listing one of its files takes the next number. */
  numberFoldersOfContent(contentId: number): void {
    this.sql<[number, number]>(NUMBER_FOLDERS_OF_CONTENT).run(this.effects.nextSeq(), contentId);
  }

  /**
   * The file at REL in a location, with its content's uuid (null before it is identified) and the
   * file as the index recorded it (what that content was read from: content/indexed-identity.ts).
   */
  fileAt(locationId: number, rel: string): IndexedFileAt | undefined {
    // Down the tree a name at a time on (parent_id, name): rel_path has no index of its own (a
    // scan would pay for one on every insert), and a location's rows by location_id are all of them.
    let at: number | undefined = this.rootOf(locationId);
    const names = rel.split('/');
    const child = this.sql<[number, string], IndexedFileAt & { kind: EntryKind }>(
      `SELECT e.id, e.kind, c.uuid AS content_uuid, e.size, e.mtime_ms, e.ctime_ms, e.inode FROM entries e LEFT JOIN content_identities c ON c.id = e.content_id WHERE e.parent_id = ? AND e.name = ?`,
    );
    for (const [i, name] of names.entries()) {
      if (at === undefined || name === '') return undefined;
      const row = child.get(at, name);
      if (!row) return undefined;
      if (i === names.length - 1) return row.kind === 'file' ? { id: row.id, content_uuid: row.content_uuid, size: row.size, mtime_ms: row.mtime_ms, ctime_ms: row.ctime_ms, inode: row.inode } : undefined;
      if (row.kind !== 'dir') return undefined;
      at = row.id;
    }
    return undefined;
  }

  /** The identified files beneath folder REL of a location (every depth), with their contents: what a folder's move carries. */
  contentFilesBeneath(locationId: number, rel: string): Array<{ rel_path: string; content_uuid: string }> {
    // '/' and '0' are neighbours in byte order: the range is every path under REL/ (one pass over the location's rows, once per folder moved).
    return this.sql<[number, string, string], { rel_path: string; content_uuid: string }>(
      `SELECT e.rel_path, c.uuid AS content_uuid FROM entries e JOIN content_identities c ON c.id = e.content_id
       WHERE e.location_id = ? AND e.rel_path >= ? AND e.rel_path < ? AND e.kind = 'file'`,
    ).all(locationId, `${rel}/`, `${rel}0`);
  }

  private childId(parentId: number, name: string): number | undefined {
    return this.sql<[number, string], number>(CHILD_ID).pluck().get(parentId, name);
  }

  /** Rewrite an entry's facts; its content identity is dropped when its bytes may differ. */
  update(id: number, f: EntryFacts, clearContent: boolean, now = Date.now()): void {
    // Both listings change when it moves: the one it left and the one it is in now.
    const seq = this.effects.nextSeq();
    this.sql<[number, number]>(PARENT_CHANGED).run(seq, id);
    if (f.parent_id !== null) this.sql<[number, number]>(FOLDER_CHANGED).run(seq, f.parent_id);
    // A folder found at another path (renamed, or moved by inode): peers keep it by path, so it is numbered as moveTree numbers one.
    if (f.kind === 'dir') this.sql<[number, number, string]>(FOLDER_MOVED).run(seq, id, f.rel_path);
    this.sql<[number | null, string, string, number, number, number, number | null, string | null, number, number]>(clearContent ? UPDATE_CLEAR : UPDATE_KEEP)
      .run(f.parent_id, f.name, f.rel_path, f.size, f.inode, f.mtime_ms, f.ctime_ms ?? null, f.link_target, now, id);
  }

  /**
   * Move entry ID (a file, or a folder and everything beneath it) to parent PARENTID under NAME at
   * REL (the same location), as a rename on disk moved it: its own facts as they are now (a rename
   * changes an inode's ctime, and a folder's times), every path beneath rewritten in one statement
   * (the rows keep their content, nothing is read again). Numbered as one write per row would be:
   * the listing it left, the one it joined, and every folder it carries (their paths are new), each
   * forgetting its kept digest.
   */
  moveTree(id: number, to: { parent_id: number; name: string; rel_path: string; mtime_ms: number; ctime_ms: number | null }, now = Date.now()): void {
    const seq = this.effects.nextSeq();
    const old = this.sql<[number], { rel_path: string }>('SELECT rel_path FROM entries WHERE id = ?').get(id);
    if (!old) return;
    this.sql<[number, number]>(PARENT_CHANGED).run(seq, id);
    this.sql<[number, number]>(FOLDER_CHANGED).run(seq, to.parent_id);
    this.sql<[number, string, string, number, number | null, number, number]>(
      'UPDATE entries SET parent_id = ?, name = ?, rel_path = ?, mtime_ms = ?, ctime_ms = ?, updated_at = ?, listing_digest = NULL WHERE id = ?',
    ).run(to.parent_id, to.name, to.rel_path, to.mtime_ms, to.ctime_ms, now, id);
    this.sql<[number, string, number, number, number]>(
      `WITH RECURSIVE sub(id) AS (SELECT id FROM entries WHERE parent_id = ? UNION ALL SELECT e.id FROM entries e JOIN sub ON e.parent_id = sub.id)
       UPDATE entries SET rel_path = ? || substr(rel_path, ?),
         sync_seq = CASE WHEN kind = 'dir' THEN ? ELSE sync_seq END,
         listing_digest = CASE WHEN kind = 'dir' THEN NULL ELSE listing_digest END,
         updated_at = ? WHERE id IN sub`,
    ).run(id, to.rel_path, old.rel_path.length + 1, seq, now);
    this.sql<[number, number]>('UPDATE entries SET sync_seq = ? WHERE id = ? AND kind = \'dir\'').run(seq, id);
  }

  /**
   * A row whose ctime was not known (from before migration 032) takes the one its file has, as
   * listed with every other fact unchanged: nothing else of it is written (it is not a change a
   * peer hears of), only its folder's kept listing digest is forgotten, as for any change of its rows.
   */
  recordCtime(id: number, ctimeMs: number): void {
    this.sql<[number, number]>('UPDATE entries SET ctime_ms = ? WHERE id = ? AND ctime_ms IS NULL').run(ctimeMs, id);
    this.sql<[number]>('UPDATE entries SET listing_digest = NULL WHERE id = (SELECT parent_id FROM entries WHERE id = ?)').run(id);
  }

  /** Delete a row (and, by the schema's cascade, everything beneath it); whether there was one. */
  delete(id: number): boolean {
    // One number for a whole folder removed: its parent's listing no longer names it.
    this.sql<[number, number]>(PARENT_CHANGED).run(this.effects.nextSeq(), id);
    return this.sql<[number]>('DELETE FROM entries WHERE id = ?').run(id).changes > 0;
  }

  /** Delete every row of a location. */
  deleteOfLocation(locationId: number): void {
    this.sql<[number]>('DELETE FROM entries WHERE location_id = ?').run(locationId);
  }

  /** Files at and beneath an entry (itself, if a file). */
  filesBeneath(id: number): number {
    return this.sql<[number], number>(
      `WITH RECURSIVE sub(id) AS (SELECT ? UNION ALL SELECT e.id FROM entries e JOIN sub ON e.parent_id = sub.id)
       SELECT COUNT(*) FROM entries WHERE id IN sub AND kind = 'file'`,
    ).pluck().get(id)!;
  }

  /** A folder and every folder beneath it. */
  foldersBeneath(id: number): Array<Pick<EntryRecord, 'rel_path' | 'mtime_ms' | 'inode'>> {
    return this.sql<[number], Pick<EntryRecord, 'rel_path' | 'mtime_ms' | 'inode'>>(
      `WITH RECURSIVE sub(id) AS (SELECT ? UNION ALL SELECT e.id FROM entries e JOIN sub ON e.parent_id = sub.id WHERE e.kind = 'dir')
       SELECT e.rel_path, e.mtime_ms, e.inode FROM entries e JOIN sub ON sub.id = e.id`,
    ).all(id);
  }

  /**
   * A page of a location's ids after AFTERID, files or everything else. `+location_id` keeps
   * SQLite on the rowid range (one pass over the table) instead of the location index.
   */
  idPage(locationId: number, files: boolean, afterId: number, limit: number): Array<{ id: number; parent_id: number | null }> {
    const sql = files
      ? "SELECT id, parent_id FROM entries WHERE id > ? AND +location_id = ? AND kind = 'file' ORDER BY id LIMIT ?"
      : "SELECT id, parent_id FROM entries WHERE id > ? AND +location_id = ? AND kind <> 'file' ORDER BY id LIMIT ?";
    return this.sql<[number, number, number], { id: number; parent_id: number | null }>(sql).all(afterId, locationId, limit);
  }


  /** Every folder of a location with the figures it has now. */
  folders(locationId: number): FolderFigures[] {
    return this.sql<[number], FolderFigures>("SELECT id, parent_id, rel_path, agg_size, agg_files, agg_dirs FROM entries WHERE location_id = ? AND kind = 'dir'").all(locationId);
  }

  /** The files directly in each folder of a location, summed. */
  directFiles(locationId: number): DirectFiles[] {
    // `+location_id`: read the (parent_id, name) index in order, so the grouping needs no sort of every file.
    return this.sql<[number], DirectFiles>(
      "SELECT parent_id, SUM(size) AS size, COUNT(*) AS files FROM entries WHERE +location_id = ? AND kind = 'file' GROUP BY parent_id",
    ).all(locationId);
  }

  setFigures(id: number, size: number, files: number, dirs: number): void {
    this.sql<[number, number, number, number]>('UPDATE entries SET agg_size = ?, agg_files = ?, agg_dirs = ? WHERE id = ?').run(size, files, dirs, id);
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
   * no other file whose name search knows, and are queued without a look.
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
      const older = first.filter(({ file }) => linked.get(file.id)! <= newAbove);
      const named = older.length === 0 ? new Set<number>() : new Set(this.sql<[string], number>(NAMED_ALREADY).pluck().all(JSON.stringify(older.map(({ file }) => [file.id, linked.get(file.id)!]))));
      const queue = first.filter(({ file }) => !named.has(file.id)).map(({ uuid }) => uuid);
      if (queue.length > 0) this.effects.queueForSearch(queue);
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
