import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Installation } from '../../library/installation.js';
import { SharedData } from '../../tags/shared-data.js';
import { tempDir } from '../../../test/helpers.js';
import { Availability } from '../availability/availability.js';
import { SHARED_PAGE_OPS } from '../messages/table.js';
import type { RemoteDevice } from '../peer-link.js';
import { sharedSource } from './exchange.js';

const C = (n: number) => `c0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** The owner's side of the shared-data feed: where it says a puller stands once the pages are sent. */
describe('shared-data feed: the cursor a pull ends at', () => {
  it('is the last operation sent, not the head, when the log ends early under the pull (a puller never skips what it was not sent)', () => {
    const tmp = tempDir('vss-shared-cursor-');
    const lib = new Installation({ dataDir: join(tmp.path, 'data') }).createLibrary('Home', join(tmp.path, 'lib'));
    try {
      const ops = SHARED_PAGE_OPS + 10;
      new SharedData(lib).commit(Array.from({ length: ops }, (_, i) => ({ record: 'meta' as const, id: C(i), set: { rating: 3 } })));
      const head = lib.store.sharedOps.head();
      assert.equal(head, ops);
      const from: RemoteDevice = { deviceUuid: 'd0000000-0000-4000-8000-000000000001', peerId: 'peer', name: 'Other', libraryIds: [lib.config.id] };
      const changes = sharedSource(lib).changesSince({ epoch: new Availability(lib).epoch(), seq: 0 }, from);
      const pages = changes.pages()[Symbol.iterator]();
      const first = pages.next();
      assert.equal(first.done, false);
      const sent = first.done ? 0 : first.value.page.seq;
      assert.equal(sent, SHARED_PAGE_OPS, 'a page of operations');
      // The rest of the log goes while the pull runs (as a prune would, were it allowed to).
      lib.db.prepare('DELETE FROM shared_ops WHERE seq > ?').run(sent);
      assert.equal(pages.next().done, true);
      assert.equal(changes.toSeq(), sent, 'the puller stands where the pages it took end');
    } finally {
      lib.close();
      tmp.cleanup();
    }
  });
});
