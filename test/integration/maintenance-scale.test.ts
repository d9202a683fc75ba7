import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { Vss, addLocation, scanLocation, iterateContents, startMaintenance } from '../internals.js';
import { SidecarManager } from '../../src/sidecars/manager.js';
import { sidecarAbsPath, sidecarAddress } from '../../src/sidecars/address.js';
import { tempDir } from '../helpers.js';

async function until(check: () => boolean, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Watching sidecars/ costs a watch per folder (100k contents: ~250k folders, 2.4 GiB measured):
 * above a number of folders maintenance reconciles periodically instead, and still notices a file
 * deleted behind its back.
 */
describe('sidecar maintenance of a library too large to watch', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('watches a small sidecars/ tree, and reconciles a large one periodically', async () => {
    const tree = join(tmp.path, 'tree');
    mkdirSync(tree);
    for (const c of ['#111', '#222', '#333']) await sharp({ create: { width: 4, height: 4, channels: 3, background: c } }).png().toFile(join(tree, `${c.slice(1)}.png`));
    const lib = new Vss({ dataDir: join(tmp.path, 'data') }).createLibrary('M', tmp.path);
    try {
      await scanLocation(lib, addLocation(lib, tree).id);
      const m = new SidecarManager(lib);
      const addresses = [...iterateContents(lib)].map((c) => sidecarAddress(c.content_uuid, 'thumb', 'grid@1x'));
      for (const a of addresses) m.writeGenerated(a, Buffer.from(`thumb ${a.contentUuid}`), 'test@1');

      const small = await startMaintenance(lib);
      assert.equal(small.mode, 'watching');
      await small.reconciled;
      await small.stop();

      const large = await startMaintenance(lib, { watchMaxFolders: 5, reconcileEveryMs: 300 });
      assert.equal(large.mode, 'periodic', 'more folders than the limit: no watcher');
      await large.reconciled;
      rmSync(sidecarAbsPath(lib.root, addresses[0]!));
      await until(() => m.get(addresses[0]!)?.status !== 'ready');
      assert.equal(m.get(addresses[1]!)?.status, 'ready');
      await large.stop();
    } finally {
      lib.close();
    }
  });
});
