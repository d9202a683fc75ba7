import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';
import fc from 'fast-check';
import { FIXTURES, FIXTURES_SKIP, tempDir } from '../../test/helpers.js';
import { loopSkipReason, makeLoopVolume } from '../../test/loop-volume.js';
import { Installation } from '../library/installation.js';
import type { Library } from '../library/library.js';
import { addLocation } from '../locations/locations.js';
import { landUpload, UploadRefused } from './land-upload.js';
import { uploadMetaOf } from './upload-meta.js';

const JPEG = join(FIXTURES, 'exif/Canon_40D.jpg');

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)));
}

/**
 * An upload lands (land-upload.ts) as a user would trust it to: whatever arrives in whatever
 * order, a file already in the folder is never written over, the same bytes sent again land once,
 * every landed file holds exactly the bytes sent, and bytes that are not what the browser hashed,
 * or not a photo or a video, never appear.
 */
describe('an upload lands in DIR/YYYY/MM/NAME (land-upload.ts)', { skip: FIXTURES_SKIP }, () => {
  const tmp = tempDir('vss-land-upload-');
  const photos = join(tmp.path, 'photos');
  const incoming = join(tmp.path, 'incoming');
  let lib: Library;
  let base: Buffer;

  before(() => {
    mkdirSync(photos);
    mkdirSync(incoming);
    const vss = new Installation({ dataDir: join(tmp.path, 'data') });
    lib = vss.createLibrary('Uploads', tmp.path);
    addLocation(lib, photos, { name: 'Photos' });
    base = readFileSync(JPEG);
  });
  after(() => {
    lib.close();
    tmp.cleanup();
  });

  /** A photo's bytes, told apart by VARIANT (a JPEG with a different trailer is still a JPEG). */
  const photo = (variant: number) => Buffer.concat([base, Buffer.from(`variant ${variant}`)]);
  let n = 0;
  const arrive = (bytes: Buffer, name: string, hash = blake3(bytes).toString('hex')) => {
    const file = join(incoming, `u${n++}`);
    writeFileSync(file, bytes);
    return { file, meta: uploadMetaOf({ filename: name, blake3: hash, modified: String(Date.UTC(2024, 0, 15)), filetype: 'image/jpeg' }) };
  };

  it('never writes over a file, lands the same bytes once, and keeps every byte sent', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.record({ name: fc.constantFrom('a.jpg', 'b.jpg', 'IMG 1.jpg'), variant: fc.integer({ min: 0, max: 3 }) }), { minLength: 1, maxLength: 8 }),
      async (sends) => {
        const dir = join(photos, `run${n}`);
        const seen = new Map<string, Buffer>();
        for (const s of sends) {
          const bytes = photo(s.variant);
          const { file, meta } = arrive(bytes, s.name);
          const before = new Map(filesUnder(dir).map((p) => [p, readFileSync(join(dir, p))]));
          const landed = await landUpload(lib, file, meta, dir);
          rmSync(file, { force: true });
          assert.deepEqual(readFileSync(landed.path), bytes, 'the landed file holds the bytes sent');
          for (const [p, b] of before) assert.deepEqual(readFileSync(join(dir, p)), b, `${p} is as it was`);
          const key = `${s.name}:${s.variant}`;
          assert.equal(landed.already, seen.has(key), `${key} lands once`);
          seen.set(key, bytes);
        }
        const files = filesUnder(dir);
        assert.equal(files.length, seen.size, `one file per name and bytes: ${files.join(', ')}`);
        assert.ok(files.every((p) => /^2008\/05\//.test(p)), `filed by the capture month: ${files.join(', ')}`);
      },
    ), { numRuns: 15 });
  });

  it('refuses bytes that are not what the browser hashed, and what is not a photo or a video', async () => {
    const dir = join(photos, 'refused');
    const wrong = arrive(photo(9), 'wrong.jpg', blake3(photo(8)).toString('hex'));
    await assert.rejects(landUpload(lib, wrong.file, wrong.meta, dir), (err: unknown) => err instanceof UploadRefused && /hash to/.test((err as Error).message));
    const text = Buffer.from('not a photo at all\n');
    const fake = arrive(text, 'fake.jpg');
    await assert.rejects(landUpload(lib, fake.file, fake.meta, dir), (err: unknown) => err instanceof UploadRefused && /not a photo or a video/.test((err as Error).message));
    assert.deepEqual(filesUnder(photos).filter((p) => p.startsWith('refused')), []);
  });

  it('takes no file for a photo by its name: a zip, an XML page, an Office file named .jpg are refused', async () => {
    const dir = join(photos, 'disguised');
    const zip = Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(200, 1)]);
    const xml = Buffer.from('<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>');
    const cfb = Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(600, 0)]);
    for (const [bytes, name] of [[zip, 'archive.jpg'], [xml, 'page.jpg'], [cfb, 'doc.jpg'], [zip, 'archive.mp4']] as const) {
      const u = arrive(bytes, name);
      await assert.rejects(landUpload(lib, u.file, u.meta, dir), (err: unknown) => err instanceof UploadRefused, name);
    }
    assert.deepEqual(filesUnder(photos).filter((p) => p.startsWith('disguised')), []);
  });

  it('lands the same bytes once when their uploads finish together', async () => {
    const dir = join(photos, 'together');
    const bytes = photo(42);
    const sends = [0, 1, 2, 3].map(() => arrive(bytes, 'race.jpg'));
    const landed = await Promise.all(sends.map((u) => landUpload(lib, u.file, u.meta, dir)));
    assert.equal(landed.filter((l) => !l.already).length, 1, JSON.stringify(landed));
    assert.deepEqual(filesUnder(dir), ['2008/05/race.jpg']);
  });

  it('refuses a folder outside every location, and one in vss\'s own bookkeeping', async () => {
    const outside = arrive(photo(1), 'x.jpg');
    await assert.rejects(landUpload(lib, outside.file, outside.meta, join(tmp.path, 'elsewhere')), /not inside any location/);
    await assert.rejects(landUpload(lib, outside.file, outside.meta, join(photos, '.vss-drop')), /bookkeeping/);
  });

  it('refuses the uploads folder of a location whose drive is unplugged, and writes nothing under the mount point it left (S1)', { skip: loopSkipReason() }, async () => {
    const drive = makeLoopVolume({ sizeMiB: 16 });
    try {
      // The drive's own mount point is the location: once it leaves, the folder stays there, empty.
      const mount = drive.mountPoint!;
      mkdirSync(join(mount, 'phone'));
      addLocation(lib, mount, { name: 'Stick' });
      drive.unplug();
      const u = arrive(photo(7), 'away.jpg');
      await assert.rejects(landUpload(lib, u.file, u.meta, join(mount, 'phone')), /location "Stick" is offline/);
      assert.deepEqual(readdirSync(mount), [], 'nothing under the mount point');
    } finally {
      drive.remove();
    }
  });

  it('files a video without a capture date by the date the browser gave', async () => {
    const bytes = readFileSync(join(FIXTURES, 'video/photoprism-christmas-noaudio.mp4'));
    const { file, meta } = arrive(bytes, 'clip.mp4');
    const landed = await landUpload(lib, file, meta, join(photos, 'dated'));
    assert.equal(relative(join(photos, 'dated'), landed.path), '2024/01/clip.mp4');
  });
});
