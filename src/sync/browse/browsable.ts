import { realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError, VssError } from '../../core/errors.js';
import { readDeviceSettings, updateDeviceSettings } from '../../jobs/cpu-budget.js';
import { absolutePathProblem, isInside, PathRefusedError } from '../../library/confine.js';

/** The key of the browsable roots in the data dir's `device-settings.json` (a device's setting). */
const KEY = 'browsable';
/** Roots one device names at most. */
const MAX_ROOTS = 64;

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
  }
  updateDeviceSettings(dataDir, (s) => {
    const roots = new Set(Array.isArray(s[KEY]) ? (s[KEY] as string[]) : []);
    if (on) roots.add(real);
    else {
      roots.delete(path);
      roots.delete(real);
    }
    if (roots.size > MAX_ROOTS) throw new UsageError(`at most ${MAX_ROOTS} browsable folders`);
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
  return root;
}
