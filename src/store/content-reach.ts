import type { Db } from '../db/connection.js';
import type { ContentRecord } from './contents.js';
import { statementCache, type Prepared } from './statements.js';
/** A content to get back (`content get --all`): its identity, and where the library recorded a file of it (null: nowhere). */
export interface MissingContent extends Pick<ContentRecord, 'id' | 'uuid' | 'size' | 'mime' | 'cas_id' | 'cas_version'> {
  location_name: string | null;
  rel_path: string | null;
  mtime_ms: number | null;
}

/**
 * Which contents this device has a copy of, can read one of, or cannot reach (`content get --all`,
 * issue 60: a library recovered on a new computer). The contents' table is the contents store's;
 * these questions join it to the entries, locations, bucket objects and paired devices' rows.
 */
export class ContentReachStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  /**
   * A page of the contents (after row id AFTER) that no location of device DEVICEID on its own
   * disks holds a file of, held where a copy can be read from: an object of one of its bucket
   * volumes, a file of one of its bucket locations, a paired device's file. FROMVOLUME: only those
   * held on that volume (a drive's locations then do not count as holding one here). With the path
   * the library recorded first for it (lowest entry id) in a location on a disk of any device.
   */
  missingHerePage(deviceId: number, fromVolume: number | null, afterId: number, limit: number): MissingContent[] {
    const { onDisk, held } = missingTerms(fromVolume);
    return this.sql<[{ dev: number; vol?: number; after: number; limit: number }], MissingContent>(
      `WITH page AS (SELECT c.id, c.uuid, c.size, c.mime, c.cas_id, c.cas_version,
         (SELECT e.id FROM entries e JOIN locations l ON l.id = +e.location_id WHERE e.content_id = c.id AND e.kind = 'file' AND l.kind <> 'bucket' ORDER BY e.id LIMIT 1) AS entry_id
       FROM content_identities c WHERE c.id > @after
         AND NOT EXISTS (SELECT 1 FROM entries e JOIN locations l ON l.id = +e.location_id WHERE e.content_id = c.id AND e.kind = 'file' AND l.device_id = @dev AND ${onDisk})
         AND (${held}) ORDER BY c.id LIMIT @limit)
       SELECT page.id, page.uuid, page.size, page.mime, page.cas_id, page.cas_version, l.name AS location_name, e.rel_path, e.mtime_ms
       FROM page LEFT JOIN entries e ON e.id = page.entry_id LEFT JOIN locations l ON l.id = e.location_id ORDER BY page.id`,
    ).all({ dev: deviceId, ...(fromVolume === null ? {} : { vol: fromVolume }), after: afterId, limit });
  }

  /**
   * The contents no location of device DEVICEID on its own disks holds a file of and that are held
   * nowhere it can read a copy from (`missingHerePage`'s other side): those only on another device's
   * own disks as the library last heard — after a recovery, the lost computer's — or on none.
   */
  unreachableFrom(deviceId: number): { files: number; bytes: number } {
    const { onDisk, held } = missingTerms(null);
    return this.sql<[{ dev: number }], { files: number; bytes: number }>(
      `SELECT COUNT(*) AS files, TOTAL(c.size) AS bytes FROM content_identities c
       WHERE NOT EXISTS (SELECT 1 FROM entries e JOIN locations l ON l.id = +e.location_id WHERE e.content_id = c.id AND e.kind = 'file' AND l.device_id = @dev AND ${onDisk})
         AND NOT (${held})`,
    ).get({ dev: deviceId })!;
  }
}

/**
 * The terms of "no copy here, one reachable" (`content get --all`): a location of this device
 * (@dev) on its own disks (FROMVOLUME: not on that volume), and a copy it can read — a verified
 * object of one of its bucket volumes, a file of one of its bucket locations, a paired device's
 * file (FROMVOLUME: on that volume only).
 */
function missingTerms(fromVolume: number | null): { onDisk: string; held: string } {
  const onDisk = fromVolume === null ? `l.kind <> 'bucket'` : `l.kind <> 'bucket' AND l.volume_id IS NOT @vol`;
  const held = fromVolume === null
    ? `EXISTS (SELECT 1 FROM bucket_objects o JOIN volumes v ON v.id = o.volume_id WHERE o.content_uuid = c.uuid AND v.device_id = @dev AND o.lost_at IS NULL AND o.verified_at IS NOT NULL)
       OR EXISTS (SELECT 1 FROM entries e JOIN locations l ON l.id = +e.location_id WHERE e.content_id = c.id AND e.kind = 'file' AND l.device_id = @dev AND l.kind = 'bucket')
       OR EXISTS (SELECT 1 FROM peer_contents p JOIN peer_entries pe ON pe.content_id = p.id WHERE p.content_uuid = c.uuid)`
    : `EXISTS (SELECT 1 FROM bucket_objects o WHERE o.content_uuid = c.uuid AND o.volume_id = @vol AND o.lost_at IS NULL AND o.verified_at IS NOT NULL)
       OR EXISTS (SELECT 1 FROM entries e JOIN locations l ON l.id = +e.location_id WHERE e.content_id = c.id AND e.kind = 'file' AND l.device_id = @dev AND l.volume_id = @vol)`;
  return { onDisk, held };
}
