import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { blindText, type Unseen } from './unseen.js';

const u: Unseen = { own: '/tmp/lib x/photos/Uploads/Drop box', paths: ['/root/.local/share/vss', '/tmp/lib x/Family.sdlibrary'], names: ['Family', 'T'] };

/** What a browser that may only upload reads of a text (ui/unseen.ts): no path of this machine, no library's name; the API's own routes and its own files' places kept. */
describe('blindText', () => {
  it('hides paths with spaces, quoted or not, and names as words', () => {
    assert.equal(blindText("ENOTDIR: not a directory, lstat '/tmp/lib x/photos/Uploads/Drop box/2024/01'", u), "ENOTDIR: not a directory, lstat '2024/01'");
    assert.equal(blindText("ENAMETOOLONG: name too long, lstat '/tmp/other place/a (2).jpg'", u), "ENAMETOOLONG: name too long, lstat '…'");
    assert.equal(blindText('/tmp/lib x/photos/Uploads/Drop box', u), '…');
    assert.equal(blindText('the library Family at /tmp/lib x/Family.sdlibrary: closed', u), 'the library … at …: closed');
    assert.equal(blindText('no such route: POST /api/uploads/tus/abc', u), 'no such route: POST /api/uploads/tus/abc');
    assert.equal(blindText('Families and Familyish stay', u), 'Families and Familyish stay');
  });

  it('leaves no path under any of this machine\'s top folders in any text', () => {
    const segment = fc.stringMatching(/^[a-zA-Z0-9 ._()é-]{1,12}$/).filter((s) => s.trim() !== '' && !s.startsWith('.'));
    fc.assert(fc.property(
      fc.constantFrom('tmp', 'root', 'usr', 'etc'), fc.array(segment, { minLength: 1, maxLength: 5 }), fc.constantFrom("lstat '", 'in ', '"', ' at '), fc.constantFrom("'", '', ': done', '"'),
      (top, parts, before, after) => {
        const text = `failed ${before}/${top}/${parts.join('/')}${after}`;
        const out = blindText(text, u);
        assert.ok(!out.includes(`/${top}/`), `${text} → ${out}`);
      },
    ));
  });
});
