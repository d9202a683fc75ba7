import type { Witnesses } from '../guardian/guard.js';
import type { OpHost } from './op.js';

/**
 * What vouches, for the guard, for the copies beyond this device's files (DESIGN §19): the paired
 * devices connected now, asked through the daemon's network to lock theirs; none without the
 * daemon (no device can be asked from a process of its own).
 */
export function witnessesOf(host: OpHost): Witnesses {
  const net = host.network();
  if (!net) return {};
  return {
    devices: {
      online: (device) => net.connected().some((d) => d.deviceUuid === device),
      lock: () => Promise.reject(new Error('this vss does not ask devices to lock yet')),
    },
  };
}
