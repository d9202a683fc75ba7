/**
 * What vss keeps of a photo's or video's embedded metadata, stored as JSON in
 * `content_identities.media_metadata`. Small on purpose: capture time, dimensions and the
 * identifiers that tie a Live Photo's still to its movie. Metadata is a property of the bytes,
 * so it is read once per content, whatever device or location holds a copy.
 */
export interface MediaMetadata {
  /** Shape version of this JSON; a reader that cannot parse a version treats the row as unread. */
  v: typeof MEDIA_METADATA_VERSION;
  /** When the shot was taken, ISO 8601; with an offset when the file or its context says one. */
  captured_at?: string;
  /** The same instant in epoch ms. Without a known zone: the wall-clock time read as UTC. */
  captured_ms?: number;
  /** How sure the zone of `captured_ms` is: written in the file, inferred (GPS, video UTC rule), or unknown. */
  captured_zone?: CapturedZone;
  width?: number;
  height?: number;
  /** EXIF orientation 1–8 (images). */
  orientation?: number;
  /** Seconds (videos). */
  duration_s?: number;
  /** Apple's Live Photo pairing id: the movie's QuickTime Keys tag, or the still's MakerNote tag 0x11. */
  content_identifier?: string;
  /** The still's MakerNote tag 0x11 under its older ExifTool name, when a reader reports it so. */
  media_group_uuid?: string;
  /**
   * Images: whether the file declares a Google/Samsung motion photo (an embedded movie); absent
   * when the tags cannot tell (a Samsung trailer is invisible to ExifTool's fast read).
   */
  motion_photo?: boolean;
  /** Set when ExifTool could not read the file at all; no other field is then present. */
  error?: string;
}

export type CapturedZone = 'explicit' | 'inferred' | 'unknown';

export const MEDIA_METADATA_VERSION = 1;

/** Upper bound of the stored JSON; every field is bounded, so this only guards against a bug. */
export const MAX_METADATA_JSON = 1024;
const MAX_TEXT = 128;

/** Serialise for the database, refusing anything over the bound. */
export function serializeMetadata(m: MediaMetadata): string {
  const json = JSON.stringify(m);
  if (json.length <= MAX_METADATA_JSON) return json;
  return JSON.stringify({ v: MEDIA_METADATA_VERSION, error: 'metadata exceeded its size bound' } satisfies MediaMetadata);
}

/** The stored JSON back as metadata; anything unparsable or of another version is null (unread). */
export function parseMetadata(json: string | null): MediaMetadata | null {
  if (!json) return null;
  try {
    const v = JSON.parse(json) as unknown;
    if (!v || typeof v !== 'object' || (v as { v?: unknown }).v !== MEDIA_METADATA_VERSION) return null;
    return v as MediaMetadata;
  } catch {
    return null;
  }
}

/**
 * An identifier as read from a file, or undefined when it is not a plausible one. Apple writes
 * UUIDs; anything printable and short is kept so other writers still pair, control characters
 * and oversized values are not.
 */
export function cleanIdentifier(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const s = value.trim();
  return s.length > 0 && s.length <= MAX_TEXT && /^[\x21-\x7e]+$/.test(s) ? s : undefined;
}

/** Identifiers compare without regard to case (some tools lower-case UUIDs). */
export function identifierKey(value: string): string {
  return value.toUpperCase();
}

/** The Live Photo identifiers a still or a movie carries, as comparison keys. */
export function liveIdentifiers(m: MediaMetadata | null): string[] {
  if (!m) return [];
  const out = new Set<string>();
  for (const v of [m.content_identifier, m.media_group_uuid]) if (v) out.add(identifierKey(v));
  return [...out];
}

/** A positive integer dimension, or undefined. */
export function cleanDimension(value: unknown): number | undefined {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 && n < 1_000_000 ? n : undefined;
}

export function truncateText(s: string): string {
  return s.length <= MAX_TEXT ? s : s.slice(0, MAX_TEXT - 1) + '…';
}
