import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ScrubRecord } from '../store/scrubs.js';
import { nextDue, scrubDueAt } from './scrub-schedule.js';

const DAY = 24 * 3600_000;
const scrub = (location_id: number, done_at: number | null, started_at: number | null = null): ScrubRecord =>
  ({ location_id, started_at, after_id: 0, files: 0, bytes: 0, rot: 0, edited: 0, done_at });

describe('the scrub schedule', () => {
  it('a location is due its period after its last pass; never scrubbed, after it was added; a pass in progress at once', () => {
    assert.equal(scrubDueAt({ created_at: 0 }, scrub(1, 10 * DAY), 30), 40 * DAY);
    assert.equal(scrubDueAt({ created_at: 5 * DAY }, undefined, 30), 35 * DAY);
    assert.equal(scrubDueAt({ created_at: 0 }, scrub(1, 10 * DAY, 12 * DAY), 30), 12 * DAY);
    assert.equal(scrubDueAt({ created_at: 0 }, scrub(1, 10 * DAY), 0), null, 'off');
  });

  it('the most overdue location is next; none before its time', () => {
    const locs = [{ id: 1, created_at: 0 }, { id: 2, created_at: 0 }, { id: 3, created_at: 0 }];
    const scrubs = new Map([[1, scrub(1, 20 * DAY)], [2, scrub(2, 5 * DAY)], [3, scrub(3, 50 * DAY)]]);
    assert.equal(nextDue(locs, scrubs, 30, 60 * DAY)?.id, 2);
    assert.equal(nextDue(locs, scrubs, 30, 34 * DAY), undefined);
    assert.equal(nextDue(locs, scrubs, 0, 1000 * DAY), undefined);
  });
});
