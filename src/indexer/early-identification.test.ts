import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Installation } from '../library/installation.js';
import type { Library } from '../library/library.js';
import { addLocation } from '../locations/locations.js';
import { locationStorage } from '../storage/storages.js';
import type { EntryFacts } from '../store/entries.js';
import { tempDir } from '../../test/helpers.js';
import { EarlyIdentification } from './early-identification.js';
import { identifyContents } from './identification.js';
import { SeenSet } from './seen-set.js';

/**
 * New files identified during discovery (real library, real files, a real identify thread): each
 * row is written once, linked, with what a first link does; one that cannot be identified is
 * written bare, told once, and left alone by the content phase.
 */
describe('early identification', () => {
  const tmp = tempDir('vss-early-');
  const tree = join(tmp.path, 'tree');
  let lib: Library;
  let loc = 0;

  before(() => {
    mkdirSync(join(tree, 'a'), { recursive: true });
    writeFileSync(join(tree, 'a', '1.txt'), 'one');
    writeFileSync(join(tree, 'a', '2.txt'), 'two');
    writeFileSync(join(tree, 'a', '3.txt'), 'three');
    lib = new Installation({ dataDir: join(tmp.path, 'data') }).createLibrary('E', tmp.path);
    loc = addLocation(lib, tree, { mode: 'content' }).id;
  });
  after(() => { lib.close(); tmp.cleanup(); });

  it('writes identified files linked, a failed one bare and told once, and keeps the held digest', async () => {
    const { store } = lib;
    const root = store.entries.rootOf(loc)!;
    const st = lstatSync(join(tree, 'a'));
    const [dirId] = store.entries.insertMany(loc, [{ parent_id: root, name: 'a', rel_path: 'a', kind: 'dir', size: 0, inode: st.ino, mtime_ms: st.mtimeMs, link_target: null }]);
    const facts = (name: string, change: Partial<EntryFacts> = {}): EntryFacts => {
      const f = lstatSync(join(tree, 'a', name));
      return { parent_id: dirId!, name, rel_path: `a/${name}`, kind: 'file', size: f.size, inode: f.ino, mtime_ms: f.mtimeMs, link_target: null, ...change };
    };
    const skipped: string[] = [];
    const writer = store.batchWriter(20_000, 1000);
    const seen = new SeenSet();
    const gridBefore = store.browse.version();
    const early = new EarlyIdentification({
      store, locationId: loc, storage: locationStorage(lib, loc), writer, seen, startAfter: 0,
      hashThresholdBytes: lib.config.settings.hashThresholdBytes, onSkip: (rel, reason) => skipped.push(`${rel}: ${reason}`),
    });
    try {
      // 3.txt as if listed before it grew: its bytes are not what the listing said.
      for (const f of [facts('1.txt'), facts('2.txt'), facts('3.txt', { size: 1 })]) assert.equal(early.take(f), true);
      early.holdListing(dirId!, 'the listing', 3);
      assert.equal(store.entries.keptListing(dirId!), null);
      await early.pump();
      await early.drain();
      writer.commit();
    } finally {
      await early.close();
    }
    assert.equal(early.hashed, 2);
    const rows = store.entries.filesPage(loc, 0, 10);
    assert.deepEqual(rows.map((r) => [r.rel_path, r.content_id !== null]), [['a/1.txt', true], ['a/2.txt', true], ['a/3.txt', false]]);
    assert.deepEqual([...early.tried], [rows[2]!.id]);
    for (const r of rows) assert.equal(seen.has(r.id, null), true);
    assert.equal(skipped.length, 1);
    assert.match(skipped[0]!, /^a\/3\.txt: changed/);
    assert.equal(store.entries.keptListing(dirId!), 'the listing', 'the folder\'s rows are all written: its digest is kept');
    assert.equal(store.search.pendingCount(), 2, 'both contents queued for search');
    assert.ok(store.browse.version() > gridBefore, 'the grid version moved');

    const again = await identifyContents({
      store, locationId: loc, storage: locationStorage(lib, loc), hashThresholdBytes: lib.config.settings.hashThresholdBytes,
      onSkip: (rel, reason) => skipped.push(`${rel}: ${reason}`), onProgress: () => undefined, tried: early.tried,
    });
    assert.equal(again.hashed, 0);
    assert.equal(skipped.length, 1, 'the content phase does not try it again in the same scan');
  });

  it('leaves the first files to the content phase', () => {
    const early = new EarlyIdentification({
      store: lib.store, locationId: loc, storage: locationStorage(lib, loc), writer: lib.store.batchWriter(10, 10), seen: new SeenSet(),
      hashThresholdBytes: 1 << 20, onSkip: () => undefined, startAfter: 2,
    });
    const f: EntryFacts = { parent_id: 1, name: 'x', rel_path: 'x', kind: 'file', size: 1, inode: 1, mtime_ms: 0, link_target: null };
    assert.deepEqual([early.take(f), early.take(f), early.take(f)], [false, false, true]);
  });
});
