import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { blake3 } from '@napi-rs/blake-hash';
import { portableIds, type RangeRead } from './content-id-portable.js';
import { hashFileForIdentity } from './hash-file.js';

const dir = mkdtempSync(join(tmpdir(), 'vss-portable-id-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function reader(path: string): { read: RangeRead; close: () => Promise<void> } {
  const fh = open(path, 'r');
  return {
    read: async (start, length) => {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await (await fh).read(buf, 0, length, start);
      return buf.subarray(0, bytesRead);
    },
    close: async () => (await fh).close(),
  };
}

describe('a browser\'s content id (content-id-portable.ts)', () => {
  it('is the indexer\'s, whole and sampled, for any size and threshold', async () => {
    let n = 0;
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 0, max: 3 * 1024 * 1024 }), fc.constantFrom(16, 1024 * 1024, 2 * 1024 * 1024), fc.integer({ min: 0, max: 255 }),
      async (size, threshold, seed) => {
        const path = join(dir, `f${n++}`);
        const bytes = Buffer.alloc(size);
        for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed) & 0xff;
        writeFileSync(path, bytes);
        const st = statSync(path);
        const indexer = await hashFileForIdentity(path, { size, mtimeMs: st.mtimeMs, inode: st.ino }, threshold);
        assert.ok(indexer.ok);
        const r = reader(path);
        try {
          const ids = await portableIds(r.read, size, threshold);
          assert.equal(ids.cas_id, indexer.casId);
          assert.equal(ids.blake3, blake3(bytes).toString('hex'));
        } finally {
          await r.close();
        }
      },
    ), { numRuns: 40 });
  });
});
