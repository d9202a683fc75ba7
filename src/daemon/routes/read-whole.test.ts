import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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
});
