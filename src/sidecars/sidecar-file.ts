import { lstatSync } from 'node:fs';
import type { Library } from '../library/library.js';
import { PathRefusedError } from '../library/confine.js';
import { sidecarAddress } from './address.js';
import { mimeOfFormat } from './kinds.js';
import { SidecarManager, type SidecarStatus } from './manager.js';

/** A sidecar's file to serve, checked just now; or why there is none here (the daemon answers 404 with it). */
export type SidecarFileAnswer =
  | { state: 'ready'; path: string; size: number; checksum: string; format: string; mime: string }
  | { state: 'unavailable'; status: SidecarStatus | 'absent'; reason: string };

/**
 * The file of a ready sidecar, for a reader that streams it (the daemon's file route): its record,
 * then the file itself — inside the library folder (or, for a reference, the location holding it),
 * a regular file reached through no symlink, of the recorded size. A ready row whose file is gone
 * is marked missing (pending again where it can be remade), as `sidecars path` does; a file of
 * another size is left to the watcher and `reconcile --verify`, never served under the recorded
 * checksum. Nothing is queued here: a GET of a file makes no work.
 */
export function sidecarFile(lib: Library, contentUuid: string, kind: string, variant: string): SidecarFileAnswer {
  const a = sidecarAddress(contentUuid, kind, variant);
  const manager = managerOf(lib);
  const info = manager.get(a);
  if (!info) {
    const known = lib.store.contents.kindOf(contentUuid) !== undefined;
    return { state: 'unavailable', status: 'absent', reason: known ? `no ${a.kind}/${a.variant} has been made for this content (vss sidecars path asks for it)` : 'no such content in this library' };
  }
  if (info.status !== 'ready') {
    return { state: 'unavailable', status: info.status, reason: info.error ? `it is ${info.status}: ${info.error}` : `it is ${info.status}` };
  }
  if (info.path === null) return { state: 'unavailable', status: 'ready', reason: 'its file is not on this device' };
  let path: string;
  try {
    const root = info.source === 'reference' ? lib.roots.locationHolding(info.path) : lib.roots.library;
    if (root instanceof PathRefusedError) throw root;
    path = root.regularFileAt(info.path);
  } catch (err) {
    if (err instanceof PathRefusedError) return { state: 'unavailable', status: 'ready', reason: err.message };
    throw err;
  }
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (!st) {
    const now = manager.markMissing(a, 'file gone when asked for');
    return { state: 'unavailable', status: now, reason: `its file is gone${now === 'pending' ? ' (it will be made again)' : ''}` };
  }
  if (st.size !== info.size) {
    return { state: 'unavailable', status: 'ready', reason: `its file is ${st.size} bytes where ${info.size} were recorded: the watcher or vss sidecars reconcile --verify will look at it` };
  }
  return { state: 'ready', path, size: st.size, checksum: info.checksum!, format: info.format, mime: mimeOfFormat(info.format) };
}

/** One manager per library: its compiled statements are kept, where a new one per request would prepare them again each time. */
const managers = new WeakMap<Library, SidecarManager>();

function managerOf(lib: Library): SidecarManager {
  let m = managers.get(lib);
  if (!m) {
    m = new SidecarManager(lib);
    managers.set(lib, m);
  }
  return m;
}
