import { OPERATIONS, type OperationName } from '../../api/remote/protocol.js';
import { fileRoute } from '../routes/file-route.js';

/**
 * What a browser that may only view (a paired browser; any browser on the home network) may
 * call: the library as the web app shows it — its grid, contents, search, tags, albums, places,
 * people, locations and events, a content's sidecars and original. Listed, not every GET: a GET
 * may still reach beyond the library (`browse-folder` lists any folder of this machine; health,
 * device and settings reads tell its paths), and those stay this machine's.
 */
export const BROWSER_VIEW_OPERATIONS = [
  'librariesList', 'librariesCurrent', 'libraryStats', 'contentList', 'contentDetail', 'ls', 'gridDays', 'gridPage', 'search',
  'tagsList', 'metaShow', 'albumsList', 'albumsShow', 'placesList', 'peopleList', 'peopleFaces', 'facesList',
  'locationsList', 'locationsGet', 'locationsOfOtherDevices', 'sidecarFile', 'originalFile', 'events', 'uiMe',
] as const satisfies readonly OperationName[];

/** The files' operations are served on a wildcard route (routes/file-route.ts): named here as the router names them. */
const FILE_OPERATIONS: ReadonlySet<string> = new Set(['sidecarFile', 'originalFile']);
const VIEW_ROUTES = new Set<string>(BROWSER_VIEW_OPERATIONS.map((name) => (FILE_OPERATIONS.has(name) ? fileRoute(OPERATIONS[name].path) : OPERATIONS[name].path)));

/** Whether a view-only browser may make a request with METHOD to the route ROUTE (fastify's pattern, e.g. `/api/libraries/:lib/grid`). */
export function viewMayCall(method: string, route: string | undefined): boolean {
  return (method === 'GET' || method === 'HEAD') && route !== undefined && VIEW_ROUTES.has(route);
}
