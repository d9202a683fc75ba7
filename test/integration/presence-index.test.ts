import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { blake3 } from '@napi-rs/blake-hash';
import sharp from 'sharp';
import { Vss, addLocation, scanLocation, iterateContents, removeLocation, reconcile, startMaintenance, type Library } from '../internals.js';
import { LibraryApi } from '../../src/api/library-api.js';
import { SidecarManager } from '../../src/sidecars/manager.js';
import { AvailabilityStore } from '../../src/store/availability.js';
import { Stores } from '../../src/store/stores.js';
import { PresenceIndex } from '../../src/sidecars/presence-index.js';
import { sidecarAbsPath, sidecarAddress } from '../../src/sidecars/address.js';
import { SIDECAR_KIND_NAMES, variantsOf } from '../../src/sidecars/kinds.js';
import { tempDir } from '../helpers.js';
import { entryAt } from '../support/entries.js';

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const OTHER_DEVICE = '00000000-0000-4000-8000-0000000000aa';
const UNKNOWN = '11111111-1111-5111-8111-111111111111';

/** The in-memory index answers what the stat path answers, over every state a sidecar can be in, and stays so as they change. */
describe('presence kept in memory', () => {
  const tmp = tempDir();
  let lib: Library;
  let m: SidecarManager;
  let index: PresenceIndex;
  const images: string[] = [];
  let text = '';
  let movieEntry = 0;
  let treeLocation = 0;

  /** Every kind, with all of its fixed variants (open kinds: the names the test uses), for every content and one unknown. */
  function assertSame(what: string): void {
    const uuids = [...images, text, UNKNOWN, images[0]!];
    for (const kind of SIDECAR_KIND_NAMES) {
      const variants = variantsOf(kind) === 'open' ? ['model-a', 'model-b', 'never-asked'] : undefined;
      const items = m.presence(uuids, kind, variants);
      assert.deepEqual(index.presence(uuids, kind, variants), items, `${what}: ${kind}`);
      // The table a grid asks for says the same states, row by row.
      const table = index.states(uuids, kind, variants);
      const expected = uuids.map((u) => [u, ...table.variants.map((v) => {
        const it = items.find((x) => x.content_uuid === u && x.variant === v)!;
        return it.local ? 'local' : it.status;
      })]);
      assert.deepEqual(table.rows, expected, `${what}: ${kind} as a table`);
    }
  }

  before(async () => {
    const tree = join(tmp.path, 'tree');
    mkdirSync(tree);
    for (const [i, color] of ['#0af', '#fa0', '#a0f', '#0fa'].entries()) {
      await sharp({ create: { width: 8, height: 8, channels: 3, background: color } }).jpeg().toFile(join(tree, `photo${i}.jpg`));
    }
    writeFileSync(join(tree, 'notes.txt'), 'hello');
    writeFileSync(join(tree, 'photo0.mov'), Buffer.from('not really a movie, but a file to reference'));
    lib = new Vss({ dataDir: join(tmp.path, 'data') }).createLibrary('P', tmp.path);
    treeLocation = addLocation(lib, tree).id;
    await scanLocation(lib, treeLocation);
    for (const c of iterateContents(lib)) {
      if (c.kind === 'image') images.push(c.content_uuid);
      if (c.paths[0]!.endsWith('notes.txt')) text = c.content_uuid;
    }
    movieEntry = entryAt(lib, 'photo0.mov')!.id;
    m = new SidecarManager(lib);

    // ready, pending, failed, missing, a reference, an open kind, a row in a format not the kind's own, another device's copy.
    const [a, b, c] = images as [string, string, string];
    m.writeGenerated(sidecarAddress(a, 'thumb', 'grid@1x'), Buffer.from('a grid'), 'test@1');
    m.writeGenerated(sidecarAddress(a, 'thumb', 'grid@2x'), Buffer.from('a grid 2x'), 'test@1');
    m.writeGenerated(sidecarAddress(b, 'thumb', 'grid@1x'), Buffer.from('b grid'), 'test@1');
    m.recordWanted(c, 'thumb', 'grid@1x');
    m.record(sidecarAddress(c, 'ocr', 'default'), { status: 'failed', source: 'generated', size: null, checksum: null, sourceEntryId: null, error: 'broken' });
    m.record(sidecarAddress(b, 'ocr', 'default'), { status: 'missing', source: 'converted', size: 3, checksum: 'abc', sourceEntryId: null, error: 'gone' });
    const movie = readFileSync(join(tree, 'photo0.mov'));
    m.createReferenceSidecar({ contentUuid: a, kind: 'live_photo_video', variant: 'original', format: 'mov', sourceEntryId: movieEntry, size: movie.length, checksum: blake3(movie).toString('hex') });
    m.writeGenerated(sidecarAddress(a, 'embeddings', 'model-a'), Buffer.from('[1,2]'), 'test@1');
    m.writeGenerated(sidecarAddress(b, 'live_photo_video', 'embedded', 'mp4'), Buffer.from('movie'), 'test@1');
    // Crafted on purpose (through the store): the row says gif, the file was written as mp4.
    const embedded = lib.store.sidecars.get(b, 'live_photo_video', 'embedded')!;
    lib.store.sidecars.upsert({ ...embedded, format: 'gif' }, embedded.updated_at);
    const now = Date.now();
    const peer = new AvailabilityStore(lib.db, OTHER_DEVICE);
    peer.set(a, 'thumb', 'grid@1x', 'webp', true, 6, 'x', now);
    peer.set(c, 'thumb', 'detail@2x', 'webp', true, 6, 'x', now); // another device has what this one has no row for
    index = new PresenceIndex(lib);
  });
  after(() => { index.close(); lib.close(); tmp.cleanup(); });

  it('answers as the stat path does for ready, pending, failed, missing, reference, open-kind and foreign rows', () => {
    const got = index.presence([images[0]!], 'thumb', ['grid@1x']);
    assert.deepEqual(got[0]!.devices, [OTHER_DEVICE, lib.device.uuid].sort());
    assert.equal(got[0]!.local, true);
    assert.equal(index.presence([images[2]!], 'thumb', ['detail@2x'])[0]!.status, 'absent');
    assertSame('at start');
  });

  it('refuses what the stat path refuses', () => {
    assert.throws(() => index.presence([images[0]!], 'thumbnails'), /unknown sidecar kind/);
    assert.throws(() => index.presence([images[0]!], 'embeddings'), /give --variants/);
    assert.throws(() => index.presence(['../x'], 'thumb'), /invalid content uuid/);
    assert.throws(() => index.presence([images[0]!], 'thumb', ['../../x']), /invalid sidecar variant/);
  });

  it('follows every manager write: made, missing, not applicable, forgotten, re-queued', () => {
    const [a, b, c, d] = images as [string, string, string, string];
    m.writeGenerated(sidecarAddress(d, 'thumb', 'icon@1x'), Buffer.from('d icon'), 'test@1');
    assertSame('after a sidecar was made');
    rmSync(sidecarAbsPath(lib.root, sidecarAddress(b, 'thumb', 'grid@1x')));
    m.markMissing(sidecarAddress(b, 'thumb', 'grid@1x'), 'test');
    assertSame('after markMissing');
    m.markNotApplicable(sidecarAddress(c, 'thumb', 'grid@1x'), 'never');
    m.forgetOwed(sidecarAddress(c, 'ocr', 'default'));
    m.record(sidecarAddress(c, 'ocr', 'default'), { status: 'failed', source: 'generated', size: null, checksum: null, sourceEntryId: null, error: 'again' });
    m.forgetOwed(sidecarAddress(c, 'ocr', 'default')); // failed rows are not owed: stays
    assert.equal(m.clearNotApplicable(['thumb']), 1);
    m.recordPending(sidecarAddress(a, 'proxy', 'quick'));
    m.writeGenerated(sidecarAddress(a, 'embeddings', 'model-b'), Buffer.from('[3]'), 'test@1');
    assertSame('after not-applicable, forget, clear, pending, a new open variant');
  });

  it('forgets what a rolled-back transaction wrote', async () => {
    const a = images[0]!;
    assert.throws(() => lib.db.transaction(() => {
      m.recordPending(sidecarAddress(a, 'thumb', 'detail@2x'));
      throw new Error('roll back');
    })(), /roll back/);
    assertSame('after a rollback, asked at once');
    lib.db.transaction(() => { m.recordPending(sidecarAddress(a, 'thumb', 'detail@1x')); })();
    await new Promise((r) => setImmediate(r));
    assertSame('after a committed transaction');
  });

  it('reloads when another connection writes (a second process sharing the library)', () => {
    const other = new Database(lib.layout.databaseFile);
    try {
      const store = new Stores(other, lib.device.uuid);
      const row = store.sidecars.get(images[0]!, 'thumb', 'grid@2x')!;
      store.sidecars.upsert({ ...row, status: 'failed', error: 'elsewhere' }, Date.now());
      store.availability.set(images[0]!, 'thumb', 'grid@2x', 'webp', false, null, null, Date.now());
    } finally {
      other.close();
    }
    assert.equal(index.presence([images[0]!], 'thumb', ['grid@2x'])[0]!.status, 'failed');
    assertSame('after another connection wrote');
  });

  it('follows the maintenance watcher when a file is deleted behind its back', async () => {
    const a = images[0]!;
    const addr = sidecarAddress(a, 'thumb', 'grid@1x');
    const maintenance = await startMaintenance(lib);
    try {
      await maintenance.reconciled;
      rmSync(sidecarAbsPath(lib.root, addr));
      await until(() => m.get(addr)?.status === 'pending');
      const [p] = index.presence([a], 'thumb', ['grid@1x']);
      assert.equal(p!.local, false);
      assert.equal(p!.status, 'pending');
      assert.deepEqual(p!.devices, [OTHER_DEVICE]);
      assertSame('after the watcher saw a deletion');
    } finally {
      await maintenance.stop();
    }
  });

  it('agrees after its contents leave the library and reconcile cleans up (a reference entry gone without an event)', async () => {
    removeLocation(lib, treeLocation);
    assertSame('after the location was removed');
    await reconcile(lib, {});
    assertSame('after reconcile');
  });

  it('is what SidecarsApi.presence answers while kept in memory, and the stat path again once undone', () => {
    const api = new LibraryApi(lib, { dataDir: join(tmp.path, 'data'), access: 'write' });
    const d = images[3]!;
    const undoA = api.sidecars.keepPresenceInMemory();
    const undoB = api.sidecars.keepPresenceInMemory();
    // A file deleted with no watcher running: memory trusts the record, the stat path looks.
    m.writeGenerated(sidecarAddress(d, 'thumb', 'grid@1x'), Buffer.from('d grid'), 'test@1');
    rmSync(sidecarAbsPath(lib.root, sidecarAddress(d, 'thumb', 'grid@1x')));
    assert.equal(api.sidecars.presence([d], 'thumb', ['grid@1x'])[0]!.local, true);
    undoA();
    undoA();
    assert.equal(api.sidecars.presence([d], 'thumb', ['grid@1x'])[0]!.local, true, 'still held by the second caller');
    undoB();
    assert.equal(api.sidecars.presence([d], 'thumb', ['grid@1x'])[0]!.local, false);
  });
});
