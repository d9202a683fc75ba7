import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Stream } from '@libp2p/interface';
import type { Logger } from 'pino';
import { VssError } from '../../core/errors.js';
import type { Device } from '../../device/identity.js';
import type { PairedDeviceItem, PairedInfo, PairingCodeInfo } from '../../wire/peers.js';
import { parseMultiaddr } from '../net/multiaddrs.js';
import type { PeerNetwork } from '../network.js';
import type { LibraryHost, SyncedLibrary } from '../synced-library.js';
import type { AdmissionTerms, MemberRecord } from '../../tags/member-record.js';
import { parsePairingCode } from './code.js';
import { discoveredPeers, pairingDialer } from './dial.js';
import { forgetDevice, pairedDeviceItem } from './forget.js';
import { readRemovedFrom } from '../members/removed-from.js';
import { makeInvite, parseInvite } from './invite.js';
import { PairingHost } from './host.js';
import { joinPairing } from './join.js';
import type { PairedDevice, PairedDevices } from './paired-devices.js';
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
  /**
   * PEERID was just paired in LIB: it is told every feed of LIB here is there to pull. Its own
   * first pull may have come before LIB was open here (the side that joins a library joins it as
   * the pairing ends, the other side pulls as it ends), and been refused.
   */
  paired(lib: SyncedLibrary, peerId: string, admission?: MemberRecord): void;
  /** Forget an unpaired device in one library it shared (its availability there). */
  forgetIn(libraryId: string, deviceUuid: string): void;
  /** What an admission made here into LIBRARYID of the device with KEY says besides who and when (issue 46). */
  admissionTerms(libraryId: string, key: string): AdmissionTerms;
}

/** How long a relay goes on carrying strangers to this device once its pairing code closed. */
const RELAY_WINDOW_AFTER_MS = 5_000;

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
    this.host = new PairingHost({ store: opts.trust, admissionTerms: (l, k) => opts.admissionTerms(l, k) });
  }

  /** Whether unpaired peers may connect now: a code is open, or a join runs. */
  welcomesStrangers(): boolean {
    return this.host.isOpen() || this.joining > 0;
  }

  /** Serve one pairing stream from PEERID (the connection's authenticated peer id). */
  handleStream(stream: Stream, peerId: string): Promise<void> {
    return this.host.handleStream(stream, peerId);
  }

  /**
   * Open a code for LIB, tell it with ONCODE, and wait for the joiner (or the code's end). No LIB:
   * this device has no library (a relay box set up for the purpose) and joins the joiner's.
   */
  async start(offered: SyncedLibrary | undefined, onCode: (code: PairingCodeInfo) => void, signal?: AbortSignal): Promise<PairedInfo> {
    const { network, log } = this.opts;
    const node = await network.ensure();
    const session = this.host.open(this.localInfo(), offered ? { id: offered.id, name: offered.name } : undefined, { ttlMs: pairingTtlMs() });
    signal?.addEventListener('abort', () => {
      if (this.host.status()?.expiresAt === session.expiresAt) this.host.cancel();
    }, { once: true });
    // The invite names this device's relays: they carry a device that is a stranger to them here while the code lives.
    await network.askRelaysForStrangers(Date.parse(session.expiresAt) - Date.now());
    onCode({ code: session.words.join(' '), expires_at: session.expiresAt, invite: makeInvite(session.words, node.peerId, node.addresses()) });
    let peer, shared, admission;
    try {
      ({ device: peer, library: shared, admission } = await session.done);
    } finally {
      // Not at once: the pairing's last messages may still be on their way through a relay.
      void network.askRelaysForStrangers(RELAY_WINDOW_AFTER_MS);
      network.hangUpStrangers();
      network.quietIfAlone();
    }
    const lib = offered ?? this.joinOrUndo(peer, shared);
    this.opts.attach(lib);
    // The pairing's own connection stays: treat it as a paired device's connect (pull, note its addresses).
    network.pairedOn(peer.peer_id);
    this.opts.paired(lib, peer.peer_id, admission);
    log.info({ device: peer.device_uuid, name: peer.name, library: lib.id }, 'paired (this device showed the code)');
    return { device_id: peer.device_uuid, name: peer.name, library_id: lib.id, library_path: lib.path };
  }

  /**
   * Join the device showing WORDS (at PEER, or found by mDNS) and take part in its library; or the
   * device an INVITE names, at the addresses it carries (its relays, its other networks).
   */
  async join(words: string[], opts: { peer?: string; invite?: string } = {}): Promise<PairedInfo> {
    const { network, log, trust } = this.opts;
    // A bad code, invite or address is the caller's mistake, said before anything is sent.
    const invite = opts.invite !== undefined ? parseInvite(opts.invite) : undefined;
    if (invite) words = invite.words;
    parsePairingCode(words);
    if (opts.peer !== undefined) parseMultiaddr(opts.peer, { peer: true });
    const node = await network.ensure();
    if (opts.peer === undefined && invite === undefined && !node.mdns) {
      network.quietIfAlone();
      throw new VssError('USAGE', 'this daemon listens on loopback only, so it does not look for devices on the LAN (mDNS): give the other device\'s address with --peer (its `vss daemon status` shows it)');
    }
    // Brought to a device showing a code with no library of its own (a relay box).
    const mine = this.currentLibrary();
    this.joining++;
    try {
      const signal = AbortSignal.timeout(DISCOVERY_MS);
      const joined = await joinPairing({
        open: pairingDialer(node),
        candidates: opts.peer !== undefined ? [opts.peer, ...(invite?.addrs ?? [])] : invite ? invite.addrs : discoveredPeers(node, signal, [...network.recentlyDiscovered]),
        code: words,
        local: this.localInfo(),
        store: trust,
        admissionTerms: (l, k) => this.opts.admissionTerms(l, k),
        signal,
        ...(mine ? { library: { id: mine.id, name: mine.name } } : {}),
      });
      const lib = mine?.id === joined.library.id ? mine : this.joinOrUndo(joined.device, joined.library);
      this.opts.attach(lib);
      network.pairedOn(joined.device.peer_id);
      this.opts.paired(lib, joined.device.peer_id, joined.admission);
      log.info({ device: joined.device.device_uuid, name: joined.device.name, library: lib.id }, 'paired (this device joined)');
      return { device_id: joined.device.device_uuid, name: joined.device.name, library_id: lib.id, library_path: lib.path };
    } finally {
      this.joining--;
      network.hangUpStrangers();
      network.quietIfAlone();
    }
  }

  /** The library current here, or none (a device that has none, or one that will not open: then it brings none). */
  private currentLibrary(): SyncedLibrary | undefined {
    try {
      return this.opts.host.current();
    } catch (err) {
      this.opts.log.warn({ err }, 'the current library did not open: pairing brings none');
      return undefined;
    }
  }

  /** Take part in LIBRARY, shared with DEVICE just paired; failing that, the pairing is undone (not half-paired). */
  private joinOrUndo(device: PairedDevice, library: { id: string; name: string }): SyncedLibrary {
    try {
      return this.opts.host.joinLibrary(library.id, library.name);
    } catch (err) {
      this.opts.trust.remove(device.device_uuid);
      void this.opts.network.hangUp(device.peer_id);
      throw new VssError('PAIRING', `paired, but the library could not be joined, so the pairing is undone: ${(err as Error).message}`, { cause: err });
    }
  }

  devices(): PairedDeviceItem[] {
    const removed = readRemovedFrom(this.opts.dataDir);
    return this.opts.trust.list().map((d) => pairedDeviceItem(d, this.opts.network.reachOf(d.peer_id), removed));
  }

  /** Forget a device: its key is refused from now on, its connections dropped, its availability removed. */
  async unpair(id: string): Promise<{ id: string; name: string }> {
    const d = await forgetDevice(this.opts.trust, id, (gone) => this.opts.network.hangUp(gone.peer_id), (libraryId, deviceUuid) => this.opts.forgetIn(libraryId, deviceUuid));
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
