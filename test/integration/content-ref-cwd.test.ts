import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, tempDir, type CliResult } from '../helpers.js';

/**
 * A file named as people name it (issue 58, "the first hour"): `vss content show IMG_0412.jpg`
 * is the file of that name in the current folder, as for any command line tool, and else the file
 * of that name anywhere in the library (one content: shown; several: refused, listing each file's
 * path and id; none: said so); `photos/a.jpg` a path from the current folder. A relative path
 * that is no file there is refused naming the path looked up, never read as the location `photos`
 * (the library's reading of `LOCATION/PATH` without its slash). Each call a process of its own in
 * the folder it is run from.
 */
describe('a content named by a file name or relative path (real CLI, from several folders)', () => {
  const tmp = tempDir('vss-content-ref-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_NO_DAEMON: '1' };
  const photos = join(tmp.path, 'photos');
  const elsewhere = join(tmp.path, 'elsewhere');
  let uuid = '';
  const vss = (cwd: string, ...args: string[]): Promise<CliResult> => runCli(args, env, { cwd });

  before(async () => {
    for (const d of ['2024', '2025', 'backup']) mkdirSync(join(photos, d), { recursive: true });
    mkdirSync(elsewhere);
    mkdirSync(join(tmp.path, 'got'));
    writeFileSync(join(photos, '2024', 'IMG_0412.jpg'), 'the bytes of one photo');
    // Its copy (the same content under the same name), a name of one file, and a name two different photos have.
    writeFileSync(join(photos, 'backup', 'IMG_0412.jpg'), 'the bytes of one photo');
    writeFileSync(join(photos, '2025', 'IMG_0500.JPG'), 'a photo of its own');
    writeFileSync(join(photos, '2024', 'DSC_1.jpg'), 'the first DSC_1');
    writeFileSync(join(photos, '2025', 'DSC_1.jpg'), 'another camera\'s DSC_1');
    writeFileSync(join(elsewhere, 'loose.jpg'), 'a file in no location');
    assert.equal((await vss(tmp.path, 'library', 'create', 'Home')).code, 0);
    const add = await vss(tmp.path, 'location', 'add', photos, '--name', 'photos');
    assert.equal(add.code, 0, add.stderr);
    const shown = await vss(tmp.path, 'content', 'show', join(photos, '2024', 'IMG_0412.jpg'), '--json');
    uuid = (JSON.parse(shown.stdout) as { content_uuid: string }).content_uuid;
  });
  after(() => tmp.cleanup());

  it('a bare name in its folder, a relative path from above it, the address and the id: one content', async () => {
    for (const [cwd, ref] of [[join(photos, '2024'), 'IMG_0412.jpg'], [photos, '2024/IMG_0412.jpg'], [tmp.path, 'photos/2024/IMG_0412.jpg'], [join(photos, '2024'), './IMG_0412.jpg'], [elsewhere, '../photos/2024/IMG_0412.jpg'], [elsewhere, '/photos/2024/IMG_0412.jpg'], [elsewhere, uuid.slice(0, 8)]] as const) {
      const r = await vss(cwd, 'content', 'show', ref);
      assert.equal(r.code, 0, `${ref} from ${cwd}: ${r.stderr}`);
      assert.equal(r.stdout.split('\n')[0], uuid, `${ref} from ${cwd}`);
    }
    const tagged = await vss(join(photos, '2024'), 'tag', 'add', 'Trip', 'IMG_0412.jpg');
    assert.equal(tagged.code, 0, tagged.stderr);
    const got = await vss(join(photos, '2024'), 'content', 'get', 'IMG_0412.jpg', '--to', join(tmp.path, 'got'));
    assert.equal(got.code, 0, got.stderr);
    assert.equal(readFileSync(join(tmp.path, 'got', 'IMG_0412.jpg'), 'utf8'), 'the bytes of one photo');
  });

  it('a relative path that is no file here: refused, naming the path looked up and what is looked for where, not read as a location', async () => {
    for (const ref of ['photos/2024/IMG_0412.jpg', './IMG_0412.jpg']) {
      const r = await vss(elsewhere, 'content', 'show', ref);
      assert.equal(r.code, 1, `${ref}: ${r.stdout}${r.stderr}`);
      assert.ok(r.stderr.includes(`no file ${join(elsewhere, ref)}: a relative path is looked up from the current folder`), r.stderr);
      assert.match(r.stderr, /a file's name alone \(looked for anywhere in the library\)/);
      assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
    }
  });

  it('a bare name that is no file here: the file of that name anywhere in the library, its copies one content, in any case', async () => {
    const show = async (cwd: string, ref: string) => {
      const r = await vss(cwd, 'content', 'show', ref, '--json');
      assert.equal(r.code, 0, `${ref} from ${cwd}: ${r.stderr}`);
      return (JSON.parse(r.stdout) as { content_uuid: string; copies: unknown[] });
    };
    const found = await show(elsewhere, 'IMG_0412.jpg');
    assert.equal(found.content_uuid, uuid, 'two files of one content by that name: that content');
    assert.equal(found.copies.length, 2);
    const one = await show(elsewhere, 'IMG_0500.JPG');
    assert.equal((await show(tmp.path, 'img_0500.jpg')).content_uuid, one.content_uuid, 'a name in another case, when no file has it exactly');
    // Every command that takes a content takes the name: a tag, a copy out.
    const tagged = await vss(elsewhere, 'tag', 'add', 'Found', 'IMG_0500.JPG');
    assert.equal(tagged.code, 0, tagged.stderr);
    const got = await vss(elsewhere, 'content', 'get', 'IMG_0500.JPG', '--to', join(tmp.path, 'got'));
    assert.equal(got.code, 0, got.stderr);
    assert.equal(readFileSync(join(tmp.path, 'got', 'IMG_0500.JPG'), 'utf8'), 'a photo of its own');
  });

  it('a name several photos have: refused, listing each file with its id, and saying to give a path or an id; the current folder first', async () => {
    const r = await vss(elsewhere, 'content', 'show', 'DSC_1.jpg');
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    const ids = new Map<string, string>();
    for (const d of ['2024', '2025']) {
      const shown = await vss(tmp.path, 'content', 'show', join(photos, d, 'DSC_1.jpg'), '--json');
      ids.set(join(photos, d, 'DSC_1.jpg'), (JSON.parse(shown.stdout) as { content_uuid: string }).content_uuid);
    }
    for (const [path, id] of ids) assert.ok(r.stderr.includes(`${path} (${id.slice(0, 8)})`), r.stderr);
    assert.match(r.stderr, /2 files named "DSC_1\.jpg" hold different contents: .*Give the path of one, or its id/);
    assert.doesNotMatch(r.stderr, /[0-9a-f]{8}-[0-9a-f]{4}-/, 'ids as lists show them');
    // From a folder holding one of them, that one: the current folder is looked in first.
    const here = await vss(join(photos, '2025'), 'content', 'show', 'DSC_1.jpg');
    assert.equal(here.code, 0, here.stderr);
    assert.equal(here.stdout.split('\n')[0], ids.get(join(photos, '2025', 'DSC_1.jpg')));
    // And by the id the refusal gave.
    const byId = await vss(elsewhere, 'content', 'show', ids.get(join(photos, '2024', 'DSC_1.jpg'))!.slice(0, 8));
    assert.equal(byId.stdout.split('\n')[0], ids.get(join(photos, '2024', 'DSC_1.jpg')));
  });

  it('a name no file has: a clear refusal that says where it looked and how to find a file by part of its name', async () => {
    const r = await vss(elsewhere, 'content', 'show', 'IMG_9999.jpg');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /no file named "IMG_9999\.jpg" in this library \(a name is looked up in the current folder, then on every device\)/);
    assert.match(r.stderr, /search "IMG_9999" finds files by part of their name/);
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  });

  it('an absolute path in none of the locations: says it looked for both a location folder and a location of that name', async () => {
    const r = await vss(tmp.path, 'content', 'show', join(elsewhere, 'loose.jpg'));
    assert.equal(r.code, 1, r.stderr);
    assert.ok(r.stderr.includes(`no file ${join(elsewhere, 'loose.jpg')} in this library: it is inside none of this device's locations, and none is named`), r.stderr);
    const address = await vss(tmp.path, 'content', 'show', '/photos/2024/nope.jpg');
    assert.match(address.stderr, /no identified file "\/photos\/2024\/nope.jpg" on this device/, 'a location that exists: the file is what is missing');
  });
});
