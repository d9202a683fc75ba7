import type { Db } from '../db/connection.js';
import { BUCKET_REL, guardCopies, placeKey, tagPolicies, type GuardCopy, type TagPolicyOf } from './guard-copies.js';
import { statementCache, type Prepared } from './statements.js';

export type { GuardCopy, TagPolicyOf };

/*
 * The Guardian's counts (issue 30): every copy of every original on this device and on paired
 * devices (what their owners sent), against the policies of `guardian_policies`. A read model over
 * several tables, tuned together: each answer is one grouped query, never a query per content.
 *
 * A copy is counted once per store that holds it: a drive of this device (a location's volume; a
 * location whose volume is not known counts as a drive of its own), or a location of a paired
 * device (whose drives are not sent). Two files of one content on one drive are one copy: they die
 * with that drive.
 */

/** What one question is asked with: who this device is, now, and the library's own policy (the domain's defaults filled in). */
export interface GuardianQuery {
  /** This device's row id: copies on other devices are off-site. */
  selfId: number;
  now: number;
  /** A copy whose drive or device was last seen before this is stale. */
  staleBefore: number;
  copies: number;
  devices: number;
  offsite: number;
}

/** Contents and their bytes. */
export interface Tally {
  contents: number;
  bytes: number;
}

export interface GuardianCounts {
  all: Tally;
  safe: Tally;
  short: Tally;
  /** No copy that counts: every file of it recorded rotten, or on a device unconfirmed since a restore. */
  lost: Tally;
  single: Tally;
  stale: Tally;
  /** Held by a file of this device (its share in `byDevice`). */
  here: Tally;
}

/** A device with the contents it holds a copy of. */
export interface DeviceHolding {
  device_uuid: string;
  name: string;
  last_seen_at: number;
  /** Since when its copies are not counted: the library was restored (or recovered) and it was not heard from since (migration 050). */
  unconfirmed_since: number | null;
  contents: number;
  bytes: number;
}

/** A content as judged: its copies, devices and off-site copies, and what its policy asks. */
export interface JudgedContent {
  content_uuid: string;
  size: number;
  kind: string;
  copies: number;
  devices: number;
  offsite: number;
  /** The latest time one of its copies' drives or devices was seen. */
  seen: number;
  need_copies: number;
  need_devices: number;
  need_offsite: number;
}

/** One file holding a content, here or on a paired device. */
export interface GuardianCopy {
  content_uuid: string;
  device_uuid: string;
  device_name: string | null;
  /** This device's location row id; null for a paired device's. */
  location_id: number | null;
  location_name: string;
  location_path: string;
  rel_path: string;
  volume_name: string | null;
  volume_fingerprint: string | null;
  verified_at: number | null;
  /** The location reachable (its owner's word for a paired device's). */
  location_online: 0 | 1;
  /** A file of this device recorded rotten. */
  rotten: 0 | 1;
  /** On a device not heard from since the library was restored (or recovered): not counted. */
  unconfirmed: 0 | 1;
}

/*
 * Every content's copies, counted in two grouped passes keyed by integers: this library's files
 * in content order off `entries_by_content` (each location's device, store and last-seen time
 * read once per location, not once per file), and what is far — paired devices' files and the
 * objects verified in this device's buckets — grouped by content, each joined to this library's
 * content row by its uuid (once per content they hold, not once per content here). A store is a
 * drive of this device (a location's volume; a location whose volume is not known is a drive of
 * its own), a location of a paired device, or a bucket: a copy off this device, but no device
 * (a bucket last seen when it last answered). ONLY narrows the passes to some contents (one
 * content's detail).
 */
/*
 * One figure over one content's files, for the few held three times or more: most contents have
 * one or two files, whose figures come from the two locations of their group (its least and
 * greatest location id), read off the index without a row of the table.
 */
const ofOwn = (figure: string) =>
  `(SELECT ${figure} FROM entries e2 JOIN loc l2 ON l2.id = e2.location_id WHERE e2.content_id = g.ck AND e2.kind = 'file')`;

/**
 * The same over a content's files that count, for the contents with one that does not: recorded
 * rotten (a rotten copy is not a copy: DESIGN §19, guardian/evidence.ts), or on another device not
 * heard from since the library was restored (`devices.unconfirmed_since`: the snapshot told what it
 * held then). Only copies, devices and copies off this device are counted this way; where a content
 * lives (its locations' policies, whether it is here) still comes from all of its files.
 */
const ofGood = (figure: string) =>
  `(SELECT ${figure} FROM entries e2 JOIN loc l2 ON l2.id = e2.location_id WHERE e2.content_id = g.ck AND e2.kind = 'file' AND l2.ok
    AND NOT EXISTS (SELECT 1 FROM rot r WHERE r.entry_id = e2.id AND r.content_id = e2.content_id))`;

/** The three counted figures of `own`: over every file, or (UNCOUNTED: some file does not count) over those that count where the content has one that does not. */
const countedFigures = (uncounted: boolean) => {
  const copies = `CASE g.n WHEN 1 THEN 1 WHEN 2 THEN 1 + (la.place <> lb.place) ELSE ${ofOwn('COUNT(DISTINCT l2.place)')} END`;
  const devices = `CASE WHEN g.n > 2 THEN ${ofOwn('COUNT(DISTINCT l2.dev)')} WHEN la.dev = lb.dev THEN 1 ELSE 2 END`;
  const offsite = `CASE WHEN g.n > 2 THEN ${ofOwn('COUNT(DISTINCT CASE WHEN l2.dev <> @selfId THEN l2.place END)')}
      WHEN la.place = lb.place THEN la.dev <> @selfId ELSE (la.dev <> @selfId) + (lb.dev <> @selfId) END`;
  if (!uncounted) return [copies, devices, offsite];
  const spoilt = 'g.ck IN (SELECT ck FROM uncounted)';
  return [
    `CASE WHEN ${spoilt} THEN ${ofGood('COUNT(DISTINCT l2.place)')} ELSE ${copies} END`,
    `CASE WHEN ${spoilt} THEN ${ofGood('COUNT(DISTINCT l2.dev)')} ELSE ${devices} END`,
    `CASE WHEN ${spoilt} THEN ${ofGood('COUNT(DISTINCT CASE WHEN l2.dev <> @selfId THEN l2.place END)')} ELSE ${offsite} END`,
  ];
};

/**
 * The contents (of those OWN asks about) with a file that does not count: recorded rotten (still
 * linked to the content it rotted from), or in a location of a device unconfirmed.
 */
const uncountedCte = (own: string) => `uncounted(ck) AS MATERIALIZED (SELECT r.content_id FROM rot r JOIN entries e ON e.id = r.entry_id AND e.content_id = r.content_id WHERE ${own}
  UNION SELECT e.content_id FROM loc l CROSS JOIN entries e ON e.location_id = l.id WHERE NOT l.ok AND e.kind = 'file' AND ${own}),`;

const ALL = { own: 'e.content_id IS NOT NULL', peers: '1', buckets: '1' };

const copyCtes = (only: { own: string; peers: string; buckets: string } = ALL, uncounted = true) => `loc(id, dev, place, seen, lc, ld, lo, ok) AS MATERIALIZED (
  SELECT l.id, l.device_id, coalesce(l.volume_id, -l.id),
    CASE WHEN l.device_id <> @selfId THEN coalesce(d.last_seen_at, 0) WHEN l.online = 1 THEN @now ELSE coalesce(v.last_seen_at, l.last_scan_completed_at, 0) END,
    lp.copies, lp.devices, lp.offsite, d.unconfirmed_since IS NULL
  FROM locations l JOIN devices d ON d.id = l.device_id LEFT JOIN volumes v ON v.id = l.volume_id
  LEFT JOIN guardian_policies lp ON lp.scope = 'location' AND lp.target = l.uuid
),${uncounted ? uncountedCte(only.own) : ''}
own(ck, copies, devices, offsite, seen, lc, ld, lo, here) AS (
  SELECT g.ck,
    ${countedFigures(uncounted).join(', ')},
    CASE WHEN g.n > 2 THEN ${ofOwn('MAX(l2.seen)')} ELSE max(la.seen, lb.seen) END,
    CASE WHEN g.n > 2 THEN ${ofOwn('MAX(l2.lc)')} ELSE max(coalesce(la.lc, 0), coalesce(lb.lc, 0)) END,
    CASE WHEN g.n > 2 THEN ${ofOwn('MAX(l2.ld)')} ELSE max(coalesce(la.ld, 0), coalesce(lb.ld, 0)) END,
    CASE WHEN g.n > 2 THEN ${ofOwn('MAX(l2.lo)')} ELSE max(coalesce(la.lo, 0), coalesce(lb.lo, 0)) END,
    CASE WHEN g.n > 2 THEN ${ofOwn('MAX(l2.dev = @selfId)')} ELSE la.dev = @selfId OR lb.dev = @selfId END
  FROM (SELECT e.content_id AS ck, COUNT(*) AS n, MIN(e.location_id) AS a, MAX(e.location_id) AS b
    FROM entries e WHERE ${only.own} AND e.kind = 'file' GROUP BY e.content_id) g
  JOIN loc la ON la.id = g.a JOIN loc lb ON lb.id = g.b
),
ploc(device_uuid, location_id, seen, lc, ld, lo, ok) AS MATERIALIZED (
  SELECT pl.device_uuid, pl.location_id, coalesce(d.last_seen_at, 0), lp.copies, lp.devices, lp.offsite, d.unconfirmed_since IS NULL
  FROM peer_locations pl LEFT JOIN devices d ON d.uuid = pl.device_uuid
  LEFT JOIN guardian_policies lp ON lp.scope = 'location' AND lp.target = pl.uuid
),
far(ck, cu, pid, copies, devices, seen, lc, ld, lo, size, kind) AS MATERIALIZED (
  SELECT (SELECT c.id FROM content_identities c WHERE c.uuid = x.cu), x.cu, MIN(x.pid), COUNT(DISTINCT x.place), COUNT(DISTINCT x.dev),
    MAX(x.seen), MAX(x.lc), MAX(x.ld), MAX(x.lo), MAX(x.size), MAX(x.kind)
  FROM (
    SELECT pc.content_uuid AS cu, pc.id AS pid, CASE WHEN ploc.ok THEN e.device_uuid || ':' || e.location_id END AS place, CASE WHEN ploc.ok THEN e.device_uuid END AS dev, ploc.seen AS seen,
      ploc.lc AS lc, ploc.ld AS ld, ploc.lo AS lo, pc.size AS size, pc.kind AS kind
    FROM peer_entries e JOIN peer_contents pc ON pc.id = e.content_id
    JOIN ploc ON ploc.device_uuid = e.device_uuid AND ploc.location_id = e.location_id
    WHERE ${only.peers} AND e.kind = 'file'
    UNION ALL
    SELECT o.content_uuid, NULL, 'b' || o.volume_id, NULL, coalesce(b.reachable_at, 0), NULL, NULL, NULL, o.size, NULL
    FROM bucket_objects o JOIN bucket_volumes b ON b.volume_id = o.volume_id JOIN volumes v ON v.id = o.volume_id
    WHERE ${only.buckets} AND v.device_id = @selfId AND o.lost_at IS NULL
  ) x GROUP BY x.cu
),
copies(ck, content_uuid, size, kind, copies, devices, offsite, seen, lc, ld, lo, here) AS (
  SELECT o.ck, c.uuid, c.size, c.kind, o.copies + coalesce(p.copies, 0), o.devices + coalesce(p.devices, 0), o.offsite + coalesce(p.copies, 0),
    max(o.seen, coalesce(p.seen, 0)), max(coalesce(o.lc, 0), coalesce(p.lc, 0)), max(coalesce(o.ld, 0), coalesce(p.ld, 0)), max(coalesce(o.lo, 0), coalesce(p.lo, 0)), o.here
  FROM own o JOIN content_identities c ON c.id = o.ck LEFT JOIN far p ON p.ck = o.ck
  UNION ALL
  SELECT coalesce(p.ck, -p.pid), p.cu, coalesce(c.size, pc.size, p.size), coalesce(c.kind, pc.kind, p.kind, 'other'), p.copies, p.devices, p.copies, p.seen,
    coalesce(p.lc, 0), coalesce(p.ld, 0), coalesce(p.lo, 0), 0
  FROM far p LEFT JOIN peer_contents pc ON pc.id = p.pid LEFT JOIN content_identities c ON c.id = p.ck
  WHERE p.ck IS NULL OR NOT EXISTS (SELECT 1 FROM entries e WHERE e.content_id = p.ck AND e.kind = 'file' AND ${only.own})
)`;

/** Each content judged against its policy: the strictest of the library's, its locations' and its tags' (with the tags beneath them). */
const judged = (ctes = copyCtes(), tags = true) => `WITH ${ctes},
tag_policy(tag_uuid, copies, devices, offsite) AS (
  SELECT t.uuid, gp.copies, gp.devices, gp.offsite FROM guardian_policies gp JOIN tags t ON t.uuid = gp.target AND t.deleted = 0 WHERE gp.scope = 'tag'
  UNION
  SELECT t.uuid, tp.copies, tp.devices, tp.offsite FROM tag_policy tp JOIN tags t ON t.parent_uuid = tp.tag_uuid AND t.deleted = 0
),
tagged(content_uuid, tc, td, tof) AS (
  SELECT mt.content_uuid, MAX(tp.copies), MAX(tp.devices), MAX(tp.offsite)
  FROM tag_policy tp JOIN metadata_tag mt ON mt.tag_uuid = tp.tag_uuid AND mt.present = 1 GROUP BY mt.content_uuid
),
judged AS (
  SELECT f.content_uuid, f.size, f.kind, f.copies, f.devices, f.offsite, f.seen, f.here,
    max(@copies, f.lc${tags ? ', coalesce(t.tc, 0)' : ''}) AS need_copies,
    max(@devices, f.ld${tags ? ', coalesce(t.td, 0)' : ''}) AS need_devices,
    max(@offsite, f.lo${tags ? ', coalesce(t.tof, 0)' : ''}) AS need_offsite
  FROM copies f${tags ? ' LEFT JOIN tagged t ON t.content_uuid = f.content_uuid' : ''}
),
verdict AS (
  SELECT *, copies >= need_copies AND devices >= need_devices AND offsite >= need_offsite AS safe FROM judged
)`;

/*
 * Each statement that judges every content comes in four: with the tags' policies or (no tag has
 * one) without their join, and with the files that do not count left out (rotten, or on a device
 * unconfirmed since a restore) or, with none such, without a look.
 */
type Variant = { tags: boolean; uncounted: boolean };
const variants = (of: (v: Variant) => string) => ({
  plain: of({ tags: false, uncounted: false }), tags: of({ tags: true, uncounted: false }),
  uncounted: of({ tags: false, uncounted: true }), tagsUncounted: of({ tags: true, uncounted: true }),
});
const variantKey = (v: Variant): keyof ReturnType<typeof variants> => (v.tags ? (v.uncounted ? 'tagsUncounted' : 'tags') : v.uncounted ? 'uncounted' : 'plain');

const COUNTS_OF = (v: Variant) => `${judged(copyCtes(ALL, v.uncounted), v.tags)}
SELECT COUNT(*) AS contents, TOTAL(size) AS bytes,
  TOTAL(safe) AS safe, TOTAL(CASE WHEN safe THEN size END) AS safe_bytes,
  TOTAL(copies = 0) AS lost, TOTAL(CASE WHEN copies = 0 THEN size END) AS lost_bytes,
  TOTAL(copies = 1) AS single, TOTAL(CASE WHEN copies = 1 THEN size END) AS single_bytes,
  TOTAL(seen < @staleBefore) AS stale, TOTAL(CASE WHEN seen < @staleBefore THEN size END) AS stale_bytes,
  TOTAL(here) AS here, TOTAL(CASE WHEN here THEN size END) AS here_bytes
FROM verdict`;
const COUNTS = variants(COUNTS_OF);

/** One content judged (its detail view): the same question over its copies alone. */
const ONE = `${judged(copyCtes({ own: 'e.content_id = (SELECT id FROM content_identities WHERE uuid = @uuid)', peers: 'pc.content_uuid = @uuid', buckets: 'o.content_uuid = @uuid' }))}
SELECT content_uuid, size, kind, copies, devices, offsite, seen, need_copies, need_devices, need_offsite FROM verdict WHERE content_uuid = @uuid`;

/**
 * How many copies each of some contents has (the grid's "exists once", a page of tiles at a time):
 * the stores `copyCte` counts — a drive of this device or a paired device's location — read
 * straight off the indexes, without the policies, times and devices a judgement needs.
 */
const COPY_COUNTS = `SELECT uuid, COUNT(*) AS copies FROM (
  SELECT c.uuid AS uuid, l.device_id AS dev, coalesce(l.volume_id, -l.id) AS place
  FROM content_identities c JOIN entries e ON e.content_id = c.id AND e.kind = 'file' JOIN locations l ON l.id = +e.location_id
  JOIN devices d ON d.id = l.device_id
  WHERE c.uuid IN (SELECT value FROM json_each(@uuids)) AND NOT EXISTS (SELECT 1 FROM rot r WHERE r.entry_id = e.id AND r.content_id = c.id)
    AND d.unconfirmed_since IS NULL
  UNION
  SELECT pc.content_uuid, e.device_uuid, e.location_id
  FROM peer_contents pc JOIN peer_entries e ON e.content_id = pc.id AND e.kind = 'file'
  JOIN peer_locations pl ON pl.device_uuid = e.device_uuid AND pl.location_id = e.location_id
  LEFT JOIN devices d ON d.uuid = e.device_uuid
  WHERE pc.content_uuid IN (SELECT value FROM json_each(@uuids)) AND d.unconfirmed_since IS NULL
) GROUP BY uuid`;

const AT_RISK_OF = (v: Variant) => `${judged(copyCtes(ALL, v.uncounted), v.tags)}
SELECT content_uuid, size, kind, copies, devices, offsite, seen, need_copies, need_devices, need_offsite FROM verdict
WHERE NOT safe ORDER BY copies, size DESC, content_uuid LIMIT @limit`;
const AT_RISK = variants(AT_RISK_OF);

/*
 * Each device with the contents it holds: this library's own rows by (content, device) pairs, a
 * paired device's by its content rows (one per content it holds, kept while a file holds it).
 */
/*
 * Each device with the contents it holds: this device's from the counts' pass (@hereContents,
 * @hereBytes); those of another device whose locations this library still holds (a library folder
 * moved here from it) by (content, device) pairs, its locations first (none, mostly); a paired device's by its content rows (one per
 * content it holds, kept while a file holds it).
 */
const BY_DEVICE = `WITH
own(dev, contents, bytes) AS (
  SELECT h.dev, COUNT(*), TOTAL(c.size) FROM (SELECT DISTINCT e.content_id AS ck, l.device_id AS dev FROM locations l CROSS JOIN entries e ON e.location_id = l.id
    WHERE l.device_id <> @selfId AND e.content_id IS NOT NULL AND e.kind = 'file') h JOIN content_identities c ON c.id = h.ck GROUP BY h.dev
  UNION ALL
  SELECT @selfId, @hereContents, @hereBytes
),
theirs(device_uuid, contents, bytes) AS (
  SELECT pc.device_uuid, COUNT(*), TOTAL(pc.size) FROM peer_contents pc
  WHERE pc.id IN (SELECT e.content_id FROM peer_entries e WHERE e.kind = 'file') GROUP BY pc.device_uuid
)
SELECT d.uuid AS device_uuid, d.name, d.last_seen_at, d.unconfirmed_since, coalesce(o.contents, 0) + coalesce(t.contents, 0) AS contents,
  CAST(coalesce(o.bytes, 0) + coalesce(t.bytes, 0) AS INTEGER) AS bytes
FROM devices d LEFT JOIN own o ON o.dev = d.id LEFT JOIN theirs t ON t.device_uuid = d.uuid ORDER BY d.id <> @selfId, d.name, d.uuid`;

const COPIES = `SELECT * FROM (SELECT c.uuid AS content_uuid, d.uuid AS device_uuid, d.name AS device_name, l.id AS location_id, l.name AS location_name,
    l.path AS location_path, e.rel_path, v.name AS volume_name, v.fingerprint AS volume_fingerprint, e.verified_at, l.online AS location_online,
    EXISTS (SELECT 1 FROM rot r WHERE r.entry_id = e.id AND r.content_id = c.id) AS rotten, d.unconfirmed_since IS NOT NULL AS unconfirmed
  FROM content_identities c JOIN entries e ON e.content_id = c.id AND e.kind = 'file'
  JOIN locations l ON l.id = +e.location_id JOIN devices d ON d.id = l.device_id LEFT JOIN volumes v ON v.id = l.volume_id
  WHERE c.uuid IN (SELECT value FROM json_each(@uuids))
UNION ALL
SELECT pc.content_uuid, e.device_uuid, d.name, NULL, pl.name, pl.path,
    CASE WHEN e.dir_path = '' THEN e.name ELSE e.dir_path || '/' || e.name END, NULL, NULL, e.verified_at, pl.online, 0, d.unconfirmed_since IS NOT NULL
  FROM peer_contents pc JOIN peer_entries e ON e.content_id = pc.id AND e.kind = 'file'
  JOIN peer_locations pl ON pl.device_uuid = e.device_uuid AND pl.location_id = e.location_id
  LEFT JOIN devices d ON d.uuid = e.device_uuid
  WHERE pc.content_uuid IN (SELECT value FROM json_each(@uuids))
UNION ALL
SELECT o.content_uuid, @self, coalesce(v.name, v.mount_point), NULL, coalesce(v.name, v.mount_point), v.mount_point, ${BUCKET_REL}, v.name, v.fingerprint, o.verified_at,
    b.unreachable IS NULL, 0, 0
  FROM bucket_objects o JOIN bucket_volumes b ON b.volume_id = o.volume_id JOIN volumes v ON v.id = o.volume_id
  WHERE o.content_uuid IN (SELECT value FROM json_each(@uuids)) AND o.lost_at IS NULL)
ORDER BY content_uuid, device_uuid <> @self, device_uuid, location_name, rel_path`;

/** The Guardian's reads: counts, the contents that fall short, and where their copies are. */
export class GuardianStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  /** Contents and bytes in all, safe (meeting their policy), short of it, held once, and only on drives or devices not seen lately. */
  counts(q: GuardianQuery): GuardianCounts {
    const r = this.sql<[GuardianQuery], Record<'contents' | 'bytes' | 'safe' | 'safe_bytes' | 'lost' | 'lost_bytes' | 'single' | 'single_bytes' | 'stale' | 'stale_bytes' | 'here' | 'here_bytes', number>>(COUNTS[this.variant()]).get(q)!;
    const all = { contents: r.contents, bytes: r.bytes };
    const safe = { contents: r.safe, bytes: r.safe_bytes };
    return {
      all, safe, short: { contents: all.contents - safe.contents, bytes: all.bytes - safe.bytes }, lost: { contents: r.lost, bytes: r.lost_bytes },
      single: { contents: r.single, bytes: r.single_bytes }, stale: { contents: r.stale, bytes: r.stale_bytes },
      here: { contents: r.here, bytes: r.here_bytes },
    };
  }

  /** The contents short of their policy, fewest copies first (then largest), LIMIT of them. */
  atRisk(q: GuardianQuery, limit: number): JudgedContent[] {
    return this.sql<[GuardianQuery & { limit: number }], JudgedContent>(AT_RISK[this.variant()]).all({ ...q, limit });
  }

  /** Which statement judges every content: the tags' policies joined only where a tag has one, files that do not count looked for only where one is recorded rotten or a device is unconfirmed. */
  private variant(): keyof typeof COUNTS {
    const tags = this.sql<[], number>("SELECT EXISTS (SELECT 1 FROM guardian_policies WHERE scope = 'tag')").pluck().get() === 1;
    const uncounted = this.sql<[], number>('SELECT EXISTS (SELECT 1 FROM rot) OR EXISTS (SELECT 1 FROM devices WHERE unconfirmed_since IS NOT NULL)').pluck().get() === 1;
    return variantKey({ tags, uncounted });
  }

  /** Content UUID judged against its policy (undefined: no copy of it is known anywhere). */
  judge(q: GuardianQuery, uuid: string): JudgedContent | undefined {
    return this.sql<[GuardianQuery & { uuid: string }], JudgedContent>(ONE).get({ ...q, uuid });
  }

  /** How many copies each of UUIDS has (a content with none known is left out). */
  copyCounts(uuids: readonly string[]): Map<string, number> {
    if (uuids.length === 0) return new Map();
    const rows = this.sql<[{ uuids: string }], { uuid: string; copies: number }>(COPY_COUNTS).all({ uuids: JSON.stringify(uuids) });
    return new Map(rows.map((r) => [r.uuid, r.copies]));
  }

  /** Every device of the library (this one first) with the contents it holds a copy of; HERE: this device's, as `counts` found them. */
  byDevice(selfId: number, here: Tally): DeviceHolding[] {
    return this.sql<[{ selfId: number; hereContents: number; hereBytes: number }], DeviceHolding>(BY_DEVICE).all({ selfId, hereContents: here.contents, hereBytes: here.bytes });
  }

  /** Every file holding one of these contents, here and on paired devices: by content, this device first. */
  copiesOf(contentUuids: readonly string[], self: string): GuardianCopy[] {
    if (contentUuids.length === 0) return [];
    return this.sql<[{ uuids: string; self: string }], GuardianCopy>(COPIES).all({ uuids: JSON.stringify(contentUuids), self });
  }

  /** Every file holding one of these contents, here and on paired devices, with what the guard weighs (guard-copies.ts). */
  guardCopies(contentUuids: readonly string[], selfId: number): GuardCopy[] {
    return guardCopies(this.sql, contentUuids, selfId);
  }

  /**
   * Of CONTENTUUIDS, those with a file or object known anywhere but the files here GOING (their
   * `placeKey`s): on any device, in any bucket, rotten, changed or offline too (every copy the
   * index knows, not only those that count now).
   */
  knownElsewhere(contentUuids: readonly string[], selfId: number, going: ReadonlySet<string> = new Set()): Set<string> {
    const out = new Set<string>();
    if (contentUuids.length === 0) return out;
    for (const c of this.guardCopies(contentUuids, selfId)) {
      if (c.here === 1 && c.location_id !== null && going.has(placeKey(c.location_id, c.rel_path))) continue;
      out.add(c.content_uuid);
    }
    return out;
  }

  /** The strictest tag policy over each of these contents that has one (guard-copies.ts). */
  tagPolicies(contentUuids: readonly string[]): TagPolicyOf[] {
    return tagPolicies(this.sql, contentUuids);
  }
}
