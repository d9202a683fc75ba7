import { createPublicKey } from 'node:crypto';
import { VssError } from '../../core/errors.js';
import { contentUuidFor } from '../../content/identity.js';
import { isContentKind } from '../../content/kinds.js';
import { relPathProblem } from '../../core/address.js';
import type { Library } from '../../library/library.js';
import type { PeerContentFacts } from '../../store/peer-contents.js';
import type { PeerEntryFacts, Removed } from '../../store/peer-entries.js';
import type { PeerLocationRecord } from '../../store/peer-locations.js';
import type { BatchWriter } from '../../store/batch-writer.js';
import type { FeedCursorRecord, PullPosition } from '../../store/feed-cursors.js';
import { UUID_RE } from '../../sidecars/address.js';
import type { MessageIn } from '../messages/channel.js';
import { LIBRARY_HELD_OWNERS } from '../messages/table.js';
import { headText, signedBy } from './row-signature.js';
import { signedFolders, type ForwardedPull } from './forwarded-folders.js';

/** Its cursors' rows in `feed_cursors`. */
const FEED = 'library';
/** Where this device stands in each owner's rows as taken from the owner itself (not passed on by a member). */
const FEED_FROM_OWNER = 'library-from-owner';

export type HeadIn = MessageIn<'feed.library.head'>;
/** The fields of a head its owner signs. */
export type SignedHead = Pick<HeadIn, 'device' | 'epoch' | 'to_seq' | 'locations'>;
export type PageIn = MessageIn<'feed.library.page'>;

/** A pull under way from one owner: its number marks every row it confirms. */
export interface PullInProgress {
  deviceUuid: string;
  number: number;
  full: boolean;
  toSeq: number;
  /** Rows it removed (then contents no row holds are dropped at the end). */
  removed: number;
  /** Whether the owner's locations as its head lists them differ from those held (added, gone, renamed, offline, their counts). */
  locationsChanged: boolean;
  /** A full copy to a device that held none of the owner's rows: nothing to sweep at its end. */
  fresh: boolean;
  /** The locations the owner announced in the head: the only ones its pages may name. */
  locations: ReadonlySet<number>;
  entries: number;
  /** The owner's database the rows are of. */
  epoch: string;
  /** Rows another member passes on (A → B → C): taken only as their owner signed them. */
  forwarded?: ForwardedPull;
  /** How often the owner had been removed here when the pull began (`PeerLibrary.removeDevice`). */
  removals: number;
}

/** Per open library: shared by the link's PeerLibrary and the feed source's. */
const WHOLENESS = new WeakMap<Library, Map<string, { key: string; signed: boolean }>>();
/** How often each owner was removed from a library (per open library, as any PeerLibrary of it sees it): a pull begun before a removal is refused after it. */
const REMOVALS = new WeakMap<Library, Map<string, number>>();

/** An owner's locations as one string, in id order: two lists of the same locations, the same facts, say the same. */
const placesKey = (places: ReadonlyArray<Omit<PeerLocationRecord, 'device_uuid'>>): string => JSON.stringify([...places]
  .sort((a, b) => a.location_id - b.location_id).map((l) => [l.location_id, l.uuid, l.name, l.path, l.index_mode, l.files, l.dirs, l.bytes, l.online]));

/** A page checked whole, as it is written. */
export interface CheckedPage {
  folders: Array<PageIn['folders'][number] & { rows: PeerEntryFacts[] }>;
  contents: PeerContentFacts[];
  /** The contents of a delta's rows, to be looked at again by search. */
  named: string[];
  entries: number;
}

/** An owner whose rows this device holds whole and signed (passed on when asked): its epoch and the seq they reach. */
export interface HeldOwner {
  device: string;
  epoch: string;
  seq: number;
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
  /** Whether each owner's rows here were all signed, as of its cursor then (a look at every folder: made once per seq reached). */
  private readonly wholeness: Map<string, { key: string; signed: boolean }>;

  /** REMOVALS of this library. */
  private readonly removals: Map<string, number>;

  constructor(private readonly lib: Library) {
    let known = WHOLENESS.get(lib);
    if (known === undefined) WHOLENESS.set(lib, (known = new Map()));
    this.wholeness = known;
    let removals = REMOVALS.get(lib);
    if (removals === undefined) REMOVALS.set(lib, (removals = new Map()));
    this.removals = removals;
  }

  /** Where a pull from DEVICE should start: changes since, and a cut-off pull to go on with. */
  askFor(deviceUuid: string): { epoch: string | null; seq: number; resume?: PullPosition } {
    const c = this.lib.store.feedCursors.get(deviceUuid, FEED);
    if (!c) return { epoch: null, seq: 0 };
    return { epoch: c.epoch, seq: c.seq, ...(pending(c) ? { resume: pending(c)! } : {}) };
  }

  /**
   * Where a pull from the owner DEVICE itself should start: from the last seq taken from it, not
   * from what members passed on since (a member can withhold a newer folder, never forge one: the
   * owner sends again whatever changed since it was last asked). No pull from it yet: a full copy.
   */
  askOwner(deviceUuid: string): { epoch: string | null; seq: number; resume?: PullPosition } {
    const { store } = this.lib;
    const c = store.feedCursors.get(deviceUuid, FEED);
    if (!c || c.epoch === null) return this.askFor(deviceUuid);
    const own = store.feedCursors.get(deviceUuid, FEED_FROM_OWNER);
    const seq = own?.epoch === c.epoch ? own.seq : 0;
    // A pull cut off goes on only when it was the owner's own (own.pull_number: the last pull begun from it).
    const resume = pending(c) !== null && own?.pull_number === c.pull_number && seq === c.seq ? pending(c)! : undefined;
    return { epoch: c.epoch, seq, ...(resume ? { resume } : {}) };
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
  begin(remote: { deviceUuid: string; publicKey?: string }, asked: { epoch: string | null; seq: number; resume?: PullPosition }, head: HeadIn, via?: { name: string }): PullInProgress {
    const owner = remote.deviceUuid;
    if (owner === this.lib.device.uuid) throw new VssError('PEER', 'a peer sent library rows in this device\'s own name');
    if (head.device.uuid !== owner) throw new VssError('PEER', `library rows from ${via?.name ?? owner} speak for device ${head.device.uuid}: only a device's own rows are taken from it${via ? ', or rows it passes on of the device asked for' : ''}`);
    const signed = head.sig !== undefined ? headText(this.lib.config.id, head) : undefined;
    // Passed on by another member: the head must be the owner's own words, signed with its key.
    if (via && (remote.publicKey === undefined || signed === undefined || !signedBy(signed, head.sig, remote.publicKey))) {
      throw new VssError('PEER', `${via.name} passed on rows of ${head.device.name} that ${head.device.name} did not sign`);
    }
    // A's older rows, signed by A then, replayed by the member: never taken over newer ones here (nor another database's over this one's).
    if (via && asked.epoch !== null && (head.epoch !== asked.epoch || head.to_seq < asked.seq)) {
      throw new VssError('PEER', `${via.name} passed on rows of ${head.device.name} up to seq ${head.to_seq} of epoch ${head.epoch}: older than seq ${asked.seq} of ${asked.epoch} here`);
    }
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
      const places = head.locations.map((l) => ({
        location_id: l.id, uuid: l.uuid, name: l.name, path: l.path, index_mode: l.mode, files: l.files, dirs: l.dirs, bytes: l.bytes,
        online: l.online === false ? 0 as const : 1 as const,
      }));
      const locationsChanged = placesKey(store.peerLocations.ofDevice(owner)) !== placesKey(places);
      for (const gone of store.peerLocations.replace(owner, places)) {
        removed += this.dropped(store.peerEntries.dropLocation(owner, gone));
        store.peerFolders.dropLocation(owner, gone);
      }
      // The head of this pull, as its owner signed it: passed on with its rows once the pull is whole.
      if (signed !== undefined && head.sig) store.peerHeads.set({ device_uuid: owner, head: JSON.stringify(signedHead(head)), sig: head.sig });
      else store.peerHeads.drop(owner);
      const c = store.feedCursors.get(owner, FEED);
      const number = head.resumed && c
        ? c.pull_number
        : store.feedCursors.startPull(owner, FEED, head.epoch, { full: head.full, toSeq: head.to_seq, afterSeq: 0, afterId: 0, afterName: '' }, now);
      // A pull from the owner itself: marked, so a cut-off one is resumed from it (askOwner).
      if (!via) store.feedCursors.mark(owner, FEED_FROM_OWNER, head.epoch, head.epoch === asked.epoch ? asked.seq : 0, number);
      const fresh = head.full && !store.peerEntries.anyOf(owner);
      const forwarded = via ? { publicKey: createPublicKey(remote.publicKey!), epoch: head.epoch, fromSeq: head.full ? 0 : head.from_seq, open: undefined } : undefined;
      return { deviceUuid: owner, number, full: head.full, toSeq: head.to_seq, epoch: head.epoch, removed, locationsChanged, entries: 0, fresh, locations: ids, removals: this.removals.get(owner) ?? 0, ...(forwarded ? { forwarded } : {}) };
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
      // A full copy's folders may be numbered 0: one made before folders were numbered, or an empty one an older vss never numbered.
      if (pull.forwarded && (f.seq > pull.toSeq || (!pull.full && f.seq <= pull.forwarded.fromSeq))) throw new VssError('PEER', `library page folder ${i} is numbered ${f.seq}, outside the pull's ${pull.forwarded.fromSeq}–${pull.toSeq}`);
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
    const checked = { folders, contents, named, entries };
    return pull.forwarded ? signedFolders(this.lib, pull, pull.forwarded, checked) : checked;
  }

  /** A checked page written in one transaction with the cursor moved past it; the entries it held. */
  writePage(pull: PullInProgress, { folders, contents, named, entries }: CheckedPage): number {
    const owner = pull.deviceUuid;
    const { store } = this.lib;
    store.transaction(() => {
      this.stillHere(pull);
      const ids = store.peerContents.putMany(owner, contents);
      for (const f of folders) {
        store.peerEntries.putMany(owner, f.location, f.path, f.rows, pull.number, ids);
        // Its number and, with its last part, its owner's signature: what passing it on needs.
        store.peerFolders.put({ device_uuid: owner, location_id: f.location, path: f.path, folder_id: f.id, seq: f.seq, sig: f.whole ? f.sig ?? null : null, pull: pull.number });
        // A full copy from the owner sweeps the whole device at its end instead (whatever it did not confirm); one passed
        // on by a member sweeps folder by folder, never the device (a folder the member left out keeps what this device had of it).
        if (f.whole && (!pull.full || pull.forwarded)) {
          const swept = store.peerEntries.sweepFolder(owner, f.location, f.path, pull.number);
          for (const gone of swept.folders ?? []) store.peerFolders.dropFolder(owner, f.location, gone);
          pull.removed += this.dropped(swept);
        }
      }
      // A full copy queues all of the device's contents at its end, in uuid order (a million random inserts cost far more).
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
      this.stillHere(pull);
      const sweep = pull.full && !pull.forwarded;
      if (sweep && !pull.fresh) pull.removed += this.dropped(store.peerEntries.sweepDevice(pull.deviceUuid, pull.number));
      if (sweep) store.peerFolders.sweepDevice(pull.deviceUuid, pull.number);
      if ((sweep && !pull.fresh) || pull.removed > 0) store.search.queue(store.peerContents.dropUnheld(pull.deviceUuid));
      if (pull.full) store.search.queuePeerDevice(pull.deviceUuid);
      store.feedCursors.finishPull(pull.deviceUuid, FEED, Date.now());
      // Its own rows, whole: marked, and what a restored snapshot said of it replaced (rows a member passes on may be as old).
      if (!pull.forwarded) store.feedCursors.mark(pull.deviceUuid, FEED_FROM_OWNER, pull.epoch, pull.toSeq, pull.number);
      if (!pull.forwarded) store.devices.heardFrom(pull.deviceUuid);
    });
  }

  /** Refuses PULL (inside the transaction that would write it) when its owner was removed since it began. */
  private stillHere(pull: PullInProgress): void {
    if ((this.removals.get(pull.deviceUuid) ?? 0) !== pull.removals) {
      throw new VssError('PEER', `device ${pull.deviceUuid} was removed while its rows were pulled: nothing more of them is kept`);
    }
  }

  /** Rows removed: their contents are looked at again by search (a name or a copy gone). */
  private dropped(r: Removed): number {
    this.lib.store.search.queue(r.contents);
    return r.rows;
  }

  /**
   * The owners whose rows this device holds whole, as they signed them (EXCEPT left out: the
   * device asking): the last pull from each ended, its head signed and every folder with its
   * signature. What a member passes on (forward-changes.ts).
   */
  held(except: string): HeldOwner[] {
    const { store } = this.lib;
    const out: HeldOwner[] = [];
    for (const h of store.peerHeads.all()) {
      if (h.device_uuid === except || out.length >= LIBRARY_HELD_OWNERS) continue;
      const state = this.heldHead(h.device_uuid);
      if (state) out.push({ device: h.device_uuid, epoch: state.head.epoch, seq: state.head.to_seq });
    }
    return out;
  }

  /** OWNER's signed head when its rows here are whole and all signed (what may be passed on), else undefined. */
  heldHead(owner: string): { head: SignedHead; sig: Uint8Array } | undefined {
    const { store } = this.lib;
    const h = store.peerHeads.get(owner);
    const c = store.feedCursors.get(owner, FEED);
    if (!h || !c || pending(c) !== null) return undefined;
    let head: SignedHead;
    try {
      head = JSON.parse(h.head) as SignedHead;
    } catch {
      return undefined;
    }
    if (head.epoch !== c.epoch || head.to_seq !== c.seq) return undefined;
    // Every folder of the owner here with its owner's signature: looked at once per seq reached
    // (a pull that changed nothing leaves the rows as they were; one cut off is not passed on).
    const key = `${c.epoch}:${c.seq}`;
    let whole = this.wholeness.get(owner);
    if (whole?.key !== key) {
      whole = { key, signed: store.peerFolders.allSigned(owner, c.seq) };
      this.wholeness.set(owner, whole);
    }
    return whole.signed ? { head, sig: h.sig } : undefined;
  }

  /**
   * Forget a device that was unpaired: its rows, its locations, its contents, its cursor and its
   * name. A pull of its rows still under way (its pages in flight, or flushed as its connection is
   * cut) writes nothing after this: `stillHere` refuses it.
   */
  removeDevice(deviceUuid: string): { entries: number } {
    if (deviceUuid === this.lib.device.uuid) throw new VssError('USAGE', 'this device\'s own rows are not removed by unpairing');
    const { store } = this.lib;
    this.removals.set(deviceUuid, (this.removals.get(deviceUuid) ?? 0) + 1);
    return store.transaction(() => {
      const entries = this.dropped(store.peerEntries.dropDevice(deviceUuid));
      store.search.queue(store.peerContents.dropDevice(deviceUuid));
      store.peerLocations.dropDevice(deviceUuid);
      store.peerFolders.dropDevice(deviceUuid);
      store.peerHeads.drop(deviceUuid);
      store.feedCursors.remove(deviceUuid, FEED);
      store.feedCursors.remove(deviceUuid, FEED_FROM_OWNER);
      store.devices.removePeer(deviceUuid);
      return { entries };
    });
  }
}

/** The fields of HEAD its owner signs (row-signature.ts headText), as kept to pass on. */
function signedHead(head: HeadIn): SignedHead {
  return { device: head.device, epoch: head.epoch, to_seq: head.to_seq, locations: head.locations };
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
