import { UUID_RE } from '../../sidecars/address.js';
import { SIDECAR_KINDS, checkFormat, checkVariant, isSidecarKind, type SidecarKind } from '../../sidecars/kinds.js';

// What a digest chunk carries and within which bounds (its binary layout: `encodeChunk`, codec.ts),
// shared by the encoder (codec.ts) and the decoder (codec-decode.ts), and what an entry must be.

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

export const VERSION = 1;
export const UUID_BYTES = 16;
export const CHECKSUM_BYTES = 32;
/** Smallest entry: uuid, a one-byte triple index, has, a one-byte size (a tombstone has no checksum). */
export const MIN_ENTRY_BYTES = UUID_BYTES + 3;
export const MAX_ENTRY_BYTES = UUID_BYTES + 5 + 1 + 8 + CHECKSUM_BYTES;
export const HEADER_MAX_BYTES = 1 + 3 * UUID_BYTES + 2 * 8 + 1 + 5 + 5;
export const MAX_NAME_BYTES = 255;
export const CHECKSUM_RE = /^[0-9a-f]{64}$/;

/**
 * An entry as the store reads it from its table: content uuid, kind, variant, format (null: the
 * kind's usual one, for rows made before formats were kept), has (0 or 1), size, checksum; any
 * further columns are not read.
 */
export type EntryRow = readonly [string, string, string, string | null, number, number | null, string | null, ...unknown[]];

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
