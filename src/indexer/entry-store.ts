import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/connection.js';

export type EntryKind = 'file' | 'dir' | 'symlink';

export interface EntryRow {
  id: number;
  name: string;
  rel_path: string;
  kind: EntryKind;
  size: number;
  inode: number | null;
  mtime_ms: number | null;
  link_target: string | null;
  content_id: number | null;
}

export interface EntryFacts {
  parentId: number | null;
  name: string;
  relPath: string;
  kind: EntryKind;
  size: number;
  inode: number;
  mtimeMs: number;
  linkTarget: string | null;
}

/** The prepared statements the indexer runs against `entries`, in one place. */
export class EntryStore {
  private readonly sChildren: Statement;
  private readonly sByInode: Statement;
  private readonly sInsert: Statement;
  private readonly sUpdateKeep: Statement;
  private readonly sUpdateClear: Statement;
  private readonly sDelete: Statement;
  private readonly sCount: Statement;

  constructor(db: Db, private readonly locationId: number) {
    const cols = 'id, name, rel_path, kind, size, inode, mtime_ms, link_target, content_id';
    this.sChildren = db.prepare(`SELECT ${cols} FROM entries WHERE parent_id = ?`);
    this.sByInode = db.prepare(`SELECT ${cols} FROM entries WHERE location_id = ? AND inode = ? LIMIT 8`);
    this.sInsert = db.prepare(
      `INSERT INTO entries (location_id, parent_id, name, rel_path, kind, size, inode, mtime_ms, link_target, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const set = 'parent_id = ?, name = ?, rel_path = ?, size = ?, inode = ?, mtime_ms = ?, link_target = ?, updated_at = ?';
    this.sUpdateKeep = db.prepare(`UPDATE entries SET ${set} WHERE id = ?`);
    this.sUpdateClear = db.prepare(`UPDATE entries SET ${set}, content_id = NULL WHERE id = ?`);
    this.sDelete = db.prepare('DELETE FROM entries WHERE id = ?');
    this.sCount = db.prepare('SELECT COUNT(*) AS n FROM entries WHERE location_id = ?');
  }

  children(parentId: number): EntryRow[] {
    return this.sChildren.all(parentId) as EntryRow[];
  }

  byInode(inode: number): EntryRow[] {
    return this.sByInode.all(this.locationId, inode) as EntryRow[];
  }

  count(): number {
    return (this.sCount.get(this.locationId) as { n: number }).n;
  }

  insert(f: EntryFacts): number {
    const now = Date.now();
    const r = this.sInsert.run(this.locationId, f.parentId, f.name, f.relPath, f.kind, f.size, f.inode, f.mtimeMs, f.linkTarget, now, now);
    return Number(r.lastInsertRowid);
  }

  /** Rewrite an entry's facts; its content identity is dropped when the bytes may differ. */
  update(id: number, f: EntryFacts, clearContent: boolean): void {
    const stmt = clearContent ? this.sUpdateClear : this.sUpdateKeep;
    stmt.run(f.parentId, f.name, f.relPath, f.size, f.inode, f.mtimeMs, f.linkTarget, Date.now(), id);
  }

  delete(id: number): void {
    this.sDelete.run(id);
  }
}
