import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Vss, addLocation, reconcile, type Library } from '../internals.js';
import { LocationsApi } from '../../src/api/locations.js';
import { defaultGeneratorSettings } from '../../src/jobs/settings.js';
import { runJobs } from '../../src/jobs/run-jobs.js';
import { sidecarAbsPath, sidecarAddress } from '../../src/sidecars/address.js';
import { SidecarManager } from '../../src/sidecars/manager.js';
import { watchLocations, type LocationWatching } from '../../src/locations/watch/watch-locations.js';
import type { LocationWatchState } from '../../src/core/events.js';
import { FIXTURES, FIXTURES_SKIP, tempDir } from '../helpers.js';
import { entriesOf } from '../support/entries.js';

/** Every wait is bounded: poll the database until the condition holds or the deadline passes. */
async function until(what: string, check: () => boolean, ms = 15_000): Promise<number> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return Date.now() - start;
}

interface FileRow { id: number; rel_path: string; content_id: number | null; uuid: string | null }

function files(lib: Library, locationId: number): Map<string, FileRow> {
  const rows = entriesOf(lib, locationId).filter((e) => e.kind === 'file').map((e): FileRow => ({
    id: e.id, rel_path: e.rel_path, content_id: e.content_id,
    uuid: e.content_id === null ? null : lib.store.contents.byId(e.content_id)?.uuid ?? null,
  }));
  return new Map(rows.map((r) => [r.rel_path, r]));
}

const identified = (lib: Library, loc: number, rel: string) => files(lib, loc).get(rel)?.uuid != null;

describe('location watching', () => {
  const tmp = tempDir('vss-watch-');
  const tree = join(tmp.path, 'tree');
  const outside = join(tmp.path, 'outside');
  const dataDir = join(tmp.path, 'data');
  let lib: Library;
  let api: LocationsApi;
  let watching: LocationWatching;
  let loc = 0;
  const states: LocationWatchState[] = [];

  before(async () => {
    mkdirSync(join(tree, 'a'), { recursive: true });
    mkdirSync(join(tree, 'b'), { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(tree, 'a', 'before.txt'), 'written before anything watched');
    lib = new Vss({ dataDir }).createLibrary('W', tmp.path);
    api = new LocationsApi(lib, { dataDir, access: 'write' });
    // Added but never scanned: the watcher's start-up rescan must find what is there.
    loc = addLocation(lib, tree, { mode: 'content' }).id;
    lib.events.on('location:watch', (e) => states.push(e));
    watching = await watchLocations(lib, { generation: () => defaultGeneratorSettings(lib), debounceMs: 300, rescanEveryMs: 60_000, orphanGraceMs: 60_000 });
  });
  after(async () => { await watching.close(); lib.close(); tmp.cleanup(); });

  it('rescans at start: files written while nobody watched are found', async () => {
    await until('the start-up rescan', () => identified(lib, loc, 'a/before.txt'));
    assert.deepEqual(watching.status(), [{ location_id: loc, state: 'watching' }]);
    assert.deepEqual(states.filter((s) => s.locationId === loc).map((s) => s.state), ['watching']);
  });

  it('indexes a created file within about a second, and a modified one again', async () => {
    await watching.idle();
    writeFileSync(join(tree, 'a', 'new.txt'), 'new file');
    const ms = await until('a created file', () => identified(lib, loc, 'a/new.txt'));
    assert.ok(ms < 5000, `indexed after ${ms} ms`);
    const first = files(lib, loc).get('a/new.txt')!;
    appendFileSync(join(tree, 'a', 'new.txt'), ' and more');
    await until('a modified file', () => { const r = files(lib, loc).get('a/new.txt'); return r?.uuid != null && r.uuid !== first.uuid; });
    assert.equal(files(lib, loc).get('a/new.txt')!.id, first.id, 'the same entry, with new content');
  });

  it('a deleted file leaves the index', async () => {
    writeFileSync(join(tree, 'b', 'doomed.txt'), 'short-lived');
    await until('the file', () => identified(lib, loc, 'b/doomed.txt'));
    rmSync(join(tree, 'b', 'doomed.txt'));
    await until('the deletion', () => !files(lib, loc).has('b/doomed.txt'));
  });

  it('a rename keeps the entry and its content', async () => {
    writeFileSync(join(tree, 'a', 'old-name.txt'), 'renamed content');
    await until('the file', () => identified(lib, loc, 'a/old-name.txt'));
    const before = files(lib, loc).get('a/old-name.txt')!;
    renameSync(join(tree, 'a', 'old-name.txt'), join(tree, 'a', 'new-name.txt'));
    await until('the rename', () => files(lib, loc).has('a/new-name.txt') && !files(lib, loc).has('a/old-name.txt'));
    const after = files(lib, loc).get('a/new-name.txt')!;
    assert.equal(after.id, before.id);
    assert.equal(after.content_id, before.content_id);
  });

  it('a move between folders keeps the entry and its content', async () => {
    writeFileSync(join(tree, 'a', 'travels.txt'), 'travelling content');
    await until('the file', () => identified(lib, loc, 'a/travels.txt'));
    const before = files(lib, loc).get('a/travels.txt')!;
    renameSync(join(tree, 'a', 'travels.txt'), join(tree, 'b', 'travels.txt'));
    await until('the move', () => files(lib, loc).has('b/travels.txt') && !files(lib, loc).has('a/travels.txt'));
    assert.equal(files(lib, loc).get('b/travels.txt')!.id, before.id);
    assert.equal(files(lib, loc).get('b/travels.txt')!.content_id, before.content_id);
  });

  it('a folder moved in is indexed whole, and later changes inside it are seen', async () => {
    const src = join(outside, 'album');
    mkdirSync(join(src, 'inner', 'deeper'), { recursive: true });
    for (let i = 0; i < 20; i++) writeFileSync(join(src, `p${i}.txt`), `photo ${i}`);
    writeFileSync(join(src, 'inner', 'deeper', 'deep.txt'), 'deep');
    renameSync(src, join(tree, 'album'));
    await until('the folder moved in', () => identified(lib, loc, 'album/inner/deeper/deep.txt') && identified(lib, loc, 'album/p19.txt'));
    // Its folders are watched now too.
    writeFileSync(join(tree, 'album', 'inner', 'deeper', 'later.txt'), 'later');
    await until('a file in the moved-in folder', () => identified(lib, loc, 'album/inner/deeper/later.txt'));
  });

  it('a folder moved between folders keeps its entries; one moved out leaves the index', async () => {
    const before = files(lib, loc).get('album/inner/deeper/deep.txt')!;
    renameSync(join(tree, 'album', 'inner'), join(tree, 'b', 'inner'));
    await until('the folder move', () => files(lib, loc).has('b/inner/deeper/deep.txt') && !files(lib, loc).has('album/inner/deeper/deep.txt'));
    assert.equal(files(lib, loc).get('b/inner/deeper/deep.txt')!.id, before.id);
    assert.equal(files(lib, loc).get('b/inner/deeper/deep.txt')!.content_id, before.content_id);
    // The moved folder's watches followed it.
    writeFileSync(join(tree, 'b', 'inner', 'deeper', 'after-move.txt'), 'after the move');
    await until('a file in the moved folder', () => identified(lib, loc, 'b/inner/deeper/after-move.txt'));

    renameSync(join(tree, 'album'), join(outside, 'album-out'));
    await until('the folder moved out', () => ![...files(lib, loc).keys()].some((k) => k.startsWith('album/')));
  });

  it('a folder moved away and another made under its old name: both are watched', async () => {
    mkdirSync(join(tree, 'a', 'slot'));
    writeFileSync(join(tree, 'a', 'slot', 'one.txt'), 'one');
    await until('the folder', () => identified(lib, loc, 'a/slot/one.txt'));
    await watching.idle();
    renameSync(join(tree, 'a', 'slot'), join(tree, 'b', 'slot'));
    mkdirSync(join(tree, 'a', 'slot'));
    await until('the move', () => identified(lib, loc, 'b/slot/one.txt') && !files(lib, loc).has('a/slot/one.txt'));
    await watching.idle();
    // One at a time: a watch left on the moved folder under the old name would see the second, not the first.
    writeFileSync(join(tree, 'a', 'slot', 'new-here.txt'), 'in the new folder');
    await until('a file in the new folder', () => identified(lib, loc, 'a/slot/new-here.txt'), 5000);
    writeFileSync(join(tree, 'b', 'slot', 'moved-here.txt'), 'in the moved folder');
    await until('a file in the moved folder', () => identified(lib, loc, 'b/slot/moved-here.txt'), 5000);
  });

  it('a file moved out in one batch and back in a later one finds its content again', async () => {
    writeFileSync(join(tree, 'a', 'boomerang.txt'), 'comes back');
    await until('the file', () => identified(lib, loc, 'a/boomerang.txt'));
    const contentId = files(lib, loc).get('a/boomerang.txt')!.content_id;
    const createdAt = () => (contentId === null ? undefined : lib.store.contents.byId(contentId)?.created_at);
    const born = createdAt();
    renameSync(join(tree, 'a', 'boomerang.txt'), join(outside, 'boomerang.txt'));
    await until('the move out', () => !files(lib, loc).has('a/boomerang.txt'));
    await watching.idle();
    renameSync(join(outside, 'boomerang.txt'), join(tree, 'b', 'boomerang.txt'));
    await until('the move back in', () => identified(lib, loc, 'b/boomerang.txt'));
    assert.equal(files(lib, loc).get('b/boomerang.txt')!.content_id, contentId);
    assert.equal(createdAt(), born, 'the same content row: it was not removed in between');
  });

  it('pause stops updates; resume catches up', async () => {
    const paused = await api.pause(loc);
    assert.equal(paused.paused, true);
    await until('the paused state', () => watching.status()[0]?.state === 'paused');
    writeFileSync(join(tree, 'a', 'while-paused.txt'), 'nobody watches');
    await new Promise((r) => setTimeout(r, 1500)); // several batch windows
    assert.equal(files(lib, loc).has('a/while-paused.txt'), false, 'a paused location is not updated');
    assert.equal((await api.get(loc)).paused, true);
    const resumed = await api.resume(loc);
    assert.equal(resumed.paused, false);
    await until('the catch-up rescan', () => identified(lib, loc, 'a/while-paused.txt'));
    assert.deepEqual(states.filter((s) => s.locationId === loc).map((s) => s.state), ['watching', 'paused', 'watching']);
  });

  it('follows locations added and removed through the core API', async () => {
    const second = join(tmp.path, 'second');
    mkdirSync(second);
    const added = await api.add(second, { mode: 'shallow' });
    await until('the new location watched', () => watching.status().some((s) => s.location_id === added.location_id));
    writeFileSync(join(second, 'x.txt'), 'x');
    await until('a file in the added location', () => files(lib, added.location_id).has('x.txt'));
    await api.remove(added.location_id);
    await until('the removed location let go', () => !watching.status().some((s) => s.location_id === added.location_id));
    writeFileSync(join(second, 'y.txt'), 'y');
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(lib.store.entries.count(added.location_id), 0);
    assert.equal(lib.store.locations.byId(added.location_id), undefined);
  });
});

describe('location watching: contents and sidecars', { skip: FIXTURES_SKIP }, () => {
  const tmp = tempDir('vss-watch-deep-');
  const tree = join(tmp.path, 'photos');
  const dataDir = join(tmp.path, 'data');
  let lib: Library;
  let watching: LocationWatching;
  let loc = 0;

  before(async () => {
    mkdirSync(join(tree, 'in'), { recursive: true });
    mkdirSync(join(tmp.path, 'away'));
    lib = new Vss({ dataDir }).createLibrary('D', tmp.path);
    loc = addLocation(lib, tree, { mode: 'deep', generation: 'thumb=grid@1x' }).id;
    // A short grace: the test also sees contents without entries go once changes are quiet.
    watching = await watchLocations(lib, { generation: () => defaultGeneratorSettings(lib), debounceMs: 300, orphanGraceMs: 2500 });
  });
  after(async () => { await watching.close(); lib.close(); tmp.cleanup(); });

  it('a photo written into a deep location gets its thumbnail; a rename keeps content and sidecars', async () => {
    copyFileSync(join(FIXTURES, 'exif', 'Canon_40D.jpg'), join(tree, 'in', 'canon.jpg'));
    await until('the photo identified and queued', () => {
      const uuid = files(lib, loc).get('in/canon.jpg')?.uuid;
      return uuid != null && new SidecarManager(lib).get(sidecarAddress(uuid, 'thumb', 'grid@1x')) !== undefined;
    });
    const uuid = files(lib, loc).get('in/canon.jpg')!.uuid!;
    const a = sidecarAddress(uuid, 'thumb', 'grid@1x');
    await runJobs(lib, { dataDir, untilIdle: true, nice: false });
    const ready = new SidecarManager(lib).get(a)!;
    assert.equal(ready.status, 'ready');

    renameSync(join(tree, 'in', 'canon.jpg'), join(tree, 'renamed.jpg'));
    await until('the rename', () => files(lib, loc).get('renamed.jpg')?.uuid === uuid && !files(lib, loc).has('in/canon.jpg'));
    // Out of the location and back in, in two batches: the content is kept and its thumbnail stays ready.
    renameSync(join(tree, 'renamed.jpg'), join(tmp.path, 'away', 'canon.jpg'));
    await until('the move out', () => !files(lib, loc).has('renamed.jpg'));
    await watching.idle();
    // Maintenance in between (the daemon reconciles) removes the files of contents the library no longer knows.
    await reconcile(lib);
    renameSync(join(tmp.path, 'away', 'canon.jpg'), join(tree, 'back.jpg'));
    await until('the move back in', () => files(lib, loc).get('back.jpg')?.uuid === uuid);
    const after = new SidecarManager(lib).get(a)!;
    assert.equal(after.status, 'ready');
    assert.equal(after.checksum, ready.checksum);
    assert.ok(existsSync(sidecarAbsPath(lib.root, a)));
    const { queued, running } = lib.store.jobs.openCounts();
    assert.equal(queued + running, 0, 'nothing to make again');
  });

  it('a deleted photo leaves the index; its content goes once changes are quiet', async () => {
    rmSync(join(tree, 'back.jpg'));
    await until('the deletion', () => !files(lib, loc).has('back.jpg'));
    await until('the content removed after the grace period', () =>
      lib.store.contents.count() === 0, 20_000);
  });
});

describe('location watching: a location folder that goes away', () => {
  const tmp = tempDir('vss-watch-gone-');
  const tree = join(tmp.path, 'drive');
  const dataDir = join(tmp.path, 'data');
  let lib: Library;
  let watching: LocationWatching;
  let loc = 0;

  before(async () => {
    mkdirSync(join(tree, 'sub'), { recursive: true });
    writeFileSync(join(tree, 'sub', 'kept.txt'), 'kept');
    lib = new Vss({ dataDir }).createLibrary('G', tmp.path);
    loc = addLocation(lib, tree, { mode: 'content' }).id;
    watching = await watchLocations(lib, { generation: () => defaultGeneratorSettings(lib), debounceMs: 200, rescanEveryMs: 500 });
    await until('the start-up rescan', () => identified(lib, loc, 'sub/kept.txt'));
  });
  after(async () => { await watching.close(); lib.close(); tmp.cleanup(); });

  it('keeps the index while the folder is gone (state error), and carries on when it is back', async () => {
    renameSync(tree, join(tmp.path, 'unplugged'));
    await until('the error state', () => watching.status()[0]?.state === 'error');
    assert.match(watching.status()[0]!.reason!, /not reachable.*retrying every 0\.5 s/);
    assert.ok(files(lib, loc).has('sub/kept.txt'), 'an unreachable location is not an empty one');
    renameSync(join(tmp.path, 'unplugged'), tree);
    writeFileSync(join(tree, 'sub', 'after.txt'), 'after');
    await until('watching again', () => watching.status()[0]?.state === 'watching' && identified(lib, loc, 'sub/after.txt'));
    assert.ok(files(lib, loc).has('sub/kept.txt'));
  });

  it('never runs two scans of one location at once', async () => {
    const order: string[] = [];
    // Quiet first: a scan the watcher still runs (a file of the last test settling) would be met half-way.
    await watching.idle();
    const offPhase = lib.events.on('index:phase', (e) => { if (e.phase === 'discovery') order.push('start'); });
    const offDone = lib.events.on('index:done', () => order.push('done'));
    const { scanLocation } = await import('../../src/locations/locations.js');
    for (let i = 0; i < 5; i++) writeFileSync(join(tree, 'sub', `c${i}.txt`), `c${i}`);
    await Promise.all([scanLocation(lib, loc), scanLocation(lib, loc), watching.idle()]);
    await until('the watcher done too', () => identified(lib, loc, 'sub/c4.txt'));
    await watching.idle();
    offPhase(); offDone();
    assert.ok(order.length >= 4);
    order.forEach((o, i) => assert.equal(o, i % 2 === 0 ? 'start' : 'done', `interleaved: ${order.join(' ')}`));
  });
});
