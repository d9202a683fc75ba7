import type { Logger } from 'pino';
import { addrOfPeer, isLoopbackAddr, isRelayedAddr } from './multiaddrs.js';
import type { PeerNode } from './peer-node.js';
import type { PairedDevice, PairedDevices } from '../pairing/paired-devices.js';

/** Paired devices not connected are dialled again this often, each with a bounded attempt. */
export const REDIAL_MS = 30_000;
export const DIAL_TIMEOUT_MS = 5_000;
/** A relayed dial starts this long after a direct one: a direct path answers first where there is one. */
const RELAY_HEADSTART_MS = 1_000;
/** A device reached through a relay has its direct addresses tried again this soon, then every REDIAL_MS. */
const UPGRADE_AFTER_MS = 2_000;
/** A paired device whose connection dropped is dialled again this soon (a moved laptop, a relay restarted), then twice as late each time, this many times. */
const REDIAL_AFTER_LOSS_MS = 1_000;
const LOSS_REDIALS = 5;
/** Addresses tried per dial, at most. */
const DIAL_ADDRS = 8;

export interface DiallerOptions {
  /** The node running now (none while stopped or not started): a dial of a node since replaced stops. */
  node(): PeerNode | undefined;
  /** Whether the daemon is stopping: nothing is dialled any more. */
  stopped(): boolean;
  trust: PairedDevices;
  log: Logger;
}

/**
 * How the network finds paired devices again (DESIGN §9): each dialled by every address known of
 * it — the LAN's before loopback's, a relay's after a head start —, one reached only through a
 * relay tried again on its direct addresses, one whose connection dropped dialled again soon and
 * then later, and where each was found remembered so either side can dial the other after a restart.
 */
export class Dialler {
  /** Peers being dialled, and the addresses still to try. */
  private readonly dialling = new Map<string, string[]>();
  /** Paired devices whose connection dropped, to be dialled again soon. */
  private readonly lossRedials = new Map<string, NodeJS.Timeout>();
  /** The direct dial of each peer under way, which a relay's turn cuts short. */
  private readonly directCuts = new Map<string, { cut: AbortController; settled: Promise<void> }>();
  /** Peers being dialled through relays. */
  private readonly relayDialling = new Set<string>();

  constructor(private readonly opts: DiallerOptions) {}

  /**
   * Dial every paired device not connected now, by every address known of it; one reached only
   * through a relay is tried again on its direct addresses, and once one answers its idle relayed
   * connections close (traffic moves to the direct path, as Syncthing does).
   */
  redialAll(): void {
    const node = this.opts.node();
    if (!node) return;
    for (const d of this.opts.trust.list()) this.redial(node, d);
  }

  private redial(node: PeerNode, d: PairedDevice): void {
    const path = node.pathTo(d.peer_id);
    if (path === 'direct') {
      void node.closeIdleRelayed(d.peer_id);
      return;
    }
    void node.knownAddrs(d.peer_id).then((found) => this.dial(d.peer_id, [...found, ...d.addrs], path === 'relay' ? 'direct' : 'any'));
  }

  /**
   * Dial PEERID again after a loss: 1 s, 2 s, 4 s, 8 s, 16 s later while it stays away (a relay
   * restarting, a laptop between networks), then the REDIAL_MS round takes over.
   */
  redialSoon(node: PeerNode, peerId: string, attempt: number): void {
    clearTimeout(this.lossRedials.get(peerId));
    if (attempt >= LOSS_REDIALS) {
      this.lossRedials.delete(peerId);
      return;
    }
    this.lossRedials.set(peerId, setTimeout(() => {
      const d = this.opts.trust.byPeerId(peerId);
      if (!d || !this.stillOn(node) || node.pathTo(peerId) !== null) {
        this.lossRedials.delete(peerId);
        return;
      }
      this.redial(node, d);
      this.redialSoon(node, peerId, attempt + 1);
    }, REDIAL_AFTER_LOSS_MS * 2 ** attempt).unref());
  }

  /** A paired device found at ADDRS (mDNS): remembered there, and dialled unless connected. */
  found(peerId: string, addrs: string[]): void {
    if (!this.opts.trust.byPeerId(peerId)) return;
    this.remember(peerId, addrs);
    // Reached only through a relay: a new direct address (a mapped port, a move) is tried at once.
    void this.dial(peerId, addrs, this.opts.node()?.pathTo(peerId) === 'relay' ? 'direct' : 'any');
  }

  /** Where a paired device listens, noted in the trust store (wildcard addresses left out). */
  remember(peerId: string, addrs: string[]): void {
    const d = this.opts.trust.byPeerId(peerId);
    const usable = addrs.filter((a) => !/\/ip[46]\/(0\.0\.0\.0|::)\//.test(a)).map((a) => addrOfPeer(a, peerId));
    if (d && usable.length > 0) this.opts.trust.noteSeen(d.device_uuid, usable, d.last_seen ?? new Date().toISOString());
  }

  /** The redials after a loss, cancelled (the daemon stops). */
  stop(): void {
    for (const t of this.lossRedials.values()) clearTimeout(t);
  }

  private stillOn(node: PeerNode): boolean {
    return this.opts.node() === node && !this.opts.stopped();
  }

  /**
   * Connect to PEERID by the first of ADDRS that answers (the LAN's before loopback's). One dial
   * at a time per peer: addresses learned meanwhile (mDNS) are tried next, before older ones.
   * Addresses through a relay get their turn RELAY_HEADSTART_MS after the direct ones (at once
   * when there is no direct one): a direct address that swallows packets (another network's LAN)
   * would take a whole dial timeout to fail, and libp2p joins a second dial of the same peer to the
   * one pending, so the direct dial is cut there and tried again, alone, once the relay answered.
   * WANT 'direct': only direct addresses, for a device reached through a relay now.
   */
  private async dial(peerId: string, addrs: string[], want: 'any' | 'direct' = 'any'): Promise<void> {
    const node = this.opts.node();
    const reached = (): boolean => (want === 'direct' ? node?.pathTo(peerId) === 'direct' : node?.connectedPeers().includes(peerId) === true);
    if (!node || reached()) return;
    const self = node.peerId;
    const withId = [...new Set(addrs.map((a) => addrOfPeer(a, peerId)))]
      // Through this device itself, or through the device dialled: no path at all.
      .filter((a) => !isRelayedAddr(a) || !(a.includes(`/p2p/${self}/p2p-circuit`) || a.includes(`/p2p/${peerId}/p2p-circuit`)));
    const relayed = want === 'direct' ? [] : withId.filter(isRelayedAddr);
    const directs = withId.filter((a) => !isRelayedAddr(a));
    if (relayed.length > 0) void this.dialThroughRelays(node, peerId, relayed, directs.length > 0 ? RELAY_HEADSTART_MS : 0);
    const cut = new AbortController();
    // mDNS also announces 127.0.0.1, which on another host is this one: tried last.
    const fresh = [...directs.filter((a) => !isLoopbackAddr(a)), ...directs.filter(isLoopbackAddr)];
    if (fresh.length === 0) return;
    const queued = this.dialling.get(peerId);
    if (queued) {
      queued.unshift(...fresh.filter((a) => !queued.includes(a)));
      return;
    }
    const queue = fresh.slice(0, DIAL_ADDRS);
    this.dialling.set(peerId, queue);
    let settled!: () => void;
    if (want === 'any') this.directCuts.set(peerId, { cut, settled: new Promise<void>((r) => (settled = r)) });
    try {
      for (let tried = 0; queue.length > 0 && tried < 2 * DIAL_ADDRS; tried++) {
        const addr = queue.shift()!;
        if (reached()) return;
        try {
          await node.connect(addr, AbortSignal.any([AbortSignal.timeout(DIAL_TIMEOUT_MS), cut.signal]));
          if (want === 'direct') void node.closeIdleRelayed(peerId);
          return;
        } catch {
          if (cut.signal.aborted) return; // a relay's turn: the direct addresses are tried again once it answered
          // The next address; an offline device is normal.
        }
      }
    } finally {
      this.dialling.delete(peerId);
      if (this.directCuts.get(peerId)?.cut === cut) this.directCuts.delete(peerId);
      settled?.();
    }
  }

  /** Dial PEERID through the relays in ADDRS, one at a time, after WAITMS, until it is connected by any path. */
  private async dialThroughRelays(node: PeerNode, peerId: string, addrs: string[], waitMs: number): Promise<void> {
    if (this.relayDialling.has(peerId)) return;
    this.relayDialling.add(peerId);
    try {
      if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs).unref());
      if (!this.stillOn(node) || node.connectedPeers().includes(peerId)) return;
      // The direct dial cut, and gone: libp2p would join a dial of the same peer to it, and fail with it.
      const direct = this.directCuts.get(peerId);
      direct?.cut.abort();
      await direct?.settled;
      for (const addr of addrs.slice(0, DIAL_ADDRS)) {
        if (!this.stillOn(node) || node.connectedPeers().includes(peerId)) return;
        try {
          if ((await node.connect(addr, AbortSignal.timeout(DIAL_TIMEOUT_MS))) !== peerId) continue;
          this.opts.log.debug({ peer: peerId, addr }, 'reached a paired device through a relay');
          // Its direct addresses again, alone now, with their whole timeout each.
          clearTimeout(this.lossRedials.get(peerId));
          this.lossRedials.set(peerId, setTimeout(() => {
            this.lossRedials.delete(peerId);
            const d = this.opts.trust.byPeerId(peerId);
            if (d && this.stillOn(node)) this.redial(node, d);
          }, UPGRADE_AFTER_MS).unref());
          return;
        } catch {
          // The next relay.
        }
      }
      // No path now: tried again soon (2 s, 4 s, …), not only at the next round.
      if (this.stillOn(node) && !node.connectedPeers().includes(peerId)) this.redialSoon(node, peerId, 1);
    } finally {
      this.relayDialling.delete(peerId);
    }
  }
}
