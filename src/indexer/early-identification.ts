import type { IdentifyOutcome, IdentifyRequest } from '../content/identify-file.js';
import { IdentifyPool } from '../content/identify-pool.js';
import { PathRefusedError } from '../library/confine.js';
import type { LocalDisk } from '../storage/local-disk.js';
import type { BatchWriter } from '../store/batch-writer.js';
import type { ContentIdentity } from '../store/contents.js';
import type { EntryFacts } from '../store/entries.js';
import type { Stores } from '../store/stores.js';
import { IDENTIFY_THREADS, MIN_FILES_FOR_WORKERS, isSettled, type SettleRule } from './identification.js';
import type { FileDeferral } from './reconcile-listing.js';
import type { SeenSet } from './seen-set.js';

export interface EarlyIdentificationInput {
  store: Stores;
  locationId: number;
  storage: LocalDisk;
  writer: BatchWriter;
  seen: SeenSet;
  hashThresholdBytes: number;
  onSkip: (path: string, reason: string) => void;
  settle?: SettleRule;
  /** New files left to the content phase before this starts taking them (default: MIN_FILES_FOR_WORKERS). */
  startAfter?: number;
}

/** Files sent to the reading thread at a time. */
const BATCH = 250;
/** Batches sent and not yet written: enough to keep the reading thread busy, and memory bounded. */
const MAX_IN_FLIGHT = 4;

interface Sent {
  files: EntryFacts[];
  results: Promise<IdentifyOutcome[]>;
  done: boolean;
}

/**
 * Identification during discovery, for a scan that finds many new files (a first scan, a large
 * folder added): a new file is read and hashed in a worker thread while the walk goes on, and its
 * row is written once, already linked to its content, instead of written bare and rewritten when
 * the content phase links it (issue 28, speed: the rewrite was the database thread's largest cost).
 * The first few thousand new files are left to the content phase (a small scan starts no thread);
 * so are files still being written (the settle rule) and all of a forced scan. A file that cannot
 * be identified is written bare, its reason told once: the content phase leaves it (`tried`).
 */
export class EarlyIdentification implements FileDeferral {
  /** Files identified here (hashed and linked). */
  hashed = 0;
  /** Rows of files whose identification failed here: the content phase does not try them again. */
  readonly tried = new Set<number>();
  private pool: IdentifyPool | undefined;
  private newFiles = 0;
  private queue: EntryFacts[] = [];
  private readonly sent: Sent[] = [];
  private readonly held = new Map<number, { digest: string; pending: number }>();

  constructor(private readonly input: EarlyIdentificationInput) {}

  take(facts: EntryFacts): boolean {
    if (++this.newFiles <= (this.input.startAfter ?? MIN_FILES_FOR_WORKERS)) return false;
    if (this.input.settle && !isSettled(this.input.settle, facts.mtime_ms, facts.rel_path, Date.now())) return false;
    this.queue.push(facts);
    return true;
  }

  holdListing(dirId: number, digest: string, files: number): void {
    this.held.set(dirId, { digest, pending: files });
  }

  /** Send what is queued, and write what came back; waits only when too much is in flight. */
  async pump(): Promise<void> {
    while (this.queue.length >= BATCH) this.send(this.queue.splice(0, BATCH));
    while (this.sent.length > 0 && (this.sent[0]!.done || this.sent.length > MAX_IN_FLIGHT)) await this.writeOldest();
  }

  /** Everything taken, identified and written. */
  async drain(): Promise<void> {
    if (this.queue.length > 0) this.send(this.queue.splice(0));
    while (this.sent.length > 0) await this.writeOldest();
  }

  async close(): Promise<void> {
    for (const s of this.sent.splice(0)) s.results.catch(() => undefined);
    await this.pool?.close();
  }

  private send(files: EntryFacts[]): void {
    const root = this.input.storage.root;
    const requests: IdentifyRequest[] = [];
    const refused = new Map<number, IdentifyOutcome>();
    files.forEach((f, id) => {
      try {
        requests.push({ id, abs: root.inFolder(f.rel_path), name: f.name, size: f.size, mtimeMs: f.mtime_ms, inode: f.inode });
      } catch (err) {
        if (!(err instanceof PathRefusedError)) throw err;
        refused.set(id, { id, ok: false, reason: err.message });
      }
    });
    this.pool ??= new IdentifyPool(IDENTIFY_THREADS);
    const asked = requests.length > 0 ? this.pool.run(requests, this.input.hashThresholdBytes) : Promise.resolve([]);
    const sent: Sent = { files, done: false, results: asked };
    sent.results = asked.then((out) => {
      const byId = new Map(out.map((o) => [o.id, o] as const));
      return files.map((_, id) => refused.get(id) ?? byId.get(id)!);
    }).finally(() => { sent.done = true; });
    this.sent.push(sent);
  }

  private async writeOldest(): Promise<void> {
    const { files, results } = this.sent.shift()!;
    const outcomes = await results;
    if (outcomes.length !== files.length || outcomes.some((o, i) => o === undefined || o.id !== i)) {
      throw new Error('identification answered for other files than it was asked (a bug): nothing of this batch was recorded');
    }
    const { store, locationId, writer, seen } = this.input;
    const now = Date.now();
    const linked: EntryFacts[] = [];
    const uuids: string[] = [];
    const identities: ContentIdentity[] = [];
    const bare: EntryFacts[] = [];
    outcomes.forEach((r, i) => {
      const f = files[i]!;
      if (r.ok) {
        identities.push({ uuid: r.contentUuid, cas_id: r.casId, cas_version: r.casVersion, kind: r.kind, mime: r.mime, size: f.size });
        linked.push(f);
        uuids.push(r.contentUuid);
      } else {
        this.input.onSkip(f.rel_path, r.reason);
        bare.push(f);
      }
    });
    writer.touch(files.length);
    if (identities.length > 0) store.contents.addMany(identities, now);
    const ids = store.entries.insertLinked(locationId, linked, uuids, now);
    if (ids.length !== linked.length) throw new Error(`${linked.length - ids.length} identified files found no content row (a bug)`);
    for (const id of ids) seen.add(id);
    for (const id of bare.length > 0 ? store.entries.insertMany(locationId, bare, now) : []) {
      seen.add(id);
      this.tried.add(id);
    }
    this.hashed += linked.length;
    // A folder whose new files are all written now has rows exactly as its listing: its digest is kept.
    for (const f of files) {
      const h = this.held.get(f.parent_id!);
      if (h && --h.pending === 0) {
        store.entries.keepListing(f.parent_id!, h.digest);
        this.held.delete(f.parent_id!);
      }
    }
    writer.maybeCommit();
  }
}
