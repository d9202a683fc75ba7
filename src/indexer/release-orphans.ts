import { posix } from 'node:path';
import { childLog } from '../core/log.js';
import { crashPoint } from '../core/crash-point.js';
import { describeFsError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import type { JobStore } from '../store/jobs.js';
import type { JobRow } from '../jobs/states.js';
import { sidecarAddress, sidecarRelPath } from '../sidecars/address.js';
import type { SidecarSource, SidecarStatus } from '../sidecars/manager.js';
import type { LocalDisk } from '../storage/local-disk.js';
import { storageAt } from '../storage/storages.js';

const log = childLog('release-orphans');

/** Contents looked at per write transaction: the lock is held for one page, never for the whole library. */
const PAGE = 500;
/** A run cancelled this recently may still be writing what it made (its sidecars are still `generating`). */
const WIND_DOWN_MS = 60_000;

export const RELEASED_JOB_NOTE = 'cancelled: no file with this content is indexed any more';

export interface ReleaseResult {
  /** Contents removed from the library. */
  contents: number;
  /** Sidecar records dropped with them. */
  sidecars: number;
  /** Sidecar files vss kept for them, deleted. */
  files: number;
  /** Their open jobs, cancelled. */
  jobs: number;
  /**
   * Contents left for a later call: a job of theirs was running (it is asked to stop now) or
   * was stopped a moment ago and may still be writing.
   */
  deferred: number;
}

interface Row {
  kind: string;
  variant: string;
  format: string;
  status: SidecarStatus;
  source: SidecarSource;
}

/**
 * Release every content no entry refers to any more (DESIGN §5: contents that disappear release
 * their sidecars): its open jobs are cancelled with a note, its sidecar records and this device's
 * availability go (a `sidecar:changed` 'absent' for each), and the files vss kept for it under
 * sidecars/ are deleted. A reference's file is the user's own and is never touched. A content
 * holding a ready converted sidecar is kept whole: that file is the only copy, and the content
 * may come back to find it (a still moved between locations).
 *
 * Crash-safe order: the records go first, in one transaction per page, the files after the
 * commit. A kill in between leaves files of a content the library no longer knows, which
 * reconcile removes; never a ready record without its file. Paged by content id, so memory
 * stays flat whatever the size of the library. Nothing else in this process runs between a
 * page's commit and the deletion of its files (one synchronous step).
 */
export function releaseOrphanContents(lib: Library): ReleaseResult {
  const r = new OrphanReleaser(lib);
  while (r.nextPage());
  return r.result;
}

/**
 * As `releaseOrphanContents`, handing the event loop back between pages (a long-running process
 * stays responsive while a large folder's contents go), and stopping before the next page once
 * `stop` says so (a scan began: its half-done moves must not look orphaned). `stopped`: pages
 * were left for a later call.
 */
export async function releaseOrphanContentsPaced(lib: Library, stop: () => boolean = () => false): Promise<ReleaseResult & { stopped: boolean }> {
  const r = new OrphanReleaser(lib);
  for (;;) {
    if (!r.nextPage()) return { ...r.result, stopped: false };
    await new Promise((res) => setImmediate(res));
    if (stop()) return { ...r.result, stopped: true };
  }
}

class OrphanReleaser {
  readonly result: ReleaseResult = { contents: 0, sidecars: 0, files: 0, jobs: 0, deferred: 0 };
  private lastId = 0;
  private readonly jobs: JobStore;

  constructor(private readonly lib: Library) {
    this.jobs = lib.store.jobs;
  }

  /** Release one page of orphans; false when there were none left. */
  nextPage(): boolean {
    const { result } = this;
    const { store } = this.lib;
    // Every content has a file (a scan that took none away, the usual one): nothing to look for.
    if (this.lastId === 0 && !store.contents.mayHaveOrphans()) return false;
    // Read outside the write lock (the look may cover the whole table); each one is looked at again under it.
    const page = store.contents.orphanPage(this.lastId, PAGE);
    if (page.length === 0) return false;
    this.lastId = page[page.length - 1]!.id;
    const released: Array<{ uuid: string; rows: Row[] }> = [];
    const cancelled: JobRow[] = [];
    store.immediate(() => {
      const kinds = this.jobs.openKinds();
      const now = Date.now();
      const toCancel: number[] = [];
      const wasRunning = new Set<number>();
      for (const { id, uuid } of page) {
        if (!store.contents.isOrphan(id)) continue;
        const open = kinds.flatMap((k) => this.jobs.openOf(k, uuid));
        for (const j of open) {
          toCancel.push(j.id);
          if (j.status === 'running') wasRunning.add(j.id);
        }
        const rows: Row[] = store.sidecars.statesOfContent(uuid);
        const running = open.some((j) => j.status === 'running');
        const windingDown = rows.some((r) => r.status === 'generating' && this.jobs.endedSince(now - WIND_DOWN_MS, r.kind, uuid));
        if (running || windingDown) {
          result.deferred++;
          continue;
        }
        store.sidecars.deleteOfContent(uuid);
        store.availability.removeContent(uuid, now);
        store.notApplicable.deleteOfContent(uuid);
        store.contents.delete(id);
        result.contents++;
        result.sidecars += rows.length;
        released.push({ uuid, rows });
      }
      const done = this.jobs.cancelMany(toCancel, RELEASED_JOB_NOTE);
      result.jobs += done.length;
      // A running job's runner reports its end itself; the others end here.
      for (const j of done) if (!wasRunning.has(j.id)) cancelled.push(j);
    });
    if (released.length > 0) crashPoint('release:after-commit');

    const { events } = this.lib;
    for (const j of cancelled) events.emit('jobs:job', { id: j.id, kind: j.kind, contentUuid: j.content_uuid, status: 'cancelled', note: j.note });
    for (const { uuid, rows } of released) {
      const library = storageAt(this.lib.roots.library);
      const folders = new Set<string>();
      for (const r of rows) {
        events.emit('sidecar:changed', { contentUuid: uuid, kind: r.kind, variant: r.variant, status: 'absent', source: r.source });
        // Only a ready record has a file; anything else under the folder is a leftover reconcile removes (its content is unknown now).
        if (r.source === 'reference' || r.status !== 'ready') continue;
        const rel = managedRel(uuid, r);
        if (rel === undefined) continue;
        folders.add(posix.dirname(rel));
        if (unlinkQuietly(library, rel)) result.files++;
      }
      // The kinds' folders, then the content's own, once empty; the shared h0/h1 levels are reconcile's.
      const parents = new Set<string>();
      for (const f of folders) { rmdirQuietly(library, f); parents.add(posix.dirname(f)); }
      for (const p of parents) rmdirQuietly(library, p);
    }
    return true;
  }
}

/** The file of a managed sidecar in the library folder; undefined for a row this version cannot address. */
function managedRel(uuid: string, r: Row): string | undefined {
  try {
    return sidecarRelPath(sidecarAddress(uuid, r.kind, r.variant, r.format));
  } catch (err) {
    log.warn({ contentUuid: uuid, kind: r.kind, variant: r.variant, reason: describeFsError(err) }, 'a released sidecar\'s file was left (reconcile looks at it)');
    return undefined;
  }
}

/** Its folder is checked to lie inside the library (no symlink on the way) before anything is removed. */
function unlinkQuietly(library: LocalDisk, rel: string): boolean {
  try {
    return library.unlinkNow(rel);
  } catch (err) {
    // Anything but "not there" (never made, or deleted already) is left for reconcile.
    log.warn({ path: rel, reason: describeFsError(err) }, 'could not delete a released sidecar file (reconcile removes it)');
    return false;
  }
}

function rmdirQuietly(library: LocalDisk, rel: string): void {
  try {
    library.removeNow(rel);
  } catch {
    // Not empty (another format left behind, a file of someone else) or gone: reconcile tidies up.
  }
}
