import { ALWAYS_OPERATIONS, BROWSER_OPERATIONS, GUEST_OPERATIONS, type BrowserRights } from '../../api/remote/browser-operations.js';
import { OPERATIONS, type OperationName } from '../../api/remote/protocol.js';
import { fileRoute } from '../routes/file-route.js';

/*
 * The daemon's check of what a paired browser may call (issue 44), made from the table of
 * operations each right opens (src/api/remote/browser-operations.ts, which the web app reads too).
 */

/** The routes of the resumable upload (tus), served outside the operation table. */
export const UPLOAD_ROUTES = ['/api/uploads/tus', '/api/uploads/tus/*'] as const;

/** The files' operations are served on a wildcard route (routes/file-route.ts): named here as the router names them. */
const FILE_OPERATIONS: ReadonlySet<string> = new Set(['sidecarFile', 'originalFile']);

function routesOf(names: readonly OperationName[]): Set<string> {
  return new Set(names.map((name) => `${OPERATIONS[name].method} ${FILE_OPERATIONS.has(name) ? fileRoute(OPERATIONS[name].path) : OPERATIONS[name].path}`));
}

const ROUTES: Record<keyof BrowserRights, Set<string>> = {
  view: routesOf(BROWSER_OPERATIONS.view),
  organise: routesOf(BROWSER_OPERATIONS.organise),
  upload: new Set([...routesOf(BROWSER_OPERATIONS.upload), ...UPLOAD_ROUTES.flatMap((r) => ['POST', 'HEAD', 'PATCH', 'DELETE', 'OPTIONS'].map((m) => `${m} ${r}`))]),
  files: routesOf(BROWSER_OPERATIONS.files),
};
const ALWAYS_ROUTES = routesOf(ALWAYS_OPERATIONS);

const GUEST_ROUTES = new Set(GUEST_OPERATIONS.map((name) => `${OPERATIONS[name].method} ${OPERATIONS[name].path}`));

/** What a guest of a share that takes photos may ask besides: the upload's own routes (tus, where it landed). */
const GUEST_UPLOAD_ROUTES = new Set([...routesOf(['uploadsCheck', 'uploadsFinish']), ...UPLOAD_ROUTES.flatMap((r) => ['POST', 'HEAD', 'PATCH', 'DELETE', 'OPTIONS'].map((m) => `${m} ${r}`))]);

/** Whether a guest of a shared album (one that takes photos: UPLOAD) may make a request with METHOD to ROUTE: its share's few, nothing else. */
export function guestMayCall(method: string, route: string | undefined, upload = false): boolean {
  if (route === undefined) return false;
  if (upload && GUEST_UPLOAD_ROUTES.has(`${method} ${route}`)) return true;
  return GUEST_ROUTES.has(`${method} ${route}`) || (method === 'HEAD' && GUEST_ROUTES.has(`GET ${route}`));
}

/** Whether a browser that may do MAY may make a request with METHOD to ROUTE (fastify's pattern, e.g. `/api/libraries/:lib/grid`). */
export function browserMayCall(may: BrowserRights, method: string, route: string | undefined): boolean {
  if (route === undefined) return false;
  // A HEAD is a GET without its body: allowed where the GET is.
  const key = (m: string) => `${m} ${route}`;
  const asked = key(method);
  const asGet = method === 'HEAD' ? key('GET') : undefined;
  const has = (set: Set<string>) => set.has(asked) || (asGet !== undefined && set.has(asGet));
  if (has(ALWAYS_ROUTES)) return true;
  return (Object.keys(ROUTES) as Array<keyof BrowserRights>).some((right) => may[right] && has(ROUTES[right]));
}
