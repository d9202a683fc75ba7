import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Stream } from '@libp2p/interface';
import type { Logger } from 'pino';
import { VssError } from '../../core/errors.js';
import type { Device } from '../../device/identity.js';
import type { PairedDeviceItem, PairedInfo, PairingCodeInfo } from '../../wire/peers.js';
import { parseMultiaddr } from '../net/peer-node.js';
import type { PeerNetwork } from '../network.js';
import type { LibraryHost, SyncedLibrary } from '../synced-library.js';
import { parsePairingCode } from './code.js';
import { discoveredPeers, pairingDialer } from './dial.js';
import { forgetDevice, pairedDeviceItem } from './forget.js';
import { PairingHost } from './host.js';
import { joinPairing } from './join.js';
import type { PairedDevices } from './paired-devices.js';
import { PAIRING_TTL_MS, type LocalDeviceInfo } from './types.js';

/** How long `pair join` looks for the device showing the code on the LAN. */
const DISCOVERY_MS = 30_000;

export interface PairingServiceOptions {
  dataDir: string;
  device: Device;
  log: Logger;
  trust: PairedDevices;
  network: PeerNetwork;
  host: LibraryHost;
  /** Link a library now shared with a paired device. */
  attach(lib: SyncedLibrary): void;
  /** Forget an unpaired device in one library it shared (its availability there). */
  forgetIn(libraryId: string, deviceUuid: string): void;
}

/**
 * Pairing and the paired devices (DESIGN §9): a code shown and waited for, a code typed and the
 * device showing it found, devices listed and unpaired. While a code is open or a join runs, the
 * network admits strangers (to the pairing protocol alone); after, they are hung up on.
 */
export class PairingService {
  private readonly host: PairingHost;
  private joining = 0;

  constructor(private readonly opts: PairingServiceOptions) {
    // The store records each side's new peer before the exchange's last message.
    this.host = new PairingHost({ store: opts.trust });
  }

  /** Whether unpaired peers may connect now: a code is open, or a join runs. */
  welcomesStrangers(): boolean {
    return this.host.isOpen() || this.joining > 0;
  }

  /** Serve one pairing stream from PEERID (the connection's authenticated peer id). */
  handleStream(stream: Stream, peerId: string): Promise<void> {
    return this.host.handleStream(stream, peerId);
  }

  /** Open a code for LIB, tell it with ONCODE, and wait for the joiner (or the code's end). */
  async start(lib: SyncedLibrary, onCode: (code: PairingCodeInfo) => void, signal?: AbortSignal): Promise<PairedInfo> {
    const { network, log } = this.opts;
    await network.ensure();
    const session = this.host.open(this.localInfo(), { id: lib.id, name: lib.name }, { ttlMs: pairingTtlMs() });
    signal?.addEventListener('abort', () => {
      if (this.host.status()?.expiresAt === session.expiresAt) this.host.cancel();
    }, { once: true });
    onCode({ code: session.words.join(' '), expires_at: session.expiresAt });
    let peer;
    try {
      peer = await session.done;
    } finally {
      network.hangUpStrangers();
      network.quietIfAlone();
    }
    this.opts.attach(lib);
    // The pairing's own connection stays: treat it as a paired device's connect (pull, note its addresses).
    network.pairedOn(peer.peer_id);
    log.info({ device: peer.device_uuid, name: peer.name, library: lib.id }, 'paired (this device showed the code)');
    return { device_id: peer.device_uuid, name: peer.name, library_id: lib.id, library_path: lib.path };
  }

  /** Join the device showing WORDS (at PEER, or found by mDNS) and take part in its library. */
  async join(words: string[], opts: { peer?: string } = {}): Promise<PairedInfo> {
    const { network, log, trust } = this.opts;
    // A bad code or address is the caller's mistake, said before anything is sent.
    parsePairingCode(words);
    if (opts.peer !== undefined) parseMultiaddr(opts.peer, { peer: true });
    const node = await network.ensure();
    if (opts.peer === undefined && !node.mdns) {
      network.quietIfAlone();
      throw new VssError('USAGE', 'this daemon listens on loopback only, so it does not look for devices on the LAN (mDNS): give the other device\'s address with --peer (its `vss daemon status` shows it)');
    }
    this.joining++;
    try {
      const signal = AbortSignal.timeout(DISCOVERY_MS);
      const joined = await joinPairing({
        open: pairingDialer(node),
        candidates: opts.peer !== undefined ? [opts.peer] : discoveredPeers(node, signal, [...network.recentlyDiscovered]),
        code: words,
        local: this.localInfo(),
        store: trust,
        signal,
      });
      let lib: SyncedLibrary;
      try {
        lib = this.opts.host.joinLibrary(joined.library.id, joined.library.name);
      } catch (err) {
        // Not half-paired: without its library, the pairing is undone here.
        trust.remove(joined.device.device_uuid);
        await network.hangUp(joined.device.peer_id);
        throw new VssError('PAIRING', `paired, but the library could not be joined, so the pairing is undone: ${(err as Error).message}`, { cause: err });
      }
      this.opts.attach(lib);
      network.pairedOn(joined.device.peer_id);
      log.info({ device: joined.device.device_uuid, name: joined.device.name, library: lib.id }, 'paired (this device joined)');
      return { device_id: joined.device.device_uuid, name: joined.device.name, library_id: lib.id, library_path: lib.path };
    } finally {
      this.joining--;
      network.hangUpStrangers();
      network.quietIfAlone();
    }
  }

  devices(): PairedDeviceItem[] {
    const online = new Set(this.opts.network.running?.connectedPeers() ?? []);
    return this.opts.trust.list().map((d) => pairedDeviceItem(d, online.has(d.peer_id)));
  }

  /** Forget a device: its key is refused from now on, its connections dropped, its availability removed. */
  async unpair(id: string): Promise<{ id: string; name: string }> {
    const d = forgetDevice(this.opts.trust, id, (libraryId, deviceUuid) => this.opts.forgetIn(libraryId, deviceUuid));
    await this.opts.network.hangUp(d.peer_id);
    this.opts.log.info({ device: d.device_uuid, name: d.name }, 'unpaired');
    return { id: d.device_uuid, name: d.name };
  }

  /** The open code, if any, is cancelled (the daemon stops). */
  cancel(): void {
    this.host.cancel();
  }

  /** This device as pairing needs it: its identity and the key that signs the joiner's proof. */
  private localInfo(): LocalDeviceInfo {
    const d = this.opts.device;
    return { deviceUuid: d.uuid, name: d.name, publicKeyPem: d.publicKey, privateKey: createPrivateKey(readFileSync(join(this.opts.dataDir, 'device.key'), 'utf8')) };
  }
}

/** 5 minutes; `VSS_PAIRING_TTL_MS` shortens it for tests of expiry (at least 1 s). */
function pairingTtlMs(): number {
  const v = Number(process.env.VSS_PAIRING_TTL_MS);
  return Number.isInteger(v) && v >= 1000 && v <= PAIRING_TTL_MS ? v : PAIRING_TTL_MS;
}
