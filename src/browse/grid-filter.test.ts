import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { BrowseApi } from '../api/browse.js';
import { Installation } from '../library/installation.js';
import type { EntryFacts } from '../store/entries.js';
import { TagBook } from '../tags/tag-book.js';
import { setMeta } from '../tags/user-meta.js';
import { SharedData } from '../tags/shared-data.js';
import { tempDir } from '../../test/helpers.js';

const U = (n: number) => `c0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/**
 * The grid narrowed by user metadata (DESIGN §16): hidden contents out unless asked for, filters
 * by tag (with the tags beneath it), favourites and least rating, each a slice of the cached
 * capture order, moved at once by a change of shared data without reading that order again.
 */
describe('the grid filtered by tags and user metadata', () => {
  const tmp = tempDir('vss-grid-filter-');
  after(() => tmp.cleanup());
  const lib = new Installation({ dataDir: join(tmp.path, 'data') }).createLibrary('Grid', join(tmp.path, 'lib'));
  after(() => lib.close());
  const store = lib.store;
  const loc = store.locations.insert({ uuid: 'l', device_id: lib.deviceId, name: 'l', path: '/l', kind: 'disk', index_mode: 'deep', ignore_rules: '[]', generation: null }, 0);
  const root = store.entries.insertRoot(loc, '', 0, 0, 0);
  const names = new Map<string, string>();
  ['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg'].forEach((name, i) => {
    const at = `2024-05-0${4 - i}T10:00:00Z`;
    const id = store.contents.upsert({ uuid: U(i + 1), cas_id: `c-${name}`, cas_version: 1, kind: 'image', mime: 'image/jpeg', size: 1 }, 0);
    store.contents.setMediaMetadata(id, JSON.stringify({ v: 1, captured_at: at, captured_ms: Date.parse(at) }));
    const facts: EntryFacts = { parent_id: root, name, rel_path: name, kind: 'file', size: 1, inode: i + 1, mtime_ms: 0, link_target: null };
    assert.ok(store.entries.linkContent({ ...facts, id: store.entries.insert(loc, facts, 0) }, id, 0));
    names.set(U(i + 1), name);
  });
  const uuidOf = (name: string) => [...names].find(([, n]) => n === name)![0];
  const browse = new BrowseApi(lib, { dataDir: join(tmp.path, 'data'), access: 'write' });
  const shown = (filter = {}) => browse.page(0, 100, undefined, filter).items.map((i) => i.name);
  // Every read of the capture order itself (the expensive one): filters must not cause any.
  let orderReads = 0;
  const read = store.browse.orderSnapshot.bind(store.browse);
  store.browse.orderSnapshot = (v) => { orderReads++; return read(v); };

  it('leaves a hidden content out of the grid, its days and its total unless asked for; the version moves so pages read before are known stale', () => {
    const before = browse.days();
    assert.deepEqual(shown(), ['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg']);
    const reads = orderReads;
    setMeta(lib, [uuidOf('b.jpg')], { hidden: true });
    const after = browse.days();
    assert.equal(after.total, 3);
    assert.deepEqual(after.days.map((d) => d.day), ['2024-05-04', '2024-05-02', '2024-05-01']);
    assert.notEqual(after.version, before.version);
    assert.deepEqual(shown(), ['a.jpg', 'c.jpg', 'd.jpg']);
    const all = browse.page(0, 100, undefined, { hidden: true }).items;
    assert.deepEqual(all.map((i) => [i.name, i.hidden]), [['a.jpg', false], ['b.jpg', true], ['c.jpg', false], ['d.jpg', false]]);
    assert.equal(browse.days(undefined, { hidden: true }).total, 4);
    assert.equal(orderReads, reads, 'the capture order was not read again');
  });

  it('filters by favourite and least rating; the tiles carry both', () => {
    setMeta(lib, [uuidOf('a.jpg'), uuidOf('c.jpg')], { favorite: true });
    setMeta(lib, [uuidOf('c.jpg')], { rating: 4 });
    setMeta(lib, [uuidOf('a.jpg')], { rating: 2 });
    assert.deepEqual(shown({ favorite: true }), ['a.jpg', 'c.jpg']);
    assert.deepEqual(shown({ rating: 3 }), ['c.jpg']);
    assert.deepEqual(shown({ rating: 2, favorite: true }), ['a.jpg', 'c.jpg']);
    const c = browse.page(0, 100).items.find((i) => i.name === 'c.jpg')!;
    assert.deepEqual([c.favorite, c.rating, c.hidden], [true, 4, false]);
    // A change is seen at once (no wait for the capture order's 2 s).
    setMeta(lib, [uuidOf('c.jpg')], { favorite: false });
    assert.deepEqual(shown({ favorite: true }), ['a.jpg']);
    assert.equal(browse.days(undefined, { favorite: true }).total, 1);
  });

  it('filters by a tag and the tags beneath it, by uuid or name; hidden contents stay out; a tag that names none shows nothing', () => {
    const book = new TagBook(lib);
    const trips = book.create('Trips');
    const dubrovnik = book.create('Dubrovnik', { parent: trips.uuid });
    book.add(dubrovnik.uuid, [uuidOf('d.jpg')]);
    book.add(trips.uuid, [uuidOf('a.jpg'), uuidOf('b.jpg')]);
    assert.deepEqual(shown({ tag: trips.uuid }), ['a.jpg', 'd.jpg'], 'b.jpg is hidden');
    assert.deepEqual(shown({ tag: trips.uuid, hidden: true }), ['a.jpg', 'b.jpg', 'd.jpg']);
    assert.deepEqual(shown({ tag: 'dubrovnik' }), ['d.jpg']);
    assert.deepEqual(shown({ tag: trips.uuid, favorite: true }), ['a.jpg']);
    assert.deepEqual(browse.days(undefined, { tag: 'dubrovnik' }).days, [{ day: '2024-05-01', count: 1 }]);
    book.delete(dubrovnik.uuid);
    assert.deepEqual(shown({ tag: dubrovnik.uuid }), []);
    assert.deepEqual(shown({ tag: 'Nowhere' }), []);
    assert.throws(() => browse.page(0, 10, undefined, { rating: 9 }), /rating/);
  });

  it('a content\'s detail carries its user metadata and its tags with their colours and places in the tree', async () => {
    const book = new TagBook(lib);
    book.change('Trips', { color: '#336699' });
    const places = book.create('Places');
    book.add('Croatia', [uuidOf('a.jpg')]);
    book.change('Croatia', { parent: places.uuid });
    const d = await browse.detail(uuidOf('a.jpg'));
    assert.deepEqual({ ...d.user, tags: d.user.tags.map((t) => [t.name, t.color, t.path.join('/')]) }, {
      favorite: true, hidden: false, rating: 2, note: null, tags: [['Croatia', null, 'Places/Croatia'], ['Trips', '#336699', 'Trips']],
    });
  });

  it('a stack is one tile, its cover\'s; where a filter leaves the cover out, a member the filter keeps stands for it', () => {
    const S = 'd0000000-0000-4000-8000-000000000001';
    new SharedData(lib).commit([
      { record: 'stack', id: S, set: { kind: 'burst', auto_cover: uuidOf('c.jpg') } },
      { record: 'stack_member', id: S, content: uuidOf('c.jpg'), set: { present: true } },
      { record: 'stack_member', id: S, content: uuidOf('d.jpg'), set: { present: true } },
    ]);
    assert.deepEqual(shown(), ['a.jpg', 'c.jpg'], 'd.jpg is behind its cover');
    const c = browse.page(0, 100).items.find((i) => i.name === 'c.jpg')!;
    assert.deepEqual([c.stack?.stack_id, c.stack?.count, c.stack?.members], [S, 2, [uuidOf('c.jpg'), uuidOf('d.jpg')].sort()]);
    assert.equal(browse.days().total, 2);
    // Only d.jpg carries this tag: the stack shows by it, with its count.
    new TagBook(lib).add('Only-d', [uuidOf('d.jpg')]);
    const tagged = browse.page(0, 100, undefined, { tag: 'Only-d' }).items;
    assert.deepEqual(tagged.map((i) => [i.name, i.stack?.count]), [['d.jpg', 2]]);
    // The cover made d.jpg: its tile in the grid.
    new SharedData(lib).commit([{ record: 'stack', id: S, set: { cover: uuidOf('d.jpg') } }]);
    assert.deepEqual(shown(), ['a.jpg', 'd.jpg']);
  });
});
