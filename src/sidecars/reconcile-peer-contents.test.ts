import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { contentUuidFor } from '../content/identity.js';
import { Installation } from '../library/installation.js';
import { tempDir } from '../../test/helpers.js';
import { sidecarAddress } from './address.js';
import { SidecarManager } from './manager.js';
import { reconcile } from './reconcile.js';

const PEER = '0f0f0f0f-0000-4000-8000-0000000000aa';

/**
 * A thumbnail fetched for a content only a paired device holds (DESIGN §15: prefetch fetches them
 * so the grid shows them while that device is off): reconcile keeps it, and when its file is gone
 * it is missing (fetched again), never queued to be made here, where there is no source file.
 */
describe('reconcile and the sidecars of contents only paired devices hold', () => {
  const tmp = tempDir('vss-recpeer-');
  after(() => tmp.cleanup());
  const lib = new Installation({ dataDir: join(tmp.path, 'data') }).createLibrary('L', join(tmp.path, 'lib'));
  after(() => lib.close());
  const cas = 'ab'.repeat(32);
  const uuid = contentUuidFor(cas);
  lib.store.transaction(() => {
    lib.store.peerContents.putMany(PEER, [{ content_uuid: uuid, cas_id: cas, cas_version: 1, kind: 'image', mime: 'image/jpeg', size: 5, media_metadata: null }]);
    lib.store.peerEntries.putMany(PEER, 1, '', [{ name: 'a.jpg', kind: 'file', size: 5, mtime_ms: 1, content_uuid: uuid }], 1);
  });
  const a = sidecarAddress(uuid, 'thumb', 'grid@1x', 'webp');
  const manager = new SidecarManager(lib);
  const info = manager.writeGenerated(a, Buffer.from('thumbnail bytes'), 'test');

  it('keeps a fetched sidecar of a remote content', async () => {
    const r = await reconcile(lib);
    assert.equal(r.orphans_removed, 0);
    assert.ok(existsSync(info.path!), 'the file stays');
    assert.equal(manager.get(a)?.status, 'ready');
  });

  it('marks it missing when its file is gone, without queueing it to be made here', async () => {
    rmSync(info.path!);
    await reconcile(lib);
    assert.equal(manager.get(a)?.status, 'missing');
  });
});
