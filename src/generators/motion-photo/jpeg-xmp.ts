/**
 * The XMP packet of a JPEG, read from its APP1 segments with bounded reads: only the segment
 * headers before the image data are visited and only an XMP body (≤ 64 KiB) is read, so a
 * 50 MB motion photo costs a few small reads, never a whole-file load.
 */
import { readSync } from 'node:fs';

const XMP_HEADER = Buffer.from('http://ns.adobe.com/xap/1.0/\0', 'latin1');
/** Segments looked at before giving up (a real JPEG has a handful before its image data). */
const MAX_SEGMENTS = 256;

export function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.alloc(Math.max(0, length));
  let got = 0;
  while (got < buf.length) {
    const n = readSync(fd, buf, got, buf.length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return buf.subarray(0, got);
}

export function isJpeg(head: Buffer): boolean {
  return head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff;
}

/** The main XMP packet as text, or undefined when the JPEG has none. */
export function readJpegXmp(fd: number, size: number): string | undefined {
  let pos = 2;
  for (let i = 0; i < MAX_SEGMENTS && pos + 4 <= size; i++) {
    const h = readAt(fd, pos, 4);
    if (h.length < 4 || h[0] !== 0xff) return undefined;
    const marker = h[1]!;
    if (marker === 0xff) { pos += 1; continue; } // fill byte
    // Markers without a length: TEM and RSTn; SOS and EOI end the header part.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { pos += 2; continue; }
    if (marker === 0xda || marker === 0xd9) return undefined;
    const len = h.readUInt16BE(2);
    if (len < 2) return undefined;
    if (marker === 0xe1 && len - 2 > XMP_HEADER.length) {
      const head = readAt(fd, pos + 4, XMP_HEADER.length);
      if (head.equals(XMP_HEADER)) {
        return readAt(fd, pos + 4 + XMP_HEADER.length, len - 2 - XMP_HEADER.length).toString('utf8');
      }
    }
    pos += 2 + len;
  }
  return undefined;
}
