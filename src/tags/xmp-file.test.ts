import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeXmpText } from './xmp-file.js';

test('XMP text is UTF-8 or refused with where it is not: never decoded leniently', () => {
  assert.deepEqual(decodeXmpText(Buffer.from('\uFEFF<x>café\u2028</x>')), { ok: true, value: '\uFEFF<x>café\u2028</x>' });
  const latin1 = Buffer.from([0x3c, 0x78, 0x3e, 0x63, 0x61, 0x66, 0xe9, 0x3c]);
  const r = decodeXmpText(latin1);
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.reason : '', /^not valid UTF-8 \(byte 0xe9 at offset 6\)/);
  const cut = decodeXmpText(Buffer.from([0x61, 0xe2, 0x82]));
  assert.match(!cut.ok ? cut.reason : '', /byte 0xe2 at offset 1/);
  const utf16 = decodeXmpText(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<x/>', 'utf16le')]));
  assert.match(!utf16.ok ? utf16.reason : '', /^UTF-16/);
});
