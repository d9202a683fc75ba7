/**
 * The shapes the app reads from the daemon. The server's own declarations (src/wire/, types
 * only, no imports) are re-exported here, so the app and the daemon of the same build agree to the
 * field; esbuild erases these imports, so the bundle carries none of the server's code.
 */
import type { GuardianProtected } from '../../src/wire/guardian.js';
import type { NamedJobRow } from '../../src/wire/jobs.js';

export type { CapturedZone, ContentDetail, DetailCopy, DetailDevice, DetailPath, DetailSidecar, DetailTag, DetailUser, GridDay, GridDays, GridDevice, GridFilter, GridItem, GridPage, MediaMetadata, PlaceCountry } from '../../src/wire/browse.js';
export type { DetailStack, StackView } from '../../src/wire/stacks.js';
export type { TagView, UserMetaView } from '../../src/wire/tags.js';
export type { AlbumShown, AlbumView } from '../../src/wire/albums.js';
export type { TrashEmptyResult, TrashItem, TrashRestoreResult } from '../../src/wire/trash.js';
export type { LsItem } from '../../src/wire/library-view.js';
export type { BrowseRoots, FolderEntry, FolderListing } from '../../src/wire/browse-folder.js';
export type { SharedAlbumItem, SharedAlbumView } from '../../src/wire/shares.js';
export type { SimilarContent, SimilarGroup, SimilarKeepResult } from '../../src/wire/similar.js';
export type { FaceView, PersonCardView, PersonFaceView, PersonView, UnsortedFacesView } from '../../src/wire/people.js';
export type { ContentSafety, GuardianAtRisk, GuardianCopyView, GuardianDevice, GuardianNumbers, GuardianProtected, GuardianProtectPlan, GuardianStatus, GuardianTally, RepairResult, ScrubResult } from '../../src/wire/guardian.js';

/** What a protect answers once its job ended (the app reads only these of it). */
export interface ProtectOutcome {
  job: { id: number } | null;
  result: { contents: number; copied: { done: number; bytes: number; skipped?: number; skipped_items?: Array<{ path: string; reason: string }> } | null; protected?: GuardianProtected } | null;
}
export type { LibraryRef, Page, SidecarChange, StreamedEvent } from '../../src/wire/common.js';
export type { JobChange, JobProgress, JobsProgress, JobTotals, NamedJobRow } from '../../src/wire/jobs.js';
export type { DeviceLocations, IndexPhase, IndexProgress, IndexResult, LocationInfo, PeerLocationInfo } from '../../src/wire/locations.js';
export type { BrowserDeviceItem, DeviceItem as AnyDeviceItem, DeviceRights, PairedDeviceItem, PairedInfo, PairingCodeInfo } from '../../src/wire/peers.js';
export type { SearchAnswer, SearchLocator, SearchResult, SearchSource } from '../../src/wire/search.js';
export type { BBox, OcrJson, OcrJsonPage, TranscriptJson } from '../../src/wire/sidecar-json.js';

/** A job as the Jobs page holds it: a listed row, or one that arrived live (no name until it is looked up; no queue internals). */
export type JobRow = Omit<NamedJobRow, 'name' | 'priority' | 'run_after' | 'run_token'> & { name?: string | null };
