import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, lstatSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';
import { randomBytes } from 'node:crypto';
import { hashFileAsIs, hashFileForIdentity, sampleRanges } from './hash-file.js';
import { CAS_SAMPLED, CAS_WHOLE } from './identity.js';
import { tempDir } from '../../test/helpers.js';

const MiB = 1024 * 1024;
const THRESHOLD = 256 * MiB;

function expect(path: string) {
  const st = lstatSync(path);
  return { size: st.size, mtimeMs: st.mtimeMs, inode: st.ino };
}

describe('hashFileForIdentity', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('is BLAKE3 of the whole file for small and large files', async () => {
    for (const size of [0, 1, 4099, 1 * MiB + 7, 9 * MiB]) {
      const p = join(tmp.path, `f${size}`);
      const bytes = randomBytes(size);
      writeFileSync(p, bytes);
      const out = await hashFileForIdentity(p, expect(p), THRESHOLD);
      assert.ok(out.ok, `size ${size}`);
      assert.equal(out.casId, blake3(bytes).toString('hex'));
      assert.equal(out.casVersion, CAS_WHOLE);
      assert.deepEqual(out.head, bytes.subarray(0, 4100));
    }
  });

  it('gives two 3 MiB files that differ in one middle byte different ids', async () => {
    const a = randomBytes(3 * MiB);
    const b = Buffer.from(a);
    b[Math.floor(b.length / 2)]! ^= 0x01;
    writeFileSync(join(tmp.path, 'a'), a);
    writeFileSync(join(tmp.path, 'b'), b);
    const ha = await hashFileForIdentity(join(tmp.path, 'a'), expect(join(tmp.path, 'a')), THRESHOLD);
    const hb = await hashFileForIdentity(join(tmp.path, 'b'), expect(join(tmp.path, 'b')), THRESHOLD);
    assert.ok(ha.ok && hb.ok);
    assert.notEqual(ha.casId, hb.casId);
  });

  it('samples files above the threshold, and the samples see a change in the middle', async () => {
    const size = 20 * MiB;
    const bytes = randomBytes(size);
    const p = join(tmp.path, 'big');
    writeFileSync(p, bytes);
    const out = await hashFileForIdentity(p, expect(p), 16 * MiB);
    assert.ok(out.ok);
    assert.equal(out.casVersion, CAS_SAMPLED);
    assert.notEqual(out.casId, blake3(bytes).toString('hex'));
    const [start] = sampleRanges(size)[16]!;
    bytes[start + 10]! ^= 0xff;
    writeFileSync(p, bytes);
    const again = await hashFileForIdentity(p, expect(p), 16 * MiB);
    assert.ok(again.ok);
    assert.notEqual(again.casId, out.casId);
  });

  it('keeps every sample range inside the file', () => {
    for (const size of [16 * MiB + 1, 256 * MiB + 1, 10 * 1024 * MiB]) {
      for (const [start, len] of sampleRanges(size)) {
        assert.ok(start >= 0 && start + len <= size, `${start}+${len} within ${size}`);
      }
    }
  });

  it('refuses a file that changed since discovery', async () => {
    const p = join(tmp.path, 'changed');
    writeFileSync(p, 'one');
    const seen = expect(p);
    writeFileSync(p, 'three');
    const out = await hashFileForIdentity(p, seen, THRESHOLD);
    assert.equal(out.ok, false);
    assert.match((out as { reason: string }).reason, /changed/);
  });

  it('refuses a file replaced by another since discovery', async () => {
    const p = join(tmp.path, 'replaced');
    writeFileSync(p, 'same size');
    const seen = expect(p);
    writeFileSync(join(tmp.path, 'other'), 'same size');
    renameSync(join(tmp.path, 'other'), p);
    const out = await hashFileForIdentity(p, seen, THRESHOLD);
    assert.equal(out.ok, false);
    assert.match((out as { reason: string }).reason, /replaced/);
  });

  it('refuses a file that grows while it is being read', async () => {
    const p = join(tmp.path, 'growing');
    writeFileSync(p, randomBytes(64 * MiB));
    const seen = expect(p);
    const pending = hashFileForIdentity(p, seen, THRESHOLD);
    await new Promise((r) => setImmediate(r));
    appendFileSync(p, 'more');
    const out = await pending;
    assert.equal(out.ok, false);
  });

  it('throws ENOENT for a file that vanished', async () => {
    const p = join(tmp.path, 'gone');
    writeFileSync(p, 'x');
    const seen = expect(p);
    rmSync(p);
    await assert.rejects(hashFileForIdentity(p, seen, THRESHOLD), { code: 'ENOENT' });
  });
});

describe('hashFileForIdentity refusals and hashFileAsIs', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('refuses with a reason a symlink or a FIFO put where the file was, small or large', async () => {
    for (const size of [10, 2 * MiB]) {
      const p = join(tmp.path, `was-file-${size}`);
      writeFileSync(p, randomBytes(size));
      const seen = expect(p);
      rmSync(p);
      symlinkSync(join(tmp.path, 'elsewhere'), p);
      assert.deepEqual(await hashFileForIdentity(p, seen, THRESHOLD), { ok: false, reason: 'is no longer a regular file' });
      rmSync(p);
      execFileSync('mkfifo', [p]);
      assert.deepEqual(await hashFileForIdentity(p, seen, THRESHOLD), { ok: false, reason: 'is no longer a regular file' });
    }
  });

  it('hashes a file as it is now, whole when small whatever the threshold, sampled above it', async () => {
    const small = join(tmp.path, 'small');
    const bytes = randomBytes(4 * 1024);
    writeFileSync(small, bytes);
    const s = await hashFileAsIs(small, 0);
    assert.ok(s.ok);
    assert.equal(s.casId, blake3(bytes).toString('hex'));
    assert.equal(s.casVersion, CAS_WHOLE);
    const big = join(tmp.path, 'big');
    writeFileSync(big, randomBytes(3 * MiB));
    const b = await hashFileAsIs(big, 0);
    const again = await hashFileForIdentity(big, expect(big), 0);
    assert.ok(b.ok && again.ok);
    assert.equal(b.casVersion, CAS_SAMPLED);
    assert.equal(b.casId, again.casId);
  });
});
