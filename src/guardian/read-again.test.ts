import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { hashFileAsIs } from '../content/hash-file.js';
import { flipBit, tempDir } from '../../test/helpers.js';
import { makeLibrary } from '../../test/support/guard-library.js';
import { copyLocksOf } from './copy-locks.js';
import { REHASH_MAX_BYTES } from './evidence.js';
import { belowPolicy, weighDrop } from './guard.js';
import { setPolicy } from './policy.js';

describe('guard: the last good copy here is hashed again before the other goes', () => {
  const tmp = tempDir('vss-guard-hash-');
  let made: ReturnType<typeof makeLibrary>;
  const small = Buffer.from('a small file, hashed again when it is the last good copy '.repeat(20));
  const other = Buffer.from('another small file on two drives '.repeat(20));

  before(() => {
    made = makeLibrary(tmp.path, 'one');
    made.file('pics', 'a', small);
    made.file('backup', 'a', small);
    made.file('pics', 'b', other);
    made.file('backup', 'b', other);
    setPolicy(made.lib, { copies: 1 });
  });
  after(() => {
    made.lib.close();
    tmp.cleanup();
  });

  it('silent rot in the copy that would be left (size, times and inode kept) is found, recorded, and the drop refused (faults note, defect 2)', async () => {
    flipBit(join(tmp.path, 'one', 'backup', 'a'), 3);
    assert.deepEqual(belowPolicy(made.lib, [made.at('pics', 'a')]), [], 'the first look cannot tell: its identity is the index\'s');
    const hold = await weighDrop(made.lib, [made.at('pics', 'a')]);
    await hold.release();
    assert.deepEqual(hold.below.map((b) => b.have), [0]);
    assert.match(hold.below[0]!.uncounted![0]!, /hashed again now, its bytes are not the content's \(rot, recorded\)/);
    const entry = made.lib.store.entries.fileAt(made.loc.backup!, 'a')!;
    assert.equal(made.lib.store.rot.has(entry.id), true, 'recorded, as a scrub records it');
  });

  it('a good copy left hashes to its content: the drop goes on', async () => {
    const hold = await weighDrop(made.lib, [made.at('pics', 'b')]);
    await hold.release();
    assert.deepEqual(hold.below, []);
  });
});

/**
 * The permanent step (DESIGN §21; faults note of 2026-11-27, S5): a copy that goes for good leans
 * on the others only once they were read whole just now, whatever their size. Files here are
 * larger than the bound an interactive drop hashes again (REHASH_MAX_BYTES), their tails holes
 * (no write), and rot is a bit flipped with the mtime put back (the index keeps no ctime here).
 */
describe('guard: the permanent step reads whole every copy it leans on', () => {
  const tmp = tempDir('vss-guard-whole-');
  let made: ReturnType<typeof makeLibrary>;
  const BIG = REHASH_MAX_BYTES + 1024 * 1024;
  const PLACE = { pics: 'A', more: 'A', backup: 'B' } as const;
  type Loc = keyof typeof PLACE;
  let run = 0;

  before(() => {
    made = makeLibrary(tmp.path, 'one');
  });
  after(() => {
    made.lib.close();
    tmp.cleanup();
  });

  it('property: the drop goes exactly when the copies left that read whole as the content meet its policy; only rotten ones are recorded', async () => {
    const loc = fc.constantFrom<Loc>('pics', 'more', 'backup');
    const world = fc.record({
      going: loc,
      left: fc.array(fc.record({ loc, rotten: fc.boolean() }), { maxLength: 3 }),
      copies: fc.integer({ min: 1, max: 2 }),
      trashed: fc.boolean(),
    });
    await fc.assert(fc.asyncProperty(world, async ({ going, left, copies, trashed }) => {
      const n = ++run;
      const head = Buffer.from(`run ${n}: the head of a large file `.repeat(8));
      const name = (i: number) => `r${n}-${i}`;
      made.file(going, name(0), head, { size: BIG });
      left.forEach((c, i) => made.file(c.loc, name(i + 1), head, { size: BIG }));
      left.forEach((c, i) => { if (c.rotten) flipBit(join(tmp.path, 'one', c.loc, name(i + 1)), 10); });
      setPolicy(made.lib, { copies, devices: 0 });
      // A file in the trash is one the index no longer lists (its content given); deleted for good, one it lists.
      const indexed = made.lib.store.entries.fileAt(made.loc[going]!, name(0))!;
      const leaving = { ...made.at(going, name(0)), ...(trashed ? { trashed: true as const, content_uuid: indexed.content_uuid! } : {}) };
      if (trashed) made.lib.store.entries.delete(indexed.id);
      const hold = await weighDrop(made.lib, [leaving], {}, { permanent: true });
      await hold.release();
      const good = new Set(left.filter((c) => !c.rotten).map((c) => PLACE[c.loc]));
      const before = new Set([...good, PLACE[going]]);
      const goes = !(good.size < before.size && good.size < copies);
      assert.equal(hold.below.length === 0, goes, JSON.stringify({ going, left, copies, below: hold.below }));
      left.forEach((c, i) => {
        const entry = made.lib.store.entries.fileAt(made.loc[c.loc]!, name(i + 1))!;
        const recorded = made.lib.store.rot.has(entry.id);
        if (!c.rotten) assert.equal(recorded, false, 'a good copy is never recorded rotten');
        else if (!goes) assert.equal(recorded, true, 'refused: every copy left was read, each rotten one recorded');
      });
    }), { numRuns: 40 });
  });

  it('an interactive drop keeps its bound (a large rotten copy is not read); the permanent step reads it', async () => {
    setPolicy(made.lib, { copies: 1, devices: 0 });
    const head = Buffer.from('a large file, rotten on backup '.repeat(8));
    made.file('pics', 'big', head, { size: BIG });
    made.file('backup', 'big', head, { size: BIG });
    flipBit(join(tmp.path, 'one', 'backup', 'big'), 20);
    const asked = await weighDrop(made.lib, [made.at('pics', 'big')]);
    await asked.release();
    assert.deepEqual(asked.below, [], 'a delete into the trash (undone at will) is not held up by a whole read');
    const permanent = await weighDrop(made.lib, [made.at('pics', 'big')], {}, { permanent: true });
    await permanent.release();
    assert.deepEqual(permanent.below.map((b) => b.have), [0]);
    assert.match(permanent.below[0]!.uncounted![0]!, /backup\/big: read whole now, its bytes are not the content's \(rot, recorded/);
  });

  it('a cancel stops the read, and the files are no longer marked going', async () => {
    setPolicy(made.lib, { copies: 1, devices: 0 });
    const head = Buffer.from('a large file, read when the drop is cancelled '.repeat(8));
    made.file('pics', 'cancelled', head, { size: BIG });
    made.file('backup', 'cancelled', head, { size: BIG });
    const stop = new AbortController();
    const weighing = weighDrop(made.lib, [made.at('pics', 'cancelled')], {}, { permanent: true, signal: stop.signal });
    stop.abort(new Error('cancelled by the test'));
    await assert.rejects(weighing, /cancelled by the test/);
    assert.equal(copyLocksOf(made.lib).isGoing({ locationId: made.loc.pics!, rel: 'cancelled' }), false);
  });

  it('a content identified by samples, never read whole: the copy left is held to the bytes going, and its BLAKE3 learnt when they match', async () => {
    setPolicy(made.lib, { copies: 1, devices: 0 });
    const head = Buffer.from('a sampled content '.repeat(8));
    const size = 3 * 1024 * 1024;
    // Identified by samples (as a scan of a file above the library's threshold would), twice: a byte between two samples flipped in one twin.
    const scratch = join(tmp.path, 'scratch');
    const sampledTwins = async (rel: string, head: Buffer) => {
      writeFileSync(scratch, head);
      truncateSync(scratch, size);
      const id = await hashFileAsIs(scratch, 0);
      assert.ok(id.ok && id.casVersion === 2);
      for (const l of ['pics', 'backup'] as const) made.file(l, rel, head, { size, sampledId: id.casId });
      return id.casId;
    };
    const idA = await sampledTwins('sampled-a', head);
    await sampledTwins('sampled-b', Buffer.concat([head, Buffer.from('b')]));
    const between = 256 * 1024 + 64 * 1024 + 1000;
    flipBit(join(tmp.path, 'one', 'backup', 'sampled-a'), between);
    const now = await hashFileAsIs(join(tmp.path, 'one', 'backup', 'sampled-a'), 0);
    assert.equal(now.ok && now.casId, idA, 'the flip is outside every sample');
    const differs = await weighDrop(made.lib, [made.at('pics', 'sampled-a')], {}, { permanent: true });
    await differs.release();
    assert.match(differs.below[0]?.uncounted?.[0] ?? '', /its bytes are not those of the copy going, and vss cannot tell which hold the content/);
    const same = await weighDrop(made.lib, [made.at('pics', 'sampled-b')], {}, { permanent: true });
    await same.release();
    assert.deepEqual(same.below, []);
    const content = made.lib.store.contents.byUuid(made.lib.store.entries.fileAt(made.loc.backup!, 'sampled-b')!.content_uuid!)!;
    assert.match(made.lib.store.contents.blake3Of(content.id) ?? '', /^[0-9a-f]{64}$/, 'its whole BLAKE3 learnt');
  });
});
