import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import { Installation } from '../library/installation.js';
import type { Library } from '../library/library.js';
import type { EntryFacts } from '../store/entries.js';
import { tempDir } from '../../test/helpers.js';
import { fileHereVerdict, recordedVerdict } from './evidence.js';
import { tally } from './guard.js';
import { contentSafety, guardianStatus } from './redundancy.js';

const uuidOf = (n: number) => `00000000-0000-5000-8000-${String(n).padStart(12, '0')}`;

describe('evidence: a file here', () => {
  const indexed = { size: 10, mtime_ms: 1000, ctime_ms: 2000, inode: 7, rotten: false };
  const facts = { kind: 'file' as const, size: 10, mtimeMs: 1000.4, ctimeMs: 2000.2, inode: 7, dev: 1, mode: 0o644, nlink: 1, atimeMs: 0, blocks: 1 };

  it('counts while its size, mtime, ctime and inode are the index\'s, each within a millisecond', () => {
    assert.deepEqual(fileHereVerdict(indexed, facts, 'f'), { counts: true });
    assert.deepEqual(fileHereVerdict({ ...indexed, ctime_ms: null }, { ...facts, ctimeMs: 9 }, 'f'), { counts: true }, 'a ctime never recorded is not compared');
  });

  it('does not count, saying why, once anything of it differs, it is gone, or rot is recorded', () => {
    const why = (i: typeof indexed, f: typeof facts | undefined) => { const v = fileHereVerdict(i, f, 'f'); return v.counts ? 'counts' : v.why; };
    assert.equal(why(indexed, undefined), 'f is gone');
    assert.equal(why(indexed, { ...facts, size: 11 }), 'f changed since it was indexed (rescan its location)');
    assert.equal(why(indexed, { ...facts, mtimeMs: 1002 }), 'f changed since it was indexed (rescan its location)');
    assert.equal(why(indexed, { ...facts, inode: 8 }), 'f was replaced by another file since it was indexed (rescan its location)');
    assert.equal(why(indexed, { ...facts, ctimeMs: 2005 }), 'f was touched since it was indexed (its ctime changed: rescan its location)');
    assert.equal(why({ ...indexed, rotten: true }, facts), 'f: a scrub found its bytes rotten');
    assert.equal(why(indexed, { ...facts, kind: 'symlink' as never }), 'f is no longer a file');
  });
});

/**
 * The Guardian's counts are the evidence rule's index part, in SQL (store/guardian.ts): for any
 * library of files on drives, some recorded rotten, the copies a content's safety counts are
 * exactly the drives holding a file of it that `recordedVerdict` lets count, and `guardian status`
 * calls lost exactly the contents left with none. A fresh library each run.
 */
describe('evidence: the counts in SQL agree with the rule', () => {
  const tmp = tempDir('vss-evidence-');
  const vss = () => new Installation({ dataDir: join(tmp.path, 'data') });
  let run = 0;
  after(() => tmp.cleanup());

  /** Locations each on drive 0-3; files: a content 0-5 in a location, rotten or not. */
  const world = fc.record({
    drives: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 5 }),
    files: fc.array(fc.record({ content: fc.integer({ min: 0, max: 5 }), loc: fc.nat(), rotten: fc.boolean() }), { minLength: 1, maxLength: 20 }),
  });

  it('copies counted = the drives holding a file not recorded rotten; lost = the contents with none', () => {
    const inst = vss();
    fc.assert(fc.property(world, ({ drives, files }) => {
      const lib: Library = inst.createLibrary(`E${++run}`, join(tmp.path, `r${run}`), { makeCurrent: false });
      try {
        const { store } = lib;
        const vols = [0, 1, 2, 3].map((d) => store.volumes.seen(lib.deviceId, { fingerprint: `d${d}`, mount_point: `/mnt/d${d}`, fs: 'ext4', capacity: 1, free: 1, removable: 1, read_only: 0 }).id);
        const locs = drives.map((d, i) => {
          const id = store.locations.insert({ uuid: `00000000-0000-4000-a000-${String(i).padStart(12, '0')}`, device_id: lib.deviceId, name: `l${i}`, path: `/l${i}`, kind: 'disk', index_mode: 'content', ignore_rules: '[]', generation: null }, 0);
          store.entries.insertRoot(id, `l${i}`, 1000 + i, 0, 0);
          store.locations.setVolume(id, vols[d]!, `l${i}`);
          return id;
        });
        const rows = files.map((f, i) => {
          const li = f.loc % locs.length;
          store.contents.upsert({ uuid: uuidOf(f.content), cas_id: `c${f.content}`, cas_version: 1, kind: 'image', mime: 'image/jpeg', size: 1 }, 0);
          const facts: EntryFacts = { parent_id: store.entries.rootOf(locs[li]!)!, name: `f${i}`, rel_path: `f${i}`, kind: 'file', size: 1, inode: 100 + i, mtime_ms: 1, link_target: null };
          const entry = store.entries.insert(locs[li]!, facts, 0);
          store.entries.linkContents([{ file: { ...facts, id: entry }, uuid: uuidOf(f.content), verified: false }], 0);
          if (f.rotten) store.rot.put({ entry_id: entry, content_id: store.contents.byUuid(uuidOf(f.content))!.id, size: 1, expected: 'a', found: 'b', found_at: 0 });
          return { content: f.content, drive: drives[li]!, rotten: f.rotten };
        });
        const contents = new Set(rows.map((r) => r.content));
        let lost = 0;
        for (const c of contents) {
          const counted = rows.filter((r) => r.content === c && recordedVerdict({ rotten: r.rotten }).counts);
          const want = tally(counted.map((r) => ({ device: 'me', here: true, place: `v${r.drive}` }))).copies;
          if (want === 0) lost++;
          assert.equal(contentSafety(lib, uuidOf(c))?.has.copies, want, `content ${c}`);
        }
        const s = guardianStatus(lib);
        assert.deepEqual([s.contents, s.lost.contents], [contents.size, lost]);
      } finally {
        lib.close();
      }
    }), { numRuns: 40, seed: 42 });
  });
});
