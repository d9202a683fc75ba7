import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Installation as Vss } from '../library/installation.js';
import type { Library } from '../library/library.js';
import { addLocation, scanLocation } from '../locations/locations.js';
import { SMALL_FILE_BYTES } from '../content/hash-file.js';
import { indexPending } from '../search/search-index.js';
import { moveIndexed } from './move-indexed.js';
import { searchLibrary } from '../search/search-query.js';
import { tempDir } from '../../test/helpers.js';

/**
 * A location's first scan writes its small files' rows once, with their contents, as they are
 * read (held-files.ts, issue 57): the rows, the folders' digests and figures, search and the
 * grid end as they did when discovery inserted the rows and identification linked them.
 */
describe('a first scan writes small files once, with their contents (real library, real files)', () => {
  const tmp = tempDir('vss-held-');
  const tree = join(tmp.path, 'tree');
  let lib: Library;
  const one = <T>(sql: string, ...args: unknown[]) => lib.db.prepare(sql).pluck().get(...args) as T;

  before(() => {
    for (let d = 0; d < 3; d++) {
      mkdirSync(join(tree, `d${d}`, 'inner'), { recursive: true });
      for (let f = 0; f < 30; f++) writeFileSync(join(tree, `d${d}`, `small ${d}-${f} walrus.txt`), `small ${d} ${f}`);
      writeFileSync(join(tree, `d${d}`, 'inner', 'copy.txt'), 'the same bytes in every folder');
    }
    writeFileSync(join(tree, 'd0', 'large.bin'), Buffer.alloc(SMALL_FILE_BYTES + 1, 7));
    writeFileSync(join(tree, 'd1', 'gone before read.txt'), 'listed, then removed');
    lib = new Vss({ dataDir: join(tmp.path, 'data') }).createLibrary('H', tmp.path);
  });
  after(() => { lib.close(); tmp.cleanup(); });

  it('links every file, keeps every folder digest and figure, and reports a file gone before its read once', async () => {
    const loc = addLocation(lib, tree, { mode: 'content' }).id;
    const grid = one<number>('SELECT n FROM grid_version');
    // The content phase begins once every listing is applied: the file goes between its listing and its read.
    const off = lib.events.on('index:phase', (p) => { if (p.phase === 'content') unlinkSync(join(tree, 'd1', 'gone before read.txt')); });
    const r = await scanLocation(lib, loc).finally(off);
    assert.deepEqual(r.skipped.map((s) => s.path), [join(tree, 'd1', 'gone before read.txt')], 'skipped once, not read twice');
    assert.equal(r.files, 95);
    assert.equal(r.dirs, 6);
    assert.equal(r.added, 101);
    assert.equal(r.contents, 92, '90 small, the copy, the large one');
    assert.equal(one<number>("SELECT count(*) FROM entries WHERE location_id = ? AND kind = 'file' AND content_id IS NULL", loc), 1, 'only the file gone is without a content');
    assert.equal(one<number>("SELECT count(*) FROM entries WHERE location_id = ? AND kind = 'file' AND content_id IS NOT NULL AND verified_at IS NULL", loc), 0, 'hashed whole: verified');
    assert.equal(one<number>("SELECT count(*) FROM entries WHERE location_id = ? AND kind = 'dir' AND listing_digest IS NOT NULL", loc), 7, 'every folder keeps its digest (the root too)');
    assert.equal(one<number>("SELECT agg_files FROM entries WHERE location_id = ? AND rel_path = 'd2'", loc), 31, 'folders added up after their files');
    assert.ok(one<number>('SELECT n FROM grid_version') > grid, 'the grid version moved');
    assert.equal(one<number>('SELECT count(*) FROM search_pending'), 0, 'new contents wait above the mark');
    assert.equal(await indexPending(lib), 92);
    assert.equal(searchLibrary(lib, 'walrus', { limit: 100 }).length, 90);

    // The next scan finds everything as written: nothing to add or read; only the file gone and its folder (its time moved).
    const again = await scanLocation(lib, loc);
    assert.deepEqual([again.added, again.changed, again.removed, again.hashed], [0, 1, 1, 0]);
  });

  it('a file of a content the library knows is written linked to it and queued for search by its uuid', async () => {
    const other = join(tmp.path, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'a second name platypus.txt'), 'the same bytes in every folder');
    const loc = addLocation(lib, other, { mode: 'content' }).id;
    const r = await scanLocation(lib, loc);
    assert.equal(r.hashed, 1);
    assert.equal(one<number>('SELECT count(*) FROM search_pending'), 1, 'its content is not above the mark: queued');
    await indexPending(lib);
    assert.equal(searchLibrary(lib, 'platypus').length, 1, 'found by its new name');
  });

  it('a folder vss moves while its files are held: their rows are written under it where it is now', async () => {
    const moving = join(tmp.path, 'moving');
    mkdirSync(join(moving, 'a'), { recursive: true });
    for (let f = 0; f < 20; f++) writeFileSync(join(moving, 'a', `m${f}.txt`), `moved ${f}`);
    const loc = addLocation(lib, moving, { mode: 'content' }).id;
    // Between the listing and the reads, as a move within the drive (files move) would.
    const off = lib.events.on('index:phase', (p) => {
      if (p.phase !== 'content' || p.locationId !== loc) return;
      renameSync(join(moving, 'a'), join(moving, 'b'));
      assert.equal(moveIndexed(lib, loc, 'a', 'b'), true);
    });
    await scanLocation(lib, loc).finally(off);
    const rows = lib.db.prepare("SELECT e.rel_path, p.rel_path AS folder, e.name FROM entries e JOIN entries p ON p.id = e.parent_id WHERE e.location_id = ? AND e.kind = 'file'").all(loc) as Array<{ rel_path: string; folder: string; name: string }>;
    assert.equal(rows.length, 20);
    for (const r of rows) assert.equal(r.rel_path, `${r.folder}/${r.name}`, "its path is its folder's");
    const again = await scanLocation(lib, loc);
    assert.equal(again.hashed, 20, 'read at their new place by the next scan');
    assert.equal(one<number>("SELECT count(*) FROM entries WHERE location_id = ? AND kind = 'file' AND content_id IS NOT NULL AND rel_path LIKE 'b/%'", loc), 20);
  });
});
