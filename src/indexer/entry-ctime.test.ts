import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, openSync, closeSync, readSync, renameSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';
import fc from 'fast-check';
import { Installation } from '../library/installation.js';
import type { Library } from '../library/library.js';
import { addLocation, scanLocation } from '../locations/locations.js';
import { contentUuidFor } from '../content/identity.js';
import { listingDigest } from '../storage/walk-wire.js';
import type { ListedEntry } from '../storage/port.js';
import type { EntryFacts, EntryRecord } from '../store/entries.js';
import { entryAt } from '../../test/support/entries.js';
import { tempDir } from '../../test/helpers.js';

/**
 * Times in whole seconds, which Node's utimes sets back exactly (it keeps the millisecond, not
 * always the nanoseconds): the files' times before the first scan.
 */
const WHEN = 1_700_000_000;

/** Flip one bit of PATH at OFFSET and put its times back (the faults note's FLIP): only its ctime tells. */
function flip(path: string, offset = 3): void {
  const fd = openSync(path, 'r+');
  const b = Buffer.alloc(1);
  readSync(fd, b, 0, 1, offset);
  b[0]! ^= 1;
  writeSync(fd, b, 0, 1, offset);
  closeSync(fd);
  utimesSync(path, WHEN, WHEN);
}

/** A ctime is taken at a clock tick: wait past it, so a change made now shows. */
const nextTick = () => new Promise((r) => setTimeout(r, 20));

/**
 * DESIGN §19: a file counts as the file the index knows while its size, mtime, ctime and inode
 * still match. Real library, real files: the ctime is recorded as the walk saw it, a file whose
 * bytes changed with its mtime put back is identified again (as git's core.trustctime), a rename
 * keeps a file's identity and records its new ctime, and a row from before ctimes were kept takes
 * its file's ctime without being taken for changed.
 */
describe('ctime in the index', () => {
  const tmp = tempDir('vss-ctime-');
  const tree = join(tmp.path, 'tree');
  let lib: Library;
  let loc = 0;
  const row = (rel: string): EntryRecord => lib.store.entries.byId(entryAt(lib, rel, loc)!.id)!;
  const uuidOf = (rel: string) => lib.store.contents.byId(row(rel).content_id!)!.uuid;
  const bytes = (n: number) => Buffer.from(`file ${n}: `.padEnd(64, String(n)));

  before(async () => {
    mkdirSync(join(tree, 'sub'), { recursive: true });
    for (let i = 0; i < 4; i++) {
      writeFileSync(join(tree, `f${i}.bin`), bytes(i));
      utimesSync(join(tree, `f${i}.bin`), WHEN, WHEN);
    }
    lib = new Installation({ dataDir: join(tmp.path, 'data') }).createLibrary('C', tmp.path);
    loc = addLocation(lib, tree, { mode: 'content' }).id;
    await scanLocation(lib, loc);
  });
  after(() => { lib.close(); tmp.cleanup(); });

  it('records every entry\'s ctime as the walk saw it', () => {
    for (const rel of ['f0.bin', 'f1.bin', 'sub']) assert.equal(row(rel).ctime_ms, lstatSync(join(tree, rel)).ctimeMs, rel);
  });

  it('identifies again a file whose bytes changed while its size, mtime and inode did not', async () => {
    const path = join(tree, 'f0.bin');
    const was = row('f0.bin');
    await nextTick();
    flip(path);
    const now = lstatSync(path);
    assert.deepEqual([now.size, now.mtimeMs, now.ino], [was.size, was.mtime_ms, was.inode], 'only the ctime tells');
    const r = await scanLocation(lib, loc);
    assert.equal(r.changed, 1);
    assert.equal(r.hashed, 1);
    const flipped = bytes(0);
    flipped[3]! ^= 1;
    assert.equal(uuidOf('f0.bin'), contentUuidFor(blake3(flipped).toString('hex')), 'linked to what its bytes are now');
    assert.equal(row('f0.bin').ctime_ms, now.ctimeMs);
  });

  it('a folder the watcher names is listed again and sees the same', async () => {
    const path = join(tree, 'f1.bin');
    await nextTick();
    flip(path);
    const r = await scanLocation(lib, loc, undefined, { only: [{ rel: '', subtree: false }] });
    assert.equal(r.changed, 1);
    const flipped = bytes(1);
    flipped[3]! ^= 1;
    assert.equal(uuidOf('f1.bin'), contentUuidFor(blake3(flipped).toString('hex')));
  });

  it('a file moved keeps its identity and takes its new ctime (a rename changes it)', async () => {
    const before = row('f2.bin');
    await nextTick();
    renameSync(join(tree, 'f2.bin'), join(tree, 'sub', 'moved.bin'));
    const now = lstatSync(join(tree, 'sub', 'moved.bin'));
    assert.notEqual(now.ctimeMs, before.ctime_ms, 'the rename changed the ctime');
    const r = await scanLocation(lib, loc);
    assert.equal(r.moved, 1);
    assert.equal(r.hashed, 0, 'not read again');
    const after = row('sub/moved.bin');
    assert.deepEqual([after.id, after.content_id, after.verified_at], [before.id, before.content_id, before.verified_at]);
    assert.equal(after.ctime_ms, now.ctimeMs);
  });

  it('a row with no ctime (written before ctimes were kept) takes its file\'s, and is not taken for changed', async () => {
    const was = row('f3.bin');
    const facts: EntryFacts = { parent_id: was.parent_id, name: was.name, rel_path: was.rel_path, kind: was.kind, size: was.size, inode: was.inode!, mtime_ms: was.mtime_ms!, link_target: was.link_target };
    lib.store.transaction(() => lib.store.entries.update(was.id, facts, false));
    assert.equal(row('f3.bin').ctime_ms, null);
    const r = await scanLocation(lib, loc);
    assert.deepEqual([r.changed, r.hashed], [0, 0]);
    const now = row('f3.bin');
    assert.deepEqual([now.content_id, now.verified_at], [was.content_id, was.verified_at], 'its identity and its verification kept');
    assert.equal(now.ctime_ms, lstatSync(join(tree, 'f3.bin')).ctimeMs);
  });

  it('a rescan of what did not change writes nothing', async () => {
    const r = await scanLocation(lib, loc);
    assert.deepEqual([r.added, r.changed, r.moved, r.removed, r.hashed], [0, 0, 0, 0, 0]);
  });

  it('a listing\'s digest covers the ctime: two listings that differ only there never share one', () => {
    const entry = fc.record({
      name: fc.string({ minLength: 1, maxLength: 8 }), kind: fc.constantFrom('file' as const, 'dir' as const, 'symlink' as const),
      size: fc.nat(), inode: fc.nat(), mtimeMs: fc.double({ min: 1, max: 2e12, noNaN: true }), ctimeMs: fc.double({ min: 1, max: 2e12, noNaN: true }),
      linkTarget: fc.constant(null),
    });
    fc.assert(fc.property(fc.array(entry, { minLength: 1, maxLength: 5 }), fc.nat(), fc.double({ min: 1, max: 2e12, noNaN: true }), (entries, at, ctime) => {
      const i = at % entries.length;
      fc.pre(entries[i]!.ctimeMs !== ctime);
      const other: ListedEntry[] = entries.map((e, j) => (j === i ? { ...e, ctimeMs: ctime } : e));
      return listingDigest(entries) !== listingDigest(other);
    }));
  });
});
