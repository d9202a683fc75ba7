import type { Prepared } from './statements.js';

// What the guard (guardian/guard.ts) and those that plan by it (protect, repair, the trash emptied)
// read of a content's copies: each file or bucket object with what the evidence rule
// (guardian/evidence.ts) asks of it, and the tags' policies over it. Part of the Guardian's read
// model (guardian.ts), reached through GuardianStore.

/** A file of this device as a set of files going holds it: its location's row id and its path there. */
export function placeKey(locationId: number, rel: string): string {
  return `${locationId}\0${rel}`;
}

/** An object's key less its bucket's prefix: its path in the bucket volume, as a file's in its location. */
export const BUCKET_REL = "CASE WHEN b.prefix = '' THEN o.key ELSE substr(o.key, length(b.prefix) + 2) END";

/** One file (or bucket object) holding a content as the guard weighs it (guardian/guard.ts): where it is, and what the evidence rule (guardian/evidence.ts) asks of it. */
export interface GuardCopy {
  content_uuid: string;
  /** This library's row of the content; null for a content only paired devices or buckets hold. */
  content_id: number | null;
  /** Its device; null for an object in a bucket (a copy, off this device, but no device). */
  device_uuid: string | null;
  device_name: string | null;
  /** On this device. */
  here: 0 | 1;
  /** The store it is a copy in, as the counts group them: a drive of this device, a paired device's location, a bucket. */
  place: string;
  /** This device's location row id; null for a paired device's. */
  location_id: number | null;
  /** A paired device's location as its owner names it (what a lock asks for); null here and in a bucket. */
  location_uuid: string | null;
  location_path: string;
  rel_path: string;
  size: number;
  location_online: 0 | 1;
  verified_at: number | null;
  /** When its device (a paired one) or its drive (this device's) was last seen, ms; null where never. */
  seen_at: number | null;
  /** A file here: its row, and the identity the index holds of it. */
  entry_id: number | null;
  mtime_ms: number | null;
  ctime_ms: number | null;
  inode: number | null;
  /** A scrub recorded it rotten (a file here). */
  rotten: 0 | 1;
  /** Its drive (a volume of this device; a bucket's), as the volumes table has it: named as a person knows it by volumes/drive-name.ts. */
  drive_name: string | null;
  drive_mount: string | null;
  drive_fs: string | null;
  /** A bucket object: its volume and key. */
  volume_id: number | null;
  object_key: string | null;
  /** Its location's policy, where one is set. */
  lc: number | null;
  ld: number | null;
  lo: number | null;
}

/** The strictest tag policy over a content (its tags and the tags above them). */
export interface TagPolicyOf {
  content_uuid: string;
  copies: number | null;
  devices: number | null;
  offsite: number | null;
}

/* The stores are keyed as COPY keys them: a volume of this device, else its location; a paired device's location; a bucket. */
const GUARD_COPIES = `SELECT c.uuid AS content_uuid, c.id AS content_id, d.uuid AS device_uuid, d.name AS device_name, l.device_id = @selfId AS here,
    CASE WHEN l.device_id = @selfId THEN coalesce('v' || l.volume_id, 'l' || l.id) ELSE 'd' || l.device_id || ':' || l.id END AS place,
    l.id AS location_id, CASE WHEN l.device_id <> @selfId THEN l.uuid END AS location_uuid, l.path AS location_path, e.rel_path, e.size, l.online AS location_online, e.verified_at,
    CASE WHEN l.device_id <> @selfId THEN d.last_seen_at ELSE v.last_seen_at END AS seen_at,
    e.id AS entry_id, e.mtime_ms, e.ctime_ms, e.inode,
    EXISTS (SELECT 1 FROM rot r WHERE r.entry_id = e.id AND r.content_id = e.content_id) AS rotten,
    v.name AS drive_name, v.mount_point AS drive_mount, v.fs AS drive_fs, NULL AS volume_id, NULL AS object_key,
    lp.copies AS lc, lp.devices AS ld, lp.offsite AS lo
  FROM content_identities c JOIN entries e ON e.content_id = c.id AND e.kind = 'file'
  JOIN locations l ON l.id = +e.location_id JOIN devices d ON d.id = l.device_id LEFT JOIN volumes v ON v.id = l.volume_id
  LEFT JOIN guardian_policies lp ON lp.scope = 'location' AND lp.target = l.uuid
  WHERE c.uuid IN (SELECT value FROM json_each(@uuids))
UNION ALL
SELECT pc.content_uuid, (SELECT id FROM content_identities WHERE uuid = pc.content_uuid), e.device_uuid, d.name, 0, 'p' || e.device_uuid || ':' || e.location_id,
    NULL, pl.uuid, pl.path, CASE WHEN e.dir_path = '' THEN e.name ELSE e.dir_path || '/' || e.name END, e.size, pl.online, e.verified_at, d.last_seen_at,
    NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL,
    lp.copies, lp.devices, lp.offsite
  FROM peer_contents pc JOIN peer_entries e ON e.content_id = pc.id AND e.kind = 'file'
  JOIN peer_locations pl ON pl.device_uuid = e.device_uuid AND pl.location_id = e.location_id
  LEFT JOIN devices d ON d.uuid = e.device_uuid
  LEFT JOIN guardian_policies lp ON lp.scope = 'location' AND lp.target = pl.uuid
  WHERE pc.content_uuid IN (SELECT value FROM json_each(@uuids))
UNION ALL
SELECT o.content_uuid, (SELECT id FROM content_identities WHERE uuid = o.content_uuid), NULL, NULL, 0, 'b' || o.volume_id, NULL, NULL, v.mount_point, ${BUCKET_REL}, o.size,
    b.unreachable IS NULL, o.verified_at, b.reachable_at,
    NULL, NULL, NULL, NULL, 0, v.name, v.mount_point, v.fs, o.volume_id, o.key,
    NULL, NULL, NULL
  FROM bucket_objects o JOIN bucket_volumes b ON b.volume_id = o.volume_id JOIN volumes v ON v.id = o.volume_id
  WHERE v.device_id = @selfId AND o.content_uuid IN (SELECT value FROM json_each(@uuids)) AND o.lost_at IS NULL`;

const TAG_POLICIES = `WITH tag_policy(tag_uuid, copies, devices, offsite) AS (
  SELECT t.uuid, gp.copies, gp.devices, gp.offsite FROM guardian_policies gp JOIN tags t ON t.uuid = gp.target AND t.deleted = 0 WHERE gp.scope = 'tag'
  UNION
  SELECT t.uuid, tp.copies, tp.devices, tp.offsite FROM tag_policy tp JOIN tags t ON t.parent_uuid = tp.tag_uuid AND t.deleted = 0
)
SELECT mt.content_uuid, MAX(tp.copies) AS copies, MAX(tp.devices) AS devices, MAX(tp.offsite) AS offsite
FROM tag_policy tp JOIN metadata_tag mt ON mt.tag_uuid = tp.tag_uuid AND mt.present = 1
WHERE mt.content_uuid IN (SELECT value FROM json_each(@uuids)) GROUP BY mt.content_uuid`;

/** Every file holding one of CONTENTUUIDS, here (SELFID) and on paired devices and in buckets, with what the guard weighs. */
export function guardCopies(sql: Prepared, contentUuids: readonly string[], selfId: number): GuardCopy[] {
  if (contentUuids.length === 0) return [];
  return sql<[{ uuids: string; selfId: number }], GuardCopy>(GUARD_COPIES).all({ uuids: JSON.stringify(contentUuids), selfId });
}

/** The strictest tag policy over each of CONTENTUUIDS that has one. */
export function tagPolicies(sql: Prepared, contentUuids: readonly string[]): TagPolicyOf[] {
  if (contentUuids.length === 0) return [];
  return sql<[{ uuids: string }], TagPolicyOf>(TAG_POLICIES).all({ uuids: JSON.stringify(contentUuids) });
}
