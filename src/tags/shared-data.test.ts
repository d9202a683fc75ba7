import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Installation } from '../library/installation.js';
import type { Library } from '../library/library.js';
import { tempDir } from '../../test/helpers.js';
import { SharedData } from './shared-data.js';
import type { SharedOp } from './shared-op.js';
import { TagBook } from './tag-book.js';
import { setMeta } from './user-meta.js';
import { fullStateOps } from './shared-log.js';

const C = (n: number) => `c0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const T = (n: number) => `70000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** Everything shared data holds, as stored: two devices agree when these are equal. */
function state(lib: Library) {
  return { tags: lib.store.tags.all(), meta: lib.store.userMetadata.all(), tagging: lib.store.metadataTags.all() };
}

/** Every operation DEVICE logged, as a peer would pull it. */
function logOf(d: SharedData): unknown[] {
  return d.since(0, 100_000).ops;
}

/** A small seeded shuffle, so an "any order" test is the same every run. */
function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const out = [...xs];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('shared data: operations from several devices converge (DESIGN §15)', () => {
  const tmp = tempDir('vss-shared-');
  after(() => tmp.cleanup());
  const device = (name: string) => new Installation({ dataDir: join(tmp.path, name, 'data') }).createLibrary('Shared', join(tmp.path, name, 'lib'));

  it('concurrent edits on three devices with clocks minutes apart end the same on each, in any order of delivery', () => {
    const libs = [device('a'), device('b'), device('c')];
    const base = 1_800_000_000_000;
    // B's clock runs 3 minutes ahead of A's, C's 5 minutes behind.
    const skew = [0, 180_000, -300_000];
    let now = base;
    const shared = libs.map((l, i) => new SharedData(l, () => now + skew[i]!));
    const [a, b, c] = shared as [SharedData, SharedData, SharedData];
    a.commit([{ record: 'tag', id: T(1), set: { name: 'Trips', color: null, parent: null } }]);
    a.commit([{ record: 'meta', id: C(1), set: { rating: 3, favorite: true } }]);
    now += 1_000;
    b.commit([{ record: 'meta', id: C(1), set: { rating: 5 } }, { record: 'tag', id: T(1), set: { name: 'Travel' } }]);
    c.commit([{ record: 'meta', id: C(1), set: { note: 'from c', favorite: false } }, { record: 'tagging', id: T(1), content: C(1), set: { present: true } }]);
    // A edits after hearing nothing: its stamp is older than B's (B's clock is ahead), so B's rating stands.
    now += 1_000;
    a.commit([{ record: 'meta', id: C(1), set: { rating: 1 } }, { record: 'tag', id: T(2), set: { name: 'Travel', color: '#00ff00', parent: T(1) } }]);

    const all = [...logOf(a), ...logOf(b), ...logOf(c)];
    const receivers = [device('x'), device('y'), device('z')];
    receivers.forEach((r, i) => {
      const d = new SharedData(r);
      // Each receives everything, in its own order, in small batches, some twice.
      const order = shuffled(all, i + 1);
      for (let k = 0; k < order.length; k += 2) d.receive(order.slice(k, k + 2), 'peer');
      d.receive(order.slice(0, 3), 'peer');
    });
    // The three makers take in each other's logs too.
    for (const [i, d] of shared.entries()) for (const [j, o] of shared.entries()) if (i !== j) d.receive(logOf(o), 'peer');

    const want = state(receivers[0]!);
    for (const l of [...receivers, ...libs]) assert.deepEqual(state(l), want);
    const m = libs[0]!.store.userMetadata.get(C(1))!;
    // Per field, the newest stamp wins: B's clock is ahead, so its rating beats A's later one; C's clock
    // is behind, so its "not a favourite" loses to A's earlier "favourite"; C alone set the note.
    assert.deepEqual([m.rating, m.favorite, m.note], [5, 1, 'from c']);
    assert.equal(libs[0]!.store.tags.get(T(1))!.name, 'Travel');
    assert.equal(libs[0]!.store.metadataTags.tagsOf(C(1)).length, 1);
    for (const l of [...libs, ...receivers]) l.close();
  });

  it('a device offline the whole time catches up from any member\'s log, including what that member forwarded', () => {
    const [a, b, off] = [device('fa'), device('fb'), device('foff')];
    const da = new SharedData(a);
    const db = new SharedData(b);
    da.commit([{ record: 'tag', id: T(5), set: { name: 'Dubrovnik', color: null, parent: null } }]);
    db.receive(logOf(da), 'a');
    db.commit([{ record: 'tagging', id: T(5), content: C(5), set: { present: true } }]);
    // The offline device has only ever talked to B: B's log holds A's operation too.
    const got = new SharedData(off).receive(logOf(db), 'b');
    assert.deepEqual([got.applied, got.refused], [2, []]);
    assert.deepEqual(state(off), state(b));
    for (const l of [a, b, off]) l.close();
  });

  it('a delete is a tombstone: an older operation arriving late does not bring the tag back', () => {
    const [a, b] = [device('ta'), device('tb')];
    let now = 1_900_000_000_000;
    const da = new SharedData(a, () => now);
    const made = da.commit([{ record: 'tag', id: T(7), set: { name: 'Old', color: null, parent: null } }]);
    now += 10;
    const gone = da.commit([{ record: 'tag', id: T(7), set: { deleted: true } }, { record: 'tagging', id: T(7), content: C(7), set: { present: false } }]);
    const late: SharedOp = { hlc: made[0]!.hlc.replace(/-\d{6}-/, '-000001-'), record: 'tagging', id: T(7), content: C(7), set: { present: true } };
    const db = new SharedData(b);
    db.receive([...gone, late, ...made], 'a');
    assert.equal(b.store.tags.get(T(7))!.deleted, 1);
    assert.deepEqual(b.store.metadataTags.tagsOf(C(7)), []);
    for (const l of [a, b]) l.close();
  });

  it('an explicit set of a value a device already holds is an operation, so its later choice wins the merge', () => {
    const [a, b] = [device('ea'), device('eb')];
    // A's edits were made a minute before B's (B was offline and heard nothing of them).
    const da = new SharedData(a, () => Date.now() - 60_000);
    const db = new SharedData(b);
    da.commit([{ record: 'tag', id: T(9), set: { name: 'Keep', color: null, parent: null } }]);
    db.receive(logOf(da), 'a');
    da.commit([
      { record: 'meta', id: C(9), set: { favorite: true, hidden: true, rating: 4, note: 'from a' } },
      { record: 'tagging', id: T(9), content: C(9), set: { present: true } },
      { record: 'tagging', id: T(9), content: C(8), set: { present: true } },
    ]);
    // On B every value below is what it holds already (no row: not a favourite, not hidden, 0, no note, untagged).
    setMeta(b, [C(9)], { favorite: false, hidden: false, rating: 0, note: '' });
    const book = new TagBook(b);
    assert.equal(book.remove('Keep', [C(9)]).changed, 0);
    assert.equal(book.add('Keep', [C(7)]).changed, 1);
    assert.equal(book.add('Keep', [C(7)]).changed, 0, 'already there: the operation is made, nothing changed here');
    db.receive(logOf(da), 'a');
    da.receive(logOf(db), 'b');
    for (const lib of [a, b]) {
      const m = lib.store.userMetadata.get(C(9))!;
      assert.deepEqual([m.favorite, m.hidden, m.rating, m.note], [0, 0, 0, null], 'B\'s later choice, on both');
      assert.deepEqual(lib.store.metadataTags.tagsOf(C(9)), [], 'B\'s later removal, on both');
      assert.deepEqual(lib.store.metadataTags.tagsOf(C(8)), [T(9)], 'what B did not touch stays as A set it');
    }
    assert.deepEqual(state(a), state(b));
    for (const l of [a, b]) l.close();
  });

  it('refuses malformed or hostile operations with a reason and keeps the rest', () => {
    const lib = device('bad');
    const d = new SharedData(lib);
    const stamp = `1900000000000-000000-${lib.device.uuid}`;
    const r = d.receive([
      null, 'text', { hlc: 'soon', record: 'tag', id: T(1), set: { name: 'x' } },
      { hlc: stamp, record: 'tag', id: 'not-a-uuid', set: { name: 'x' } },
      { hlc: stamp, record: 'tag', id: T(1), set: { name: 'x'.repeat(201) } },
      { hlc: stamp, record: 'tag', id: T(1), set: { parent: T(1) } },
      { hlc: stamp, record: 'meta', id: C(1), set: { rating: 6 } },
      { hlc: stamp, record: 'meta', id: C(1), set: { note: 'n'.repeat(10_001) } },
      { hlc: stamp, record: 'meta', id: C(1), set: { owner: 'me' } },
      { hlc: stamp, record: 'tagging', id: T(1), content: C(1), set: { present: 'yes' } },
      { hlc: stamp, record: 'device', id: T(1), set: {} },
      { hlc: stamp, record: 'meta', id: C(1), set: { rating: 2 } },
    ], 'peer');
    assert.equal(r.applied, 1);
    assert.equal(r.refused.length, 11);
    assert.equal(lib.store.userMetadata.get(C(1))!.rating, 2);
    // Albums (issue 32): the same checks, each field bounded.
    const s2 = `1900000000001-000000-${lib.device.uuid}`;
    const albums = d.receive([
      { hlc: s2, record: 'album', id: T(5), set: {} },
      { hlc: s2, record: 'album', id: T(5), set: { name: '\u0007bell' } },
      { hlc: s2, record: 'album', id: T(5), set: { query: 'q'.repeat(1025) } },
      { hlc: s2, record: 'album', id: T(5), set: { parent: T(5) } },
      { hlc: s2, record: 'album', id: T(5), set: { cover: 'x' } },
      { hlc: s2, record: 'album', id: T(5), set: { owner: 'me' } },
      { hlc: s2, record: 'album_item', id: T(5), content: 'x', set: { present: true } },
      { hlc: s2, record: 'album', id: T(5), set: { name: 'Trip', query: 'tag:Family', cover: C(1), parent: null } },
      { hlc: `1900000000002-000000-${lib.device.uuid}`, record: 'album_item', id: T(6), content: C(1), set: { present: true } },
    ], 'peer');
    assert.deepEqual([albums.applied, albums.refused.length], [2, 7]);
    assert.deepEqual({ ...lib.store.albums.get(T(5)) }, { ...lib.store.albums.get(T(5))!, name: 'Trip', query: 'tag:Family', cover: C(1), parent_uuid: null });
    assert.deepEqual(lib.store.albumItems.contentsOf(T(6)), [C(1)]);
    const many = d.receive(Array.from({ length: 5000 }, () => ({})), 'peer');
    assert.match(many.refused.at(-1)!, /904 operations past the 4096/);
    lib.close();
  });

  it('stacks (issue 45): a cover one device chose is not undone by another device finding the same stack later', () => {
    const [a, b, c] = [device('sa'), device('sb'), device('sc')];
    const S = T(40);
    const found = [
      { record: 'stack', id: S, set: { kind: 'raw+jpeg', auto_cover: C(41) } },
      { record: 'stack_member', id: S, content: C(40), set: { present: true } },
      { record: 'stack_member', id: S, content: C(41), set: { present: true } },
    ] as const;
    // A finds the pair, and its user makes the RAW the face; B, offline, finds the same pair a minute later by its clock.
    const da = new SharedData(a);
    const db = new SharedData(b, () => Date.now() + 60_000);
    da.commit(found);
    da.commit([{ record: 'stack', id: S, set: { cover: C(40) } }]);
    db.commit(found);
    db.receive(logOf(da), 'a');
    da.receive(logOf(db), 'b');
    for (const lib of [a, b]) {
      const s = lib.store.stacks.get(S)!;
      assert.deepEqual([s.kind, s.auto_cover, s.cover, s.deleted], ['raw+jpeg', C(41), C(40), 0], 'the chosen cover stands');
      assert.deepEqual(lib.store.stackMembers.rowsOf(S).map((r) => [r.content_uuid, r.present]), [[C(40), 1], [C(41), 1]]);
    }
    // Unstacked on B: on A too; and a device that missed the log gets it all from a full copy.
    db.commit([{ record: 'stack', id: S, set: { deleted: true } }]);
    da.receive(logOf(db), 'b');
    assert.equal(a.store.stacks.get(S)!.deleted, 1);
    new SharedData(c).receive([...fullStateOps(a)], 'a');
    assert.deepEqual(c.store.stacks.all(), a.store.stacks.all());
    assert.deepEqual(c.store.stackMembers.all().map((r) => [r.content_uuid, r.present]), a.store.stackMembers.all().map((r) => [r.content_uuid, r.present]));
    // A peer's stack operation is checked field by field.
    const stamp = `1900000000003-000000-${c.device.uuid}`;
    const bad = new SharedData(c).receive([
      { hlc: stamp, record: 'stack', id: S, set: { kind: 'pile' } },
      { hlc: stamp, record: 'stack', id: S, set: { cover: 'x' } },
      { hlc: stamp, record: 'stack', id: S, set: {} },
      { hlc: stamp, record: 'stack_member', id: S, content: C(1), set: { present: 1 } },
    ], 'peer');
    assert.deepEqual([bad.applied, bad.refused.length], [0, 4]);
    for (const l of [a, b, c]) l.close();
  });
});
