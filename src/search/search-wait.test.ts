import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Installation } from '../library/installation.js';
import { Vss } from '../api/vss.js';
import type { LibraryApi } from '../api/library-api.js';
import Database from 'better-sqlite3';
import { tempDir, until } from '../../test/helpers.js';
import { Stores } from '../store/stores.js';

/**
 * A query waits for the indexing queue only as long as it is asked (the daemon: briefly, each
 * keystroke of search-as-you-type is one query), and says how many contents were still queued.
 */
describe('a search waits for indexing as asked and says what is still queued', () => {
  const tmp = tempDir('vss-search-wait-');
  let api: LibraryApi;
  let dbPath = '';
  before(() => {
    const dataDir = join(tmp.path, 'data');
    const lib = new Installation({ dataDir }).createLibrary('W', tmp.path, { makeCurrent: false });
    const root = lib.root;
    dbPath = lib.db.name;
    lib.close();
    api = new Vss({ dataDir }).openLibrary({ path: root });
  });
  after(() => { api.close(); tmp.cleanup(); });

  it('wait 0 answers at once with the count queued; the default wait indexes them first', async () => {
    // Queued the way another process's scan leaves them (no event here: the follower is not woken).
    const other = new Database(dbPath);
    new Stores(other, 'another-process').search.queue(Array.from({ length: 40 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`));
    other.close();
    // Contents the library does not have: their rows are only to be removed, nothing is "being indexed".
    assert.deepEqual(await api.search.answer('anything', { wait: 0 }), { results: [], pending: 0, removing: 40 });
    assert.deepEqual(await api.search.answer('anything'), { results: [], pending: 0, removing: 0 });
    await assert.rejects(async () => api.search.answer('anything', { wait: -1 }), { code: 'USAGE' });
  });

  it('contents queued with no event (an unpaired device\'s) are drained in the background, no search needed, and said as removals meanwhile', async () => {
    const gone = Array.from({ length: 3000 }, (_, i) => `10000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const other = new Database(dbPath);
    new Stores(other, 'another-process').search.queue(gone);
    other.close();
    // wait 0 indexes nothing: it only looks at the queue.
    assert.deepEqual(await api.search.answer('anything', { wait: 0 }), { results: [], pending: 0, removing: 3000 });
    await until('the queue drained by the library\'s follower', 30_000, async () => {
      const a = await api.search.answer('anything', { wait: 0 });
      return a.pending + a.removing === 0 ? true : undefined;
    }, 100);
  });
});
