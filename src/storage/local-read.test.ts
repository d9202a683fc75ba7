import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isLocalFolder, LocalFileNow } from './local-read.js';
import { tempDir } from '../../test/helpers.js';

describe('LocalFileNow', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());
  const file = join(tmp.path, 'f.txt');
  writeFileSync(file, 'hello');

  it('reads a whole file at once, with its facts as opened, and tells when it changed since', () => {
    const f = LocalFileNow.open(file);
    try {
      assert.equal(f.facts.kind, 'file');
      assert.equal(f.facts.size, 5);
      const buf = Buffer.alloc(8);
      assert.equal(f.readInto(buf.subarray(0, 5)), 5);
      assert.equal(buf.subarray(0, 5).toString(), 'hello');
      assert.equal(f.changedSinceOpen(), false);
      appendFileSync(file, '!');
      assert.equal(f.changedSinceOpen(), true);
      assert.equal(f.readInto(buf), 6, 'a shorter file than the buffer: the bytes it has');
    } finally {
      f.close();
    }
  });

  it('refuses a symlink, a folder and a FIFO, never opening one for good', () => {
    symlinkSync(file, join(tmp.path, 'link'));
    mkdirSync(join(tmp.path, 'dir'));
    execFileSync('mkfifo', [join(tmp.path, 'pipe')]);
    assert.throws(() => LocalFileNow.open(join(tmp.path, 'link')), { code: 'PATH_REFUSED', message: /symlink/ });
    assert.throws(() => LocalFileNow.open(join(tmp.path, 'dir')), { code: 'PATH_REFUSED', message: /not a regular file/ });
    assert.throws(() => LocalFileNow.open(join(tmp.path, 'pipe')), { code: 'PATH_REFUSED', message: /not a regular file/ });
    assert.throws(() => LocalFileNow.open(join(tmp.path, 'missing')), { code: 'ENOENT' });
  });

  it('tells a folder, also through a link to it', () => {
    symlinkSync(tmp.path, join(tmp.path, 'to-dir'));
    assert.equal(isLocalFolder(join(tmp.path, 'to-dir')), true, 'a folder the user named may be reached through a link');
    assert.equal(isLocalFolder(file), false);
    assert.equal(isLocalFolder(join(tmp.path, 'missing')), false);
  });
});
