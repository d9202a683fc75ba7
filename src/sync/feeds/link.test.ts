import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as yieldTurn } from 'node:timers/promises';
import { pino } from 'pino';
import type { RemoteDevice } from '../peer-link.js';
import { FeedLink } from './link.js';

const device = (n: number): RemoteDevice => ({ deviceUuid: `00000000-0000-4000-8000-00000000000${n}`, peerId: `peer-${n}`, name: `d${n}`, libraryIds: ['lib'] });

describe('FeedLink.tell: a newly paired device is told the feed is there to pull', () => {
  it('opens a notice to that device alone, at once, and to none not connected', async () => {
    const [one, two, gone] = [device(1), device(2), device(3)];
    const opened: string[] = [];
    const link = new FeedLink({
      feed: 'library', libraryId: 'lib', log: pino({ level: 'silent' }),
      peers: {
        connected: () => [one, two],
        // No stream in this test: the notice's stream is asked for, then fails (as to a device gone).
        open: (peerId) => {
          opened.push(peerId);
          return Promise.reject(new Error('no stream here'));
        },
      },
      sink: () => { throw new Error('no pull in this test'); },
      head: () => 7, isOpen: () => true, noticeDebounceMs: 60_000, noticeTries: 3,
    });
    link.tell(two.deviceUuid);
    assert.deepEqual(opened, ['peer-2'], 'no debounce: told as pairing ends');
    link.tell(gone.deviceUuid);
    assert.deepEqual(opened, ['peer-2']);
    // A notice that did not get through is owed again: the next look sends it.
    await yieldTurn();
    link.tellOwed();
    assert.deepEqual(opened, ['peer-2', 'peer-2']);
    link.stop();
  });
});
