/*
 * The words an adapter checks what it was given against — the names, limits and address forms of
 * the core API, its errors, where a data dir and its daemon are — each from a module that loads
 * nothing of the core, so a command line is parsed, and a command the daemon serves is run, with
 * next to nothing loaded (issue 43). Types come from api/index.ts (erased); the core itself is
 * loaded when a command runs (cli/context.ts). test/integration/light-start.test.ts keeps it so.
 */
export { VssError, UsageError } from '../core/errors.js';
export { formatBytes } from '../core/format.js';
export { asTypedPlace, isDeviceAddress } from '../core/address.js';
export { oneOf } from './checks.js';
export { checkPairJoin, checkPeerAddress, checkListenAddresses } from './peers.js';
export { daemonPaths } from './remote/paths.js';
export { CONTENT_KINDS } from '../content/kinds.js';
export { INDEX_MODES } from '../indexer/types.js';
export { DEVICE_TYPES } from '../jobs/device-types.js';
export { JOB_STATUSES, isJobStatus } from '../jobs/states.js';
export { DEFAULT_ACTIONS_LIMIT } from './actions-limit.js';
export { MODEL_ENGINES, isModelEngine } from '../models/engines.js';
export { MAX_LIMIT as SEARCH_MAX_LIMIT, SAY_WHAT as SEARCH_SAY_WHAT } from '../search/search-limits.js';
export { ON_CONFLICT, DEFAULT_ON_CONFLICT } from '../files/on-conflict.js';
export { PREFER_VALUES } from '../sync/prefer.js';
export { looksLikeInvite } from '../sync/pairing/invite-prefix.js';
export { resolveDataDir, appDataDir } from '../device/data-dir.js';
export { DEFAULT_LAN_PORT } from '../device/lan-port.js';
