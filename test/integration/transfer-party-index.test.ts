/**
 * The one item loop's two other edges (issue 57 items 2 and 3): a browser's destination named
 * through a symlink that leads out of every location is refused, whatever the verb, the shape of
 * the name and the conflict policy (a real library through the core API, `party: 'browser'`,
 * fast-check over the names); and a move within one location is a rename the index follows at
 * once — a 2,000-file tree, and a file moved into a folder not indexed yet — so that a rescan then
 * finds nothing to add, change, move or remove (the real CLI).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { Vss } from '../../src/index.js';
import { json, runCli, tempDir, type CliResult } from '../helpers.js';

/** Every name under DIR (recursively, never following a symlink), sorted. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String).sort();
}

describe('a browser names a destination through a symlink out of every location (issue 57: N1)', () => {
  const tmp = tempDir('vss-party-');
  const photos = join(tmp.path, 'photos');
  const outside = join(tmp.path, 'outside');
  let vss: Vss;
  let libPath: string;
  before(async () => {
    mkdirSync(join(photos, 'sub'), { recursive: true });
    mkdirSync(join(outside, 'inner'), { recursive: true });
    writeFileSync(join(photos, 'photo.jpg'), 'a photo, as its bytes');
    writeFileSync(join(outside, 'inner', 'keep.txt'), 'the user\'s own file\n');
    symlinkSync(outside, join(photos, 'link'));
    symlinkSync(join(outside, 'inner'), join(photos, 'sub', 'deep-link'));
    vss = new Vss({ dataDir: join(tmp.path, 'data') });
    libPath = vss.libraries.create('Party', { dir: tmp.path }).path;
    await vss.withLibrary({ path: libPath }, (lib) => lib.locations.add(photos, { mode: 'content' }));
  });
  after(() => tmp.cleanup());

  it('refuses it, or writes nothing through it, for a copy, a move and their dry runs', async () => {
    const before = tree(outside);
    const shape = fc.record({
      verb: fc.constantFrom('copy', 'move', 'preview copy', 'preview move'),
      to: fc.constantFrom('link', 'link/', 'link/new.jpg', 'link/inner/', 'link/inner/keep.txt', 'link/fresh/new.jpg', 'link/fresh/', 'sub/deep-link/', 'sub/deep-link/keep.txt', 'sub/deep-link/fresh/x.jpg'),
      onConflict: fc.constantFrom('keep-both', 'replace', 'skip'),
    });
    await fc.assert(fc.asyncProperty(shape, async ({ verb, to, onConflict }) => {
      const into = to.endsWith('/');
      const dst = join(photos, into ? to.slice(0, -1) : to);
      const src = join(photos, 'photo.jpg');
      const asked = vss.withLibrary({ path: libPath }, (lib): Promise<unknown> => {
        const opts = { party: 'browser' as const, onConflict, into };
        if (verb === 'copy' || verb === 'move') return lib.files[verb]([src], dst, opts);
        return lib.files.preview(verb.slice('preview '.length), [src], { ...opts, to: dst });
      });
      const outcome = await asked.then(() => 'done', (err: unknown) => `refused: ${(err as Error).message}`);
      assert.deepEqual(tree(outside), before, `${verb} to ${to} (${onConflict}): ${outcome}; nothing written outside`);
      assert.equal(readFileSync(join(outside, 'inner', 'keep.txt'), 'utf8'), 'the user\'s own file\n');
      assert.equal(readFileSync(src, 'utf8'), 'a photo, as its bytes', `${verb} to ${to}: the photo stays in the library`);
      assert.match(outcome, /^refused/, `${verb} to ${to} is refused`);
      assert.doesNotMatch(outcome, /\(job \d+\) failed/, `${verb} to ${to} is refused as asked, not queued to fail`);
    }), { numRuns: 60 });
  });
});

describe('a move within one location is a rename the index follows (issue 57 item 2)', { timeout: 300_000 }, () => {
  const tmp = tempDir('vss-rename-index-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_NO_DAEMON: '1' };
  const photos = join(tmp.path, 'photos');
  const cli = async (...args: string[]): Promise<CliResult> => {
    const r = await runCli(args, env);
    assert.equal(r.code, 0, `vss ${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  const rescanned = async () => {
    const r = json<{ added: number; changed: number; moved: number; removed: number; hashed: number }>(await cli('--json', 'location', 'rescan', photos));
    return { added: r.added, changed: r.changed, moved: r.moved, removed: r.removed, hashed: r.hashed };
  };
  const listed = async (folder: string) => json<Array<{ name: string; content_uuid: string | null }>>(await cli('--json', 'ls', folder)).map((e) => ({ name: e.name, content_uuid: e.content_uuid }));
  const none = { added: 0, changed: 0, moved: 0, removed: 0, hashed: 0 };
  before(async () => {
    for (let d = 0; d < 20; d++) {
      mkdirSync(join(photos, 'tree', `d${d}`), { recursive: true });
      for (let f = 0; f < 100; f++) writeFileSync(join(photos, 'tree', `d${d}`, `f${f}.txt`), `file ${f} of folder ${d}\n`);
    }
    mkdirSync(join(photos, 'moved'));
    writeFileSync(join(photos, 'solo.txt'), 'a file moved into a folder the index has not seen\n');
    await cli('library', 'create', 'R', '--path', join(tmp.path, 'libs'));
    await cli('location', 'add', photos, '--mode', 'content');
  });
  after(() => tmp.cleanup());

  it('moves a 2,000-file tree within the location: the index is right at once, a rescan changes nothing', async () => {
    const before = await listed('/photos/tree/d7');
    await cli('files', 'move', join(photos, 'tree'), `${join(photos, 'moved')}/`);
    assert.ok(!existsSync(join(photos, 'tree')));
    assert.deepEqual(await listed('/photos/moved/tree/d7'), before, 'the moved folder\'s files keep their contents in the index');
    assert.deepEqual(await rescanned(), none, 'a rescan finds the index already right');
  });

  it('moves a file into a folder made since the last scan: indexed there at once, a rescan changes nothing', async () => {
    const uuid = (await listed('/photos')).find((e) => e.name === 'solo.txt')?.content_uuid;
    assert.ok(uuid);
    mkdirSync(join(photos, 'fresh', 'deeper'), { recursive: true });
    await cli('files', 'move', join(photos, 'solo.txt'), `${join(photos, 'fresh', 'deeper')}/`);
    assert.equal((await listed('/photos/fresh/deeper')).find((e) => e.name === 'solo.txt')?.content_uuid, uuid);
    assert.deepEqual(await rescanned(), none, 'a rescan finds the index already right');
  });
});
