/** The core API: what the CLI, the daemon and tests build on. */
export { Vss, type VssOptions, type LibrarySummary } from './api/vss.js';
export { Library } from './library/library.js';
export { VssError, UsageError, LibraryLockedError } from './core/errors.js';
export { addLocation, listLocations, getLocation, scanLocation, removeLocation, type LocationInfo } from './locations/locations.js';
export { iterateContents, type ContentListItem } from './content/list-contents.js';
export { contentUuidFor, VSS_CONTENT_NAMESPACE } from './content/identity.js';
export { CONTENT_KINDS, type ContentKind } from './content/kinds.js';
export type { IndexResult, IndexMode } from './indexer/types.js';
export { SidecarManager, type SidecarInfo, type PresenceItem } from './sidecars/manager.js';
export { reconcile, type ReconcileResult } from './sidecars/reconcile.js';
export { convertReferences } from './sidecars/convert.js';
export { SidecarWatcher } from './sidecars/watcher.js';
export { startMaintenance } from './sidecars/maintenance.js';
export { sidecarAddress, sidecarUri, parseSidecarUri } from './sidecars/address.js';
