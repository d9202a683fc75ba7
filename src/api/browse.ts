import { readContentDetail, type DetailContext } from '../browse/content-detail.js';
import { GridOrderCache, type GridDeviceFilter, type GridMetaFilter } from '../browse/grid-order.js';
import { readGridPage } from '../browse/grid-page.js';
import { detailUser, tagFilterSet } from '../browse/user-meta-view.js';
import { catchUpFaces } from '../people/faces-follower.js';
import { atRiskUuids, contentSafety, copyCounts } from '../guardian/redundancy.js';
import { UsageError, VssError } from '../core/errors.js';
import type { Stream } from '@libp2p/interface';
import type { OpNetwork } from '../ops/op.js';
import { deviceFolderAddress } from '../core/address.js';
import type { Library } from '../library/library.js';
import { contentTiles } from './content-tiles.js';
import { UUID_RE } from '../sidecars/address.js';
import { CONTENT_KINDS, isContentKind } from '../content/kinds.js';
import { albumContents } from '../albums/album-contents.js';
import { searchedWords } from '../search/ocr-text.js';
import { albumTree } from '../search/search-filters.js';
import { withDescendants } from '../tags/tag-tree.js';
import type { AlbumSelection } from '../browse/grid-order.js';
import { StackBook, type Stack } from '../stacks/stack-book.js';
import type { GridStack } from '../wire/browse.js';
import type { DetailStack } from '../wire/stacks.js';
import type { LibraryContext } from './library-api.js';
import type { ContentDetail, GridDays, GridDevice, GridFilter, GridPage, PlaceCountry } from '../wire/browse.js';
import type { BrowseRoots, FolderListing } from '../wire/browse-folder.js';
import type { BrowseThumb, BrowseThumbs } from '../browse/browse-thumbs.js';
import { join } from 'node:path';

export type { FolderEntry, FolderListing } from '../wire/browse-folder.js';
export type { ContentDetail, DetailCopy, DetailPath, DetailDevice, DetailSidecar, DetailTag, DetailUser, GridDay, GridDays, GridDevice, GridFilter, GridItem, GridPage, PlaceCountry } from '../wire/browse.js';

/** The most tiles one grid read returns. */
export const GRID_PAGE_MAX = 2000;

/**
 * What the web UI browses: the library's contents on every device by capture time, as days and
 * pages of tiles (the order: src/browse/grid-order.ts), narrowed to one device's on request, and
 * one content's detail (its copies on every device, metadata and sidecars with the devices that
 * have each). ONLINE: the paired devices connected now (none without the daemon's network side).
 */
export class BrowseApi {
  private readonly order: GridOrderCache;
  private readonly stacks: StackBook;
  /** The stacks as last read, and the versions they were read at (stacksNow): read again only when the stacks, the order or paired devices' rows moved. */
  /** The browsed folders' thumbnails, made when first asked for. */
  private thumbs: BrowseThumbs | undefined;
  private stacksRead: { key: string; stacks: Stack[]; byMember: Map<string, GridStack> } | undefined;

  constructor(private readonly lib: Library, private readonly ctx: LibraryContext, private readonly online: () => ReadonlySet<string> = () => new Set(), private readonly network: () => OpNetwork | undefined = () => undefined) {
    this.stacks = new StackBook(lib);
    this.order = new GridOrderCache(lib.store.browse, {
      tagSet: (tag) => tagFilterSet(lib, tag), albumSet: (album) => albumGridSet(lib, album), riskSet: () => atRiskUuids(lib),
      stacks: (version) => this.stacksNow(version).stacks,
    });
  }

  /**
   * Every day with contents, newest first, undated last (`day: null`); their counts add up to
   * total. `version` names the order: pages of the same version are slices of it. DEVICE: only
   * the contents that device holds (`local`: this one; else a device id). `devices`: the
   * library's devices, with whether each is online now. FILTER: only the contents with that tag,
   * favourites, rating (DESIGN §16); hidden contents are left out unless it asks for them.
   */
  days(device?: string, filter: GridFilter = {}): GridDays {
    if (filter.person) catchUpFaces(this.lib);
    const dev = deviceFilter(device);
    const o = this.order.current(dev, metaFilter(filter));
    return { total: o.ids.length, version: o.version, days: o.days, devices: this.devices(), device: dev };
  }

  /** LIMIT tiles (1 to GRID_PAGE_MAX) from OFFSET in the order of days(DEVICE, FILTER); past the end, none. A page of another version than the days read belongs to another order. */
  page(offset: number, limit: number, device?: string, filter: GridFilter = {}): GridPage {
    if (!Number.isSafeInteger(offset) || offset < 0) throw new UsageError(`offset must be a whole number from 0, got ${String(offset)}`);
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > GRID_PAGE_MAX) throw new UsageError(`limit must be a whole number from 1 to ${GRID_PAGE_MAX}, got ${String(limit)}`);
    return readGridPage(
      this.lib.store.browse, this.order.current(deviceFilter(device), metaFilter(filter)), offset, limit, this.lib.device.uuid, (uuids) => copyCounts(this.lib, uuids),
      () => this.stacksShown().byMember,
    );
  }

  /** The places the library's photos were taken, by country (the most photos first) and town within it; a photo at sea with no town counts for its country alone. */
  places(): PlaceCountry[] {
    const by = new Map<string, PlaceCountry>();
    for (const [country, cc, region, city, n, lat, lon] of this.lib.store.browse.placeCounts()) {
      const name = country ?? cc ?? 'Unknown';
      let c = by.get(name);
      if (!c) by.set(name, (c = { country: name, cc, count: 0, cities: [] }));
      c.count += n;
      if (city !== null) {
        const same = c.cities.find((x) => x.city === city && x.region === region);
        if (same) same.count += n;
        else c.cities.push({ city, region, count: n, lat: roundedDegrees(lat), lon: roundedDegrees(lon) });
      }
    }
    const out = [...by.values()].sort((a, b) => b.count - a.count || a.country.localeCompare(b.country));
    for (const c of out) c.cities.sort((a, b) => b.count - a.count || a.city.localeCompare(b.city));
    return out;
  }

  /** This device, then each paired device whose rows this library holds, by name. */
  /**
   * A folder anywhere on this device, read without adding it (`vss browse`): its entries with
   * their kinds and sizes, and for small files (every file with CONTENT) their content identity and
   * whether the library knows that content already. Writes nothing, to the library or the folder.
   */
  async folder(path: string, opts: { recursive?: boolean; content?: boolean; limit?: number } = {}): Promise<FolderListing> {
    // `DEVICE:/PATH`: a folder a paired device lets this one browse (issue 59), asked of it now.
    const remote = deviceFolderAddress(path);
    if (remote) {
      const { listRemote } = await import('../sync/browse/ask-browse.js');
      const got = await listRemote(await this.openBrowse(remote.device), remote.path, opts.limit);
      return {
        path, truncated: got.truncated,
        entries: got.entries.map((e) => ({
          name: e.name, path: e.name, type: e.type === 'file' || e.type === 'dir' || e.type === 'symlink' ? e.type : 'other', size: e.size,
          modified: e.modified === null ? null : new Date(e.modified).toISOString(), kind: e.kind, mime: null, content_uuid: null, cas_id: null,
        })),
      };
    }
    const { browseFolder } = await import('../content/browse-folder.js');
    const listing = await browseFolder(path, { ...opts, hashThresholdBytes: this.lib.config.settings.hashThresholdBytes });
    const contents = this.lib.store.contents;
    for (const e of listing.entries) if (e.content_uuid) e.in_library = contents.kindOfAnywhere(e.content_uuid) !== undefined;
    return listing;
  }

  /**
   * The folders in no location that DEVICE (a name or id; none: this one) lets this device browse
   * (issue 59): this device's own roots, or a paired device's, asked of it now (the explorer shows
   * them beside the locations).
   */
  async roots(device?: string): Promise<BrowseRoots> {
    const self = this.lib.device.uuid;
    if (device === undefined || device === self || device === 'local') {
      const { readBrowsable } = await import('../sync/browse/browsable.js');
      return { device_id: self, device: this.lib.device.name, here: true, roots: readBrowsable(this.ctx.dataDir) };
    }
    const [{ rootsRemote }, { PairedDevices }] = await Promise.all([import('../sync/browse/ask-browse.js'), import('../sync/pairing/paired-devices.js')]);
    const dev = PairedDevices.load(this.ctx.dataDir).find(device);
    return { device_id: dev.device_uuid, device: dev.name, here: false, roots: await rootsRemote(await this.openBrowse(dev.device_uuid)) };
  }

  /** The thumbnail of the file at PATH of this device (in no location: a browsed folder's), from the bounded cache or made now. */
  async thumb(path: string, signal?: AbortSignal): Promise<BrowseThumb> {
    if (!this.thumbs) {
      const [{ BrowseThumbs }, { generatorSettings }] = await Promise.all([import('../browse/browse-thumbs.js'), import('../jobs/settings.js')]);
      this.thumbs ??= new BrowseThumbs(join(this.lib.layout.cacheDir, 'browse-thumbs'), this.lib.layout.scratchDir, () => generatorSettings(this.lib, this.ctx.dataDir));
    }
    return this.thumbs.get(path, signal);
  }

  /** A /vss/browse stream to the paired device REF names (its name or id), which must be connected through this daemon. */
  private async openBrowse(ref: string): Promise<Stream> {
    const net = this.network();
    if (!net) throw new VssError('NO_DAEMON', "browsing another device's folder needs the daemon's P2P node: start it (vss daemon start)");
    const { PairedDevices } = await import('../sync/pairing/paired-devices.js');
    const dev = PairedDevices.load(this.ctx.dataDir).find(ref);
    return net.open(dev.peer_id, 'browse', AbortSignal.timeout(15_000));
  }

  private devices(): GridDevice[] {
    const online = this.online();
    const self = { device_id: this.lib.device.uuid, name: this.lib.device.name, local: true, online: true };
    const peers = this.lib.store.browse.peerDevices()
      .filter(([uuid]) => uuid !== self.device_id)
      .map(([uuid, name]) => ({ device_id: uuid, name: name ?? uuid.slice(0, 8), local: false, online: online.has(uuid) }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return [self, ...peers];
  }

  async detail(contentUuid: string): Promise<ContentDetail> {
    if (typeof contentUuid !== 'string' || !UUID_RE.test(contentUuid)) throw new UsageError(`invalid content uuid ${JSON.stringify(String(contentUuid).slice(0, 80))}`);
    const ctx: DetailContext = {
      store: this.lib.store.browse,
      content: (uuid) => this.lib.store.contents.byUuid(uuid),
      device: { uuid: this.lib.device.uuid, name: this.lib.device.name },
      deviceNames: () => this.deviceNames(),
      online: this.online,
      user: (uuid) => detailUser(this.lib, uuid),
      safety: (uuid) => contentSafety(this.lib, uuid),
      textWords: (uuid) => searchedWords(this.lib, uuid),
      noPicture: (uuid) => this.lib.store.notApplicable.reason(uuid, 'thumb', 'detail@1x'),
      stack: (uuid) => this.stackOf(uuid),
    };
    return readContentDetail(ctx, contentUuid);
  }

  /**
   * The stacks (issue 45) for the grid order of VERSION (grid_version when it was read: the
   * order is read again at most every 2 s while a scan runs), kept while neither the stacks'
   * tables, that order nor paired devices' rows (which contents the library knows) moved; each
   * member's stack as its tile carries it.
   */
  private stacksNow(version: number): { stacks: Stack[]; byMember: Map<string, GridStack> } {
    const key = `${this.lib.store.stacks.version()}:${version}:${this.lib.store.browse.peerVersion()}`;
    if (this.stacksRead?.key !== key) {
      const stacks = this.stacks.list();
      const byMember = new Map<string, GridStack>();
      for (const st of stacks) {
        const shown: GridStack = { stack_id: st.stack_id, kind: st.kind, count: st.members.length, members: st.members };
        for (const m of st.members) byMember.set(m, shown);
      }
      this.stacksRead = { key, stacks, byMember };
    }
    return this.stacksRead;
  }

  /** The stacks as the grid last read them (the order a page is a slice of), else as they are now. */
  private stacksShown(): { stacks: Stack[]; byMember: Map<string, GridStack> } {
    const read = this.stacksRead;
    // A stack changed since (a cover chosen on this page): read now.
    if (read && read.key.startsWith(`${this.lib.store.stacks.version()}:`)) return read;
    return this.stacksNow(this.lib.store.browse.version());
  }

  /** The stack CONTENTUUID is in, each member with its name, type and grid thumbnail (this device's or a paired one's facts). */
  private stackOf(contentUuid: string): DetailStack | null {
    const st = this.stacksShown().stacks.find((x) => x.members.includes(contentUuid));
    if (!st) return null;
    const rows = contentTiles(this.lib, st.members);
    return {
      ...st,
      member_items: st.members.map((m) => ({ content_uuid: m, name: rows.get(m)?.name ?? null, mime: rows.get(m)?.mime ?? null, thumb: rows.get(m)?.thumb ?? null })),
    };
  }

  /**
   * Other devices' names: as they last named themselves (a paired device's name travels with its
   * rows, DESIGN §15; `vss ls` addresses use it), else as paired here.
   */
  private async deviceNames(): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    const { PairedDevices } = await import('../sync/pairing/paired-devices.js');
    for (const d of PairedDevices.load(this.ctx.dataDir).list()) names.set(d.device_uuid, d.name);
    for (const [uuid, name] of this.lib.store.browse.deviceNames()) names.set(uuid, name);
    return names;
  }
}

/** The grid filter asked for, checked (it may come from a URL). */
function metaFilter(f: GridFilter): GridMetaFilter {
  const out: GridMetaFilter = {};
  if (f.favorite !== undefined) {
    if (typeof f.favorite !== 'boolean') throw new UsageError('favorite is true or false');
    if (f.favorite) out.favorite = true;
  }
  if (f.hidden !== undefined) {
    if (typeof f.hidden !== 'boolean') throw new UsageError('hidden is true or false');
    if (f.hidden) out.showHidden = true;
  }
  if (f.risk !== undefined) {
    if (typeof f.risk !== 'boolean') throw new UsageError('risk is true or false');
    if (f.risk) out.atRisk = true;
  }
  if (f.rating !== undefined) {
    if (!Number.isInteger(f.rating) || f.rating < 0 || f.rating > 5) throw new UsageError(`rating is a whole number from 0 to 5, got ${String(f.rating).slice(0, 40)}`);
    if (f.rating > 0) out.minRating = f.rating;
  }
  if (f.tag !== undefined && f.tag !== '') {
    if (typeof f.tag !== 'string' || f.tag.length > 200) throw new UsageError('tag is a tag\'s uuid or name');
    out.tag = f.tag;
  }
  if (f.person !== undefined && f.person !== '') {
    if (typeof f.person !== 'string' || !UUID_RE.test(f.person.toLowerCase())) throw new UsageError("person is a person's id");
    out.person = f.person.toLowerCase();
  }
  if (f.album !== undefined && f.album !== '') {
    if (typeof f.album !== 'string' || !UUID_RE.test(f.album.toLowerCase())) throw new UsageError("album is an album's id");
    out.album = f.album.toLowerCase();
  }
  if (f.kinds !== undefined && f.kinds !== '') {
    const kinds = typeof f.kinds === 'string' ? f.kinds.split(',').map((k) => k.trim()) : [];
    const bad = kinds.find((k) => !isContentKind(k));
    if (kinds.length === 0 || kinds.length > CONTENT_KINDS.length || bad !== undefined) throw new UsageError(`kinds is a list of content kinds (${CONTENT_KINDS.join(', ')}), got ${JSON.stringify(String(bad ?? f.kinds).slice(0, 40))}`);
    out.kinds = [...new Set(kinds)].sort();
  }
  return out;
}

/** What album ALBUM (an id) shows in the grid: the items of it and the albums within it, or a smart album's search now. */
function albumGridSet(lib: Library, album: string): AlbumSelection | undefined {
  const record = lib.store.albums.get(album);
  if (!record || record.deleted === 1 || record.name_hlc === '') return undefined;
  if (record.query !== null) return { uuids: albumContents(lib, record) };
  const tree = albumTree(lib);
  return { albums: [...withDescendants(album, tree.parents, tree.children)].filter((a) => !tree.deleted.has(a)) };
}

/** The device filter asked for: none (every device's contents), `local`, or a device id. */
function deviceFilter(device: string | undefined): GridDeviceFilter {
  if (device === undefined || device === '' || device === 'all') return null;
  if (device === 'local') return 'local';
  if (!UUID_RE.test(device)) throw new UsageError(`device must be local, all or a device id, got ${JSON.stringify(device.slice(0, 80))}`);
  return device.toLowerCase();
}

/** A town's place on the map: to a hundredth of a degree (about a kilometre), null when none of its photos had one. */
function roundedDegrees(v: number | null): number | null {
  return v === null || !Number.isFinite(v) ? null : Math.round(v * 100) / 100;
}
