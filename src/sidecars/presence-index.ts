import { lstatSync } from 'node:fs';
import type { AvailabilityChanged } from '../core/events.js';
import type { Library } from '../library/library.js';
import { sidecarFoldersOf } from './address.js';
import { isSidecarKind, SIDECAR_KINDS, VARIANT_RE, variantsOf, type SidecarKind } from './kinds.js';
import { presenceRequest, SIDECAR_STATUSES, SidecarManager, type PresenceItem, type SidecarSource, type SidecarStatus } from './manager.js';

const SOURCES: readonly SidecarSource[] = ['generated', 'reference', 'converted', 'fetched'];

// One number per (content, kind, variant): what presence needs of the row and of who has it.
// bits 0-2: status (0: no row), 3-4: source, 5-6: format's place in the kind's list (3: not one of
// them), 8 up: the device list's id (0: nobody). A library of a million sidecars then costs a
// small array per content instead of an object per sidecar.
const STATUS_BITS = 0b111;
const SOURCE_SHIFT = 3;
const FORMAT_SHIFT = 5;
const FOREIGN_FORMAT = 3;
const DEVICES_SHIFT = 8;
/** Above this many entries a peer's delta reloads the index rather than refreshing sidecar by sidecar. */
const PEER_REFRESH_MAX = 20_000;

/**
 * Presence for a long-running process (the daemon): the sidecars table and who has each sidecar,
 * held in memory and kept current by the `sidecar:changed` event that every write of the manager
 * emits, so `presence` answers without a query or a stat per file. It answers what
 * `SidecarManager.presence` answers for the same state, except that it trusts the records for the
 * files under sidecars/ (the maintenance watcher keeps those true) instead of statting each; a
 * reference, the user's own file, is still looked at. Writes by another connection (a second
 * process sharing the library) are noticed by SQLite's data_version and reload the whole index;
 * paired devices' digests applied here are told by `availability:changed`.
 */
export class PresenceIndex {
  /** Per kind: content uuid → one packed cell per variant place. */
  private readonly cells = new Map<SidecarKind, Map<string, number[]>>();
  /** Per kind: variant → its place in the cells (fixed kinds: the table's order; open kinds: as met). */
  private readonly places = new Map<SidecarKind, Map<string, number>>();
  /** Each distinct device list once; cells point here. */
  private deviceLists: string[][] = [[]];
  private deviceListIds = new Map<string, number>([['', 0]]);
  private dataVersion = -1;
  /** Sidecars changed inside a transaction that had not committed yet: read once it has (it may roll back). */
  private readonly deferred = new Set<string>();
  private flushScheduled = false;
  private readonly manager: SidecarManager;
  private readonly stopListening: () => void;

  constructor(private readonly lib: Library) {
    this.manager = new SidecarManager(lib);
    const stopSidecars = lib.events.on('sidecar:changed', (e) => this.changed(e.contentUuid, e.kind, e.variant));
    const stopPeers = lib.events.on('availability:changed', (e) => this.peerChanged(e));
    this.stopListening = () => {
      stopSidecars();
      stopPeers();
    };
    this.reload();
  }

  /** Stop following the library's events and let the memory go. */
  close(): void {
    this.stopListening();
    this.deferred.clear();
    this.cells.clear();
  }

  /** Read the whole sidecars table and availability again. */
  reload(): void {
    this.deferred.clear();
    this.cells.clear();
    this.places.clear();
    this.deviceLists = [[]];
    this.deviceListIds = new Map([['', 0]]);
    this.dataVersion = this.currentDataVersion();
    for (const [c, kind, variant, status, source, format] of this.lib.store.sidecars.eachState()) {
      if (!isSidecarKind(kind)) continue; // a kind this version does not know: nobody can ask for it
      const at = this.place(kind, variant);
      if (at >= 0) this.cellsOf(kind, c, at)[at] = packRow(kind, status, source, format);
    }
    for (const [c, kind, variant, list] of this.lib.store.availability.eachHolders()) {
      if (!isSidecarKind(kind)) continue;
      const at = this.place(kind, variant);
      if (at < 0) continue;
      const cells = this.cellsOf(kind, c, at);
      cells[at] = ((cells[at] ?? 0) & ((1 << DEVICES_SHIFT) - 1)) | (this.deviceListId(list) << DEVICES_SHIFT);
    }
  }

  /** As `SidecarManager.presence`, from memory. */
  presence(contentUuids: readonly string[], kind: string, variants?: readonly string[]): PresenceItem[] {
    const { k, wanted, byContent, places } = this.request(contentUuids, kind, variants);
    const folderOf = sidecarFoldersOf(this.lib.root, k);
    const formats: readonly string[] = SIDECAR_KINDS[k].formats;
    // File names by variant and format place, made once rather than per content.
    const names = wanted.map((v) => formats.map((f) => `${v}.${f}`));
    const here = this.lib.device.uuid;
    const out: PresenceItem[] = new Array(contentUuids.length * wanted.length);
    let at = 0;
    for (const c of contentUuids) {
      const cells = byContent?.get(c);
      let folder: string | undefined;
      for (let vi = 0; vi < wanted.length; vi++) {
        const cell = cellAt(cells, places[vi]!);
        const variant = wanted[vi]!;
        let status = statusOf(cell);
        let devices = this.deviceLists[cell >>> DEVICES_SHIFT]!.slice();
        let path: string | null = null;
        if (status === 'ready') {
          const format = (cell >>> FORMAT_SHIFT) & 0b11;
          if (sourceOf(cell) === 'reference') {
            const ref = this.referenceFile(c, k, variant);
            path = ref.path;
            if (ref.missing) {
              status = 'missing';
              devices = devices.filter((d) => d !== here);
            }
          } else if (format !== FOREIGN_FORMAT) {
            folder ??= folderOf(c);
            path = folder + names[vi]![format]!;
          }
        }
        out[at++] = { content_uuid: c, variant, local: path !== null, status, path, devices };
      }
    }
    return out;
  }

  /**
   * Only the state of each (content, variant), row by row — what `presence` says as `local` or
   * its status — without building paths and device lists (a grid of 10k contents asks this).
   */
  states(contentUuids: readonly string[], kind: string, variants?: readonly string[]): { variants: string[]; rows: string[][] } {
    const { k, wanted, byContent, places } = this.request(contentUuids, kind, variants);
    const rows: string[][] = new Array(contentUuids.length);
    for (let ci = 0; ci < contentUuids.length; ci++) {
      const c = contentUuids[ci]!;
      const cells = byContent?.get(c);
      const row: string[] = [c];
      for (let vi = 0; vi < wanted.length; vi++) {
        const cell = cellAt(cells, places[vi]!);
        const status = statusOf(cell);
        if (status !== 'ready') row.push(status);
        else if (sourceOf(cell) === 'reference') {
          const ref = this.referenceFile(c, k, wanted[vi]!);
          row.push(ref.missing ? 'missing' : ref.path !== null ? 'local' : 'ready');
        } else row.push(((cell >>> FORMAT_SHIFT) & 0b11) !== FOREIGN_FORMAT ? 'local' : 'ready');
      }
      rows[ci] = row;
    }
    return { variants: [...wanted], rows };
  }

  /** The request checked and the index brought up to date: where both readers start. */
  private request(contentUuids: readonly string[], kind: string, variants?: readonly string[]) {
    const { kind: k, variants: wanted } = presenceRequest(contentUuids, kind, variants);
    if (this.currentDataVersion() !== this.dataVersion) this.reload();
    else this.flush();
    return { k, wanted, byContent: this.cells.get(k), places: wanted.map((v) => this.places.get(k)?.get(v) ?? -1) };
  }

  /**
   * A ready reference's file, looked at now: the user's own file, whose entry is read now (an
   * entry's removal changes the row without an event), as the manager does; references are few.
   * `path` null without `missing`: the entry is gone.
   */
  private referenceFile(contentUuid: string, kind: string, variant: string): { path: string | null; missing: boolean } {
    const path = this.manager.referencePath(this.lib.store.sidecars.sourceEntryOf(contentUuid, kind, variant) ?? null);
    if (path !== null && !lstatSync(path, { throwIfNoEntry: false })?.isFile()) return { path: null, missing: true };
    return { path, missing: false };
  }

  private changed(contentUuid: string, kind: string, variant: string): void {
    if (!this.lib.db.inTransaction) {
      this.refresh(contentUuid, kind, variant);
      return;
    }
    this.deferred.add(`${contentUuid}|${kind}|${variant}`);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      // better-sqlite3 transactions are synchronous: by the next turn this one has ended.
      setImmediate(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
  }

  /**
   * A paired device's digest was applied (or it was unpaired): the rows it touched carry its
   * digest's seq, so a delta refreshes just those; a full set or a large delta reloads at the next question.
   */
  private peerChanged(e: AvailabilityChanged): void {
    if (e.full || e.entries > PEER_REFRESH_MAX) {
      this.dataVersion = -1;
      return;
    }
    for (const [c, kind, variant] of this.lib.store.availability.changedBy(e.deviceUuid, e.toSeq)) this.changed(c, kind, variant);
  }

  private flush(): void {
    if (this.deferred.size === 0 || this.lib.db.inTransaction || !this.lib.db.open) return;
    for (const key of this.deferred) {
      const [c, kind, variant] = key.split('|') as [string, string, string];
      this.refresh(c, kind, variant);
    }
    this.deferred.clear();
  }

  /** One sidecar changed: read its row and holders again. */
  private refresh(contentUuid: string, kind: string, variant: string): void {
    if (!isSidecarKind(kind)) return;
    const at = this.place(kind, variant);
    if (at < 0) return;
    const row = this.lib.store.sidecars.state(contentUuid, kind, variant);
    const list = this.lib.store.availability.holders(contentUuid, kind, variant);
    const cell = (row ? packRow(kind, row[0], row[1], row[2]) : 0) | (list ? this.deviceListId(list) << DEVICES_SHIFT : 0);
    const byContent = this.cells.get(kind);
    if (cell !== 0) this.cellsOf(kind, contentUuid, at)[at] = cell;
    else if (byContent?.has(contentUuid)) {
      const cells = byContent.get(contentUuid)!;
      cells[at] = 0;
      if (cells.every((x) => x === 0)) byContent.delete(contentUuid);
    }
  }

  /** VARIANT's place in KIND's cells; -1 for a variant nobody can ask for. */
  private place(kind: SidecarKind, variant: string): number {
    let places = this.places.get(kind);
    if (!places) {
      const fixed = variantsOf(kind);
      places = new Map(fixed === 'open' ? [] : fixed.map((v, i) => [v, i]));
      this.places.set(kind, places);
    }
    const known = places.get(variant);
    if (known !== undefined) return known;
    if (variantsOf(kind) !== 'open' || !VARIANT_RE.test(variant)) return -1;
    places.set(variant, places.size);
    return places.size - 1;
  }

  private cellsOf(kind: SidecarKind, contentUuid: string, place: number): number[] {
    let byContent = this.cells.get(kind);
    if (!byContent) {
      byContent = new Map();
      this.cells.set(kind, byContent);
    }
    let cells = byContent.get(contentUuid);
    if (!cells) {
      cells = new Array<number>(this.places.get(kind)!.size).fill(0);
      byContent.set(contentUuid, cells);
    }
    while (cells.length <= place) cells.push(0);
    return cells;
  }

  private deviceListId(list: string): number {
    let id = this.deviceListIds.get(list);
    if (id === undefined) {
      id = this.deviceLists.length;
      this.deviceLists.push(list.split(' '));
      this.deviceListIds.set(list, id);
    }
    return id;
  }

  /** Changes when another connection commits to the database (never for this connection's own writes). */
  private currentDataVersion(): number {
    return this.lib.store.dataVersion();
  }
}

function packRow(kind: SidecarKind, status: SidecarStatus, source: SidecarSource, format: string): number {
  const formats: readonly string[] = SIDECAR_KINDS[kind].formats;
  const f = formats.indexOf(format);
  return (SIDECAR_STATUSES.indexOf(status) + 1) | (SOURCES.indexOf(source) << SOURCE_SHIFT) | ((f < 0 ? FOREIGN_FORMAT : f) << FORMAT_SHIFT);
}

function cellAt(cells: ArrayLike<number> | undefined, place: number): number {
  return cells !== undefined && place >= 0 ? cells[place] ?? 0 : 0;
}

function statusOf(cell: number): SidecarStatus | 'absent' {
  const code = cell & STATUS_BITS;
  return code === 0 ? 'absent' : SIDECAR_STATUSES[code - 1]!;
}

function sourceOf(cell: number): (typeof SOURCES)[number] {
  return SOURCES[(cell >>> SOURCE_SHIFT) & 0b11]!;
}
