import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDatabase } from './connection.js';
import { MIGRATIONS, currentSchemaVersion, migrate } from './migrations.js';
import { tempDir } from '../../test/helpers.js';

describe('migrations', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('bring a new database to the newest version in WAL mode, and are idempotent', () => {
    const path = join(tmp.path, 'db.sqlite');
    const db = openDatabase(path);
    migrate(db, path);
    assert.equal(currentSchemaVersion(db), MIGRATIONS.at(-1)!.version);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    migrate(db, path);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((t) => t.name);
    for (const t of ['devices', 'locations', 'entries', 'content_identities', 'sidecars', 'sidecar_availability']) assert.ok(tables.includes(t), t);
    db.close();
  });

  it('upgrade a database made at an older version, keeping its rows', () => {
    const path = join(tmp.path, 'old.sqlite');
    const db = openDatabase(path);
    db.exec(MIGRATIONS[0]!.sql);
    db.pragma('user_version = 1');
    db.prepare("INSERT INTO devices (uuid, name, public_key, created_at, last_seen_at) VALUES ('d', 'n', 'k', 0, 0)").run();
    migrate(db, path);
    assert.equal(currentSchemaVersion(db), MIGRATIONS.at(-1)!.version);
    assert.equal((db.prepare('SELECT COUNT(*) AS n FROM devices').get() as { n: number }).n, 1);
    db.close();
  });

  it('queue the contents with OCR to be searched again under the line rule (v10), and nothing else', () => {
    const path = join(tmp.path, 'v9.sqlite');
    const db = openDatabase(path);
    for (const m of MIGRATIONS.filter((x) => x.version <= 9)) db.exec(m.sql);
    db.pragma('user_version = 9');
    const sidecar = db.prepare(`INSERT INTO sidecars (uuid, content_uuid, kind, variant, format, rel_path, size, checksum, status, source, created_at, updated_at)
      VALUES (?, ?, ?, 'default', 'json', ?, ?, ?, ?, 'generated', 0, 0)`);
    sidecar.run('s1', 'c-ocr', 'ocr', 'a', 1, 'x', 'ready');
    sidecar.run('s2', 'c-transcript', 'transcript', 'b', 1, 'x', 'ready');
    sidecar.run('s3', 'c-failed', 'ocr', 'c', null, null, 'failed');
    sidecar.run('s4', 'c-queued', 'ocr', 'd', 1, 'x', 'ready');
    // Whatever the queue holds stays (one already queued is not an error); nothing but OCR is added.
    db.exec("DELETE FROM search_pending; INSERT INTO search_pending VALUES ('c-queued'), ('c-other')");
    migrate(db, path);
    assert.deepEqual(db.prepare('SELECT content_uuid FROM search_pending ORDER BY 1').pluck().all(), ['c-ocr', 'c-other', 'c-queued']);
    db.close();
  });

  it('give paired devices\' contents ids and point their entries at them (v16), keeping every row', () => {
    const path = join(tmp.path, 'v14.sqlite');
    const db = openDatabase(path);
    for (const m of MIGRATIONS.filter((x) => x.version <= 14)) db.exec(m.sql);
    db.pragma('user_version = 14');
    const entry = db.prepare('INSERT INTO peer_entries (device_uuid, location_id, dir_path, name, kind, size, mtime_ms, content_uuid, pull) VALUES (?, 1, ?, ?, ?, 1, 0, ?, 3)');
    const content = db.prepare("INSERT INTO peer_contents (device_uuid, content_uuid, cas_id, cas_version, kind, mime, size, media_metadata) VALUES (?, ?, ?, 1, 'image', 'image/jpeg', 1, NULL)");
    content.run('dev-a', 'c1', 'cas1');
    content.run('dev-b', 'c1', 'cas1');
    content.run('dev-a', 'c2', 'cas2');
    entry.run('dev-a', '', 'x.jpg', 'file', 'c1');
    entry.run('dev-a', 'sub', 'y.jpg', 'file', 'c2');
    entry.run('dev-a', '', 'sub', 'dir', null);
    entry.run('dev-b', '', 'z.jpg', 'file', 'c1');
    // An entry whose content its owner never described (owners send both together): it keeps no content.
    entry.run('dev-b', '', 'w.jpg', 'file', 'c9');
    migrate(db, path);
    assert.deepEqual(db.prepare(
      `SELECT e.device_uuid, e.dir_path, e.name, e.kind, c.content_uuid, c.device_uuid AS holder, e.pull FROM peer_entries e LEFT JOIN peer_contents c ON c.id = e.content_id
       ORDER BY e.device_uuid, e.dir_path, e.name`,
    ).raw().all(), [
      ['dev-a', '', 'sub', 'dir', null, null, 3], ['dev-a', '', 'x.jpg', 'file', 'c1', 'dev-a', 3], ['dev-a', 'sub', 'y.jpg', 'file', 'c2', 'dev-a', 3],
      ['dev-b', '', 'w.jpg', 'file', null, null, 3], ['dev-b', '', 'z.jpg', 'file', 'c1', 'dev-b', 3],
    ]);
    assert.deepEqual(db.prepare('SELECT device_uuid, content_uuid, cas_id FROM peer_contents ORDER BY id').raw().all(), [['dev-a', 'c1', 'cas1'], ['dev-a', 'c2', 'cas2'], ['dev-b', 'c1', 'cas1']]);
    db.close();
  });

  it('move every feed\'s cursor into the one cursor table (v21), keeping each one\'s place', () => {
    const path = join(tmp.path, 'v20.sqlite');
    const db = openDatabase(path);
    for (const m of MIGRATIONS.filter((x) => x.version <= 20)) db.exec(m.sql);
    db.pragma('user_version = 20');
    db.prepare(`INSERT INTO peer_library_cursor (device_uuid, epoch, seq, pull_full, pull_to_seq, pull_after_seq, pull_after_id, pull_after_name, pull_number, last_pull_at)
      VALUES ('dev-a', 'ep-a', 7, 1, 9, 4, 12, 'x.jpg', 3, 1000), ('dev-b', 'ep-b', 5, NULL, NULL, NULL, NULL, NULL, 2, 2000)`).run();
    db.prepare("INSERT INTO shared_cursor (device_uuid, epoch, seq) VALUES ('dev-a', 'sh-a', 40)").run();
    db.prepare(`INSERT INTO peer_sync (device_uuid, epoch, seq, entries, last_exchange_at, bytes_fetched, files_fetched, failures)
      VALUES ('dev-a', 'av-a', 11, 6, 3000, 100, 2, 1), ('dev-c', NULL, 0, 0, NULL, 50, 1, 0)`).run();
    migrate(db, path);
    assert.deepEqual(db.prepare('SELECT * FROM feed_cursors ORDER BY feed, device_uuid').raw().all(), [
      ['dev-a', 'availability', 'av-a', 11, null, null, null, null, null, 0, 3000],
      // v41 then asks each owner's rows again in full (the pull numbers and times stay): they come signed, to pass on.
      ['dev-a', 'library', null, 0, null, null, null, null, null, 3, 1000],
      ['dev-b', 'library', null, 0, null, null, null, null, null, 2, 2000],
      ['dev-a', 'shared', 'sh-a', 40, null, null, null, null, null, 0, null],
    ]);
    // peer_sync keeps what is not a cursor: the entries held and the transfers' counters.
    assert.deepEqual(db.prepare('SELECT * FROM peer_sync ORDER BY device_uuid').raw().all(), [['dev-a', 6, 100, 2, 1], ['dev-c', 0, 50, 1, 0]]);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    assert.ok(!tables.includes('peer_library_cursor') && !tables.includes('shared_cursor'));
    // The grid still hears of a library cursor's changes, and only of those.
    const bumps = () => db.prepare('SELECT n FROM grid_peer_version').pluck().get() as number;
    // A pull under way again (v41 cleared them): its first page shows no change, its next ones do.
    db.prepare("UPDATE feed_cursors SET pull_full = 1, pull_to_seq = 9, pull_after_seq = 4, pull_after_id = 12, pull_after_name = 'x.jpg' WHERE device_uuid = 'dev-a' AND feed = 'library'").run();
    const before = bumps();
    db.prepare("DELETE FROM feed_cursors WHERE feed = 'shared'").run();
    assert.equal(bumps(), before);
    db.prepare("UPDATE feed_cursors SET pull_after_id = 13 WHERE device_uuid = 'dev-a' AND feed = 'library'").run();
    db.prepare("DELETE FROM feed_cursors WHERE device_uuid = 'dev-b'").run();
    assert.equal(bumps(), before + 2);
    db.close();
  });

  it('record each location\'s kind (v42) from the one form its path had: a bucket\'s `s3://`, exactly; every other a disk\'s', () => {
    const path = join(tmp.path, 'v41.sqlite');
    const db = openDatabase(path);
    for (const m of MIGRATIONS.filter((x) => x.version <= 41)) db.exec(m.sql);
    db.pragma('user_version = 41');
    db.prepare("INSERT INTO devices (uuid, name, public_key, created_at, last_seen_at) VALUES ('d', 'n', 'k', 0, 0)").run();
    const paths = ['/home/me/Pictures', 's3://photos/camera', 's3://photos', '/mnt/s3://x', 'S3://upper/case', 's3:/one-slash'];
    paths.forEach((p, i) => db.prepare("INSERT INTO locations (uuid, device_id, name, path, index_mode, created_at) VALUES (?, 1, 'l', ?, 'content', 0)").run(`u${i}`, p));
    migrate(db, path);
    assert.deepEqual(db.prepare('SELECT path, kind FROM locations ORDER BY id').raw().all(), [
      ['/home/me/Pictures', 'disk'], ['s3://photos/camera', 'bucket'], ['s3://photos', 'bucket'], ['/mnt/s3://x', 'disk'], ['S3://upper/case', 'disk'], ['s3:/one-slash', 'disk'],
    ]);
    db.close();
  });

  it('number each empty folder never numbered (v44), with one new number, so the next delta brings it; nothing else', () => {
    const path = join(tmp.path, 'v43.sqlite');
    const db = openDatabase(path);
    for (const m of MIGRATIONS.filter((x) => x.version <= 43)) db.exec(m.sql);
    db.pragma('user_version = 43');
    db.prepare("INSERT INTO devices (uuid, name, public_key, created_at, last_seen_at) VALUES ('d', 'n', 'k', 0, 0)").run();
    db.prepare("INSERT INTO locations (uuid, device_id, name, path, index_mode, created_at) VALUES ('u', 1, 'l', '/p', 'content', 0)").run();
    const row = db.prepare("INSERT INTO entries (location_id, parent_id, name, rel_path, kind, size, sync_seq, created_at, updated_at) VALUES (1, ?, ?, ?, ?, 0, ?, 0, 0)");
    const root = Number(row.run(null, 'p', '', 'dir', 5).lastInsertRowid);
    row.run(root, 'empty', 'empty', 'dir', null);
    row.run(root, 'emptied', 'emptied', 'dir', 3);
    const full = Number(row.run(root, 'full', 'full', 'dir', null).lastInsertRowid);
    row.run(full, 'a.jpg', 'full/a.jpg', 'file', null);
    db.exec("INSERT OR REPLACE INTO sync_meta (key, value) VALUES ('seq', '7')");
    migrate(db, path);
    assert.deepEqual(db.prepare('SELECT rel_path, sync_seq FROM entries ORDER BY id').raw().all(), [['', 5], ['empty', 8], ['emptied', 3], ['full', null], ['full/a.jpg', null]]);
    assert.equal(db.prepare("SELECT value FROM sync_meta WHERE key = 'seq'").pluck().get(), '8');
    db.close();
  });

  it('refuse a database made by a newer vss', () => {
    const path = join(tmp.path, 'newer.sqlite');
    const db = openDatabase(path);
    db.pragma('user_version = 999');
    assert.throws(() => migrate(db, path), /newer than this vss/);
    db.close();
  });
});
