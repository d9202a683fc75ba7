import type { OperationName } from './operations.js';

/**
 * What a paired browser may call, right by right (issue 44): one table, read by the daemon's
 * check (src/daemon/ui/browser-rights.ts) and by the web app, which shows a control only where
 * its session may call what the control calls (web/src/may.ts). Listed, not every GET: a GET may
 * still reach beyond the library (`browse-folder` lists any folder of this machine; health,
 * device and settings reads tell its paths), and those stay this machine's.
 */
export interface BrowserRights {
  view: boolean;
  upload: boolean;
  organise: boolean;
  files: boolean;
}

/** What every session may ask: who it is, and which library is current. */
export const ALWAYS_OPERATIONS = ['uiMe', 'librariesCurrent'] as const satisfies readonly OperationName[];

export const BROWSER_OPERATIONS = {
  /** View: the library as the web app shows it — its grid, contents, search, tags, albums, places, people, locations and events, a content's sidecars and original. */
  view: [
    'librariesList', 'libraryStats', 'contentList', 'contentDetail', 'ls', 'gridDays', 'gridPage', 'search',
    'tagsList', 'metaShow', 'albumsList', 'albumsShow', 'similarList', 'stacksList', 'placesList', 'peopleList', 'peopleFaces', 'facesList', 'facesUnsorted',
    'locationsList', 'locationsGet', 'locationsOfOtherDevices', 'sidecarFile', 'originalFile', 'events',
  ],
  /** Organise: favourite, rate, hide, tag, and put in albums (the library's shared data, never a file). */
  organise: ['metaSet', 'tagsCreate', 'tagsAdd', 'tagsRemove', 'albumsCreate', 'albumsAdd', 'albumsRemove', 'stackSetCover', 'stackUnstack'],
  /** Upload: ask which contents the library has, and send the rest (and the tus routes, src/daemon/routes/uploads.ts). */
  upload: ['uploadsCheck', 'uploadsFinish'],
  /** File operations: copy, move and delete the library's files, and the trash (off unless given). */
  files: ['filesPreview', 'filesCopy', 'filesMove', 'filesDelete', 'trashList', 'trashRestore', 'trashEmpty', 'similarKeep'],
} as const satisfies Record<keyof BrowserRights, readonly OperationName[]>;

/**
 * What a guest of a shared album may ask (issue 61), and nothing else: who it is, its album, that
 * album's pictures and (when the share allows) originals; each answered for the album as it is now.
 */
export const GUEST_OPERATIONS = ['uiMe', 'shareOpen', 'shareView', 'shareThumb', 'shareOriginal'] as const satisfies readonly OperationName[];

/** Whether a browser that may do MAY may call operation OP (this machine's user may call every one). */
export function browserMayOperate(may: Readonly<BrowserRights>, op: OperationName): boolean {
  if ((ALWAYS_OPERATIONS as readonly OperationName[]).includes(op)) return true;
  return (Object.keys(BROWSER_OPERATIONS) as Array<keyof BrowserRights>).some((right) => may[right] && (BROWSER_OPERATIONS[right] as readonly OperationName[]).includes(op));
}
