import type { GridDay } from '../wire/browse.js';
import { parseMetadata } from '../media/media-metadata.js';
import type { BrowseStore } from '../store/browse.js';
import type { GridOrder } from './grid-order.js';

/**
 * One snapshot of the order's rows (store/browse.ts), made into the order: the contents with a
 * file copy here that are not shown through another, and the contents only paired devices hold
 * (DESIGN §15: one library across devices), merged by day and instant, and the first names only
 * of the contents that tie on their instant (a burst, or the undated ones), the only ones the
 * name orders. A content held here and elsewhere is one tile, this device's.
 */
export function readOrder(store: BrowseStore, cached: RemotePart | undefined): { order: GridOrder; part: RemotePart } {
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
export interface RemotePart {
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
