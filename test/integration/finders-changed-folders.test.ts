import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, closeSync, copyFileSync, mkdirSync, openSync, readFileSync, statSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, FIXTURES_SKIP, json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';

const XMP = (word: string) => `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmp:Rating="2">
<dc:subject><rdf:Bag><rdf:li>${word}</rdf:li></rdf:Bag></dc:subject></rdf:Description></rdf:RDF></x:xmpmeta>
`;

/** Write BYTES over PATH at OFFSET in place, then give it back its times: only its ctime shows the change. */
function changeUnseen(path: string, offset: number, bytes: Buffer): void {
  const st = statSync(path);
  const fd = openSync(path, 'r+');
  try { writeSync(fd, bytes, 0, bytes.length, offset); } finally { closeSync(fd); }
  utimesSync(path, st.atimeMs / 1000, st.mtimeMs / 1000);
  const now = statSync(path);
  assert.equal(now.mtimeMs, st.mtimeMs);
  assert.equal(now.ino, st.ino);
}

/**
 * A deep scan and a watched batch look for XMP sidecars and Live Photo pairs only in the folders
 * whose listing changed since they last looked (issue 28, fault 6): an unchanged folder's other
 * tools' files are not read again (the scan says how many it read) and its movies not hashed
 * again. A file rewritten in place with its times put back is a change its folder's listing shows
 * (its ctime), and a forced rescan reads every folder.
 */
describe('the finders look only in changed folders', { skip: FIXTURES_SKIP }, () => {
  const tmp = tempDir('vss-finders-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const tree = join(tmp.path, 'tree');
  const xmp = join(tree, 'A', 'IMG.JPG.xmp');
  const movie = join(tree, 'B', 'train.mov');
  const ok = async <T>(args: string[]): Promise<T> => {
    const r = await runCli([...args, '--json'], env);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return json<T>(r);
  };
  const tagNames = async () => (await ok<Array<{ name: string }>>(['tag', 'list'])).map((t) => t.name).sort();
  const movieChecksum = async () => (await ok<Array<{ checksum: string }>>(['sidecars', 'list', '--kind', 'live_photo_video']))[0]?.checksum;
  after(() => tmp.cleanup());

  before(async () => {
    mkdirSync(join(tree, 'A'), { recursive: true });
    mkdirSync(join(tree, 'B'));
    mkdirSync(join(tree, 'C'));
    copyFileSync(join(FIXTURES, 'exif', 'Canon_40D.jpg'), join(tree, 'A', 'IMG.JPG'));
    writeFileSync(xmp, XMP('alpha'));
    copyFileSync(join(FIXTURES, 'livephoto', 'apple-iphone6s', 'train.jpg'), join(tree, 'B', 'train.jpg'));
    copyFileSync(join(FIXTURES, 'livephoto', 'apple-iphone6s', 'train.mov'), movie);
    // Past the library's smallest hash threshold, the movie's identity is sampled: pairing hashes it whole.
    appendFileSync(movie, Buffer.alloc(17 * 1024 * 1024));
    // Whole seconds, so that putting a time back after a write in place is exact.
    for (const f of [xmp, movie]) utimesSync(f, 1_700_000_000, 1_700_000_000);
    await ok(['library', 'create', 'F', '--path', tmp.path]);
    const config = join(tmp.path, 'F.sdlibrary', 'library.json');
    const c = JSON.parse(readFileSync(config, 'utf8')) as { settings?: Record<string, unknown> };
    c.settings = { ...c.settings, hashThresholdBytes: 16 * 1024 * 1024 };
    writeFileSync(config, JSON.stringify(c));
  });

  it('a rescan after a change in another folder reads no unchanged sidecar and hashes no unchanged movie', async () => {
    const added = await ok<{ xmp_sidecars: number; live_photos: number }>(['location', 'add', tree, '--mode', 'deep', '--generate', 'none']);
    assert.deepEqual([added.xmp_sidecars, added.live_photos], [1, 1]);
    assert.deepEqual(await tagNames(), ['alpha']);
    const first = await movieChecksum();
    assert.ok(first);

    writeFileSync(join(tree, 'C', 'new.txt'), 'a change elsewhere');
    const again = await ok<{ xmp_sidecars: number; xmp_read: number; live_photos: number; added: number }>(['location', 'rescan', '1']);
    assert.equal(again.added, 1);
    assert.deepEqual([again.xmp_sidecars, again.xmp_read, again.live_photos], [1, 0, 1], 'totals are the location\'s; nothing was read');
    assert.deepEqual(await tagNames(), ['alpha'], 'the unchanged folder\'s sidecar was not read again');
    assert.equal(await movieChecksum(), first, 'the unchanged folder\'s movie was not hashed again');
  });

  it('a folder whose file was rewritten in place, its times put back, is read again: its ctime tells', async () => {
    changeUnseen(xmp, XMP('alpha').indexOf('alpha'), Buffer.from('omega'));
    const changed = await ok<{ xmp_read: number }>(['location', 'rescan', '1']);
    assert.equal(changed.xmp_read, 1);
    assert.deepEqual(await tagNames(), ['alpha', 'omega']);
    const before = await movieChecksum();
    changeUnseen(movie, statSync(movie).size - 100, Buffer.from('not zeros'));
    await ok(['location', 'rescan', '1']);
    assert.notEqual(await movieChecksum(), before, 'the movie hashed again, what it is now recorded');
  });
});
