import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';
import { tempDir } from '../../test/helpers.js';
import { checksumFile } from './file-blake3.js';

describe('whole-file BLAKE3', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('hash small, boundary and streamed large files like BLAKE3 of their bytes', async () => {
    for (const size of [0, 1, 1024 * 1024 - 1, 1024 * 1024, 1024 * 1024 + 1, 8 * 1024 * 1024, 9 * 1024 * 1024 + 7]) {
      const data = Buffer.alloc(size);
      for (let i = 0; i < size; i += 997) data[i] = (i * 31) & 0xff;
      const p = join(tmp.path, `f${size}`);
      writeFileSync(p, data);
      assert.deepEqual(await checksumFile(p), { ok: true, size, checksum: blake3(data).toString('hex') }, `size ${size}`);
    }
  });

  it('answers a size mismatch without reading, and refuses symlinks and folders', async () => {
    const p = join(tmp.path, 'sized');
    writeFileSync(p, 'four');
    assert.deepEqual(await checksumFile(p, 5), { ok: false, size: 4, reason: 'size' });
    symlinkSync(p, join(tmp.path, 'link'));
    await assert.rejects(checksumFile(join(tmp.path, 'link')), { code: 'ELOOP' });
    mkdirSync(join(tmp.path, 'dir'));
    assert.equal((await checksumFile(join(tmp.path, 'dir'))).ok, false);
  });
});
