/**
 * The safety model's network: paired devices in one process, each protocol stream a pair of libp2p
 * streams joined in memory (loop-stream.ts: libp2p's own stream base, with its buffers, closing and
 * back-pressure) whose far end is served by the device's real handlers: the daemon's own table
 * (src/sync/peer-handlers.ts), so what the harness serves is what the daemon serves. No Noise,
 * muxer or TCP: who is on the other end is known here, so a partition is a switch, not a firewall
 * rule, and costs nothing to flip; a partition or a kill drops every stream between the devices.
 *
 * Each side's code runs within its device's life (life.ts): a handler within the life of the device
 * it serves, and a message sent is an operation of the life that sends it.
 */
import type { Stream } from '@libp2p/interface';
import type { Logger } from 'pino';
import type { LibraryLink, LinkNetwork } from '../../src/sync/library-link.js';
import type { ProtocolName } from '../../src/sync/messages/table.js';
import { peerHandlers } from '../../src/sync/peer-handlers.js';
import type { RemoteDevice } from '../../src/sync/peer-link.js';
import { PairedDevices } from '../../src/sync/pairing/paired-devices.js';
import type { RateLimiter } from '../../src/sync/transfer/rate-limiter.js';
import { currentLife, Killed, type Life } from './life.js';
import { loopStreams } from './loop-stream.js';

type Handler = (stream: Stream, remote: RemoteDevice) => Promise<void>;

/** What the network needs of a device that is up: its data dir, its life and its library's link. */
export interface NetDevice {
  remote: RemoteDevice;
  dataDir: string;
  life: Life;
  link(): LibraryLink | undefined;
  upload: RateLimiter;
  log: Logger;
}

/** A device's protocol handlers: the daemon's table (minus pairing: the world pairs by its trust files). */
export function handlersOf(d: NetDevice): Partial<Record<ProtocolName, Handler>> {
  return peerHandlers({
    dataDir: d.dataDir,
    upload: d.upload,
    log: d.log,
    linkOf: (id) => {
      const link = d.link();
      return link && link.libraryId === id ? link : undefined;
    },
    isPaired: (deviceUuid) => PairedDevices.load(d.dataDir).get(deviceUuid) !== undefined,
  });
}

/** The devices of one world and who can reach whom: a device is reachable while it is up and neither end is cut off. */
export class InProcessNet {
  private readonly up = new Map<string, { device: NetDevice; handlers: Partial<Record<ProtocolName, Handler>> }>();
  private readonly cut = new Set<string>();
  /** Streams open now, so a kill or a partition can abort them under their users, as a dropped connection would. */
  private readonly open = new Set<{ a: Stream; b: Stream; between: [string, string] }>();
  /** Handlers serving now (kept to wait for after a step: `quiet`). */
  readonly served: Promise<void>[] = [];
  /** Streams opened since made (a measure of what hearing each other costs). */
  opened = 0;
  /** Told of each message sent, by whom to whom (a partition at a point in a transfer: PartitionMidCopy). */
  onSend: ((from: string, to: string) => void) | undefined;

  /** DEVICE is up (started, or reopened after a kill). */
  start(device: NetDevice): void {
    this.up.set(device.remote.deviceUuid, { device, handlers: handlersOf(device) });
  }

  /** DEVICEUUID is down (killed): its connections drop. */
  stop(deviceUuid: string): void {
    this.up.delete(deviceUuid);
    this.drop(deviceUuid);
  }

  /** DEVICEUUID is cut off from every other device until `heal`: its connections drop. */
  partition(deviceUuid: string): void {
    this.cut.add(deviceUuid);
    this.drop(deviceUuid);
  }

  heal(deviceUuid: string): void {
    this.cut.delete(deviceUuid);
  }

  /** No device is cut off any more (a world put back). */
  healAll(): void {
    this.cut.clear();
  }

  isCut(deviceUuid: string): boolean {
    return this.cut.has(deviceUuid);
  }

  /** Whether A and B reach each other now. */
  reach(a: string, b: string): boolean {
    return a !== b && this.up.has(a) && this.up.has(b) && !this.cut.has(a) && !this.cut.has(b);
  }

  /** The devices SELF reaches now, as its link sees them. */
  connected(self: string): RemoteDevice[] {
    return [...this.up.values()].filter((u) => this.reach(self, u.device.remote.deviceUuid)).map((u) => u.device.remote);
  }

  /** What SELF's library link is given: the reachable devices, and streams to them served by their handlers. */
  linkNetwork(self: string): LinkNetwork {
    return {
      connected: () => this.connected(self),
      open: (peerId, protocol, signal) => this.openStream(self, peerId, protocol, signal),
      recentlyOnline: () => false,
      redial: () => undefined,
      settling: () => false,
      seen: () => undefined,
      named: () => undefined,
      membersMayHaveChanged: () => undefined,
      device: (deviceUuid) => [...this.up.values()].find((u) => u.device.remote.deviceUuid === deviceUuid)?.device.remote,
    };
  }

  private async openStream(self: string, peerId: string, protocol: ProtocolName, signal?: AbortSignal): Promise<Stream> {
    signal?.throwIfAborted();
    // A dead life's code (a timer of its link) opens nothing: the process is gone.
    const life = currentLife();
    if (life && !life.alive) throw new Killed(`a ${protocol} stream`);
    const to = [...this.up.values()].find((u) => u.device.remote.peerId === peerId);
    const from = this.up.get(self);
    if (!to || !from || !this.reach(self, to.device.remote.deviceUuid)) throw new Error(`${peerId} is not connected`);
    const handler = to.handlers[protocol];
    if (!handler) throw new Error(`protocol selection failed: ${protocol} is not served`);
    const target = to.device;
    const [a, b] = loopStreams();
    const entry = { a, b, between: [self, target.remote.deviceUuid] as [string, string] };
    this.open.add(entry);
    this.opened++;
    for (const [s, by, to] of [[a, self, target.remote.deviceUuid], [b, target.remote.deviceUuid, self]] as const) {
      const send = s.send.bind(s);
      // A message is an operation of the life that sends it (a kill point; nothing once dead).
      s.send = (data) => {
        currentLife()?.act('a message to a peer');
        this.onSend?.(by, to);
        return send(data);
      };
    }
    const served = target.life.run(() => handler(b, from.device.remote))
      .catch(() => undefined)
      .finally(() => {
        this.open.delete(entry);
        if (b.status === 'open') b.abort(new Error('served'));
      });
    this.served.push(served);
    if (this.served.length > 64) this.served.splice(0, this.served.length - 64);
    return a;
  }

  /** Every stream of DEVICEUUID is aborted at both ends, as a dropped connection aborts them. */
  private drop(deviceUuid: string): void {
    for (const e of [...this.open]) {
      if (!e.between.includes(deviceUuid)) continue;
      this.open.delete(e);
      e.a.abort(new Error('the connection was cut'));
      e.b.abort(new Error('the connection was cut'));
    }
  }

  /** Every handler still serving has ended (after a step). */
  async quiet(): Promise<void> {
    await Promise.all(this.served.splice(0));
  }
}
