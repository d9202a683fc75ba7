import { resolve } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { userCert } from './device-cert.js';
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
    userCert(resolve(opts.tlsCert), resolve(opts.tlsKey!));
  }
  writeLanSettings(dataDir, {
    on, ...(opts.lanPort !== undefined ? { port: opts.lanPort } : {}), ...tls,
    // HTTPS again when a certificate is given, or --lan is given without --lan-http.
    ...(opts.lanHttp !== undefined ? { http: true } : opts.tlsCert !== undefined || opts.lan === true ? { http: false } : {}),
    ...(opts.lanHttp !== undefined ? { tls: null } : {}),
  });
}

