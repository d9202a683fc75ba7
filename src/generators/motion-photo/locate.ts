/**
 * Where the movie of a motion photo is, from what the file itself declares:
 *
 * - Google Motion Photo (XMP, Camera/Container namespaces): `Container:Directory` lists the
 *   media items in file order; the item with `Item:Semantic="MotionPhoto"` has `Item:Length`
 *   bytes (plus `Item:Padding` after it), and the items after the primary image are packed at
 *   the end of the file — so its start is counted back from the end.
 * - Google Micro Video (older XMP, GCamera namespace): `GCamera:MicroVideoOffset` = bytes from the
 *   start of the movie to the end of the file.
 * - Samsung (JPEG trailer, as ExifTool's Samsung.pm reads it): the file ends with `\0\0SEFT`
 *   after a u32 length of an `SEFH` directory; each directory entry (type, offset back from the
 *   directory, size) points at a block `[u16 0][u16 type][u32 name length][name][data]`; the
 *   block named `MotionPhoto_Data` (type 0x0a30) holds the movie. Newer phones may end the file
 *   with a `QDIOBS` block after it.
 * - Samsung HEIF: a top-level `mpvd` box holds the movie.
 *
 * Every declaration is only a claim: a candidate counts when the bytes at its start are an MP4/
 * QuickTime `ftyp` box. All reads are bounded (headers, a directory of at most 64 KiB).
 * The XMP packet is parsed as XML (xmp-motion.ts), never searched as text.
 */
import { readAt, readJpegXmp, isJpeg } from './jpeg-xmp.js';
import { readXmpMotion, type XmpMotion } from './xmp-motion.js';

export interface VideoRange {
  start: number;
  length: number;
  /** Which declaration found it, for messages. */
  via: string;
  /** The ftyp major brand ('qt  ' is QuickTime, anything else is MP4-like). */
  brand: string;
}

export type Located =
  | { state: 'none' }
  /** The file says it has motion but the user turned it off (Camera:MotionPhoto="0"). */
  | { state: 'off' }
  | { state: 'found'; video: VideoRange }
  /** Something declares a movie but no declaration points at one: the reasons. */
  | { state: 'invalid'; reasons: string[] }
  /** The XMP packet cannot be read (malformed, or a DOCTYPE) and nothing else shows a movie. */
  | { state: 'unreadable'; reason: string };

interface Candidate {
  start: number;
  length: number;
  via: string;
}

function nonNegativeInt(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,15}$/.test(text)) return undefined;
  return Number(text);
}

/** The claims of an XMP packet's motion-photo properties (xmp-motion.ts reads them). */
export function xmpCandidates(x: XmpMotion, size: number): { flag: string | undefined; microVideo: boolean; candidates: Candidate[]; reasons: string[] } {
  const candidates: Candidate[] = [];
  const reasons: string[] = [];
  const flag = x.motionPhoto;
  const microVideo = x.microVideo === '1';

  if (x.directory) {
    const items = x.directory.map((it) => ({
      semantic: it.semantic,
      length: nonNegativeInt(it.length),
      padding: nonNegativeInt(it.padding) ?? 0,
    }));
    const i = items.findIndex((it) => it.semantic === 'MotionPhoto');
    if (i >= 0) {
      const item = items[i]!;
      // Items after the primary are packed at the end, in order: count back over those after this one.
      let end = size;
      for (const later of items.slice(i + 1)) end -= (later.length ?? 0) + later.padding;
      end -= item.padding;
      if (!item.length) reasons.push('XMP Container:Directory names a MotionPhoto item without a Length');
      else if (i === 0) reasons.push('XMP Container:Directory puts the MotionPhoto item first, where the still must be');
      else if (item.length > end) reasons.push(`XMP Container:Directory says the movie is ${item.length} bytes, more than the file holds`);
      else candidates.push({ start: end - item.length, length: item.length, via: 'XMP Container:Directory' });
    }
  }
  const offset = nonNegativeInt(x.microVideoOffset);
  if (offset !== undefined) {
    if (offset === 0 || offset > size) reasons.push(`XMP MicroVideoOffset ${offset} is not inside the file`);
    else candidates.push({ start: size - offset, length: offset, via: 'XMP GCamera:MicroVideoOffset' });
  }
  return { flag, microVideo, candidates, reasons };
}

const SAMSUNG_VIDEO_TYPE = 0x0a30;
const SAMSUNG_VIDEO_NAME = 'MotionPhoto_Data';

/** The Samsung trailer's movie block, if the file ends with one. */
export function samsungCandidate(fd: number, size: number): Candidate | { reason: string } | undefined {
  if (size < 16) return undefined;
  const tail = readAt(fd, size - 6, 6).toString('latin1');
  let blockEnd: number;
  if (tail === '\0\0SEFT') blockEnd = size;
  else if (tail === 'QDIOBS') blockEnd = size - 2;
  else return undefined;
  for (let hop = 0; hop < 8 && blockEnd >= 8; hop++) {
    const h = readAt(fd, blockEnd - 8, 8);
    const len = h.readUInt32LE(0);
    const type = h.subarray(4, 8).toString('latin1');
    if (!/^\w{4}$/.test(type) || len < 4 || len >= 0x10000 || len + 8 > blockEnd) return { reason: 'the Samsung trailer is damaged' };
    const dirPos = blockEnd - 8 - len;
    blockEnd = dirPos;
    if (type !== 'SEFT') continue;
    const dir = readAt(fd, dirPos, len);
    if (dir.subarray(0, 4).toString('latin1') !== 'SEFH' || len < 12) return { reason: 'the Samsung trailer has no SEFH directory' };
    const count = dir.readUInt32LE(8);
    if (12 + 12 * count > len) return { reason: 'the Samsung trailer directory is cut short' };
    for (let i = 0; i < count; i++) {
      const e = 12 + 12 * i;
      const entryType = dir.readUInt16LE(e + 2);
      const back = dir.readUInt32LE(e + 4);
      const blockSize = dir.readUInt32LE(e + 8);
      if (back > dirPos || blockSize > back || blockSize < 8) continue;
      const at = dirPos - back;
      const head = readAt(fd, at, 8);
      const nameLen = head.readUInt32LE(4);
      if (nameLen > 256 || nameLen + 8 > blockSize) continue;
      const name = readAt(fd, at + 8, nameLen).toString('latin1');
      if (entryType !== SAMSUNG_VIDEO_TYPE && name !== SAMSUNG_VIDEO_NAME) continue;
      return { start: at + 8 + nameLen, length: blockSize - 8 - nameLen, via: `Samsung trailer ${name || 'type 0x0a30'}` };
    }
    return undefined;
  }
  return undefined;
}

/** A Samsung HEIF motion photo: the movie is the body of a top-level `mpvd` box. */
export function heifCandidate(fd: number, size: number): Candidate | undefined {
  let pos = 0;
  for (let i = 0; i < 64 && pos + 8 <= size; i++) {
    const h = readAt(fd, pos, 16);
    let boxSize = h.readUInt32BE(0);
    const type = h.subarray(4, 8).toString('latin1');
    let header = 8;
    if (boxSize === 1) {
      if (h.length < 16) return undefined;
      boxSize = Number(h.readBigUInt64BE(8));
      header = 16;
    } else if (boxSize === 0) boxSize = size - pos;
    if (boxSize < header || pos + boxSize > size) return undefined;
    if (type === 'mpvd') return { start: pos + header, length: boxSize - header, via: 'HEIF mpvd box' };
    pos += boxSize;
  }
  return undefined;
}

function isHeif(head: Buffer): boolean {
  if (head.length < 12 || head.subarray(4, 8).toString('latin1') !== 'ftyp') return false;
  return /^(heic|heix|heim|heis|hevc|hevx|mif1|msf1|avif)$/.test(head.subarray(8, 12).toString('latin1'));
}

/** The ftyp brand at START when the bytes there begin an MP4/QuickTime file, else undefined. */
export function mp4BrandAt(fd: number, start: number, length: number): string | undefined {
  if (length < 16) return undefined;
  const h = readAt(fd, start, 12);
  if (h.length < 12 || h.subarray(4, 8).toString('latin1') !== 'ftyp') return undefined;
  const boxSize = h.readUInt32BE(0);
  const brand = h.subarray(8, 12).toString('latin1');
  if (boxSize < 12 || boxSize > Math.min(length, 4096) || !/^[\x20-\x7e]{4}$/.test(brand)) return undefined;
  return brand;
}

/** What FD (a file of SIZE bytes) declares about an embedded movie, checked against its bytes. */
export function locateEmbeddedVideo(fd: number, size: number): Located {
  const head = readAt(fd, 0, 12);
  const candidates: Candidate[] = [];
  const reasons: string[] = [];
  let declared = false;
  let unreadable: string | undefined;
  if (isJpeg(head)) {
    const xmp = readJpegXmp(fd, size);
    const read = xmp === undefined ? undefined : readXmpMotion(xmp);
    if (read && !read.ok) unreadable = read.reason;
    if (read?.ok) {
      const x = xmpCandidates(read.motion, size);
      // Camera:MotionPhoto="0": the camera app keeps the bytes but the user chose a still.
      if (x.flag === '0' && !x.microVideo) return { state: 'off' };
      declared = x.flag === '1' || x.microVideo || x.candidates.length > 0 || x.reasons.length > 0;
      candidates.push(...x.candidates);
      reasons.push(...x.reasons);
    }
    const s = samsungCandidate(fd, size);
    if (s && 'reason' in s) { declared = true; reasons.push(s.reason); }
    else if (s) { declared = true; candidates.push(s); }
  } else if (isHeif(head)) {
    const h = heifCandidate(fd, size);
    if (h) { declared = true; candidates.push(h); }
  }
  // A packet that cannot be read may hide the declaration: not knowing is not "no movie".
  if (!declared) return unreadable ? { state: 'unreadable', reason: unreadable } : { state: 'none' };
  for (const c of candidates) {
    const brand = mp4BrandAt(fd, c.start, c.length);
    if (brand) return { state: 'found', video: { ...c, brand } };
    reasons.push(`${c.via} points at byte ${c.start} (${c.length} bytes), which is not the start of an MP4`);
  }
  if (unreadable) reasons.push(unreadable);
  if (candidates.length === 0 && reasons.length === 0) reasons.push('it is marked as a motion photo but says nowhere where the movie is');
  return { state: 'invalid', reasons };
}
