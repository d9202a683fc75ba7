import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDatabase } from '../db/connection.js';
import { migrate } from '../db/migrations.js';
import { tempDir } from '../../test/helpers.js';
import { GridOrderCache } from './grid-order.js';
import { BrowseStore } from '../store/browse.js';
import type { EntryFacts } from '../store/entries.js';
import type { SidecarWrite } from '../store/sidecars.js';
import { Stores } from '../store/stores.js';

describe('the grid order (migration 009 and its cache)', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());
  const path = join(tmp.path, 'db.sqlite');
  const db = openDatabase(path);
  migrate(db, path);
  after(() => db.close());
  const store = new Stores(db, 'd');
  const deviceId = store.devices.upsertSelf({ uuid: 'd', name: 'n', publicKey: 'k' }, 0);
  const loc = store.locations.insert({ uuid: 'l', device_id: deviceId, name: 'l', path: '/l', kind: 'disk', index_mode: 'deep', ignore_rules: '[]', generation: null }, 0);
  const root = store.entries.insertRoot(loc, '', 0, 0, 0);
  const ids = new Map<string, number>();
  /** Each content's one copy: its entry id and the facts it was written with (a rename rewrites them). */
  const copies = new Map<number, { id: number } & EntryFacts>();
  let inode = 0;
  /** A content named NAME, captured at AT (ISO with offset) or undated, with one copy. */
  const add = (name: string, at: string | null, meta?: string) => {
    const m = meta ?? JSON.stringify(at === null ? { v: 1 } : { v: 1, captured_at: at, captured_ms: Date.parse(at) });
    const id = store.contents.upsert({ uuid: `u-${name}`, cas_id: `c-${name}`, cas_version: 1, kind: 'image', mime: 'image/jpeg', size: 1 }, 0);
    store.contents.setMediaMetadata(id, m);
    const facts: EntryFacts = { parent_id: root, name, rel_path: name, kind: 'file', size: 1, inode: ++inode, mtime_ms: 0, link_target: null };
    const entry = store.entries.insert(loc, facts, 0);
    assert.ok(store.entries.linkContent({ ...facts, id: entry }, id, 0));
    copies.set(id, { ...facts, id: entry });
    ids.set(name, id);
    return id;
  };
  const copyOf = (name: string) => copies.get(ids.get(name)!)!;
  const names = (cache: GridOrderCache) => Array.from(cache.current().ids, (id) => [...ids].find(([, v]) => v === id)![0]);

  add('b.jpg', '2024-05-01T10:00:00+02:00');
  add('a.jpg', '2024-05-01T10:00:00+02:00'); // the same instant: by name
  add('late.jpg', '2024-05-01T23:30:00-07:00'); // the next UTC day, but the camera's clock says May 1st
  add('old.jpg', '2019-01-02T08:00:00Z');
  add('z-undated.png', null);
  add('m-undated.png', null);
  add('broken.jpg', null, '{not json'); // crafted on purpose: metadata no reader wrote, which the order must survive
  add('other-version.jpg', null, JSON.stringify({ v: 2, captured_at: '2030-01-01T00:00:00Z', captured_ms: 1 }));
  const cache = new GridOrderCache(new BrowseStore(db), { minRebuildMs: 0 });

  it('orders by the capture clock\'s day and the instant, newest first, ties by name; undated (or unreadable) last, by name', () => {
    assert.deepEqual(names(cache), ['late.jpg', 'a.jpg', 'b.jpg', 'old.jpg', 'broken.jpg', 'm-undated.png', 'other-version.jpg', 'z-undated.png']);
    assert.deepEqual(cache.current().days, [{ day: '2024-05-01', count: 3 }, { day: '2019-01-02', count: 1 }, { day: null, count: 4 }]);
  });

  it('is kept until something that moves a content changes, then read again', () => {
    const first = cache.current();
    assert.equal(cache.current(), first, 'no change: the same order');
    const a = copyOf('a.jpg');
    store.entries.update(a.id, { ...a, mtime_ms: 5 }, false);
    assert.equal(cache.current(), first, 'an mtime moves nothing');
    store.entries.update(a.id, { ...a, mtime_ms: 5, name: 'c.jpg', rel_path: 'c.jpg' }, false);
    ids.set('c.jpg', ids.get('a.jpg')!);
    ids.delete('a.jpg');
    assert.deepEqual(names(cache).slice(0, 3), ['late.jpg', 'b.jpg', 'c.jpg'], 'a rename');
    store.contents.setMediaMetadata(ids.get('z-undated.png')!, JSON.stringify({ v: 1, captured_at: '2025-01-01T00:00:00Z', captured_ms: Date.parse('2025-01-01T00:00:00Z') }), true);
    assert.equal(names(cache)[0], 'z-undated.png', 'metadata read later');
    assert.ok(store.entries.delete(copyOf('old.jpg').id));
    assert.ok(!names(cache).includes('old.jpg'), 'a content with no copy left');
  });

  it('while changes keep coming, reads the order again at most every minRebuildMs, serving the last one between', () => {
    let now = 1_000_000;
    const slow = new GridOrderCache(new BrowseStore(db), { minRebuildMs: 2000, now: () => now });
    const first = slow.current();
    assert.equal(first.version, store.browse.version(), 'the version read with the order');
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
    const saved = [...ids.values()].map((id) => [id, store.contents.byId(id)!.media_metadata!] as const);
    for (const [id] of saved) store.contents.setMediaMetadata(id, JSON.stringify({ v: 1 }), true);
    const undated = names(cache);
    assert.equal(undated.length, few.length);
    assert.deepEqual(undated, [...few].sort());
    assert.deepEqual(cache.current().days, [{ day: null, count: undated.length }]);
    for (const [id, m] of saved) store.contents.setMediaMetadata(id, m, true);
  });

  it("hides a Live Photo's movie behind its still once the movie is recorded as the still's sidecar", () => {
    const movie = add('movie.mov', '2024-05-01T10:00:01+02:00');
    assert.ok(names(cache).includes('movie.mov'));
    const reference: SidecarWrite = {
      uuid: 's', content_uuid: 'u-b.jpg', kind: 'live_photo_video', variant: 'original', format: 'mov', rel_path: 'r',
      source_entry_id: copies.get(movie)!.id, size: 1, checksum: 'x', status: 'ready', source: 'reference', generator: null, error: null, attempts: null,
    };
    store.sidecars.upsert(reference, 0);
    assert.ok(!names(cache).includes('movie.mov'));
    store.sidecars.upsert({ ...reference, status: 'missing' }, 0);
    assert.ok(names(cache).includes('movie.mov'), 'shown again when the reference is lost');
  });
});
