import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDatabase } from '../db/connection.js';
import { migrate } from '../db/migrations.js';
import { tempDir } from '../../test/helpers.js';
import { GridOrderCache } from './grid-order.js';
import { BrowseStore } from '../store/browse.js';

describe('the grid order (migration 009 and its cache)', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());
  const path = join(tmp.path, 'db.sqlite');
  const db = openDatabase(path);
  migrate(db, path);
  after(() => db.close());
  db.prepare("INSERT INTO devices (id, uuid, name, public_key, created_at, last_seen_at) VALUES (1, 'd', 'n', 'k', 0, 0)").run();
  db.prepare("INSERT INTO locations (id, uuid, device_id, name, path, index_mode, created_at) VALUES (1, 'l', 1, 'l', '/l', 'deep', 0)").run();
  const root = Number(db.prepare("INSERT INTO entries (location_id, name, rel_path, kind, created_at, updated_at) VALUES (1, '', '', 'dir', 0, 0)").run().lastInsertRowid);
  const insC = db.prepare("INSERT INTO content_identities (uuid, cas_id, cas_version, kind, mime, size, media_metadata, created_at) VALUES (?, ?, 1, 'image', 'image/jpeg', 1, ?, 0)");
  const insE = db.prepare("INSERT INTO entries (location_id, parent_id, name, rel_path, kind, content_id, created_at, updated_at) VALUES (1, ?, ?, ?, 'file', ?, 0, 0)");
  const ids = new Map<string, number>();
  /** A content named NAME, captured at AT (ISO with offset) or undated, with one copy. */
  const add = (name: string, at: string | null, meta?: string) => {
    const m = meta ?? JSON.stringify(at === null ? { v: 1 } : { v: 1, captured_at: at, captured_ms: Date.parse(at) });
    const id = Number(insC.run(`u-${name}`, `c-${name}`, m).lastInsertRowid);
    insE.run(root, name, name, id);
    ids.set(name, id);
    return id;
  };
  const names = (cache: GridOrderCache) => Array.from(cache.current().ids, (id) => [...ids].find(([, v]) => v === id)![0]);

  add('b.jpg', '2024-05-01T10:00:00+02:00');
  add('a.jpg', '2024-05-01T10:00:00+02:00'); // the same instant: by name
  add('late.jpg', '2024-05-01T23:30:00-07:00'); // the next UTC day, but the camera's clock says May 1st
  add('old.jpg', '2019-01-02T08:00:00Z');
  add('z-undated.png', null);
  add('m-undated.png', null);
  add('broken.jpg', null, '{not json');
  add('other-version.jpg', null, JSON.stringify({ v: 2, captured_at: '2030-01-01T00:00:00Z', captured_ms: 1 }));
  const cache = new GridOrderCache(new BrowseStore(db), { minRebuildMs: 0 });

  it('orders by the capture clock\'s day and the instant, newest first, ties by name; undated (or unreadable) last, by name', () => {
    assert.deepEqual(names(cache), ['late.jpg', 'a.jpg', 'b.jpg', 'old.jpg', 'broken.jpg', 'm-undated.png', 'other-version.jpg', 'z-undated.png']);
    assert.deepEqual(cache.current().days, [{ day: '2024-05-01', count: 3 }, { day: '2019-01-02', count: 1 }, { day: null, count: 4 }]);
  });

  it('is kept until something that moves a content changes, then read again', () => {
    const first = cache.current();
    assert.equal(cache.current(), first, 'no change: the same order');
    db.prepare("UPDATE entries SET mtime_ms = 5 WHERE name = 'a.jpg'").run();
    assert.equal(cache.current(), first, 'an mtime moves nothing');
    db.prepare("UPDATE entries SET name = 'c.jpg' WHERE name = 'a.jpg'").run();
    ids.set('c.jpg', ids.get('a.jpg')!);
    ids.delete('a.jpg');
    assert.deepEqual(names(cache).slice(0, 3), ['late.jpg', 'b.jpg', 'c.jpg'], 'a rename');
    db.prepare('UPDATE content_identities SET media_metadata = ? WHERE id = ?').run(JSON.stringify({ v: 1, captured_at: '2025-01-01T00:00:00Z', captured_ms: Date.parse('2025-01-01T00:00:00Z') }), ids.get('z-undated.png'));
    assert.equal(names(cache)[0], 'z-undated.png', 'metadata read later');
    db.prepare("DELETE FROM entries WHERE name = 'old.jpg'").run();
    assert.ok(!names(cache).includes('old.jpg'), 'a content with no copy left');
  });

  it('while changes keep coming, reads the order again at most every minRebuildMs, serving the last one between', () => {
    let now = 1_000_000;
    const slow = new GridOrderCache(new BrowseStore(db), { minRebuildMs: 2000, now: () => now });
    const first = slow.current();
    assert.equal(first.version, (db.prepare('SELECT n FROM grid_version').pluck().get() as number), 'the version read with the order');
    add('burst-1.jpg', null);
    now += 1999;
    assert.equal(slow.current(), first, 'too soon: the last order, with its version');
    now += 1;
    const second = slow.current();
    assert.notEqual(second, first);
    assert.ok(second.version > first.version);
    assert.ok(Array.from(second.ids).includes(ids.get('burst-1.jpg')!));
    now += 5000;
    assert.equal(slow.current(), second, 'nothing moved: the same order, however late');
  });

  it('sorts ties by name whichever way the names are read (few ties: one by one; many: one pass)', () => {
    // Many contents of their own instant: the few ties' names are looked up one by one.
    for (let i = 0; i < 40; i++) add(`solo-${String(i).padStart(2, '0')}.jpg`, new Date(Date.UTC(2010, 0, 1 + i)).toISOString());
    const few = names(cache);
    const undatedFew = few.slice(few.length - cache.current().days.at(-1)!.count);
    assert.deepEqual(undatedFew, ['broken.jpg', 'burst-1.jpg', 'm-undated.png', 'other-version.jpg'], 'undated by name');
    assert.deepEqual(few.filter((n) => n.startsWith('solo-')), Array.from({ length: 40 }, (_, i) => `solo-${String(39 - i).padStart(2, '0')}.jpg`), 'newest first');
    // Everything undated: every content ties, so the names are read in one pass.
    const saved = db.prepare('SELECT id, media_metadata FROM content_identities').raw().all() as Array<[number, string]>;
    db.prepare('UPDATE content_identities SET media_metadata = ?').run(JSON.stringify({ v: 1 }));
    const undated = names(cache);
    assert.equal(undated.length, few.length);
    assert.deepEqual(undated, [...few].sort());
    assert.deepEqual(cache.current().days, [{ day: null, count: undated.length }]);
    const put = db.prepare('UPDATE content_identities SET media_metadata = ? WHERE id = ?');
    for (const [id, m] of saved) put.run(m, id);
  });

  it("hides a Live Photo's movie behind its still once the movie is recorded as the still's sidecar", () => {
    const movie = add('movie.mov', '2024-05-01T10:00:01+02:00');
    assert.ok(names(cache).includes('movie.mov'));
    const entry = (db.prepare('SELECT id FROM entries WHERE content_id = ?').get(movie) as { id: number }).id;
    db.prepare(`INSERT INTO sidecars (uuid, content_uuid, kind, variant, format, rel_path, source_entry_id, size, checksum, status, source, created_at, updated_at)
      VALUES ('s', 'u-b.jpg', 'live_photo_video', 'original', 'mov', 'r', ?, 1, 'x', 'ready', 'reference', 0, 0)`).run(entry);
    assert.ok(!names(cache).includes('movie.mov'));
    db.prepare("UPDATE sidecars SET status = 'missing' WHERE uuid = 's'").run();
    assert.ok(names(cache).includes('movie.mov'), 'shown again when the reference is lost');
  });
});
