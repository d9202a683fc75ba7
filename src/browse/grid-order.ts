import type { GridDay } from '../wire/browse.js';
import { parseMetadata } from '../media/media-metadata.js';
import type { BrowseStore, MetaSelection } from '../store/browse.js';
import { facesPersonVersion } from '../store/faces.js';

export type { GridDay };

/** The browse order: content ids, and the days as runs of it. */
export interface GridOrder {
  /**
   * The order's identity (pages of one version are slices of one order): grid_version.n when it
   * was read, plus, once shared data exists, how far that had moved (`sharedVersion`): both only
   * grow, so their sum moves when either does.
   */
  version: number;
  /** This library's content ids; a content only paired devices hold is -(k + 1), k its place in `remote`. */
  ids: Int32Array;
  days: GridDay[];
  /** The uuids of the contents only paired devices hold (DESIGN §15), as the negative ids name them. */
  remote: readonly string[];
}

/** Which devices' contents an order shows: every device's (null), this device's (`local`), or one paired device's (its uuid). */
export type GridDeviceFilter = null | 'local' | string;

/** What the user metadata narrows an order to (DESIGN §16); hidden contents are left out unless `showHidden`. */
export interface GridMetaFilter {
  favorite?: boolean;
  /** 1 to 5. */
  minRating?: number;
  /** A tag as the caller named it (TAGSET makes it the tag and its descendants). */
  tag?: string;
  /** A person's id (issue 31): the contents they are in. */
  person?: string;
  /** An album's id (issue 32): its contents (ALBUMSET says which). */
  album?: string;
  /** Only contents of these kinds. */
  kinds?: readonly string[];
  showHidden?: boolean;
}

/** What an album stands for in the grid: the albums whose items it shows (it and those within it), or a smart album's contents now. */
export type AlbumSelection = { albums: readonly string[] } | { uuids: readonly string[] };

/** Filtered slices kept at once (one per device and filter asked for lately). */
const MAX_META_SLICES = 32;

export interface GridOrderOptions {
  /** While changes keep coming, the order is read again at most this often; between, the last one is served. */
  minRebuildMs?: number;
  now?: () => number;
  /** The tag uuids a filter's tag stands for (the tag and those beneath it; none when it names none). */
  tagSet?: (tag: string) => readonly string[];
  /** What a filter's album stands for; undefined when it names no album. */
  albumSet?: (album: string) => AlbumSelection | undefined;
  /**
   * The stacks (issue 45) as they stand for the order of VERSION (its contents: which members the
   * library has): each shows as one tile, its cover's, or where a filter leaves the cover out, its
   * first member the filter keeps.
   */
  stacks?: (version: number) => ReadonlyArray<{ cover: string; members: readonly string[] }>;
}

/** A scan bumps the version with every file: reading the order again once every two seconds is enough to follow it. */
export const GRID_REBUILD_MIN_MS = 2000;

/**
 * The web UI's grid order (migration 009): contents by capture day, newest first, then capture
 * instant, newest first, then the file name, then id. Undated contents (no capture time in the
 * file: documents, screenshots without EXIF) come last, by name: their mtime is when they were
 * copied, not taken, and would scatter them among real days. A Live Photo's movie is its
 * still's sidecar, not an item of its own. The contents only paired devices hold stand among
 * this device's by the capture time of their media metadata (DESIGN §15).
 *
 * The order is read once into memory (4 bytes a content) and kept until grid_version moves,
 * so a page at any offset is a slice, not an OFFSET scan. Reading it blocks the daemon (tens of
 * milliseconds at 100k contents, bench/grid-bench.ts), and during a scan every file moves the
 * version: so it is read again at most every GRID_REBUILD_MIN_MS, and the answers say which
 * order (`version`) they are slices of.
 */
export class GridOrderCache {
  private order: GridOrder | undefined;
  private part: RemotePart | undefined;
  private builtAt = 0;
  /** The device filters' slices of the order `slicesOf` (a few: every device's, this one's, each paired one's). */
  private readonly slices = new Map<string, GridOrder>();
  private slicesOf: GridOrder | undefined;
  /** The slices by user metadata, by device and filter: each of one device slice, at one shared-data version. */
  private readonly metaSlices = new Map<string, { of: GridOrder; shared: number; order: GridOrder }>();
  private readonly minRebuildMs: number;
  private readonly now: () => number;
  private readonly tagSet: (tag: string) => readonly string[];
  private readonly albumSet: (album: string) => AlbumSelection | undefined;
  private readonly stacks: (version: number) => ReadonlyArray<{ cover: string; members: readonly string[] }>;
  private stackIds: { of: ReadonlyArray<unknown>; localId: Map<string, number>; memberIds: Set<number>; memberUuids: Set<string> } | undefined;

  constructor(private readonly store: BrowseStore, options: GridOrderOptions = {}) {
    this.minRebuildMs = options.minRebuildMs ?? GRID_REBUILD_MIN_MS;
    this.now = options.now ?? Date.now;
    this.tagSet = options.tagSet ?? (() => []);
    this.albumSet = options.albumSet ?? (() => undefined);
    this.stacks = options.stacks ?? (() => []);
  }

  /**
   * The current order (of DEVICE's contents only, when given; narrowed by META), hidden contents
   * left out unless META asks for them. The capture order is read again when something moved
   * since and the last read is old enough; the filters' slices of it when it or the shared data
   * moved (a change of user metadata is seen at once: the sets it filters by come from indexes).
   */
  current(device: GridDeviceFilter = null, meta: GridMetaFilter = {}): GridOrder {
    const of = this.ofDevice(device);
    const shared = this.store.sharedVersion();
    const key = `${device ?? ''}|${meta.favorite === true ? 'f' : ''}|${meta.minRating ?? 0}|${meta.showHidden === true ? 'h' : ''}|${meta.tag ?? ''}|${meta.person ?? ''}|${meta.album ?? ''}|${meta.kinds?.join(',') ?? ''}`;
    const hit = this.metaSlices.get(key);
    // Who is in which photo moves with the people pass, what a smart album holds with the search index, not with the
    // shared data's version: a person's or an album's slice is read each time.
    if (hit?.of === of && hit.shared === shared && meta.person === undefined && meta.album === undefined) return hit.order;
    const order = this.store.inSnapshot(() => this.narrow(of, meta));
    if (this.metaSlices.size >= MAX_META_SLICES) this.metaSlices.delete(this.metaSlices.keys().next().value!);
    this.metaSlices.delete(key);
    this.metaSlices.set(key, { of, shared: order.version - of.version, order });
    return order;
  }

  /**
   * ORDER narrowed by META as the shared data stands now (read in one snapshot with it). With
   * nothing to leave out it is ORDER itself (another version once shared data exists).
   */
  private narrow(order: GridOrder, meta: GridMetaFilter): GridOrder {
    const shared = this.store.sharedVersion();
    const keep: Array<(id: number) => boolean> = [];
    const member = (sel: MetaSelection) => {
      const local = new Set<number>();
      const uuids = new Set<string>();
      for (const [uuid, id] of this.store.selected(sel)) {
        if (id !== null) local.add(id);
        uuids.add(uuid);
      }
      return { size: uuids.size, has: (id: number) => (id > 0 ? local.has(id) : uuids.has(order.remote[-id - 1]!)) };
    };
    if (meta.showHidden !== true) {
      const hidden = member({ hidden: true });
      if (hidden.size > 0) keep.push((id) => !hidden.has(id));
    }
    if (meta.favorite === true) keep.push(member({ favorite: true }).has);
    if (meta.minRating !== undefined && meta.minRating > 0) keep.push(member({ minRating: meta.minRating }).has);
    if (meta.tag !== undefined) {
      const tags = this.tagSet(meta.tag);
      keep.push(tags.length === 0 ? () => false : member({ tags }).has);
    }
    if (meta.person !== undefined) keep.push(member({ person: meta.person }).has);
    if (meta.kinds !== undefined) keep.push(member({ kinds: meta.kinds }).has);
    let albumMoved = 0;
    if (meta.album !== undefined) {
      const sel = this.albumSet(meta.album);
      const m = sel === undefined ? undefined : member(sel);
      keep.push(m === undefined ? () => false : m.has);
      // A smart album's contents move with the library: its slice is another order whenever what it holds changed.
      if (sel !== undefined && 'uuids' in sel) albumMoved = hashOf(sel.uuids);
    }
    const filtered = keep.length === 0 ? order : filterOrder(order, keep.length === 1 ? keep[0]! : (id) => keep.every((k) => k(id)));
    const narrowed = this.oneTileEach(filtered, order.version);
    // A person's slice moves with who is in which photo too (the people pass, a correction).
    const moved = shared + (meta.person !== undefined ? facesPersonVersion() : 0) + albumMoved;
    return moved === 0 ? narrowed : { ...narrowed, version: order.version + moved };
  }

  /**
   * ORDER with one tile for each stack (issue 45): of its members ORDER holds (after every filter),
   * the cover, else the first by uuid; the others left out. So a stack whose cover a filter leaves
   * out (another device's, unrated, without the person) still shows by a member that passed.
   */
  private oneTileEach(order: GridOrder, version: number): GridOrder {
    const stacks = this.stacks(version);
    if (stacks.length === 0) return order;
    // The members' ids, read once for the stacks as read (the same list while they stand).
    if (this.stackIds?.of !== stacks) {
      const localId = new Map<string, number>();
      for (const [uuid, id] of this.store.selected({ uuids: stacks.flatMap((st) => st.members) })) if (id !== null) localId.set(uuid, id);
      this.stackIds = { of: stacks, localId, memberIds: new Set(localId.values()), memberUuids: new Set(stacks.flatMap((st) => st.members)) };
    }
    const { localId, memberIds, memberUuids } = this.stackIds;
    const presentIds = new Set<number>();
    const presentUuids = new Set<string>();
    for (const id of order.ids) {
      if (id > 0) {
        if (memberIds.has(id)) presentIds.add(id);
      } else {
        const uuid = order.remote[-id - 1]!;
        if (memberUuids.has(uuid)) presentUuids.add(uuid);
      }
    }
    const shown = (m: string) => presentUuids.has(m) || (localId.has(m) && presentIds.has(localId.get(m)!));
    const hideIds = new Set<number>();
    const hideUuids = new Set<string>();
    for (const st of stacks) {
      const there = st.members.filter(shown);
      if (there.length < 2) continue;
      const one = there.includes(st.cover) ? st.cover : there[0]!;
      for (const m of there) {
        if (m === one) continue;
        hideUuids.add(m);
        const id = localId.get(m);
        if (id !== undefined) hideIds.add(id);
      }
    }
    if (hideIds.size === 0 && hideUuids.size === 0) return order;
    return filterOrder(order, (id) => (id > 0 ? !hideIds.has(id) : !hideUuids.has(order.remote[-id - 1]!)));
  }

  /** The order of DEVICE's contents (all devices': null). */
  private ofDevice(device: GridDeviceFilter): GridOrder {
    const order = this.whole();
    if (device === null) return order;
    let slice = this.slices.get(device);
    if (slice?.version !== order.version || this.slicesOf !== order) {
      if (this.slicesOf !== order) this.slices.clear();
      this.slicesOf = order;
      slice = device === 'local' ? filterOrder(order, (id) => id > 0) : this.heldBy(order, device);
      this.slices.set(device, slice);
    }
    return slice;
  }

  private whole(): GridOrder {
    if (this.order !== undefined && this.now() - this.builtAt < this.minRebuildMs) return this.order;
    if (this.order?.version !== this.store.version()) {
      // One snapshot: the rows and the tied contents' names are of the same moment.
      const { order, part } = this.store.inSnapshot(() => readOrder(this.store, this.part));
      this.order = order;
      this.part = part;
      this.builtAt = this.now();
    }
    return this.order;
  }

  /** The slice of ORDER a paired device holds a copy of (those held here too among them). */
  private heldBy(order: GridOrder, deviceUuid: string): GridOrder {
    const local = new Set<number>();
    const uuids = new Set<string>();
    for (const [uuid, id] of this.store.heldBy(deviceUuid)) {
      if (id !== null) local.add(id);
      uuids.add(uuid);
    }
    return filterOrder(order, (id) => (id > 0 ? local.has(id) : uuids.has(order.remote[-id - 1]!)));
  }
}

/**
 * One snapshot of the order's rows (store/browse.ts), made into the order: the contents with a
 * file copy here that are not shown through another, and the contents only paired devices hold
 * (DESIGN §15: one library across devices), merged by day and instant, and the first names only
 * of the contents that tie on their instant (a burst, or the undated ones), the only ones the
 * name orders. A content held here and elsewhere is one tile, this device's.
 */
function readOrder(store: BrowseStore, cached: RemotePart | undefined): { order: GridOrder; part: RemotePart } {
  const { version, ids: all, instants, dayRuns, withFile, hidden: hiddenIds, peerVersion, heldHere, remote: remoteRows } = store.orderSnapshot(cached?.peerVersion);
  const part = remoteRows ? remotePart(peerVersion, remoteRows) : cached!;
  const hidden = new Set(hiddenIds);
  let maxId = 0;
  for (const id of all) if (id > maxId) maxId = id;
  const hasFile = new Uint8Array(maxId + 1);
  for (const id of withFile) if (id <= maxId) hasFile[id] = 1;

  // The contents shown here hide their copies elsewhere; so does a movie shown through its still.
  const shownHere = new Set<string>();
  for (const [uuid, id] of heldHere) if (id <= maxId && (hasFile[id] === 1 || hidden.has(id))) shownHere.add(uuid);
  const remote: string[] = [];
  const rInstant: Array<number | null> = [];
  const rDay: Array<string | null> = [];
  for (let k = 0; k < part.uuids.length; k++) {
    const uuid = part.uuids[k]!;
    if (shownHere.size > 0 && shownHere.has(uuid)) continue;
    remote.push(uuid);
    rInstant.push(part.instants[k]!);
    rDay.push(part.days[k]!);
  }

  const ids = new Int32Array(all.length + remote.length);
  const days: GridDay[] = [];
  /** [start, end) of ids that tie on day and instant. */
  const ties: Array<[number, number]> = [];
  let n = 0;
  let dayStart = 0;
  let tieStart = 0;
  let lastDay: string | null | undefined;
  let lastInstant: number | null = null;
  const put = (id: number, day: string | null, instant: number | null) => {
    if (n === 0 || day !== lastDay) {
      if (n > 0) {
        if (n - tieStart > 1) ties.push([tieStart, n]);
        days.push({ day: lastDay!, count: n - dayStart });
      }
      dayStart = n;
      tieStart = n;
    } else if (instant !== lastInstant) {
      if (n - tieStart > 1) ties.push([tieStart, n]);
      tieStart = n;
    }
    lastDay = day;
    lastInstant = instant;
    ids[n++] = id;
  };

  let r = 0;
  let at = 0;
  for (const [day, count] of dayRuns) {
    for (const end = Math.min(at + count, all.length); at < end; at++) {
      const id = all[at]!;
      if (hasFile[id] !== 1 || hidden.has(id)) continue;
      const instant = instants[at] ?? null;
      // The remote contents that come first in the order (newer day, or newer instant that day).
      while (r < remote.length && before(rDay[r]!, rInstant[r]!, day, instant)) {
        put(-(r + 1), rDay[r]!, rInstant[r]!);
        r++;
      }
      put(id, day, instant);
    }
  }
  for (; r < remote.length; r++) put(-(r + 1), rDay[r]!, rInstant[r]!);
  if (n > 0) {
    if (n - tieStart > 1) ties.push([tieStart, n]);
    days.push({ day: lastDay!, count: n - dayStart });
  }
  if (ties.length > 0) sortTies(store, ids, ties, remote, part.names);
  return { order: { version, ids: ids.slice(0, n), days, remote }, part };
}

/** The contents paired devices hold, in capture order, as read at one grid_peer_version (kept while it stands: a scan here does not change them). */
interface RemotePart {
  peerVersion: number;
  uuids: string[];
  instants: Array<number | null>;
  days: Array<string | null>;
  /** First copies' names of those that tied on their instant so far (read once while the part stands). */
  names: Map<string, string>;
}

const DAY_RE = /^[0-9]{4}-[01][0-9]-[0-3][0-9]/;

/**
 * ROWS (by uuid, then device) made into capture order: one per content, its capture instant and
 * day read from its metadata by the rule migration 009 generates this device's with (a valid v1
 * object; the instant a number, made whole; the day the first ten characters of captured_at when
 * they are a date), newest first, undated last.
 */
function remotePart(peerVersion: number, rows: ReadonlyArray<[string, string | null]>): RemotePart {
  const uuids: string[] = [];
  const instant: Array<number | null> = [];
  const day: Array<string | null> = [];
  let last = '';
  for (const [uuid, metadata] of rows) {
    if (uuid === last) continue;
    last = uuid;
    const m = parseMetadata(metadata) as { captured_ms?: unknown; captured_at?: unknown } | null;
    const ms = typeof m?.captured_ms === 'number' && Number.isFinite(m.captured_ms) ? Math.trunc(m.captured_ms) : null;
    const at = m?.captured_at;
    uuids.push(uuid);
    instant.push(ms);
    day.push(typeof at === 'string' && DAY_RE.test(at) ? at.slice(0, 10) : null);
  }
  const at = Array.from(uuids, (_, i) => i);
  at.sort((a, b) => (before(day[a]!, instant[a]!, day[b]!, instant[b]!) ? -1 : before(day[b]!, instant[b]!, day[a]!, instant[a]!) ? 1 : 0));
  return { peerVersion, uuids: at.map((i) => uuids[i]!), instants: at.map((i) => instant[i]!), days: at.map((i) => day[i]!), names: new Map() };
}

/** Whether (DAY, INSTANT) comes before (DAY2, INSTANT2) in the order: newer day first, then newer instant; undated and untimed last. */
function before(day: string | null, instant: number | null, day2: string | null, instant2: number | null): boolean {
  if (day !== day2) return day2 === null || (day !== null && day > day2);
  if (instant === instant2) return false;
  return instant2 === null || (instant !== null && instant > instant2);
}

/**
 * Order each run of ids that tie on their instant by first name, then this device's contents
 * before the others' (each by id; the others' by uuid).
 */
function sortTies(store: BrowseStore, ids: Int32Array, ties: Array<[number, number]>, remote: readonly string[], remoteNames: Map<string, string>): void {
  const names = firstNames(store, ids, ties, remote, remoteNames);
  const byName = (a: number, b: number) => {
    const x = names.get(a) ?? '';
    const y = names.get(b) ?? '';
    if (x !== y) return x < y ? -1 : 1;
    if (a > 0 || b > 0) return a > 0 && b > 0 ? a - b : b - a;
    const u = remote[-a - 1]!;
    const v = remote[-b - 1]!;
    return u < v ? -1 : u > v ? 1 : 0;
  };
  for (const [start, end] of ties) ids.subarray(start, end).sort(byName);
}

/** The first copy's name of each tied content (by its order id): of those alone when they are few, else of all in one pass. */
function firstNames(store: BrowseStore, ids: Int32Array, ties: Array<[number, number]>, remote: readonly string[], remoteNames: Map<string, string>): Map<number, string> {
  const tied: number[] = [];
  const tiedRemote: string[] = [];
  let local = 0;
  for (const [start, end] of ties) {
    for (let i = start; i < end; i++) {
      const id = ids[i]!;
      if (id > 0) tied.push(id);
      else if (!remoteNames.has(remote[-id - 1]!)) tiedRemote.push(remote[-id - 1]!);
    }
  }
  for (const id of ids) if (id > 0) local++;
  const names = new Map<number, string>();
  if (tied.length > 0) {
    // Looking one up by the content index costs about two rows of the whole table's pass.
    const rows = store.fileNames(tied.length * 2 < local ? tied : 'all');
    // In id order: the first row of a content is its first copy.
    for (const [id, name] of rows) if (!names.has(id)) names.set(id, name);
  }
  // The paired devices' names stand while their rows do: read once, kept with their part of the order.
  if (tiedRemote.length > 0) {
    for (const [uuid, name] of store.peerFileNames(tiedRemote.length * 2 < remote.length ? tiedRemote : 'all')) {
      if (!remoteNames.has(uuid)) remoteNames.set(uuid, name);
    }
  }
  for (const [start, end] of ties) {
    for (let i = start; i < end; i++) {
      const id = ids[i]!;
      if (id < 0) {
        const name = remoteNames.get(remote[-id - 1]!);
        if (name !== undefined) names.set(id, name);
      }
    }
  }
  return names;
}

/** The slice of ORDER whose ids KEEP holds, with its days counted again. */
function filterOrder(order: GridOrder, keep: (id: number) => boolean): GridOrder {
  const ids = new Int32Array(order.ids.length);
  const days: GridDay[] = [];
  let n = 0;
  let at = 0;
  for (const d of order.days) {
    const start = n;
    for (const end = at + d.count; at < end; at++) {
      const id = order.ids[at]!;
      if (keep(id)) ids[n++] = id;
    }
    if (n > start) days.push({ day: d.day, count: n - start });
  }
  return { version: order.version, ids: ids.slice(0, n), days, remote: order.remote };
}

/** A small number that changes when UUIDS do (a smart album's slice version): FNV-1a over them, 20 bits. */
function hashOf(uuids: readonly string[]): number {
  let h = 0x811c9dc5;
  for (const u of uuids) for (let i = 0; i < u.length; i++) h = Math.imul(h ^ u.charCodeAt(i), 0x01000193) >>> 0;
  return (h & 0xfffff) + uuids.length;
}
