import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { isAbsolute, join, resolve } from 'node:path';
import { UsageError, VssError } from '../../core/errors.js';
import { readDeviceSettings, updateDeviceSettings } from '../../jobs/cpu-budget.js';
import { userCert } from '../lan/device-cert.js';

/**
 * A relay box serving the web app to browsers away from home (issue 46 item 4), kept in the data
 * dir's `device-settings.json` under `box_web` (absent: off). The certificate is the user's, for
 * the name browsers open (a browser trusts nothing else over the internet); NAME is that name.
 */
export interface BoxWebSettings {
  port: number;
  /** The certificate and key (PEM files, absolute paths). */
  cert: string;
  key: string;
  /** The host name (or address) browsers open: the page's address and the secure WebSocket's. */
  name: string;
}

const FILE = 'device-settings.json';
const NAME_RE = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

export function readBoxWeb(dataDir: string): BoxWebSettings | null {
  const raw = readDeviceSettings(dataDir).box_web;
  if (raw === undefined || raw === null) return null;
  const bad = () => new VssError('USAGE', `${FILE}: "box_web" must be {"port": N, "cert": PATH, "key": PATH, "name": HOST}`, { path: join(dataDir, FILE) });
  if (typeof raw !== 'object' || Array.isArray(raw)) throw bad();
  const o = raw as Record<string, unknown>;
  if (!isPort(o.port) || typeof o.cert !== 'string' || typeof o.key !== 'string' || !isAbsolute(o.cert) || !isAbsolute(o.key) || typeof o.name !== 'string' || !validName(o.name)) throw bad();
  return { port: o.port, cert: o.cert, key: o.key, name: o.name };
}

/**
 * `daemon start --box-web PORT --box-cert F --box-key F [--box-name HOST]`, kept before the
 * daemon starts (`--no-box-web` forgets it). Checked now: a certificate that cannot serve, or a
 * name it does not cover, is said here rather than in the daemon's log.
 */
export function keepBoxWebFlags(dataDir: string, opts: { boxWeb?: number | false; boxCert?: string; boxKey?: string; boxName?: string; relay?: boolean }): void {
  const given = opts.boxWeb !== undefined || opts.boxCert !== undefined || opts.boxKey !== undefined || opts.boxName !== undefined;
  if (!given) return;
  if (opts.boxWeb === false) {
    if (opts.boxCert !== undefined || opts.boxName !== undefined) throw new UsageError('--no-box-web takes no certificate or name');
    updateDeviceSettings(dataDir, (s) => void delete s.box_web);
    return;
  }
  if ((opts.boxCert === undefined) !== (opts.boxKey === undefined)) throw new UsageError('--box-cert and --box-key go together');
  const was = readBoxWeb(dataDir);
  const port = opts.boxWeb ?? was?.port;
  const cert = opts.boxCert !== undefined ? resolve(opts.boxCert) : was?.cert;
  const key = opts.boxKey !== undefined ? resolve(opts.boxKey) : was?.key;
  if (port === undefined) throw new UsageError('--box-cert, --box-key and --box-name go with --box-web PORT');
  if (cert === undefined || key === undefined) throw new UsageError('--box-web serves browsers over HTTPS: give the certificate of the box\'s name with --box-cert FILE --box-key FILE');
  if (opts.relay === false) throw new UsageError('--box-web carries browsers\' connections as the relay: leave out --no-relay');
  const pem = userCert(cert, key).cert;
  const names = certNames(pem);
  const name = opts.boxName ?? (opts.boxCert === undefined ? was?.name : undefined) ?? names.find((n) => !n.startsWith('*.')) ?? names[0];
  if (name === undefined) throw new UsageError(`${cert} names no host (subjectAltName): give the name browsers open with --box-name HOST`);
  if (!validName(name)) throw new UsageError(`--box-name is a host name or an IP address, not ${JSON.stringify(name.slice(0, 80))}`);
  if (!covers(names, name)) throw new UsageError(`${cert} is not for ${name} (it names ${names.join(', ') || 'no host'}): browsers would refuse it`);
  updateDeviceSettings(dataDir, (s) => {
    s.box_web = { port, cert, key, name } satisfies BoxWebSettings;
  });
}

/** The DNS names and IP addresses a certificate's subjectAltName lists. */
export function certNames(pem: string): string[] {
  const san = new X509Certificate(pem).subjectAltName ?? '';
  return san.split(/,\s*/).map((e) => /^(?:DNS|IP Address):(.+)$/.exec(e.trim())?.[1]?.trim()).filter((n): n is string => n !== undefined && n !== '');
}

/** Whether a certificate naming NAMES serves NAME (a wildcard covers one label). */
function covers(names: readonly string[], name: string): boolean {
  const want = name.toLowerCase();
  return names.some((n) => {
    const have = n.toLowerCase();
    if (have === want) return true;
    return have.startsWith('*.') && want.endsWith(have.slice(1)) && !want.slice(0, -have.length + 1).includes('.');
  });
}

function validName(name: string): boolean {
  return isIP(name) !== 0 || NAME_RE.test(name);
}

function isPort(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 65535;
}
