/**
 * Real devices for sync tests and benchmarks: each its own data dir, device identity, library
 * (one library id shared by all, as pairing leaves it) and libp2p node on loopback. Nothing is
 * mocked: fetches go over real Noise/Yamux streams between real nodes. `pairDaemons` pairs two
 * real daemons through the CLI instead.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { Stream } from '@libp2p/interface';
import { Installation } from '../src/library/installation.js';
import { Library } from '../src/library/library.js';
import { writeLibraryConfig } from '../src/library/config.js';
import { PeerNode, type ProtocolHandler } from '../src/sync/net/peer-node.js';
import type { ProtocolName } from '../src/sync/messages/table.js';
import type { PeerLink, RemoteDevice } from '../src/sync/peer-link.js';
import { serveFetch } from '../src/sync/transfer/fetch-protocol.js';
import { TransferStore } from '../src/sync/transfer/store.js';
import { SidecarManager } from '../src/sidecars/manager.js';
import type { SidecarAddress } from '../src/sidecars/address.js';
import { VSS_BIN, json, pairingCodeOf, within, type CliResult } from './helpers.js';
import { cliHere } from './support/cli-here.js';

export interface TestDevice {
  name: string;
  vss: Installation;
  lib: Library;
  store: TransferStore;
  sidecars: SidecarManager;
  node: PeerNode;
  /** Peer ids this node admits and serves (paired devices). */
  trusted: Set<string>;
  remotes: Map<string, RemoteDevice>;
  /** The device as its peers know it. */
  asRemote(): RemoteDevice;
  /** Serve /vss/fetch/1.0.0 honestly (serveFetch), or with HANDLER (a liar); callable again to change how. */
  serve(handler?: ProtocolHandler): Promise<void>;
  /** A PeerLink over this node to the devices it is connected to. */
  link(): PeerLink;
  stop(): Promise<void>;
}

/** Make a device with a library of LIBRARYID (the first device makes it: pass undefined). */
export async function makeDevice(root: string, name: string, libraryId?: string): Promise<TestDevice> {
  const vss = new Installation({ dataDir: join(root, name, 'data') });
  let lib = vss.createLibrary('Shared', join(root, name));
  if (libraryId) {
    const path = lib.root;
    const config = { ...lib.config, id: libraryId };
    lib.close();
    writeLibraryConfig(join(path, 'library.json'), config);
    lib = Library.open(path, vss.device, { grants: vss.grants });
  }
  const trusted = new Set<string>();
  const remotes = new Map<string, RemoteDevice>();
  const node = await PeerNode.start({
    privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'],
    admit: (p) => trusted.has(p), isPaired: (p) => trusted.has(p),
  });
  const store = new TransferStore(lib);
  const honest: ProtocolHandler = async (stream, peer) => {
    const remote = remotes.get(peer);
    if (!remote) throw new Error(`unknown peer ${peer}`);
    await serveFetch(stream, remote, (id) => (id === lib.config.id ? store : undefined));
  };
  let current: ProtocolHandler | undefined;
  const dev: TestDevice = {
    name, vss, lib, store, sidecars: new SidecarManager(lib), node, trusted, remotes,
    asRemote: () => ({ deviceUuid: lib.device.uuid, peerId: node.peerId, name, libraryIds: [lib.config.id] }),
    serve: async (handler) => {
      const first = current === undefined;
      current = handler ?? honest;
      if (first) await node.handle('fetch', (stream, peer, conn) => current!(stream, peer, conn));
    },
    link: () => ({
      connected: () => node.connectedPeers().map((p) => remotes.get(p)).filter((r): r is RemoteDevice => r !== undefined),
      open: (peerId: string, protocol: ProtocolName, signal?: AbortSignal): Promise<Stream> => node.open(peerId, protocol, signal),
    }),
    stop: async () => {
      await node.stop();
      lib.close();
    },
  };
  return dev;
}

/** Pair two devices (each trusts the other's key) and connect them. */
export async function pairAndConnect(a: TestDevice, b: TestDevice): Promise<void> {
  a.trusted.add(b.node.peerId);
  b.trusted.add(a.node.peerId);
  a.remotes.set(b.node.peerId, b.asRemote());
  b.remotes.set(a.node.peerId, a.asRemote());
  await a.node.connect(b.node.addresses()[0]!, AbortSignal.timeout(10_000));
  // The listener finishes its side of the upgrade a moment after the dialer: wait until both see it.
  const until = Date.now() + 10_000;
  while (!b.node.connectedPeers().includes(a.node.peerId)) {
    if (Date.now() > until) throw new Error(`${b.name} never saw ${a.name} connect`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * What availability exchange would have told DEVICE about OWNER's ready sidecar at ADDRESS (the
 * exchange itself is another part's; here the hearsay row is written through the store).
 */
export function tellAvailability(device: TestDevice, owner: TestDevice, address: SidecarAddress, entry?: { size: number; checksum: string }): void {
  const info = owner.sidecars.get(address);
  const size = entry?.size ?? info?.size;
  const checksum = entry?.checksum ?? info?.checksum;
  device.lib.store.availability.heardFrom(owner.lib.device.uuid, 0, Date.now()).heard(address.contentUuid, address.kind, address.variant, address.format, size ?? null, checksum ?? null);
}

/** A new content uuid's address of KIND/VARIANT. */
export function newAddress(kind: SidecarAddress['kind'] = 'thumb', variant = 'grid@1x', format = 'webp'): SidecarAddress {
  return { contentUuid: randomUUID(), kind, variant, format };
}


/**
 * Pair JOINER's daemon with HOST's (each env names a data dir whose daemon runs): `pair start` there,
 * `pair join --peer` here at the host's first listen address (with JOINARGS), both through the real CLI;
 * what `pair join` printed. `pair start` runs beside the join, so it is a child process; the status
 * and the join are asked of the daemons by the CLI in this process (cliHere), a Node start and a
 * load of vss less each: what pairs is the two daemons, whoever asks them.
 */
export async function pairDaemons(host: Record<string, string>, joiner: Record<string, string>, joinArgs: string[] = []): Promise<CliResult> {
  const addr = json<{ listen: string[] }>(await cliHere(['daemon', 'status', '--json'], host)).listen[0]!;
  const starter = spawn(process.execPath, [VSS_BIN, 'pair', 'start', '--json'], { env: { ...process.env, ...host }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((r) => starter.on('exit', (c) => r(c)));
  try {
    const code = await pairingCodeOf(starter, 20_000);
    const joined = await cliHere(['pair', 'join', ...code, '--peer', addr, ...joinArgs], joiner);
    if (joined.code !== 0) throw new Error(`pair join exited ${joined.code}: ${joined.stderr}`);
    const ended = await within('pair start ends once paired', 30_000, exited);
    if (ended !== 0) throw new Error(`pair start exited ${ended}`);
    return joined;
  } finally {
    if (starter.exitCode === null) starter.kill('SIGTERM');
  }
}
