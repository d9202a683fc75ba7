import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { tempDir } from '../../../test/helpers.js';
import { readWhole } from './read-whole.js';

describe('readWhole: a small file served from one checked read', () => {
  it('reads the checked file whole, and nothing when it is not that file any more', () => {
    const tmp = tempDir();
    try {
      const bytes = randomBytes(20_000);
      const file = join(tmp.path, 'thumb.webp');
      writeFileSync(file, bytes);
      assert.deepEqual(readWhole(file, bytes.length), bytes);
      writeFileSync(join(tmp.path, 'empty'), '');
      assert.deepEqual(readWhole(join(tmp.path, 'empty'), 0), Buffer.alloc(0));

      appendFileSync(file, 'x');
      assert.equal(readWhole(file, bytes.length), null, 'grown since the check');

      const other = join(tmp.path, 'outside.bin');
      writeFileSync(other, bytes);
      rmSync(file);
      assert.equal(readWhole(file, bytes.length), null, 'gone');
      symlinkSync(other, file);
      assert.equal(readWhole(file, bytes.length), null, 'a symlink now, to a file of the same size: never followed');

      const dir = join(tmp.path, 'now-a-folder');
      mkdirSync(dir);
      assert.equal(readWhole(dir, 0), null, 'a folder');
      assert.equal(readWhole(join(tmp.path, 'thumb.webp', 'below'), 1), null, 'a path through a non-folder');
    } finally {
      tmp.cleanup();
    }
  });

  it('a folder on its way swapped for a symlink since the check leads to another file: nothing read', () => {
    const tmp = tempDir();
    try {
      const bytes = randomBytes(1000);
      mkdirSync(join(tmp.path, 'loc', 'a'), { recursive: true });
      mkdirSync(join(tmp.path, 'outside'));
      const file = join(tmp.path, 'loc', 'a', 'photo.jpg');
      writeFileSync(file, bytes);
      writeFileSync(join(tmp.path, 'outside', 'photo.jpg'), randomBytes(1000));
      const st = statSync(file);
      renameSync(join(tmp.path, 'loc', 'a'), join(tmp.path, 'loc', 'a.real'));
      symlinkSync(join(tmp.path, 'outside'), join(tmp.path, 'loc', 'a'));
      assert.equal(readWhole(file, bytes.length, { dev: st.dev, inode: st.ino }), null);
    } finally {
      tmp.cleanup();
    }
  });
});
