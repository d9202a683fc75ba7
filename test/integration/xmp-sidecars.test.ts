import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIGIKAM } from '../../src/media/xmp/xmp-samples.test-data.js';
import { readXmpSidecar } from '../../src/media/xmp/xmp-sidecar-read.js';
import { FIXTURES, FIXTURES_SKIP, json, runCli, tempDir } from '../helpers.js';

interface Meta { content_uuid: string; rating: number; tags: string[] }
interface Tag { name: string; path: string[] }
interface Exported { written: string[]; created: string[]; unchanged: number; problems: Array<{ path: string; reason: string }> }

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
const HOSTILE = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><x:xmpmeta xmlns:x="adobe:ns:meta/">&b;</x:xmpmeta>';

/**
 * XMP sidecars (DESIGN §16) as a digiKam user's folder has them: a deep index reads their rating
 * and keywords into vss's tags and metadata; `vss xmp export` writes vss's changes back into them
 * (and makes one where there is none), keeping what vss does not own; the photos stay byte-identical;
 * a sidecar that is not valid XMP is skipped with its reason and never overwritten.
 */
describe('XMP sidecars from other photo tools', { skip: FIXTURES_SKIP }, () => {
  const tmp = tempDir('vss-xmp-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const photos = join(tmp.path, 'photos');
  const at = (n: string) => join(photos, n);
  const before1 = { img1: '', img2: '' };
  after(() => tmp.cleanup());
  const ok = async <T>(args: string[]): Promise<T> => {
    const r = await runCli([...args, '--json'], env);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return json<T>(r);
  };

  before(async () => {
    mkdirSync(photos);
    copyFileSync(join(FIXTURES, 'exif', 'Canon_40D.jpg'), at('IMG_1.JPG'));
    copyFileSync(join(FIXTURES, 'exif', 'gps', 'DSCN0010.jpg'), at('IMG_2.JPG'));
    copyFileSync(join(FIXTURES, 'exif', 'orientation', 'landscape_1.jpg'), at('bad.jpg'));
    writeFileSync(at('IMG_1.JPG.xmp'), DIGIKAM);
    writeFileSync(at('bad.jpg.xmp'), HOSTILE);
    before1.img1 = sha(at('IMG_1.JPG'));
    before1.img2 = sha(at('IMG_2.JPG'));
    assert.equal((await runCli(['library', 'create', 'Home', '--path', join(tmp.path, 'lib')], env)).code, 0);
  });

  it('a deep index brings a digiKam sidecar\'s rating and keywords in as metadata and a tag tree', async () => {
    const added = await ok<{ xmp_sidecars: number; xmp_read: number; skipped: Array<{ path: string; reason: string }> }>(['location', 'add', photos, '--name', 'Photos', '--mode', 'deep']);
    assert.deepEqual([added.xmp_sidecars, added.xmp_read], [1, 1]);
    assert.ok(added.skipped.some((s) => s.path.endsWith('bad.jpg.xmp') && /DOCTYPE|entit/i.test(s.reason)), JSON.stringify(added.skipped));
    const m = await ok<Meta>(['meta', 'show', at('IMG_1.JPG')]);
    assert.equal(m.rating, 4);
    assert.deepEqual(m.tags, ['Ana', 'Dubrovnik']);
    const tags = await ok<Tag[]>(['tag', 'list']);
    assert.deepEqual(tags.find((t) => t.name === 'Dubrovnik')!.path, ['Places', 'Croatia', 'Dubrovnik']);
    // Read again, an unchanged sidecar is not read twice.
    const again = await ok<{ xmp_sidecars: number; xmp_read: number }>(['location', 'rescan', 'Photos']);
    assert.deepEqual([again.xmp_sidecars, again.xmp_read], [1, 0]);
  });

  it('xmp export writes vss\'s changes back, keeping the rest; the photos are untouched; a broken sidecar is never overwritten', async () => {
    await ok(['meta', 'set', at('IMG_1.JPG'), '--rating', '5']);
    await ok(['tag', 'add', 'Favourites', at('IMG_1.JPG')]);
    await ok(['tag', 'add', 'Trips', at('IMG_2.JPG'), at('bad.jpg')]);
    const r = await runCli(['xmp', 'export', '--json'], env);
    assert.equal(r.code, 1, `a sidecar not written says so in the exit code: ${r.stdout} ${r.stderr}`);
    const out = JSON.parse(r.stdout) as Exported;
    assert.deepEqual(out.written, [at('IMG_1.JPG.xmp')]);
    assert.deepEqual(out.created, [at('IMG_2.JPG.xmp')]);
    assert.deepEqual(out.problems.map((p) => p.path), [at('bad.jpg.xmp')]);
    assert.equal(readFileSync(at('bad.jpg.xmp'), 'utf8'), HOSTILE, 'a sidecar vss cannot read is left as it was');

    const back = readXmpSidecar(readFileSync(at('IMG_1.JPG.xmp'), 'utf8'));
    assert.ok(back.ok);
    assert.equal(back.meta.rating?.value, 5);
    assert.deepEqual(back.meta.hierarchical.map((p) => p.join('|')).sort(), ['People|Ana', 'Places|Croatia|Dubrovnik']);
    assert.ok(back.meta.keywords.includes('Favourites'));
    assert.match(readFileSync(at('IMG_1.JPG.xmp'), 'utf8'), /MicrosoftPhoto:Rating="75"/, 'what vss does not own is kept');
    const made = readXmpSidecar(readFileSync(at('IMG_2.JPG.xmp'), 'utf8'));
    assert.ok(made.ok);
    assert.deepEqual(made.meta.keywords, ['Trips']);
    assert.deepEqual([sha(at('IMG_1.JPG')), sha(at('IMG_2.JPG'))], [before1.img1, before1.img2], 'the originals are byte-identical');

    // Again: nothing to write. And a rescan reads the sidecars vss wrote without changing anything.
    const second = json<Exported>(await runCli(['xmp', 'export', at('IMG_1.JPG'), at('IMG_2.JPG'), '--json'], env));
    assert.deepEqual([second.written, second.created, second.unchanged], [[], [], 2]);
    await ok(['location', 'rescan', 'Photos']);
    const m = await ok<Meta>(['meta', 'show', at('IMG_1.JPG')]);
    assert.deepEqual([m.rating, m.tags], [5, ['Ana', 'Dubrovnik', 'Favourites']]);
  });
});
