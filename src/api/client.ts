import type { IndexMode, IndexResult } from '../indexer/types.js';
import type { AddLocationInput, LocationInfo } from './locations.js';
import type { ContentFilter, ContentListItem } from './content.js';
import type { ConvertResult, PathAnswer, PresenceItem, ReconcileResult, SidecarFilter, SidecarInfo, SidecarWatch } from './sidecars.js';
import type { JobFilter, JobRow, NamedJobRow, RunJobsInput, RunSummary } from './jobs.js';
import type { PolicyInfo } from './policy.js';
import type { SearchAnswer, SearchOptions, SearchResult } from './search.js';
import type { AddedModel, ModelInfo } from './models.js';
import type { LibraryEvents } from './library-api.js';
import type { OpenLibraryOptions } from './vss.js';
import type { DeviceInfo, LibraryRef, LibrarySummary, StreamedEvent } from './types.js';
import type { CpuBudgetInfo, SyncSettings, SyncSettingsPatch } from './device-settings.js';
import type { PairedDeviceItem, PairedInfo, PairingCodeInfo, ResolveAnswer, SyncPeerStatus } from './peer-types.js';

/**
 * The core API as its adapters see it: the same calls whether they run in this process (Vss)
 * or in the daemon that owns the data dir (the remote client). A result may be a promise and a
 * list an async iterable, so one adapter (the CLI, the web UI's server) serves both.
 */
export type Awaitable<T> = T | Promise<T>;
export type Items<T> = Iterable<T> | AsyncIterable<T>;

export interface LocationsClient {
  add(path: string, input?: AddLocationInput): Promise<IndexResult>;
  rescan(id: number, opts?: { mode?: IndexMode; force?: boolean }): Promise<IndexResult>;
  list(): Promise<LocationInfo[]>;
  get(id: number): Promise<LocationInfo>;
  setPolicy(id: number, policy: string | null): Promise<LocationInfo>;
  remove(id: number): Promise<{ location_id: number; removed: true }>;
  pause(id: number): Promise<LocationInfo>;
  resume(id: number): Promise<LocationInfo>;
}

export interface ContentClient {
  iterate(filter?: ContentFilter): Items<ContentListItem>;
}

export interface ReconcileOptions {
  verify?: boolean;
  onProblem?: (path: string, reason: string) => void;
  onQuarantine?: (from: string, to: string, reason: string) => void;
}

export interface SidecarsClient {
  iterate(filter?: SidecarFilter): Items<SidecarInfo>;
  presence(contentUuids: readonly string[], kind: string, variants?: readonly string[]): Awaitable<PresenceItem[]>;
  path(contentUuid: string, kind: string, variant: string): Promise<PathAnswer>;
  /** The resolver (DESIGN §9): here, else fetched from a peer, else made here; waits up to the timeout. */
  get(contentUuid: string, kind: string, variant: string, opts?: { timeoutMs?: number }): Promise<ResolveAnswer>;
  reconcile(opts?: ReconcileOptions): Promise<ReconcileResult>;
  convertReferences(opts?: { kind?: string; contentUuids?: string[] }): Promise<ConvertResult>;
  watch(opts?: { onProblem?: (path: string, reason: string) => void }): Promise<SidecarWatch>;
}

export interface JobsClient {
  run(input?: RunJobsInput): Promise<RunSummary>;
  iterate(filter?: JobFilter): Items<NamedJobRow>;
  get(id: number): Awaitable<JobRow>;
  retry(id: number): Promise<JobRow>;
  cancel(id: number): Promise<JobRow>;
  pause(id: number): Awaitable<JobRow>;
  resume(id: number): Awaitable<JobRow>;
}

export interface PolicyClient {
  get(type?: string): Awaitable<PolicyInfo>;
  set(spec: string, type?: string): Awaitable<PolicyInfo>;
}

export interface SyncClient {
  /** Each paired device's sync state in this library. */
  status(): Awaitable<SyncPeerStatus[]>;
}

export interface SearchClient {
  /** Contents matching QUERY (words, "phrases", prefix*), best first (`vss search`). */
  query(query: string, opts?: SearchOptions): Awaitable<SearchResult[]>;
  /** As query, with how many contents were still queued for indexing when it was answered. */
  answer(query: string, opts?: SearchOptions): Awaitable<SearchAnswer>;
  /** Rebuild the index from the sidecars and file names. */
  reindex(): Awaitable<{ contents: number; rows: number }>;
}

export interface LibraryClient {
  readonly id: string;
  readonly name: string;
  readonly path: string;
  readonly events: LibraryEvents;
  readonly locations: LocationsClient;
  readonly content: ContentClient;
  readonly sidecars: SidecarsClient;
  readonly jobs: JobsClient;
  readonly policy: PolicyClient;
  readonly sync: SyncClient;
  readonly search: SearchClient;
}

export interface LibrariesClient {
  create(name: string, opts?: { dir?: string; makeCurrent?: boolean }): Awaitable<LibraryRef>;
  list(): Awaitable<LibrarySummary[]>;
  use(path: string): Awaitable<LibraryRef>;
  current(): Awaitable<LibraryRef>;
}

export interface ModelsClient {
  list(): Awaitable<ModelInfo[]>;
  add(engine: string, path: string, opts?: { id?: string; library?: string }): Promise<AddedModel>;
  remove(engine: string, id?: string): Awaitable<{ removed: number }>;
}

export interface DeviceSettingsClient {
  cpuBudget(): Awaitable<CpuBudgetInfo>;
  setCpuBudget(cores: number | 'default'): Awaitable<CpuBudgetInfo>;
  sync(): Awaitable<SyncSettings>;
  setSync(patch: SyncSettingsPatch | 'default'): Awaitable<SyncSettings>;
}

export interface PairingClient {
  /** Open a pairing code for a library (default: the current one), tell it, and wait for the joiner. */
  start(opts: { library?: string }, onCode: (code: PairingCodeInfo) => void): Promise<PairedInfo>;
  /** Join the device showing these words (found by mDNS, or at PEER), and its library. */
  join(words: string[], opts?: { peer?: string }): Promise<PairedInfo>;
}

export interface DevicesClient {
  list(): Awaitable<PairedDeviceItem[]>;
  /** Forget a paired device: its key, and its availability in every library. */
  unpair(id: string): Awaitable<{ id: string; name: string }>;
}

export interface VssClient {
  readonly dataDir: string;
  readonly deviceSettings: DeviceSettingsClient;
  /** Whether the calls go to the daemon that runs for the data dir. */
  readonly viaDaemon: boolean;
  readonly libraries: LibrariesClient;
  readonly models: ModelsClient;
  readonly pairing: PairingClient;
  readonly devices: DevicesClient;
  device(): Awaitable<DeviceInfo>;
  /** Follow the daemon's event stream (recent events first); in-process there is none to follow. */
  followEvents(opts: { library?: string; follow?: boolean; recent?: boolean }, onEvent: (e: StreamedEvent) => void): EventFollow;
  /** Run FN on the selected library; in-process it is opened for the call and closed after. */
  withLibrary<T>(opts: OpenLibraryOptions, fn: (lib: LibraryClient) => Promise<T> | T): Promise<T>;
}

export interface EventFollow {
  /** Resolves once the daemon streams to us: events from then on are not missed. */
  connected: Promise<void>;
  /** Resolves when the stream ends (the daemon stopped; or, not following, the recent events are read). */
  done: Promise<void>;
  stop(): Promise<void>;
}
