import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Installation } from '../library/installation.js';
import type { Library } from '../library/library.js';
import { addLocation, scanLocation } from '../locations/locations.js';
import { tempDir } from '../../test/helpers.js';

/*
 * A peer keeps each of this device's folders by its place, id and number (peer_folders): a full
 * copy sends every folder, a delta since seq S the folders numbered after S. So every folder a full
 * copy would bring that the copy at S did not (one made, or found at another path) must be
 * numbered after S — not only a folder whose listing changed. An empty folder made, or an empty
 * folder renamed, changed no listing of its own: unnumbered, it came in every full copy and in no
 * delta (forward-property, seed 2145330382: `x/\uFFFD` made and moved out before a scan left `x`
 * empty and never numbered).
 */

/** Each folder of LIB as a full copy sends it, keyed by location, path and id. */
function fullCopy(lib: Library): Set<string> {
  const rows = lib.store.entries.foldersToSend(lib.deviceId, { full: true, fromSeq: 0, toSeq: lib.store.syncMeta.seq(), afterSeq: 0, afterId: 0, limit: 10_000 });
  return new Set(rows.map((f) => `${f.location_id}:${f.rel_path}:${f.id}`));
}

/** The folders a full copy brings now that neither the copy BEFORE had nor a delta since seq SINCE brings. */
function missedByDelta(lib: Library, before: Set<string>, since: number): string[] {
  const delta = lib.store.entries.foldersToSend(lib.deviceId, { full: false, fromSeq: since, toSeq: lib.store.syncMeta.seq(), afterSeq: 0, afterId: 0, limit: 10_000 });
  const sent = new Set(delta.map((f) => `${f.location_id}:${f.rel_path}:${f.id}`));
  return [...fullCopy(lib)].filter((k) => !before.has(k) && !sent.has(k));
}

describe('entries: a folder is numbered when it is made or its path changes, not only when its listing does (a delta brings every folder a full copy brings)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let lib: Library;
  let tree: string;
  let loc: number;

  before(async () => {
    tmp = tempDir('vss-folder-numbering-');
    lib = new Installation({ dataDir: join(tmp.path, 'data') }).createLibrary('N', join(tmp.path, 'lib'), { makeCurrent: false });
    tree = join(tmp.path, 'tree');
    mkdirSync(tree);
    writeFileSync(join(tree, 'seed'), 'seed');
    loc = addLocation(lib, tree, { mode: 'content', name: 'Tree' }).id;
    await scanLocation(lib, loc);
  });
  after(() => {
    lib.close();
    tmp.cleanup();
  });

  /** What changing the tree with CHANGE and scanning it leaves out of a delta since the scan before. */
  async function missedAfter(change: () => void): Promise<string[]> {
    const had = fullCopy(lib);
    const since = lib.store.syncMeta.seq();
    change();
    await scanLocation(lib, loc);
    return missedByDelta(lib, had, since);
  }

  it('a folder made and emptied before the scan that finds it (a folder within it moved out: the seed\'s case)', async () => {
    assert.deepEqual(await missedAfter(() => {
      mkdirSync(join(tree, 'x', '\uFFFD'), { recursive: true });
      writeFileSync(join(tree, 'x', '\uFFFD', 'Z'), '22');
      renameSync(join(tree, 'x', '\uFFFD'), join(tree, 'z'));
    }), []);
  });

  it('an empty folder made', async () => {
    assert.deepEqual(await missedAfter(() => mkdirSync(join(tree, 'empty'))), []);
  });

  it('an empty folder renamed (found by its inode at the new name)', async () => {
    assert.deepEqual(await missedAfter(() => renameSync(join(tree, 'empty'), join(tree, 'renamed'))), []);
  });

  it('an empty folder moved into another folder, and a folder holding it renamed', async () => {
    assert.deepEqual(await missedAfter(() => renameSync(join(tree, 'renamed'), join(tree, 'z', 'inner'))), []);
    assert.deepEqual(await missedAfter(() => renameSync(join(tree, 'z'), join(tree, 'z2'))), []);
  });

  it('a location added empty: its own folder', async () => {
    const had = fullCopy(lib);
    const since = lib.store.syncMeta.seq();
    mkdirSync(join(tmp.path, 'bare'));
    const bare = addLocation(lib, join(tmp.path, 'bare'), { mode: 'content', name: 'Bare' }).id;
    await scanLocation(lib, bare);
    assert.deepEqual(missedByDelta(lib, had, since), []);
  });

  it('a folder whose row is rewritten at the same path (its times) is not numbered again', () => {
    const { entries } = lib.store;
    const root = entries.rootOf(loc)!;
    const dir = entries.child(root, 'x')!;
    const since = lib.store.syncMeta.seq();
    entries.update(dir.id, { parent_id: root, name: 'x', rel_path: 'x', kind: 'dir', size: dir.size, inode: dir.inode!, mtime_ms: (dir.mtime_ms ?? 0) + 1000, link_target: null }, false);
    const delta = entries.foldersToSend(lib.deviceId, { full: false, fromSeq: since, toSeq: lib.store.syncMeta.seq(), afterSeq: 0, afterId: 0, limit: 100 });
    assert.deepEqual(delta.map((f) => f.rel_path), [''], 'only the listing it shows in');
  });
});
