import { join } from 'node:path';
import { VssError } from '../../core/errors.js';
import { readDeviceSettings, updateDeviceSettings } from '../../jobs/cpu-budget.js';

/**
 * `peer_force` in the data dir's `device-settings.json` (`vss device peer-force on|off`): whether
 * a paired device's `--force` overrides this device's Guardian when it places files over this
 * device's own (`files copy|move … DEVICE:/… --on-conflict replace --force`). Off unless the
 * user turned it on: the device that holds a file decides about it (DESIGN §19), and a peer
 * cannot make it give up its last copy of a content. A running daemon reads it at each place.
 */
export function readPeerForce(dataDir: string): boolean {
  const own = readDeviceSettings(dataDir).peer_force;
  if (own === undefined) return false;
  if (typeof own !== 'boolean') throw new VssError('USAGE', 'device-settings.json: "peer_force" must be true or false', { path: join(dataDir, 'device-settings.json') });
  return own;
}

export function writePeerForce(dataDir: string, on: boolean): boolean {
  updateDeviceSettings(dataDir, (s) => {
    if (on) s.peer_force = true;
    else delete s.peer_force;
  });
  return readPeerForce(dataDir);
}
