import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase, type Db } from './connection.js';
import { MIGRATIONS, currentSchemaVersion, migrate } from './migrations.js';
import { emptyLibraryFile, migratedEmptyImage, newEpoch, writeEmptyLibrary } from './empty-library.js';
import { tempDir } from '../../test/helpers.js';

/** Everything a database holds: its version, its schema, and every row of every table but the epoch. */
function contentsOf(db: Db): unknown {
  const schema = db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").all() as Array<{ type: string; name: string }>;
  const rows: Record<string, unknown[]> = {};
  for (const t of schema) {
    if (t.type !== 'table') continue;
    const all = db.prepare(`SELECT * FROM "${t.name}"`).raw().all() as unknown[][];
    rows[t.name] = (t.name === 'sync_meta' ? all.filter((r) => r[0] !== 'epoch') : all).map((r) => JSON.stringify(r)).sort();
  }
  return { version: currentSchemaVersion(db), schema, rows };
}

const epochOf = (db: Db) => (db.prepare("SELECT value FROM sync_meta WHERE key = 'epoch'").pluck().get() as string);

describe('the empty library database', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('is what the migrations make of an empty database, each made from it with an epoch of its own', () => {
    const migratedPath = join(tmp.path, 'migrated.db');
    const migrated = openDatabase(migratedPath);
    migrate(migrated, migratedPath);
    const made = [1, 2].map((n) => {
      const path = join(tmp.path, `made-${n}.db`);
      writeEmptyLibrary(path);
      const db = openDatabase(path);
      migrate(db, path);
      newEpoch(db);
      return db;
    });
    assert.equal(currentSchemaVersion(made[0]!), MIGRATIONS.at(-1)!.version);
    assert.equal(made[0]!.pragma('journal_mode', { simple: true }), 'wal');
    assert.deepEqual(contentsOf(made[0]!), contentsOf(migrated));
    const epochs = [migrated, ...made].map(epochOf);
    for (const e of epochs) assert.match(e, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(new Set(epochs).size, 3, `every database its own epoch: ${epochs.join(', ')}`);
    for (const db of [migrated, ...made]) db.close();
  });

  it("is refused where a file is already (a library's database is never overwritten)", () => {
    const path = join(tmp.path, 'there.db');
    writeEmptyLibrary(path);
    assert.throws(() => writeEmptyLibrary(path), /EEXIST/);
  });

  it("the build's file, when there, holds what the migrations make now", { skip: existsSync(emptyLibraryFile()) ? false : 'not built (npm run build writes it)' }, () => {
    const file = new Database(readFileSync(emptyLibraryFile()));
    const fresh = new Database(migratedEmptyImage());
    assert.deepEqual(contentsOf(file), contentsOf(fresh));
    file.close();
    fresh.close();
  });
});
