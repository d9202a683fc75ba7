import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Installation } from '../library/installation.js';
import type { Library } from '../library/library.js';
import { addLocation, scanLocation } from '../locations/locations.js';
import { tempDir } from '../../test/helpers.js';
import { moveIndexed } from './move-indexed.js';

/**
 * A rename vss makes within one location moves its entry in the index in one write (issue 57: a
 * 10,000-file folder moved costs about what `mv` does, not a re-index). Real library, real files:
 * for random trees and random moves, the index after `moveIndexed` is what a rescan finds — a
 * rescan then adds, changes, moves and removes nothing, every row keeps its content, and every
 * folder that moved (and the two it left and joined) is numbered for peers.
 */
describe('moveIndexed', () => {
  const tmp = tempDir('vss-move-indexed-');
  after(() => tmp.cleanup());
  let n = 0;

  /** Folders (by path) and files (path → bytes) of a tree. */
  const treeArb = fc.record({
    dirs: fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'a/x', 'a/y', 'b/z', 'a/x/deep'), { minLength: 2, maxLength: 7 }),
    files: fc.array(fc.tuple(fc.nat(6), fc.constantFrom('1.txt', '2.jpg', 'é 3.bin'), fc.string({ minLength: 1, maxLength: 40 })), { maxLength: 12 }),
    pick: fc.nat(100),
    into: fc.nat(100),
  });

  it('leaves the index as a rescan finds it, every content kept, the moved folders numbered', async () => {
    await fc.assert(fc.asyncProperty(treeArb, async ({ dirs, files, pick, into }) => {
      const root = join(tmp.path, `t${n++}`);
      // Every folder's parents too, so the picked ones exist.
      const all = [...new Set(dirs.flatMap((d) => d.split('/').map((_, i, p) => p.slice(0, i + 1).join('/'))))].sort();
      for (const d of all) mkdirSync(join(root, d), { recursive: true });
      const placed = new Map<string, string>();
      for (const [at, name, text] of files) placed.set(`${all[at % all.length]!}/${name}`, text);
      for (const [p, text] of placed) writeFileSync(join(root, p), text);
      const lib: Library = new Installation({ dataDir: join(root, '..', `data-${n}`) }).createLibrary(`M${n}`, join(root, '..'));
      try {
        const loc = addLocation(lib, root, { mode: 'content' }).id;
        await scanLocation(lib, loc);
        const entries = [...all, ...placed.keys()];
        const from = entries[pick % entries.length]!;
        const targets = all.filter((d) => d !== from && !d.startsWith(`${from}/`));
        const dir = targets.length > 0 && into % 3 !== 0 ? targets[into % targets.length]! : '';
        const to = dir === '' ? `moved-${from.split('/').at(-1)}` : `${dir}/moved-${from.split('/').at(-1)}`;
        const contentsBefore = contentsByName(lib, loc, from, to);
        const seqBefore = lib.store.entries.lastFolderSeq();
        renameSync(join(root, from), join(root, to));
        assert.equal(moveIndexed(lib, loc, from, to), true, `${from} → ${to}`);
        assert.ok(lib.store.entries.lastFolderSeq() > seqBefore, 'the folders it touched are numbered for peers');
        assert.deepEqual(contentsByName(lib, loc, to, to), contentsBefore, 'every row keeps its content');
        assert.deepEqual(indexedPaths(lib, loc), diskPaths(root), 'every row\'s path is the one on disk, before any rescan');
        const r = await scanLocation(lib, loc);
        assert.deepEqual({ added: r.added, changed: r.changed, moved: r.moved, removed: r.removed, hashed: r.hashed }, { added: 0, changed: 0, moved: 0, removed: 0, hashed: 0 }, `a rescan after ${from} → ${to} finds the index already right`);
      } finally {
        lib.close();
      }
    }), { numRuns: 25 });
  });

  it('says no where it cannot follow the rename in one write (the index lists again)', async () => {
    const root = join(tmp.path, 'no');
    mkdirSync(join(root, 'a'), { recursive: true });
    writeFileSync(join(root, 'a', 'f.txt'), 'f');
    const lib = new Installation({ dataDir: join(tmp.path, 'data-no') }).createLibrary('No', tmp.path);
    try {
      const loc = addLocation(lib, root, { mode: 'content' }).id;
      await scanLocation(lib, loc);
      mkdirSync(join(root, 'new'));
      renameSync(join(root, 'a'), join(root, 'new', 'a'));
      assert.equal(moveIndexed(lib, loc, 'a', 'new/a'), false, 'its new folder is not indexed yet');
      assert.equal(moveIndexed(lib, loc, 'gone', 'b'), false, 'nothing indexed there');
    } finally {
      lib.close();
    }
  });
});

/** Every path the index holds for location LOC (folders with a trailing '/'), sorted. */
function indexedPaths(lib: Library, loc: number): string[] {
  const dirs = lib.store.entries.folders(loc).filter((d) => d.rel_path !== '').map((d) => `${d.rel_path}/`);
  return [...dirs, ...lib.store.entries.filesPage(loc, 0, 10_000).map((f) => f.rel_path)].sort();
}

/** Every path under ROOT on disk (folders with a trailing '/'), sorted. */
function diskPaths(root: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
    const p = rel === '' ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) out.push(`${p}/`, ...diskPaths(root, p));
    else out.push(p);
  }
  return out.sort();
}

/** The content of every file row at or beneath FROM, keyed by its path with FROM written as TO. */
function contentsByName(lib: Library, loc: number, from: string, to: string): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const f of lib.store.entries.filesPage(loc, 0, 10_000)) {
    if (f.rel_path !== from && !f.rel_path.startsWith(`${from}/`)) continue;
    out[to + f.rel_path.slice(from.length)] = f.content_id;
  }
  return out;
}
