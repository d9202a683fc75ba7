import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { tempDir } from '../../../test/helpers.js';
import { SPILL_BYTES, spillBytes, unspillBytes } from './spilled-bytes.js';

test('large byte arrays go to files and come back equal; everything else stays in the message', () => {
  const dir = tempDir('vss-spill-');
  try {
    const big = new Uint8Array(SPILL_BYTES + 3).map((_, i) => i & 0xff);
    const small = new Uint8Array([1, 2, 3]);
    const value = { pageCount: 2, pages: [{ data: big, width: 7 }, { data: small, width: 1 }], note: 'x' };
    const sent = spillBytes(value, dir.path) as { pages: Array<{ data: unknown }> };
    assert.equal(readdirSync(dir.path).length, 1);
    assert.ok(!ArrayBuffer.isView(sent.pages[0]!.data), 'the big array is not in the message');
    assert.equal(sent.pages[1]!.data, small);
    const back = unspillBytes<typeof value>(structuredClone(sent));
    assert.deepEqual([...back.pages[0]!.data], [...big]);
    assert.deepEqual([back.pageCount, back.pages[0]!.width, back.pages[1]!.width, back.note], [2, 7, 1, 'x']);
    assert.deepEqual([...back.pages[1]!.data], [1, 2, 3]);
  } finally {
    dir.cleanup();
  }
});
