import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, symlinkSync, truncateSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';
import sharp from 'sharp';
import { Vss, addLocation, scanLocation, iterateContents, type Library } from '../internals.js';
import { TEMP_PREFIX } from '../../src/core/fs-atomic.js';
import { SidecarManager } from '../../src/sidecars/manager.js';
import { sidecarAbsPath, sidecarAddress } from '../../src/sidecars/address.js';
import { reconcile, type ReconcileResult } from '../../src/sidecars/reconcile.js';
import { json, runCli, tempDir } from '../helpers.js';
import { entryAt } from '../support/entries.js';

const ZERO: ReconcileResult = { recorded: 0, missing: 0, orphans_removed: 0, temp_removed: 0, corrupt: 0, quarantined: 0 };
const counts = (c: Partial<ReconcileResult>): ReconcileResult => ({ ...ZERO, ...c });

describe('sidecars reconcile', () => {
  const tmp = tempDir();
  let lib: Library;
  let m: SidecarManager;
  let photo = '';
  let other = '';
  let text = '';
  const tree = join(tmp.path, 'tree');
  const events: string[] = [];
  const thumb = (uuid: string, variant: string) => sidecarAddress(uuid, 'thumb', variant);
  const pathOf = (uuid: string, variant: string) => sidecarAbsPath(lib.root, thumb(uuid, variant));
  const sidecars = () => join(lib.root, 'sidecars');

  /** Reconcile, check what it did, and that a second run right after has nothing left to do. */
  async function reconcileExpecting(expected: Partial<ReconcileResult>, verify = false): Promise<void> {
    assert.deepEqual(await reconcile(lib, { verify }), counts(expected));
    assert.deepEqual(await reconcile(lib, { verify }), ZERO, 'a second reconcile right after finds nothing to do');
  }

  before(async () => {
    mkdirSync(tree);
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#0af' } }).jpeg().toFile(join(tree, 'photo.jpg'));
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#f50' } }).png().toFile(join(tree, 'other.png'));
    writeFileSync(join(tree, 'notes.txt'), 'hello');
    writeFileSync(join(tree, 'photo.mov'), 'the live photo movie, referenced where it is');
    const vss = new Vss({ dataDir: join(tmp.path, 'data') });
    lib = vss.createLibrary('R', tmp.path);
    await scanLocation(lib, addLocation(lib, tree, { mode: 'content' }).id);
    for (const c of iterateContents(lib)) {
      if (c.paths[0]!.endsWith('photo.jpg')) photo = c.content_uuid;
      if (c.paths[0]!.endsWith('other.png')) other = c.content_uuid;
      if (c.paths[0]!.endsWith('notes.txt')) text = c.content_uuid;
    }
    assert.ok(photo && other && text, 'the sample folder was indexed');
    m = new SidecarManager(lib);
    for (const v of ['grid@1x', 'grid@2x', 'detail@1x']) m.writeGenerated(thumb(photo, v), Buffer.from(`photo ${v} thumbnail bytes`), 'test@1');
    m.writeGenerated(thumb(other, 'grid@1x'), Buffer.from('other grid@1x'), 'test@1');
    // vss cannot make a thumbnail of text, so once lost it stays missing instead of going back to pending.
    m.writeGenerated(thumb(text, 'grid@1x'), Buffer.from('text thumb, made elsewhere'), 'test@1');
    lib.events.on('sidecar:changed', (e) => events.push(`${e.contentUuid}/${e.kind}/${e.variant}:${e.status}`));
  });
  after(() => { lib.close(); tmp.cleanup(); });

  it('changes nothing when the database and the disk agree', async () => {
    await reconcileExpecting({});
    assert.deepEqual(events, []);
  });

  it('marks a deleted file missing, then pending again where it can be made', async () => {
    unlinkSync(pathOf(photo, 'grid@1x'));
    unlinkSync(pathOf(text, 'grid@1x'));
    events.length = 0;
    await reconcileExpecting({ missing: 2 });
    assert.equal(m.get(thumb(photo, 'grid@1x'))!.status, 'pending');
    assert.equal(m.get(thumb(text, 'grid@1x'))!.status, 'missing');
    assert.deepEqual(events.filter((e) => e.startsWith(photo)), [`${photo}/thumb/grid@1x:missing`, `${photo}/thumb/grid@1x:pending`]);
    assert.equal(lib.store.availability.holders(photo, 'thumb', 'grid@1x'), null, 'this device no longer claims to have it');
  });

  it('removes files of unknown contents and anything else that is not an address, and prunes emptied folders', async () => {
    const stranger = '0123abcd-0000-5000-8000-000000000000';
    const strangerFile = sidecarAbsPath(lib.root, thumb(stranger, 'grid@1x'));
    mkdirSync(dirname(strangerFile), { recursive: true });
    writeFileSync(strangerFile, 'a thumbnail of a content this library does not know');
    mkdirSync(join(sidecars(), 'content', 'zz'), { recursive: true });
    writeFileSync(join(sidecars(), 'content', 'zz', 'junk.txt'), 'x');
    writeFileSync(join(dirname(pathOf(photo, 'grid@2x')), 'huge@9x.webp'), 'not a variant of the table');
    mkdirSync(join(dirname(dirname(pathOf(photo, 'grid@2x'))), 'notakind'));
    writeFileSync(join(dirname(dirname(pathOf(photo, 'grid@2x'))), 'notakind', 'x.json'), '{}');
    await reconcileExpecting({ orphans_removed: 4 });
    assert.ok(!existsSync(join(sidecars(), 'content', '01')), 'the unknown content\'s folders are pruned up to content/');
    assert.ok(!existsSync(join(sidecars(), 'content', 'zz')));
    assert.deepEqual(readdirSync(dirname(pathOf(photo, 'grid@2x'))).sort(), ['detail@1x.webp', 'grid@2x.webp']);
    assert.deepEqual(readdirSync(dirname(dirname(pathOf(photo, 'grid@2x')))), ['thumbs']);
  });

  it('deletes temporary files left by an earlier process, not one this process may still be writing', async () => {
    const crashed = new Date(performance.timeOrigin - 60_000); // written before this process started
    const leftovers = [join(dirname(pathOf(other, 'grid@1x')), `${TEMP_PREFIX}grid@2x.webp.0a1b2c3d4e5f`), join(sidecars(), `${TEMP_PREFIX}something.1234`)];
    for (const p of leftovers) { writeFileSync(p, 'left by a crash'); utimesSync(p, crashed, crashed); }
    const inFlight = join(dirname(pathOf(other, 'grid@1x')), `${TEMP_PREFIX}detail@1x.webp.abcdefabcdef`);
    writeFileSync(inFlight, 'being written right now');
    await reconcileExpecting({ temp_removed: 2 });
    assert.deepEqual(readdirSync(dirname(pathOf(other, 'grid@1x'))).sort(), [`${TEMP_PREFIX}detail@1x.webp.abcdefabcdef`, 'grid@1x.webp']);
    unlinkSync(inFlight);
  });

  it('records a file put in place behind the manager\'s back, with its size and checksum', async () => {
    const bytes = Buffer.from('a detail thumbnail copied in by hand');
    writeFileSync(pathOf(other, 'detail@1x'), bytes); // no row at all
    const pendingBytes = Buffer.from('grid@1x made again by someone else');
    writeFileSync(pathOf(photo, 'grid@1x'), pendingBytes); // the row is pending since the file was lost
    await reconcileExpecting({ recorded: 2 });
    for (const [uuid, variant, data] of [[other, 'detail@1x', bytes], [photo, 'grid@1x', pendingBytes]] as const) {
      const info = m.get(thumb(uuid, variant))!;
      assert.equal(info.status, 'ready');
      assert.equal(info.source, 'generated');
      assert.equal(info.size, data.length);
      assert.equal(info.checksum, blake3(data).toString('hex'));
      assert.equal(info.path, pathOf(uuid, variant));
      assert.equal(m.presence([uuid], 'thumb', [variant])[0]!.local, true);
    }
  });

  it('catches a flipped byte with --verify only, and a truncated file by its size', async () => {
    const p = pathOf(photo, 'grid@2x');
    const bytes = readFileSync(p);
    bytes[3] = bytes[3]! ^ 0x01;
    writeFileSync(p, bytes);
    assert.deepEqual(await reconcile(lib, {}), ZERO, 'same size: without verify the file is taken as recorded');
    await reconcileExpecting({ corrupt: 1 }, true);
    assert.ok(!existsSync(p), 'the corrupt file is deleted');
    assert.equal(m.get(thumb(photo, 'grid@2x'))!.status, 'pending');

    truncateSync(pathOf(photo, 'detail@1x'), 3);
    await reconcileExpecting({ corrupt: 1 }, true);
    assert.equal(m.get(thumb(photo, 'detail@1x'))!.status, 'pending');
  });

  it('removes a symlink planted under sidecars/, never what it points to', async () => {
    const outside = join(tmp.path, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'precious.txt'), 'keep me');
    symlinkSync(join(outside, 'precious.txt'), pathOf(other, 'icon@1x')); // at a valid address
    symlinkSync(outside, join(sidecars(), 'content', 'ab')); // where a folder of the layout would be
    symlinkSync(outside, join(sidecars(), 'elsewhere')); // outside content/
    await reconcileExpecting({ orphans_removed: 3 });
    assert.deepEqual(readdirSync(outside), ['precious.txt']);
    assert.equal(readFileSync(join(outside, 'precious.txt'), 'utf8'), 'keep me');
    assert.ok(!existsSync(pathOf(other, 'icon@1x')));
    assert.equal(m.get(thumb(other, 'icon@1x')), undefined);
  });

  it('marks a reference sidecar missing when its file is gone', async () => {
    const entry = entryAt(lib, 'photo.mov')!;
    const movie = readFileSync(join(tree, 'photo.mov'));
    const a = sidecarAddress(photo, 'live_photo_video', 'original', 'mov');
    m.createReferenceSidecar({ contentUuid: photo, kind: 'live_photo_video', variant: 'original', format: 'mov', sourceEntryId: entry.id, size: movie.length, checksum: blake3(movie).toString('hex') });
    await reconcileExpecting({});
    unlinkSync(join(tree, 'photo.mov'));
    await reconcileExpecting({ missing: 1 });
    assert.equal(m.get(a)!.status, 'missing', 'an original movie cannot be made, so it is not re-queued');
    // Its bytes turn up at the managed path (a conversion whose last step was lost): recorded as converted.
    mkdirSync(dirname(sidecarAbsPath(lib.root, a)), { recursive: true });
    writeFileSync(sidecarAbsPath(lib.root, a), movie);
    await reconcileExpecting({ recorded: 1 });
    assert.equal(m.get(a)!.status, 'ready');
    assert.equal(m.get(a)!.source, 'converted');
  });

  it('verifies in worker threads the same way (used for large libraries)', async () => {
    const p = pathOf(other, 'grid@1x');
    const bytes = readFileSync(p);
    bytes[0] = bytes[0]! ^ 0x80;
    writeFileSync(p, bytes);
    const before = process.env.VSS_VERIFY_THREADS;
    process.env.VSS_VERIFY_THREADS = '2';
    try {
      await reconcileExpecting({ corrupt: 1 }, true);
    } finally {
      if (before === undefined) delete process.env.VSS_VERIFY_THREADS;
      else process.env.VSS_VERIFY_THREADS = before;
    }
    assert.ok(!existsSync(p));
    assert.equal(m.get(thumb(other, 'grid@1x'))!.status, 'pending');
  });

  it('marks every file missing when sidecars/content is gone, and re-queues what can be made', async () => {
    const ready = m.list({ status: 'ready' }).filter((s) => s.source !== 'reference');
    assert.ok(ready.length >= 3);
    const moved = join(tmp.path, 'content-moved-away');
    mkdirSync(moved);
    // A rename, not a delete: reconcile must not care where the files went.
    renameSync(join(sidecars(), 'content'), join(moved, 'content'));
    await reconcileExpecting({ missing: ready.length });
    assert.equal(m.list({ status: 'ready' }).filter((s) => s.source !== 'reference').length, 0);
  });
});

describe('vss sidecars reconcile (CLI)', () => {
  it('prints exactly the five counts with --json and exits 0', async () => {
    const tmp = tempDir();
    try {
      const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
      const created = json<{ path: string }>(await runCli(['library', 'create', 'C', '--path', tmp.path, '--json'], env));
      const stray = join(created.path, 'sidecars', 'content', 'aa', 'bb', 'aabbccdd-0000-5000-8000-000000000000', 'thumbs');
      mkdirSync(stray, { recursive: true });
      writeFileSync(join(stray, 'grid@1x.webp'), 'orphan');
      writeFileSync(join(stray, `${TEMP_PREFIX}grid@2x.webp.abcdef`), 'temp');
      const r = await runCli(['sidecars', 'reconcile', '--json'], env);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), { recorded: 0, missing: 0, orphans_removed: 1, temp_removed: 1, corrupt: 0, quarantined: 0 });
      const human = await runCli(['sidecars', 'reconcile', '--verify'], env);
      assert.equal(human.code, 0, human.stderr);
      assert.equal(human.stdout.trim().split('\n').length, 1);
      assert.match(human.stdout, /recorded 0, missing 0, orphans removed 0, temporary files removed 0, corrupt 0, quarantined 0/);
    } finally {
      tmp.cleanup();
    }
  });
});
