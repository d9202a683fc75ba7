import type { ContentApi, ContentFilter, ContentListItem } from './content.js';
import type { SidecarFilter, SidecarInfo, SidecarsApi, SidecarWatch } from './sidecars.js';
import type { JobFilter, JobsApi, NamedJobRow } from './jobs.js';
import type { LocationsApi } from './locations.js';
import type { PolicyApi } from './policy.js';
import type { SearchApi, SearchOptions, SearchResult } from './search.js';
import type { BrowseApi } from './browse.js';
import type { SyncApi } from './sync.js';
import type { SendApi } from './send.js';
import type { MetaApi, TagsApi, XmpApi } from './tags.js';
import type { FacesApi, PeopleApi } from './people.js';
import type { AlbumsApi } from './albums.js';
import type { TrashApi } from './trash.js';
import type { SimilarApi } from './similar.js';
import type { StacksApi } from './stacks.js';
import type { LibraryBackupApi } from './library-backup.js';
import type { FilesApi } from './files.js';
import type { VolumesApi } from './volumes.js';
import type { GuardianApi } from './guardian.js';
import type { ActionsApi } from './actions.js';
import type { ModelsApi } from './models.js';
import type { LibrariesApi } from './libraries.js';
import type { DevicesApi } from './devices.js';
import type { LibraryApi, LibraryEvents } from './library-api.js';
import type { OpenLibraryOptions } from './vss.js';
import type { DeviceInfo, StreamedEvent } from './types.js';
import type { DeviceSettingsApi } from './device-settings.js';
import type { PairedInfo, PairingCodeInfo } from './peer-types.js';
import type { OPERATIONS } from './remote/operations.js';

/**
 * The core API as its adapters see it: the same calls whether they run in this process (Vss)
 * or in the daemon that owns the data dir (the remote client). A result may be a promise and a
 * list an async iterable, so one adapter (the CLI, the web UI's server) serves both.
 */
export type Awaitable<T> = T | Promise<T>;
export type Items<T> = Iterable<T> | AsyncIterable<T>;

/**
 * A facade's methods that the operation table serves (`lib.F.M` or `vss.F.M` rows), as a client
 * calls them: each may answer now (in this process) or later (through a daemon). The table is
 * the one list of what a client may call; a method it does not name is the core's own.
 */
type Ops = typeof OPERATIONS;
type Calls = { [K in keyof Ops]: Ops[K] extends { call: infer C } ? C : never }[keyof Ops];
type LibraryMethods<F extends string> = Calls extends infer C ? (C extends `lib.${F}.${infer M}` ? M : never) : never;
type LibraryOwnMethods = Calls extends infer C ? (C extends `lib.${infer M}` ? (M extends `${string}.${string}` ? never : M) : never) : never;
type DeviceMethods<F extends string> = Calls extends infer C ? (C extends `vss.${F}.${infer M}` ? M : never) : never;
type Served<T, M extends string> = {
  [K in M & keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => (R extends Promise<infer U> ? Promise<U> : Awaitable<R>) : never;
};

/**
 * Every `lib.F.M` row names a method of the library's facade F: a row that names none fails
 * to compile here (the names are checked, the arguments by the daemon's routes test).
 */
type Unserved = { [K in keyof Ops]: Ops[K] extends { call: `lib.${infer F}.${infer M}` } ? (F extends keyof LibraryApi ? (M extends keyof LibraryApi[F] ? never : K) : K) : never }[keyof Ops];
const everyRowServed: [Unserved] extends [never] ? true : { row_names_no_method: Unserved } = true;
void everyRowServed;

export type LocationsClient = Served<LocationsApi, LibraryMethods<'locations'>>;

export interface ContentClient extends Served<ContentApi, LibraryMethods<'content'>> {
  /** Every matching content, a page at a time. */
  iterate(filter?: ContentFilter): Items<ContentListItem>;
}

export interface ReconcileOptions {
  verify?: boolean;
  onProblem?: (path: string, reason: string) => void;
  onQuarantine?: (from: string, to: string, reason: string) => void;
}

export interface SidecarsClient extends Served<SidecarsApi, LibraryMethods<'sidecars'>> {
  iterate(filter?: SidecarFilter): Items<SidecarInfo>;
  /** Keep the sidecars folder and the database in step (the daemon does it already: then this follows it). */
  watch(opts?: { onProblem?: (path: string, reason: string) => void }): Promise<SidecarWatch>;
}

export interface JobsClient extends Served<JobsApi, LibraryMethods<'jobs'>> {
  iterate(filter?: JobFilter): Items<NamedJobRow>;
}

export type PolicyClient = Served<PolicyApi, LibraryMethods<'policy'>>;
export type SyncClient = Served<SyncApi, LibraryMethods<'sync'>>;
export type SearchClient = Served<SearchApi, LibraryMethods<'search'>> & {
  /** Contents matching QUERY (words, "phrases", prefix*), best first: `answer`'s results. */
  query(query: string, opts?: SearchOptions): Awaitable<SearchResult[]>;
};
export type BrowseClient = Served<BrowseApi, LibraryMethods<'browse'>>;
export type TagsClient = Served<TagsApi, LibraryMethods<'tags'>>;
export type MetaClient = Served<MetaApi, LibraryMethods<'meta'>>;
export type XmpClient = Served<XmpApi, LibraryMethods<'xmp'>>;
export type SendClient = Served<SendApi, LibraryMethods<'send'>>;
export type FilesClient = Served<FilesApi, LibraryMethods<'files'>>;
export type VolumesClient = Served<VolumesApi, LibraryMethods<'volumes'>>;
export type GuardianClient = Served<GuardianApi, LibraryMethods<'guardian'>>;
export type ActionsClient = Served<ActionsApi, LibraryMethods<'actions'>>;
export type PeopleClient = Served<PeopleApi, LibraryMethods<'people'>>;
export type AlbumsClient = Served<AlbumsApi, LibraryMethods<'albums'>>;
export type FacesClient = Served<FacesApi, LibraryMethods<'faces'>>;
export type TrashClient = Served<TrashApi, LibraryMethods<'trash'>>;
export type SimilarClient = Served<SimilarApi, LibraryMethods<'similar'>>;
export type StacksClient = Served<StacksApi, LibraryMethods<'stacks'>>;
export type LibraryBackupClient = Served<LibraryBackupApi, LibraryMethods<'backup'>>;

export interface LibraryClient extends Served<LibraryApi, LibraryOwnMethods> {
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
  readonly browse: BrowseClient;
  readonly tags: TagsClient;
  readonly meta: MetaClient;
  readonly xmp: XmpClient;
  readonly send: SendClient;
  readonly files: FilesClient;
  readonly volumes: VolumesClient;
  readonly guardian: GuardianClient;
  readonly actions: ActionsClient;
  readonly people: PeopleClient;
  readonly albums: AlbumsClient;
  readonly faces: FacesClient;
  readonly trash: TrashClient;
  readonly similar: SimilarClient;
  readonly stacks: StacksClient;
  readonly backup: LibraryBackupClient;
}

export type LibrariesClient = Served<LibrariesApi, DeviceMethods<'libraries'>>;
export type ModelsClient = Served<ModelsApi, DeviceMethods<'models'>>;
export type DeviceSettingsClient = Served<DeviceSettingsApi, DeviceMethods<'deviceSettings'>>;
export type DevicesClient = Served<DevicesApi, DeviceMethods<'devices'>>;

export interface PairingClient {
  /** Open a pairing code for a library (default: the current one), tell it, and wait for the joiner. */
  start(opts: { library?: string; signal?: AbortSignal }, onCode: (code: PairingCodeInfo) => void): Promise<PairedInfo>;
  /** Join the device showing these words (found by mDNS, or at PEER), and its library. */
  join(words: string[], opts?: { peer?: string; invite?: string }): Promise<PairedInfo>;
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
  renameDevice(name: string): Awaitable<DeviceInfo>;
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
