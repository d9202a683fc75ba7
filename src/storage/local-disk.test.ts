import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../test/helpers.js';
import { ConfinedRoot, PathRefusedError } from '../library/confine.js';
import { LocalDisk } from './local-disk.js';
import { storageAt } from './storages.js';

describe('the local-disk storage', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());
  const root = join(tmp.path, 'loc');
  const outside = join(tmp.path, 'outside');
  mkdirSync(join(root, 'sub', 'deeper'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(root, 'sub', 'a.txt'), 'hello world');
  writeFileSync(join(outside, 'secret.txt'), 'secret');
  symlinkSync(outside, join(root, 'out'));
  symlinkSync(join(outside, 'secret.txt'), join(root, 'secret-link.txt'));
  execFileSync('mkfifo', [join(root, 'pipe')]);
  const disk = new LocalDisk(new ConfinedRoot(root, 'the location'));

  it('is one storage per trusted root', () => {
    const r = new ConfinedRoot(root, 'the location');
    assert.equal(storageAt(r), storageAt(r));
    assert.notEqual(storageAt(r), storageAt(new ConfinedRoot(root, 'the location')));
  });

  it('says what is at a path without following a symlink, and null where nothing is', async () => {
    const f = await disk.stat('sub/a.txt');
    assert.equal(f?.kind, 'file');
    assert.equal(f?.size, 11);
    assert.equal(f?.inode, statSync(join(root, 'sub', 'a.txt')).ino);
    assert.equal((await disk.stat('secret-link.txt'))?.kind, 'symlink');
    assert.equal((await disk.stat('pipe'))?.kind, 'other');
    assert.equal((await disk.stat(''))?.kind, 'dir');
    assert.equal(await disk.stat('sub/none'), null);
  });

  it('lists a folder with its facts; symlinks reported, never followed; a path through one refused', async () => {
    const top = await disk.list('');
    const byName = new Map(top.entries.map((e) => [e.name, e]));
    assert.equal((byName.get('out') as { kind?: string }).kind, 'symlink');
    assert.equal((byName.get('out') as { linkTarget?: string }).linkTarget, outside);
    assert.ok('skip' in byName.get('pipe')!, 'a FIFO is listed with the reason it is skipped');
    assert.deepEqual((await disk.list('sub')).entries.map((e) => e.name).sort(), ['a.txt', 'deeper']);
    await assert.rejects(disk.list('out'), PathRefusedError);
    await assert.rejects(disk.stat('out/secret.txt'), PathRefusedError);
    assert.throws(() => disk.localPath('../outside/secret.txt'), PathRefusedError);
  });

  it('walks the tree parents before children', async () => {
    const rels: string[] = [];
    for await (const batch of disk.walk({ ignoreRules: [], exclude: [] })) for (const l of batch) rels.push(l.rel);
    assert.deepEqual(rels, ['', 'sub', 'sub/deeper']);
  });

  it('reads ranges of a regular file, and refuses a symlink or a FIFO (never blocks on one)', async () => {
    const r = await disk.openRead('sub/a.txt');
    try {
      const buf = Buffer.alloc(5);
      assert.equal(await r.read(buf, 0, 5, 6), 5);
      assert.equal(buf.toString(), 'world');
      assert.equal(await r.read(buf, 0, 5, 11), 0);
      assert.equal((await r.refresh()).size, 11);
    } finally {
      await r.close();
    }
    await assert.rejects(disk.openRead('secret-link.txt'), /symlink/);
    await assert.rejects(disk.openRead('pipe'), /not a regular file/);
  });

  it('a folder swapped for a symlink just after it was checked is not read through (the check is trusted a moment; the open checks again)', async () => {
    mkdirSync(join(root, 'swap'));
    writeFileSync(join(root, 'swap', 'secret.txt'), 'inside');
    // Read once: the folder is checked, and that check is trusted for a while (FOLDER_CHECK_TTL_MS).
    const first = await disk.openRead('swap/secret.txt');
    await first.close();
    renameSync(join(root, 'swap'), join(root, 'swap.real'));
    symlinkSync(outside, join(root, 'swap'));
    const r = await disk.openRead('swap/secret.txt').catch((err: Error) => err);
    if (!(r instanceof Error)) {
      const buf = Buffer.alloc(6);
      await r.read(buf, 0, 6, 0);
      await r.close();
      assert.fail(`read ${JSON.stringify(buf.toString())} through the swapped folder`);
    }
    assert.match(r.message, /leads outside .* through a symlink/);
  });

  it('lands bytes in a partial beside the name they become', async () => {
    const land = await disk.land('new/b.txt', 'k1', { hash: true });
    await land.write([Buffer.from('bytes')]);
    const landed = await land.finish();
    assert.equal(landed.path, join(root, 'new', '.vss-partial-k1'));
    assert.equal(readFileSync(landed.path, 'utf8'), 'bytes');
    assert.equal(statSync(landed.path).mode & 0o777, 0o600);
  });

  it('renames inside the storage, over a taken name only when asked', async () => {
    writeFileSync(join(root, 'sub', 'c.txt'), 'c');
    await disk.rename('sub/c.txt', 'sub/deeper/c.txt');
    assert.equal(readFileSync(join(root, 'sub', 'deeper', 'c.txt'), 'utf8'), 'c');
    await assert.rejects(disk.rename('sub/deeper/c.txt', 'sub/a.txt'), { code: 'ALREADY_EXISTS' });
    assert.equal(readFileSync(join(root, 'sub', 'a.txt'), 'utf8'), 'hello world');
    writeFileSync(join(root, 'sub', 'd.txt'), 'd');
    await disk.rename('sub/d.txt', 'sub/deeper/c.txt', { replace: true });
    assert.equal(readFileSync(join(root, 'sub', 'deeper', 'c.txt'), 'utf8'), 'd', 'asked to, it replaces the file there');
  });

  it('removes a file or an empty folder, leaves a full one, and never the root', async () => {
    assert.equal(disk.removeNow('sub'), false);
    assert.ok(existsSync(join(root, 'sub', 'a.txt')));
    mkdirSync(join(root, 'empty'));
    await disk.remove('empty');
    assert.equal(existsSync(join(root, 'empty')), false);
    assert.equal(disk.unlinkNow('sub/deeper/c.txt'), true);
    assert.equal(disk.unlinkNow('sub/deeper/c.txt'), false);
    assert.throws(() => disk.removeNow(''), PathRefusedError);
    await assert.rejects(disk.remove('out/secret.txt'), PathRefusedError);
    assert.ok(existsSync(join(outside, 'secret.txt')), 'nothing outside is removed through a symlinked folder');
  });

  it('removes a file only while it is still the one read; a write in the moment between the look and the removal keeps its bytes', () => {
    const f = join(root, 'sub', 'going.bin');
    writeFileSync(f, 'as read');
    const read = statSync(f);
    const same = (now: { size: number; mtimeMs: number; ino: number }) => now.size === read.size && now.mtimeMs === read.mtimeMs && now.ino === read.ino;
    // Another program appends just after the look said "still it" (the window a plain unlink leaves open).
    const looked = disk.removeIfStill('sub/going.bin', (now) => {
      const yes = same(now);
      writeFileSync(f, ' and more', { flag: 'a' });
      return yes;
    });
    assert.equal(looked.state, 'changed');
    assert.equal(readFileSync(f, 'utf8'), 'as read and more', 'the bytes written meanwhile are kept under the name');
    assert.deepEqual(readdirSync(join(root, 'sub')).filter((n) => n.startsWith('.vss-')), [], 'nothing left aside');
    // Unchanged, it goes.
    const now = statSync(f);
    assert.equal(disk.removeIfStill('sub/going.bin', (x) => x.size === now.size && x.mtimeMs === now.mtimeMs).state, 'removed');
    assert.ok(!existsSync(f));
    assert.equal(disk.removeIfStill('sub/going.bin', () => true).state, 'gone');
    // Changed before the look: it stays, untouched.
    writeFileSync(f, 'new');
    assert.equal(disk.removeIfStill('sub/going.bin', () => false).state, 'changed');
    assert.equal(readFileSync(f, 'utf8'), 'new');
  });
});
