import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../../test/helpers.js';
import { hasTextSource, htmlToText, MAX_TEXT_BYTES, readTextFile, textOfSidecar } from './source-text.js';

test('text files are read in their encoding; binary bytes are not text', async () => {
  const t = tempDir();
  try {
    const file = (name: string, bytes: Buffer) => (writeFileSync(join(t.path, name), bytes), join(t.path, name));
    assert.equal(await readTextFile(file('u8.txt', Buffer.from('Grüße, naïve café', 'utf8')), 'text/plain'), 'Grüße, naïve café');
    const u16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Grüße aus Köln', 'utf16le')]);
    assert.equal(await readTextFile(file('u16.txt', u16), 'text/plain'), 'Grüße aus Köln');
    // Latin-1 / Windows-1252 text is not valid UTF-8: read as 8-bit text instead of as garbage.
    const latin = Buffer.from(Array.from({ length: 40 }, () => 'caf\xe9 cr\xe8me ').join(''), 'latin1');
    assert.match((await readTextFile(file('latin.txt', latin), 'text/plain'))!, /^café crème café/);
    assert.equal(await readTextFile(file('bin.txt', Buffer.from([0x41, 0x00, 0x42, 0x43])), 'text/plain'), undefined);
  } finally {
    t.cleanup();
  }
});

test('only the first MiB of a big text file is read', async () => {
  const t = tempDir();
  try {
    const path = join(t.path, 'big.log');
    writeFileSync(path, 'x'.repeat(MAX_TEXT_BYTES) + 'THE END');
    const text = (await readTextFile(path, 'text/plain'))!;
    assert.equal(text.length, MAX_TEXT_BYTES);
    assert.ok(!text.includes('THE END'));
  } finally {
    t.cleanup();
  }
});

test('HTML is reduced to its words, without scripts or styles', () => {
  const html = '<html><head><style>p{color:red}</style><script>var x = "<p>no</p>";</script></head><body><p>Fish &amp; chips</p><SCRIPT>alert(1)</SCRIPT>end</body></html>';
  assert.equal(htmlToText(html), 'Fish & chips\nend');
  // Unclosed scripts and tags end the text instead of making the scan slow.
  const hostile = '<script>'.repeat(50_000) + '<a'.repeat(50_000);
  const started = performance.now();
  assert.equal(htmlToText(hostile).trim(), '');
  assert.ok(performance.now() - started < 2_000);
});

test('HTML entities are decoded: named, decimal and hexadecimal', () => {
  assert.equal(htmlToText('<p>caf&#233; &eacute;t&eacute; &#x4e2d;&#X6587; &lt;tag&gt; &quot;q&quot; &#39;s&nbsp;x &copy; &hellip;</p>'), 'café été 中文 <tag> "q" \'s x © …');
  // Attributes are not text; a broken reference stays as it was written.
  assert.equal(htmlToText('<img alt="&#233;"><a href="?a=1&amp;b=2">link</a> &#xZZ; &unknown;'), 'link &#xZZ; &unknown;');
});

test('blocks end lines, inline tags join words, templates and noscript are dropped', () => {
  const html = '<title>T</title><h1>Head</h1><p>Fi<b>sh</b> and <i>chips</i></p><ul><li>one</li><li>two</li></ul><table><tr><td>a</td><td>b</td></tr></table><template><p>hidden</p></template><noscript>enable JS</noscript><br>last';
  assert.equal(htmlToText(html), 'T\nHead\nFish and chips\none\ntwo\na b\nlast');
});

test('an HTML file is read only up to MAX_TEXT_BYTES, whatever its size', async () => {
  const t = tempDir();
  try {
    const path = join(t.path, 'big.html');
    const para = '<p>caf&#233; au lait</p>\n';
    writeFileSync(path, `<html><body>${para.repeat(Math.ceil((4 * MAX_TEXT_BYTES) / para.length))}<p>THE END</p></body></html>`);
    const started = performance.now();
    const text = (await readTextFile(path, 'text/html'))!;
    assert.ok(performance.now() - started < 5_000);
    assert.ok(text.startsWith('café au lait\ncafé au lait'));
    assert.ok(!text.includes('THE END'));
    assert.ok(!text.includes('&#233;'));
    // Each page of text came from a paragraph of the first MiB only.
    assert.ok(text.length < MAX_TEXT_BYTES);
    // Called directly on more, the parser reads the same bound.
    assert.equal(htmlToText(`<p>x</p>${'<p>y</p>'.repeat(MAX_TEXT_BYTES)}<p>THE END</p>`).includes('THE END'), false);
  } finally {
    t.cleanup();
  }
});

test('the text of OCR and transcript sidecars', () => {
  assert.equal(textOfSidecar({ text: 'Hello there', pages: [{ text: 'ignored' }] }), 'Hello there');
  assert.equal(textOfSidecar({ language: 'en', segments: [{ start: 0, end: 1, text: ' And so,' }, { start: 1, end: 2, text: ' my fellow Americans' }] }), ' And so,\n my fellow Americans');
  assert.equal(textOfSidecar({ text: '', pages: [{ text: 'page one' }, { text: '' }, { text: 'page three' }] }), 'page one\npage three');
  assert.equal(textOfSidecar({ text: 42 }), '');
  assert.equal(textOfSidecar(null), '');
});

test('which contents have a text to embed', () => {
  assert.equal(hasTextSource('text', 'text/plain'), true);
  assert.equal(hasTextSource('image', 'image/jpeg'), true);
  assert.equal(hasTextSource('image', 'image/heic'), true);
  // What the OCR generator does not read, embeddings do not wait for.
  assert.equal(hasTextSource('image', 'image/svg+xml'), false);
  assert.equal(hasTextSource('video', 'video/mp4'), true);
  assert.equal(hasTextSource('audio', 'audio/mpeg'), true);
  assert.equal(hasTextSource('document', 'application/pdf'), true);
  // No OCR is ever made for an office file, so waiting for one would never end.
  assert.equal(hasTextSource('document', 'application/msword'), false);
  assert.equal(hasTextSource('archive', 'application/zip'), false);
  assert.equal(hasTextSource('code', 'text/x-python'), false);
});
