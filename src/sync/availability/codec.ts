import { VssError } from '../../core/errors.js';
import { UUID_RE } from '../../sidecars/address.js';
import { SIDECAR_KINDS, checkFormat, checkVariant, isSidecarKind, type SidecarKind } from '../../sidecars/kinds.js';

/** One device's word about one sidecar: it has it (size, checksum) or no longer has it. */
export interface AvailabilityEntry {
  contentUuid: string;
  kind: SidecarKind;
  variant: string;
  format: string;
  has: boolean;
  /** Set when `has`; null in a tombstone. */
  size: number | null;
  /** BLAKE3 of the file, 64 lowercase hex digits, when `has`. */
  checksum: string | null;
}

/** Which changes of which device's availability a chunk belongs to. */
export interface DigestHeader {
  libraryId: string;
  deviceUuid: string;
  epoch: string;
  /** The delta covers changes after `fromSeq` up to `toSeq`; a full set has fromSeq 0. */
  fromSeq: number;
  toSeq: number;
  full: boolean;
}

export const DIGEST_LIMITS = {
  /**
   * Entries per chunk, at most: about 1.7 MB. A libp2p byte stream buffers 4 MiB unread at most,
   * so a chunk must stay well below that whatever the protocol's message bound says.
   */
  chunkEntries: 32_768,
  /** Distinct (kind, variant, format) triples per chunk. */
  triples: 4_096,
  /** Entries of one exchange (held until it is whole, then applied in one transaction). */
  exchangeEntries: 4_194_304,
  /** Bytes of one exchange's chunks. */
  exchangeBytes: 256 * 1024 * 1024,
} as const;

const VERSION = 1;
const UUID_BYTES = 16;
const CHECKSUM_BYTES = 32;
/** Smallest entry: uuid, a one-byte triple index, has, a one-byte size (a tombstone has no checksum). */
const MIN_ENTRY_BYTES = UUID_BYTES + 3;
const MAX_ENTRY_BYTES = UUID_BYTES + 5 + 1 + 8 + CHECKSUM_BYTES;
const HEADER_MAX_BYTES = 1 + 3 * UUID_BYTES + 2 * 8 + 1 + 5 + 5;
const MAX_NAME_BYTES = 255;
const CHECKSUM_RE = /^[0-9a-f]{64}$/;

/**
 * An entry as the store reads it from its table: content uuid, kind, variant, format (null: the
 * kind's usual one, for rows made before formats were kept), has (0 or 1), size, checksum; any
 * further columns are not read.
 */
export type EntryRow = readonly [string, string, string, string | null, number, number | null, string | null, ...unknown[]];

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

/** One entry's parts, handed over without an object per entry. */
export type EntryVisitor = (contentUuid: string, kind: SidecarKind, variant: string, format: string, has: boolean, size: number | null, checksum: string | null) => void;

/**
 * One entry as its bytes: CONTENT the uuid's 16, CHECKSUM the BLAKE3's 32 (null unless HAS), both
 * views into the chunk; TRIPLE its index in `DecodedChunk.triples`.
 */
export type KeyedEntryVisitor = (content: Buffer, triple: number, has: boolean, size: number, checksum: Buffer | null) => void;

/** A (kind, variant, format) a chunk names; `known`: this device can name it (else its entries are skipped). */
export interface DigestTriple {
  kind: SidecarKind;
  variant: string;
  format: string;
  known: boolean;
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

/** A chunk read and checked whole; its entries are built as they are iterated. */
export interface DecodedChunk extends DigestHeader {
  /** Entries in the chunk, skipped ones too. */
  count: number;
  /** Entries of sidecars this device cannot name (a newer peer's kinds, variants, formats): left out of what is visited. */
  skipped: number;
  byteLength: number;
  entries(): IterableIterator<AvailabilityEntry>;
  /** Each entry, in order, as its parts: as checked as `entries()`, without the objects. */
  forEachEntry(visit: EntryVisitor): void;
  /** The kinds of sidecar the entries name, by triple index. */
  triples: readonly DigestTriple[];
  /** As forEachEntry (the same entries, as checked), each as its bytes: no strings made. */
  forEachKeyed(visit: KeyedEntryVisitor): void;
}

/**
 * Read a chunk from a peer. Everything is checked before it is believed: the version, every
 * count and length against the bytes present and the limits, every entry's shape, and nothing
 * left over. Any failure is a VssError('PEER') that says what was wrong; nothing is applied from
 * a chunk that fails. Entries of a kind, variant or format the kinds table does not allow are
 * skipped (`skipped`), not refused: they are a newer peer's, and say nothing this device can use.
 */
export function decodeChunk(bytes: Uint8Array): DecodedChunk {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const r = new Reader(buf);
  const version = r.u8('version');
  if (version !== VERSION) throw peer(`digest version ${version} is not one this device reads (${VERSION})`);
  const libraryId = r.uuid('library id');
  const deviceUuid = r.uuid('device uuid');
  const epoch = r.uuid('epoch');
  const fromSeq = r.varint('from-seq');
  const toSeq = r.varint('to-seq');
  if (toSeq < fromSeq) throw peer(`digest goes from seq ${fromSeq} back to ${toSeq}`);
  const flags = r.u8('flags');
  if (flags > 1) throw peer(`digest flags ${flags} are not known`);
  const full = flags === 1;
  if (full && fromSeq !== 0) throw peer(`a full digest starts at seq 0, not ${fromSeq}`);
  const tripleCount = r.varint('triple count');
  if (tripleCount > DIGEST_LIMITS.triples) throw peer(`digest names ${tripleCount} kinds of sidecar, more than ${DIGEST_LIMITS.triples}`);
  if (tripleCount * 6 > r.left) throw peer(`digest names ${tripleCount} kinds of sidecar in ${r.left} bytes`);
  // A newer peer may name sidecars this device does not know (a new kind, variant or format): their
  // entries are skipped, the rest of the digest is taken (src/sync/messages/table.ts).
  const triples: DigestTriple[] = [];
  for (let i = 0; i < tripleCount; i++) {
    const kind = r.name('kind');
    const variant = r.name('variant');
    const format = r.name('format');
    triples.push({ kind: kind as SidecarKind, variant, format, known: canName(kind, variant, format) });
  }
  const count = r.varint('entry count');
  if (count > DIGEST_LIMITS.chunkEntries) throw peer(`digest chunk holds ${count} entries, more than ${DIGEST_LIMITS.chunkEntries}`);
  if (count * MIN_ENTRY_BYTES > r.left) throw peer(`digest chunk says ${count} entries but has only ${r.left} bytes for them`);
  const offsets = new Uint32Array(count);
  let skipped = 0;
  for (let i = 0; i < count; i++) {
    offsets[i] = r.at;
    r.skip(UUID_BYTES, 'content uuid');
    const t = r.varint('triple index');
    if (t >= tripleCount) throw peer(`digest entry ${i} names kind ${t} of ${tripleCount}`);
    const has = r.u8('has');
    if (has > 1) throw peer(`digest entry ${i} has a "has" of ${has}`);
    const size = r.varint('size');
    const triple = triples[t]!;
    if (!triple.known) skipped++;
    // The store takes decoded entries as they are: every check entryShapeError makes is made here.
    else if (has === 1 && size > SIDECAR_KINDS[triple.kind].maxBytes) throw peer(`digest entry ${i} says ${size} bytes, more than any ${triple.kind} may be (${SIDECAR_KINDS[triple.kind].maxBytes})`);
    if (has === 1) r.skip(CHECKSUM_BYTES, 'checksum');
    else if (size !== 0) throw peer(`digest entry ${i} is a removal with a size`);
  }
  if (r.left !== 0) throw peer(`digest chunk has ${r.left} bytes after its last entry`);

  function forEachEntry(visit: EntryVisitor): void {
    const e = new Reader(buf);
    for (let i = 0; i < count; i++) {
      e.at = offsets[i]! + UUID_BYTES;
      const contentUuid = uuidAt(buf, offsets[i]!);
      const t = triples[e.varint('triple index')]!;
      if (!t.known) continue;
      const has = e.u8('has') === 1;
      const size = e.varint('size');
      const checksum = has ? buf.toString('hex', e.at, e.at + CHECKSUM_BYTES) : null;
      visit(contentUuid, t.kind, t.variant, t.format, has, has ? size : null, checksum);
    }
  }
  function forEachKeyed(visit: KeyedEntryVisitor): void {
    const e = new Reader(buf);
    for (let i = 0; i < count; i++) {
      const at = offsets[i]!;
      e.at = at + UUID_BYTES;
      const t = e.varint('triple index');
      if (!triples[t]!.known) continue;
      const has = e.u8('has') === 1;
      const size = e.varint('size');
      visit(buf.subarray(at, at + UUID_BYTES), t, has, size, has ? buf.subarray(e.at, e.at + CHECKSUM_BYTES) : null);
    }
  }
  function* entries(): IterableIterator<AvailabilityEntry> {
    const out: AvailabilityEntry[] = [];
    forEachEntry((contentUuid, kind, variant, format, has, size, checksum) => out.push({ contentUuid, kind, variant, format, has, size, checksum }));
    yield* out;
  }
  return { libraryId, deviceUuid, epoch, fromSeq, toSeq, full, count, skipped, byteLength: bytes.byteLength, entries, forEachEntry, triples, forEachKeyed };
}

class Reader {
  at = 0;
  constructor(private readonly buf: Buffer) {}

  get left(): number {
    return this.buf.length - this.at;
  }

  u8(what: string): number {
    if (this.at >= this.buf.length) throw peer(`digest ends before its ${what}`);
    return this.buf[this.at++]!;
  }

  skip(n: number, what: string): void {
    if (this.left < n) throw peer(`digest ends inside its ${what}`);
    this.at += n;
  }

  uuid(what: string): string {
    const at = this.at;
    this.skip(UUID_BYTES, what);
    return uuidAt(this.buf, at);
  }

  /** Unsigned LEB128 up to 2^53 − 1 (sizes and sequence numbers are JS numbers). */
  varint(what: string): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.u8(what);
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (!Number.isSafeInteger(value)) throw peer(`digest ${what} is too large`);
        return value;
      }
      scale *= 128;
    }
    throw peer(`digest ${what} is too long`);
  }

  name(what: string): string {
    const n = this.u8(`${what} length`);
    if (n === 0) throw peer(`digest names an empty ${what}`);
    const at = this.at;
    this.skip(n, what);
    return this.buf.toString('utf8', at, at + n);
  }
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
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
/** Where each byte's two digits go in the 36 characters of a uuid. */
const UUID_DIGIT_AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
/** One uuid's text is built here, then read as one flat string (a third of toString('hex') and slices). */
const uuidText = Buffer.from('00000000-0000-0000-0000-000000000000', 'latin1');

function uuidAt(buf: Buffer, at: number): string {
  for (let i = 0; i < UUID_BYTES; i++) {
    const v = buf[at + i]!;
    const p = UUID_DIGIT_AT[i]!;
    uuidText[p] = HEX_DIGITS[v >> 4]!;
    uuidText[p + 1] = HEX_DIGITS[v & 15]!;
  }
  return uuidText.toString('latin1', 0, 36);
}

/** Whether this device can name a sidecar of KIND, VARIANT and FORMAT (the kinds table and the variant grammar). */
function canName(kind: string, variant: string, format: string): boolean {
  if (!isSidecarKind(kind)) return false;
  try {
    checkVariant(kind, variant);
    checkFormat(kind, format);
    return true;
  } catch {
    return false;
  }
}

function peer(reason: string): VssError {
  return new VssError('PEER', reason);
}

/** Whether an entry handed to the store has the shape a decoded one has (entries may come from elsewhere than the codec). */
export function entryShapeError(e: AvailabilityEntry): string | undefined {
  if (!isSidecarKind(e.kind)) return `unknown sidecar kind ${JSON.stringify(e.kind)}`;
  try {
    checkVariant(e.kind, e.variant);
    checkFormat(e.kind, e.format);
  } catch (err) {
    return (err as Error).message;
  }
  return entryValueError(e);
}

/** The parts of an entry that differ from entry to entry, for an entry whose (kind, variant, format) was checked already. */
export function entryValueError(e: AvailabilityEntry): string | undefined {
  if (typeof e.contentUuid !== 'string' || !UUID_RE.test(e.contentUuid)) return `content uuid ${JSON.stringify(e.contentUuid)} is not a uuid`;
  if (e.has) {
    if (!Number.isSafeInteger(e.size) || (e.size as number) < 0) return `size ${e.size} of ${e.contentUuid} is not a size`;
    if ((e.size as number) > SIDECAR_KINDS[e.kind].maxBytes) return `size ${e.size} of ${e.kind}/${e.variant} of ${e.contentUuid} is more than any ${e.kind} may be (${SIDECAR_KINDS[e.kind].maxBytes})`;
    if (typeof e.checksum !== 'string' || !CHECKSUM_RE.test(e.checksum)) return `checksum of ${e.contentUuid} is not BLAKE3 hex`;
  }
  return undefined;
}
