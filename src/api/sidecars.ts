import { contentByRef } from '../browse/content-ref.js';
import { streamKeyed } from '../core/paging.js';
import { scansRunning } from '../locations/watch/scan-lock.js';
import type { Library } from '../library/library.js';
import { UUID_RE } from '../sidecars/address.js';
import type { ConvertResult } from '../sidecars/convert.js';
import { sidecarKind, SIDECAR_KIND_NAMES, SIDECAR_KINDS, type SidecarKind } from '../sidecars/kinds.js';
import { SIDECAR_STATUSES, SidecarManager, type ListFilter, type PathAnswer, type PresenceItem, type SidecarInfo } from '../sidecars/manager.js';
import { PresenceIndex } from '../sidecars/presence-index.js';
import type { ReconcileResult } from '../sidecars/reconcile.js';
import { sidecarFile, type SidecarFileAnswer } from '../sidecars/sidecar-file.js';
import type { OpHost } from '../ops/op.js';
import type { LibraryContext } from './library-api.js';
import type { ResolveAnswer } from '../sync/resolver.js';
import { pageKeyed, type Page, type PageRequest } from './pages.js';
import { oneOf } from './checks.js';

export type { ConvertResult, ListFilter as SidecarFilter, PathAnswer, PresenceItem, ReconcileResult, SidecarFileAnswer, SidecarInfo };

/** `presenceTable`: the state of each variant of each content asked for. */
export interface PresenceTable {
  kind: string;
  /** The columns after the content's uuid. */
  variants: string[];
  /** `[content_uuid, state of variants[0], state of variants[1], ...]`; a state is `local` or the status. */
  rows: Array<[string, ...string[]]>;
}

/** A running `sidecars watch`: the reconcile it started with, and how to stop it. */
export interface SidecarWatch {
  reconciled: Promise<ReconcileResult>;
  stop(): Promise<void>;
}

/** The sidecar manager's API (DESIGN §5): find, request, reconcile, convert, watch. */
export class SidecarsApi {
  /** Set while a long-running process keeps presence in memory (`keepPresenceInMemory`). */
  private memory: { index: PresenceIndex; holders: number } | undefined;

  constructor(
    private readonly lib: Library,
    private readonly ctx: LibraryContext,
    private readonly resolver: (contentUuid: string, kind: string, variant: string, opts: { timeoutMs?: number; signal?: AbortSignal }) => Promise<ResolveAnswer>,
    private readonly host: OpHost,
  ) {}

  /**
   * The resolver (DESIGN §9): here, else fetched from a paired device, else made here (waited for),
   * else why not. The content as any command names one: its uuid (or the start of it), a file's
   * path or name, `DEVICE:/LOCATION/PATH`.
   */
  async get(content: string, kind: string, variant: string, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ResolveAnswer> {
    return this.resolver(uuidOf(this.lib, content), kind, variant, opts);
  }

  /** Sidecar records, read a page at a time. */
  iterate(filter: ListFilter = {}): Iterable<SidecarInfo> {
    return streamKeyed(new SidecarManager(this.lib).reader(checkedFilter(filter)));
  }

  list(filter: ListFilter & PageRequest = {}): Page<SidecarInfo> {
    return pageKeyed(new SidecarManager(this.lib).reader(checkedFilter(filter)), filter);
  }

  /** For each content and variant: here or not, status, path, and which devices have it. */
  presence(contentUuids: readonly string[], kind: string, variants?: readonly string[]): PresenceItem[] {
    if (this.memory) return this.memory.index.presence(contentUuids, kind, variants);
    return new SidecarManager(this.lib).presence(contentUuids, kind, variants);
  }

  /**
   * The same answer as a table, for a client that shows many contents at once (a grid): one row
   * per content asked for, in order, with a state per variant — `local` (ready and here), else the
   * status (`pending`, `missing`, `absent`, ...). No paths or devices (ask `presence` for one
   * content's): 10k × 3 is ~0.6 MiB of JSON instead of ~9 MiB.
   */
  presenceTable(contentUuids: readonly string[], kind: string, variants?: readonly string[]): PresenceTable {
    if (this.memory) {
      const { variants: columns, rows } = this.memory.index.states(contentUuids, kind, variants);
      return { kind, variants: columns, rows: rows as PresenceTable['rows'] };
    }
    const items = this.presence(contentUuids, kind, variants);
    const columns: string[] = [];
    const column = new Map<string, number>();
    for (const it of items) if (!column.has(it.variant)) { column.set(it.variant, columns.length); columns.push(it.variant); }
    const rows: PresenceTable['rows'] = [];
    const rowOf = new Map<string, string[]>();
    for (const it of items) {
      let row = rowOf.get(it.content_uuid);
      if (!row) {
        row = [it.content_uuid, ...columns.map(() => 'absent')];
        rowOf.set(it.content_uuid, row);
        rows.push(row as PresenceTable['rows'][number]);
      }
      row[1 + column.get(it.variant)!] = it.local ? 'local' : it.status;
    }
    return { kind, variants: columns, rows };
  }

  /**
   * For a long-running process that also runs maintenance (`watch`): from now on `presence` answers
   * from memory, kept current by the sidecar events, trusting the records for files under
   * sidecars/ instead of statting each (the same answers while the watcher keeps the records true).
   * Returns the undo; presence is read from memory until every caller has undone.
   */
  keepPresenceInMemory(): () => void {
    this.memory ??= { index: new PresenceIndex(this.lib), holders: 0 };
    const memory = this.memory;
    memory.holders++;
    let undone = false;
    return () => {
      if (undone) return;
      undone = true;
      if (--memory.holders > 0 || this.memory !== memory) return;
      memory.index.close();
      this.memory = undefined;
    };
  }

  /**
   * The file of a ready sidecar, checked now (there, a regular file, of the recorded size), for a
   * reader that streams it; else its status and why. A ready row whose file is gone is marked
   * missing here. Queues nothing (`path` does).
   */
  file(contentUuid: string, kind: string, variant: string): SidecarFileAnswer {
    return sidecarFile(this.lib, contentUuid, kind, variant);
  }

  /**
   * The one answer to "where is this sidecar?": the ready file (looked for on disk); else a ready
   * row whose file is gone is marked missing and re-queued; a pending one gets its job; what
   * cannot be made here is unavailable with the reason.
   */
  async path(content: string, kind: string, variant: string): Promise<PathAnswer> {
    const [{ requestSidecar }, { generatorSettings }] = await Promise.all([import('../jobs/request-sidecar.js'), import('../jobs/settings.js')]);
    return requestSidecar(this.lib, generatorSettings(this.lib, this.ctx.dataDir), uuidOf(this.lib, content), kind, variant);
  }

  /**
   * After a model was added: forget "not applicable" answers that a missing model gave, and
   * queue what can now be made. Returns the jobs queued.
   */
  async queueForNewModels(): Promise<number> {
    const [{ queueGeneration }, { generatorSettings }] = await Promise.all([import('../jobs/queueing.js'), import('../jobs/settings.js')]);
    new SidecarManager(this.lib).clearNotApplicable(SIDECAR_KIND_NAMES.filter((k) => SIDECAR_KINDS[k].needsModel));
    return queueGeneration(this.lib, { settings: generatorSettings(this.lib, this.ctx.dataDir) }).queued;
  }

  /**
   * Make the database and sidecars/ agree; with `verify`, re-hash every managed file (progress as
   * `sidecars:progress` events). A corrupt file vss cannot make again is moved to quarantine/,
   * never deleted (ONQUARANTINE hears of each).
   */
  async reconcile(opts: {
    verify?: boolean;
    onProblem?: (path: string, reason: string) => void;
    onQuarantine?: (from: string, to: string, reason: string) => void;
  } = {}): Promise<ReconcileResult> {
    const { reconcile } = await import('../sidecars/reconcile.js');
    // First what left the index outside a scan (a converted movie's own content): its files go, and reconcile tidies after.
    await this.releaseOrphans();
    return reconcile(this.lib, {
      verify: opts.verify ?? false,
      ...(opts.onProblem ? { onProblem: opts.onProblem } : {}),
      ...(opts.onQuarantine ? { onQuarantine: opts.onQuarantine } : {}),
      onProgress: (p) => this.lib.events.emit('sidecars:progress', { task: 'verify', ...p }),
    });
  }

  /**
   * Move referenced files (Live Photo movies) into the library, crash-safe; progress as
   * `sidecars:progress` events. A moved file leaves its location, and with it the Guardian's
   * counts: one whose content that would leave below its policy stays (named in `failed` with the
   * guard's reason) unless FORCE.
   */
  async convertReferences(opts: { kind?: string; contentUuids?: string[]; force?: boolean } = {}): Promise<ConvertResult> {
    const { convertReferences } = await import('../sidecars/convert.js');
    const { belowPolicy, policyRefusal } = await import('../guardian/guard.js');
    const { witnessesOf } = await import('../ops/witnesses.js');
    const kind: SidecarKind | undefined = opts.kind === undefined ? undefined : sidecarKind(opts.kind);
    const witnesses = witnessesOf(this.host);
    const mayTake = (entryId: number): string | undefined => {
      const e = this.lib.store.entries.byId(entryId);
      const loc = e ? this.lib.store.locations.byId(e.location_id) : undefined;
      if (!e || !loc) return undefined;
      const below = belowPolicy(this.lib, [{ locationId: e.location_id, rel: e.rel_path, path: `${loc.path}/${e.rel_path}`, to: null }], witnesses);
      return below.length === 0 ? undefined : `${policyRefusal('move', below).message.replace(/Add --force to move anyway$/, 'Add --force to convert it anyway')}`;
    };
    const result = await convertReferences(this.lib, {
      kind, contentUuids: opts.contentUuids ?? [], ...(opts.force === true ? {} : { mayTake }),
      onProgress: (p) => this.lib.events.emit('sidecars:progress', { task: 'convert', ...p }),
    });
    // A moved movie left the index: its own content (thumbnails, thumbstrip, proxy of it as a video) goes with it.
    if (result.converted + result.recovered > 0) await this.releaseOrphans();
    return result;
  }

  /**
   * Release the contents no entry holds any more, unless a scan of this library is under way
   * (its half-done moves must not look orphaned); a page at a time, so a daemon stays responsive.
   */
  private async releaseOrphans(): Promise<void> {
    if (scansRunning(this.lib) > 0) return;
    const { releaseOrphanContentsPaced } = await import('../indexer/release-orphans.js');
    await releaseOrphanContentsPaced(this.lib, () => scansRunning(this.lib) > 0);
  }

  /** Finish interrupted conversions, reconcile, and keep the records true while files change. */
  async watch(opts: { onProblem?: (path: string, reason: string) => void } = {}): Promise<SidecarWatch> {
    const { startMaintenance } = await import('../sidecars/maintenance.js');
    return startMaintenance(this.lib, opts);
  }
}

/** FILTER, when its kind is a sidecar kind and its status a sidecar status. */
function checkedFilter<F extends ListFilter>(filter: F): F {
  if (filter.kind !== undefined) sidecarKind(filter.kind);
  if (filter.status !== undefined) oneOf(SIDECAR_STATUSES, filter.status, 'status');
  return filter;
}

/** The content REF names; a whole uuid as given (the resolver answers for one no device has told of yet). */
function uuidOf(lib: Library, ref: string): string {
  return UUID_RE.test(ref.toLowerCase()) ? ref : contentByRef(lib, ref).uuid;
}
