import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, tempDir, type CliResult } from '../helpers.js';

/**
 * A file named as people name it (issue 58, "the first hour"): `vss content show IMG_0412.jpg`
 * is the file of that name in the current folder, as for any command line tool; `photos/a.jpg` a
 * path from it. A name or relative path that is no file there is refused naming the path looked
 * up, never read as the location `photos` (the library's reading of `LOCATION/PATH` without its
 * slash). Each call a process of its own in the folder it is run from.
 */
describe('a content named by a file name or relative path (real CLI, from several folders)', () => {
  const tmp = tempDir('vss-content-ref-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_NO_DAEMON: '1' };
  const photos = join(tmp.path, 'photos');
  const elsewhere = join(tmp.path, 'elsewhere');
  let uuid = '';
  const vss = (cwd: string, ...args: string[]): Promise<CliResult> => runCli(args, env, { cwd });

  before(async () => {
    mkdirSync(join(photos, '2024'), { recursive: true });
    mkdirSync(elsewhere);
    mkdirSync(join(tmp.path, 'got'));
    writeFileSync(join(photos, '2024', 'IMG_0412.jpg'), 'the bytes of one photo');
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

  it('a name that is no file here: refused, naming the path looked up and how to find it, not read as a location', async () => {
    for (const ref of ['IMG_0412.jpg', 'photos/2024/IMG_0412.jpg', './IMG_0412.jpg']) {
      const r = await vss(elsewhere, 'content', 'show', ref);
      assert.equal(r.code, 1, `${ref}: ${r.stdout}${r.stderr}`);
      assert.ok(r.stderr.includes(`no file ${join(elsewhere, ref)}: a name or relative path is looked up in the current folder`), r.stderr);
      assert.match(r.stderr, /vss search NAME finds a file by its name/);
      assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
    }
  });

  it('an absolute path in none of the locations: says it looked for both a location folder and a location of that name', async () => {
    const r = await vss(tmp.path, 'content', 'show', join(elsewhere, 'loose.jpg'));
    assert.equal(r.code, 1, r.stderr);
    assert.ok(r.stderr.includes(`no file ${join(elsewhere, 'loose.jpg')} in this library: it is inside none of this device's locations, and none is named`), r.stderr);
    const address = await vss(tmp.path, 'content', 'show', '/photos/2024/nope.jpg');
    assert.match(address.stderr, /no identified file "\/photos\/2024\/nope.jpg" on this device/, 'a location that exists: the file is what is missing');
  });
});
