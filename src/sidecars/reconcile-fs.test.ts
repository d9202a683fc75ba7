import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, renameSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../test/helpers.js';
import { FRESH_FOLDER_MS, SweepFs } from './reconcile-fs.js';

function sweeper(): { fs: SweepFs; problems: string[]; counts: { orphans_removed: number; temp_removed: number } } {
  const problems: string[] = [];
  const counts = { orphans_removed: 0, temp_removed: 0 };
  return { fs: new SweepFs(counts, (path) => problems.push(path)), problems, counts };
}

describe('reconcile never removes through a folder swapped for a symlink', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('removes a junk folder that is still a folder', () => {
    const junk = join(tmp.path, 'lib', 'sidecars', 'content', 'zz', 'junk');
    mkdirSync(join(junk, 'deeper'), { recursive: true });
    writeFileSync(join(junk, 'deeper', 'a'), 'a');
    writeFileSync(join(junk, 'b'), 'b');
    const { fs, problems, counts } = sweeper();
    const e = readdirSync(join(junk, '..'), { withFileTypes: true }).find((d) => d.name === 'junk')!;
    assert.equal(fs.removeJunk(junk, e), true);
    assert.equal(existsSync(junk), false);
    assert.deepEqual(problems, []);
    assert.equal(counts.orphans_removed, 2);
  });

  it('leaves the files outside alone when the folder became a link after it was listed', () => {
    const parent = join(tmp.path, 'lib2', 'sidecars', 'content', 'zz');
    const junk = join(parent, 'junk');
    mkdirSync(junk, { recursive: true });
    writeFileSync(join(junk, 'x'), 'x');
    const victim = join(tmp.path, 'victim');
    mkdirSync(join(victim, 'inner'), { recursive: true });
    writeFileSync(join(victim, 'precious.jpg'), 'user data');
    writeFileSync(join(victim, 'inner', 'more.jpg'), 'more user data');
    const { fs, problems } = sweeper();
    // Listed as a folder…
    const e = readdirSync(parent, { withFileTypes: true }).find((d) => d.name === 'junk')!;
    assert.equal(e.isDirectory(), true);
    // …then swapped for a link to the user's files before reconcile acts on it.
    renameSync(junk, join(parent, 'moved-away'));
    symlinkSync(victim, junk);
    assert.equal(fs.removeJunk(junk, e), false);
    assert.equal(existsSync(join(victim, 'precious.jpg')), true);
    assert.equal(existsSync(join(victim, 'inner', 'more.jpg')), true);
    assert.ok(problems.length > 0, 'the refusal is reported');
  });

  it('refuses a removal whose ancestor folder became a link', () => {
    const base = join(tmp.path, 'lib3', 'sidecars', 'content');
    mkdirSync(join(base, 'ab', 'cd'), { recursive: true });
    const victim = join(tmp.path, 'victim3');
    mkdirSync(join(victim, 'cd'), { recursive: true });
    writeFileSync(join(victim, 'cd', 'file.webp'), 'user data');
    renameSync(join(base, 'ab'), join(base, 'ab-old'));
    symlinkSync(victim, join(base, 'ab'));
    const { fs, problems } = sweeper();
    assert.equal(fs.unlink(join(base, 'ab', 'cd', 'file.webp'), 'orphan'), false);
    assert.equal(existsSync(join(victim, 'cd', 'file.webp')), true);
    assert.equal(problems.length, 1);
  });
});

describe('reconcile leaves a fresh empty folder to the job that made it', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('keeps a folder that was empty when listed and is fresh; prunes it once old, and prunes one it emptied', () => {
    const parent = join(tmp.path, 'sidecars', 'content', 'ab');
    const fresh = join(parent, 'proxies');
    mkdirSync(fresh, { recursive: true });
    const { fs } = sweeper();
    const entry = () => readdirSync(parent, { withFileTypes: true }).find((d) => d.name === 'proxies')!;
    assert.equal(fs.removeJunk(fresh, entry()), false, 'a job may be about to write into it');
    assert.equal(existsSync(fresh), true);
    const old = (Date.now() - FRESH_FOLDER_MS - 60_000) / 1000;
    utimesSync(fresh, old, old);
    assert.equal(fs.removeJunk(fresh, entry()), true);
    assert.equal(existsSync(fresh), false);

    mkdirSync(fresh);
    writeFileSync(join(fresh, 'junk'), 'x');
    assert.equal(fs.removeJunk(fresh, entry()), true, 'emptied by this sweep: pruned at once');
  });
});
