import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';
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
});
