import { isAbsolute, join } from 'node:path';
import { UsageError, VssError } from '../../core/errors.js';
import { readDeviceSettings, updateDeviceSettings } from '../../jobs/cpu-budget.js';
import { DEFAULT_LAN_PORT } from '../../device/lan-port.js';

export { DEFAULT_LAN_PORT };

/**
 * Whether, and how, the daemon serves the web app to the home network (issue 44), kept in the
 * data dir's `device-settings.json` under `lan` (absent: off; loopback only, as always). Taken
 * by the daemon at its next start (`daemon start --lan` sets it and starts).
 */
export interface LanSettings {
  on: boolean;
  /** The TCP port on every LAN address: fixed, so a phone's bookmark keeps working across restarts. */
  port: number;
  /** Plain HTTP on the LAN: only when the user asks for it (`--lan-http`); session cookies then cannot be Secure. */
  http: boolean;
  /** The user's own certificate and key (PEM files); absent: a certificate vss makes for this device. */
  tls: { cert: string; key: string } | null;
}


export type LanPatch = Partial<Pick<LanSettings, 'on' | 'port' | 'http'>> & { tls?: { cert: string; key: string } | null };

const FILE = 'device-settings.json';

export function readLanSettings(dataDir: string): LanSettings {
  const raw = readDeviceSettings(dataDir).lan;
  if (raw === undefined) return { on: false, port: DEFAULT_LAN_PORT, http: false, tls: null };
  const bad = (why: string) => new VssError('USAGE', `${FILE}: "lan" ${why}`, { path: join(dataDir, FILE) });
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw bad('must be an object');
  const o = raw as Record<string, unknown>;
  if (typeof o.on !== 'boolean') throw bad('needs "on": true or false');
  const port = o.port ?? DEFAULT_LAN_PORT;
  if (!isPort(port)) throw bad('"port" must be a port number 1-65535');
  if (o.http !== undefined && typeof o.http !== 'boolean') throw bad('"http" must be true or false');
  let tls: LanSettings['tls'] = null;
  if (o.tls !== undefined && o.tls !== null) {
    const t = o.tls as Record<string, unknown>;
    if (typeof t.cert !== 'string' || typeof t.key !== 'string' || !isAbsolute(t.cert) || !isAbsolute(t.key)) throw bad('"tls" must be {"cert": PATH, "key": PATH}, absolute paths');
    tls = { cert: t.cert, key: t.key };
  }
  return { on: o.on, port, http: o.http === true, tls };
}

/** Change what PATCH names (the rest kept); refused, nothing written, when it does not make sense. */
export function writeLanSettings(dataDir: string, patch: LanPatch): LanSettings {
  if (patch.port !== undefined && !isPort(patch.port)) throw new UsageError(`--lan-port must be a port number 1-65535, not ${patch.port}`);
  if (patch.tls && (!isAbsolute(patch.tls.cert) || !isAbsolute(patch.tls.key))) throw new UsageError('--tls-cert and --tls-key are absolute paths');
  const next = { ...readLanSettings(dataDir), ...patch };
  if (next.http && next.tls) throw new UsageError('--lan-http serves plain HTTP: it takes no certificate (leave out --tls-cert/--tls-key, or --lan-http)');
  updateDeviceSettings(dataDir, (s) => {
    s.lan = { on: next.on, ...(next.port !== DEFAULT_LAN_PORT ? { port: next.port } : {}), ...(next.http ? { http: true } : {}), ...(next.tls ? { tls: next.tls } : {}) };
  });
  return readLanSettings(dataDir);
}

function isPort(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535;
}
