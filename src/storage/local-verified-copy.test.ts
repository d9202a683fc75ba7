import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, closeSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, ftruncateSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';
import fc from 'fast-check';
import { SMALL_FILE } from '../core/file-blake3.js';
import { NotTheCheckedFile } from './confined-open.js';
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
    const got = await copyVerified({ root: dir, path: src }, dst, { sparse: true, size });
    assert.equal(got.size, size);
    assert.equal(statSync(dst).size, size);
    assert.ok(readFileSync(dst).equals(readFileSync(src)), 'the same bytes');
    assert.ok(statSync(dst).blocks <= srcBlocks, `no more blocks than the source (${statSync(dst).blocks} > ${srcBlocks})`);
  });

  it('writes over the partial a killed run left (a job resumed), never through a symlink there', async () => {
    const src = join(dir, 'src2');
    const fd = openSync(src, 'w');
    const size = 3 * 1024 * 1024;
    ftruncateSync(fd, size);
    writeSync(fd, Buffer.from('data'), 0, 4, 4096 * 7);
    closeSync(fd);
    const dst = join(dir, 'dst2');
    writeFileSync(dst, 'half a copy a killed run left');
    const got = await copyVerified({ root: dir, path: src }, dst, { sparse: true, size });
    assert.equal(got.size, size);
    assert.ok(readFileSync(dst).equals(readFileSync(src)), 'the same bytes');
    const elsewhere = join(dir, 'elsewhere');
    writeFileSync(elsewhere, 'not vss\'s');
    rmSync(dst);
    symlinkSync(elsewhere, dst);
    await copyVerified({ root: dir, path: src }, dst, { sparse: true, size });
    assert.equal(readFileSync(elsewhere, 'utf8'), 'not vss\'s', 'the file the symlink led to is untouched');
    assert.ok(!lstatSync(dst).isSymbolicLink() && readFileSync(dst).equals(readFileSync(src)));
  });
});

/** What a copy keeps besides its bytes, set after the copy was read back (the read would change its access time). */
describe('copyVerified keeps times and mode', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vss-keep-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const source = (name: string, bytes: Buffer, mode: number) => {
    const src = join(dir, name);
    writeFileSync(src, bytes);
    chmodSync(src, mode);
    utimesSync(src, new Date(1_500_000_000_123), new Date(1_400_000_000_456));
    const st = statSync(src);
    return { src, keep: { atimeMs: st.atimeMs, mtimeMs: st.mtimeMs, mode: st.mode } };
  };

  for (const [what, size, sparse] of [['a small file', 3000, false], ['a large file', 3 * 1024 * 1024, false], ['a sparse file', 3 * 1024 * 1024, true]] as const) {
    it(`${what}: its times, its permission bits, never setuid or setgid`, async () => {
      for (const mode of [0o640, 0o6755, 0o1777]) {
        const { src, keep } = source(`${what}-${mode}`, Buffer.alloc(size, 7), mode);
        const dst = `${src}.copy`;
        const got = await copyVerified({ root: dir, path: src }, dst, { size, sparse, keep });
        const st = statSync(dst);
        // What the index is told of a small copy (to link it by its BLAKE3) is what it will find there.
        if (size <= 1024 * 1024) assert.deepEqual(got.left, { inode: st.ino, mtimeMs: st.mtimeMs });
        assert.equal((st.mode & 0o7777).toString(8), (mode & 0o777).toString(8));
        // To the microsecond (the times pass through seconds as a double).
        assert.ok(Math.abs(st.mtimeMs - keep.mtimeMs) < 0.001, `mtime ${st.mtimeMs} ≠ ${keep.mtimeMs}`);
        assert.ok(Math.abs(st.atimeMs - keep.atimeMs) < 0.001, `atime ${st.atimeMs} ≠ ${keep.atimeMs}`);
      }
    });
  }

  it('a file planned small that has grown past a small one: read back whole, kept', async () => {
    const { src, keep } = source('grown', Buffer.alloc(2 * 1024 * 1024 + 5, 1), 0o600);
    const got = await copyVerified({ root: dir, path: src }, `${src}.copy`, { size: 10, keep });
    assert.equal(got.size, 2 * 1024 * 1024 + 5);
    assert.ok(readFileSync(`${src}.copy`).equals(readFileSync(src)));
    assert.equal(statSync(`${src}.copy`).mode & 0o7777, 0o600);
  });
});

/** The source is the file checked, inside its location: a folder on its way swapped for a symlink since is never copied through. */
describe('copyVerified of a source whose folder was swapped for a symlink after it was checked', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vss-swap-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const size of [3000, 3 * 1024 * 1024]) {
    it(`${size} bytes: refused as not the file checked, and no byte of the file outside is written`, async () => {
      const loc = join(dir, `loc-${size}`);
      const outside = join(dir, `outside-${size}`);
      mkdirSync(join(loc, 'a'), { recursive: true });
      mkdirSync(outside);
      writeFileSync(join(loc, 'a', 'f.bin'), Buffer.alloc(size, 1));
      writeFileSync(join(outside, 'f.bin'), Buffer.alloc(size, 2));
      const st = statSync(join(loc, 'a', 'f.bin'));
      renameSync(join(loc, 'a'), join(loc, 'a.real'));
      symlinkSync(outside, join(loc, 'a'));
      const partial = join(dir, `partial-${size}`);
      await assert.rejects(copyVerified({ root: loc, path: join(loc, 'a', 'f.bin'), checked: { dev: st.dev, inode: st.ino } }, partial, { size }), NotTheCheckedFile);
      assert.equal(existsSync(partial), false);
    });
  }
});

/**
 * A small copy reads its source once and writes the partial from what it hashed: whatever its
 * size up to a small file's largest (none, one byte, the edge), the copy holds the same bytes,
 * its BLAKE3 is theirs, and what is said of the copy is what is there.
 */
describe('copyVerified of a small file, read once', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vss-small-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let run = 0;

  it('the same bytes and their BLAKE3, for any size up to a small file\'s largest', async () => {
    const size = fc.oneof(fc.constantFrom(0, 1, SMALL_FILE - 1, SMALL_FILE), fc.integer({ min: 0, max: SMALL_FILE }));
    await fc.assert(fc.asyncProperty(size, fc.integer(), async (n, seed) => {
      const src = join(dir, `s${++run}`);
      const bytes = Buffer.alloc(n);
      for (let i = 0; i < n; i++) bytes[i] = (seed + i * 31 + (i >> 7)) & 0xff;
      writeFileSync(src, bytes);
      const st = statSync(src);
      const got = await copyVerified({ root: dir, path: src, checked: { dev: st.dev, inode: st.ino } }, `${src}.copy`, { size: n, keep: { atimeMs: st.atimeMs, mtimeMs: st.mtimeMs, mode: st.mode } });
      assert.ok(readFileSync(`${src}.copy`).equals(bytes));
      assert.equal(got.hash, blake3(bytes).toString('hex'));
      assert.equal(got.size, n);
      const copy = statSync(`${src}.copy`);
      assert.deepEqual(got.left, { inode: copy.ino, mtimeMs: copy.mtimeMs });
    }), { numRuns: 40 });
  });

  it('a partial a killed run left, longer than the copy, is written over whole', async () => {
    const src = join(dir, 'left');
    writeFileSync(src, Buffer.alloc(3000, 5));
    writeFileSync(`${src}.partial`, Buffer.alloc(9000, 9));
    await copyVerified({ root: dir, path: src }, `${src}.partial`, { size: 3000 });
    assert.ok(readFileSync(`${src}.partial`).equals(Buffer.alloc(3000, 5)));
  });

  // Before: the kernel's copy (libuv's copyfile) opened the partial's name following a symlink there, and wrote the file it led to.
  for (const size of [3000, 3 * 1024 * 1024]) {
    it(`${size} bytes: a symlink at the partial's name is never written through, the file it leads to untouched`, async () => {
      const src = join(dir, `planted-${size}`);
      writeFileSync(src, Buffer.alloc(size, 5));
      const victim = join(dir, `victim-${size}`);
      writeFileSync(victim, 'not to be written');
      symlinkSync(victim, `${src}.partial`);
      await copyVerified({ root: dir, path: src }, `${src}.partial`, { size }).catch(() => undefined);
      assert.equal(readFileSync(victim, 'utf8'), 'not to be written');
      if (existsSync(`${src}.partial`)) assert.ok(readFileSync(`${src}.partial`).equals(Buffer.alloc(size, 5)) || lstatSync(`${src}.partial`).isSymbolicLink());
    });
  }
});
