import { VssError } from '../../core/errors.js';
import { contentUuidFor } from '../../content/identity.js';
import { isContentKind } from '../../content/kinds.js';
import { relPathProblem } from '../../core/address.js';
import type { Library } from '../../library/library.js';
import type { PeerContentFacts } from '../../store/peer-contents.js';
import type { PeerEntryFacts, Removed } from '../../store/peer-entries.js';
import type { BatchWriter } from '../../store/batch-writer.js';
import type { FeedCursorRecord, PullPosition } from '../../store/feed-cursors.js';
import { UUID_RE } from '../../sidecars/address.js';
import type { MessageIn } from '../messages/channel.js';

/** Its cursors' rows in `feed_cursors`. */
const FEED = 'library';

export type HeadIn = MessageIn<'feed.library.head'>;
export type PageIn = MessageIn<'feed.library.page'>;

/** A pull under way from one owner: its number marks every row it confirms. */
export interface PullInProgress {
  deviceUuid: string;
  number: number;
  full: boolean;
  toSeq: number;
  /** Rows it removed (then contents no row holds are dropped at the end). */
  removed: number;
  /** A full copy to a device that held none of the owner's rows: nothing to sweep at its end. */
  fresh: boolean;
  /** The locations the owner announced in the head: the only ones its pages may name. */
  locations: ReadonlySet<number>;
  entries: number;
}

/** A page checked whole, as it is written. */
export interface CheckedPage {
  folders: Array<PageIn['folders'][number] & { rows: PeerEntryFacts[] }>;
  contents: PeerContentFacts[];
  /** The contents of a delta's rows, to be looked at again by search. */
  named: string[];
  entries: number;
}

/** How a peer's library rows stand here (`vss sync status`, tests). */
export interface PeerLibraryState {
  deviceUuid: string;
  epoch: string | null;
  seq: number;
  /** A pull cut off, to resume. */
  pending: PullPosition | null;
  lastPullAt: number | null;
}

/**
 * The other devices' rows of a library, as their owners sent them (DESIGN §15): applied a page at a
 * time in one transaction each, with the cursor, so a killed backfill resumes where it stopped.
 * Only the owner's own authenticated connection brings its rows (the trust choice: owner only);
 * everything in a page is checked before anything of it is written, and a row never names a
 * location its owner did not announce.
 */
export class PeerLibrary {
  constructor(private readonly lib: Library) {}

  /** Where a pull from DEVICE should start: changes since, and a cut-off pull to go on with. */
  askFor(deviceUuid: string): { epoch: string | null; seq: number; resume?: PullPosition } {
    const c = this.lib.store.feedCursors.get(deviceUuid, FEED);
    if (!c) return { epoch: null, seq: 0 };
    return { epoch: c.epoch, seq: c.seq, ...(pending(c) ? { resume: pending(c)! } : {}) };
  }

  state(deviceUuid: string): PeerLibraryState | undefined {
    const c = this.lib.store.feedCursors.get(deviceUuid, FEED);
    return c ? { deviceUuid, epoch: c.epoch, seq: c.seq, pending: pending(c), lastPullAt: c.last_pull_at } : undefined;
  }

  /**
   * The head of a pull from REMOTE: refused when it speaks for another device (a member cannot
   * send another's rows) or does not follow on from what this device asked; else the device's
   * name and the locations are taken, and the pull is numbered.
   */
  begin(remote: { deviceUuid: string; publicKey?: string }, asked: { epoch: string | null; seq: number; resume?: PullPosition }, head: HeadIn): PullInProgress {
    const owner = remote.deviceUuid;
    if (owner === this.lib.device.uuid) throw new VssError('PEER', 'a peer sent library rows in this device\'s own name');
    if (head.device.uuid !== owner) throw new VssError('PEER', `library rows from ${owner} speak for device ${head.device.uuid}: only a device's own rows are taken from it`);
    if (!UUID_RE.test(head.epoch)) throw new VssError('PEER', `library epoch ${JSON.stringify(head.epoch).slice(0, 80)} is not a uuid`);
    if (head.to_seq < head.from_seq) throw new VssError('PEER', `library pull from seq ${head.from_seq} to ${head.to_seq} is not a range`);
    if (head.resumed) {
      const r = asked.resume;
      if (!r || asked.epoch !== head.epoch || r.full !== head.full || r.toSeq !== head.to_seq) throw new VssError('PEER', 'library pull says it resumes a pull this device did not ask to resume');
    } else if (!head.full && (asked.epoch !== head.epoch || head.from_seq !== asked.seq)) {
      throw new VssError('PEER', `library delta from seq ${head.from_seq} of epoch ${head.epoch} does not follow on from seq ${asked.seq} of ${asked.epoch ?? 'nothing'}`);
    }
    const ids = new Set<number>();
    for (const l of head.locations) {
      if (ids.has(l.id)) throw new VssError('PEER', `library head lists location ${l.id} twice`);
      ids.add(l.id);
    }
    const { store } = this.lib;
    const now = Date.now();
    return store.transaction(() => {
      store.devices.upsertPeer({ uuid: owner, name: head.device.name, publicKey: remote.publicKey ?? '', os: head.device.os }, now);
      let removed = 0;
      for (const gone of store.peerLocations.replace(owner, head.locations.map((l) => ({
        location_id: l.id, uuid: l.uuid, name: l.name, path: l.path, index_mode: l.mode, files: l.files, dirs: l.dirs, bytes: l.bytes,
        online: l.online === false ? 0 as const : 1 as const,
      })))) removed += this.dropped(store.peerEntries.dropLocation(owner, gone));
      const c = store.feedCursors.get(owner, FEED);
      const number = head.resumed && c
        ? c.pull_number
        : store.feedCursors.startPull(owner, FEED, head.epoch, { full: head.full, toSeq: head.to_seq, afterSeq: 0, afterId: 0, afterName: '' }, now);
      const fresh = head.full && !store.peerEntries.anyOf(owner);
      return { deviceUuid: owner, number, full: head.full, toSeq: head.to_seq, removed, entries: 0, fresh, locations: ids };
    });
  }

  /**
   * A writer that groups pages into transactions of up to 32k rows or 2 s (DESIGN §15's backfill): the
   * rows are keyed by random uuids, so each commit rewrites index pages all over; a page at a time
   * would rewrite them fifty times in a 100k backfill. A page is still all or nothing (a savepoint
   * inside the batch), and a kill loses at most the batch: the cursor moves with it.
   */
  batchWriter(): BatchWriter {
    return this.lib.store.batchWriter(32 * 1024, 2000);
  }

  /** One page checked whole (a VssError PEER refuses it): what `writePage` writes of it. */
  checkPage(pull: PullInProgress, page: PageIn): CheckedPage {
    const folders = page.folders.map((f, i) => {
      if (!pull.locations.has(f.location)) throw new VssError('PEER', `library page names location ${f.location}, which its owner did not announce`);
      const bad = relPathProblem(f.path);
      if (bad !== undefined) throw new VssError('PEER', `library page folder ${i}: ${bad}`);
      if (!pull.full && f.seq > pull.toSeq) throw new VssError('PEER', `library page folder ${i} is numbered ${f.seq}, past the pull's ${pull.toSeq}`);
      const names = new Set<string>();
      if (f.verified !== undefined && f.verified.length !== f.entries.length) {
        throw new VssError('PEER', `library page folder ${i} says when ${f.verified.length} entries were verified; it lists ${f.entries.length}`);
      }
      const rows: PeerEntryFacts[] = f.entries.map(([name, kind, size, mtime, content], j) => {
        const why = nameProblem(name);
        if (why !== undefined) throw new VssError('PEER', `library page folder ${i}: entry ${JSON.stringify(name).slice(0, 80)} ${why}`);
        if (names.has(name)) throw new VssError('PEER', `library page folder ${i} lists ${JSON.stringify(name).slice(0, 80)} twice`);
        names.add(name);
        const file = kind === 'file' && content !== null;
        return { name, kind, size, mtime_ms: mtime, content_uuid: kind === 'file' ? content : null, verified_at: file ? f.verified?.[j] ?? null : null };
      });
      return { ...f, rows };
    });
    const described = new Set<string>();
    const contents: PeerContentFacts[] = page.contents.map(([uuid, casId, casVersion, kind, mime, size, media]) => {
      // A content's uuid is made from its cas id: facts cannot be pinned on another content's address.
      if (contentUuidFor(casId) !== uuid) throw new VssError('PEER', `library page content ${uuid} does not have cas id ${JSON.stringify(casId).slice(0, 80)}`);
      if (!isContentKind(kind)) throw new VssError('PEER', `library page content ${uuid} is of unknown kind ${JSON.stringify(kind).slice(0, 40)}`);
      if (media !== null && !isJsonObject(media)) throw new VssError('PEER', `library page content ${uuid}: its media metadata is not a JSON object`);
      described.add(uuid);
      return { content_uuid: uuid, cas_id: casId, cas_version: casVersion, kind, mime, size, media_metadata: media };
    });
    // A file's content comes with it, in the same page: its row here is what the entry points at.
    // Search indexes every device's names (DESIGN §15): the contents of a delta's rows are looked at again.
    const named: string[] = [];
    for (const f of folders) {
      for (const r of f.rows) {
        if (r.content_uuid === null) continue;
        if (!described.has(r.content_uuid)) throw new VssError('PEER', `library page entry ${JSON.stringify(r.name).slice(0, 80)} holds content ${r.content_uuid}, which the page does not describe`);
        if (!pull.full) named.push(r.content_uuid);
      }
    }
    let entries = 0;
    for (const f of folders) entries += f.rows.length;
    return { folders, contents, named, entries };
  }

  /** A checked page written in one transaction with the cursor moved past it; the entries it held. */
  writePage(pull: PullInProgress, { folders, contents, named, entries }: CheckedPage): number {
    const owner = pull.deviceUuid;
    const { store } = this.lib;
    store.transaction(() => {
      const ids = store.peerContents.putMany(owner, contents);
      for (const f of folders) {
        store.peerEntries.putMany(owner, f.location, f.path, f.rows, pull.number, ids);
        // A full copy sweeps the whole device at its end instead (whatever it did not confirm).
        if (f.whole && !pull.full) pull.removed += this.dropped(store.peerEntries.sweepFolder(owner, f.location, f.path, pull.number));
      }
      // A full copy queues all of the device's contents at its end, in uuid order (a million random
      // inserts into the queue cost several times more than one sorted pass).
      if (!pull.full) store.search.queue(named);
      const last = folders[folders.length - 1];
      if (last) store.feedCursors.advance(owner, FEED, last.seq, last.id, last.whole ? '' : last.rows[last.rows.length - 1]?.name ?? '');
    });
    pull.entries += entries;
    return entries;
  }

  /** The pull is whole: a full copy drops what it did not confirm; the cursor moves to its to-seq. */
  finish(pull: PullInProgress): void {
    const { store } = this.lib;
    store.transaction(() => {
      if (pull.full && !pull.fresh) pull.removed += this.dropped(store.peerEntries.sweepDevice(pull.deviceUuid, pull.number));
      if ((pull.full && !pull.fresh) || pull.removed > 0) store.search.queue(store.peerContents.dropUnheld(pull.deviceUuid));
      if (pull.full) store.search.queuePeerDevice(pull.deviceUuid);
      store.feedCursors.finishPull(pull.deviceUuid, FEED, Date.now());
    });
  }

  /** Rows removed: their contents are looked at again by search (a name or a copy gone). */
  private dropped(r: Removed): number {
    this.lib.store.search.queue(r.contents);
    return r.rows;
  }

  /** Forget a device that was unpaired: its rows, its locations, its contents, its cursor and its name. */
  removeDevice(deviceUuid: string): { entries: number } {
    if (deviceUuid === this.lib.device.uuid) throw new VssError('USAGE', 'this device\'s own rows are not removed by unpairing');
    const { store } = this.lib;
    return store.transaction(() => {
      const entries = this.dropped(store.peerEntries.dropDevice(deviceUuid));
      store.search.queue(store.peerContents.dropDevice(deviceUuid));
      store.peerLocations.dropDevice(deviceUuid);
      store.feedCursors.remove(deviceUuid, FEED);
      store.devices.removePeer(deviceUuid);
      return { entries };
    });
  }
}

function pending(c: FeedCursorRecord): PullPosition | null {
  if (c.pull_full === null || c.pull_to_seq === null) return null;
  return { full: c.pull_full === 1, toSeq: c.pull_to_seq, afterSeq: c.pull_after_seq ?? 0, afterId: c.pull_after_id ?? 0, afterName: c.pull_after_name ?? '' };
}

/** Why NAME cannot be one entry's name in a folder, or undefined. */
function nameProblem(name: string): string | undefined {
  if (name === '' || name === '.' || name === '..') return 'is not a name';
  if (name.includes('/') || name.includes('\0')) return 'holds a / or a NUL';
  return undefined;
}

function isJsonObject(text: string): boolean {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}
