import { statfsSync } from 'node:fs';
import type { Library } from '../library/library.js';
import type { LocationRecord } from '../store/locations.js';
import { volumeHolding } from './detect.js';
import { driveName } from './drive-name.js';
import type { LocationPlace, MountedNow } from './location-online.js';
import { offlineReason } from './offline-reason.js';

/** What the Locations page and `location list` show of a location's drive now. */
export interface LocationDrive {
  /** The drive it lies on, as a person names it (`drive-name.ts`); null before its volume is known. */
  volume_name: string | null;
  /** Bytes free for this user and the drive's size, read now; null for a bucket and while offline. */
  free_bytes: number | null;
  total_bytes: number | null;
  /** Why it is offline, for a person; null while online. */
  offline_reason: string | null;
}

/**
 * The drive of location ROW, which is at PLACE now (as `placeOf`/`settleLocation` judged it from
 * NOW's mount table): its name, its free space (statfs as NOW read it), and why it is offline.
 */
export function driveOf(lib: Library, row: Pick<LocationRecord, 'volume_id'>, place: LocationPlace, now: MountedNow): LocationDrive {
  const volumeId = place.volumeId ?? row.volume_id;
  const vol = volumeId !== null ? lib.store.volumes.byId(volumeId, lib.deviceId) : undefined;
  const offline_reason = place.online ? null : offlineReason(place.why);
  if (vol?.fs === 's3') return { volume_name: driveName(vol), free_bytes: null, total_bytes: null, offline_reason };
  // A drive mounted now is found by its fingerprint; a location on no volume yet by the mount holding its folder.
  const mounted = vol ? now.volumes.find((v) => v.fingerprint === vol.fingerprint) : place.online ? volumeHolding(now.volumes, place.path) : undefined;
  const named = vol ?? (mounted ? now.rows.get(mounted.fingerprint) : undefined);
  const volume_name = named ? driveName(named) : null;
  if (!place.online) return { volume_name, free_bytes: null, total_bytes: null, offline_reason };
  if (mounted) return { volume_name, free_bytes: mounted.free, total_bytes: mounted.capacity, offline_reason };
  // No mount reader here (not Linux): the folder's own filesystem says.
  try {
    const st = statfsSync(place.path);
    return { volume_name, free_bytes: st.bavail * st.bsize, total_bytes: st.blocks * st.bsize, offline_reason };
  } catch {
    return { volume_name, free_bytes: null, total_bytes: null, offline_reason };
  }
}
