import { EventBus } from '../../core/events.js';
import type { ContentFilter, JobFilter, LibraryClient, RunJobsInput, RunSummary, SearchOptions, SidecarFilter, SidecarWatch, VssEvents } from '../index.js';
import type { DaemonHttp } from './daemon-http.js';
import { followEvents } from './follow-events.js';
import { pagesOf, remoteFacades } from './remote-calls.js';

/** Items a page of a list asks the daemon for (its bound). */
const PAGE = 1000;

/**
 * A library held by the daemon, seen through its local API: the same calls as the in-process
 * LibraryApi, each made from its row of the operation table. Events of a streamed call arrive on
 * `events` in order, before its result. What is composed here rather than served: walking a
 * paged list, following the daemon's own sidecar maintenance, and `search.query`.
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
  readonly browse: LibraryClient['browse'];
  readonly tags: LibraryClient['tags'];
  readonly meta: LibraryClient['meta'];
  readonly people: LibraryClient['people'];
  readonly albums: LibraryClient['albums'];
  readonly faces: LibraryClient['faces'];
  readonly trash: LibraryClient['trash'];
  readonly similar: LibraryClient['similar'];
  readonly stacks: LibraryClient['stacks'];
  readonly backup: LibraryClient['backup'];
  readonly xmp: LibraryClient['xmp'];
  readonly files: LibraryClient['files'];
  readonly volumes: LibraryClient['volumes'];
  readonly guardian: LibraryClient['guardian'];
  readonly actions: LibraryClient['actions'];
  readonly stats: LibraryClient['stats'];
  readonly ls: LibraryClient['ls'];
  readonly send: LibraryClient['send'];

  constructor(http: DaemonHttp, readonly id: string, readonly name: string, readonly path: string) {
    const served = remoteFacades(http, 'lib', { lib: id }, this.events) as unknown as Omit<LibraryClient, 'id' | 'name' | 'path' | 'events'>;
    this.locations = served.locations;
    this.policy = served.policy;
    this.sync = served.sync;
    this.browse = served.browse;
    this.tags = served.tags;
    this.meta = served.meta;
    this.people = served.people;
    this.albums = served.albums;
    this.faces = served.faces;
    this.trash = served.trash;
    this.similar = served.similar;
    this.stacks = served.stacks;
    this.backup = served.backup;
    this.xmp = served.xmp;
    this.files = served.files;
    this.volumes = served.volumes;
    this.guardian = served.guardian;
    this.actions = served.actions;
    this.stats = served.stats;
    this.ls = served.ls;
    this.send = served.send;
    this.content = {
      ...served.content,
      iterate: (f: ContentFilter = {}) => pagesOf(async (after) => served.content.list({ ...f, after, limit: PAGE })),
    };
    this.sidecars = {
      ...served.sidecars,
      iterate: (f: SidecarFilter = {}) => pagesOf(async (after) => served.sidecars.list({ ...f, after, limit: PAGE })),
      watch: async (o: { onProblem?: (path: string, reason: string) => void } = {}): Promise<SidecarWatch> => {
        // The daemon maintains the sidecars already: reconcile now, then follow its changes.
        const reconciled = served.sidecars.reconcile(o.onProblem ? { onProblem: o.onProblem } : {});
        const follow = followEvents(http, { library: id, recent: false }, (e) => this.events.emit(e.type as keyof VssEvents, e.payload as never));
        follow.done.catch(() => undefined); // the daemon stopping ends the watch; Ctrl-C still ends the command
        return { reconciled, stop: () => follow.stop() };
      },
    };
    this.jobs = {
      ...served.jobs,
      iterate: (f: JobFilter = {}) => pagesOf(async (after) => served.jobs.list({ ...f, after, limit: PAGE })),
      run: (input: RunJobsInput = {}) => served.jobs.run(input)
        .catch((err: Error) => { if (err.name === 'AbortError') return stoppedSummary(); throw err; }),
    };
    this.search = {
      ...served.search,
      query: async (q: string, opts: SearchOptions = {}) => (await served.search.answer(q, opts)).results,
    };
  }
}

/** What a `jobs run` that was stopped before the daemon answered did: nothing of its own. */
function stoppedSummary(): RunSummary {
  return { completed: 0, failed: 0, cancelled: 0, resumed: 0, durationMs: 0, notes: {}, errors: [], requeued: 0, paused: null };
}
