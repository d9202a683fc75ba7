import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../test/helpers.js';
import { BackgroundCheckpoints } from './checkpointer.js';
import { CHECKPOINT_PAGES, openDatabase } from './connection.js';

/** Polls CHECK every 20 ms until it holds or MS pass. */
async function until(what: string, ms: number, check: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('a large write checkpointed by a thread of its own', () => {
  const tmp = tempDir('vss-checkpointer-');
  after(() => tmp.cleanup());

  it('the writer leaves its WAL to the thread, which copies it into the database; a stop gives the writer its own bound back', async () => {
    const path = join(tmp.path, 'library.db');
    const db = openDatabase(path);
    try {
      db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)');
      const empty = statSync(path).size;
      const checkpoints = BackgroundCheckpoints.start(db);
      assert.ok(checkpoints);
      const bound = Number(db.pragma('wal_autocheckpoint', { simple: true }));
      assert.ok(bound > 10 * CHECKPOINT_PAGES, `the writer's own bound is far while the thread runs (${bound})`);
      // 16 MiB in one commit: past SQLite's own bound, which would have made this thread checkpoint it.
      const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
      db.transaction(() => { for (let i = 0; i < 4096; i++) insert.run(Buffer.alloc(4096, i % 251)); })();
      assert.ok(statSync(path).size < empty + 1024 * 1024, 'the commit itself copied nothing into the database');
      // Only a checkpoint writes pages into the database file: the thread's, as the writer's bound is far.
      await until('the thread to checkpoint the commit', 10_000, () => statSync(path).size >= empty + 16 * 1024 * 1024);
      await checkpoints.stop();
      assert.equal(Number(db.pragma('wal_autocheckpoint', { simple: true })), CHECKPOINT_PAGES);
      assert.equal(db.prepare('SELECT count(*) FROM t').pluck().get(), 4096);
    } finally {
      db.close();
    }
  });

  it('a database in memory has none', () => {
    const db = openDatabase(':memory:');
    try {
      assert.equal(BackgroundCheckpoints.start(db), undefined);
    } finally {
      db.close();
    }
  });
});
