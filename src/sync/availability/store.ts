import { randomUUID } from 'node:crypto';
import { statementCache } from '../../store/statements.js';
import type { Statement } from 'better-sqlite3';
import { VssError, errnoCode } from '../../core/errors.js';
import type { Library } from '../../library/library.js';
import { SIDECAR_KINDS, isSidecarKind, type SidecarKind } from '../../sidecars/kinds.js';
import { UUID_RE } from '../../sidecars/address.js';
import { DIGEST_LIMITS, PACKED_ROW_SQL, entryShapeError, entryValueError, type AvailabilityEntry, type DecodedChunk, type EntryRow, type EntryVisitor } from './codec.js';

/** What this device's availability changed, from a peer's last known point: the full set, or a delta. */
export interface ChangeSet {
  epoch: string;
  full: boolean;
  fromSeq: number;
  toSeq: number;
  /** The entries, a page at a time (at least one page, maybe empty); each page is one query. */
  chunks(): IterableIterator<AvailabilityEntry[]>;
  /** The same pages as the table's rows (for encodeRows: no entry objects). */
  rows(): IterableIterator<EntryRow[]>;
  /**
   * The same entries, each page one string of rows packed by PACKED_ROW_SQL (for encodePacked: the
   * fastest way out); a full set's in index order rather than by seq.
   */
  packed(): IterableIterator<{ text: string; count: number }>;
}

/** A digest from a peer, whole and decoded. */
export interface PeerDigest {
  epoch: string;
  fromSeq: number;
  toSeq: number;
  full: boolean;
  /** Entries from anywhere: each is checked against the kinds table and for its shape. */
  entries?: Iterable<AvailabilityEntry>;
  /** Or chunks decodeChunk read: every entry in them was checked as it was decoded. */
  decoded?: readonly DecodedChunk[];
}

/** Where sync with one paired device stands (`vss sync status`). */
export interface PeerSyncState {
  deviceUuid: string;
  epoch: string | null;
  /** The last of its change numbers this device has applied. */
  seq: number;
  /** Sidecars it says it has. */
  entries: number;
  lastExchangeAt: number | null;
  bytesFetched: number;
  filesFetched: number;
  failures: number;
}

export interface WhoHasQuery {
  contentUuid: string;
  kind: string;
  variant: string;
}

/** Most addresses one "who has?" question may ask. */
export const WHO_HAS_MAX = 1024;

interface PeerSyncRow {
  device_uuid: string;
  epoch: string | null;
  seq: number;
  entries: number;
  last_exchange_at: number | null;
  bytes_fetched: number;
  files_fetched: number;
  failures: number;
}

/** A page of this device's rows as changesSince reads them: an entry, then its seq. */
type PageRow = [string, string, string, string | null, number, number | null, string | null, number];

/**
 * A library's availability (DESIGN §9): this device's changes, numbered (written by the sidecar
 * manager through LocalAvailability), and what paired devices say they have — hearsay, kept in
 * `sidecar_availability` under their device uuid until a fetch verifies it or they are unpaired.
 */
export class AvailabilityStore {
  private readonly stmt: (sql: string) => Statement;

  constructor(private readonly lib: Library) {
    this.stmt = statementCache(lib.db);
  }

  get libraryId(): string {
    return this.lib.config.id;
  }

  /** This device: whose changes `changesSince` gives. */
  get deviceUuid(): string {
    return this.lib.device.uuid;
  }

  /** This database's epoch: a peer that knew another one must take the full set again. */
  epoch(): string {
    return this.meta('epoch') ?? this.newEpoch();
  }

  /** The last change number this device gave. */
  seq(): number {
    return Number(this.meta('seq') ?? 0);
  }

  /**
   * This device's changes after SEQ, as a peer asked for them: a delta when the peer knows this
   * epoch and a number it could have had, else the full set (what this device has now).
   */
  changesSince(seq: number, askedEpoch: string | null = null, pageEntries: number = DIGEST_LIMITS.chunkEntries): ChangeSet {
    const epoch = this.epoch();
    const toSeq = this.seq();
    const full = !Number.isSafeInteger(seq) || seq <= 0 || seq > toSeq || (askedEpoch !== null && askedEpoch !== epoch);
    const fromSeq = full ? 0 : seq;
    const page = this.stmt(
      full
        ? 'SELECT content_uuid, kind, variant, format, has, size, checksum, seq FROM sidecar_availability WHERE device_uuid = ? AND seq > ? AND seq <= ? AND has = 1 ORDER BY seq LIMIT ?'
        : 'SELECT content_uuid, kind, variant, format, has, size, checksum, seq FROM sidecar_availability WHERE device_uuid = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?',
    ).raw();
    const where = `device_uuid = ? AND seq > ? AND seq <= ?${full ? ' AND has = 1' : ''}`;
    const packedPage = this.stmt(
      `SELECT coalesce(group_concat(packed, '' ORDER BY seq), ''), count(*), max(seq) FROM
         (SELECT ${PACKED_ROW_SQL} AS packed, seq FROM sidecar_availability WHERE ${where} ORDER BY seq LIMIT ?)`,
    ).raw();
    // A full set goes out in the order of the (content uuid, kind, variant, device) index, so the
    // peer inserts it in that order too: into a large table, that is over twice as fast as the
    // random order of seq (content uuids are random). Paged by that key; the last row's key comes
    // with max(k) (SQLite takes bare columns from the row that has the max). "+device_uuid" keeps
    // the planner on that index. The order is only speed: any order gives the same set.
    const packedFullPage = this.stmt(
      `SELECT coalesce(group_concat(packed, ''), ''), count(*), max(k), content_uuid, kind, variant FROM
         (SELECT ${PACKED_ROW_SQL} AS packed, content_uuid, kind, variant, content_uuid || char(1) || kind || char(1) || variant AS k
          FROM sidecar_availability WHERE +device_uuid = ? AND seq <= ? AND has = 1 AND (content_uuid, kind, variant) > (?, ?, ?)
          ORDER BY content_uuid, kind, variant LIMIT ?)`,
    ).raw();
    const device = this.lib.device.uuid;
    // Pages by seq, each its own query, so nothing holds the connection while a page is sent.
    // A row changed meanwhile gets a number above toSeq: the peer's next delta brings it.
    function* rows(): IterableIterator<PageRow[]> {
      let after = fromSeq;
      for (let first = true; ; first = false) {
        const got = page.all(device, after, toSeq, pageEntries) as PageRow[];
        if (got.length > 0 || first) yield got;
        if (got.length < pageEntries) return;
        after = got[got.length - 1]![7];
      }
    }
    function* packed(): IterableIterator<{ text: string; count: number }> {
      if (full) {
        let key = ['', '', ''];
        for (let first = true; ; first = false) {
          const [text, count, , c, k, v] = packedFullPage.get(device, toSeq, ...key, pageEntries) as [string, number, string, string, string, string];
          if (count > 0 || first) yield { text, count };
          if (count < pageEntries) return;
          key = [c, k, v];
        }
      }
      let after = fromSeq;
      for (let first = true; ; first = false) {
        const [text, count, last] = packedPage.get(device, after, toSeq, pageEntries) as [string, number, number | null];
        if (count > 0 || first) yield { text, count };
        if (count < pageEntries) return;
        after = last!;
      }
    }
    function* chunks(): IterableIterator<AvailabilityEntry[]> {
      for (const r of rows()) yield r.map(toEntry);
    }
    return { epoch, full, fromSeq, toSeq, chunks, rows, packed };
  }

  /**
   * Take a peer's digest: a full set replaces everything it said before, a delta changes what it
   * names (a removal is kept as has = 0 until the next full set). One transaction, so a digest is
   * taken whole or not at all; a duplicate entry, a delta that does not follow on from what was
   * applied, or an entry for this device itself is refused (VssError PEER) and changes nothing.
   */
  applyFromPeer(deviceUuid: string, digest: PeerDigest): { entries: number } {
    if (deviceUuid === this.lib.device.uuid) throw new VssError('PEER', 'a peer sent availability in this device\'s own name');
    if (!UUID_RE.test(deviceUuid)) throw new VssError('PEER', `availability for ${JSON.stringify(deviceUuid)}, which is not a device uuid`);
    if (!UUID_RE.test(digest.epoch)) throw new VssError('PEER', `availability epoch ${JSON.stringify(digest.epoch)} is not a uuid`);
    if (!Number.isSafeInteger(digest.fromSeq) || !Number.isSafeInteger(digest.toSeq) || digest.fromSeq < 0 || digest.toSeq < digest.fromSeq) {
      throw new VssError('PEER', `availability from seq ${digest.fromSeq} to ${digest.toSeq} is not a range`);
    }
    const db = this.lib.db;
    const now = Date.now();
    let count = 0;
    db.transaction(() => {
      const known = this.stmt('SELECT * FROM peer_sync WHERE device_uuid = ?').get(deviceUuid) as PeerSyncRow | undefined;
      let entries = known?.entries ?? 0;
      if (digest.full) {
        this.stmt('DELETE FROM sidecar_availability WHERE device_uuid = ?').run(deviceUuid);
        const insert = this.stmt('INSERT INTO sidecar_availability (content_uuid, kind, variant, device_uuid, has, size, checksum, format, seq, last_seen_at) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?)');
        entries = 0;
        eachEntry(digest, (contentUuid, kind, variant, format, has, size, checksum) => {
          count++;
          if (!has) return; // a full set is what it has; a removal in it says nothing
          try {
            insert.run(contentUuid, kind, variant, deviceUuid, size, checksum, format, digest.toSeq, now);
          } catch (err) {
            if (errnoCode(err) === 'SQLITE_CONSTRAINT_UNIQUE') throw new VssError('PEER', `availability lists ${kind}/${variant} of ${contentUuid} twice`);
            throw err;
          }
          entries++;
        });
      } else {
        if (known === undefined || known.epoch !== digest.epoch || digest.fromSeq > known.seq || digest.toSeq < known.seq) {
          const had = known ? `seq ${known.seq} of epoch ${known.epoch}` : 'nothing';
          throw new VssError('PEER', `availability delta from seq ${digest.fromSeq} to ${digest.toSeq} of epoch ${digest.epoch} does not follow on from ${had}`);
        }
        const prevHas = this.stmt('SELECT has FROM sidecar_availability WHERE content_uuid = ? AND kind = ? AND variant = ? AND device_uuid = ?').pluck();
        const upsert = this.stmt(
          `INSERT INTO sidecar_availability (content_uuid, kind, variant, device_uuid, has, size, checksum, format, seq, last_seen_at) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?)
           ON CONFLICT(content_uuid, kind, variant, device_uuid) DO UPDATE SET has = 1, size = excluded.size, checksum = excluded.checksum,
             format = excluded.format, seq = excluded.seq, last_seen_at = excluded.last_seen_at`,
        );
        const remove = this.stmt('UPDATE sidecar_availability SET has = 0, size = NULL, checksum = NULL, seq = ?, last_seen_at = ? WHERE content_uuid = ? AND kind = ? AND variant = ? AND device_uuid = ?');
        eachEntry(digest, (contentUuid, kind, variant, format, has, size, checksum) => {
          count++;
          const had = prevHas.get(contentUuid, kind, variant, deviceUuid) as number | undefined;
          if (has) {
            upsert.run(contentUuid, kind, variant, deviceUuid, size, checksum, format, digest.toSeq, now);
            if (had !== 1) entries++;
          } else if (had !== undefined) {
            remove.run(digest.toSeq, now, contentUuid, kind, variant, deviceUuid);
            if (had === 1) entries--;
          }
        });
      }
      this.stmt(
        `INSERT INTO peer_sync (device_uuid, epoch, seq, entries, last_exchange_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(device_uuid) DO UPDATE SET epoch = excluded.epoch, seq = excluded.seq, entries = excluded.entries, last_exchange_at = excluded.last_exchange_at`,
      ).run(deviceUuid, digest.epoch, digest.toSeq, entries, now);
    })();
    if (count > 0 || digest.full) this.lib.events.emit('availability:changed', { deviceUuid, entries: count, full: digest.full, toSeq: digest.toSeq });
    return { entries: count };
  }

  /**
   * Keep what a connected device answered to a direct "who has X?" (hearsay, like a digest; the
   * transfer verifies the bytes): its entries are upserted with the change number already known of
   * it, so the next delta or full digest from it supersedes them.
   */
  noteHeard(deviceUuid: string, heard: readonly AvailabilityEntry[]): number {
    if (deviceUuid === this.lib.device.uuid || !UUID_RE.test(deviceUuid)) throw new VssError('PEER', `"who has" answered in the name of ${JSON.stringify(deviceUuid)}`);
    for (const e of heard) {
      const bad = e.has ? entryShapeError(e) : 'a "who has" answer lists only what it has';
      if (bad !== undefined) throw new VssError('PEER', `"who has" answer refused: ${bad}`);
    }
    const now = Date.now();
    const known = this.stmt('SELECT seq FROM peer_sync WHERE device_uuid = ?').pluck().get(deviceUuid) as number | undefined;
    const upsert = this.stmt(
      `INSERT INTO sidecar_availability (content_uuid, kind, variant, device_uuid, has, size, checksum, format, seq, last_seen_at) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?)
       ON CONFLICT(content_uuid, kind, variant, device_uuid) DO UPDATE SET has = 1, size = excluded.size, checksum = excluded.checksum,
         format = excluded.format, last_seen_at = excluded.last_seen_at`,
    );
    const had = this.stmt('SELECT has FROM sidecar_availability WHERE content_uuid = ? AND kind = ? AND variant = ? AND device_uuid = ?').pluck();
    this.lib.db.transaction(() => {
      let added = 0;
      for (const e of heard) {
        if (had.get(e.contentUuid, e.kind, e.variant, deviceUuid) !== 1) added++;
        upsert.run(e.contentUuid, e.kind, e.variant, deviceUuid, e.size, e.checksum, e.format, known ?? 0, now);
      }
      // Its count of entries follows; where nothing was exchanged yet, the first pull is a full one all the same.
      this.stmt(`INSERT INTO peer_sync (device_uuid, entries) VALUES (?, ?)
                 ON CONFLICT(device_uuid) DO UPDATE SET entries = entries + excluded.entries`).run(deviceUuid, added);
    })();
    if (heard.length > 0) this.lib.events.emit('availability:changed', { deviceUuid, entries: heard.length, full: false, toSeq: known ?? 0 });
    return heard.length;
  }

  /** Where sync with one device stands, or undefined before the first exchange. */
  peerState(deviceUuid: string): PeerSyncState | undefined {
    const r = this.stmt('SELECT * FROM peer_sync WHERE device_uuid = ?').get(deviceUuid) as PeerSyncRow | undefined;
    return r ? toState(r) : undefined;
  }

  /** Every device this library has exchanged availability or files with, by device uuid. */
  peers(): PeerSyncState[] {
    return (this.stmt('SELECT * FROM peer_sync ORDER BY device_uuid').all() as PeerSyncRow[]).map(toState);
  }

  /**
   * This device's ready entries among the addresses asked (a peer's direct "who has X?"), at most
   * WHO_HAS_MAX addresses a question.
   */
  whoHas(addresses: readonly WhoHasQuery[]): AvailabilityEntry[] {
    if (addresses.length > WHO_HAS_MAX) throw new VssError('PEER', `a "who has" question asks for ${addresses.length} sidecars, more than ${WHO_HAS_MAX}`);
    const asked = JSON.stringify(addresses.map((a) => [a.contentUuid, a.kind, a.variant]));
    const rows = this.stmt(
      `SELECT a.content_uuid, a.kind, a.variant, a.format, a.has, a.size, a.checksum FROM json_each(?) q
       JOIN sidecar_availability a ON a.content_uuid = json_extract(q.value, '$[0]') AND a.kind = json_extract(q.value, '$[1]') AND a.variant = json_extract(q.value, '$[2]')
         AND a.device_uuid = ? AND a.has = 1`,
    ).raw().all(asked, this.lib.device.uuid) as EntryRow[];
    return rows.map(toEntry);
  }

  /** Forget a device that was unpaired: what it said it has, where sync with it stood, its lies. */
  removeDevice(deviceUuid: string): { entries: number } {
    if (deviceUuid === this.lib.device.uuid) throw new VssError('USAGE', 'this device\'s own availability is not removed by unpairing');
    const db = this.lib.db;
    const entries = db.transaction(() => {
      const n = this.stmt('DELETE FROM sidecar_availability WHERE device_uuid = ?').run(deviceUuid).changes;
      this.stmt('DELETE FROM peer_sync WHERE device_uuid = ?').run(deviceUuid);
      this.stmt('DELETE FROM availability_suspects WHERE device_uuid = ?').run(deviceUuid);
      return n;
    })();
    this.lib.events.emit('availability:changed', { deviceUuid, entries, full: true, toSeq: 0 });
    return { entries };
  }

  /**
   * Call FN with the newest change number at most once per DEBOUNCE_MS while this device's
   * availability changes (the peer service tells connected peers then). A first change waits
   * DEBOUNCE_MS for the ones that follow it; steady generation still tells peers every
   * DEBOUNCE_MS rather than never. Returns a stop function.
   */
  onLocalChange(fn: (seq: number) => void, debounceMs = 2000): () => void {
    let told = this.seq();
    let timer: NodeJS.Timeout | undefined;
    const stop = this.lib.events.on('sidecar:changed', () => {
      if (timer !== undefined) return;
      timer = setTimeout(() => {
        timer = undefined;
        if (!this.lib.db.open) return;
        const now = this.seq();
        if (now === told) return; // pending → generating and the like: nothing a peer needs
        told = now;
        fn(now);
      }, debounceMs);
      timer.unref();
    });
    return () => {
      stop();
      if (timer !== undefined) clearTimeout(timer);
    };
  }

  private meta(key: string): string | undefined {
    return this.stmt('SELECT value FROM sync_meta WHERE key = ?').pluck().get(key) as string | undefined;
  }

  /** Only a database whose epoch row was lost lands here: a new epoch makes every peer start again. */
  private newEpoch(): string {
    const epoch = randomUUID();
    this.stmt("INSERT INTO sync_meta (key, value) VALUES ('epoch', ?) ON CONFLICT(key) DO NOTHING").run(epoch);
    return this.meta('epoch')!;
  }

}

/**
 * Hand VISIT each entry of a digest. Entries from elsewhere than the codec are checked first (the
 * kinds table once per distinct kind, variant and format; the per-entry parts every time); a
 * decoded chunk's were checked as it was decoded, so they go straight to VISIT.
 */
function eachEntry(digest: PeerDigest, visit: EntryVisitor): void {
  for (const chunk of digest.decoded ?? []) chunk.forEachEntry(visit);
  if (digest.entries === undefined) return;
  const checked = new Set<string>();
  for (const e of digest.entries) {
    if (e.has) {
      const triple = `${e.kind}\0${e.variant}\0${e.format}`;
      const bad = checked.has(triple) ? entryValueError(e) : entryShapeError(e);
      if (bad !== undefined) throw new VssError('PEER', `availability entry refused: ${bad}`);
      checked.add(triple);
    } else if (!isSidecarKind(e.kind) || typeof e.contentUuid !== 'string' || !UUID_RE.test(e.contentUuid)) {
      throw new VssError('PEER', 'availability removal names no sidecar');
    }
    visit(e.contentUuid, e.kind, e.variant, e.format, e.has, e.has ? e.size : null, e.has ? e.checksum : null);
  }
}

function toEntry(r: EntryRow): AvailabilityEntry {
  const kind = r[1] as SidecarKind;
  const has = r[4] === 1;
  // Rows made before formats were kept (migration 007 found no record) take the kind's usual one.
  const format = r[3] ?? SIDECAR_KINDS[kind]?.formats[0] ?? '';
  return { contentUuid: r[0], kind, variant: r[2], format, has, size: has ? r[5] : null, checksum: has ? r[6] : null };
}

function toState(r: PeerSyncRow): PeerSyncState {
  return {
    deviceUuid: r.device_uuid, epoch: r.epoch, seq: r.seq, entries: r.entries, lastExchangeAt: r.last_exchange_at,
    bytesFetched: r.bytes_fetched, filesFetched: r.files_fetched, failures: r.failures,
  };
}
