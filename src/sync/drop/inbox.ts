import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { UsageError, VssError } from '../../core/errors.js';
import { readDeviceSettings, updateDeviceSettings } from '../../jobs/cpu-budget.js';
import { absolutePathProblem, PathRefusedError } from '../../library/confine.js';

/** The key of the inbox folder in the data dir's `device-settings.json` (a device's setting, not a library's). */
const KEY = 'inbox';

export interface InboxSetting {
  /** Where files sent to this device land (absolute). */
  dir: string;
  /** Whether this is the default rather than this device's own setting. */
  default: boolean;
}

/** Where received files go unless the user says otherwise: `<Downloads>/vss-inbox` ($XDG_DOWNLOAD_DIR, else ~/Downloads). */
export function defaultInbox(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_DOWNLOAD_DIR;
  const downloads = xdg !== undefined && isAbsolute(xdg) ? xdg : join(env.HOME ?? homedir(), 'Downloads');
  return join(downloads, 'vss-inbox');
}

export function readInbox(dataDir: string): InboxSetting {
  const own = readDeviceSettings(dataDir)[KEY];
  if (own === undefined) return { dir: defaultInbox(), default: true };
  if (typeof own !== 'string' || !isAbsolute(own)) throw new VssError('USAGE', `device-settings.json: "${KEY}" must be an absolute folder`, { path: join(dataDir, 'device-settings.json') });
  return { dir: own, default: false };
}

/**
 * Set the inbox to DIR (absolute, made if missing), or back to the default with 'default'. A
 * relative DIR is refused, not resolved: in a daemon it would name a folder of the daemon's
 * working directory (its data dir, beside the device key), not the caller's.
 */
export function writeInbox(dataDir: string, dir: string | 'default'): InboxSetting {
  if (dir !== 'default') {
    if (dir.length === 0 || dir.length > 4096) throw new UsageError('give the inbox as a folder path');
    const problem = absolutePathProblem(dir);
    if (problem) throw new PathRefusedError(dir, `the inbox must be an absolute folder: ${problem}`);
    ensureInbox(dir);
    updateDeviceSettings(dataDir, (s) => { s[KEY] = dir; });
  } else {
    updateDeviceSettings(dataDir, (s) => { delete s[KEY]; });
  }
  return readInbox(dataDir);
}

/** The inbox folder, made if missing; a path that is a file, or cannot be made, is an error naming it. */
export function ensureInbox(dir: string): string {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new VssError('IO', `the inbox ${dir} cannot be made: ${(err as Error).message}`, { path: dir, cause: err });
  }
  return dir;
}
