import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readXmpMotion } from './xmp-motion.js';

const NS = 'xmlns:x="adobe:ns:meta/" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"';

test('properties as attributes or as simple elements, under any prefix of Google\'s namespaces', () => {
  const xmp = `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta ${NS}><rdf:RDF><rdf:Description rdf:about=""
    xmlns:GC="http://ns.google.com/photos/1.0/camera/" xmlns:K="http://ns.google.com/photos/1.0/container/" xmlns:I="http://ns.google.com/photos/1.0/container/item/">
    <GC:MotionPhoto> 1 </GC:MotionPhoto><GC:MicroVideoOffset>1234</GC:MicroVideoOffset>
    <K:Directory><rdf:Seq>
      <rdf:li rdf:parseType="Resource"><K:Item><I:Semantic>Primary</I:Semantic><I:Length>0</I:Length></K:Item></rdf:li>
      <rdf:li rdf:parseType="Resource"><K:Item I:Semantic="MotionPhoto" I:Length="99" I:Padding="4"/></rdf:li>
    </rdf:Seq></K:Directory>
    <K:Directory><rdf:Seq><rdf:li><K:Item I:Semantic="MotionPhoto" I:Length="1"/></rdf:li></rdf:Seq></K:Directory>
  </rdf:Description></rdf:RDF></x:xmpmeta>\n   \0\0<?xpacket end="w"?>`.replace('\0\0<?xpacket end="w"?>', '<?xpacket end="w"?>\0\0');
  assert.deepEqual(readXmpMotion(xmp), {
    ok: true,
    motion: {
      motionPhoto: '1',
      microVideoOffset: '1234',
      // The first directory only.
      directory: [{ semantic: 'Primary', length: '0' }, { semantic: 'MotionPhoto', length: '99', padding: '4' }],
    },
  });
});

test('nothing about motion: an empty answer, not an error', () => {
  assert.deepEqual(readXmpMotion(`<x:xmpmeta ${NS}><rdf:RDF><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:format="image/jpeg"/></rdf:RDF></x:xmpmeta>`), { ok: true, motion: {} });
});

test('a DOCTYPE and malformed XML are refused with the reason', () => {
  assert.deepEqual(readXmpMotion(`<!DOCTYPE a [<!ENTITY e "1">]><a>&e;</a>`), { ok: false, reason: 'its XMP packet carries a DOCTYPE (entity declarations), which no camera writes; it is not read' });
  assert.deepEqual(readXmpMotion('<a><b></a>'), { ok: false, reason: 'its XMP packet is not well-formed XML (1:10: unexpected close tag)' });
  assert.deepEqual(readXmpMotion(''), { ok: false, reason: 'its XMP packet is not well-formed XML (1:0: document must contain a root element)' });
});
