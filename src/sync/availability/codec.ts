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
 * One chunk of a digest in its binary form (DESIGN §9, "a compact binary encoding"):
 *   u8 version · library id, device uuid, epoch (16 raw bytes each) · from-seq, to-seq (varint) ·
 *   u8 flags (bit 0: full) · triple count (varint), each: kind, variant, format (u8 length + UTF-8) ·
 *   entry count (varint), each: content uuid (16 raw bytes) · triple index (varint) · u8 has ·
 *   size (varint) · checksum (32 raw bytes, only when has = 1).
 * Entries must be well-formed; they come from this device's own database.
 */
export function encodeChunk(header: DigestHeader, entries: readonly AvailabilityEntry[]): Uint8Array {
  if (entries.length > DIGEST_LIMITS.chunkEntries) throw new VssError('USAGE', `a chunk holds at most ${DIGEST_LIMITS.chunkEntries} entries, not ${entries.length}`);
  const tripleIds = new Map<string, number>();
  const triples: Array<[string, string, string]> = [];
  const ids = new Uint32Array(entries.length);
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const key = `${e.kind}\0${e.variant}\0${e.format}`;
    let id = tripleIds.get(key);
    if (id === undefined) {
      id = triples.length;
      if (id >= DIGEST_LIMITS.triples) throw new VssError('USAGE', `a chunk holds at most ${DIGEST_LIMITS.triples} kinds of sidecar`);
      tripleIds.set(key, id);
      triples.push([e.kind, e.variant, e.format]);
    }
    ids[i] = id;
  }
  const names = triples.flat().map((n) => Buffer.from(n, 'utf8'));
  const size = HEADER_MAX_BYTES + names.reduce((n, b) => n + 1 + b.length, 0) + 5 + entries.length * MAX_ENTRY_BYTES;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  out[at++] = VERSION;
  at = putUuid(out, at, header.libraryId, 'library id');
  at = putUuid(out, at, header.deviceUuid, 'device uuid');
  at = putUuid(out, at, header.epoch, 'epoch');
  at = putVarint(out, at, header.fromSeq);
  at = putVarint(out, at, header.toSeq);
  out[at++] = header.full ? 1 : 0;
  at = putVarint(out, at, triples.length);
  for (const n of names) {
    if (n.length > MAX_NAME_BYTES) throw new VssError('USAGE', 'a sidecar kind, variant or format name is too long to encode');
    out[at++] = n.length;
    at += n.copy(out, at);
  }
  at = putVarint(out, at, entries.length);
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    at = putUuid(out, at, e.contentUuid, 'content uuid');
    at = putVarint(out, at, ids[i]!);
    if (e.has) {
      out[at++] = 1;
      at = putVarint(out, at, e.size ?? 0);
      if (e.checksum === null || out.write(e.checksum, at, CHECKSUM_BYTES, 'hex') !== CHECKSUM_BYTES) {
        throw new VssError('USAGE', `availability entry of ${e.contentUuid} has no valid checksum`);
      }
      at += CHECKSUM_BYTES;
    } else {
      out[at++] = 0;
      out[at++] = 0;
    }
  }
  return out.subarray(0, at);
}

/** A chunk read and checked whole; its entries are built as they are iterated. */
export interface DecodedChunk extends DigestHeader {
  count: number;
  byteLength: number;
  entries(): IterableIterator<AvailabilityEntry>;
}

/**
 * Read a chunk from a peer. Everything is checked before it is believed: the version, every
 * count and length against the bytes present and the limits, each kind, variant and format
 * against the kinds table, every entry's shape, and nothing left over. Any failure is a
 * VssError('PEER') that says what was wrong; nothing is applied from a chunk that fails.
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
  const triples: Array<{ kind: SidecarKind; variant: string; format: string }> = [];
  for (let i = 0; i < tripleCount; i++) {
    const kind = r.name('kind');
    const variant = r.name('variant');
    const format = r.name('format');
    if (!isSidecarKind(kind)) throw peer(`digest names an unknown sidecar kind ${JSON.stringify(kind)}`);
    try {
      checkVariant(kind, variant);
      checkFormat(kind, format);
    } catch (err) {
      throw peer(`digest names a sidecar this device refuses: ${(err as Error).message}`);
    }
    triples.push({ kind, variant, format });
  }
  const count = r.varint('entry count');
  if (count > DIGEST_LIMITS.chunkEntries) throw peer(`digest chunk holds ${count} entries, more than ${DIGEST_LIMITS.chunkEntries}`);
  if (count * MIN_ENTRY_BYTES > r.left) throw peer(`digest chunk says ${count} entries but has only ${r.left} bytes for them`);
  const offsets = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    offsets[i] = r.at;
    r.skip(UUID_BYTES, 'content uuid');
    const t = r.varint('triple index');
    if (t >= tripleCount) throw peer(`digest entry ${i} names kind ${t} of ${tripleCount}`);
    const has = r.u8('has');
    if (has > 1) throw peer(`digest entry ${i} has a "has" of ${has}`);
    const size = r.varint('size');
    if (has === 1) r.skip(CHECKSUM_BYTES, 'checksum');
    else if (size !== 0) throw peer(`digest entry ${i} is a removal with a size`);
  }
  if (r.left !== 0) throw peer(`digest chunk has ${r.left} bytes after its last entry`);

  function* entries(): IterableIterator<AvailabilityEntry> {
    const e = new Reader(buf);
    for (let i = 0; i < count; i++) {
      e.at = offsets[i]! + UUID_BYTES;
      const contentUuid = uuidAt(buf, offsets[i]!);
      const t = triples[e.varint('triple index')]!;
      const has = e.u8('has') === 1;
      const size = e.varint('size');
      const checksum = has ? buf.toString('hex', e.at, e.at + CHECKSUM_BYTES) : null;
      yield { contentUuid, kind: t.kind, variant: t.variant, format: t.format, has, size: has ? size : null, checksum };
    }
  }
  return { libraryId, deviceUuid, epoch, fromSeq, toSeq, full, count, byteLength: bytes.byteLength, entries };
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

function putUuid(out: Buffer, at: number, uuid: string, what: string): number {
  if (uuid.length !== 36 || !UUID_RE.test(uuid)) throw new VssError('USAGE', `${what} ${JSON.stringify(uuid)} is not a uuid`);
  out.write(uuid.slice(0, 8), at, 4, 'hex');
  out.write(uuid.slice(9, 13), at + 4, 2, 'hex');
  out.write(uuid.slice(14, 18), at + 6, 2, 'hex');
  out.write(uuid.slice(19, 23), at + 8, 2, 'hex');
  out.write(uuid.slice(24, 36), at + 10, 6, 'hex');
  return at + UUID_BYTES;
}

function uuidAt(buf: Buffer, at: number): string {
  const h = buf.toString('hex', at, at + UUID_BYTES);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
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
