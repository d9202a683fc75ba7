import { EntryLinks } from './entry-links.js';
import type { EntryFacts, EntryKind, IdentifiedFacts } from './entry-types.js';
import { FOLDER_CHANGED, FOLDER_MOVED, PARENT_CHANGED } from './entry-numbering.js';
import { forEachChunk, multiRowSql } from './multi-row.js';

export * from './entry-types.js';

const INSERT = `INSERT INTO entries (location_id, parent_id, name, rel_path, kind, size, inode, mtime_ms, ctime_ms, link_target, sync_seq, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const INSERT_COLUMNS = '(location_id, parent_id, name, rel_path, kind, size, inode, mtime_ms, ctime_ms, link_target, sync_seq, created_at, updated_at)';
const INSERT_ROW = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
const INSERT_MANY = multiRowSql(INSERT_ROW, (values) => `INSERT INTO entries ${INSERT_COLUMNS} VALUES ${values}`);
const CHILD_ID = 'SELECT id FROM entries WHERE parent_id = ? AND name = ?';
/**
 * Files' rows written once with their contents (by uuid; NULL: none) and when they were verified.
 * The VALUES rows are (folder id, name, size, inode, mtime, ctime, content uuid, verified at). Each
 * takes its path from its folder's row as it is now, and a file whose folder is gone, or whose
 * name a row took meanwhile, is not written: its folder may have moved or gone (a move vss made,
 * `move-indexed.ts`) between the listing and the write, as rows written at once would have
 * followed it, and the next scan lists such a folder again.
 */
const INSERT_IDENTIFIED = multiRowSql('(?, ?, ?, ?, ?, ?, ?, ?)', (values) => `INSERT INTO entries
  (location_id, parent_id, name, rel_path, kind, size, inode, mtime_ms, ctime_ms, link_target, sync_seq, created_at, updated_at, content_id, verified_at)
  SELECT ?, p.id, v.column2, CASE p.rel_path WHEN '' THEN v.column2 ELSE p.rel_path || '/' || v.column2 END, 'file', v.column3, v.column4, v.column5, v.column6, NULL, NULL, ?, ?,
    (SELECT c.id FROM content_identities c WHERE c.uuid = v.column7), v.column8
  FROM (VALUES ${values}) AS v JOIN entries p ON p.id = v.column1 AND p.kind = 'dir' WHERE true ON CONFLICT DO NOTHING`);
// A folder moved or renamed forgets its own listing digest too: its rows' paths are not yet its new ones.
const SET_FACTS = 'parent_id = ?, name = ?, rel_path = ?, size = ?, inode = ?, mtime_ms = ?, ctime_ms = ?, link_target = ?, updated_at = ?, listing_digest = NULL';
const UPDATE_KEEP = `UPDATE entries SET ${SET_FACTS} WHERE id = ?`;
// Bytes that may differ are no longer the ones verified.
const UPDATE_CLEAR = `UPDATE entries SET ${SET_FACTS}, content_id = NULL, verified_at = NULL WHERE id = ?`;

/**
 * The `entries` table: its reads down a location's tree (EntryTree), its files' links to their
 * contents (EntryLinks) and, here, the writes of its rows, each numbering the folder listings it
 * changes for peers (store/entry-numbering.ts).
 */
export class EntryStore extends EntryLinks {
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

  /**
   * Add files a first scan held back until they were read (indexer/held-files.ts), each row
   * written once, under its folder as it is now (INSERT_IDENTIFIED): with the content its bytes
   * are (by uuid, the content added already; null: not identified) and, hashed whole, verified now. Numbered as `insertMany` numbers new rows; what a
   * link from no content writes besides (migration 048 took it off the INSERT triggers) is written
   * here: contents not above search's mark queued, the grid's version moved.
   */
  insertIdentified(locationId: number, files: readonly IdentifiedFacts[], now = Date.now()): void {
    if (files.length === 0) return;
    const seq = this.effects.nextSeq();
    const parents = new Set<number>();
    for (const { facts } of files) if (facts.parent_id !== null) parents.add(facts.parent_id);
    for (const p of parents) this.sql<[number, number]>(FOLDER_CHANGED).run(seq, p);
    forEachChunk(files.length, (at, n) => {
      const args: Array<string | number | null> = [locationId, now, now];
      for (let i = at; i < at + n; i++) {
        const { facts: f, uuid, verified } = files[i]!;
        args.push(f.parent_id, f.name, f.size, f.inode, f.mtime_ms, f.ctime_ms ?? null, uuid, uuid !== null && verified ? now : null);
      }
      this.sql<Array<string | number | null>>(INSERT_IDENTIFIED.get(n)!).run(...args);
    });
    const linked = files.filter((f) => f.uuid !== null).map((f) => f.uuid!);
    if (linked.length > 0) {
      this.effects.queueUnmarkedForSearch(linked);
      this.effects.moveGridVersion();
    }
  }

  /** The highest entry id given so far (0 with none): a row added after has a higher one. */
  lastId(): number {
    return this.sql<[], number>('SELECT coalesce(max(id), 0) FROM entries').pluck().get()!;
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

  setFigures(id: number, size: number, files: number, dirs: number): void {
    this.sql<[number, number, number, number]>('UPDATE entries SET agg_size = ?, agg_files = ?, agg_dirs = ? WHERE id = ?').run(size, files, dirs, id);
  }
}
