import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { pmpNat, type Gateway } from '@achingbrain/nat-port-mapper';

/** How long one NAT-PMP question to the router may take (it answers at once, or not at all). */
const ASK_MS = 5_000;
/** The mapping's life on the router (seconds: NAT-PMP's unit, which the package passes on as given); asked again at half of it, so a daemon gone leaves it an hour at most. */
const TTL_S = 3600;

/** A port mapped with NAT-PMP: where it is inside and outside, and the router to unmap it on. */
export interface PmpMapping {
  internalHost: string;
  internalPort: number;
  externalHost: string;
  externalPort: number;
  unmap(): Promise<void>;
}

/**
 * The default IPv4 gateway from Linux's routing table (`/proc/net/route`: a row whose destination
 * is 0.0.0.0 and whose flags say RTF_GATEWAY, the address little-endian hex), or undefined.
 */
export function defaultGateway4(table?: string): string | undefined {
  let text = table;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/net/route', 'utf8');
    } catch {
      return undefined; // not Linux: no NAT-PMP fallback
    }
  }
  for (const line of text.split('\n').slice(1)) {
    const [, dest, gw, flags] = line.trim().split(/\s+/);
    if (dest !== '00000000' || !gw || !flags || (parseInt(flags, 16) & 0x2) === 0) continue;
    const n = parseInt(gw, 16);
    return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24].join('.');
  }
  return undefined;
}

/** This machine's IPv4 address on the network GATEWAY is on (the one the router forwards to). */
export function localAddressToward(gateway: string): string | undefined {
  const g = toInt(gateway);
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family !== 'IPv4' || a.internal) continue;
      const mask = toInt(a.netmask);
      if ((toInt(a.address) & mask) === (g & mask)) return a.address;
    }
  }
  return undefined;
}

function toInt(ip: string): number {
  return ip.split('.').reduce((n, o) => ((n << 8) | Number(o)) >>> 0, 0);
}

/**
 * Map TCP PORT on the default gateway with NAT-PMP (Apple's routers and others that do not speak
 * UPnP; `--upnp` tries it when UPnP found no router). Resolves undefined when there is no gateway,
 * no address toward it, or it does not answer; the mapping is kept fresh until `unmap`.
 */
export async function mapWithNatPmp(port: number): Promise<PmpMapping | undefined> {
  const gateway = defaultGateway4();
  const host = gateway && localAddressToward(gateway);
  if (!gateway || !host) return undefined;
  // Kept fresh here rather than by the package (its own refresh and its stop's unmap do not end
  // cleanly: a stopped daemon left the mapping on the router in the namespace test).
  const gw: Gateway = pmpNat(gateway, { description: 'vss', autoRefresh: false, ttl: TTL_S });
  const map = () => gw.map(port, host, { protocol: 'tcp', signal: AbortSignal.timeout(ASK_MS) });
  const close = () => gw.stop({ signal: AbortSignal.timeout(ASK_MS) }).catch(() => undefined);
  try {
    const m = await map();
    const refresh = setInterval(() => void map().catch(() => undefined), (TTL_S * 1000) / 2).unref();
    return {
      internalHost: m.internalHost, internalPort: m.internalPort, externalHost: m.externalHost, externalPort: m.externalPort,
      unmap: async () => {
        clearInterval(refresh);
        await gw.unmap(port, { signal: AbortSignal.timeout(ASK_MS) }).catch(() => undefined);
        await close();
      },
    };
  } catch {
    await close();
    return undefined;
  }
}
