import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Installation } from '../library/installation.js';
import { addLocation, scanLocation } from '../locations/locations.js';
import { tempDir } from '../../test/helpers.js';
import { contentUuidAt } from '../../test/support/entries.js';
import { TagBook } from './tag-book.js';
import { setXmpWriteBack, writeBackOnce } from './xmp-write-back.js';
import { pruneSharedLog } from './shared-log.js';

/**
 * XMP write-back (issue 59) never writes into a location whose drive is away (its empty mount point
 * is no folder of it: issue 57 S1), and does not lose what it could not write: the cursor stays,
 * and once the location is back the next pass writes it. Real library, real files.
 */
describe('XMP write-back and an offline location', () => {
  const tmp = tempDir('vss-xmpback-');
  after(() => tmp.cleanup());

  it('writes nothing while the location is offline, and what it missed once it is back', async () => {
    const lib = new Installation({ dataDir: join(tmp.path, 'data') }).createLibrary('X', join(tmp.path, 'libs'));
    try {
      const photos = join(tmp.path, 'photos');
      mkdirSync(photos);
      writeFileSync(join(photos, 'a.jpg'), 'a photo');
      const loc = addLocation(lib, photos, { mode: 'content' }).id;
      await scanLocation(lib, loc);
      setXmpWriteBack(lib, loc, true);
      const uuid = contentUuidAt(lib, 'a.jpg', loc)!;
      new TagBook(lib).add('Trip', [uuid]);
      lib.store.locations.setOnline(loc, false);
      await writeBackOnce(lib);
      assert.ok(!existsSync(join(photos, 'a.jpg.xmp')), 'nothing written while offline');
      lib.store.locations.setOnline(loc, true);
      await writeBackOnce(lib);
      assert.ok(existsSync(join(photos, 'a.jpg.xmp')), 'written once it is back');
    } finally {
      lib.close();
    }
  });

  it('writes back what it missed when the log was pruned past its cursor while the drive was away', async () => {
    const lib = new Installation({ dataDir: join(tmp.path, 'data2') }).createLibrary('Y', join(tmp.path, 'libs2'));
    try {
      const photos = join(tmp.path, 'photos2');
      mkdirSync(photos);
      writeFileSync(join(photos, 'b.jpg'), 'b photo');
      writeFileSync(join(photos, 'c.jpg'), 'c photo');
      const loc = addLocation(lib, photos, { mode: 'content' }).id;
      await scanLocation(lib, loc);
      setXmpWriteBack(lib, loc, true);
      lib.store.locations.setOnline(loc, false);
      new TagBook(lib).add('Away', [contentUuidAt(lib, 'b.jpg', loc)!]);
      await writeBackOnce(lib);
      // Thirty days on (or every member read it): the log holds none of what the cursor has not read.
      pruneSharedLog(lib, Date.now() + 31 * 24 * 3600_000);
      assert.equal(lib.store.sharedOps.oldest(), undefined, 'the log pruned empty');
      lib.store.locations.setOnline(loc, true);
      await writeBackOnce(lib);
      assert.match(readFileSync(join(photos, 'b.jpg.xmp'), 'utf8'), /Away/, 'the change the pruned log held, written');
      assert.ok(!existsSync(join(photos, 'c.jpg.xmp')), 'a content with no user data gets no sidecar');
      // Caught up: the next pass finds nothing missed and writes nothing new.
      rmSync(join(photos, 'b.jpg.xmp'));
      await writeBackOnce(lib);
      assert.ok(!existsSync(join(photos, 'b.jpg.xmp')), 'not written again once caught up');
    } finally {
      lib.close();
    }
  });
});
