import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';
import { tempDir } from '../../test/helpers.js';
import { contentUuidAt } from '../../test/support/entries.js';
import { makeDevice, type TestDevice } from '../../test/sync-peers.js';
import { addLocation, scanLocation } from '../locations/locations.js';
import type { ByteSource } from '../sync/transfer/store.js';
import { followSidecars, hasPending, type SearchFollower } from './search-index.js';
import { searchLibrary } from './search-query.js';

function bytes(data: Buffer): ByteSource {
  let done = false;
  return { read: async () => (done ? null : ((done = true), data)) };
}

/**
 * DESIGN §13/§14: an OCR sidecar made on another device and fetched by sync (the real transfer
 * store: staged, renamed, recorded ready and `fetched`) is searchable here like one made here.
 */
describe('search follows sidecars that arrive by sync', () => {
  const tmp = tempDir('vss-search-sync-');
  let dev: TestDevice;
  let follower: SearchFollower;
  let uuid = '';

  before(async () => {
    dev = await makeDevice(tmp.path, 'dev');
    const tree = join(tmp.path, 'tree');
    mkdirSync(tree);
    writeFileSync(join(tree, 'scan.png'), 'the copy of a scanned letter here');
    const loc = addLocation(dev.lib, tree, { mode: 'content' }).id;
    await scanLocation(dev.lib, loc);
    uuid = contentUuidAt(dev.lib, 'scan.png')!;
    follower = followSidecars(dev.lib);
    await follower.catchUp(Date.now() + 10_000);
  });
  after(async () => {
    follower.stop();
    await dev.stop();
    tmp.cleanup();
  });

  it('a fetched OCR sidecar is indexed, with its page and line box', async () => {
    assert.deepEqual(searchLibrary(dev.lib, 'quarterly'), []);
    const ocr = Buffer.from(JSON.stringify({
      text: 'Dear customer\nYour quarterly statement', pages: [{
        page: 1, source: 'ocr', text: 'Dear customer\nYour quarterly statement', unit: 'px', width: 800, height: 1000,
        blocks: [{ text: 'Dear customer', bbox: [10, 10, 300, 40] }, { text: 'Your quarterly statement', bbox: [10, 60, 500, 90] }],
      }],
    }));
    const address = { contentUuid: uuid, kind: 'ocr', variant: 'default', format: 'json' } as const;
    const info = await dev.store.receive(address, { size: ocr.length, checksum: blake3(ocr).toString('hex'), format: 'json' }, bytes(ocr));
    assert.equal(info.source, 'fetched');
    await follower.catchUp(Date.now() + 10_000);
    assert.equal(hasPending(dev.lib), false);
    const [hit] = searchLibrary(dev.lib, 'quarterly');
    assert.equal(hit?.content_uuid, uuid);
    assert.equal(hit.source, 'ocr');
    assert.deepEqual(hit.locator, { page: 1, box: [10, 60, 500, 90], unit: 'px' });
    assert.match(hit.snippet, /\[quarterly\]/);
  });
});
