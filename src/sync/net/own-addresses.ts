import { networkInterfaces } from 'node:os';

/** This host's own non-loopback addresses now. */
export function ownAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal) out.add(a.address);
  }
  return out;
}

/**
 * A check to call on a timer: it tells GONE the addresses this host had at the last call and has
 * no more. Only a loss counts: an address added (a VPN up, a second network) breaks no connection.
 */
export function watchOwnAddresses(gone: (addrs: string[]) => void, read: () => Set<string> = ownAddresses): () => void {
  let last = read();
  return () => {
    const now = read();
    const lost = [...last].filter((a) => !now.has(a));
    last = now;
    if (lost.length > 0) gone(lost);
  };
}
