import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ReadPace } from './read-pace.js';

describe('a scrub\'s read rate', () => {
  it('asks for the wait that keeps the average at the rate', () => {
    let t = 0;
    const pace = new ReadPace(1000, () => t);
    assert.equal(pace.delayAfter(500), 500);
    t = 500;
    assert.equal(pace.delayAfter(500), 500);
    t = 1000;
    assert.equal(pace.delayAfter(1000), 1000);
  });

  it('does not save up a long pause: at most one second\'s worth goes through at once', () => {
    let t = 0;
    const pace = new ReadPace(1000, () => t);
    t = 60_000;
    assert.equal(pace.delayAfter(1000), 0);
    assert.equal(pace.delayAfter(1000), 1000);
  });

  it('no limit: never waits, makes no promise', () => {
    for (const rate of [0, Infinity]) {
      const pace = new ReadPace(rate);
      assert.equal(pace.limited, false);
      assert.equal(pace.delayAfter(1e12), 0);
      assert.equal(pace.take(1e12), undefined);
    }
  });

  it('a wait is cut short by its signal', async () => {
    const pace = new ReadPace(1);
    const stop = new AbortController();
    const wait = pace.take(1e6, stop.signal);
    assert.ok(wait);
    stop.abort(new Error('stop'));
    await assert.rejects(wait, /stop/);
  });
});
