import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';

/**
 * This machine's addresses on its home network, as a phone there would dial them: every
 * interface's private address (IPv4's 10/8, 172.16/12, 192.168/16 and link-local 169.254/16;
 * IPv6's unique local fc00::/7). A public address (a server's, a global IPv6 one, a café's) is
 * never served unasked: `--lan` is kept, and the machine may be somewhere else when it next
 * starts. VSS_LAN_ADDRESSES (comma-separated) names the addresses instead, public ones too: for a
 * machine whose other interfaces should not serve, and for tests where no namespace can be made.
 */
export function lanAddresses(env: NodeJS.ProcessEnv = process.env): string[] {
  const given = env.VSS_LAN_ADDRESSES;
  if (given !== undefined && given.trim() !== '') return [...new Set(given.split(',').map((a) => a.trim()).filter((a) => isIP(a) !== 0))];
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal && isHomeAddress(a.address)) out.push(a.address);
  }
  return [...new Set(out)];
}

/** Whether ADDRESS is one a home network gives (private IPv4, link-local IPv4, unique local IPv6), never a public one. */
export function isHomeAddress(address: string): boolean {
  if (isIP(address) === 4) {
    const [a, b] = address.split('.').map(Number) as [number, number];
    return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
  }
  // fc00::/7: the first byte fc or fd. A link-local fe80:: address needs a zone a browser cannot be given.
  return isIP(address) === 6 && /^f[cd][0-9a-f]{0,2}:/i.test(address);
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

/**
 * The home network's addresses a phone is likeliest to reach, best first: IPv4 before IPv6 (a
 * phone on Wi-Fi has IPv4; IPv6 ULAs are often not routed to it), and among IPv4 the ranges
 * home routers hand out (192.168/16, then 10/8, then 172.16/12), link-local (169.254/16) last.
 */
export function bestFirst(addresses: readonly string[]): string[] {
  const rank = (a: string): number => {
    if (isIP(a) !== 4) return 5;
    const [x, y] = a.split('.').map(Number) as [number, number];
    if (x === 192 && y === 168) return 0;
    if (x === 10) return 1;
    if (x === 172) return 2;
    return x === 169 ? 4 : 3;
  };
  // A stable sort: addresses of one rank keep the order the interfaces gave them.
  return [...addresses].sort((a, b) => rank(a) - rank(b));
}

/**
 * The web app's home-network addresses, best first (bestFirst's order, with the machine's `.local`
 * name after the IPv4 ones: a phone that resolves mDNS reaches it whatever address DHCP gave).
 */
export function homeUrls(scheme: string, addresses: readonly string[], names: readonly string[], port: number): string[] {
  const sorted = bestFirst(addresses);
  const v4 = sorted.filter((a) => isIP(a) === 4);
  const local = names.filter((n) => n.endsWith('.local'));
  return [...v4, ...local, ...sorted.filter((a) => isIP(a) !== 4)].map((h) => `${scheme}://${hostPort(h, port)}/ui/`);
}
