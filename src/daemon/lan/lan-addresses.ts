import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';

/**
 * This machine's addresses on its networks, as a phone on the same network would dial them: every
 * interface's that is not loopback, IPv4 and routable IPv6 (a link-local one needs a zone a browser
 * cannot be given). VSS_LAN_ADDRESSES (comma-separated) names them instead: for a machine whose
 * other interfaces should not serve, and for tests where no network namespace can be made.
 */
export function lanAddresses(env: NodeJS.ProcessEnv = process.env): string[] {
  const given = env.VSS_LAN_ADDRESSES;
  if (given !== undefined && given.trim() !== '') return [...new Set(given.split(',').map((a) => a.trim()).filter((a) => isIP(a) !== 0))];
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.internal) continue;
      if (a.family === 'IPv6' && (a.address.toLowerCase().startsWith('fe80:') || a.scopeid)) continue;
      out.push(a.address);
    }
  }
  return [...new Set(out)];
}

/** The names the device answers to on the LAN besides its addresses: its host name, and that name under `.local` (mDNS). */
export function lanNames(): string[] {
  const h = hostname().toLowerCase();
  if (!/^[a-z0-9][a-z0-9.-]{0,252}$/.test(h)) return [];
  return h.endsWith('.local') ? [h] : [h, `${h}.local`];
}

/** ADDRESS:PORT as a URL's host (an IPv6 address in brackets). */
export function hostPort(address: string, port: number): string {
  return isIP(address) === 6 ? `[${address}]:${port}` : `${address}:${port}`;
}
