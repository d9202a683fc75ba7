import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import type { Libp2p } from 'libp2p';
import { mapWithNatPmp, type PmpMapping } from './nat-pmp.js';

/** How long a mapped address stays announced once a device dialled it back; then it is asked about again. */
const MAPPED_CONFIRMED_FOR_MS = 24 * 3600_000;

/** `--upnp`: how long UPnP has to find the router before NAT-PMP is asked instead. */
const NAT_PMP_AFTER_MS = 8_000;

/** The parts of libp2p's address manager this reads and writes (not in its public types). */
interface AddressManager {
  getAddressesWithMetadata(): Array<{ multiaddr: Multiaddr; type: string; verified: boolean }>;
  confirmObservedAddr(a: Multiaddr, o?: { type?: string; ttl?: number }): void;
  addPublicAddressMapping(internalIp: string, internalPort: number, externalIp: string, externalPort: number, protocol: 'tcp'): void;
}

/**
 * What a PeerNode announces of its own addresses (identify, invites, a relay's slot): its own
 * interfaces' taken as confirmed, and a port mapped on the router (UPnP, or NAT-PMP where UPnP
 * found no router) announced only once a paired device dialled it back (`mapped-port.ts`).
 */
export class AnnouncedAddresses {
  private natPmpTimer: NodeJS.Timeout | undefined;
  private natPmp: PmpMapping | undefined;
  private stopping = false;

  constructor(private readonly node: Libp2p) {}

  /** At the node's start: its own addresses confirmed, and with UPNP, NAT-PMP asked later if UPnP mapped nothing. */
  start(upnp: boolean): void {
    this.confirmOwn();
    if (upnp) this.natPmpTimer = setTimeout(() => void this.mapWithNatPmpIfNoUpnp(), NAT_PMP_AFTER_MS).unref();
  }

  /**
   * The addresses of this host's own interfaces are where it listens: libp2p announces a public
   * one only once a peer confirmed it, so a box on a public address (a VPS relay) would leave it
   * out of its invites and identify until then. Taken as confirmed. Called at start and every second.
   */
  confirmOwn(): void {
    const c = (this.node as unknown as { components: { transportManager: { getAddrs(): Multiaddr[] }; addressManager: { confirmObservedAddr(a: Multiaddr, o?: { type?: string }): void } } }).components;
    for (const a of c.transportManager.getAddrs()) c.addressManager.confirmObservedAddr(a, { type: 'transport' });
  }

  /** Public addresses a port mapping gave (UPnP), not confirmed reachable yet: libp2p announces none of them until then. */
  unconfirmedMapped(): string[] {
    return this.addressManager().getAddressesWithMetadata().filter((a) => a.type === 'ip-mapping' && !a.verified).map((a) => a.multiaddr.toString());
  }

  /** A mapped address another device reached: announced (identify tells the peers) for a day, then asked about again. */
  confirmMapped(addr: string): void {
    this.addressManager().confirmObservedAddr(multiaddr(addr), { type: 'ip-mapping', ttl: MAPPED_CONFIRMED_FOR_MS });
  }

  /** The node stops: no NAT-PMP asked any more, and the mapping it gave removed from the router. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.natPmpTimer);
    await this.natPmp?.unmap();
  }

  /**
   * `--upnp` and no UPnP router answered: the router may speak NAT-PMP only (Apple's, some others).
   * The mapping it gives is added as UPnP's would be: announced once a paired device dialled it back.
   */
  private async mapWithNatPmpIfNoUpnp(): Promise<void> {
    const am = this.addressManager();
    if (this.stopping || am.getAddressesWithMetadata().some((a) => a.type === 'ip-mapping')) return;
    const port = this.node.getMultiaddrs().map((a) => /\/ip4\/[^/]+\/tcp\/(\d+)/.exec(a.toString())?.[1]).find((p) => p !== undefined);
    if (!port) return;
    const m = await mapWithNatPmp(Number(port));
    if (!m) return;
    if (this.stopping) return void (await m.unmap());
    this.natPmp = m;
    am.addPublicAddressMapping(m.internalHost, m.internalPort, m.externalHost, m.externalPort, 'tcp');
  }

  private addressManager(): AddressManager {
    return (this.node as unknown as { components: { addressManager: AddressManager } }).components.addressManager;
  }
}
