import { identifyFileSoon, identifyThroughStorage, type IdentifyOutcome, type IdentifyRequest } from '../content/identify-file.js';
import { CAS_WHOLE, contentUuidFor } from '../content/identity.js';
import { PathRefusedError } from '../library/confine.js';
import { yieldToEventLoop } from '../store/batch-writer.js';
import { batchEarly, pagesAhead } from './read-ahead.js';
import { ScanThreads } from './scan-threads.js';
import type { LocalAccess, LocationStorage } from '../storage/port.js';
import type { ContentIdentity } from '../store/contents.js';
import type { ContentLink, IdentifiedFacts, IdentifiedFile, UnidentifiedFile } from '../store/entries.js';
import type { HeldFiles } from './held-files.js';
import type { Stores } from '../store/stores.js';

export interface IdentificationInput {
  store: Stores;
  locationId: number;
  /** The location's storage: files with local paths (its `local`) are read by them in worker threads, others (a bucket's objects) by ranged reads. */
  storage: LocationStorage;
  hashThresholdBytes: number;
  onSkip: (path: string, reason: string) => void;
  onProgress: (p: { done: number; total: number; doneBytes: number; totalBytes: number }) => void;
  settle?: SettleRule;
  /** Every file, not only those without a content identity: their bytes may have changed unseen. */
  force?: boolean;
  /** Files whose whole-file BLAKE3 the caller verified, by absolute path (IndexOptions.known). */
  known?: ReadonlyMap<string, KnownBytes>;
  /** The scan's threads, perhaps started already (during discovery); its reading threads are closed when identification ends. */
  threads?: ScanThreads;
  /** A first scan's small files held back by discovery: read first, each row written once with its content (held-files.ts). */
  held?: HeldFiles;
}

/**
 * A file as a verified copy left it: its whole-file BLAKE3 (hex) and its stat once vss had placed
 * it (its times and mode set, renamed into place), the ctime too where it was taken then.
 */
export interface KnownBytes {
  blake3: string;
  size: number;
  mtimeMs: number;
  inode: number;
  ctimeMs?: number;
}

/**
 * A watcher's rule for files that may still be being written (a slow copy, a camera import):
 * a file whose last change (its recorded mtime) is within `quietMs` of now is listed but left
 * unidentified, so no content and no jobs are made of its partial bytes. Whoever set the rule
 * scans again once it is quiet.
 */
export interface SettleRule {
  quietMs: number;
  /** Folders whose files are identified however recent (they have waited long enough); 'all': every one. */
  force?: ReadonlySet<string> | 'all';
  /**
   * Files were left unidentified: the folders holding them ('many' past MAX_UNSETTLED_FOLDERS),
   * and when the first of them will have been quiet for `quietMs` (ms since the epoch).
   */
  onUnsettled: (folders: string[] | 'many', quietAt: number) => void;
}

/** A file as a page gives it: with the content it is linked to now when every file is read again. */
type PageRow = UnidentifiedFile & Partial<Pick<IdentifiedFile, 'content_id'>>;

/** Folders named one by one in an unsettled report; past this, the report says 'many'. */
export const MAX_UNSETTLED_FOLDERS = 1000;

const PAGE = 250;

/**
 * Give every file without a content identity one: hash it (whole or sampled), detect its type,
 * and link the entry to the shared content row. Driven by the database: a killed run resumes
 * with whatever is still unidentified. Reading and hashing run in a worker thread while this
 * thread writes, so the disk and the database overlap; the content uuid and any type parse the
 * first bytes leave are made here as a page comes back (IdentifyPool), the reading thread being
 * the one the other waits on.
 */
export async function identifyContents(input: IdentificationInput): Promise<{ hashed: number; relinked: number }> {
  const { store, locationId, force = false } = input;
  const todo = force ? store.entries.files(locationId) : store.entries.unidentified(locationId);
  const held = input.held?.files ?? [];
  const totals = { n: todo.files + held.length, bytes: todo.bytes + (input.held?.bytes ?? 0) };
  // Rows the held files become are not read again (one not identified would be read twice).
  const rowsUpTo = held.length > 0 ? store.entries.lastId() : Infinity;
  if (totals.n === 0) {
    await input.threads?.closeReading();
    return { hashed: 0, relinked: 0 };
  }

  // Large, time-bounded batches: content ids are random keys, so every commit rewrites many index
  // pages; fewer commits mean far less WAL traffic. The results are gathered in memory while files
  // are read and written together (no transaction is held while a file is read); a kill loses at
  // most one batch, which the next scan identifies again.
  const writer = store.batchWriter(50_000, 2000);

  let done = 0;
  let doneBytes = 0;
  let hashed = 0;
  let relinked = 0;
  let lastProgress = 0;
  const record = (rows: PageRow[], results: IdentifyOutcome[], heldFrom?: number) => {
    const now = Date.now();
    if (results.length !== rows.length || results.some((r, i) => r.id !== rows[i]!.id)) {
      // Linking an entry to another file's identity would corrupt the library: stop instead.
      throw new Error('identification answered for other files than it was asked (a bug): nothing of this batch was recorded');
    }
    const identities: ContentIdentity[] = [];
    const links: ContentLink[] = [];
    // Held files' rows, each with its content or none (one that could not be read is listed all the same).
    const rowsOnce: IdentifiedFacts[] = [];
    results.forEach((r, i) => {
      const row = rows[i]!;
      done++;
      doneBytes += row.size;
      if (heldFrom !== undefined) rowsOnce.push({ facts: held[heldFrom + i]!, uuid: r.ok ? r.contentUuid : null, verified: r.ok && r.casVersion === CAS_WHOLE });
      if (!r.ok) {
        input.onSkip(row.rel_path, r.reason);
        return;
      }
      identities.push({ uuid: r.contentUuid, cas_id: r.casId, cas_version: r.casVersion, kind: r.kind, mime: r.mime, size: row.size });
      if (heldFrom !== undefined) return;
      // Only what the link is guarded by: a batch keeps its links until it is made (thousands of
      // files), and names and paths kept with them cost the collector time on every pass.
      const file = { id: row.id, size: row.size, inode: row.inode, mtime_ms: row.mtime_ms, ctime_ms: row.ctime_ms, content_id: row.content_id };
      links.push({ file, uuid: r.contentUuid, verified: r.casVersion === CAS_WHOLE || (root !== undefined && copiedVerified(input.known, root, row)) });
    });
    if (rowsOnce.length > 0) {
      writer.add(() => {
        store.contents.addMany(identities, now);
        store.entries.insertIdentified(locationId, rowsOnce, now);
        hashed += identities.length;
      }, results.length);
    } else if (links.length > 0) {
      writer.add(() => {
        // A page at a time: a few multi-row statements instead of two a file.
        const before = store.contents.lastId();
        store.contents.addMany(identities, now);
        // Guarded: if a concurrent change rewrote an entry since we read it, the stale hash is not linked.
        const linked = store.entries.linkContents(links, now, before);
        for (const { file } of links) {
          const id = linked.get(file.id);
          if (id !== undefined && file.content_id != null && file.content_id !== id) relinked++;
        }
        hashed += links.length;
      }, results.length);
    } else {
      writer.maybeFlush();
    }
    const t = Date.now();
    if (t - lastProgress > 100) {
      lastProgress = t;
      input.onProgress({ done, total: totals.n, doneBytes, totalBytes: totals.bytes });
    }
  };

  const scan = input.threads ?? new ScanThreads();
  const threaded = scan.worthFor(totals.n);
  // The reading threads are started by the first page with a file to read: a verified copy's files are answered without one.
  scan.startFor(totals.n, false);
  const local = input.storage.local;
  const root = local?.root;
  const identify = async (files: IdentifyRequest[]): Promise<IdentifyOutcome[]> => {
    if (files.length === 0) return [];
    if (!local) return identifyRemote(input.storage, files, input.hashThresholdBytes);
    if (threaded) return scan.started.run(files, input.hashThresholdBytes);
    const out: IdentifyOutcome[] = [];
    for (const f of files) {
      const r = identifyFileSoon(f, input.hashThresholdBytes);
      out.push(r instanceof Promise ? await r : r);
    }
    return out;
  };

  // Pages in flight, oldest first: the workers are kept as far ahead as the gathered writes
  // (read-ahead.ts), so they read on while a batch is made; bounded as the batch is.
  const inFlight: Array<{ rows: PageRow[]; results: Promise<IdentifyOutcome[]>; read: boolean; heldFrom: number | undefined }> = [];
  const ahead = (): number => (threaded ? pagesAhead(writer.pending, scan.readers) : 1);
  let lastId = 0;
  let heldAt = 0;
  const unsettled = input.settle ? new Unsettled(input.settle) : undefined;
  try {
    for (;;) {
      // The held files first (ids of their own below 0 match their answers), then the rows.
      const heldFrom = heldAt < held.length ? heldAt : undefined;
      let page1: PageRow[];
      if (heldFrom !== undefined) {
        page1 = held.slice(heldFrom, (heldAt = Math.min(held.length, heldFrom + PAGE))).map((f, i) => ({
          id: -1 - (heldFrom + i), name: f.name, rel_path: f.rel_path, size: f.size, inode: f.inode, mtime_ms: f.mtime_ms, ctime_ms: f.ctime_ms ?? null,
        }));
      } else {
        page1 = force ? store.entries.filesPage(locationId, lastId, PAGE) : store.entries.unidentifiedPage(locationId, lastId, PAGE);
        if (page1.length > 0 && page1[page1.length - 1]!.id > rowsUpTo) page1 = page1.filter((row) => row.id <= rowsUpTo);
        if (page1.length === 0) break;
        lastId = page1[page1.length - 1]!.id;
      }
      // Held files are never left out (they have no row to find later): a scan with a settle rule holds none.
      const rows = unsettled && heldFrom === undefined ? unsettled.keepSettled(page1) : page1;
      if (rows.length === 0) continue;
      // A row's path is checked before its file is read: a hand-edited row must not lead outside the location.
      const files: IdentifyRequest[] = [];
      // Answered without a read: a path refused, or bytes a verified copy just hashed.
      const answered = new Map<number, IdentifyOutcome>();
      for (const row of rows) {
        try {
          const f = { id: row.id, abs: root ? root.inFolder(row.rel_path) : row.rel_path, name: row.name, size: row.size, mtimeMs: row.mtime_ms, inode: row.inode };
          const answer = input.known && !force ? knownAnswer(store, input.known.get(f.abs), f, row.ctime_ms, input.hashThresholdBytes) : undefined;
          if (answer) answered.set(row.id, answer);
          else files.push(f);
        } catch (err) {
          if (!(err instanceof PathRefusedError)) throw err;
          answered.set(row.id, { id: row.id, ok: false, reason: err.message });
        }
      }
      const results = answered.size === 0 ? identify(files) : identify(files).then((out) => {
        const byId = new Map(out.map((o) => [o.id, o] as const));
        return rows.map((row) => answered.get(row.id) ?? byId.get(row.id)!);
      });
      const page = { rows, results, read: false, heldFrom };
      results.then(() => { page.read = true; }, () => { page.read = true; });
      inFlight.push(page);
      while (inFlight.length >= ahead()) {
        const next = inFlight.shift()!;
        if (batchEarly(writer.pending, next.read)) writer.flush();
        record(next.rows, await next.results, next.heldFrom);
      }
      await yieldToEventLoop();
    }
    for (const next of inFlight.splice(0)) {
      if (batchEarly(writer.pending, next.read, true)) writer.flush();
      record(next.rows, await next.results, next.heldFrom);
    }
    writer.flush();
    unsettled?.report();
  } catch (err) {
    // Batches still in flight are abandoned: their answers (or the workers' exit) must not surface as unhandled.
    for (const f of inFlight) f.results.catch(() => undefined);
    // What was identified before the failure is kept (each page checked whole as it came).
    try {
      writer.flush();
    } catch {
      // The first error is the one to tell.
    }
    throw err;
  } finally {
    // Its checkpoints, if any, are the scan's, which ends them.
    await scan.closeReading();
  }
  input.onProgress({ done, total: totals.n, doneBytes, totalBytes: totals.bytes });
  return { hashed, relinked };
}

/**
 * The identity of a file whose bytes a verified copy just hashed, without reading it: only for a
 * file still as the copy left it, small enough that its content id is the whole file's BLAKE3
 * (cas version 1), whose content the library knows already (its kind and type come from there).
 */
function knownAnswer(store: Stores, k: KnownBytes | undefined, f: IdentifyRequest, ctimeMs: number | null | undefined, thresholdBytes: number): IdentifyOutcome | undefined {
  if (!k || !asLeft(k, { size: f.size, mtime_ms: f.mtimeMs, inode: f.inode, ctime_ms: ctimeMs }) || f.size > thresholdBytes) return undefined;
  const uuid = contentUuidFor(k.blake3);
  const c = store.contents.byUuid(uuid);
  if (!c || c.cas_id !== k.blake3 || c.cas_version !== CAS_WHOLE) return undefined;
  return { id: f.id, ok: true, casId: c.cas_id, casVersion: CAS_WHOLE, contentUuid: uuid, kind: c.kind, mime: c.mime };
}

/**
 * Whether a file is still as a verified copy left it (its whole BLAKE3 matched on both sides): a
 * file above the sampling threshold is identified by samples, yet its copy was checked whole.
 */
/** Objects of a bucket identified at once: each is a few requests, mostly waiting on the network. */
const REMOTE_IN_FLIGHT = 8;

/** FILES of a storage without local paths (their `abs` is their path in the location), identified by ranged reads, a few at once. */
async function identifyRemote(storage: LocationStorage, files: IdentifyRequest[], thresholdBytes: number): Promise<IdentifyOutcome[]> {
  const out: IdentifyOutcome[] = new Array(files.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const i = next++;
      out[i] = await identifyThroughStorage(storage, files[i]!.abs, files[i]!, thresholdBytes);
    }
  };
  await Promise.all(Array.from({ length: Math.min(REMOTE_IN_FLIGHT, files.length) }, worker));
  return out;
}

function copiedVerified(known: ReadonlyMap<string, KnownBytes> | undefined, root: LocalAccess['root'], row: UnidentifiedFile): boolean {
  if (!known) return false;
  let k: KnownBytes | undefined;
  try {
    k = known.get(root.inFolder(row.rel_path));
  } catch {
    return false;
  }
  return k !== undefined && asLeft(k, row);
}

/** Whether the file ROW describes is still as the verified copy K left it (its ctime too, where both know it). */
function asLeft(k: KnownBytes, row: Pick<UnidentifiedFile, 'size' | 'mtime_ms' | 'inode' | 'ctime_ms'>): boolean {
  return k.size === row.size && k.mtimeMs === row.mtime_ms && k.inode === row.inode && (k.ctimeMs === undefined || row.ctime_ms == null || k.ctimeMs === row.ctime_ms);
}

/** Sorts a page of files into those quiet enough to identify now and those left for later. */
class Unsettled {
  private readonly folders = new Set<string>();
  private many = false;
  private quietAt = Infinity;

  constructor(private readonly rule: SettleRule) {}

  keepSettled<T extends UnidentifiedFile>(rows: T[]): T[] {
    const { quietMs, force } = this.rule;
    if (force === 'all') return rows;
    const now = Date.now();
    return rows.filter((row) => {
      // Either way round: a clock set back or an mtime in the future is no sign of a writer.
      if (Math.abs(now - row.mtime_ms) >= quietMs) return true;
      const slash = row.rel_path.lastIndexOf('/');
      const folder = slash < 0 ? '' : row.rel_path.slice(0, slash);
      if (force?.has(folder)) return true;
      if (!this.many && !this.folders.has(folder)) {
        if (this.folders.size >= MAX_UNSETTLED_FOLDERS) this.many = true;
        else this.folders.add(folder);
      }
      this.quietAt = Math.min(this.quietAt, Math.max(now, row.mtime_ms) + quietMs);
      return false;
    });
  }

  report(): void {
    if (this.quietAt === Infinity) return;
    this.rule.onUnsettled(this.many ? 'many' : [...this.folders], this.quietAt);
  }
}
