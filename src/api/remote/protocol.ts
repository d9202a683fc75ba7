import type { VssErrorCode } from '../../core/errors.js';

/**
 * The local API's operations (DESIGN §12), one row each: the daemon's routes and the CLI's
 * remote client are both made from this table, so they cannot drift apart. `:lib` is a library
 * id or `current`. Streamed operations answer with NDJSON: the events of the call as they
 * happen, then one result (or error) line, so a client shows progress in order.
 */
export const OPERATIONS = {
  device: { method: 'GET', path: '/api/device' },
  cpuBudgetGet: { method: 'GET', path: '/api/device/cpu-budget' },
  cpuBudgetSet: { method: 'PUT', path: '/api/device/cpu-budget' },
  syncSettingsGet: { method: 'GET', path: '/api/device/sync-settings' },
  syncSettingsSet: { method: 'PUT', path: '/api/device/sync-settings' },
  librariesList: { method: 'GET', path: '/api/libraries' },
  librariesCreate: { method: 'POST', path: '/api/libraries' },
  librariesUse: { method: 'POST', path: '/api/libraries/use' },
  librariesCurrent: { method: 'GET', path: '/api/libraries/current' },
  /** Open the library at a path (or the current one) in the daemon: its id, name and path. */
  librariesResolve: { method: 'POST', path: '/api/libraries/resolve' },
  modelsList: { method: 'GET', path: '/api/models' },
  modelsAdd: { method: 'POST', path: '/api/models', streamed: true },
  modelsRemove: { method: 'POST', path: '/api/models/remove' },
  /** Streamed: the code first (as a `pairing:code` event), then the paired device once the joiner is done. */
  pairingStart: { method: 'POST', path: '/api/pairing/start', streamed: true },
  pairingJoin: { method: 'POST', path: '/api/pairing/join' },
  devicesList: { method: 'GET', path: '/api/devices' },
  devicesUnpair: { method: 'DELETE', path: '/api/devices/:id' },

  locationsList: { method: 'GET', path: '/api/libraries/:lib/locations' },
  locationsGet: { method: 'GET', path: '/api/libraries/:lib/locations/:id' },
  locationsAdd: { method: 'POST', path: '/api/libraries/:lib/locations', streamed: true },
  locationsRescan: { method: 'POST', path: '/api/libraries/:lib/locations/:id/rescan', streamed: true },
  locationsPolicy: { method: 'PUT', path: '/api/libraries/:lib/locations/:id/policy' },
  locationsPause: { method: 'POST', path: '/api/libraries/:lib/locations/:id/pause' },
  locationsResume: { method: 'POST', path: '/api/libraries/:lib/locations/:id/resume' },
  locationsRemove: { method: 'DELETE', path: '/api/libraries/:lib/locations/:id' },

  contentList: { method: 'GET', path: '/api/libraries/:lib/content' },
  /** The web UI's browse view: days with their counts, pages of tiles by capture time (src/api/browse.ts), one content's detail. */
  gridDays: { method: 'GET', path: '/api/libraries/:lib/grid/days' },
  gridPage: { method: 'GET', path: '/api/libraries/:lib/grid' },
  contentDetail: { method: 'GET', path: '/api/libraries/:lib/content/:uuid/detail' },

  sidecarsList: { method: 'GET', path: '/api/libraries/:lib/sidecars' },
  sidecarsPresence: { method: 'POST', path: '/api/libraries/:lib/sidecars/presence' },
  sidecarsPath: { method: 'POST', path: '/api/libraries/:lib/sidecars/path' },
  sidecarsGet: { method: 'POST', path: '/api/libraries/:lib/sidecars/get' },
  syncStatus: { method: 'GET', path: '/api/libraries/:lib/sync' },
  sidecarsReconcile: { method: 'POST', path: '/api/libraries/:lib/sidecars/reconcile', streamed: true },
  sidecarsConvert: { method: 'POST', path: '/api/libraries/:lib/sidecars/convert-references', streamed: true },

  jobsList: { method: 'GET', path: '/api/libraries/:lib/jobs' },
  jobsGet: { method: 'GET', path: '/api/libraries/:lib/jobs/:id' },
  jobsAct: { method: 'POST', path: '/api/libraries/:lib/jobs/:id/:action' },
  jobsRun: { method: 'POST', path: '/api/libraries/:lib/jobs/run', streamed: true },

  policyGet: { method: 'GET', path: '/api/libraries/:lib/policy' },
  policySet: { method: 'PUT', path: '/api/libraries/:lib/policy' },

  search: { method: 'GET', path: '/api/libraries/:lib/search' },
  searchReindex: { method: 'POST', path: '/api/libraries/:lib/search/reindex' },

  /** A single-use ticket that signs one browser in to the web UI (`vss ui`); given only for the bearer token, never for a session. */
  uiTicket: { method: 'POST', path: '/api/ui/ticket' },

  /** Server-Sent Events: every library's events, `data: {library_id, type, payload}`. */
  events: { method: 'GET', path: '/api/events' },
} as const satisfies Record<string, { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; path: string; streamed?: boolean }>;

export type OperationName = keyof typeof OPERATIONS;

export const JOB_ACTIONS = ['retry', 'cancel', 'pause', 'resume'] as const;
export type JobAction = (typeof JOB_ACTIONS)[number];

/** One line of a streamed answer. */
export type StreamLine =
  | { event: string; payload: unknown }
  | { call: string; args: unknown[] }
  | { result: unknown }
  | { error: ErrorBody['error'] };

/** Codes of errors the HTTP layer itself answers with (beside the core's own). */
export type HttpErrorCode = 'UNAUTHORIZED' | 'FORBIDDEN' | 'ROUTE_NOT_FOUND' | 'BODY_TOO_LARGE' | 'BAD_REQUEST' | 'INTERNAL';

/** Every error body: `{error: {code, message, path?}}`. */
export interface ErrorBody {
  error: { code: VssErrorCode | HttpErrorCode; message: string; path?: string };
}

/** Fill PATH's `:name` parts, each encoded as one segment. */
export function fillPath(path: string, params: Record<string, string | number>): string {
  return path.replace(/:([a-z_]+)/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined) throw new Error(`no value for :${name} in ${path}`);
    return encodeURIComponent(String(v));
  });
}
