import { VssError } from '../../core/errors.js';
import { SIDECAR_KINDS, isSidecarKind } from '../../sidecars/kinds.js';
import {
  CHECKSUM_BYTES, DIGEST_LIMITS, HEADER_MAX_BYTES, MAX_ENTRY_BYTES, MAX_NAME_BYTES, UUID_BYTES, VERSION, type AvailabilityEntry, type DigestHeader, type EntryRow,
} from './codec-format.js';

// The availability digest's codec (DESIGN §9): the encoder here, the decoder in codec-decode.ts,
// the entries, bounds and checks both share in codec-format.ts; every caller imports this module.
export { DIGEST_LIMITS, entryShapeError, entryValueError, type AvailabilityEntry, type DigestHeader, type EntryRow } from './codec-format.js';
export { decodeChunk, type DecodedChunk, type DigestTriple, type EntryVisitor, type KeyedEntryVisitor } from './codec-decode.js';

/**
 * One chunk of a digest in its binary form (DESIGN §9, "a compact binary encoding"):
 *   u8 version · library id, device uuid, epoch (16 raw bytes each) · from-seq, to-seq (varint) ·
 *   u8 flags (bit 0: full) · triple count (varint), each: kind, variant, format (u8 length + UTF-8) ·
 *   entry count (varint), each: content uuid (16 raw bytes) · triple index (varint) · u8 has ·
 *   size (varint) · checksum (32 raw bytes, only when has = 1).
 * Entries must be well-formed; they come from this device's own database.
 */
export function encodeChunk(header: DigestHeader, entries: readonly AvailabilityEntry[]): Uint8Array {
  if (entries.length > DIGEST_LIMITS.chunkEntries) throw new VssError('USAGE', `a chunk holds at most ${DIGEST_LIMITS.chunkEntries} entries, not ${entries.length}`);
  return encodeRows(header, entries.map((e): EntryRow => [e.contentUuid, e.kind, e.variant, e.format, e.has ? 1 : 0, e.size, e.checksum]));
}

/** As encodeChunk, from the table's rows as they are read: no entry objects on the way. */
export function encodeRows(header: DigestHeader, rows: readonly EntryRow[]): Uint8Array {
  if (rows.length > DIGEST_LIMITS.chunkEntries) throw new VssError('USAGE', `a chunk holds at most ${DIGEST_LIMITS.chunkEntries} entries, not ${rows.length}`);
  const tripleIds = new Map<string, number>();
  const triples: Array<[string, string, string]> = [];
  const ids = new Uint32Array(rows.length);
  // Rows come in runs of the same kind of sidecar: the last one is checked before the map.
  let lastKind = '';
  let lastVariant = '';
  let lastFormat: string | null = '';
  let lastId = -1;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    if (r[1] !== lastKind || r[2] !== lastVariant || r[3] !== lastFormat || lastId < 0) {
      lastKind = r[1];
      lastVariant = r[2];
      lastFormat = r[3];
      const format = r[3] ?? (isSidecarKind(r[1]) ? SIDECAR_KINDS[r[1]].formats[0] : '');
      const key = `${r[1]}\0${r[2]}\0${format}`;
      let id = tripleIds.get(key);
      if (id === undefined) {
        id = triples.length;
        if (id >= DIGEST_LIMITS.triples) throw new VssError('USAGE', `a chunk holds at most ${DIGEST_LIMITS.triples} kinds of sidecar`);
        tripleIds.set(key, id);
        triples.push([r[1], r[2], format]);
      }
      lastId = id;
    }
    ids[i] = lastId;
  }
  const names = triples.flat().map((n) => Buffer.from(n, 'utf8'));
  const size = HEADER_MAX_BYTES + names.reduce((n, b) => n + 1 + b.length, 0) + 5 + rows.length * MAX_ENTRY_BYTES;
  const out = Buffer.allocUnsafe(size);
  let at = putHead(out, header, names);
  at = putVarint(out, at, rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    at = putUuid(out, at, r[0], 'content uuid');
    at = putVarint(out, at, ids[i]!);
    if (r[4] === 1) {
      out[at++] = 1;
      at = putVarint(out, at, r[5] ?? 0);
      const checksum = r[6];
      if (checksum === null || checksum.length !== 2 * CHECKSUM_BYTES || !putHex(out, at, checksum, 0, 2 * CHECKSUM_BYTES)) {
        throw new VssError('USAGE', `availability entry of ${r[0]} has no valid checksum`);
      }
      at += CHECKSUM_BYTES;
    } else {
      out[at++] = 0;
      out[at++] = 0;
    }
  }
  return out.subarray(0, at);
}

/**
 * As encodeRows, from COUNT rows packed into one string by the availability store
 * (`PACKED_ROW_SQL` in src/store/availability-keys.ts, which gives the layout: the content uuid as its
 * 32 hex digits, hex in either case). Every field is checked as it is read (a row that does not
 * parse is a USAGE error: the rows are this device's own).
 */
export function encodePacked(header: DigestHeader, packed: string, count: number): Uint8Array {
  if (count > DIGEST_LIMITS.chunkEntries) throw new VssError('USAGE', `a chunk holds at most ${DIGEST_LIMITS.chunkEntries} entries, not ${count}`);
  const body = Buffer.allocUnsafe(count * MAX_ENTRY_BYTES);
  const tripleIds = new Map<string, number>();
  const triples: Array<[string, string, string]> = [];
  const bad = (why: string) => new VssError('USAGE', `availability row ${n} of a page does not parse: ${why}`);
  let lastTriple = '';
  let lastId = -1;
  let at = 0;
  let p = 0;
  let n = 0;
  for (; n < count; n++) {
    if (packed.length - p < 2 * UUID_BYTES + 1 + 16 + 2 + 6) throw bad('cut short');
    if (!putHex(body, at, packed, p, p + 2 * UUID_BYTES)) throw bad(`content uuid ${JSON.stringify(packed.slice(p, p + 2 * UUID_BYTES))} is not hex`);
    const uuidAtP = p;
    at += UUID_BYTES;
    p += 2 * UUID_BYTES;
    const has = packed.charCodeAt(p++) - 0x30;
    if (has !== 0 && has !== 1) throw bad('has is not 0 or 1');
    const size = hexNumber(packed, p, 16);
    const sumLength = hexNumber(packed, p + 16, 2);
    p += 18;
    if (size < 0 || sumLength < 0 || !Number.isSafeInteger(size)) throw bad('size is not a number');
    const sumAt = p;
    p += sumLength;
    const k = hexNumber(packed, p, 2);
    const v = hexNumber(packed, p + 2, 2);
    const f = hexNumber(packed, p + 4, 2);
    if (k <= 0 || v <= 0 || f < 0 || p + 6 + k + v + f > packed.length) throw bad('names do not fit');
    const names = p + 6;
    const end = names + k + v + f;
    let id = lastId;
    if (lastId < 0 || end - names !== lastTriple.length || !packed.startsWith(lastTriple, names)) {
      const kind = packed.slice(names, names + k);
      const variant = packed.slice(names + k, names + k + v);
      const format = f > 0 ? packed.slice(names + k + v, end) : isSidecarKind(kind) ? SIDECAR_KINDS[kind].formats[0] : '';
      const key = `${kind}\0${variant}\0${format}`;
      id = tripleIds.get(key) ?? -1;
      if (id < 0) {
        id = triples.length;
        if (id >= DIGEST_LIMITS.triples) throw new VssError('USAGE', `a chunk holds at most ${DIGEST_LIMITS.triples} kinds of sidecar`);
        tripleIds.set(key, id);
        triples.push([kind, variant, format]);
      }
      lastTriple = packed.slice(names, end);
      lastId = id;
    }
    p = end;
    at = putVarint(body, at, id);
    if (has === 1) {
      body[at++] = 1;
      at = putVarint(body, at, size);
      if (sumLength !== 2 * CHECKSUM_BYTES || !putHex(body, at, packed, sumAt, sumAt + 2 * CHECKSUM_BYTES)) {
        throw new VssError('USAGE', `availability entry of ${packed.slice(uuidAtP, uuidAtP + 2 * UUID_BYTES).toLowerCase()} has no valid checksum`);
      }
      at += CHECKSUM_BYTES;
    } else {
      body[at++] = 0;
      body[at++] = 0;
    }
  }
  if (p !== packed.length) throw bad(`${packed.length - p} characters after the last row`);
  const nameBytes = triples.flat().map((x) => Buffer.from(x, 'utf8'));
  const out = Buffer.allocUnsafe(HEADER_MAX_BYTES + nameBytes.reduce((m, b) => m + 1 + b.length, 0) + 5 + at);
  let o = putHead(out, header, nameBytes);
  o = putVarint(out, o, count);
  o += body.copy(out, o, 0, at);
  return out.subarray(0, o);
}

/** The fixed-width hex number of WIDTH digits at S[AT..], or -1 if a digit is not hex. */
function hexNumber(s: string, at: number, width: number): number {
  let value = 0;
  for (let i = at; i < at + width; i++) {
    const c = s.charCodeAt(i);
    const d = c < 128 ? HEX_VALUE[c]! : -1;
    if (d < 0) return -1;
    value = value * 16 + d;
  }
  return value;
}

/** The header and the triples' names (three a triple) at the start of OUT; returns where entries go. */
function putHead(out: Buffer, header: DigestHeader, names: readonly Buffer[]): number {
  let at = 0;
  out[at++] = VERSION;
  at = putUuid(out, at, header.libraryId, 'library id');
  at = putUuid(out, at, header.deviceUuid, 'device uuid');
  at = putUuid(out, at, header.epoch, 'epoch');
  at = putVarint(out, at, header.fromSeq);
  at = putVarint(out, at, header.toSeq);
  out[at++] = header.full ? 1 : 0;
  at = putVarint(out, at, names.length / 3);
  for (const n of names) {
    if (n.length > MAX_NAME_BYTES) throw new VssError('USAGE', 'a sidecar kind, variant or format name is too long to encode');
    out[at++] = n.length;
    at += n.copy(out, at);
  }
  return at;
}

function putVarint(out: Buffer, at: number, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new VssError('USAGE', `cannot encode ${value} as a digest number`);
  while (value >= 0x80) {
    out[at++] = (value % 128) | 0x80;
    value = Math.floor(value / 128);
  }
  out[at++] = value;
  return at;
}

/**
 * Value of each hex digit, -1 for any other character. Only this device's own values are encoded
 * (UUID_RE and CHECKSUM_RE are lowercase; SQLite's hex() gives upper case).
 */
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX_VALUE['0123456789abcdef'.charCodeAt(i)] = i;
  HEX_VALUE['0123456789ABCDEF'.charCodeAt(i)] = i;
}

/** Write the hex digits S[FROM..TO) as bytes at AT; false (having written part) if one is not hex. */
function putHex(out: Buffer, at: number, s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i += 2) {
    const a = s.charCodeAt(i);
    const b = s.charCodeAt(i + 1);
    const hi = a < 128 ? HEX_VALUE[a]! : -1;
    const lo = b < 128 ? HEX_VALUE[b]! : -1;
    if ((hi | lo) < 0) return false;
    out[at++] = (hi << 4) | lo;
  }
  return true;
}

function putUuid(out: Buffer, at: number, uuid: string, what: string): number {
  if (typeof uuid !== 'string' || uuid.length !== 36 || !putUuidFrom(out, at, uuid, 0)) throw new VssError('USAGE', `${what} ${JSON.stringify(uuid)} is not a uuid`);
  return at + UUID_BYTES;
}

/** The uuid at S[FROM..FROM+36) as 16 bytes at AT: UUID_RE, checked as it is written rather than by a regex per entry. */
function putUuidFrom(out: Buffer, at: number, s: string, from: number): boolean {
  return s.charCodeAt(from + 8) === DASH && s.charCodeAt(from + 13) === DASH && s.charCodeAt(from + 18) === DASH && s.charCodeAt(from + 23) === DASH
    && putHex(out, at, s, from, from + 8) && putHex(out, at + 4, s, from + 9, from + 13) && putHex(out, at + 6, s, from + 14, from + 18)
    && putHex(out, at + 8, s, from + 19, from + 23) && putHex(out, at + 10, s, from + 24, from + 36);
}

const DASH = 0x2d;
