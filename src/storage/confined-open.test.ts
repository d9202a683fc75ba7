import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../test/helpers.js';
import { PathRefusedError } from '../library/confine.js';
import { NotTheCheckedFile, openInside } from './confined-open.js';

describe('opening a file checked as inside its folder (storage/confined-open.ts)', () => {
  const tmp = tempDir('vss-confined-');
  after(() => tmp.cleanup());
  const root = join(tmp.path, 'loc');
  const outside = join(tmp.path, 'outside');
  mkdirSync(join(root, 'a', 'b'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(root, 'a', 'b', 'f.txt'), 'inside');
  writeFileSync(join(outside, 'f.txt'), 'SECRET');
  const read = async (path: string, expect?: { dev: number; inode: number }) => {
    const o = await openInside(root, path, expect);
    try {
      return (await o.fh.readFile()).toString();
    } finally {
      await o.fh.close();
    }
  };

  it('opens a regular file inside its folder, giving its facts and a path that names the open file', async () => {
    const o = await openInside(root, join(root, 'a', 'b', 'f.txt'));
    try {
      const st = statSync(join(root, 'a', 'b', 'f.txt'));
      assert.deepEqual([o.facts.kind, o.facts.size, o.facts.inode, o.facts.dev], ['file', 6, st.ino, st.dev]);
      assert.equal(readFileSync(o.selfPath, 'utf8'), 'inside');
    } finally {
      await o.fh.close();
    }
  });

  it('refuses a path outside the folder by its name, a symlink at its end, and what is not a file', async () => {
    await assert.rejects(openInside(root, join(outside, 'f.txt')), PathRefusedError);
    await assert.rejects(openInside(root, join(root, 'a', '..', '..', 'outside', 'f.txt')), PathRefusedError);
    symlinkSync(join(outside, 'f.txt'), join(root, 'link.txt'));
    await assert.rejects(openInside(root, join(root, 'link.txt')), /is a symlink/);
    await assert.rejects(openInside(root, join(root, 'a')), /not a regular file/);
  });

  for (const depth of ['a', 'a/b'] as const) {
    it(`a folder (${depth}) on the way swapped for a symlink after the check: the file outside is never read`, async () => {
      const path = join(root, 'a', 'b', 'f.txt');
      const checked = statSync(path);
      const folder = join(root, ...depth.split('/'));
      renameSync(folder, `${folder}.real`);
      // The decoy has the checked file's name and size, as in the fault's reproduction.
      mkdirSync(join(outside, 'b'), { recursive: true });
      writeFileSync(join(outside, 'b', 'f.txt'), 'SECRET');
      symlinkSync(depth === 'a' ? outside : join(outside, 'b'), folder);
      try {
        await assert.rejects(read(path), (err: unknown) => err instanceof NotTheCheckedFile && /leads outside .* through a symlink/.test(err.message));
        await assert.rejects(read(path, { dev: checked.dev, inode: checked.ino }), NotTheCheckedFile);
      } finally {
        rmSync(folder);
        renameSync(`${folder}.real`, folder);
      }
      assert.equal(await read(path), 'inside', 'put back, it opens again');
    });
  }

  it('another file put at the checked name since the check is refused as not the file checked', async () => {
    const path = join(root, 'a', 'b', 'f.txt');
    const checked = statSync(path);
    renameSync(path, `${path}.old`);
    writeFileSync(path, 'inside');
    await assert.rejects(read(path, { dev: checked.dev, inode: checked.ino }), /not the file that was checked: another file is at its place/);
    assert.equal(await read(path), 'inside', 'without a check to match, a file at its place inside is what it is');
  });

  it('the location\'s own folder reached through a symlink is followed (the user named it so); nothing below it is', async () => {
    const viaLink = join(tmp.path, 'loc-link');
    symlinkSync(root, viaLink);
    const o = await openInside(viaLink, join(viaLink, 'a', 'b', 'f.txt'));
    await o.fh.close();
    await assert.rejects(openInside(viaLink, join(viaLink, 'link.txt')), /is a symlink/);
  });
});
