import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_XMP_DEPTH, MAX_XMP_KEYWORD_ITEMS, MAX_XMP_SIDECAR_BYTES, readXmpSidecar, type XmpRead } from './xmp-sidecar-read.js';
import { DARKTABLE, DIGIKAM, EXIFTOOL, LIGHTROOM } from './xmp-samples.test-data.js';

const RDF = 'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"';
const wrap = (body: string) => `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF ${RDF}>${body}</rdf:RDF></x:xmpmeta>`;

function meta(read: XmpRead) {
  assert.ok(read.ok, read.ok ? '' : read.reason);
  return read.meta;
}

test('digiKam: compact attributes, TagsList and its mirrors, leaves in dc:subject', () => {
  assert.deepEqual(meta(readXmpSidecar(DIGIKAM)), {
    rating: { value: 4, inRange: true },
    keywords: ['Dubrovnik', 'Ana'],
    hierarchical: [['Places', 'Croatia', 'Dubrovnik'], ['People', 'Ana']],
    bookkeeping: [],
    ignored: [],
  });
});

test('darktable: a long history is skipped, a rejected rating kept as -1, its own tags kept apart', () => {
  assert.deepEqual(meta(readXmpSidecar(DARKTABLE)), {
    rating: { value: -1, inRange: true },
    keywords: ['Dubrovnik', 'old town'],
    hierarchical: [['Places', 'Croatia', 'Dubrovnik'], ['old town']],
    bookkeeping: [['darktable', 'format', 'cr2'], ['darktable', 'changed']],
    ignored: [],
  });
});

test('Lightroom: label, every ancestor in dc:subject, a keyword with a slash in lr form', () => {
  assert.deepEqual(meta(readXmpSidecar(LIGHTROOM)), {
    rating: { value: 5, inRange: true },
    label: 'Red',
    keywords: ['AC/DC', 'Croatia', 'Dubrovnik', 'Music', 'Places'],
    hierarchical: [['Music', 'AC/DC'], ['Places', 'Croatia', 'Dubrovnik']],
    bookkeeping: [],
    ignored: [],
  });
});

test('exiftool: one rdf:Description per namespace, element forms, single quotes', () => {
  assert.deepEqual(meta(readXmpSidecar(EXIFTOOL)), {
    rating: { value: 2, inRange: true },
    label: 'Blue',
    keywords: ['harbour'],
    hierarchical: [['Places', 'Croatia']],
    bookkeeping: [],
    ignored: [],
  });
});

test('namespaces by URI, not prefix; a prefix bound to another URI does not count', () => {
  const m = meta(readXmpSidecar(wrap(`<rdf:Description xmlns:a="http://ns.adobe.com/xap/1.0/" xmlns:xmp="urn:not-xmp"
    a:Rating="3" xmp:Label="Green"><xmp:Rating>1</xmp:Rating>
    <q:subject xmlns:q="http://purl.org/dc/elements/1.1/"><rdf:Bag><rdf:li>sea</rdf:li></rdf:Bag></q:subject>
    <dc:subject xmlns:dc="urn:not-dc"><rdf:Bag><rdf:li>nope</rdf:li></rdf:Bag></dc:subject>
  </rdf:Description>`)));
  assert.deepEqual(m, { rating: { value: 3, inRange: true }, keywords: ['sea'], hierarchical: [], bookkeeping: [], ignored: [] });
});

test('several Descriptions: keywords gathered in file order, deduplicated; the first rating counts', () => {
  const m = meta(readXmpSidecar(wrap(`
    <rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:subject><rdf:Bag><rdf:li>b</rdf:li><rdf:li>a</rdf:li></rdf:Bag></dc:subject></rdf:Description>
    <rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="2"/>
    <rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/"><xmp:Rating>4</xmp:Rating></rdf:Description>
    <rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:subject><rdf:Bag><rdf:li>a</rdf:li><rdf:li> c </rdf:li><rdf:li/></rdf:Bag></dc:subject></rdf:Description>`)));
  assert.deepEqual(m.keywords, ['b', 'a', 'c']);
  assert.deepEqual(m.rating, { value: 2, inRange: true });
});

test('hierarchical: both properties merged in file order, empty parts dropped, Lightroom split wins', () => {
  const m = meta(readXmpSidecar(wrap(`<rdf:Description xmlns:lr="http://ns.adobe.com/lightroom/1.0/" xmlns:digiKam="http://www.digikam.org/ns/1.0/">
    <digiKam:TagsList><rdf:Seq><rdf:li>Music/AC/DC</rdf:li><rdf:li>/Places//Croatia/</rdf:li><rdf:li>Solo</rdf:li></rdf:Seq></digiKam:TagsList>
    <lr:hierarchicalSubject><rdf:Bag><rdf:li>Places|Croatia</rdf:li><rdf:li>Music|AC/DC</rdf:li><rdf:li>| |</rdf:li></rdf:Bag></lr:hierarchicalSubject>
  </rdf:Description>`)));
  assert.deepEqual(m.hierarchical, [['Music', 'AC/DC'], ['Places', 'Croatia'], ['Solo']]);
});

test('ratings out of range or not numbers: kept as written, flagged, or noted', () => {
  const rating = (v: string) => {
    const m = meta(readXmpSidecar(wrap(`<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="${v}"/>`)));
    return m.rating ?? m.ignored;
  };
  assert.deepEqual(rating('0'), { value: 0, inRange: true });
  assert.deepEqual(rating('7'), { value: 7, inRange: false });
  assert.deepEqual(rating('-2'), { value: -2, inRange: false });
  assert.deepEqual(rating('2.5'), { value: 2.5, inRange: false });
  assert.deepEqual(rating('3.0'), { value: 3, inRange: true });
  assert.deepEqual(rating('five'), ['Rating: "five" is not a number']);
  assert.deepEqual(rating(''), []);
});

test('structured values and items are skipped with a note; unknown content is ignored', () => {
  const m = meta(readXmpSidecar(wrap(`<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:o="urn:other">
    <dc:subject><rdf:Bag><rdf:li>kept</rdf:li><rdf:li rdf:parseType="Resource"><o:x>no</o:x></rdf:li></rdf:Bag></dc:subject>
    <dc:subject><o:struct><rdf:li>not an array item</rdf:li></o:struct></dc:subject>
    <o:thing><rdf:Bag><rdf:li><dc:subject>nested, not a property</dc:subject></rdf:li></rdf:Bag></o:thing>
    <!-- <dc:subject>comment</dc:subject> -->
  </rdf:Description>
  <o:Other xmlns:o="urn:other"><dc:subject xmlns:dc="http://purl.org/dc/elements/1.1/">not in a Description</dc:subject></o:Other>`)));
  assert.deepEqual(m.keywords, ['kept']);
  assert.deepEqual(m.ignored, ['subject: a structured item skipped', 'subject: a structured value (<o:struct>) skipped']);
});

test('a root rdf:RDF (no x:xmpmeta), a BOM, an XML declaration, an empty xmpmeta: all read', () => {
  assert.deepEqual(meta(readXmpSidecar(`<rdf:RDF ${RDF}><rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="1"/></rdf:RDF>`)).rating, { value: 1, inRange: true });
  assert.deepEqual(meta(readXmpSidecar(`\uFEFF<?xml version="1.0"?>\n${wrap('')}\n`)).keywords, []);
  assert.deepEqual(meta(readXmpSidecar('<x:xmpmeta xmlns:x="adobe:ns:meta/"/>')).keywords, []);
});

test('hostile and broken input: refused with a reason, never thrown, quickly', () => {
  const refused = (text: string) => {
    const t0 = performance.now();
    const read = readXmpSidecar(text);
    const ms = performance.now() - t0;
    assert.ok(ms < 2000, `took ${ms} ms`);
    assert.equal(read.ok, false);
    return read.ok ? '' : read.reason;
  };
  const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) =>
    `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('')}]>${wrap('<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:subject>&lol9;</dc:subject></rdf:Description>')}`;
  assert.equal(refused(laughs), 'a DOCTYPE (entity declarations), which no photo tool writes');
  assert.equal(refused(`<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${wrap('&xxe;')}`), 'a DOCTYPE (entity declarations), which no photo tool writes');
  assert.match(refused(wrap('&undeclared;')), /^not well-formed XML \(.*undefined entity/);

  const huge = ' '.repeat(100 * 1024 * 1024);
  assert.equal(refused(huge), `100 MiB long, over the 8.0 MiB an XMP sidecar may be`);
  assert.match(refused(`${wrap('')}${' '.repeat(MAX_XMP_SIDECAR_BYTES)}`), /over the 8.0 MiB/);

  const deep = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF ${RDF}><rdf:Description>${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}</rdf:Description></rdf:RDF></x:xmpmeta>`;
  assert.equal(refused(deep), `elements nested deeper than ${MAX_XMP_DEPTH} levels`);
  assert.equal(refused('<a>'.repeat(100_000)), 'root element <a>, not x:xmpmeta or rdf:RDF');

  assert.match(refused(DIGIKAM.slice(0, DIGIKAM.indexOf('</dc:subject>'))), /^not well-formed XML \(\d+:\d+: unclosed tag/);
  assert.match(refused(DIGIKAM.slice(0, DIGIKAM.indexOf('</x:xmpmeta>') + 5)), /^not well-formed XML/);
  assert.match(refused(''), /^not well-formed XML \(1:0: document must contain a root element\)$/);
  assert.match(refused('{"rating": 5}'), /^not well-formed XML/);
  const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)).toString('utf8');
  assert.match(refused(garbage), /^not well-formed XML/);
  assert.match(refused(`${wrap('')}\0\0`), /^not well-formed XML/);
  assert.equal(refused('<html><body>not xmp</body></html>'), 'root element <html>, not x:xmpmeta or rdf:RDF');

  const many = `<rdf:li>k</rdf:li>`.repeat(MAX_XMP_KEYWORD_ITEMS + 1);
  assert.equal(refused(wrap(`<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:subject><rdf:Bag>${many}</rdf:Bag></dc:subject></rdf:Description>`)),
    `more than ${MAX_XMP_KEYWORD_ITEMS} keyword items`);
});
