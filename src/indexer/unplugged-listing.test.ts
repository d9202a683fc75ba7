import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Installation } from '../library/installation.js';
import type { Library } from '../library/library.js';
import { addLocation, scanLocation } from '../locations/locations.js';
import { tempDir } from '../../test/helpers.js';
import { entryAt } from '../../test/support/entries.js';
import { indexLocation } from './indexer.js';

/**
 * A watched batch (a few folders listed again) that finds its folders emptied because the drive
 * went away while they were listed must remove nothing: the location's `present` check is asked
 * before any row goes, not only after discovery (real library, real files; the drive's going is
 * the files removed and `present` answering no, as an unmounted mount point would look).
 */
describe('a listing of folders whose drive went away', () => {
  const tmp = tempDir('vss-unplug-list-');
  const tree = join(tmp.path, 'drive', 'Photos');
  let lib: Library;
  let loc = 0;

  before(async () => {
    mkdirSync(join(tree, '2024'), { recursive: true });
    for (const n of ['a.txt', 'b.txt']) writeFileSync(join(tree, '2024', n), `bytes of ${n}`);
    lib = new Installation({ dataDir: join(tmp.path, 'data') }).createLibrary('U', tmp.path);
    loc = addLocation(lib, tree, { mode: 'content' }).id;
    await scanLocation(lib, loc);
  });
  after(() => { lib.close(); tmp.cleanup(); });

  it('removes nothing when the location is no longer there, and removes what left once it is', async () => {
    rmSync(join(tree, '2024', 'a.txt'));
    rmSync(join(tree, '2024', 'b.txt'));
    const row = { id: loc, path: tree, index_mode: 'content' as const, ignore_rules: '[]' };
    const only = [{ rel: '2024', subtree: false }];
    await assert.rejects(indexLocation(lib, row, { only, present: () => false }), /went offline/);
    assert.ok(entryAt(lib, '2024/a.txt'), 'a.txt kept');
    assert.ok(entryAt(lib, '2024/b.txt'), 'b.txt kept');
    await indexLocation(lib, row, { only, present: () => true });
    assert.equal(entryAt(lib, '2024/a.txt'), undefined, 'gone for real once the location is there');
  });
});
