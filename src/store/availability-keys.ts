import { VssError } from '../core/errors.js';

// How `sidecar_availability` keeps its keys (migration 013) and gives them back: a content uuid as
// its 16 bytes, (kind, variant) and a device as ids of their dictionaries, a BLAKE3 as its 32 bytes;
// read back as uuids and hex, or packed into text a page at a time for the digest codec.

/**
 * A `sidecar_availability` row as it is stored (migration 013): one device's word about one
 * sidecar, keyed compactly. CONTENT is the content uuid's 16 bytes, NAME the (kind, variant) of
 * `availability_names`, DEVICE the uuid of `availability_devices`; CHECKSUM is the BLAKE3's 32 bytes
 * (any other text a caller gave is kept as that text).
 */
export interface AvailabilityKeyedRecord {
  content: Buffer;
  name: number;
  device: number;
  has: 0 | 1;
  size: number | null;
  checksum: Buffer | string | null;
  format: string | null;
  seq: number | null;
  last_seen_at: number;
}

/** The text of a uuid kept as 16 bytes in COLUMN (lowercase, dashed). */
export const uuidText = (column: string): string => {
  const h = `hex(${column})`;
  return `lower(substr(${h}, 1, 8) || '-' || substr(${h}, 9, 4) || '-' || substr(${h}, 13, 4) || '-' || substr(${h}, 17, 4) || '-' || substr(${h}, 21))`;
};
/** A bound uuid's 16 bytes (NULL, matching nothing, when it is not hex). */
export const UUID_BYTES = "unhex(replace(?, '-', ''))";
export const NAME_ID = '(SELECT id FROM availability_names WHERE kind = ? AND variant = ?)';
export const DEVICE_ID = '(SELECT id FROM availability_devices WHERE uuid = ?)';
/** A row with its names: FROM this, the columns of AvailabilityRecord are RECORD_COLUMNS. */
export const NAMED = 'sidecar_availability a JOIN availability_names n ON n.id = a.name JOIN availability_devices d ON d.id = a.device';
/**
 * A row's checksum as text: a BLAKE3 is kept as its 32 bytes; anything else a caller gave (no
 * BLAKE3 ever looks so, but the column takes what it is given) stays the text it was.
 */
export const CHECKSUM_TEXT = "CASE typeof(a.checksum) WHEN 'blob' THEN lower(hex(a.checksum)) ELSE a.checksum END";
export const RECORD_COLUMNS = `${uuidText('a.content')} AS content_uuid, n.kind, n.variant, d.uuid AS device_uuid, a.has, a.size,
  ${CHECKSUM_TEXT} AS checksum, a.format, a.seq, a.last_seen_at`;
export const ROW_COLUMNS = `${uuidText('a.content')}, n.kind, n.variant, a.format, a.has, a.size, ${CHECKSUM_TEXT}, a.seq`;

/**
 * One row of this device's availability packed into text, so a page of rows is one string from
 * SQLite (group_concat) rather than eight values a row: content uuid (32 hex digits) · has (1) ·
 * size (16 hex) · checksum length (2 hex) and checksum (hex) · kind, variant, format lengths
 * (2 hex each) and the three names (a NULL format: the kind's usual one, filled in by the
 * encoder). Hex digits may be upper case. The layout is the digest codec's `encodePacked`
 * contract (src/sync/availability/codec.ts). Over `a` joined with its name `n`.
 */
const PACKED_CHECKSUM = "CASE typeof(a.checksum) WHEN 'blob' THEN hex(a.checksum) ELSE a.checksum END";
export const PACKED_ROW_SQL = `hex(a.content) || a.has || printf('%016x', coalesce(a.size, 0))
  || CASE WHEN a.has = 1 AND a.checksum IS NOT NULL THEN printf('%02x', length(${PACKED_CHECKSUM})) || ${PACKED_CHECKSUM} ELSE '00' END
  || printf('%02x%02x%02x', length(n.kind), length(n.variant), length(coalesce(a.format, ''))) || n.kind || n.variant || coalesce(a.format, '')`;

/** A uuid's 16 bytes (fewer when it is not one, so it matches no row). */
export function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.length === 36 ? uuid.slice(0, 8) + uuid.slice(9, 13) + uuid.slice(14, 18) + uuid.slice(19, 23) + uuid.slice(24) : '', 'hex');
}

/** As uuidBytes, for a row to be written: anything but a uuid is refused. */
export function keyBytes(uuid: string): Buffer {
  const bytes = uuidBytes(uuid);
  if (bytes.length !== 16) throw new VssError('USAGE', `availability of ${JSON.stringify(uuid).slice(0, 60)}, which is not a content uuid`);
  return bytes;
}

/** A checksum to be written: BLAKE3 hex as its 32 bytes; anything else as the text it is (CHECKSUM_TEXT). */
export function checksumBytes(checksum: string): Buffer | string {
  return BLAKE3_HEX.test(checksum) ? Buffer.from(checksum, 'hex') : checksum;
}

const BLAKE3_HEX = /^[0-9a-f]{64}$/;

export function sameChecksum(a: Buffer | string | null, b: Buffer | string | null): boolean {
  return Buffer.isBuffer(a) && Buffer.isBuffer(b) ? a.equals(b) : a === b;
}
