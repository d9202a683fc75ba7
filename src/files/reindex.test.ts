import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LibraryApi } from '../api/library-api.js';
import { Installation } from '../library/installation.js';
import type { Library } from '../library/library.js';
import { addLocation, scanLocation } from '../locations/locations.js';
import { entryAt } from '../../test/support/entries.js';
import { tempDir } from '../../test/helpers.js';

/**
 * A file operation indexes what it did itself (reindexAfter): each entry it writes records the
 * ctime its file has once vss has set its times and mode and renamed it into place, so the next
 * scan finds it unchanged and the copy counts (DESIGN §19: size, mtime, ctime and inode match).
 */
describe('entries a file operation writes carry the ctime of the file as vss left it', () => {
  const tmp = tempDir('vss-reindex-ctime-');
  const data = join(tmp.path, 'data');
  const a = join(tmp.path, 'a');
  const b = join(tmp.path, 'b');
  let lib: Library;
  let api: LibraryApi;
  let locB = 0;
  const row = (rel: string, loc: number) => lib.store.entries.byId(entryAt(lib, rel, loc)!.id)!;

  before(async () => {
    mkdirSync(a);
    mkdirSync(b);
    for (const n of ['one', 'two']) {
      writeFileSync(join(a, `${n}.txt`), `${n}\n`);
      chmodSync(join(a, `${n}.txt`), 0o640);
      utimesSync(join(a, `${n}.txt`), 1_700_000_000, 1_700_000_000);
    }
    lib = new Installation({ dataDir: data }).createLibrary('R', tmp.path);
    api = new LibraryApi(lib, { dataDir: data, access: 'write' });
    addLocation(lib, a, { mode: 'content' });
    locB = addLocation(lib, b, { mode: 'content' }).id;
    for (const l of lib.store.locations.ofDevice(lib.deviceId)) await scanLocation(lib, l.id);
  });
  after(() => { lib.close(); tmp.cleanup(); });

  it('a copy and a move: their entries hold the ctime the files have now, and a rescan finds nothing changed', async () => {
    await api.files.copy([join(a, 'one.txt')], b);
    await api.files.move([join(a, 'two.txt')], b);
    for (const n of ['one.txt', 'two.txt']) {
      const st = lstatSync(join(b, n));
      assert.equal(st.mode & 0o777, 0o640, 'its mode kept');
      assert.equal(st.mtimeMs, 1_700_000_000_000, 'its time kept');
      const r = row(n, locB);
      assert.deepEqual([r.ctime_ms, r.mtime_ms, r.inode, r.size], [st.ctimeMs, st.mtimeMs, st.ino, st.size], n);
      assert.ok(r.content_id !== null, `${n} linked`);
    }
    const again = await scanLocation(lib, locB);
    assert.deepEqual([again.changed, again.hashed], [0, 0]);
  });
});
