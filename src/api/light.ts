/*
 * The values an adapter needs before it knows what it will run — errors, names, limits, the
 * parsers of its arguments — each from a module that loads nothing of the domain, so the command
 * line is parsed with next to nothing loaded (issue 43: `vss --help` costs about a bare node).
 * Types come from api/index.ts (erased); what a command does is loaded when it runs (cli/context.ts).
 * test/architecture keeps this light.
 */
export { VssError, UsageError } from '../core/errors.js';
export { formatBytes } from '../core/format.js';
export { oneOf } from './checks.js';
export { CONTENT_KINDS } from '../content/kinds.js';
export { INDEX_MODES } from '../indexer/types.js';
export { SIDECAR_STATUSES } from '../wire/sidecar-status.js';
export { sidecarKind } from '../sidecars/kinds.js';
export { JOB_STATUSES, isJobStatus } from '../jobs/states.js';
export { DEVICE_TYPES } from '../jobs/policy.js';
export { MODEL_ENGINES, isModelEngine } from '../models/registry.js';
export { DEFAULT_ACTIONS_LIMIT } from '../wire/actions.js';
export { MAX_LIMIT as SEARCH_MAX_LIMIT, SAY_WHAT as SEARCH_SAY_WHAT } from '../search/search-limits.js';
export { ON_CONFLICT, DEFAULT_ON_CONFLICT } from '../files/on-conflict.js';
export { asTypedPlace, isDeviceAddress } from '../core/address.js';
export { PREFER_VALUES } from '../sync/prefer.js';
export { looksLikeInvite } from '../sync/pairing/invite-prefix.js';
export { checkPairJoin, checkPeerAddress, checkListenAddresses } from './peers.js';
export { resolveDataDir, appDataDir } from '../device/data-dir.js';
export { daemonPaths } from './remote/paths.js';
