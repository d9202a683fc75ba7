import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { tempDir } from '../../test/helpers.js';
import { absolutePathProblem, ConfinedRoot, PathRefusedError, readRegularFile } from './confine.js';
import { relPathProblem } from '../core/address.js';

describe('path confinement', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());
  const root = join(tmp.path, 'loc');
  const outside = join(tmp.path, 'outside');
  mkdirSync(join(root, 'sub'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(root, 'sub', 'a.txt'), 'a');
  writeFileSync(join(outside, 'secret.txt'), 'secret');
  symlinkSync(outside, join(root, 'out'));
  symlinkSync(join(outside, 'secret.txt'), join(root, 'secret-link.txt'));

  it('refuses relative paths that could step out, by their syntax', () => {
    for (const ok of ['', 'a.txt', 'sub/a.txt', 'a..b', '.hidden', 'x/..y']) assert.equal(relPathProblem(ok), undefined, ok);
    for (const bad of ['..', '../x', 'sub/../../x', 'sub//a', './a', 'sub/.', '/etc/passwd', 'a\0b', 'sub/']) {
      assert.ok(relPathProblem(bad), `${JSON.stringify(bad)} should be refused`);
    }
    assert.throws(() => new ConfinedRoot(root, 'the location').path('../outside/secret.txt'), PathRefusedError);
  });

  it('refuses a location path that is not absolute and normalized', () => {
    assert.equal(absolutePathProblem('/home/me/Pictures'), undefined);
    for (const bad of ['pics', '/home/me/../etc', '/home/me/', '/home//me', '', '/a\0b']) assert.ok(absolutePathProblem(bad), JSON.stringify(bad));
  });

  it('refuses a read through a symlinked folder or of a symlink, and allows the honest file', () => {
    const r = new ConfinedRoot(root, 'the location');
    assert.equal(r.regularFile('sub/a.txt'), join(root, 'sub', 'a.txt'));
    assert.throws(() => r.inFolder('out/secret.txt'), /leads outside the location .* through a symlink/);
    assert.throws(() => r.regularFile('secret-link.txt'), /is a symlink/);
    assert.throws(() => r.regularFileAt(join(outside, 'secret.txt')), /outside the location/);
    assert.throws(() => r.regularFileAt(`${root}/sub/../../outside/secret.txt`), /not a normalized path/);
    assert.equal(r.regularFile('sub/not-there.txt'), join(root, 'sub', 'not-there.txt'), 'a missing file is not refused: reading it fails on its own');
  });

  it('makes folders only where they stay inside the root', () => {
    const r = new ConfinedRoot(root, 'the library folder');
    r.makeFolder(join(root, 'new', 'deep'));
    assert.throws(() => r.makeFolder(join(root, 'out', 'planted', 'deeper')), /through a symlink/);
    assert.equal(existsSync(join(outside, 'planted')), false, 'nothing was made outside');
    assert.throws(() => r.makeFolder(join(tmp.path, 'elsewhere')), /outside the library folder/);
  });

  it('reads a kept file but never through a symlink, and never a FIFO', () => {
    assert.equal(readRegularFile(join(root, 'sub', 'a.txt')).toString(), 'a');
    assert.throws(() => readRegularFile(join(root, 'secret-link.txt')), /is a symlink/);
    execFileSync('mkfifo', [join(root, 'pipe')]);
    assert.throws(() => readRegularFile(join(root, 'pipe')), /not a regular file/);
  });

  it('a long-lived root notices a folder swapped for a symlink after it was checked (checks expire)', async () => {
    const r = new ConfinedRoot(root, 'the location');
    mkdirSync(join(root, 'swapped'));
    writeFileSync(join(root, 'swapped', 'a.txt'), 'a');
    assert.equal(r.inFolder('swapped/a.txt'), join(root, 'swapped', 'a.txt'));
    // A daemon holds its roots for weeks: the folder is replaced by a link out of the location.
    renameSync(join(root, 'swapped'), join(tmp.path, 'swapped-away'));
    symlinkSync(outside, join(root, 'swapped'));
    await sleep(2_100); // past the 2 s a check is trusted (FOLDER_CHECK_TTL_MS)
    assert.throws(() => r.inFolder('swapped/secret.txt'), /leads outside the location .* through a symlink/);
  });
});
