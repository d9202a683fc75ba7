import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../../test/helpers.js';
import { forgetStale, sameOffer, STATE_DIR, type OfferedItem } from './journal.js';

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

describe('forgetStale: what sends left in a state folder, once nobody took them up again', () => {
  it('removes every file left untouched past the bound (journals, partials, a temporary file a kill left), and nothing newer', async () => {
    const tmp = tempDir('vss-stale-');
    try {
      const dir = join(tmp.path, STATE_DIR);
      mkdirSync(dir);
      const old = new Date(Date.now() - 3 * 24 * 3600_000);
      for (const n of ['t1.json', 't1-0.partial', '.vss-tmp-t1.json.123', 'odd-leftover']) {
        writeFileSync(join(dir, n), 'x');
        utimesSync(join(dir, n), old, old);
      }
      writeFileSync(join(dir, 't2-0.partial'), 'a send under way');
      await forgetStale(tmp.path);
      assert.deepEqual(readdirSync(dir), ['t2-0.partial']);
    } finally {
      tmp.cleanup();
    }
  });
});
