/**
 * Every daemon address the app uses, made from the daemon's one operation table
 * (src/api/remote/operations.ts, plain data bundled here): the path and method come from there.
 */
import { OPERATIONS, operationUrl, type OperationName } from '../../src/api/remote/operations.js';
import type { GridFilter } from './types.js';

const lib = (libId: string) => ({ lib: libId });

export const API = {
  librariesCurrent: () => operationUrl('librariesCurrent'),
  /** A shared album's guest (issue 61): its album, a picture of it (thumbnails, the viewer's, a video's proxy), an original. */
  shareView: () => operationUrl('shareView'),
  shareThumb: (uuid: string, variant: string, checksum: string | null) => operationUrl('shareThumb', { uuid, variant }, { v: checksum }),
  shareOriginal: (uuid: string) => operationUrl('shareOriginal', { uuid }),
  /** Uploads from this browser (issue 44): which contents the library has, the tus endpoint, and where a finished one landed. */
  uploadsCheck: () => operationUrl('uploadsCheck'),
  uploadsTus: () => '/api/uploads/tus',
  uploadsFinish: () => operationUrl('uploadsFinish'),
  /** DEVICE: only that device's contents (`local`, or a device id); absent, every device's. FILTER: by tag, favourite, rating; hidden ones too. */
  gridDays: (libId: string, device?: string | null, filter: GridFilter = {}) => operationUrl('gridDays', lib(libId), { device, ...filter }),
  grid: (libId: string, offset: number, limit: number, device?: string | null, filter: GridFilter = {}) => operationUrl('gridPage', lib(libId), { offset, limit, device, ...filter }),
  detail: (libId: string, uuid: string) => operationUrl('contentDetail', { ...lib(libId), uuid }),
  search: (libId: string, q: string, limit: number) => operationUrl('search', lib(libId), { q, limit }),
  jobs: (libId: string, p: { status?: string; after?: string | null; limit: number }) => operationUrl('jobsList', lib(libId), p),
  jobCounts: (libId: string) => operationUrl('jobsCounts', lib(libId)),
  jobAct: (libId: string, id: number, action: 'retry' | 'cancel') => operationUrl(action === 'retry' ? 'jobsRetry' : 'jobsCancel', { ...lib(libId), id }),
  locations: (libId: string) => operationUrl('locationsList', lib(libId)),
  /** A bucket prefix added as a location (`s3://BUCKET/PREFIX`). */
  locationsBucket: (libId: string) => operationUrl('locationsAddBucket', lib(libId)),
  locationAct: (libId: string, id: number, action: 'rescan' | 'pause' | 'resume') =>
    operationUrl(action === 'rescan' ? 'locationsRescan' : action === 'pause' ? 'locationsPause' : 'locationsResume', { ...lib(libId), id }),
  /** DELETE: forget a location and its index (the folder on disk is not touched). */
  location: (libId: string, id: number) => operationUrl('locationsRemove', { ...lib(libId), id }),
  /** The other devices' locations, under each device, as their owners last said. */
  locationsOfOtherDevices: (libId: string) => operationUrl('locationsOfOtherDevices', lib(libId)),
  /** Tags and user metadata (DESIGN §16). */
  tags: (libId: string) => operationUrl('tagsList', lib(libId)),
  tagsCreate: (libId: string) => operationUrl('tagsCreate', lib(libId)),
  tag: (libId: string, ref: string) => operationUrl('tagsChange', { ...lib(libId), ref }),
  tagsMerge: (libId: string) => operationUrl('tagsMerge', lib(libId)),
  tagsAdd: (libId: string) => operationUrl('tagsAdd', lib(libId)),
  tagsRemove: (libId: string) => operationUrl('tagsRemove', lib(libId)),
  metaSet: (libId: string) => operationUrl('metaSet', lib(libId)),
  /** People and faces (issue 31). */
  people: (libId: string, hidden = true) => operationUrl('peopleList', lib(libId), { hidden }),
  peopleName: (libId: string, person: string) => operationUrl('peopleName', { ...lib(libId), person }),
  peopleMerge: (libId: string) => operationUrl('peopleMerge', lib(libId)),
  peopleHide: (libId: string, person: string, hide: boolean) => operationUrl(hide ? 'peopleHide' : 'peopleShow', { ...lib(libId), person }),
  faces: (libId: string, ref: string) => operationUrl('facesList', lib(libId), { ref }),
  faceAssign: (libId: string, face: string) => operationUrl('facesAssign', { ...lib(libId), face }),
  facesUnsorted: (libId: string, limit: number) => operationUrl('facesUnsorted', lib(libId), { limit }),
  /** The Guardian (issue 30): copies counted against the policy. */
  guardianStatus: (libId: string) => operationUrl('guardianStatus', lib(libId)),
  guardianAtRisk: (libId: string, limit: number) => operationUrl('guardianAtRisk', lib(libId), { limit }),
  guardianSetPolicy: (libId: string) => operationUrl('guardianSetPolicy', lib(libId)),
  guardianProtect: (libId: string) => operationUrl('guardianProtect', lib(libId)),
  guardianProtectPreview: (libId: string) => operationUrl('guardianProtectPreview', lib(libId)),
  guardianScrub: (libId: string) => operationUrl('guardianScrub', lib(libId)),
  guardianRepair: (libId: string) => operationUrl('guardianRepair', lib(libId)),
  /** Albums (issue 32): plain and smart (a saved search). */
  albums: (libId: string) => operationUrl('albumsList', lib(libId)),
  trash: (libId: string) => operationUrl('trashList', lib(libId)),
  /** A folder of any device of the library (`DEVICE:/LOCATION/PATH`; `DEVICE:` its locations; none: every device's). */
  ls: (libId: string, path?: string) => operationUrl('ls', lib(libId), { path }),
  /** Folders in no location (issue 59): the ones DEVICE lets this one browse, a folder's listing (`/PATH` here, `DEVICE:/PATH` there), a file's thumbnail here. */
  browseRoots: (libId: string, device: string) => operationUrl('browseRoots', lib(libId), { device }),
  browseFolder: (libId: string, path: string) => operationUrl('browseFolder', lib(libId), { path }),
  browseThumb: (libId: string, path: string) => operationUrl('browseThumb', lib(libId), { path }),
  similar: (libId: string) => operationUrl('similarList', lib(libId)),
  similarKeep: (libId: string) => operationUrl('similarKeep', lib(libId)),
  stackSetCover: (libId: string) => operationUrl('stackSetCover', lib(libId)),
  stackUnstack: (libId: string) => operationUrl('stackUnstack', lib(libId)),
  trashRestore: (libId: string) => operationUrl('trashRestore', lib(libId)),
  trashEmpty: (libId: string) => operationUrl('trashEmpty', lib(libId)),
  albumsCreate: (libId: string) => operationUrl('albumsCreate', lib(libId)),
  albumsAdd: (libId: string) => operationUrl('albumsAdd', lib(libId)),
  album: (libId: string, ref: string) => operationUrl('albumsChange', { ...lib(libId), ref }),
  /** The places the photos were taken: countries with their towns. */
  places: (libId: string) => operationUrl('placesList', lib(libId)),
  devices: () => operationUrl('devicesList'),
  device: (id: string) => operationUrl('devicesUnpair', { id }),
  /** A paired browser's session ended for good. */
  deviceRevoke: (id: string) => operationUrl('devicesRevoke', { id }),
  deviceRights: (id: string) => operationUrl('devicesRights', { id }),
  /** A pairing address for a phone or another browser (this machine's user only). */
  uiPair: () => operationUrl('uiPair'),
  /** Who this session is: this machine's user, or a browser that may only view. */
  uiMe: () => operationUrl('uiMe'),
  pairingStart: () => operationUrl('pairingStart'),
  pairingJoin: () => operationUrl('pairingJoin'),
  /** Server-Sent Events; past events are not replayed (the views load the current state themselves). */
  events: () => operationUrl('events', {}, { recent: false }),
  /** A sidecar's file; with its checksum the browser may cache it for good. */
  sidecar: (libId: string, uuid: string, kind: string, variant: string, checksum?: string | null) =>
    operationUrl('sidecarFile', { ...lib(libId), uuid, kind, variant }, { v: checksum }),
  original: (libId: string, uuid: string) => operationUrl('originalFile', { ...lib(libId), uuid }),
} as const;

/** The method an operation is called with. */
export const methodOf = (op: OperationName) => OPERATIONS[op].method;
