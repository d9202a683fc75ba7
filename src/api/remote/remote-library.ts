import { resolve } from 'node:path';
import { EventBus } from '../../core/events.js';
import type {
  ContentFilter, ContentListItem, ConvertResult, IndexMode, IndexResult, JobFilter, JobRow, LibraryClient, NamedJobRow, LocationInfo,
  PathAnswer, PolicyInfo, PresenceItem, ReconcileOptions, ReconcileResult, RunJobsInput, RunSummary, SidecarFilter, SidecarInfo,
  SidecarWatch, AddLocationInput, Page, VssEvents, ResolveAnswer, SyncPeerStatus, SearchOptions, SearchAnswer,
} from '../index.js';
import type { StreamLine } from './protocol.js';
import type { DaemonHttp } from './daemon-http.js';
import { followEvents } from './follow-events.js';

const PAGE = 1000;

/**
 * A library held by the daemon, seen through its local API: the same calls as the in-process
 * LibraryApi. Events of a streamed call arrive on `events` in order, before its result.
 */
export class RemoteLibrary implements LibraryClient {
  readonly events = new EventBus();
  readonly locations: LibraryClient['locations'];
  readonly content: LibraryClient['content'];
  readonly sidecars: LibraryClient['sidecars'];
  readonly jobs: LibraryClient['jobs'];
  readonly policy: LibraryClient['policy'];
  readonly search: LibraryClient['search'];
  readonly sync: LibraryClient['sync'];

  constructor(private readonly http: DaemonHttp, readonly id: string, readonly name: string, readonly path: string) {
    const lib = { lib: id };
    const emit = (line: StreamLine) => {
      if ('event' in line) this.events.emit(line.event as keyof VssEvents, line.payload as never);
    };
    const pages = <T>(op: 'contentList' | 'sidecarsList' | 'jobsList', query: Record<string, string | number | undefined>) => this.pages<T>(op, query);

    this.locations = {
      add: (path: string, input: AddLocationInput = {}) => http.stream<IndexResult>('locationsAdd', { params: lib, body: { path: resolve(path), ...input } }, emit),
      rescan: (locationId: number, opts: { mode?: IndexMode; force?: boolean } = {}) => http.stream<IndexResult>('locationsRescan', { params: { ...lib, id: locationId }, body: opts }, emit),
      list: () => http.call<LocationInfo[]>('locationsList', { params: lib }),
      get: (locationId: number) => http.call<LocationInfo>('locationsGet', { params: { ...lib, id: locationId } }),
      setPolicy: (locationId: number, policy: string | null) => http.call<LocationInfo>('locationsPolicy', { params: { ...lib, id: locationId }, body: { policy } }),
      remove: (locationId: number) => http.call<{ location_id: number; removed: true }>('locationsRemove', { params: { ...lib, id: locationId } }),
      pause: (locationId: number) => http.call<LocationInfo>('locationsPause', { params: { ...lib, id: locationId } }),
      resume: (locationId: number) => http.call<LocationInfo>('locationsResume', { params: { ...lib, id: locationId } }),
    };
    this.sync = {
      status: () => http.call<SyncPeerStatus[]>('syncStatus', { params: lib }),
    };
    this.content = {
      iterate: (f: ContentFilter = {}) => pages<ContentListItem>('contentList', { kind: f.kind, location: f.locationId }),
    };
    this.sidecars = {
      iterate: (f: SidecarFilter = {}) => pages<SidecarInfo>('sidecarsList', { content: f.contentUuid, kind: f.kind, status: f.status }),
      presence: (uuids: readonly string[], kind: string, variants?: readonly string[]) => http.call<PresenceItem[]>('sidecarsPresence', { params: lib, body: { uuids, kind, variants } }),
      path: (uuid: string, kind: string, variant: string) => http.call<PathAnswer>('sidecarsPath', { params: lib, body: { uuid, kind, variant } }),
      get: (uuid: string, kind: string, variant: string, o: { timeoutMs?: number } = {}) =>
        http.call<ResolveAnswer>('sidecarsGet', { params: lib, body: { uuid, kind, variant, timeout_ms: o.timeoutMs } }),
      reconcile: (o: ReconcileOptions = {}) => http.stream<ReconcileResult>('sidecarsReconcile', { params: lib, body: { verify: o.verify ?? false } }, (line) => {
        emit(line);
        if (!('call' in line)) return;
        const [a, b, c] = line.args.map(String);
        if (line.call === 'onProblem') o.onProblem?.(a!, b!);
        else if (line.call === 'onQuarantine') o.onQuarantine?.(a!, b!, c!);
      }),
      convertReferences: (o: { kind?: string; contentUuids?: string[] } = {}) => http.stream<ConvertResult>('sidecarsConvert', { params: lib, body: { kind: o.kind, uuids: o.contentUuids ?? [] } }, emit),
      watch: async (o: { onProblem?: (path: string, reason: string) => void } = {}): Promise<SidecarWatch> => {
        // The daemon maintains the sidecars already: reconcile now, then follow its changes.
        const reconciled = this.sidecars.reconcile(o.onProblem ? { onProblem: o.onProblem } : {});
        const follow = followEvents(http, { library: id, recent: false }, (e) => this.events.emit(e.type as keyof VssEvents, e.payload as never));
        follow.done.catch(() => undefined); // the daemon stopping ends the watch; Ctrl-C still ends the command
        return { reconciled, stop: () => follow.stop() };
      },
    };
    this.jobs = {
      run: (input: RunJobsInput = {}) => http.stream<RunSummary>('jobsRun', { params: lib, body: { until_idle: input.untilIdle ?? false }, ...(input.signal ? { signal: input.signal } : {}) }, emit)
        .catch((err: Error) => { if (err.name === 'AbortError') return stoppedSummary(); throw err; }),
      iterate: (f: JobFilter = {}) => pages<NamedJobRow>('jobsList', { status: f.status, kind: f.kind, content: f.contentUuid }),
      get: (jobId: number) => http.call<JobRow>('jobsGet', { params: { ...lib, id: jobId } }),
      retry: (jobId: number) => http.call<JobRow>('jobsAct', { params: { ...lib, id: jobId, action: 'retry' } }),
      cancel: (jobId: number) => http.call<JobRow>('jobsAct', { params: { ...lib, id: jobId, action: 'cancel' } }),
      pause: (jobId: number) => http.call<JobRow>('jobsAct', { params: { ...lib, id: jobId, action: 'pause' } }),
      resume: (jobId: number) => http.call<JobRow>('jobsAct', { params: { ...lib, id: jobId, action: 'resume' } }),
    };
    this.policy = {
      get: (type?: string) => http.call<PolicyInfo>('policyGet', { params: lib, query: { device_type: type } }),
      set: (spec: string, type?: string) => http.call<PolicyInfo>('policySet', { params: lib, body: { policy: spec, device_type: type } }),
    };
    this.search = {
      // The daemon decides how long a query waits for indexing (briefly); `wait` is for an in-process query.
      answer: (q: string, opts: SearchOptions = {}) => http.call<SearchAnswer>('search', { params: lib, query: { q, kind: opts.kind, limit: opts.limit, semantic: opts.semantic ? 1 : undefined, model: opts.model } }),
      query: async (q: string, opts: SearchOptions = {}) => (await this.search.answer(q, opts)).results,
      reindex: () => http.call<{ contents: number; rows: number }>('searchReindex', { params: lib }),
    };
  }

  private async *pages<T>(op: 'contentList' | 'sidecarsList' | 'jobsList', query: Record<string, string | number | undefined>): AsyncGenerator<T> {
    let after: string | null = null;
    do {
      const page: Page<T> = await this.http.call<Page<T>>(op, { params: { lib: this.id }, query: { ...query, limit: PAGE, ...(after !== null ? { after } : {}) } });
      yield* page.items;
      after = page.next;
    } while (after !== null);
  }
}

/** What a `jobs run` that was stopped before the daemon answered did: nothing of its own. */
function stoppedSummary(): RunSummary {
  return { completed: 0, failed: 0, cancelled: 0, resumed: 0, durationMs: 0, notes: {}, errors: [], requeued: 0, paused: null };
}
