import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Installation } from '../library/installation.js';
import type { Library } from '../library/library.js';
import { addLocation, scanLocation } from '../locations/locations.js';
import { tempDir } from '../../test/helpers.js';
import type { EntryFacts, EntryRecord } from '../store/entries.js';

/**
 * A rescan trusts a folder's rows unread when its listing has the digest kept for them (migration
 * 023). Real library, real files: each case is a way the rows could differ from what the digest
 * says, and the rescan must still bring them in line.
 */
describe('listing digests', () => {
  const tmp = tempDir('vss-digests-');
  const tree = join(tmp.path, 'tree');
  let lib: Library;
  let loc = 0;
  const rowAt = (rel: string) => {
    const root = lib.store.entries.rootOf(loc)!;
    let id = root;
    for (const name of rel.split('/')) id = lib.store.entries.child(id, name)!.id;
    return lib.store.entries.byId(id)!;
  };
  const facts = (r: EntryRecord, change: Partial<EntryFacts> = {}): EntryFacts => ({
    parent_id: r.parent_id, name: r.name, rel_path: r.rel_path, kind: r.kind, size: r.size, inode: r.inode!, mtime_ms: r.mtime_ms!, link_target: r.link_target, ...change,
  });
  const paths = () => lib.store.entries.filesPage(loc, 0, 1000).map((f) => f.rel_path).sort();

  before(async () => {
    for (const d of ['a', 'b', 'c/deep']) mkdirSync(join(tree, d), { recursive: true });
    for (const f of ['a/1.txt', 'a/2.txt', 'b/3.txt', 'c/deep/4.txt']) writeFileSync(join(tree, f), f);
    lib = new Installation({ dataDir: join(tmp.path, 'data') }).createLibrary('D', tmp.path);
    loc = addLocation(lib, tree, { mode: 'content' }).id;
    await scanLocation(lib, loc);
  });
  after(() => { lib.close(); tmp.cleanup(); });

  it('keeps one for every folder a scan listed, and identifying files keeps it', () => {
    for (const rel of ['a', 'b', 'c', 'c/deep']) assert.ok(lib.store.entries.keptListing(rowAt(rel).id), rel);
    assert.ok(lib.store.entries.keptListing(lib.store.entries.rootOf(loc)!));
  });

  it('forgets a folder\'s digest whenever its rows change otherwise', () => {
    const a = rowAt('a');
    const one = rowAt('a/1.txt');
    lib.store.entries.update(one.id, facts(one), false);
    assert.equal(lib.store.entries.keptListing(a.id), null, 'a row rewritten');
    lib.store.entries.keepListing(a.id, 'x');
    lib.store.entries.delete(rowAt('a/2.txt').id);
    assert.equal(lib.store.entries.keptListing(a.id), null, 'a row removed');
    lib.store.entries.keepListing(a.id, 'x');
    lib.store.entries.update(a.id, facts(a), false);
    assert.equal(lib.store.entries.keptListing(a.id), null, 'the folder itself moved: its rows\' paths are not yet its new ones');
  });

  it('brings back what the store changed behind a kept digest, on the next rescan', async () => {
    const r = await scanLocation(lib, loc);
    assert.deepEqual(paths(), ['a/1.txt', 'a/2.txt', 'b/3.txt', 'c/deep/4.txt']);
    assert.equal(r.files, 4);
  });

  it('finds a folder renamed while its children were not yet walked (a scan killed between the two)', async () => {
    renameSync(join(tree, 'c'), join(tree, 'c2'));
    // What the parent's listing does first, committed alone: the folder's row takes its new name.
    const c = rowAt('c');
    lib.store.entries.update(c.id, facts(c, { name: 'c2', rel_path: 'c2' }), false);
    await scanLocation(lib, loc);
    assert.deepEqual(paths(), ['a/1.txt', 'a/2.txt', 'b/3.txt', 'c2/deep/4.txt']);
    assert.equal(rowAt('c2/deep').rel_path, 'c2/deep', 'the renamed folder\'s subfolder row has its new path');
  });

  it('removes what is gone beside folders confirmed whole, and only that', async () => {
    rmSync(join(tree, 'b', '3.txt'));
    const before = rowAt('a/1.txt').content_id;
    const r = await scanLocation(lib, loc);
    assert.equal(r.removed, 1);
    assert.deepEqual(paths(), ['a/1.txt', 'a/2.txt', 'c2/deep/4.txt']);
    assert.equal(rowAt('a/1.txt').content_id, before, 'the unchanged folder\'s rows are as they were');
  });

  it('sees a file rewritten in place in a folder it had a digest for', async () => {
    writeFileSync(join(tree, 'a', '1.txt'), 'other bytes, other size');
    const r = await scanLocation(lib, loc);
    assert.equal(r.changed, 1);
    assert.equal(r.hashed, 1);
  });
});
