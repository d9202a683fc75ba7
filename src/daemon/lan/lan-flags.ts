import { resolve } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { certCovers, userCert } from './device-cert.js';
import { lanAddresses, lanNames } from './lan-addresses.js';
import { readLanSettings, writeLanSettings } from './lan-settings.js';

/** `daemon start`'s home-network flags, kept as the device's setting before it starts (refused whole when they clash). */
export function keepLanFlags(dataDir: string, opts: { lan?: boolean; lanPort?: number; lanHttp?: boolean; tlsCert?: string; tlsKey?: string }): void {
  if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) throw new UsageError('--tls-cert and --tls-key go together');
  if (opts.lanHttp && opts.tlsCert !== undefined) throw new UsageError('--lan-http serves plain HTTP: it takes no certificate (leave out --tls-cert/--tls-key, or --lan-http)');
  const given = opts.lan !== undefined || opts.lanPort !== undefined || opts.lanHttp !== undefined || opts.tlsCert !== undefined;
  if (!given) return;
  const on = opts.lan ?? readLanSettings(dataDir).on;
  if (!on && (opts.lanPort !== undefined || opts.lanHttp !== undefined || opts.tlsCert !== undefined)) throw new UsageError('--lan-port, --lan-http and --tls-cert are for the home network: add --lan');
  const tls = opts.tlsCert !== undefined ? { tls: { cert: resolve(opts.tlsCert), key: resolve(opts.tlsKey!) } } : {};
  if (opts.tlsCert !== undefined) {
    // Checked now, before it is kept: a certificate that cannot serve is said here, not in the daemon's log.
    const { cert } = userCert(resolve(opts.tlsCert), resolve(opts.tlsKey!));
    // One for another name serves nothing: by address the browser refuses it, by its name the Host check refuses the request.
    const here = [...lanAddresses(), ...lanNames()];
    const got = certCovers(cert, here);
    if (here.length > 0 && got.covered.length === 0) {
      throw new UsageError(`--tls-cert ${opts.tlsCert} is for ${got.names}, not for this device on the home network (${here.join(', ')}): a browser there would refuse it. Give a certificate that names one of them, or leave out --tls-cert/--tls-key (vss makes one)`);
    }
  }
  writeLanSettings(dataDir, {
    on, ...(opts.lanPort !== undefined ? { port: opts.lanPort } : {}), ...tls,
    // HTTPS again when a certificate is given, or --lan is given without --lan-http.
    ...(opts.lanHttp !== undefined ? { http: true } : opts.tlsCert !== undefined || opts.lan === true ? { http: false } : {}),
    ...(opts.lanHttp !== undefined ? { tls: null } : {}),
  });
}


/**
 * What to tell the user at every start about how the home network is served, as the settings kept
 * in DATA_DIR say (empty: nothing): plain HTTP, or a certificate of theirs that does not name the
 * address the pairing address is given on.
 */
export function lanWarnings(dataDir: string): string[] {
  const s = readLanSettings(dataDir);
  if (!s.on) return [];
  if (s.http) return [LAN_HTTP_WARNING];
  if (!s.tls) return [];
  const addresses = lanAddresses();
  let got: ReturnType<typeof certCovers>;
  try {
    got = certCovers(userCert(s.tls.cert, s.tls.key).cert, [...addresses, ...lanNames()]);
  } catch {
    return []; // said when the daemon serves it (it cannot)
  }
  const missing = addresses.filter((a) => !got.covered.includes(a));
  if (missing.length === 0) return [];
  return [`the certificate ${s.tls.cert} is for ${got.names}, not ${missing.join(', ')}: a browser opening the web app there (the address \`vss ui pair\` prints) refuses it${got.covered.length > 0 ? `; open it by ${got.covered.join(' or ')}` : ''}`];
}

/** Said wherever plain HTTP is in use on the home network (start, `daemon status`, `ui pair`). */
export const LAN_HTTP_WARNING = 'the home network is served over plain HTTP (--lan-http): the pairing address and the session cookie cross it in the clear, and anyone on it who reads them can use the web app as the paired browser (`vss daemon start --lan` serves HTTPS again)';
