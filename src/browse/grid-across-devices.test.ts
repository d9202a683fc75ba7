import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDatabase } from '../db/connection.js';
import { migrate } from '../db/migrations.js';
import { tempDir } from '../../test/helpers.js';
import { readContentDetail, type DetailContext } from './content-detail.js';
import { GridOrderCache } from './grid-order.js';
import { readGridPage } from './grid-page.js';
import type { EntryFacts } from '../store/entries.js';
import type { PeerEntryFacts } from '../store/peer-entries.js';
import { Stores } from '../store/stores.js';

const SELF = '00000000-0000-4000-8000-00000000000a';
const LAPTOP = '00000000-0000-4000-8000-00000000000b';
const PHONE = '00000000-0000-4000-8000-00000000000c';
const uuidOf = (name: string) => `00000000-0000-4000-9000-${Buffer.from(name).toString('hex').slice(0, 12).padEnd(12, '0')}`;
const meta = (at: string | null) => JSON.stringify(at === null ? { v: 1 } : { v: 1, captured_at: at, captured_ms: Date.parse(at), width: 4, height: 3 });

/**
 * The grid across devices (DESIGN §15): the contents paired devices hold stand in the order by
 * their capture time beside this device's, a content held on both is one tile, pages say which
 * devices hold each, a device filter narrows the order, and a pull or an unpairing moves the
 * order's version (migration 014). Rows are written through the peer stores as a pull writes them.
 */
/** Copies are the Guardian's count (src/guardian), not what these tests look at. */
const NO_COUNTS = () => new Map<string, number>();

describe('the grid across devices', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());
  const path = join(tmp.path, 'db.sqlite');
  const db = openDatabase(path);
  migrate(db, path);
  after(() => db.close());
  const store = new Stores(db, SELF);
  const deviceId = store.devices.upsertSelf({ uuid: SELF, name: 'Desktop', publicKey: 'k' }, 0);
  const loc = store.locations.insert({ uuid: 'l', device_id: deviceId, name: 'Documents', path: '/home/me/Documents', kind: 'disk', index_mode: 'deep', ignore_rules: '[]', generation: null }, 0);
  const root = store.entries.insertRoot(loc, '', 0, 0, 0);
  let inode = 0;
  const addLocal = (name: string, at: string | null) => {
    const id = store.contents.upsert({ uuid: uuidOf(name), cas_id: `c-${name}`, cas_version: 1, kind: 'image', mime: 'image/jpeg', size: 1 }, 0);
    store.contents.setMediaMetadata(id, meta(at));
    const facts: EntryFacts = { parent_id: root, name, rel_path: name, kind: 'file', size: 1, inode: ++inode, mtime_ms: 0, link_target: null };
    assert.ok(store.entries.linkContent({ ...facts, id: store.entries.insert(loc, facts, 0) }, id, 0));
  };
  /** One pull from DEVICE: its location Photos, folder DIR's files NAMES (with their capture times), applied as a page, then finished. */
  const pull = (device: string, name: string, dir: string, files: Array<[string, string | null]>) => {
    const before = store.browse.version();
    store.transaction(() => {
      store.devices.upsertPeer({ uuid: device, name, publicKey: '', os: 'linux' }, 0);
      store.peerLocations.replace(device, [{ location_id: 1, uuid: `loc-${device}`, name: 'Photos', path: '/Users/me/Photos', index_mode: 'deep', files: files.length, dirs: 0, bytes: 0 }]);
      const n = store.feedCursors.startPull(device, 'library', '00000000-0000-4000-8000-0000000000ee', { full: true, toSeq: 9, afterSeq: 0, afterId: 0, afterName: '' }, 0);
      const rows: PeerEntryFacts[] = files.map(([f]) => ({ name: f, kind: 'file', size: 1, mtime_ms: 0, content_uuid: uuidOf(f) }));
      store.peerContents.putMany(device, files.map(([f, at]) => ({ content_uuid: uuidOf(f), cas_id: `c-${f}`, cas_version: 1, kind: 'image', mime: 'image/jpeg', size: 7, media_metadata: meta(at) })));
      store.peerEntries.putMany(device, 1, dir, rows, n);
    });
    assert.equal(store.browse.version(), before, 'nothing moves the order before a page is applied');
    store.feedCursors.advance(device, 'library', 9, 1, '');
    const paged = store.browse.version();
    assert.ok(paged > before, 'a page applied moves the order');
    store.transaction(() => {
      store.peerEntries.sweepDevice(device, store.feedCursors.get(device, 'library')!.pull_number);
      store.peerContents.dropUnheld(device);
      store.feedCursors.finishPull(device, 'library', 0);
    });
    assert.ok(store.browse.version() > paged, 'a pull finished moves the order');
  };

  addLocal('letter.jpg', '2024-03-02T09:00:00Z');
  addLocal('scan.jpg', '2023-01-01T09:00:00Z');
  addLocal('both.jpg', '2022-06-01T09:00:00Z');
  addLocal('notes.png', null);
  const cache = new GridOrderCache(store.browse, { minRebuildMs: 0 });
  const uuids = (device?: string) => {
    const o = cache.current(device ?? null);
    return readGridPage(store.browse, o, 0, 100, SELF, NO_COUNTS).items.map((i) => i.name);
  };

  it('shows the contents paired devices hold beside this device\'s, by capture time; one held on both is one tile', () => {
    assert.deepEqual(uuids(), ['letter.jpg', 'scan.jpg', 'both.jpg', 'notes.png']);
    pull(LAPTOP, 'Laptop', '2024', [['beach.jpg', '2024-05-01T10:00:00Z'], ['sunset.jpg', '2023-01-01T09:00:00Z'], ['both.jpg', '2022-06-01T09:00:00Z'], ['a-undated.png', null]]);
    // sunset ties scan on its instant: by name. Undated last, by name.
    assert.deepEqual(uuids(), ['beach.jpg', 'letter.jpg', 'scan.jpg', 'sunset.jpg', 'both.jpg', 'a-undated.png', 'notes.png']);
    const o = cache.current();
    assert.deepEqual(o.days, [{ day: '2024-05-01', count: 1 }, { day: '2024-03-02', count: 1 }, { day: '2023-01-01', count: 2 }, { day: '2022-06-01', count: 1 }, { day: null, count: 2 }]);
    const items = readGridPage(store.browse, o, 0, 100, SELF, NO_COUNTS).items;
    const beach = items.find((i) => i.name === 'beach.jpg')!;
    assert.deepEqual([beach.local, beach.devices, beach.kind, beach.day, beach.width, beach.content_uuid], [false, [LAPTOP], 'image', '2024-05-01', 4, uuidOf('beach.jpg')]);
    const both = items.find((i) => i.name === 'both.jpg')!;
    assert.deepEqual([both.local, both.devices], [true, [SELF, LAPTOP]]);
    assert.deepEqual(items.find((i) => i.name === 'letter.jpg')!.devices, [SELF]);
  });

  it('a second device holding the same content adds a device to its tile, not a tile', () => {
    pull(PHONE, 'Phone', '', [['beach.jpg', '2024-05-01T10:00:00Z'], ['selfie.jpg', '2024-03-02T09:00:00Z']]);
    const items = readGridPage(store.browse, cache.current(), 0, 100, SELF, NO_COUNTS).items;
    assert.deepEqual(items.map((i) => i.name), ['beach.jpg', 'letter.jpg', 'selfie.jpg', 'scan.jpg', 'sunset.jpg', 'both.jpg', 'a-undated.png', 'notes.png']);
    assert.deepEqual(items[0]!.devices, [LAPTOP, PHONE]);
  });

  it('a device filter narrows the order to what that device holds, with its days counted again', () => {
    assert.deepEqual(uuids('local'), ['letter.jpg', 'scan.jpg', 'both.jpg', 'notes.png']);
    assert.deepEqual(uuids(LAPTOP), ['beach.jpg', 'sunset.jpg', 'both.jpg', 'a-undated.png']);
    assert.deepEqual(uuids(PHONE), ['beach.jpg', 'selfie.jpg']);
    assert.deepEqual(cache.current(PHONE).days, [{ day: '2024-05-01', count: 1 }, { day: '2024-03-02', count: 1 }]);
    assert.equal(cache.current(PHONE).version, cache.current().version, 'a slice of the same order');
    assert.deepEqual(uuids('00000000-0000-4000-8000-0000000000ff'), [], 'a device with nothing');
  });

  it('a content only paired devices hold has a detail: their facts, and every copy by address with whether its device is online', async () => {
    const ctx: DetailContext = {
      store: store.browse, content: (u) => store.contents.byUuid(u), device: { uuid: SELF, name: 'Desktop' },
      deviceNames: async () => new Map([[LAPTOP, 'Laptop'], [PHONE, 'Phone']]), online: () => new Set([PHONE]),
      user: () => ({ favorite: false, hidden: false, rating: 0, note: null, tags: [] }),
      safety: () => null,
      textWords: () => null, noPicture: () => undefined, stack: () => null,
    };
    const beach = await readContentDetail(ctx, uuidOf('beach.jpg'));
    assert.deepEqual([beach.name, beach.kind, beach.size, beach.local, beach.paths, beach.width, beach.captured_at], ['beach.jpg', 'image', 7, false, [], 4, '2024-05-01T10:00:00Z']);
    assert.deepEqual(beach.copies.map((c) => [c.device, c.address, c.online, c.local]), [
      ['Laptop', 'Laptop:/Photos/2024/beach.jpg', false, false],
      ['Phone', 'Phone:/Photos/beach.jpg', true, false],
    ]);
    const both = await readContentDetail(ctx, uuidOf('both.jpg'));
    assert.deepEqual(both.copies.map((c) => [c.device, c.address, c.online, c.local]), [
      ['Desktop', 'Desktop:/Documents/both.jpg', true, true],
      ['Laptop', 'Laptop:/Photos/2024/both.jpg', false, false],
    ]);
    assert.equal(both.local, true);
    await assert.rejects(readContentDetail(ctx, uuidOf('nowhere.jpg')), /no content/);
  });

  it('a peer\'s metadata is shown only field by field, each of its type', () => {
    pull(PHONE, 'Phone', '', [['beach.jpg', '2024-05-01T10:00:00Z'], ['selfie.jpg', '2024-03-02T09:00:00Z'], ['odd.jpg', null]]);
    db.prepare("UPDATE peer_contents SET media_metadata = '{\"v\":1,\"captured_at\":5,\"width\":\"wide\",\"duration_s\":-1}' WHERE content_uuid = ?").run(uuidOf('odd.jpg'));
    const odd = readGridPage(store.browse, cache.current(), 0, 100, SELF, NO_COUNTS).items.find((i) => i.name === 'odd.jpg')!;
    assert.deepEqual([odd.captured_at, odd.width, odd.duration_s, odd.day], [null, null, null, null]);
  });

  it('unpairing a device takes its contents out of the order; what another still holds stays', () => {
    const before = store.browse.version();
    store.transaction(() => {
      store.peerEntries.dropDevice(PHONE);
      store.peerContents.dropDevice(PHONE);
      store.peerLocations.dropDevice(PHONE);
      store.feedCursors.remove(PHONE, 'library');
    });
    assert.ok(store.browse.version() > before, 'the order moved');
    assert.deepEqual(uuids(), ['beach.jpg', 'letter.jpg', 'scan.jpg', 'sunset.jpg', 'both.jpg', 'a-undated.png', 'notes.png']);
    assert.deepEqual(readGridPage(store.browse, cache.current(), 0, 1, SELF, NO_COUNTS).items[0]!.devices, [LAPTOP]);
  });
});
