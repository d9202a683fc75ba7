import { VssError } from '../../core/errors.js';
import { SIDECAR_KINDS, checkFormat, checkVariant, isSidecarKind, type SidecarKind } from '../../sidecars/kinds.js';
import { CHECKSUM_BYTES, DIGEST_LIMITS, MIN_ENTRY_BYTES, UUID_BYTES, VERSION, type AvailabilityEntry, type DigestHeader } from './codec-format.js';

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
