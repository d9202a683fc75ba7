import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventBus } from '../core/events.js';
import { kickPrefetchOnPeerChanges } from './prefetch-kicks.js';

describe('prefetch looks again when what it may fetch grew', () => {
  it('is kicked by a peer\'s availability and by its library rows (its contents), until stopped', () => {
    const events = new EventBus();
    let kicks = 0;
    const off = kickPrefetchOnPeerChanges(events, { kick: () => kicks++ });
    events.emit('availability:changed', { deviceUuid: 'd', entries: 3, full: true, toSeq: 3 });
    assert.equal(kicks, 1);
    // Contents arriving after the availability: what the peer has is fetchable only now.
    events.emit('library:peer-rows', { deviceUuid: 'd', entries: 200, full: true });
    assert.equal(kicks, 2);
    events.emit('index:done', { locationId: 1, durationMs: 5 });
    assert.equal(kicks, 2);
    off();
    events.emit('library:peer-rows', { deviceUuid: 'd', entries: 1, full: false });
    assert.equal(kicks, 2);
  });
});
