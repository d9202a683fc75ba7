import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOMParser, XMLSerializer, type Element, type Node } from '@xmldom/xmldom';
import { VssError } from '../../core/errors.js';
import { ownedProperty } from './xmp-properties.js';
import { readXmpSidecar, type XmpSidecarMeta } from './xmp-sidecar-read.js';
import { writeXmpSidecar, type XmpSidecarWrite } from './xmp-sidecar-write.js';
import { APPLE_PHOTOS, BRIDGE, DARKTABLE, DIGIKAM, DIGIKAM_TOP_LEVEL, EXIFTOOL, LIGHTROOM } from './xmp-samples.test-data.js';

const SAMPLES = {
  digiKam: DIGIKAM, 'digiKam (top-level tags)': DIGIKAM_TOP_LEVEL, darktable: DARKTABLE, Lightroom: LIGHTROOM, Bridge: BRIDGE, 'Apple Photos': APPLE_PHOTOS, exiftool: EXIFTOOL,
};

const M: XmpSidecarWrite = {
  rating: 3,
  label: 'Green',
  keywords: ['Dubrovnik', 'taxes 2024', 'a & <b>'],
  hierarchical: [['Places', 'Croatia', 'Dubrovnik'], ['Music', 'AC/DC'], ['Odd|name']],
};

function read(text: string): XmpSidecarMeta {
  const r = readXmpSidecar(text);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  return r.meta;
}

/** What a file says apart from vss's properties: its DOM without them, attributes sorted, whitespace-only text dropped. */
function everythingElse(text: string): string {
  const doc = new DOMParser().parseFromString(text.replace(/^\uFEFF/, ''), 'text/xml');
  const strip = (node: Node) => {
    for (let child = node.firstChild; child; ) {
      const next = child.nextSibling;
      if (child.nodeType === 3 && /^\s*$/.test(child.nodeValue ?? '')) node.removeChild(child);
      else if (child.nodeType === 1) {
        const el = child as Element;
        if (ownedProperty(el.namespaceURI ?? '', el.localName ?? '')) node.removeChild(child);
        else strip(child);
      }
      child = next;
    }
    if (node.nodeType === 1) {
      const el = node as Element;
      for (const a of Array.from(el.attributes)) {
        if (ownedProperty(a.namespaceURI ?? '', a.localName ?? '') || a.namespaceURI === 'http://www.w3.org/2000/xmlns/') el.removeAttributeNode(a);
      }
    }
  };
  strip(doc);
  return new XMLSerializer().serializeToString(doc);
}

test('a new sidecar: minimal, the namespaces it uses, what every tool reads', () => {
  const text = writeXmpSidecar(undefined, M);
  assert.equal(text, `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="vss">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:lr="http://ns.adobe.com/lightroom/1.0/" xmlns:digiKam="http://www.digikam.org/ns/1.0/">
   <xmp:Rating>3</xmp:Rating>
   <xmp:Label>Green</xmp:Label>
   <dc:subject>
    <rdf:Bag>
     <rdf:li>Dubrovnik</rdf:li>
     <rdf:li>taxes 2024</rdf:li>
     <rdf:li>a &amp; &lt;b&gt;</rdf:li>
    </rdf:Bag>
   </dc:subject>
   <lr:hierarchicalSubject>
    <rdf:Bag>
     <rdf:li>Places|Croatia|Dubrovnik</rdf:li>
     <rdf:li>Music|AC/DC</rdf:li>
    </rdf:Bag>
   </lr:hierarchicalSubject>
   <digiKam:TagsList>
    <rdf:Seq>
     <rdf:li>Places/Croatia/Dubrovnik</rdf:li>
     <rdf:li>Odd|name</rdf:li>
    </rdf:Seq>
   </digiKam:TagsList>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>
`);
  assert.deepEqual(read(text), {
    rating: { value: 3, inRange: true }, label: 'Green', keywords: M.keywords, hierarchical: M.hierarchical, bookkeeping: [], ignored: [],
  });
  const bare = writeXmpSidecar(undefined, { keywords: [], hierarchical: [] });
  assert.ok(!bare.includes('xmlns:dc') && bare.includes('<rdf:Description rdf:about=""/>'), bare);
});

for (const [tool, sample] of Object.entries(SAMPLES)) {
  test(`${tool}: round trip, idempotent, and everything vss does not own kept`, () => {
    const written = writeXmpSidecar(sample, M);
    const got = read(written);
    // A path only one form can hold ('AC/DC' in Lightroom's, 'Odd|name' in digiKam's) is read back
    // in the order of the properties in the file: compare the paths as a set.
    const sorted = (paths: string[][]) => paths.map((p) => p.join('\0')).sort();
    assert.deepEqual({ rating: got.rating, label: got.label, keywords: got.keywords, hierarchical: sorted(got.hierarchical) }, {
      rating: { value: 3, inRange: true }, label: 'Green', keywords: M.keywords, hierarchical: sorted(M.hierarchical),
    });
    const plain = { ...M, hierarchical: [['People', 'Ana'], ['Places', 'Croatia', 'Dubrovnik']] };
    // Items that stay keep their place; new ones come after them.
    const kept = read(sample).hierarchical.filter((p) => plain.hierarchical.some((q) => q.join('|') === p.join('|')));
    const added = plain.hierarchical.filter((p) => !kept.some((q) => q.join('|') === p.join('|')));
    assert.deepEqual(read(writeXmpSidecar(sample, plain)).hierarchical, [...kept, ...added], 'in order');
    assert.deepEqual(got.bookkeeping, read(sample).bookkeeping);
    assert.equal(writeXmpSidecar(written, M), written, 'a second write changes nothing');
    assert.equal(everythingElse(written), everythingElse(sample));
    // The packet wrapper, the XML declaration and what follows the root stay as they were.
    const head = /^(\uFEFF?<\?x[^>]*\?>\s*)*/.exec(sample)![0];
    assert.ok(written.startsWith(head));
    const tail = /<\/x:xmpmeta>([\s\S]*)$/.exec(sample)![1]!;
    assert.ok(written.endsWith(`</x:xmpmeta>${tail}`));

    const cleared = writeXmpSidecar(written, { rating: null, label: null, keywords: [], hierarchical: [] });
    const c = read(cleared);
    assert.deepEqual([c.rating, c.label, c.keywords, c.hierarchical], [undefined, undefined, [], []]);
    assert.equal(everythingElse(cleared), everythingElse(sample));
  });
}

test('a file that already says it comes back as it was, byte for byte', () => {
  const m = read(DIGIKAM);
  const same = writeXmpSidecar(DIGIKAM, { rating: m.rating!.value, keywords: m.keywords, hierarchical: m.hierarchical });
  assert.equal(same, DIGIKAM);
  const lr = read(LIGHTROOM);
  // Lightroom has no TagsList: adding digiKam's form is a change.
  assert.notEqual(writeXmpSidecar(LIGHTROOM, { keywords: lr.keywords, hierarchical: lr.hierarchical }), LIGHTROOM);
});

test("other tools' characters are kept as written: U+2028, U+0085, a lone CR are not line ends to vss", () => {
  for (const sample of [BRIDGE, APPLE_PHOTOS, DIGIKAM_TOP_LEVEL]) {
    const odd = sample.replace('</dc:title>', '\u0085\r</dc:title>');
    const written = writeXmpSidecar(odd, { rating: 1, keywords: read(odd).keywords, hierarchical: read(odd).hierarchical });
    for (const piece of odd.match(/[^>\n]*[\u2028\u0085\r][^<\n]*/g) ?? []) assert.ok(written.includes(piece), JSON.stringify(piece));
  }
});

test('a keyword list is edited item by item: what stays is untouched, in place; new items come last', () => {
  const written = writeXmpSidecar(DIGIKAM_TOP_LEVEL, {
    keywords: [], hierarchical: [],
    items: { subject: ['Holidays', 'Scanned', 'Trips'], lrHierarchy: ['Holidays', 'People|Ana', 'Scanned'], digikamTags: ['Holidays', 'People/Ana', 'Scanned'] },
  });
  // TagsList and lr:hierarchicalSubject already say it: not touched at all.
  const block = (text: string, name: string) => new RegExp(`<${name}>[\\s\\S]*?</${name}>`).exec(text)![0];
  for (const name of ['digiKam:TagsList', 'lr:hierarchicalSubject']) assert.equal(block(written, name), block(DIGIKAM_TOP_LEVEL, name));
  assert.equal(block(written, 'dc:subject'), `<dc:subject>
    <rdf:Bag>
     <rdf:li>Holidays</rdf:li>
     <rdf:li>Scanned</rdf:li>
     <rdf:li>Trips</rdf:li>
    </rdf:Bag>
   </dc:subject>`);
});

test('a scalar written as an attribute stays an attribute, in place; an element is replaced where it stands', () => {
  const written = writeXmpSidecar(LIGHTROOM, { ...M, rating: 1, label: 'Yellow' });
  assert.match(written, /xmp:MetadataDate="2023-07-20T21:04:11\+02:00" xmp:Rating="1" xmp:Label="Yellow" tiff:Make="Canon"/);
  assert.ok(!written.includes('<xmp:Rating>'));
  const et = writeXmpSidecar(EXIFTOOL, { ...M, rating: 5 });
  assert.match(et, /<rdf:Description rdf:about="" xmlns:xmp="http:\/\/ns.adobe.com\/xap\/1.0\/">\n {2}<xmp:Label>Green<\/xmp:Label>\n {2}<xmp:Rating>5<\/xmp:Rating>\n <\/rdf:Description>/);
  // exiftool's Descriptions are per namespace: a new property goes where its namespace already is, else the first.
  assert.match(et, /xmlns:lr="http:\/\/ns.adobe.com\/lightroom\/1.0\/">\n {2}<lr:hierarchicalSubject>/);
  assert.match(et, /xmlns:dc="http:\/\/purl.org\/dc\/elements\/1.1\/" xmlns:digiKam="http:\/\/www.digikam.org\/ns\/1.0\/">\n {2}<dc:subject>[\s\S]*<\/dc:subject>\n {2}<digiKam:TagsList>/);
});

test('undefined leaves rating and label as the file has them; null removes them', () => {
  const kept = read(writeXmpSidecar(DARKTABLE, { keywords: ['x'], hierarchical: [] }));
  assert.deepEqual(kept.rating, { value: -1, inRange: true });
  const lr = read(writeXmpSidecar(LIGHTROOM, { keywords: [], hierarchical: [] }));
  assert.equal(lr.label, 'Red');
  const removed = read(writeXmpSidecar(LIGHTROOM, { rating: null, label: '', keywords: [], hierarchical: [] }));
  assert.deepEqual([removed.rating, removed.label], [undefined, undefined]);
});

test("darktable's own tags stay in the file; its history is untouched", () => {
  const written = writeXmpSidecar(DARKTABLE, { keywords: ['sea'], hierarchical: [['Places', 'Croatia']] });
  assert.match(written, /<dc:subject>\s*<rdf:Bag>\s*<rdf:li>changed<\/rdf:li>\s*<rdf:li>cr2<\/rdf:li>\s*<rdf:li>darktable<\/rdf:li>\s*<rdf:li>format<\/rdf:li>\s*<rdf:li>sea<\/rdf:li>/);
  assert.match(written, /<rdf:li>darktable\|format\|cr2<\/rdf:li>\s*<rdf:li>darktable\|changed<\/rdf:li>\s*<rdf:li>Places\|Croatia<\/rdf:li>/);
  const got = read(written);
  assert.deepEqual([got.keywords, got.hierarchical, got.bookkeeping], [['sea'], [['Places', 'Croatia']], [['darktable', 'format', 'cr2'], ['darktable', 'changed']]]);
  assert.equal((written.match(/darktable:operation=/g) ?? []).length, 12);
});

test('duplicates across Descriptions are folded into one; an array written as an attribute becomes an element', () => {
  const text = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:subject="single"><dc:subject><rdf:Bag><rdf:li>one</rdf:li></rdf:Bag></dc:subject></rdf:Description>
<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="2"><dc:subject><rdf:Bag><rdf:li>two</rdf:li></rdf:Bag></dc:subject><xmp:Rating>4</xmp:Rating></rdf:Description>
</rdf:RDF></x:xmpmeta>`;
  assert.deepEqual(read(text).keywords, ['single', 'one', 'two']);
  const written = writeXmpSidecar(text, { rating: 5, keywords: ['k'], hierarchical: [] });
  assert.equal((written.match(/subject/g) ?? []).length, 2, written);
  assert.equal((written.match(/Rating/g) ?? []).length, 1, written);
  assert.deepEqual(read(written).keywords, ['k']);
  assert.deepEqual(read(written).rating, { value: 5, inRange: true });
});

test('unknown namespaces, comments, processing instructions and foreign structures are kept', () => {
  const text = `<?xml version="1.0"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <!-- written by hand -->
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:own="urn:example:own">
  <rdf:Description rdf:about="" own:flag="on &amp; off" xmlns:dc="urn:example:not-dublin-core">
   <own:list><rdf:Seq><rdf:li own:k="v">x</rdf:li></rdf:Seq></own:list>
   <dc:subject>not the real dc</dc:subject>
   <?app instruction?>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>`;
  const written = writeXmpSidecar(text, M);
  assert.equal(everythingElse(written), everythingElse(text));
  for (const kept of ['<!-- written by hand -->', 'own:flag="on &amp; off"', '<own:list><rdf:Seq><rdf:li own:k="v">x</rdf:li></rdf:Seq></own:list>',
    '<dc:subject>not the real dc</dc:subject>', '<?app instruction?>', '<?xml version="1.0"?>']) {
    assert.ok(written.includes(kept), kept);
  }
  // 'dc' is taken by another URI here: Dublin Core gets the next free prefix.
  assert.match(written, /xmlns:dc1="http:\/\/purl.org\/dc\/elements\/1.1\/"/);
  assert.deepEqual(read(written).keywords, M.keywords);
});

test('odd but valid files: no rdf:RDF, no Description, one line, CRLF, a BOM', () => {
  const empty = writeXmpSidecar('<x:xmpmeta xmlns:x="adobe:ns:meta/"/>', M);
  assert.deepEqual(read(empty).keywords, M.keywords);
  const noDescription = writeXmpSidecar(`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"></rdf:RDF>`, M);
  assert.deepEqual(read(noDescription).hierarchical, M.hierarchical);

  const oneLine = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about=""><a:b xmlns:a="urn:a">c</a:b></rdf:Description></rdf:RDF></x:xmpmeta>`;
  const written = writeXmpSidecar(oneLine, M);
  assert.ok(!written.includes('\n'), written);
  assert.deepEqual(read(written).keywords, M.keywords);

  const crlf = `\uFEFF${DIGIKAM.replace(/\n/g, '\r\n')}`;
  const w = writeXmpSidecar(crlf, M);
  assert.ok(w.startsWith('\uFEFF<?xpacket'));
  assert.equal(w.replace(/\r\n/g, '').includes('\n'), false, 'every line end stays CRLF');
  assert.equal(writeXmpSidecar(w, M), w);
});

test('a file the reader refuses is never rewritten: a typed IO error', () => {
  const refusals = [
    `<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><x:xmpmeta xmlns:x="adobe:ns:meta/">&b;</x:xmpmeta>`,
    DIGIKAM.slice(0, 600),
    ' '.repeat(9 * 1024 * 1024),
    '',
    '<html/>',
  ];
  for (const text of refusals) {
    assert.throws(() => writeXmpSidecar(text, M), (err: unknown) => {
      assert.ok(err instanceof VssError);
      assert.equal(err.code, 'IO');
      assert.match(err.message, /^XMP sidecar not rewritten, it cannot be read: /);
      return true;
    });
  }
});

test('values XMP cannot carry: a typed USAGE error', () => {
  for (const rating of [6, -2, 2.5, Number.NaN]) {
    assert.throws(() => writeXmpSidecar(undefined, { rating, keywords: [], hierarchical: [] }), (err: unknown) => err instanceof VssError && err.code === 'USAGE');
  }
  assert.throws(() => writeXmpSidecar(undefined, { keywords: [], hierarchical: [['a|b/c']] }), /neither Lightroom's nor digiKam's form/);
});

test('keywords and paths are trimmed and deduplicated as the reader does', () => {
  const text = writeXmpSidecar(undefined, { keywords: [' a ', 'a', '', 'b'], hierarchical: [[' P ', '', 'q'], ['P', 'q'], [], ['  ']] });
  const got = read(text);
  assert.deepEqual([got.keywords, got.hierarchical], [['a', 'b'], [['P', 'q']]]);
});

test('exiftool reads what vss writes, new or rewritten', async (t) => {
  const { ExifTool } = await import('exiftool-vendored');
  const et = new ExifTool({ maxProcs: 1, taskTimeoutMillis: 20_000 });
  const dir = mkdtempSync(join(tmpdir(), 'vss-xmp-'));
  try {
    try {
      await et.version();
    } catch (err) {
      t.skip(`ExifTool cannot start here: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    for (const [name, existing] of [['new', undefined], ...Object.entries(SAMPLES)] as const) {
      const file = join(dir, `${name}.xmp`);
      writeFileSync(file, writeXmpSidecar(existing, M));
      const tags = (await et.read(file)) as Record<string, unknown>;
      assert.deepEqual(
        // An item already in the file keeps its place: the paths' order is the file's.
        [tags.Rating, tags.Label, tags.Subject, [...(tags.HierarchicalSubject as string[])].sort(), tags.TagsList, tags.Error],
        [3, 'Green', name === 'darktable' ? ['Dubrovnik', 'changed', 'cr2', 'darktable', 'format', ...M.keywords.slice(1)] : M.keywords,
          [...(name === 'darktable' ? ['darktable|format|cr2', 'darktable|changed'] : []), 'Places|Croatia|Dubrovnik', 'Music|AC/DC'].sort(),
          ['Places/Croatia/Dubrovnik', 'Odd|name'], undefined],
        name,
      );
    }
  } finally {
    await et.end();
    rmSync(dir, { recursive: true, force: true });
  }
});
