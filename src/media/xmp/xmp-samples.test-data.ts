/**
 * XMP sidecars in the exact shapes the tools write them (Exiv2's compact form for digiKam and
 * darktable, Adobe XMP Core's for Lightroom Classic, exiftool's one Description per namespace),
 * modeled on files they wrote; values are made up. Used by the tests and the benchmark.
 */

/** digiKam 8 (Exiv2): rating and more as attributes, tags in TagsList and three mirrors, leaves in dc:subject, packet padding. */
export const DIGIKAM = `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 4.4.0-Exiv2">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:exif="http://ns.adobe.com/exif/1.0/"
    xmlns:tiff="http://ns.adobe.com/tiff/1.0/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
    xmlns:digiKam="http://www.digikam.org/ns/1.0/"
    xmlns:MicrosoftPhoto="http://ns.microsoft.com/photo/1.0/"
    xmlns:acdsee="http://ns.acdsee.com/iptc/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:lr="http://ns.adobe.com/lightroom/1.0/"
    xmlns:mediapro="http://ns.iview-multimedia.com/mediapro/1.0/"
   exif:DateTimeOriginal="2023-07-14T18:22:05"
   tiff:Orientation="1"
   xmp:Rating="4"
   xmp:CreatorTool="digiKam-8.2.0"
   xmpMM:InstanceID="uuid:4f0e2d8c-6b7a-4c1e-9d3f-2a5b8c7e1f00"
   MicrosoftPhoto:Rating="75"
   acdsee:categories="&lt;Categories&gt;&lt;Category Assigned=&quot;0&quot;&gt;Places&lt;Category Assigned=&quot;1&quot;&gt;Croatia&lt;/Category&gt;&lt;/Category&gt;&lt;/Categories&gt;">
   <digiKam:TagsList>
    <rdf:Seq>
     <rdf:li>Places/Croatia/Dubrovnik</rdf:li>
     <rdf:li>People/Ana</rdf:li>
    </rdf:Seq>
   </digiKam:TagsList>
   <MicrosoftPhoto:LastKeywordXMP>
    <rdf:Bag>
     <rdf:li>Places/Croatia/Dubrovnik</rdf:li>
     <rdf:li>People/Ana</rdf:li>
    </rdf:Bag>
   </MicrosoftPhoto:LastKeywordXMP>
   <dc:subject>
    <rdf:Bag>
     <rdf:li>Dubrovnik</rdf:li>
     <rdf:li>Ana</rdf:li>
    </rdf:Bag>
   </dc:subject>
   <lr:hierarchicalSubject>
    <rdf:Bag>
     <rdf:li>Places|Croatia|Dubrovnik</rdf:li>
     <rdf:li>People|Ana</rdf:li>
    </rdf:Bag>
   </lr:hierarchicalSubject>
   <mediapro:CatalogSets>
    <rdf:Bag>
     <rdf:li>Places|Croatia|Dubrovnik</rdf:li>
     <rdf:li>People|Ana</rdf:li>
    </rdf:Bag>
   </mediapro:CatalogSets>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
${`${' '.repeat(100)}\n`.repeat(20)}<?xpacket end="w"?>`;

/** One darktable history item, as darktable 4 writes it (one attribute a line). */
function darktableHistoryItem(n: number): string {
  const ops = ['rawprepare', 'temperature', 'highlights', 'demosaic', 'exposure', 'colorin', 'channelmixerrgb', 'filmicrgb', 'colorbalancergb', 'sharpen', 'denoiseprofile', 'lens'];
  const hex = (len: number, seed: number) => Array.from({ length: len }, (_, i) => ((seed * 31 + i * 17) % 16).toString(16)).join('');
  return `     <rdf:li
      darktable:num="${n}"
      darktable:operation="${ops[n % ops.length]}"
      darktable:enabled="1"
      darktable:modversion="${2 + (n % 5)}"
      darktable:params="${hex(48 + (n % 7) * 24, n)}"
      darktable:multi_name=""
      darktable:multi_name_hand_edited="0"
      darktable:multi_priority="0"
      darktable:blendop_version="14"
      darktable:blendop_params="gz11eJxjYIAACQYYOOHEgAYY0QVwggZ7CB6pfOygYtaA${hex(40, n + 1)}"/>`;
}

/**
 * darktable 4 (Exiv2, no packet wrapper): a rejected rating, its own tags (darktable|format|cr2,
 * darktable|changed) beside the user's, every part of every tag in dc:subject, HISTORY edits.
 */
export function darktableSidecar(history: number): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 4.4.0-Exiv2">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:exif="http://ns.adobe.com/exif/1.0/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:lr="http://ns.adobe.com/lightroom/1.0/"
    xmlns:darktable="http://darktable.sf.net/"
   exif:DateTimeOriginal="2023:07:14 18:22:05.000"
   xmp:Rating="-1"
   xmpMM:DerivedFrom="IMG_0042.CR2"
   darktable:import_timestamp="63825468123000000"
   darktable:change_timestamp="63825468999000000"
   darktable:export_timestamp="-1"
   darktable:print_timestamp="-1"
   darktable:xmp_version="5"
   darktable:raw_params="0"
   darktable:auto_presets_applied="1"
   darktable:history_end="${history}"
   darktable:iop_order_version="4">
   <darktable:colorlabels>
    <rdf:Seq>
     <rdf:li>0</rdf:li>
    </rdf:Seq>
   </darktable:colorlabels>
   <dc:subject>
    <rdf:Bag>
     <rdf:li>Dubrovnik</rdf:li>
     <rdf:li>changed</rdf:li>
     <rdf:li>cr2</rdf:li>
     <rdf:li>darktable</rdf:li>
     <rdf:li>format</rdf:li>
     <rdf:li>old town</rdf:li>
    </rdf:Bag>
   </dc:subject>
   <lr:hierarchicalSubject>
    <rdf:Bag>
     <rdf:li>Places|Croatia|Dubrovnik</rdf:li>
     <rdf:li>darktable|format|cr2</rdf:li>
     <rdf:li>darktable|changed</rdf:li>
     <rdf:li>old town</rdf:li>
    </rdf:Bag>
   </lr:hierarchicalSubject>
   <darktable:masks_history>
    <rdf:Seq/>
   </darktable:masks_history>
   <darktable:history>
    <rdf:Seq>
${Array.from({ length: history }, (_, n) => darktableHistoryItem(n)).join('\n')}
    </rdf:Seq>
   </darktable:history>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
`;
}

export const DARKTABLE = darktableSidecar(12);

/** Lightroom Classic (Adobe XMP Core, no packet wrapper): label, develop settings, every ancestor keyword in dc:subject. */
export const LIGHTROOM = `<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Adobe XMP Core 7.0-c000 1.000000, 0000/00/00-00:00:00        ">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:tiff="http://ns.adobe.com/tiff/1.0/"
    xmlns:exif="http://ns.adobe.com/exif/1.0/"
    xmlns:aux="http://ns.adobe.com/exif/1.0/aux/"
    xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
    xmlns:stEvt="http://ns.adobe.com/xap/1.0/sType/ResourceEvent#"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:crs="http://ns.adobe.com/camera-raw-settings/1.0/"
    xmlns:lr="http://ns.adobe.com/lightroom/1.0/"
   xmp:ModifyDate="2023-07-20T21:04:11+02:00"
   xmp:CreateDate="2023-07-14T18:22:05.31"
   xmp:MetadataDate="2023-07-20T21:04:11+02:00"
   xmp:Rating="5"
   xmp:Label="Red"
   tiff:Make="Canon"
   tiff:Model="Canon EOS R6"
   exif:ExposureTime="1/250"
   exif:FNumber="8/1"
   aux:Lens="RF24-105mm F4 L IS USM"
   photoshop:DateCreated="2023-07-14T18:22:05.31"
   xmpMM:DocumentID="xmp.did:2b1c3e5f-0a4d-4e8b-b7c6-9f1e2d3c4b5a"
   xmpMM:OriginalDocumentID="8C2E5B8F1A4D3C6E9B7A0F2D4C6E8A1B"
   xmpMM:InstanceID="xmp.iid:2b1c3e5f-0a4d-4e8b-b7c6-9f1e2d3c4b5a"
   crs:Version="15.4"
   crs:ProcessVersion="11.0"
   crs:WhiteBalance="As Shot"
   crs:Exposure2012="+0.35"
   crs:HasSettings="True">
   <xmpMM:History>
    <rdf:Seq>
     <rdf:li
      stEvt:action="saved"
      stEvt:instanceID="xmp.iid:2b1c3e5f-0a4d-4e8b-b7c6-9f1e2d3c4b5a"
      stEvt:when="2023-07-20T21:04:11+02:00"
      stEvt:softwareAgent="Adobe Photoshop Lightroom Classic 12.4 (Macintosh)"
      stEvt:changed="/metadata"/>
    </rdf:Seq>
   </xmpMM:History>
   <dc:subject>
    <rdf:Bag>
     <rdf:li>AC/DC</rdf:li>
     <rdf:li>Croatia</rdf:li>
     <rdf:li>Dubrovnik</rdf:li>
     <rdf:li>Music</rdf:li>
     <rdf:li>Places</rdf:li>
    </rdf:Bag>
   </dc:subject>
   <lr:hierarchicalSubject>
    <rdf:Bag>
     <rdf:li>Music|AC/DC</rdf:li>
     <rdf:li>Places|Croatia|Dubrovnik</rdf:li>
    </rdf:Bag>
   </lr:hierarchicalSubject>
   <crs:ToneCurvePV2012>
    <rdf:Seq>
     <rdf:li>0, 0</rdf:li>
     <rdf:li>255, 255</rdf:li>
    </rdf:Seq>
   </crs:ToneCurvePV2012>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
`;

/** exiftool (`exiftool -o IMG.xmp …`): one Description per namespace, single quotes, element forms. */
export const EXIFTOOL = `<?xpacket begin='\uFEFF' id='W5M0MpCehiHzreSzNTczkc9d'?>
<x:xmpmeta xmlns:x='adobe:ns:meta/' x:xmptk='Image::ExifTool 12.76'>
<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>

 <rdf:Description rdf:about=''
  xmlns:dc='http://purl.org/dc/elements/1.1/'>
  <dc:subject>
   <rdf:Bag>
    <rdf:li>harbour</rdf:li>
   </rdf:Bag>
  </dc:subject>
 </rdf:Description>

 <rdf:Description rdf:about=''
  xmlns:lr='http://ns.adobe.com/lightroom/1.0/'>
  <lr:hierarchicalSubject>
   <rdf:Bag>
    <rdf:li>Places|Croatia</rdf:li>
   </rdf:Bag>
  </lr:hierarchicalSubject>
 </rdf:Description>

 <rdf:Description rdf:about=''
  xmlns:xmp='http://ns.adobe.com/xap/1.0/'>
  <xmp:Label>Blue</xmp:Label>
  <xmp:Rating>2</xmp:Rating>
 </rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end='w'?>`;

/**
 * digiKam 8 with top-level tags: a tag with no parent is a one-level path in TagsList and in
 * lr:hierarchicalSubject ("Holidays"), and its name in dc:subject; a caption written in
 * another tool with U+2028 line separators, as dc:description's x-default.
 */
export const DIGIKAM_TOP_LEVEL = `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 4.4.0-Exiv2">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:digiKam="http://www.digikam.org/ns/1.0/"
    xmlns:MicrosoftPhoto="http://ns.microsoft.com/photo/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:lr="http://ns.adobe.com/lightroom/1.0/"
   xmp:Rating="2"
   MicrosoftPhoto:Rating="25">
   <digiKam:TagsList>
    <rdf:Seq>
     <rdf:li>Holidays</rdf:li>
     <rdf:li>People/Ana</rdf:li>
     <rdf:li>Scanned</rdf:li>
    </rdf:Seq>
   </digiKam:TagsList>
   <dc:description>
    <rdf:Alt>
     <rdf:li xml:lang="x-default">Old town at dusk\u2028From the city walls</rdf:li>
    </rdf:Alt>
   </dc:description>
   <dc:subject>
    <rdf:Bag>
     <rdf:li>Holidays</rdf:li>
     <rdf:li>Ana</rdf:li>
     <rdf:li>Scanned</rdf:li>
    </rdf:Bag>
   </dc:subject>
   <lr:hierarchicalSubject>
    <rdf:Bag>
     <rdf:li>Holidays</rdf:li>
     <rdf:li>People|Ana</rdf:li>
     <rdf:li>Scanned</rdf:li>
    </rdf:Bag>
   </lr:hierarchicalSubject>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
${`${' '.repeat(100)}\n`.repeat(4)}<?xpacket end="w"?>`;

/**
 * Adobe Bridge (Adobe XMP Core, properties as elements, three-space indents): a one-level keyword
 * in lr:hierarchicalSubject, a headline, and a caption whose line breaks are U+2028, as macOS text
 * fields make them.
 */
export const BRIDGE = `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Adobe XMP Core 9.1-c002 79.a1cd12f, 2024/11/11-19:08:46        ">
   <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
      <rdf:Description rdf:about=""
            xmlns:xmp="http://ns.adobe.com/xap/1.0/"
            xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
            xmlns:dc="http://purl.org/dc/elements/1.1/"
            xmlns:lr="http://ns.adobe.com/lightroom/1.0/">
         <xmp:CreatorTool>Adobe Bridge 2025</xmp:CreatorTool>
         <xmp:Rating>3</xmp:Rating>
         <xmp:Label>Green</xmp:Label>
         <photoshop:Headline>Harbour</photoshop:Headline>
         <dc:description>
            <rdf:Alt>
               <rdf:li xml:lang="x-default">First line\u2028Second line\u2028Third line</rdf:li>
            </rdf:Alt>
         </dc:description>
         <dc:subject>
            <rdf:Bag>
               <rdf:li>boats</rdf:li>
               <rdf:li>Croatia</rdf:li>
               <rdf:li>Places</rdf:li>
            </rdf:Bag>
         </dc:subject>
         <lr:hierarchicalSubject>
            <rdf:Bag>
               <rdf:li>boats</rdf:li>
               <rdf:li>Places|Croatia</rdf:li>
            </rdf:Bag>
         </lr:hierarchicalSubject>
      </rdf:Description>
   </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`;

/**
 * Apple Photos (File › Export with "Export IPTC as XMP"; Apple's XMP Core 6): keywords and people
 * in a dc:subject rdf:Seq, a caption with a U+2028 line separator, no rating.
 */
export const APPLE_PHOTOS = `<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 6.0.0">
   <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
      <rdf:Description rdf:about=""
            xmlns:dc="http://purl.org/dc/elements/1.1/"
            xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
            xmlns:exif="http://ns.adobe.com/exif/1.0/"
            xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/">
         <dc:title>Dubrovnik</dc:title>
         <dc:description>Evening walk\u2028with Ana</dc:description>
         <dc:subject>
            <rdf:Seq>
               <rdf:li>sea</rdf:li>
               <rdf:li>Ana</rdf:li>
            </rdf:Seq>
         </dc:subject>
         <Iptc4xmpExt:PersonInImage>
            <rdf:Bag>
               <rdf:li>Ana</rdf:li>
            </rdf:Bag>
         </Iptc4xmpExt:PersonInImage>
         <photoshop:DateCreated>2023-07-14T18:22:05+02:00</photoshop:DateCreated>
         <exif:GPSLatitude>42,38.4N</exif:GPSLatitude>
         <exif:GPSLongitude>18,6.6E</exif:GPSLongitude>
      </rdf:Description>
   </rdf:RDF>
</x:xmpmeta>
`;
