import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sameOffer, type OfferedItem } from './journal.js';

const B1 = 'a'.repeat(64);
const B2 = 'b'.repeat(64);

describe('sameOffer: whether a partial an earlier attempt left is of the file offered now', () => {
  const base: OfferedItem = { name: 'film.mov', size: 1000, mtime_ms: 1_700_000_000_000 };

  it('two offers with a BLAKE3 each: the BLAKE3s say it, whatever the times', () => {
    assert.equal(sameOffer({ ...base, blake3: B1 }, { ...base, blake3: B1, mtime_ms: 5 }), true);
    assert.equal(sameOffer({ ...base, blake3: B1 }, { ...base, blake3: B2 }), false);
  });

  it('an offer without one (its BLAKE3 after its bytes): the name, size and modification time say it', () => {
    assert.equal(sameOffer(base, { ...base }), true);
    assert.equal(sameOffer({ ...base, blake3: B1 }, base), true);
    assert.equal(sameOffer(base, { ...base, mtime_ms: base.mtime_ms! + 1 }), false);
    assert.equal(sameOffer(base, { ...base, size: 999 }), false);
    assert.equal(sameOffer(base, { ...base, name: 'other.mov' }), false);
  });

  it('nothing to go by (no earlier offer, or no time on either side): not the same, the file starts over', () => {
    assert.equal(sameOffer(undefined, base), false);
    const { mtime_ms: _, ...timeless } = base;
    assert.equal(sameOffer(timeless, timeless), false);
  });
});
