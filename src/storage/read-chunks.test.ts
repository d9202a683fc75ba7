import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openLocalRange } from './local-disk.js';
import { readChunks } from './read-chunks.js';
import { tempDir } from '../../test/helpers.js';

describe('readChunks', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());
  const path = join(tmp.path, 'f.bin');
  const bytes = randomBytes(10_000);
  writeFileSync(path, bytes);

  it('gives exactly the range asked for, chunk by chunk, each chunk its own bytes (kept after the next is read)', async () => {
    const r = await openLocalRange(path);
    try {
      const chunks: Buffer[] = [];
      for await (const c of readChunks(r, 1_000, 9_500, 4_096)) chunks.push(c);
      assert.deepEqual(chunks.map((c) => c.length), [4_096, 4_096, 308]);
      assert.deepEqual(Buffer.concat(chunks), bytes.subarray(1_000, 9_500));
    } finally {
      await r.close();
    }
  });

  it('ends early, without an error, where a file that shrank ends', async () => {
    const r = await openLocalRange(path);
    try {
      truncateSync(path, 5_000);
      let n = 0;
      for await (const c of readChunks(r, 0, 10_000, 4_096)) n += c.length;
      assert.equal(n, 5_000);
    } finally {
      await r.close();
    }
  });

  it('leaves no read in flight when its consumer stops early', async () => {
    const r = await openLocalRange(path);
    for await (const c of readChunks(r, 0, 10_000, 1_000)) { assert.equal(c.length, 1_000); break; }
    await r.close();
  });
});
