/**
 * The core API: the only door the CLI, the daemon's handlers and the web UI use. Everything
 * here is either a facade (Vss and what it opens) or a fact an adapter needs to parse input and
 * print output (the kinds, modes and states tables, error types, result shapes).
 */
export { Vss, type VssOptions, type OpenLibraryOptions } from './vss.js';
export { connect } from './connect.js';
export { oneOf } from './checks.js';
export { LibraryApi, type LibraryAccess, type LibraryEvents, type AllLibraryEvents } from './library-api.js';
export type { VssClient, LibraryClient, LocationsClient, ContentClient, SidecarsClient, JobsClient, PolicyClient, LibrariesClient, ModelsClient, ReconcileOptions, Items, Awaitable, EventFollow, PairingClient, DevicesClient, SyncClient, SearchClient } from './client.js';
export { MAX_LIMIT as SEARCH_MAX_LIMIT, SAY_WHAT as SEARCH_SAY_WHAT } from '../search/search-query.js';
export type { ScoreKind, SearchApi, SearchAnswer, SearchLocator, SearchOptions, SearchResult, SearchSource, SemanticLocator } from './search.js';
export type { BrowserDeviceItem, ConnectedDevice, DeviceItem, PairingCodeInfo, PairedInfo, PairedDeviceItem, SyncPeerStatus, ResolveAnswer } from './peer-types.js';
export { looksLikeInvite } from '../sync/pairing/invite-prefix.js';
export type { LibrariesApi } from './libraries.js';
export type { LocationsApi, AddLocationInput, DeviceLocations, LocationInfo, LocationWatching, LocationWatchStatus } from './locations.js';
export type { BrowseApi, ContentDetail, DetailPath, DetailDevice, DetailSidecar, GridDay, GridDays, GridItem, GridPage, FolderEntry, FolderListing } from './browse.js';
export { GRID_PAGE_MAX } from './browse.js';
export type { ContentApi, ContentFilter, ContentListItem, OriginalFileAnswer } from './content.js';
export type { SidecarsApi, SidecarFilter, SidecarInfo, PresenceItem, PathAnswer, ReconcileResult, ConvertResult, SidecarWatch, SidecarFileAnswer, PresenceTable } from './sidecars.js';
export type { JobsApi, JobFilter, JobRow, JobWork, NamedJobRow, RunJobsInput, RunSummary } from './jobs.js';
export type { PolicyApi, PolicyInfo } from './policy.js';
export type { FilesApi, FileOpFlags, FileOpOutcome, FileOpResult, FileOpVerb, GuardianBelowPolicy, OnConflict, OpPreview, TransferOptions, DeleteOptions, PreviewOptions } from './files.js';
export { ON_CONFLICT, DEFAULT_ON_CONFLICT, asTypedPlace, isDeviceAddress, isPlaceAddress } from './files.js';
export type { TagsApi, MetaApi, XmpApi, TagView, UserMetaView, XmpExportResult } from './tags.js';
export type { AlbumsApi, AlbumView, AlbumShown } from './albums.js';
export type { TrashApi, TrashItem, TrashRestoreResult, TrashEmptyResult } from './trash.js';
export type { SimilarApi, SimilarGroup, SimilarKeepResult } from './similar.js';
export type { StacksApi, StackView } from './stacks.js';
export type { PeopleApi, FacesApi, FaceView, PersonView, PersonCardView, PersonFaceView, UnsortedFacesView } from './people.js';
export type { VolumesApi, VolumeAdded, VolumeInfo, VolumeSpeed } from './volumes.js';
export type { BucketCheckResult, BucketCheckView, GuardianApi, GuardianAtRisk, GuardianPolicyView, GuardianProtectPlan, GuardianProtectTarget, GuardianRotView, GuardianStatus, PolicyChange, ProtectOptions, ProtectOutcome, ProtectResult, ProtectSchedule, RepairResult, ScrubResult, ScrubSettings } from './guardian.js';
export type { GuardianCopyView, GuardianDevice, GuardianNumbers, GuardianTally } from '../wire/guardian.js';
export type { ActionsApi, ActionInfo, ActionOp, ActionOutcome, ActionWhat } from './actions.js';
export { DEFAULT_ACTIONS_LIMIT } from './actions.js';
export type { ModelsApi, ModelInfo, AddedModel } from './models.js';
export { DeviceSettingsApi } from './device-settings.js';
export type { CpuBudgetInfo, SyncSettings, SyncSettingsPatch } from './device-settings.js';
export { PREFER_VALUES, type Prefer } from '../sync/sync-settings.js';
export type { Page, PageRequest } from './pages.js';
export type { DeviceInfo, LibraryRef, LibrarySummary, StreamedEvent } from './types.js';

export { VssError, UsageError, LibraryLockedError, VSS_ERROR_CODES, type VssErrorCode } from '../core/errors.js';
export { formatBytes } from '../core/format.js';
export type { VssEvents, EventName, IndexProgress, JobsProgress, JobProgress, JobsPaused, JobChange, SidecarChange, SidecarsProgress } from '../core/events.js';
export { CONTENT_KINDS, isContentKind, type ContentKind } from '../content/kinds.js';
export { INDEX_MODES, isIndexMode, type IndexMode, type IndexResult } from '../indexer/types.js';
export { SIDECAR_KINDS, sidecarKind, isSidecarKind, type SidecarKind } from '../sidecars/kinds.js';
export { SIDECAR_STATUSES, type SidecarStatus } from '../sidecars/manager.js';
export { sidecarUri, parseSidecarUri, sidecarAddress, UUID_RE, type SidecarAddress } from '../sidecars/address.js';
export { JOB_STATUSES, isJobStatus, type JobStatus } from '../jobs/states.js';
export { DEVICE_TYPES, type DeviceType } from '../jobs/policy.js';
export { MODEL_ENGINES, isModelEngine, type ModelEngine } from '../models/registry.js';

export { startPeerService, checkPairJoin, checkPeerAddress, checkListenAddresses, type PeerService, type PeerServiceOptions, type LibraryHost } from './peers.js';
export { resolveDataDir, instanceDataDir, appDataDir } from '../device/data-dir.js';
// Where a daemon answers, if one runs (the client side of DESIGN §12). Starting, stopping and
// running one is the daemon's own business: src/daemon/index.ts.
export { DAEMON_FILES, daemonPaths, type DaemonPaths } from './remote/paths.js';
export { daemonStatus, findRunningDaemon, listDaemons, type DaemonStatus, type RunningDaemon } from './remote/status.js';
export { stoppedError } from '../db/stop-request.js';
export type { ShareItem, ShareMade, SharedAlbumItem, SharedAlbumView } from '../wire/shares.js';
