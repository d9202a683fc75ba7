import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { uploadMetaOf } from './upload-meta.js';

const HASH = 'a'.repeat(64);
const meta = (filename: string, filetype = 'image/jpeg') => uploadMetaOf({ filename, blake3: HASH, modified: '1700000000000', filetype });

describe('what a browser says of an upload (upload-meta.ts)', () => {
  it('takes a photo\'s or a video\'s name, the BLAKE3 and the date', () => {
    assert.deepEqual(meta('IMG_0001.HEIC', ''), { name: 'IMG_0001.HEIC', blake3: HASH, modifiedMs: 1_700_000_000_000 });
    assert.equal(meta('clip (2).mov', 'video/quicktime').name, 'clip (2).mov');
    // Every RAW vss knows (content/raw-formats.ts), not a list of its own: a CRW, a 3FR, an X3F.
    for (const name of ['CRW_0001.CRW', 'B0000001.3FR', 'SDIM0001.x3f']) assert.equal(meta(name, '').name, name);
  });

  it('refuses a name that is not a photo\'s or a video\'s, whatever type the browser says', () => {
    for (const name of ['x.html', 'x.sh', 'x.svg', 'page', 'x.jpg.exe']) assert.throws(() => meta(name, 'image/jpeg'), /not named as a photo or a video/, name);
  });

  it('refuses names that hide what they are: controls, format characters, slash-likes, a leading dot or space', () => {
    for (const name of ['a\u202Egpj.exe.jpg', 'a\u200Bb.jpg', 'a\u0085.jpg', 'a\u2215b.jpg', 'a\uFF0Fb.jpg', '.hidden.jpg', ' x.jpg', 'x.jpg ', '../x.jpg', 'a/b.jpg', '.vss-partial-x.jpg']) {
      assert.throws(() => meta(name), /name/, JSON.stringify(name));
    }
  });

  it('refuses a BLAKE3 that is not 64 hex digits, and takes a date from the future as now', () => {
    assert.throws(() => uploadMetaOf({ filename: 'a.jpg', blake3: 'x' }), /BLAKE3/);
    const m = uploadMetaOf({ filename: 'a.jpg', blake3: HASH, modified: String(Date.now() + 10 * 86_400_000) });
    assert.ok(m.modifiedMs <= Date.now());
  });
});
