import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3';

/**
 * The Live Photo movies of one location, by what a still can match them on (an identifier, or
 * folder and name stem) and by path, in a scratch SQLite file of its own (no library table: the
 * store of a scratch database, made and deleted by the Live Photo step) in the library's scratch folder:
 * a location of a million movies costs a page cache here, not a million objects in the heap.
 * Deleted on close; a killed scan leaves it for the next job runner, which empties that folder.
 */
export class MovieIndex {
  private readonly db: Db;
  private readonly file: string;
  private readonly insMovie: Statement;
  private readonly insKey: Statement;
  private readonly byKeys: Statement;
  private readonly byPath: Statement;
  private closed = false;
  size = 0;

  constructor(scratchDir: string) {
    mkdirSync(scratchDir, { recursive: true });
    this.file = join(scratchDir, `live-photo-movies-${process.pid}-${randomBytes(4).toString('hex')}.db`);
    this.db = new Database(this.file);
    try {
      // Scratch: nothing to recover after a crash, so no journal and no fsync; the cache stays small.
      this.db.pragma('journal_mode = OFF');
      this.db.pragma('synchronous = OFF');
      this.db.pragma('locking_mode = EXCLUSIVE');
      this.db.pragma('temp_store = FILE');
      this.db.pragma('cache_size = -8000');
      this.db.exec(`
        CREATE TABLE movie (entry_id INTEGER PRIMARY KEY, path TEXT NOT NULL);
        CREATE INDEX movie_by_path ON movie(path);
        CREATE TABLE movie_key (key TEXT NOT NULL, entry_id INTEGER NOT NULL, PRIMARY KEY (key, entry_id)) WITHOUT ROWID;
      `);
    } catch (err) {
      this.close();
      throw err;
    }
    this.insMovie = this.db.prepare('INSERT INTO movie (entry_id, path) VALUES (?, ?)');
    this.insKey = this.db.prepare('INSERT OR IGNORE INTO movie_key (key, entry_id) VALUES (?, ?)');
    this.byKeys = this.db.prepare('SELECT DISTINCT entry_id FROM movie_key WHERE key IN (SELECT value FROM json_each(?)) ORDER BY entry_id').pluck();
    this.byPath = this.db.prepare('SELECT entry_id FROM movie WHERE path = ?').pluck();
  }

  /** Add a page of movies, each with its absolute path and the keys it can be matched on. */
  add(movies: ReadonlyArray<{ entryId: number; path: string; keys: readonly string[] }>): void {
    this.db.transaction(() => {
      for (const m of movies) {
        this.insMovie.run(m.entryId, m.path);
        for (const k of m.keys) this.insKey.run(k, m.entryId);
      }
    })();
    this.size += movies.length;
  }

  /** Entry ids of the movies that carry any of KEYS. */
  matching(keys: Iterable<string>): number[] {
    return this.byKeys.all(JSON.stringify([...keys])) as number[];
  }

  /** The movie entry of this location at an absolute path, if any. */
  at(path: string): number | undefined {
    return this.byPath.get(path) as number | undefined;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try { this.db.close(); } finally { rmSync(this.file, { force: true }); }
  }
}
