import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, ftruncateSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyVerified } from './local-verified-copy.js';

/** A sparse copy keeps holes and every byte, whatever the data's alignment (the last block short, data across a chunk's edge). */
describe('copyVerified of a sparse file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vss-sparse-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes no block of zeros, keeps the size and the bytes', async () => {
    const src = join(dir, 'src');
    const fd = openSync(src, 'w');
    const size = 64 * 1024 * 1024 + 1234; // a short last block
    ftruncateSync(fd, size);
    const put = (at: number, text: string) => writeSync(fd, Buffer.from(text), 0, text.length, at);
    put(4 * 1024 * 1024 - 3, 'across the chunk edge');
    put(10 * 4096 + 17, 'inside a block');
    put(size - 5, 'tail!');
    closeSync(fd);
    const srcBlocks = statSync(src).blocks;
    assert.ok(srcBlocks * 512 < size, 'the source is sparse here');
    const dst = join(dir, 'dst');
    const got = await copyVerified(src, dst, { sparse: true, size });
    assert.equal(got.size, size);
    assert.equal(statSync(dst).size, size);
    assert.ok(readFileSync(dst).equals(readFileSync(src)), 'the same bytes');
    assert.ok(statSync(dst).blocks <= srcBlocks, `no more blocks than the source (${statSync(dst).blocks} > ${srcBlocks})`);
  });
});
