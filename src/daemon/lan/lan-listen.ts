import { readLanSettings } from './lan-settings.js';
import { childLog } from '../../core/log.js';
import type { LanListen } from '../server.js';
import { deviceCert, userCert } from './device-cert.js';
import { lanAddresses, lanNames } from './lan-addresses.js';
import { lanWarnings } from './lan-flags.js';

/**
 * How the daemon of DATA_DIR serves the home network, as its settings say (`daemon start --lan`),
 * with the certificate it shows and that certificate's fingerprint; null when it does not.
 */
export async function lanListen(dataDir: string): Promise<{ listen: LanListen; fingerprint: string | null } | null> {
  const s = readLanSettings(dataDir);
  if (!s.on) return null;
  const addresses = lanAddresses();
  const names = lanNames();
  if (addresses.length === 0) {
    childLog('daemon').warn({}, 'the web app is to be served on the home network, but this device has no address there now: loopback only');
    return null;
  }
  for (const w of lanWarnings(dataDir)) childLog('daemon').warn({}, w);
  if (s.http) return { listen: { addresses, names, port: s.port, tls: null }, fingerprint: null };
  const cert = s.tls ? userCert(s.tls.cert, s.tls.key) : await deviceCert(dataDir, [...addresses, ...names]);
  return { listen: { addresses, names, port: s.port, tls: { cert: cert.cert, key: cert.key } }, fingerprint: cert.fingerprint };
}
