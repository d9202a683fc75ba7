/**
 * The SQL of a library's snapshot file (library/snapshot.ts makes and restores them): its check
 * and mark, read back, and taken out again of a database restored from it. A snapshot is a
 * database file of its own, opened here apart from the library's connection.
 */
import Database from 'better-sqlite3';
import { VssError } from '../core/errors.js';
import type { Db } from './connection.js';
import { MIGRATIONS } from './migrations.js';

export interface SnapshotFacts {
  library_id: string;
  library_name: string;
  made_at: number;
  schema_version: number;
}

/**
 * The database at SOURCE copied whole to DEST by SQLite's online backup through a connection of
 * its own, read-only: every page in one step, so in one read transaction (a snapshot of one
 * moment, the WAL letting the library's own connection write meanwhile: nothing of it waits). The
 * first step only opens the copy; the second copies everything, starting again if a write came
 * between the two. Run off the main thread (the copy's commit flushes the whole file).
 */
export async function copyDatabase(source: string, dest: string): Promise<void> {
  const from = new Database(source, { readonly: true, fileMustExist: true });
  try {
    await from.backup(dest, { progress: () => 0x7fffffff });
  } finally {
    from.close();
  }
}

/** The copy at PATH checked (quick_check), its facts written in, made one file (journal, not WAL). */
export function markSnapshot(path: string, facts: SnapshotFacts): void {
  const copy = new Database(path);
  try {
    const check = copy.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new VssError('IO', `the copy of the library's database failed its check: ${String(check)}`, { path });
    copy.pragma('journal_mode = DELETE');
    copy.exec(`CREATE TABLE IF NOT EXISTS vss_snapshot (library_id TEXT NOT NULL, library_name TEXT NOT NULL, made_at INTEGER NOT NULL, schema_version INTEGER NOT NULL);
      DELETE FROM vss_snapshot;`);
    copy.prepare('INSERT INTO vss_snapshot (library_id, library_name, made_at, schema_version) VALUES (?, ?, ?, ?)').run(facts.library_id, facts.library_name, facts.made_at, facts.schema_version);
  } finally {
    copy.close();
  }
}

/**
 * What the snapshot at PATH is of, checked whole (integrity_check): refused, saying why, when it is
 * not a snapshot vss made, is damaged, or is of a newer vss than this one.
 */
export function readSnapshotMark(path: string): SnapshotFacts {
  let copy: Database.Database;
  try {
    copy = new Database(path, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new VssError('USAGE', `${path} cannot be opened as a snapshot: ${(err as Error).message}`, { path, cause: err });
  }
  try {
    let facts: SnapshotFacts | undefined;
    try {
      facts = copy.prepare('SELECT library_id, library_name, made_at, schema_version FROM vss_snapshot').get() as SnapshotFacts | undefined;
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      // A damaged file reads as damaged, not as something else: only a file without the mark is "not a snapshot".
      if (/CORRUPT|NOTADB|IOERR/.test(code)) throw new VssError('IO', `${path} is damaged (${(err as Error).message}): it is not restored`, { path, cause: err });
      facts = undefined;
    }
    if (!facts) throw new VssError('USAGE', `${path} is not a snapshot of a library (vss library backup makes them)`, { path });
    const check = copy.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new VssError('IO', `${path} is damaged (SQLite's integrity check: ${String(check)}): it is not restored`, { path });
    const newest = MIGRATIONS[MIGRATIONS.length - 1]!.version;
    if (facts.schema_version > newest) throw new VssError('USAGE', `${path} was made by a newer vss (schema ${facts.schema_version}; this one knows ${newest}): update vss first`, { path });
    return facts;
  } finally {
    copy.close();
  }
}

/** A database restored from a snapshot (DB, open as a library's: its WAL journal) without the snapshot's mark. */
export function dropSnapshotMark(db: Db): void {
  db.exec('DROP TABLE IF EXISTS vss_snapshot');
}

/** Copy the snapshot at PATH over DATABASEFILE (a new file, or a database no one writes to): SQLite's online backup from it, one transaction on the destination. */
export async function copySnapshotOver(path: string, databaseFile: string): Promise<void> {
  const copy = new Database(path, { readonly: true, fileMustExist: true });
  try {
    await copy.backup(databaseFile);
  } finally {
    copy.close();
  }
}
