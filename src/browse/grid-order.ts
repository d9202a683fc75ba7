import type { GridDay } from '../wire/browse.js';
import type { BrowseStore, MetaSelection } from '../store/browse.js';
import { facesPersonVersion } from '../store/faces.js';
import { readOrder, type RemotePart } from './grid-read.js';

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
  /** Only the contents short of their Guardian policy (RISKSET says which; issue 58). */
  atRisk?: boolean;
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
  /** The contents short of their Guardian policy now (the at-risk filter). */
  riskSet?: () => readonly string[];
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
  private readonly riskSet: () => readonly string[];
  private readonly stacks: (version: number) => ReadonlyArray<{ cover: string; members: readonly string[] }>;
  private stackIds: { of: ReadonlyArray<unknown>; localId: Map<string, number>; memberIds: Set<number>; memberUuids: Set<string> } | undefined;

  constructor(private readonly store: BrowseStore, options: GridOrderOptions = {}) {
    this.minRebuildMs = options.minRebuildMs ?? GRID_REBUILD_MIN_MS;
    this.now = options.now ?? Date.now;
    this.tagSet = options.tagSet ?? (() => []);
    this.albumSet = options.albumSet ?? (() => undefined);
    this.riskSet = options.riskSet ?? (() => []);
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
    const key = `${device ?? ''}|${meta.favorite === true ? 'f' : ''}|${meta.minRating ?? 0}|${meta.showHidden === true ? 'h' : ''}|${meta.tag ?? ''}|${meta.person ?? ''}|${meta.album ?? ''}|${meta.kinds?.join(',') ?? ''}|${meta.atRisk === true ? 'r' : ''}`;
    const hit = this.metaSlices.get(key);
    // Who is in which photo moves with the people pass, what a smart album holds with the search index, not with the
    // shared data's version: a person's or an album's slice is read each time.
    if (hit?.of === of && hit.shared === shared && meta.person === undefined && meta.album === undefined && meta.atRisk !== true) return hit.order;
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
    let setsMoved = 0;
    if (meta.album !== undefined) {
      const sel = this.albumSet(meta.album);
      const m = sel === undefined ? undefined : member(sel);
      keep.push(m === undefined ? () => false : m.has);
      // A smart album's contents move with the library: its slice is another order whenever what it holds changed.
      if (sel !== undefined && 'uuids' in sel) setsMoved = hashOf(sel.uuids);
    }
    if (meta.atRisk === true) {
      // What is short moves with copies made and lost, not with the shared data: its slice is another order whenever the set changed.
      const uuids = this.riskSet();
      keep.push(member({ uuids }).has);
      setsMoved += hashOf(uuids);
    }
    const filtered = keep.length === 0 ? order : filterOrder(order, keep.length === 1 ? keep[0]! : (id) => keep.every((k) => k(id)));
    const narrowed = this.oneTileEach(filtered, order.version);
    // A person's slice moves with who is in which photo too (the people pass, a correction).
    const moved = shared + (meta.person !== undefined ? facesPersonVersion() : 0) + setsMoved;
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
