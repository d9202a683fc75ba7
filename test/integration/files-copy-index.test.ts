/**
 * A copy into a location writes its files' rows from what it verified (indexer/landed.ts), not by
 * listing its folders again: the index it leaves must be the index a full rescan of the location
 * then finds — the same rows with the same facts (size, inode, times, ctime) and contents, and a
 * rescan that adds, moves, removes and reads nothing. Over random small trees (fast-check): new
 * folders and folders merged into, names the indexer ignores (a file and a whole folder), empty
 * files, the same bytes under several names, and each conflict policy (a real library and files).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { LibraryApi } from '../../src/api/library-api.js';
import { Vss, addLocation, scanLocation, type Library, type VssError } from '../internals.js';
import { tempDir } from '../helpers.js';
import { entriesOf } from '../support/entries.js';

/** Bytes of each file by its number: an empty one, and sizes across a few blocks. */
const CONTENTS = [0, 1, 700, 4096, 5000, 20_000].map((n, i) => Buffer.alloc(n, i + 1));
const FOLDERS = ['', 'a', 'a/b', 'c', 'c/d/e', 'node_modules', 'a/node_modules/x'];
const NAMES = ['one.bin', 'two.txt', 'x y.jpg', 'été.txt', '.DS_Store', 'notes~'];

describe('a copy into a location leaves the index a rescan finds', { timeout: 300_000 }, () => {
  const tmp = tempDir('vss-copy-index-');
  const src = join(tmp.path, 'src');
  const dst = join(tmp.path, 'dst');
  let lib: Library;
  let api: LibraryApi;
  let dstId = 0;

  before(async () => {
    mkdirSync(src);
    mkdirSync(dst);
    const dataDir = join(tmp.path, 'data');
    lib = new Vss({ dataDir }).createLibrary('C', tmp.path);
    api = new LibraryApi(lib, { dataDir, access: 'write' });
    addLocation(lib, src, { mode: 'content' });
    dstId = addLocation(lib, dst, { mode: 'content' }).id;
  });
  after(() => { api.close(); tmp.cleanup(); });

  /** Every row of the destination with its facts and content; a folder that was there before the copy without its times (the copy wrote into it). */
  const index = (before: ReadonlySet<string>) => entriesOf(lib, dstId).map((e) => {
    const row = lib.store.entries.byId(e.id)!;
    const times = row.kind === 'dir' && before.has(row.rel_path) ? {} : { mtime: row.mtime_ms, ctime: row.ctime_ms };
    return { rel: row.rel_path, kind: row.kind, size: row.size, inode: row.inode, ...times, content: row.content_id === null ? null : lib.store.contents.byId(row.content_id)?.uuid };
  }).sort((x, y) => (x.rel < y.rel ? -1 : 1));

  it('over random trees, merged or new, under each conflict policy', async () => {
    const file = fc.record({ folder: fc.constantFrom(...FOLDERS), name: fc.constantFrom(...NAMES), bytes: fc.nat(CONTENTS.length - 1) });
    const shape = fc.record({
      files: fc.array(file, { minLength: 1, maxLength: 12 }),
      there: fc.array(file, { maxLength: 4 }),
      merge: fc.boolean(),
      onConflict: fc.constantFrom('replace', 'keep-both', 'skip') as fc.Arbitrary<'replace' | 'keep-both' | 'skip'>,
    });
    let run = 0;
    await fc.assert(fc.asyncProperty(shape, async ({ files, there, merge, onConflict }) => {
      run++;
      const tree = join(src, `run${run}`, 'tree');
      const into = join(dst, `run${run}`);
      const write = (root: string, f: { folder: string; name: string; bytes: number }) => {
        mkdirSync(join(root, f.folder), { recursive: true });
        writeFileSync(join(root, f.folder, f.name), CONTENTS[f.bytes]!);
      };
      mkdirSync(tree, { recursive: true });
      for (const f of files) write(tree, f);
      mkdirSync(into);
      // Merged: the destination holds a folder of the tree's name already, with files of its own (some of the same names).
      if (merge) for (const f of there) write(join(into, 'tree'), f);
      await scanLocation(lib, dstId);
      await scanLocation(lib, (lib.store.locations.ofDevice(lib.deviceId).find((l) => l.path === src))!.id);
      const before = new Set(index(new Set()).filter((e) => e.kind === 'dir').map((e) => e.rel));

      const out = await api.files.copy([tree], into, { onConflict }).catch((err: unknown) => {
        // A replace the Guardian refuses (the file it gives up holds the last copy of its content): nothing was copied.
        if ((err as VssError).code === 'POLICY') return undefined;
        throw err;
      });
      if (!out) return;
      assert.equal(out.job.status, 'completed', out.job.note ?? '');
      const copied = index(before);
      const again = await scanLocation(lib, dstId);
      assert.deepEqual(index(before), copied, 'the rows a rescan finds are those the copy wrote');
      assert.deepEqual({ added: again.added, moved: again.moved, removed: again.removed, hashed: again.hashed }, { added: 0, moved: 0, removed: 0, hashed: 0 });
    }), { numRuns: 40 });
  });
});
