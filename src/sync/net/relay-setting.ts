import { join } from 'node:path';
import { VssError } from '../../core/errors.js';
import { readDeviceSettings, updateDeviceSettings } from '../../jobs/cpu-budget.js';

/** The key in the data dir's `device-settings.json`: whether this device relays for its paired devices. */
const KEY = 'relay';

/** Slots a relay keeps for its paired devices (one each; a library of more devices than this is not a home). */
export const RELAY_SLOTS = 64;

/** Whether this device serves as a relay for the devices it is paired with (off unless the user said so). */
export function readRelaySetting(dataDir: string): boolean {
  const own = readDeviceSettings(dataDir)[KEY];
  if (own === undefined) return false;
  if (typeof own !== 'boolean') throw new VssError('USAGE', `device-settings.json: "${KEY}" must be true or false`, { path: join(dataDir, 'device-settings.json') });
  return own;
}

/** Turn relaying on or off for this device; kept across restarts. A running daemon takes it at its next start. */
export function writeRelaySetting(dataDir: string, on: boolean): boolean {
  updateDeviceSettings(dataDir, (s) => {
    if (on) s[KEY] = true;
    else delete s[KEY];
  });
  return readRelaySetting(dataDir);
}
