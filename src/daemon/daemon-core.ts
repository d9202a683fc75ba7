import { BrowserDevices } from '../device/browser-devices.js';
import { ShareBook } from '../device/shares.js';
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { startPeerService, VssError, type PeerService, type PeerServiceOptions, type AddedModel, type EventName, type JobWork, type LibraryApi, type LibraryRef, type RunSummary, type StreamedEvent, type Vss } from '../api/index.js';

export interface DaemonCoreOptions {
  vss: Vss;
  log: Logger;
}

/** One event of one library, numbered for Server-Sent Events' reconnects. */
export type DaemonEvent = StreamedEvent & { type: EventName };

/** How many recent events a reconnecting client (or `vss events`) can read back. */
const RECENT_EVENTS = 1000;
/**
 * How long a stop waits for requests under way (a scan a client asked for) before the libraries
 * close under them: within DESIGN §12's 10 s, leaving time to close. A scan cut short keeps what
 * it committed, and the next start's rescan finishes it.
 */
const IN_FLIGHT_GRACE_MS = 6_000;

/** What the daemon runs for one open library; each part stops before the library closes. */
interface LibraryServices {
  started: Promise<void>;
  stops: Array<() => Promise<void> | void>;
  work?: JobWork;
}

/**
 * What a daemon owns besides its sockets: the open libraries and, per library, its location
 * watching, its continuous job work, its sidecar maintenance and its presence index. The HTTP
 * handlers reach the core API only through here.
 */
export class DaemonCore {
  private readonly open = new Map<string, LibraryApi>();
  /** Each open library's folder, resolved once (realpath), to find it by a path a client names. */
  private readonly byFolder = new Map<string, string>();
  private readonly services = new Map<string, LibraryServices>();
  private readonly listeners = new Set<(e: DaemonEvent) => void>();
  private readonly closeHooks = new Set<() => void>();
  private readonly recent: DaemonEvent[] = [];
  private nextEventId = 1;
  private closing = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  private peerService: PeerService | undefined;

  private constructor(readonly vss: Vss, readonly log: Logger) {}

  static async start(opts: DaemonCoreOptions): Promise<DaemonCore> {
    const core = new DaemonCore(opts.vss, opts.log);
    // The current library is opened (and its locations watched, its jobs worked) at once.
    if (opts.vss.libraries.hasCurrent()) {
      try {
        core.library();
      } catch (err) {
        opts.log.warn({ err }, 'the current library could not be opened');
      }
    }
    return core;
  }

  /**
   * The open library with this id (or this folder; default: the current library), opened on
   * first use and kept open, held for writing, for the daemon's life.
   */
  library(ref?: { id?: string; path?: string }): LibraryApi {
    if (this.closing) throw new VssError('IO', 'the daemon is stopping');
    if (ref?.id !== undefined) {
      const byId = this.open.get(ref.id);
      if (byId) return byId;
      const known = this.vss.libraries.list().find((l) => l.id === ref.id);
      if (!known) throw new VssError('NOT_FOUND', `no library ${ref.id} on this device`);
      return this.openLibrary(known.path);
    }
    // Never the daemon's own VSS_LIBRARY: each client names its library (the CLI sends its own).
    const path = ref?.path ?? this.vss.libraries.current().path;
    const id = this.byFolder.get(canonical(path));
    return (id !== undefined ? this.open.get(id) : undefined) ?? this.openLibrary(path);
  }

  /**
   * Start the network side (DESIGN §9): pairing and sync with paired devices, for every library
   * opened from now on and those open already.
   */
  async startPeers(opts: { listen: string[]; onListening?: (addrs: string[]) => void } & Pick<PeerServiceOptions, 'wss' | 'browsers' | 'browserHttp'>): Promise<PeerService> {
    this.peerService = await startPeerService({
      dataDir: this.vss.dataDir,
      // The identity itself, not a copy: a rename made while the daemon runs is the name paired with.
      device: this.vss.identity,
      listen: opts.listen,
      log: this.log.child({ module: 'peers' }),
      host: {
        library: (id) => {
          try {
            return this.library({ id });
          } catch (err) {
            if (err instanceof VssError && err.code === 'NOT_FOUND') return undefined;
            throw err;
          }
        },
        joinLibrary: (id, name) => this.library({ id: this.vss.libraries.join(id, name, { use: (path) => this.useLibrary(path) }).id }),
        current: () => (this.vss.libraries.hasCurrent() ? this.library() : undefined),
      },
      ...(opts.onListening ? { onListening: opts.onListening } : {}),
      ...(opts.wss ? { wss: opts.wss } : {}),
      ...(opts.browsers ? { browsers: opts.browsers } : {}),
      ...(opts.browserHttp ? { browserHttp: opts.browserHttp } : {}),
    });
    for (const lib of this.open.values()) this.peerService.attach(lib);
    return this.peerService;
  }

  /** The browsers paired with this device (`vss ui pair`): held here, their sessions checked on every request. */
  get browsers(): BrowserDevices {
    return (this.browserDevices ??= BrowserDevices.load(this.vss.dataDir));
  }
  private browserDevices: BrowserDevices | undefined;

  /** The albums shared by a link (`vss album share`, issue 61): their guests' sessions checked on every request. */
  get shares(): ShareBook {
    return (this.shareBook ??= ShareBook.load(this.vss.dataDir));
  }
  private shareBook: ShareBook | undefined;

  /** The network side: pairing, devices, sync. */
  get peers(): PeerService {
    if (!this.peerService) throw new VssError('IO', 'the daemon\'s network side is not running');
    return this.peerService;
  }

  /** Make the library at PATH current (it is opened here, which checks it). */
  useLibrary(path: string): LibraryRef {
    const lib = this.library({ path });
    return this.vss.libraries.select({ id: lib.id, name: lib.name, path: lib.path });
  }

  /**
   * Let go of the open library ID (`library close`): its services stop (watching, job work,
   * maintenance), peers no longer reach it, and it is closed, so its folder can be moved or
   * copied. A later request that names it opens it again.
   */
  async release(id: string): Promise<void> {
    const lib = this.open.get(id);
    if (!lib) return;
    this.open.delete(id);
    for (const [folder, openId] of this.byFolder) if (openId === id) this.byFolder.delete(folder);
    const svc = this.services.get(id);
    this.services.delete(id);
    lib.requestStop();
    if (svc) await this.stopWork(svc);
    await this.peerService?.detach(id);
    if (svc) await this.stopServices(svc);
    lib.close();
    this.log.info({ library: id }, 'library closed');
  }

  /**
   * Stop a library's job work ahead of its other services and of the network: a copy or a send
   * whose peer connection closed under it would end as a failure of its own before the stop
   * reached it, and spend an attempt; stopped first, it is handed back as it was (its partial
   * file kept, no attempt spent) and resumes at the next start.
   */
  private async stopWork(svc: LibraryServices): Promise<void> {
    await svc.started;
    try {
      await svc.work?.stop();
    } catch (err) {
      this.log.error({ err }, 'the job work did not stop cleanly');
    }
  }

  private async stopServices(svc: LibraryServices): Promise<void> {
    await svc.started;
    // Last started, first stopped: watching ends before the work its changes would queue (the work's stop is a no-op after stopWork).
    for (const stop of svc.stops.reverse()) {
      try {
        await stop();
      } catch (err) {
        this.log.error({ err }, 'a service did not stop cleanly');
      }
    }
  }

  private openLibrary(path: string): LibraryApi {
    const lib = this.vss.openLibrary({ path, access: 'write' });
    this.open.set(lib.id, lib);
    this.byFolder.set(canonical(lib.path), lib.id);
    lib.events.onAny((type, payload) => this.publish(lib.id, type, payload));
    this.log.info({ library: lib.id, path: lib.path }, 'library opened');
    const svc: LibraryServices = { started: Promise.resolve(), stops: [] };
    svc.started = this.startServices(lib, svc).catch((err: unknown) => this.log.error({ err, library: lib.id }, 'a service of the library failed to start'));
    this.services.set(lib.id, svc);
    this.peerService?.attach(lib);
    return lib;
  }

  /**
   * The library's continuous work (DESIGN §12): the job queue within the generation policy and
   * the CPU budget, every location watched (rescanned first), and sidecar maintenance (finish
   * interrupted conversions, reconcile, watch).
   */
  private async startServices(lib: LibraryApi, svc: LibraryServices): Promise<void> {
    const log = this.log.child({ library: lib.id });
    // A job first fetches what a paired device has made already (while the peer side is lent).
    const work = await lib.jobs.startWork({ log, fetchFirst: lib.sync.fetchFirst });
    svc.work = work;
    svc.stops.push(() => work.stop());
    const watching = await lib.locations.watch({ log });
    svc.stops.push(() => watching.close());
    // Each location scrubbed on the device's schedule (issue 30 item 5), one at a time, behind other work.
    svc.stops.push(lib.guardian.keepScrubbing((err) => log.warn({ err }, 'the Guardian\'s hourly look (a scrub, a library snapshot, the trash) could not do its work')));
    // Tags, ratings and notes written into the XMP sidecars of the locations that ask for it (issue 59).
    svc.stops.push(await lib.xmp.keepWrittenBack((err) => log.warn({ err }, 'XMP sidecars could not be written back')));
    const maintenance = await lib.sidecars.watch({ onProblem: (path, reason) => log.warn({ path, reason }, 'sidecar problem') });
    svc.stops.push(() => maintenance.stop());
    svc.stops.push(lib.sidecars.keepPresenceInMemory());
    void maintenance.reconciled.then((r) => log.info({ ...r }, 'sidecars reconciled'), (err: unknown) => log.error({ err }, 'reconcile failed'));
  }

  /** Register a model, then queue what it makes possible in the library it names (or the current one). */
  async addModel(engine: string, path: string, opts: { id?: string; library?: string }): Promise<AddedModel> {
    const added = await this.vss.models.add(engine, path, { ...(opts.id !== undefined ? { id: opts.id } : {}), queue: false });
    await this.modelsChanged();
    let queued = 0;
    if (opts.library !== undefined || this.vss.libraries.hasCurrent()) {
      queued = await this.library(opts.library !== undefined ? { path: opts.library } : undefined).sidecars.queueForNewModels();
    }
    return { ...added, queued };
  }

  /** Forget a model; the work of every open library stops using it. */
  async removeModel(engine: string, id?: string): Promise<{ removed: number }> {
    const r = this.vss.models.remove(engine, id);
    await this.modelsChanged();
    return r;
  }

  /** The job work of every open library reads this device's models again. */
  private async modelsChanged(): Promise<void> {
    for (const svc of this.services.values()) {
      await svc.started;
      svc.work?.refreshSettings();
    }
  }

  /** `jobs run` through the daemon: the daemon works the queue already, so this follows it (until idle). */
  async runJobs(lib: LibraryApi, opts: { untilIdle: boolean; signal: AbortSignal }): Promise<RunSummary> {
    await this.services.get(lib.id)?.started;
    return lib.jobs.run(opts);
  }

  onEvent(listener: (e: DaemonEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The recent events after AFTERID, oldest first. */
  recentEvents(afterId = 0): DaemonEvent[] {
    return this.recent.filter((e) => e.id > afterId);
  }

  /** Whether a stop has begun (requests still running are cut short by it). */
  get stopping(): boolean {
    return this.closing;
  }

  /** Run a client's request so that a stop waits for it (bounded) before closing the libraries. */
  serve<T>(fn: () => Promise<T> | T): Promise<T> {
    if (this.closing) return Promise.reject(new VssError('IO', 'the daemon is stopping'));
    const p = Promise.resolve().then(fn);
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p)).catch(() => undefined);
    return p;
  }

  /** FN runs when the daemon stops (an open event stream ends); returns the undo. */
  onClose(fn: () => void): () => void {
    this.closeHooks.add(fn);
    return () => this.closeHooks.delete(fn);
  }

  private publish(libraryId: string, type: EventName, payload: unknown): void {
    const e: DaemonEvent = { id: this.nextEventId++, library_id: libraryId, type, at: new Date().toISOString(), payload };
    if (!type.endsWith(':progress')) {
      this.recent.push(e);
      if (this.recent.length > RECENT_EVENTS) this.recent.splice(0, this.recent.length - RECENT_EVENTS);
    }
    for (const l of this.listeners) l(e);
  }

  /** Stop watching and working, let the writes under way finish, close every library. */
  async close(): Promise<void> {
    this.closing = true;
    for (const fn of [...this.closeHooks]) fn();
    // Scans under way commit their batch and end, rather than have the database closed under them.
    for (const lib of this.open.values()) lib.requestStop();
    // The jobs before the peers (stopWork); then the peers: nothing fetched or served while the libraries close under it.
    await Promise.all([...this.services.values()].map((svc) => this.stopWork(svc)));
    await this.peerService?.stop().catch((err: unknown) => this.log.error({ err }, 'the network side did not stop cleanly'));
    await Promise.all([...this.services.values()].map((svc) => this.stopServices(svc)));
    this.services.clear();
    if (this.inFlight.size > 0) {
      this.log.info({ requests: this.inFlight.size }, 'waiting for requests under way');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...this.inFlight]),
        new Promise((r) => { timer = setTimeout(r, IN_FLIGHT_GRACE_MS); }),
      ]);
      clearTimeout(timer);
      if (this.inFlight.size > 0) this.log.warn({ requests: this.inFlight.size }, 'closing the libraries under requests still running');
    }
    for (const lib of this.open.values()) lib.close();
    this.open.clear();
    this.byFolder.clear();
  }
}

function canonical(path: string): string {
  try {
    return realpathSync(resolve(path));
  } catch {
    return resolve(path);
  }
}
