import { existsSync, statSync } from 'node:fs';
import { childLog } from '../core/log.js';
import { PathRefusedError } from '../library/confine.js';
import type { Library } from '../library/library.js';
import { parseMetadata } from '../media/media-metadata.js';
import type { ContentRecord } from '../store/contents.js';
import { locationOnline, type LocationPlace } from '../volumes/location-online.js';

const log = childLog('source-file');

/** How many of a content's copies are tried before giving up. */
const MAX_COPIES = 32;

/**
 * A file of this content that is on this device now (DESIGN §4: "finds a current source entry"):
 * the first indexed path that still exists with the content's size, inside a location this
 * device's user added and not through a symlink (a copy the library's rows point elsewhere with
 * is refused and logged). The generator re-reads it, so a file changed since indexing is caught
 * by its size here or by the decoder. A location is judged online by its volume (the mount
 * table), not by its folder: an unplugged drive leaves its mount point behind, empty, and its
 * files would look deleted.
 */
export function findSourceFile(lib: Library, content: Pick<ContentRecord, 'id' | 'size'>): SourceLookup {
  let refused: string | undefined;
  let offline: string | undefined;
  const places = new Map<number, LocationPlace | undefined>();
  let inBucket: BucketSource | undefined;
  for (const r of lib.store.entries.copiesOnDevice(content.id, lib.deviceId, MAX_COPIES)) {
    try {
      // An object of a bucket location: read only if no file here has the content (its fetch says whether the bucket answers).
      if (lib.store.locations.byId(r.location_id)?.kind === 'bucket') {
        inBucket ??= { locationId: r.location_id, rel: r.rel_path };
        continue;
      }
      lib.roots.location(r.location_id); // refused before anything else: a location nobody added here is not waited for
      if (!places.has(r.location_id)) places.set(r.location_id, locationOnline(lib, r.location_id));
      const place = places.get(r.location_id);
      if (place && !place.online) {
        offline ??= place.path;
        continue;
      }
      const root = lib.roots.location(r.location_id);
      if (!existsSync(root.root)) {
        offline ??= root.root;
        continue;
      }
      const path = root.regularFile(r.rel_path);
      const st = statSync(path);
      if (st.isFile() && st.size === content.size) return { path, locationId: r.location_id };
    } catch (err) {
      if (err instanceof PathRefusedError) {
        log.warn({ path: err.path, reason: err.message }, 'source refused');
        refused ??= err.message;
      }
      // Gone since indexing, or refused: try the next copy.
    }
  }
  if (inBucket) return { reason: `the content is only in a bucket here (location ${inBucket.locationId})`, offline: false, inBucket };
  if (offline) return { reason: `the location folder ${offline} is not reachable now (an unplugged drive?)`, offline: true };
  if (refused) return { reason: `no copy vss may read: ${refused}`, offline: false };
  return { reason: 'no file with this content is on this device now (moved or deleted since indexing?)', offline: false };
}

/**
 * A content's file to read (and the location it is in), or why there is none (OFFLINE: its
 * location is not reachable now); IN_BUCKET: no file here, but an object of a bucket location has
 * it (fetched whole for a tool that needs a file: `jobs/bucket-source.ts`).
 */
export type SourceLookup = { path: string; locationId: number } | { path?: undefined; reason: string; offline: boolean; inBucket?: BucketSource };

/** An object of a bucket location holding a content. */
export interface BucketSource {
  locationId: number;
  rel: string;
}

/** How a job waiting for an unplugged drive is noted (`jobs list`); such waits do not hold `jobs run --until-idle` on a daemon. */
export const OFFLINE_WAIT_NOTE = 'waiting for its drive';

/** How long a job whose source is on an unplugged drive waits before it looks again (no attempt spent). */
export const OFFLINE_WAIT_MS = 10_000;

/**
 * Why location ID is offline now (its drive unplugged, its folder gone), or undefined while it is
 * online: asked when a job's read of it failed, so an unplugged drive is waited for instead of
 * spending the job's attempts or failing its sidecars.
 */
export function offlineReason(lib: Library, locationId: number): string | undefined {
  const place = locationOnline(lib, locationId);
  return place && !place.online ? `${OFFLINE_WAIT_NOTE}: location ${locationId}: ${place.reason}` : undefined;
}

/**
 * The stored media metadata as generators see it (a plain record), through the one parser that
 * checks its version; unreadable or absent metadata is null.
 */
export function metadataOf(raw: string | null): Record<string, unknown> | null {
  return parseMetadata(raw) as unknown as Record<string, unknown> | null;
}
