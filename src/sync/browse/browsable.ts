import { realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError, VssError } from '../../core/errors.js';
import { readDeviceSettings, updateDeviceSettings } from '../../jobs/cpu-budget.js';
import { absolutePathProblem, isInside, PathRefusedError } from '../../library/confine.js';
import { LibraryRegistry } from '../../library/registry.js';
import { realPathOf } from '../../storage/local-tree.js';
import { BROWSE_MAX_ROOTS } from '../messages/table.js';

/** The key of the browsable roots in the data dir's `device-settings.json` (a device's setting). */
const KEY = 'browsable';

/**
 * The folders of this device a paired device may browse and read from though they are in no
 * location (issue 59, `vss device browsable add|remove|list PATH`): none unless the user names
 * some; read-only; nothing outside them (by their real paths, no symlink followed out).
 */
export function readBrowsable(dataDir: string): string[] {
  const own = readDeviceSettings(dataDir)[KEY];
  if (own === undefined) return [];
  if (!Array.isArray(own) || !own.every((p) => typeof p === 'string' && absolutePathProblem(p) === undefined)) {
    throw new VssError('USAGE', `device-settings.json: "${KEY}" must be a list of absolute folders`, { path: join(dataDir, 'device-settings.json') });
  }
  return own as string[];
}

/** PATH (a folder of this device, by its real path) made browsable by paired devices, or no longer (ON false); the roots now. */
export function changeBrowsable(dataDir: string, path: string, on: boolean): string[] {
  const problem = absolutePathProblem(path);
  if (problem) throw new PathRefusedError(path, problem);
  let real = path;
  if (on) {
    try {
      real = realpathSync(path);
    } catch (err) {
      throw new VssError('NOT_FOUND', `no folder ${path}: ${(err as Error).message}`, { path });
    }
    if (!statSync(real).isDirectory()) throw new UsageError(`${path} is not a folder`);
    const own = keptToItself(dataDir).find((k) => isInside(real, k) || isInside(k, real));
    if (own !== undefined) throw new PathRefusedError(path, `${isInside(real, own) ? 'holds' : 'lies in'} ${own}, which vss keeps to itself (this device's key, or a library): name a folder beside it`);
  }
  updateDeviceSettings(dataDir, (s) => {
    const roots = new Set(Array.isArray(s[KEY]) ? (s[KEY] as string[]) : []);
    if (on) roots.add(real);
    else {
      roots.delete(path);
      roots.delete(real);
    }
    if (roots.size > BROWSE_MAX_ROOTS) throw new UsageError(`at most ${BROWSE_MAX_ROOTS} browsable folders`);
    if (roots.size === 0) delete s[KEY];
    else s[KEY] = [...roots].sort();
  });
  return readBrowsable(dataDir);
}

/** The browsable root PATH lies in (by its name; the open checks the real path), or why a peer may not read it. */
export function browsableRootOf(dataDir: string, path: string): string {
  const problem = absolutePathProblem(path);
  if (problem) throw new PathRefusedError(path, problem);
  const root = readBrowsable(dataDir).filter((r) => isInside(r, path)).sort((a, b) => b.length - a.length)[0];
  if (root === undefined) throw new PathRefusedError(path, 'is in no folder this device lets paired devices browse (vss device browsable add PATH there)');
  // Looked at again at each request, by the name asked and where it really leads: a library made
  // inside a root since it was named is the library's still.
  const real = realPathOf(path) ?? path;
  if (keptToItself(dataDir).some((k) => isInside(k, path) || isInside(k, real))) throw new PathRefusedError(path, 'is vss\'s own (this device\'s key, or a library): never read by another device');
  return root;
}

/** What no paired device reads however a root is named: this device's data dir (its key) and every library folder it knows, by real path. */
function keptToItself(dataDir: string): string[] {
  const own = [dataDir, ...new LibraryRegistry(dataDir).list().libraries.map((l) => l.path)];
  return [...new Set(own.flatMap((p) => [p, realPathOf(p) ?? p]))];
}
