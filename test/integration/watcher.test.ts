import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';
import sharp from 'sharp';
import { Vss, addLocation, scanLocation, iterateContents, type Library } from '../internals.js';
import { SidecarManager } from '../../src/sidecars/manager.js';
import { SidecarWatcher } from '../../src/sidecars/watcher.js';
import { sidecarAbsPath, sidecarAddress } from '../../src/sidecars/address.js';
import { tempPathFor } from '../../src/core/fs-atomic.js';
import { tempDir } from '../helpers.js';

async function until(check: () => boolean, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('sidecar watcher', () => {
  const tmp = tempDir();
  let lib: Library;
  let watcher: SidecarWatcher;
  let image = '';
  const events: string[] = [];

  before(async () => {
    const tree = join(tmp.path, 'tree');
    mkdirSync(tree);
    await sharp({ create: { width: 4, height: 4, channels: 3, background: '#333' } }).png().toFile(join(tree, 'a.png'));
    lib = new Vss({ dataDir: join(tmp.path, 'data') }).createLibrary('W', tmp.path);
    await scanLocation(lib, addLocation(lib, tree).id);
    image = [...iterateContents(lib)][0]!.content_uuid;
    watcher = await SidecarWatcher.start(lib);
    lib.events.on('sidecar:changed', (e) => events.push(`${e.kind}/${e.variant}:${e.status}`));
  });
  after(async () => { await watcher.close(); lib.close(); tmp.cleanup(); });

  it('marks a sidecar deleted behind its back missing, then pending again', async () => {
    const m = new SidecarManager(lib);
    const a = sidecarAddress(image, 'thumb', 'grid@1x');
    m.writeGenerated(a, Buffer.from('thumb bytes'), 'test@1');
    await new Promise((r) => setTimeout(r, 400)); // let the watcher see (and ignore) our own write
    events.length = 0;
    rmSync(sidecarAbsPath(lib.root, a));
    await until(() => m.get(a)?.status === 'pending');
    assert.deepEqual(events, ['thumb/grid@1x:missing', 'thumb/grid@1x:pending']);
    assert.equal(m.presence([image], 'thumb', ['grid@1x'])[0]!.local, false);
  });

  it('records a file put at an address of a known content, and a replaced one', async () => {
    const m = new SidecarManager(lib);
    const a = sidecarAddress(image, 'ocr', 'default');
    const path = sidecarAbsPath(lib.root, a);
    mkdirSync(join(path, '..'), { recursive: true });
    const first = Buffer.from('{"text":"hello"}');
    writeFileSync(path, first);
    await until(() => m.get(a)?.status === 'ready');
    assert.equal(m.get(a)!.checksum, blake3(first).toString('hex'));
    const second = Buffer.from('{"text":"hello, world"}');
    writeFileSync(path, second);
    await until(() => m.get(a)?.checksum === blake3(second).toString('hex'));
    assert.equal(m.get(a)!.size, second.length);
  });

  it('leaves files of unknown contents and temp files to reconcile', async () => {
    const m = new SidecarManager(lib);
    const strangerUuid = '00000000-0000-5000-8000-000000000001';
    const stranger = sidecarAbsPath(lib.root, sidecarAddress(strangerUuid, 'ocr', 'default'));
    mkdirSync(join(stranger, '..'), { recursive: true });
    writeFileSync(stranger, '{}');
    const unfinished = sidecarAddress(image, 'thumb', 'grid@2x');
    const temp = tempPathFor(sidecarAbsPath(lib.root, unfinished));
    mkdirSync(join(temp, '..'), { recursive: true });
    writeFileSync(temp, 'half a thumbnail');
    // A file the watcher must record, put after the others: once it is recorded, the watcher is
    // alive and has had the others' events, so "nothing recorded" below means it left them.
    await new Promise((r) => setTimeout(r, 300));
    const sentinel = sidecarAddress(image, 'thumb', 'detail@1x');
    writeFileSync(sidecarAbsPath(lib.root, sentinel), 'detail bytes');
    await until(() => m.get(sentinel)?.status === 'ready');
    assert.deepEqual(m.list({ contentUuid: strangerUuid }), [], 'a file of an unknown content is not recorded');
    assert.equal(m.get(unfinished), undefined, 'a temp file is not recorded');
    assert.ok(existsSync(stranger) && existsSync(temp), 'both are left for reconcile, not deleted');
  });
});
