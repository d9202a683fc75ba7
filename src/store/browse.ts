import type { Db } from '../db/connection.js';
import { FIRST_NAME_SQL } from './contents.js';
import { statementCache, type Prepared } from './statements.js';

/** The rows the browse order is built from, read in one snapshot (src/browse/grid-order.ts builds it). */
export interface OrderSnapshot {
  /** grid_version.n: every change that can move a content in the order bumps it (migration 009). */
  version: number;
  /** Content ids in capture order (capture day, then instant, newest first; undated last). */
  ids: number[];
  /** The capture instant of each, in the same order. */
  instants: Array<number | null>;
  /** [capture day, contents that day], in the same order. */
  dayRuns: Array<[string | null, number]>;
  /** Contents that have a file copy. */
  withFile: number[];
  /** Contents shown through another (a Live Photo still's movie). */
  hidden: number[];
  /** grid_peer_version.n: moved by every change of paired devices' rows (migration 014). */
  peerVersion: number;
  /** [content uuid, content id] of the contents both this library and a paired device hold. */
  heldHere: Array<[string, number]>;
  /**
   * The contents paired devices hold (DESIGN §15), by uuid then device, with their media
   * metadata; absent when the caller has them for peerVersion already.
   */
  remote?: Array<[uuid: string, metadata: string | null]>;
}

/** A grid tile's row for a content only paired devices hold: their facts of it, its first copy's name there, the thumbnail this device keeps of it. */
export interface RemoteTileRecord {
  uuid: string;
  kind: string;
  mime: string;
  media_metadata: string | null;
  name: string | null;
  thumb: string | null;
  live: number;
  favorite: number;
  rating: number;
  hidden: number;
}

/** A copy of a content on a paired device, with its location's name there. */
export interface PeerCopyRecord {
  device_uuid: string;
  location_name: string;
  dir_path: string;
  name: string;
}

/** What a paired device says a content is (its facts are the bytes', so any holder's will do). */
export interface PeerFactsRecord {
  kind: string;
  mime: string;
  size: number;
  media_metadata: string | null;
}

/** A grid tile's row: the content, its first copy's name, its grid thumbnail's checksum, whether it is a Live Photo. */
export interface TileRecord {
  id: number;
  uuid: string;
  kind: string;
  mime: string;
  media_metadata: string | null;
  day: string | null;
  name: string | null;
  thumb: string | null;
  live: number;
  favorite: number;
  rating: number;
  hidden: number;
}

/**
 * Which contents a grid filter on user metadata keeps (DESIGN §16): the hidden ones, the
 * favourites, those rated at least `minRating`, those carrying one of `tags` (uuids), those `person` is in.
 */
export type MetaSelection = { hidden: true } | { favorite: true } | { minRating: number } | { tags: readonly string[] } | { person: string }
  | { albums: readonly string[] } | { kinds: readonly string[] } | { uuids: readonly string[] };

/** A copy of a content, with its location. */
export interface CopyRecord {
  location_id: number;
  location_name: string;
  root: string;
  rel_path: string;
}

/** A sidecar of a content recorded here. */
export interface LocalSidecarRecord {
  kind: string;
  variant: string;
  format: string;
  status: string;
  checksum: string | null;
  size: number | null;
}

/** A sidecar another device says it has. */
export interface RemoteSidecarRecord {
  kind: string;
  variant: string;
  device_uuid: string;
  format: string | null;
  checksum: string | null;
  size: number | null;
}

/** A tile's user metadata (DESIGN §16), as `u` (user_metadata, left-joined) has it: none is 0. */
const USER_META = 'coalesce(u.favorite, 0) AS favorite, coalesce(u.rating, 0) AS rating, coalesce(u.hidden, 0) AS hidden';

const REMOTE_TILE_SQL = `SELECT p.content_uuid AS uuid, p.kind, p.mime, p.media_metadata,
    (SELECT e.name FROM peer_contents q JOIN peer_entries e ON e.content_id = q.id WHERE q.content_uuid = p.content_uuid AND e.kind = 'file'
      ORDER BY e.device_uuid, e.location_id, e.dir_path, e.name LIMIT 1) AS name,
    (SELECT s.checksum FROM sidecars s WHERE s.content_uuid = p.content_uuid AND s.kind = 'thumb' AND s.variant = 'grid@1x' AND s.status = 'ready') AS thumb,
    EXISTS (SELECT 1 FROM sidecars s WHERE s.content_uuid = p.content_uuid AND s.kind = 'live_photo_video' AND s.status = 'ready') AS live,
    ${USER_META}
  FROM peer_contents p LEFT JOIN user_metadata u ON u.content_uuid = p.content_uuid WHERE p.content_uuid IN (SELECT value FROM json_each(?))
    AND NOT EXISTS (SELECT 1 FROM peer_contents q WHERE q.content_uuid = p.content_uuid AND q.device_uuid < p.device_uuid)`;

const BY_CAPTURE = 'FROM content_identities INDEXED BY content_by_capture ORDER BY capture_day DESC, captured_ms DESC';

const TILE_SQL = `SELECT c.id, c.uuid, c.kind, c.mime, c.media_metadata, c.capture_day AS day, ${FIRST_NAME_SQL} AS name,
    (SELECT s.checksum FROM sidecars s WHERE s.content_uuid = c.uuid AND s.kind = 'thumb' AND s.variant = 'grid@1x' AND s.status = 'ready') AS thumb,
    EXISTS (SELECT 1 FROM sidecars s WHERE s.content_uuid = c.uuid AND s.kind = 'live_photo_video' AND s.status = 'ready') AS live,
    ${USER_META}
  FROM content_identities c LEFT JOIN user_metadata u ON u.content_uuid = c.uuid WHERE c.id IN (SELECT value FROM json_each(?))`;

/**
 * The browse views' reads (the web UI's grid and a content's detail): one feature's read across
 * contents, entries, sidecars and availability, kept together because each is shaped for one
 * screen and tuned with the others (docs/architecture.md: a feature's read model).
 */
export class BrowseStore {
  private readonly sql: Prepared;

  constructor(private readonly db: Db) {
    this.sql = statementCache(db);
  }

  /** The order's version now (a cheap read: the order is rebuilt only when it moved). */
  version(): number {
    return this.sql<[], number>('SELECT n FROM grid_version WHERE id = 1').pluck().get() ?? 0;
  }

  /** grid_peer_version.n now: moved by every change of paired devices' rows (migration 014). */
  peerVersion(): number {
    return this.sql<[], number>('SELECT n FROM grid_peer_version WHERE id = 1').pluck().get() ?? 0;
  }

  /**
   * One snapshot of what the order is built from: ids and instants in index order (two
   * single-column reads: a row as an array costs more than the read), the days' counts from the
   * same index, which contents have a file copy, and which are shown through another; and the
   * contents paired devices hold, unless HAVEPEERVERSION says the caller has them (their
   * metadata is read as text and parsed by the caller: SQLite's JSON functions cost more).
   */
  orderSnapshot(havePeerVersion?: number): OrderSnapshot {
    return this.inSnapshot(() => {
      const peerVersion = this.peerVersion();
      return {
        version: this.version(),
        hidden: this.sql<[], number>(
          `SELECT DISTINCT e.content_id AS id FROM sidecars s JOIN entries e ON e.id = s.source_entry_id
           WHERE s.kind = 'live_photo_video' AND s.status = 'ready' AND e.content_id IS NOT NULL`,
        ).pluck().all(),
        ids: this.sql<[], number>(`SELECT id ${BY_CAPTURE}`).pluck().all(),
        instants: this.sql<[], number | null>(`SELECT captured_ms ${BY_CAPTURE}`).pluck().all(),
        dayRuns: this.sql<[], [string | null, number]>('SELECT capture_day, count(*) FROM content_identities INDEXED BY content_by_capture GROUP BY capture_day ORDER BY capture_day DESC').raw().all(),
        withFile: this.sql<[], number>("SELECT content_id FROM entries WHERE content_id IS NOT NULL AND kind = 'file'").pluck().all(),
        peerVersion,
        heldHere: this.sql<[], [string, number]>('SELECT p.content_uuid, c.id FROM peer_contents p JOIN content_identities c ON c.uuid = p.content_uuid').raw().all(),
        ...(peerVersion === havePeerVersion ? {} : {
          remote: this.sql<[], [string, string | null]>('SELECT content_uuid, media_metadata FROM peer_contents ORDER BY content_uuid, device_uuid').raw().all(),
        }),
      };
    });
  }

  /**
   * How far the library's shared data (tags, user metadata: DESIGN §15) has moved: the number of
   * the last operation logged here. Every change made here or taken in from a paired device
   * appends one, so the grid's filtered slices are read again only when it moved.
   */
  sharedVersion(): number {
    // The last number given, kept by SQLite (AUTOINCREMENT) even once the log is pruned empty: it never goes down.
    return this.sql<[], number>("SELECT coalesce(max(seq), (SELECT seq FROM sqlite_sequence WHERE name = 'shared_ops'), 0) FROM shared_ops").pluck().get() ?? 0;
  }

  /**
   * The contents SEL keeps, each as [content uuid, this library's content id when it has one]:
   * from the partial indexes of user_metadata (favourites, hidden, rated) or metadata_tag.
   */
  selected(sel: MetaSelection): Array<[string, number | null]> {
    const id = 'LEFT JOIN content_identities c ON c.uuid = u.content_uuid';
    if ('hidden' in sel) return this.sql<[], [string, number | null]>(`SELECT u.content_uuid, c.id FROM user_metadata u ${id} WHERE u.hidden = 1`).raw().all();
    if ('favorite' in sel) return this.sql<[], [string, number | null]>(`SELECT u.content_uuid, c.id FROM user_metadata u ${id} WHERE u.favorite = 1`).raw().all();
    if ('person' in sel) return this.sql<[string], [string, number | null]>(`SELECT DISTINCT u.content_uuid, c.id FROM faces u ${id} WHERE u.person_id = ?`).raw().all(sel.person);
    if ('albums' in sel) {
      return this.sql<[string], [string, number | null]>(
        `SELECT DISTINCT u.content_uuid, c.id FROM album_items u ${id} WHERE u.album_uuid IN (SELECT value FROM json_each(?)) AND u.present = 1`,
      ).raw().all(JSON.stringify(sel.albums));
    }
    if ('uuids' in sel) return this.sql<[string], [string, number | null]>('SELECT u.value, c.id FROM json_each(?) u LEFT JOIN content_identities c ON c.uuid = u.value').raw().all(JSON.stringify(sel.uuids));
    if ('kinds' in sel) {
      return this.sql<[string, string], [string, number | null]>(
        `SELECT uuid, id FROM content_identities WHERE kind IN (SELECT value FROM json_each(?))
         UNION SELECT content_uuid, NULL FROM peer_contents WHERE kind IN (SELECT value FROM json_each(?))`,
      ).raw().all(JSON.stringify(sel.kinds), JSON.stringify(sel.kinds));
    }
    if ('minRating' in sel) return this.sql<[number], [string, number | null]>(`SELECT u.content_uuid, c.id FROM user_metadata u ${id} WHERE u.rating > 0 AND u.rating >= ?`).raw().all(sel.minRating);
    return this.sql<[string], [string, number | null]>(
      `SELECT DISTINCT u.content_uuid, c.id FROM metadata_tag u ${id} WHERE u.tag_uuid IN (SELECT value FROM json_each(?)) AND u.present = 1`,
    ).raw().all(JSON.stringify(sel.tags));
  }

  /**
   * How many contents of the library (this device's and paired devices', each once) were taken at
   * each place their media metadata names (issue 32); a Live Photo's movie here is its still's, not a photo of its own (issue 45): [country, cc, region, city, count, mean latitude, mean longitude], by country then city.
   */
  placeCounts(): Array<[string | null, string | null, string | null, string | null, number, number | null, number | null]> {
    return this.sql<[], [string | null, string | null, string | null, string | null, number, number | null, number | null]>(
      `SELECT json_extract(p, '$.country'), json_extract(p, '$.cc'), json_extract(p, '$.region'), json_extract(p, '$.city'), count(*), avg(lat), avg(lon) FROM (
         SELECT uuid, json_extract(media_metadata, '$.place') AS p, json_extract(media_metadata, '$.gps.lat') AS lat, json_extract(media_metadata, '$.gps.lon') AS lon
           FROM content_identities c WHERE json_valid(media_metadata) AND json_type(media_metadata, '$.place') = 'object'
             AND NOT EXISTS (SELECT 1 FROM entries le JOIN sidecars ls ON ls.source_entry_id = le.id
               WHERE le.content_id = c.id AND ls.kind = 'live_photo_video' AND ls.status = 'ready')
         UNION SELECT content_uuid, max(json_extract(media_metadata, '$.place')), max(json_extract(media_metadata, '$.gps.lat')), max(json_extract(media_metadata, '$.gps.lon')) FROM peer_contents
           WHERE json_valid(media_metadata) AND json_type(media_metadata, '$.place') = 'object' GROUP BY content_uuid)
       GROUP BY 1, 2, 3, 4 ORDER BY 1, 4`,
    ).raw().all();
  }

  /** FN's reads, all of one moment (a read transaction; inside another, that one's). */
  inSnapshot<T>(fn: () => T): T {
    return this.db.transaction(fn).deferred();
  }

  /**
   * [content id, name] of the file copies of IDS in entry order (a content's first row is its
   * first copy); all: of every content, in one pass of the table (cheaper than a look-up each
   * when they are many).
   */
  fileNames(ids: readonly number[] | 'all'): Array<[number, string]> {
    if (ids === 'all') return this.sql<[], [number, string]>("SELECT content_id, name FROM entries NOT INDEXED WHERE content_id IS NOT NULL AND kind = 'file' ORDER BY id").raw().all();
    return this.sql<[string], [number, string]>("SELECT content_id, name FROM entries WHERE content_id IN (SELECT value FROM json_each(?)) AND kind = 'file' ORDER BY id").raw().all(JSON.stringify(ids));
  }

  /** [content uuid, name] of the copies paired devices hold of UUIDS (all: of every content), a content's first copy first. */
  peerFileNames(uuids: readonly string[] | 'all'): Array<[string, string]> {
    const order = 'ORDER BY p.content_uuid, e.device_uuid, e.location_id, e.dir_path, e.name';
    const rows = 'SELECT p.content_uuid, e.name FROM peer_contents p JOIN peer_entries e ON e.content_id = p.id';
    if (uuids === 'all') return this.sql<[], [string, string]>(`${rows} WHERE e.kind = 'file' ${order}`).raw().all();
    return this.sql<[string], [string, string]>(`${rows} WHERE p.content_uuid IN (SELECT value FROM json_each(?)) AND e.kind = 'file' ${order}`).raw().all(JSON.stringify(uuids));
  }

  /** The tiles of contents UUIDS that only paired devices hold, in no particular order. */
  remoteTiles(uuids: readonly string[]): RemoteTileRecord[] {
    return this.sql<[string], RemoteTileRecord>(REMOTE_TILE_SQL).all(JSON.stringify(uuids));
  }

  /** [content uuid, device uuid] of each paired device that holds one of UUIDS. */
  holders(uuids: readonly string[]): Array<[string, string]> {
    return this.sql<[string], [string, string]>('SELECT content_uuid, device_uuid FROM peer_contents WHERE content_uuid IN (SELECT value FROM json_each(?)) ORDER BY content_uuid, device_uuid').raw().all(JSON.stringify(uuids));
  }

  /** The contents paired device DEVICEUUID holds: [content uuid, this library's content id when it has one]. */
  heldBy(deviceUuid: string): Array<[string, number | null]> {
    return this.sql<[string], [string, number | null]>(
      'SELECT p.content_uuid, (SELECT c.id FROM content_identities c WHERE c.uuid = p.content_uuid) FROM peer_contents p WHERE p.device_uuid = ?',
    ).raw().all(deviceUuid);
  }

  /** The paired devices whose rows this library holds, with the name they last gave (null: none known). */
  peerDevices(): Array<[string, string | null]> {
    return this.sql<[], [string, string | null]>(
      'SELECT l.device_uuid, (SELECT d.name FROM devices d WHERE d.uuid = l.device_uuid) FROM (SELECT DISTINCT device_uuid FROM peer_locations) l ORDER BY l.device_uuid',
    ).raw().all();
  }

  /** The copies paired devices hold of content UUID, with their locations' names, by device, location and path. */
  peerCopiesOf(contentUuid: string): PeerCopyRecord[] {
    return this.sql<[string], PeerCopyRecord>(
      `SELECT e.device_uuid, l.name AS location_name, e.dir_path, e.name FROM peer_contents p JOIN peer_entries e ON e.content_id = p.id
       JOIN peer_locations l ON l.device_uuid = e.device_uuid AND l.location_id = e.location_id
       WHERE p.content_uuid = ? AND e.kind = 'file' ORDER BY e.device_uuid, e.location_id, e.dir_path, e.name LIMIT 1000`,
    ).all(contentUuid);
  }

  /** What the first paired device (by uuid) that holds content UUID says it is. */
  peerFacts(contentUuid: string): PeerFactsRecord | undefined {
    return this.sql<[string], PeerFactsRecord>('SELECT kind, mime, size, media_metadata FROM peer_contents WHERE content_uuid = ? ORDER BY device_uuid LIMIT 1').get(contentUuid);
  }

  /** The tiles of contents IDS, in no particular order (one read by id). */
  tiles(ids: readonly number[]): TileRecord[] {
    return this.sql<[string], TileRecord>(TILE_SQL).all(JSON.stringify(ids));
  }

  /** The file copies of content ID with their locations, first copy first. */
  copiesOf(contentId: number): CopyRecord[] {
    return this.sql<[number], CopyRecord>(
      `SELECT e.location_id, l.name AS location_name, l.path AS root, e.rel_path FROM entries e JOIN locations l ON l.id = e.location_id
       WHERE e.content_id = ? AND e.kind = 'file' ORDER BY e.id`,
    ).all(contentId);
  }

  /** The sidecars of a content recorded here, by kind and variant. */
  localSidecars(contentUuid: string): LocalSidecarRecord[] {
    return this.sql<[string], LocalSidecarRecord>('SELECT kind, variant, format, status, checksum, size FROM sidecars WHERE content_uuid = ? ORDER BY kind, variant').all(contentUuid);
  }

  /** The sidecars of a content that devices other than DEVICEUUID say they have. */
  remoteSidecars(contentUuid: string, deviceUuid: string): RemoteSidecarRecord[] {
    return this.sql<[string, string], RemoteSidecarRecord>(
      `SELECT n.kind, n.variant, d.uuid AS device_uuid, a.format, CASE typeof(a.checksum) WHEN 'blob' THEN lower(hex(a.checksum)) ELSE a.checksum END AS checksum, a.size FROM sidecar_availability a JOIN availability_names n ON n.id = a.name
       JOIN availability_devices d ON d.id = a.device WHERE a.content = unhex(replace(?, '-', '')) AND a.has = 1 AND d.uuid <> ? ORDER BY n.kind, n.variant, d.uuid`,
    ).all(contentUuid, deviceUuid);
  }

  /** Every device that opened this library, by uuid, with the name it gave itself then. */
  deviceNames(): Array<[string, string]> {
    return this.sql<[], [string, string]>('SELECT uuid, name FROM devices').raw().all();
  }

  // -- Bumped by the stores that add contents and link files to them (speed helper, issue 18; migration 011).

  /** The order may have moved: a new version. */
  bumpVersion(): void {
    this.sql('UPDATE grid_version SET n = n + 1 WHERE id = 1').run();
  }
}
