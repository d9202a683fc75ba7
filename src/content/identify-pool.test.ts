import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';
import fc from 'fast-check';
import { SMALL_FILE_BYTES } from './hash-file.js';
import { identifyFileSoon, type IdentifyRequest } from './identify-file.js';
import { IdentifyPool } from './identify-pool.js';
import { contentUuidFor } from './identity.js';
import { tempDir } from '../../test/helpers.js';

describe('IdentifyPool', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('identifies files in worker threads and reports failures as reasons', async () => {
    const pool = new IdentifyPool(2);
    try {
      const files = Array.from({ length: 20 }, (_, i) => {
        const abs = join(tmp.path, `f${i}.txt`);
        writeFileSync(abs, `file number ${i}\n`);
        const st = lstatSync(abs);
        return { id: i, abs, name: `f${i}.txt`, size: st.size, mtimeMs: st.mtimeMs, inode: st.ino };
      });
      const gone = { id: 99, abs: join(tmp.path, 'missing.txt'), name: 'missing.txt', size: 1, mtimeMs: 1, inode: 1 };
      const [a, b] = await Promise.all([pool.run(files.slice(0, 10), 1 << 28), pool.run([...files.slice(10), gone], 1 << 28)]);
      const all = [...a!, ...b!];
      assert.deepEqual(all.map((r) => r.id), [...files.map((f) => f.id), 99]);
      for (const r of all.slice(0, 20)) {
        assert.ok(r.ok);
        const casId = blake3(Buffer.from(`file number ${r.id}\n`)).toString('hex');
        assert.equal(r.casId, casId);
        assert.equal(r.contentUuid, contentUuidFor(casId));
        assert.equal(r.kind, 'text');
      }
      const last = all[20]!;
      assert.equal(last.ok, false);
      assert.match((last as { reason: string }).reason, /vanished/);
    } finally {
      await pool.close();
    }
  });

  it('answers as identifyFileSoon does in this thread, whatever the bytes (the workers read; each identity is finished here)', async () => {
    // First bytes a type is told by at once (JPEG, empty), by file-type's parse (PNG, GIF, PDF,
    // a BOM), by the name (text, code), or not at all; tails of any bytes.
    const heads = [[], [0xff, 0xd8, 0xff, 0xe0], [0xff, 0xd8, 0xff, 0xf7], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], [0x47, 0x49, 0x46, 0x38, 0x39, 0x61], [0x25, 0x50, 0x44, 0x46, 0x2d], [0xef, 0xbb, 0xbf], [0x49, 0x49, 0x2a, 0x00], [0x61, 0x62, 0x63, 0x0a]];
    const names = ['a.jpg', 'a.png', 'a.txt', 'a.ts', 'a.cr2', 'a.docx', 'a.svg', 'a', 'a.csv'];
    const file = fc.record({
      head: fc.constantFrom(...heads),
      // Now and then past SMALL_FILE: read by the asynchronous path.
      tail: fc.oneof(
        { arbitrary: fc.uint8Array({ maxLength: 5000 }), weight: 6 },
        { arbitrary: fc.string({ maxLength: 300 }).map((t) => new TextEncoder().encode(t)), weight: 6 },
        { arbitrary: fc.integer({ min: 1, max: 255 }).map((b) => new Uint8Array(SMALL_FILE_BYTES + 10).fill(b)), weight: 1 },
      ),
      name: fc.constantFrom(...names),
    });
    const pool = new IdentifyPool(1);
    let n = 0;
    try {
      await fc.assert(fc.asyncProperty(fc.array(file, { minLength: 1, maxLength: 12 }), async (batch) => {
        const files: IdentifyRequest[] = batch.map((f) => {
          const abs = join(tmp.path, `p${n++}-${f.name}`);
          writeFileSync(abs, Buffer.concat([Buffer.from(f.head), f.tail]));
          const st = lstatSync(abs);
          return { id: n, abs, name: f.name, size: st.size, mtimeMs: st.mtimeMs, inode: st.ino };
        });
        const here = await Promise.all(files.map((f) => identifyFileSoon(f, 1 << 28)));
        assert.deepEqual(await pool.run(files, 1 << 28), here);
      }), { numRuns: 60 });
    } finally {
      await pool.close();
    }
  });
});
