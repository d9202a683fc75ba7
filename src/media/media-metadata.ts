/**
 * A photo's or video's embedded metadata as kept in `content_identities.media_metadata`: written
 * and read back within a bound (its shape, MediaMetadata, is in src/wire/browse.ts).
 */
import type { MediaMetadata } from '../wire/browse.js';

export type { CapturedZone, MediaMetadata, MediaPlace } from '../wire/browse.js';

/** MediaMetadata's `v`: a new shape of the JSON is a new version there and here. */
export const MEDIA_METADATA_VERSION: MediaMetadata['v'] = 1;

/**
 * What the reader takes from a file now (MediaMetadata's `r`): 2 added GPS, the place, the camera
 * and the exposure; 3 a RAW file's embedded previews and Apple's burst id.
 */
export const MEDIA_READER_REVISION = 3;

/** Upper bound of the stored JSON; every field is bounded, so this only guards against a bug. */
export const MAX_METADATA_JSON = 2048;
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
