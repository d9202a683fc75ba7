import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';
import sharp from 'sharp';
import { Vss, addLocation, scanLocation, iterateContents, type Library } from '../internals.js';
import { SidecarManager, sidecarUuid } from '../../src/sidecars/manager.js';
import { sidecarAddress } from '../../src/sidecars/address.js';
import { tempDir } from '../helpers.js';
import { entryAt } from '../support/entries.js';

describe('sidecar manager', () => {
  const tmp = tempDir();
  let lib: Library;
  let vss: Vss;
  let image = '';
  let text = '';
  let movieEntry = 0;
  const events: string[] = [];

  before(async () => {
    const tree = join(tmp.path, 'tree');
    mkdirSync(tree);
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#0af' } }).jpeg().toFile(join(tree, 'photo.jpg'));
    writeFileSync(join(tree, 'notes.txt'), 'hello');
    writeFileSync(join(tree, 'photo.mov'), Buffer.from('not really a movie, but a file to reference'));
    vss = new Vss({ dataDir: join(tmp.path, 'data') });
    lib = vss.createLibrary('S', tmp.path);
    await scanLocation(lib, addLocation(lib, tree).id);
    for (const c of iterateContents(lib)) {
      if (c.kind === 'image') image = c.content_uuid;
      if (c.paths[0]!.endsWith('notes.txt')) text = c.content_uuid;
    }
    movieEntry = entryAt(lib, 'photo.mov')!.id;
    lib.events.on('sidecar:changed', (e) => events.push(`${e.kind}/${e.variant}:${e.status}`));
  });
  after(() => { lib.close(); tmp.cleanup(); });

  it('gives every device the same sidecar id', () => {
    // Cross-checked with Python: uuid.uuid5(UUID(VSS_SIDECAR_NAMESPACE), "content|kind|variant").
    assert.equal(sidecarUuid('550e8400-e29b-41d4-a716-446655440000', 'thumb', 'grid@2x'), '469c85be-ab8f-5b3b-8151-972bb9772906');
  });

  it('queues a missing sidecar that can be made, and says why when it cannot', () => {
    const m = new SidecarManager(lib);
    assert.deepEqual(m.recordWanted(image, 'thumb', 'grid@1x'), { state: 'pending', enqueued: true });
    assert.deepEqual(m.recordWanted(image, 'thumb', 'grid@1x'), { state: 'pending', enqueued: false });
    const textThumb = m.recordWanted(text, 'thumb', 'grid@1x');
    assert.equal(textThumb.state, 'unavailable');
    assert.match((textThumb as { reason: string }).reason, /cannot be made from text/);
    assert.equal(m.recordWanted('00000000-0000-5000-8000-000000000000', 'ocr', 'default').state, 'unavailable');
    assert.throws(() => m.recordWanted(image, 'thumb', '../../x'), /invalid sidecar variant/);
    const [row] = m.list({ contentUuid: image, kind: 'thumb' });
    assert.equal(row!.status, 'pending');
    assert.equal(row!.path, null);
  });

  it('writes a managed sidecar atomically at its address, with size, checksum and availability', () => {
    const m = new SidecarManager(lib);
    const data = Buffer.from('RIFF....WEBPVP8 pretend thumbnail bytes');
    const info = m.writeGenerated(sidecarAddress(image, 'thumb', 'grid@1x'), data, 'test@1');
    const hex = image.replace(/-/g, '');
    assert.equal(info.path, join(lib.root, 'sidecars', 'content', hex.slice(0, 2), hex.slice(2, 4), image, 'thumbs', 'grid@1x.webp'));
    assert.deepEqual(readFileSync(info.path!), data);
    assert.equal(info.checksum, blake3(data).toString('hex'));
    assert.equal(info.size, data.length);
    assert.deepEqual(readdirSync(dirname(info.path!)), ['grid@1x.webp'], 'no temporary file left behind');
    const [p] = m.presence([image], 'thumb', ['grid@1x']);
    assert.deepEqual(p, { content_uuid: image, variant: 'grid@1x', local: true, status: 'ready', path: info.path, devices: [vss.device.uuid] });
    assert.ok(events.includes('thumb/grid@1x:ready'));
  });

  it('says local only while the file is there', () => {
    const m = new SidecarManager(lib);
    const info = m.writeGenerated(sidecarAddress(image, 'thumb', 'icon@1x'), Buffer.from('icon bytes'), 'test@1');
    assert.equal(m.presence([image], 'thumb', ['icon@1x'])[0]!.local, true);
    unlinkSync(info.path!);
    const [p] = m.presence([image], 'thumb', ['icon@1x']);
    assert.deepEqual(p, { content_uuid: image, variant: 'icon@1x', local: false, status: 'missing', path: null, devices: [] });
    m.writeGenerated(sidecarAddress(image, 'thumb', 'icon@1x'), Buffer.from('icon bytes'), 'test@1');
    assert.equal(m.presence([image], 'thumb', ['icon@1x'])[0]!.local, true);
    unlinkSync(info.path!);
    m.markMissing(sidecarAddress(image, 'thumb', 'icon@1x'), 'test cleanup');
  });

  it('reports absent variants and refuses unknown kinds in presence', () => {
    const m = new SidecarManager(lib);
    const all = m.presence([image, text], 'thumb');
    assert.equal(all.length, 12);
    assert.equal(all.filter((p) => p.local).length, 1);
    assert.equal(all.find((p) => p.content_uuid === text)!.status, 'absent');
    assert.throws(() => m.presence([image], 'thumbnails'), /unknown sidecar kind/);
    assert.throws(() => m.presence([image], 'embeddings'), /give --variants/);
  });

  it('records a reference sidecar where the file is, ready at once, never moving it', () => {
    const m = new SidecarManager(lib);
    const bytes = readFileSync(join(tmp.path, 'tree', 'photo.mov'));
    const info = m.createReferenceSidecar({
      contentUuid: image, kind: 'live_photo_video', variant: 'original', format: 'mov', sourceEntryId: movieEntry,
      size: bytes.length, checksum: blake3(bytes).toString('hex'),
    });
    assert.equal(info.status, 'ready');
    assert.equal(info.source, 'reference');
    assert.equal(info.path, join(tmp.path, 'tree', 'photo.mov'));
    assert.ok(existsSync(join(tmp.path, 'tree', 'photo.mov')));
    assert.deepEqual(m.recordWanted(image, 'live_photo_video', 'original'), { state: 'ready', path: info.path });
    assert.equal(m.recordWanted(text, 'live_photo_video', 'original').state, 'unavailable');
  });

  it('never lets a reference replace a ready sidecar vss owns', () => {
    const m = new SidecarManager(lib);
    assert.throws(() => m.createReferenceSidecar({
      contentUuid: image, kind: 'thumb', variant: 'grid@1x', format: 'webp', sourceEntryId: movieEntry, size: 1, checksum: 'x',
    }), /already generated and ready/);
    assert.equal(m.get(sidecarAddress(image, 'thumb', 'grid@1x'))!.source, 'generated');
  });

  it('refuses a ready row without a checksum at the database level', () => {
    // crafted on purpose: a row no store writes, to see the schema itself refuse it.
    assert.throws(() => lib.db.prepare(
      "INSERT INTO sidecars (uuid, content_uuid, kind, variant, format, rel_path, status, source, created_at, updated_at) VALUES ('x', ?, 'ocr', 'default', 'json', 'r', 'ready', 'generated', 0, 0)",
    ).run(image), /CHECK constraint/);
  });
});
