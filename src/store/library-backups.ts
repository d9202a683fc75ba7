import type { Db } from '../db/connection.js';
import { statementCache, type Prepared } from './statements.js';

/** A `library_backups` row (migration 037): a snapshot of the library's database this device made. */
export interface LibraryBackupRecord {
  id: number;
  snapshot: string;
  path: string;
  bytes: number;
  blake3: string;
  made_at: number;
  target: string;
  volume_id: number | null;
}

/** The `library_backups` table. */
export class LibraryBackupStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  add(r: Omit<LibraryBackupRecord, 'id'>): void {
    this.sql<[string, string, number, string, number, string, number | null]>(
      `INSERT INTO library_backups (snapshot, path, bytes, blake3, made_at, target, volume_id) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(path) DO UPDATE SET snapshot = excluded.snapshot, bytes = excluded.bytes, blake3 = excluded.blake3, made_at = excluded.made_at, target = excluded.target, volume_id = excluded.volume_id`,
    ).run(r.snapshot, r.path, r.bytes, r.blake3, r.made_at, r.target, r.volume_id);
  }

  /** Every snapshot recorded, newest first. */
  list(): LibraryBackupRecord[] {
    return this.sql<[], LibraryBackupRecord>('SELECT * FROM library_backups ORDER BY made_at DESC, id DESC').all();
  }

  /** The snapshots made to TARGET, newest first. */
  ofTarget(target: string): LibraryBackupRecord[] {
    return this.sql<[string], LibraryBackupRecord>('SELECT * FROM library_backups WHERE target = ? ORDER BY made_at DESC, id DESC').all(target);
  }

  remove(id: number): void {
    this.sql<[number]>('DELETE FROM library_backups WHERE id = ?').run(id);
  }
}
