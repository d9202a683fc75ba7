import { randomUUID } from 'node:crypto';
import { VssError, errnoCode } from '../../core/errors.js';
import type { Library } from '../../library/library.js';
import { SIDECAR_KINDS, isSidecarKind, type SidecarKind } from '../../sidecars/kinds.js';
import { UUID_RE } from '../../sidecars/address.js';
import type { AvailabilityRow, KeyCursor } from '../../store/availability.js';
import type { PeerSyncRecord } from '../../store/peer-sync.js';
import { WHO_HAS_MAX } from '../messages/table.js';
import { DIGEST_LIMITS, entryShapeError, entryValueError, type AvailabilityEntry, type DecodedChunk, type EntryRow, type EntryVisitor } from './codec.js';

/** What this device's availability changed, from a peer's last known point: the full set, or a delta. */
export interface ChangeSet {
  epoch: string;
  full: boolean;
  fromSeq: number;
  toSeq: number;
  /** The entries, a page at a time (at least one page, maybe empty); each page is one query. */
  chunks(): IterableIterator<AvailabilityEntry[]>;
  /** The same pages as the table's rows (for encodeRows: no entry objects). */
  rows(): IterableIterator<AvailabilityRow[]>;
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


/**
 * A library's availability (DESIGN §9): this device's changes, numbered (written by the sidecar
 * manager through the availability store), and what paired devices say they have — hearsay, kept
 * in `sidecar_availability` under their device uuid until a fetch verifies it or they are unpaired.
 * The decisions (full set or delta, what a digest may say, what changes count) are made here; the
 * rows are read and written through `lib.store`.
 */
export class Availability {
  constructor(private readonly lib: Library) {}

  get libraryId(): string {
    return this.lib.config.id;
  }

  /** This device: whose changes `changesSince` gives. */
  get deviceUuid(): string {
    return this.lib.device.uuid;
  }

  /** This database's epoch: a peer that knew another one must take the full set again. */
  epoch(): string {
    const meta = this.lib.store.syncMeta;
    const epoch = meta.get('epoch');
    if (epoch !== undefined) return epoch;
    // Only a database whose epoch row was lost lands here: a new epoch makes every peer start again.
    meta.setIfAbsent('epoch', randomUUID());
    return meta.get('epoch')!;
  }

  /** The last change number this device gave. */
  seq(): number {
    return this.lib.store.syncMeta.seq();
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
    const store = this.lib.store.availability;
    // Pages, each its own query, so nothing holds the connection while a page is sent. A row
    // changed meanwhile gets a number above toSeq: the peer's next delta brings it.
    function* rows(): IterableIterator<AvailabilityRow[]> {
      let after = fromSeq;
      for (let first = true; ; first = false) {
        const got = store.ownChanges(after, toSeq, pageEntries, full);
        if (got.length > 0 || first) yield got;
        if (got.length < pageEntries) return;
        after = got[got.length - 1]![7];
      }
    }
    // A full set goes out in key order (see ownReadyPackedByKey): any order gives the same set.
    function* packed(): IterableIterator<{ text: string; count: number }> {
      if (full) {
        let key: KeyCursor = [null, 0];
        for (let first = true; ; first = false) {
          const [text, count, last] = store.ownReadyPackedByKey(toSeq, key, pageEntries);
          if (count > 0 || first) yield { text, count };
          if (count < pageEntries) return;
          key = last;
        }
      }
      let after = fromSeq;
      for (let first = true; ; first = false) {
        const [text, count, last] = store.ownChangesPacked(after, toSeq, pageEntries, false);
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
    const { availability, peerSync } = this.lib.store;
    const now = Date.now();
    let count = 0;
    this.lib.store.transaction(() => {
      const known = peerSync.get(deviceUuid);
      let entries = known?.entries ?? 0;
      const rows = availability.heardFrom(deviceUuid, digest.toSeq, now);
      if (digest.full) {
        availability.dropDevice(deviceUuid);
        entries = 0;
        // A full set is what it has; a removal in it says nothing. Decoded chunks go in as their
        // bytes (checked as they were decoded), many rows to a statement.
        try {
          for (const chunk of digest.decoded ?? []) {
            const names = chunk.triples.map((t) => (t.known ? rows.nameId(t.kind, t.variant) : -1));
            chunk.forEachKeyed((content, t, has, size, checksum) => {
              count++;
              if (!has) return;
              rows.insertKeyed(content, names[t]!, chunk.triples[t]!.format, size, checksum);
              entries++;
            });
          }
          eachEntry(digest.entries, (contentUuid, kind, variant, format, has, size, checksum) => {
            count++;
            if (!has) return;
            rows.insert(contentUuid, kind, variant, format, size, checksum);
            entries++;
          });
          rows.flush();
        } catch (err) {
          if (errnoCode(err) === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new VssError('PEER', 'availability lists a sidecar twice');
          throw err;
        }
      } else {
        if (known === undefined || known.epoch !== digest.epoch || digest.fromSeq > known.seq || digest.toSeq < known.seq) {
          const had = known ? `seq ${known.seq} of epoch ${known.epoch}` : 'nothing';
          throw new VssError('PEER', `availability delta from seq ${digest.fromSeq} to ${digest.toSeq} of epoch ${digest.epoch} does not follow on from ${had}`);
        }
        // A removal of something never heard of needs no tombstone: there is nothing to hide.
        for (const chunk of digest.decoded ?? []) {
          const names = chunk.triples.map((t) => (t.known ? rows.nameId(t.kind, t.variant) : -1));
          chunk.forEachKeyed((content, t, has, size, checksum) => {
            count++;
            const name = names[t]!;
            const had = rows.hadKeyed(content, name);
            if (has) {
              rows.upsertKeyed(content, name, chunk.triples[t]!.format, size, checksum);
              if (had !== 1) entries++;
            } else if (had !== undefined) {
              rows.tombstoneKeyed(content, name);
              if (had === 1) entries--;
            }
          });
        }
        eachEntry(digest.entries, (contentUuid, kind, variant, format, has, size, checksum) => {
          count++;
          const had = rows.had(contentUuid, kind, variant);
          if (has) {
            rows.upsert(contentUuid, kind, variant, format, size, checksum);
            if (had !== 1) entries++;
          } else if (had !== undefined) {
            rows.tombstone(contentUuid, kind, variant);
            if (had === 1) entries--;
          }
        });
      }
      peerSync.setEntries(deviceUuid, entries);
      this.lib.store.feedCursors.set(deviceUuid, 'availability', digest.epoch, digest.toSeq, now);
    });
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
    const { availability, peerSync } = this.lib.store;
    const known = peerSync.get(deviceUuid)?.seq;
    const rows = availability.heardFrom(deviceUuid, known ?? 0, Date.now());
    this.lib.store.transaction(() => {
      let added = 0;
      for (const e of heard) {
        if (rows.had(e.contentUuid, e.kind, e.variant) !== 1) added++;
        rows.heard(e.contentUuid, e.kind, e.variant, e.format, e.size, e.checksum);
      }
      // Its count of entries follows; where nothing was exchanged yet, the first pull is a full one all the same.
      peerSync.addEntries(deviceUuid, added);
    });
    if (heard.length > 0) this.lib.events.emit('availability:changed', { deviceUuid, entries: heard.length, full: false, toSeq: known ?? 0 });
    return heard.length;
  }

  /** Where sync with one device stands, or undefined before the first exchange. */
  peerState(deviceUuid: string): PeerSyncState | undefined {
    const r = this.lib.store.peerSync.get(deviceUuid);
    return r ? toState(r) : undefined;
  }

  /** Every device this library has exchanged availability or files with, by device uuid. */
  peers(): PeerSyncState[] {
    return this.lib.store.peerSync.all().map(toState);
  }

  /**
   * This device's ready entries among the addresses asked (a peer's direct "who has X?"), at most
   * WHO_HAS_MAX addresses a question.
   */
  whoHas(addresses: readonly WhoHasQuery[]): AvailabilityEntry[] {
    if (addresses.length > WHO_HAS_MAX) throw new VssError('PEER', `a "who has" question asks for ${addresses.length} sidecars, more than ${WHO_HAS_MAX}`);
    const asked = JSON.stringify(addresses.map((a) => [a.contentUuid, a.kind, a.variant]));
    return this.lib.store.availability.ownReadyAmong(asked).map(toEntry);
  }

  /** Forget a device that was unpaired: what it said it has, where sync with it stood, its lies. */
  removeDevice(deviceUuid: string): { entries: number } {
    if (deviceUuid === this.lib.device.uuid) throw new VssError('USAGE', 'this device\'s own availability is not removed by unpairing');
    const { availability, peerSync, availabilitySuspects } = this.lib.store;
    const entries = this.lib.store.transaction(() => {
      const n = availability.dropDevice(deviceUuid);
      peerSync.remove(deviceUuid);
      this.lib.store.feedCursors.remove(deviceUuid, 'availability');
      availabilitySuspects.removeDevice(deviceUuid);
      return n;
    });
    this.lib.events.emit('availability:changed', { deviceUuid, entries, full: true, toSeq: 0 });
    return { entries };
  }

  /**
   * Call FN with the newest change number at most once per DEBOUNCE_MS while this device's
   * availability changes (the library link tells connected peers then). A first change waits
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
}

/**
 * Hand VISIT each of a digest's entries that came from elsewhere than the codec, checked first
 * (the kinds table once per distinct kind, variant and format; the per-entry parts every time).
 * A decoded chunk's were checked as it was decoded: those go to the store as their bytes.
 */
function eachEntry(entries: Iterable<AvailabilityEntry> | undefined, visit: EntryVisitor): void {
  if (entries === undefined) return;
  const checked = new Set<string>();
  for (const e of entries) {
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

function toState(r: PeerSyncRecord): PeerSyncState {
  return {
    deviceUuid: r.device_uuid, epoch: r.epoch, seq: r.seq, entries: r.entries, lastExchangeAt: r.last_exchange_at,
    bytesFetched: r.bytes_fetched, filesFetched: r.files_fetched, failures: r.failures,
  };
}
