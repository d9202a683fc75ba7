import Database from 'better-sqlite3';
import { VssError } from '../core/errors.js';

export interface SnapshotFacts {
  library_id: string;
  library_name: string;
  made_at: number;
  schema_version: number;
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
