import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Installation as Vss } from '../library/installation.js';
import type { Library } from '../library/library.js';
import { addLocation, scanLocation } from '../locations/locations.js';
import { tempDir } from '../../test/helpers.js';
import { hasPending, indexPending } from './search-index.js';
import { searchLibrary } from './search-query.js';

/**
 * Contents new to the library wait for search above a mark, not as rows of `search_pending`
 * (migration 047, issue 57): they are still pending, indexed in id order, and the mark never
 * passes one not yet indexed.
 */
describe('search mark: new contents wait above it (real library, real files)', () => {
  const tmp = tempDir('vss-search-mark-');
  const tree = join(tmp.path, 'tree');
  let lib: Library;
  let loc = 0;
  const queuedRows = () => lib.db.prepare('SELECT count(*) FROM search_pending').pluck().get() as number;
  const mark = () => lib.db.prepare('SELECT id FROM search_content_mark').pluck().get() as number;
  const maxId = () => lib.db.prepare('SELECT max(id) FROM content_identities').pluck().get() as number;

  before(() => {
    mkdirSync(tree, { recursive: true });
    for (let i = 0; i < 40; i++) writeFileSync(join(tree, `note ${i} zebra${i}.txt`), `bytes of ${i}`);
    lib = new Vss({ dataDir: join(tmp.path, 'data') }).createLibrary('M', tmp.path);
    loc = addLocation(lib, tree, { mode: 'content' }).id;
  });
  after(() => { lib.close(); tmp.cleanup(); });

  it('a first scan queues no row a content, yet every content is pending and then indexed', async () => {
    const before = mark();
    await scanLocation(lib, loc);
    assert.equal(queuedRows(), 0, 'no row of the queue for a new content');
    assert.equal(hasPending(lib), true);
    assert.equal(lib.store.search.pendingCount(), 40);
    assert.deepEqual(lib.store.search.pendingCounts(), { index: 40, remove: 0 });
    assert.equal(lib.store.search.takePending(1000).length, 40);
    assert.equal(mark(), before, 'nothing indexed yet');
    assert.equal(await indexPending(lib), 40);
    assert.equal(hasPending(lib), false);
    assert.equal(mark(), maxId(), 'the mark is past every content indexed');
    assert.equal(searchLibrary(lib, 'zebra7').length, 1, 'found by its name');
  });

  it('a content indexed out of turn does not move the mark past the ones before it', async () => {
    writeFileSync(join(tree, 'late one.txt'), 'late one');
    writeFileSync(join(tree, 'late two.txt'), 'late two');
    await scanLocation(lib, loc);
    const start = mark();
    const pending = lib.store.search.takePending(10);
    assert.equal(pending.length, 2);
    lib.store.search.dropPending(pending[1]!);
    assert.equal(mark(), start, 'the second above the mark, done first: the mark stays before the first');
    assert.deepEqual(lib.store.search.takePending(10), pending, 'both still pending, in id order');
    lib.store.search.dropPending(pending[0]!);
    assert.equal(mark(), start + 1);
    assert.equal(await indexPending(lib), 1, 'the second is indexed again in its turn');
    assert.equal(mark(), maxId());
    assert.equal(hasPending(lib), false);
  });

  it('a new content given an id at or below the mark (the last contents removed) is queued by its uuid', async () => {
    // The two newest contents leave the library with their files: their ids are free again.
    unlinkSync(join(tree, 'late one.txt'));
    unlinkSync(join(tree, 'late two.txt'));
    await scanLocation(lib, loc);
    await indexPending(lib);
    const at = mark();
    assert.ok(maxId() < at, 'the removed contents were the last ones');
    writeFileSync(join(tree, 'reused quokka.txt'), 'bytes never seen before');
    await scanLocation(lib, loc);
    assert.ok(maxId() <= at, 'its id is not above the mark');
    assert.equal(hasPending(lib), true, 'queued by its uuid');
    await indexPending(lib);
    assert.equal(searchLibrary(lib, 'quokka').length, 1);
  });
});
