/**
 * What tests and benchmarks reach below the core API: a raw Library and the domain functions,
 * to set up states (crafted rows, half-done work) that no API call would make.
 */
export { Installation as Vss, type InstallationOptions as VssOptions } from '../src/library/installation.js';
export { Library } from '../src/library/library.js';
export { VssError, UsageError, LibraryLockedError } from '../src/core/errors.js';
export { addLocation, listLocations, getLocation, scanLocation, removeLocation, type LocationInfo } from '../src/locations/locations.js';
export { iterateContents, type ContentListItem } from '../src/content/list-contents.js';
export { contentUuidFor, VSS_CONTENT_NAMESPACE } from '../src/content/identity.js';
export { CONTENT_KINDS, type ContentKind } from '../src/content/kinds.js';
export type { IndexResult, IndexMode } from '../src/indexer/types.js';
export { SidecarManager, sidecarUuid, type SidecarInfo, type PresenceItem } from '../src/sidecars/manager.js';
export { queueGeneration } from '../src/jobs/queueing.js';
export { startJobWork, jobWorkOf, type JobWork, type JobWorkOptions } from '../src/jobs/job-work.js';
export { requestSidecar } from '../src/jobs/request-sidecar.js';
export { readCpuBudget, writeCpuBudget, defaultCpuBudget } from '../src/jobs/cpu-budget.js';
export { linkLivePhotos } from '../src/livephoto/link-live-photos.js';
export { pairLivePhotos, type MediaFile } from '../src/livephoto/pair.js';
export { reconcile, type ReconcileResult } from '../src/sidecars/reconcile.js';
export { convertReferences } from '../src/sidecars/convert.js';
export { SidecarWatcher } from '../src/sidecars/watcher.js';
export { startMaintenance } from '../src/sidecars/maintenance.js';
export { sidecarAddress, sidecarRelPath, sidecarUri, parseSidecarUri } from '../src/sidecars/address.js';
export { sessionCookieName } from '../src/daemon/ui/session.js';
export { MIN_OCR_LINE_CONFIDENCE } from '../src/search/ocr-text.js';
