import type { BrowserRights } from '../../device/browser-devices.js';
import { OPERATIONS, type OperationName } from '../../api/remote/protocol.js';
import { fileRoute } from '../routes/file-route.js';

/**
 * What a paired browser may call, right by right (issue 44). Listed, not every GET: a GET may
 * still reach beyond the library (`browse-folder` lists any folder of this machine; health,
 * device and settings reads tell its paths), and those stay this machine's.
 */
const ALWAYS = ['uiMe', 'librariesCurrent'] as const satisfies readonly OperationName[];

/** View: the library as the web app shows it — its grid, contents, search, tags, albums, places, people, locations and events, a content's sidecars and original. */
export const BROWSER_VIEW_OPERATIONS = [
  'librariesList', 'libraryStats', 'contentList', 'contentDetail', 'ls', 'gridDays', 'gridPage', 'search',
  'tagsList', 'metaShow', 'albumsList', 'albumsShow', 'similarList', 'stacksList', 'placesList', 'peopleList', 'peopleFaces', 'facesList', 'facesUnsorted',
  'locationsList', 'locationsGet', 'locationsOfOtherDevices', 'sidecarFile', 'originalFile', 'events',
] as const satisfies readonly OperationName[];

/** Organise: favourite, rate, hide, tag, and put in albums (the library's shared data, never a file). */
export const BROWSER_ORGANISE_OPERATIONS = [
  'metaSet', 'tagsCreate', 'tagsAdd', 'tagsRemove', 'albumsCreate', 'albumsAdd', 'albumsRemove', 'stackSetCover', 'stackUnstack',
] as const satisfies readonly OperationName[];

/** Upload: ask which contents the library has, and send the rest (the tus routes, routes/uploads.ts). */
export const BROWSER_UPLOAD_OPERATIONS = ['uploadsCheck', 'uploadsFinish'] as const satisfies readonly OperationName[];

/** File operations: copy, move and delete the library's files, and the trash (off unless given). */
export const BROWSER_FILES_OPERATIONS = ['filesPreview', 'filesCopy', 'filesMove', 'filesDelete', 'trashList', 'trashRestore', 'trashEmpty', 'similarKeep'] as const satisfies readonly OperationName[];

/** The routes of the resumable upload (tus), served outside the operation table. */
export const UPLOAD_ROUTES = ['/api/uploads/tus', '/api/uploads/tus/*'] as const;

/** The files' operations are served on a wildcard route (routes/file-route.ts): named here as the router names them. */
const FILE_OPERATIONS: ReadonlySet<string> = new Set(['sidecarFile', 'originalFile']);

function routesOf(names: readonly OperationName[]): Set<string> {
  return new Set(names.map((name) => `${OPERATIONS[name].method} ${FILE_OPERATIONS.has(name) ? fileRoute(OPERATIONS[name].path) : OPERATIONS[name].path}`));
}

const ROUTES: Record<keyof BrowserRights, Set<string>> = {
  view: routesOf(BROWSER_VIEW_OPERATIONS),
  organise: routesOf(BROWSER_ORGANISE_OPERATIONS),
  upload: new Set([...routesOf(BROWSER_UPLOAD_OPERATIONS), ...UPLOAD_ROUTES.flatMap((r) => ['POST', 'HEAD', 'PATCH', 'DELETE', 'OPTIONS'].map((m) => `${m} ${r}`))]),
  files: routesOf(BROWSER_FILES_OPERATIONS),
};
const ALWAYS_ROUTES = routesOf(ALWAYS);

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
