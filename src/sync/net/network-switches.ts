import { join } from 'node:path';
import { VssError } from '../../core/errors.js';
import { readDeviceSettings, updateDeviceSettings } from '../../jobs/cpu-budget.js';

/**
 * The device's network switches, kept in the data dir's `device-settings.json` (off unless the
 * user turned them on; a running daemon takes a change at its next start):
 * - `relay`: serve as a relay for the devices this one is paired with (`daemon start --relay`);
 * - `upnp`: map the daemon's port on the router (UPnP) and advertise the public address once
 *   another device confirmed it reachable (`daemon start --upnp`). Off by default: it opens a
 *   port on the router to the whole internet, which a user should choose.
 */
export type NetworkSwitch = 'relay' | 'upnp';

/** Slots a relay keeps for its paired devices (one each; a library of more devices than this is not a home). */
export const RELAY_SLOTS = 64;

export function readNetworkSwitch(dataDir: string, key: NetworkSwitch): boolean {
  const own = readDeviceSettings(dataDir)[key];
  if (own === undefined) return false;
  if (typeof own !== 'boolean') throw new VssError('USAGE', `device-settings.json: "${key}" must be true or false`, { path: join(dataDir, 'device-settings.json') });
  return own;
}

export function writeNetworkSwitch(dataDir: string, key: NetworkSwitch, on: boolean): boolean {
  updateDeviceSettings(dataDir, (s) => {
    if (on) s[key] = true;
    else delete s[key];
  });
  return readNetworkSwitch(dataDir, key);
}
