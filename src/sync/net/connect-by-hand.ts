import { peerIdFromString } from '@libp2p/peer-id';
import type { Logger } from 'pino';
import { VssError } from '../../core/errors.js';
import { DIAL_TIMEOUT_MS } from './dialler.js';
import { parseMultiaddr } from './multiaddrs.js';
import type { PeerNode } from './peer-node.js';
import { PeerRefused } from './peer-errors.js';
import type { PairedDevice, PairedDevices } from '../pairing/paired-devices.js';

/** `devices connect`: a user waits this long for an address typed by hand (a slow link, a far network). */
const CONNECT_TIMEOUT_MS = 10_000;
/** `devices connect` asks the device found where it listens this many times (≤ 1.5 s between tries). */
const CONNECT_IDENTIFY_ATTEMPTS = 4;
/** A newly paired device asked where it listens: this many times, waiting 0.25 s, 0.5 s, … between (≤ 7 s in all). */
const IDENTIFY_ATTEMPTS = 8;
const IDENTIFY_RETRY_MS = 250;

/** What a dial by hand needs of the network. */
export interface HandDial {
  trust: PairedDevices;
  log: Logger;
  /** The node, started if it is not running. */
  ensure(): Promise<PeerNode>;
  /** The node running now, if any. */
  node(): PeerNode | undefined;
  stopped(): boolean;
}

/**
 * `vss devices connect ADDR`: dial a paired device at an address typed by hand, for networks
 * where neither a remembered address, another member nor mDNS finds it (another subnet, a
 * forwarded port). Only a paired key is taken there, and only if it lets this device in too;
 * the address is then remembered first. A typed error says which of these failed.
 */
export async function connectByHand(net: HandDial, addr: string): Promise<{ device: PairedDevice; addr: string }> {
  const named = peerIdIn(addr);
  // A device paired with nobody listens on nothing, and stays so: nothing could be let in.
  if (net.trust.list().length === 0) throw new VssError('PEER', 'no device is paired with this one: pair one first (`vss pair start` there, `vss pair join` here)');
  const node = await net.ensure();
  if (named === node.peerId) throw new VssError('USAGE', `${addr} is this device's own address: give the other device's (its \`vss daemon status\` shows it)`);
  if (named !== undefined && !net.trust.byPeerId(named)) throw notPaired(addr);
  let peerId: string;
  try {
    peerId = await node.connect(addr, AbortSignal.timeout(CONNECT_TIMEOUT_MS));
  } catch (err) {
    throw connectFailed(addr, err);
  }
  // Let in only because a pairing code is open here: still not a paired device (hung up on when the pairing ends).
  const d = net.trust.byPeerId(peerId);
  if (!d) throw notPaired(addr);
  // A device that unpaired this one drops the connection at its gater: it answers nothing.
  if (!(await askWhereItListens(net, peerId, CONNECT_IDENTIFY_ATTEMPTS))) {
    throw new VssError('PEER', `${d.name} (${d.device_uuid}) answers at ${addr} but does not let this device in: it may have unpaired this one (pair again)`);
  }
  const withId = named !== undefined ? addr : `${addr}/p2p/${peerId}`;
  net.trust.noteSeen(d.device_uuid, [withId], new Date().toISOString());
  net.log.info({ device: d.device_uuid, addr: withId }, 'connected to a paired device at an address given by hand');
  return { device: d, addr: withId };
}

/**
 * The other side may not have written this device down as paired yet when the pairing ends here
 * (it still joins the library), and refuses identify to a stranger: asked again a few times.
 */
export async function identifyNewlyPaired(net: Pick<HandDial, 'node' | 'stopped'>, peerId: string): Promise<void> {
  for (let attempt = 0; attempt < IDENTIFY_ATTEMPTS && !net.stopped(); attempt++) {
    const answered = await net.node()?.identify(peerId, AbortSignal.timeout(DIAL_TIMEOUT_MS)).catch(() => false);
    if (answered !== false) return; // answered, or no node any more
    await new Promise((r) => setTimeout(r, IDENTIFY_RETRY_MS * (attempt + 1)).unref());
  }
}

/**
 * Whether PEERID, just dialled, lets this device in: it answers identify. Asked up to ATTEMPTS
 * times (waiting 0.25 s, 0.5 s, … between): a peer answers one identify at a time on a
 * connection, and libp2p asks on its own as one opens. A peer that hangs up does not let us in.
 */
async function askWhereItListens(net: Pick<HandDial, 'node' | 'stopped'>, peerId: string, attempts: number): Promise<boolean> {
  for (let attempt = 0; attempt < attempts && !net.stopped(); attempt++) {
    const answered = await net.node()?.identify(peerId, AbortSignal.timeout(DIAL_TIMEOUT_MS)).catch(() => false);
    if (answered !== false) return true;
    if (!net.node()?.connectedPeers().includes(peerId)) return false; // hung up on: it does not let this device in
    await new Promise((r) => setTimeout(r, IDENTIFY_RETRY_MS * (attempt + 1)).unref());
  }
  return false;
}

/** The peer id an address names (`/p2p/<id>`), as libp2p prints it; a bad address is a usage error. */
function peerIdIn(addr: string): string | undefined {
  const id = parseMultiaddr(addr, { peer: true }).getComponents().find((c) => c.name === 'p2p')?.value;
  return id === undefined ? undefined : peerIdFromString(id).toString();
}

function notPaired(addr: string): VssError {
  return new VssError('PEER', `the device at ${addr} is not paired with this one: pair it first (\`vss pair start\` there, \`vss pair join\` here)`);
}

/** Why a dial by hand failed, as a user can act on it. */
function connectFailed(addr: string, err: unknown): VssError {
  if (err instanceof PeerRefused) return new VssError('PEER', `${addr}: ${err.message}`, { cause: err });
  const e = err instanceof Error ? err : new Error(String(err));
  const all = [e, ...(e instanceof AggregateError ? (e.errors as unknown[]).filter((x): x is Error => x instanceof Error) : [])];
  const said = all.map((x) => `${x.name} ${x.message}`).join(' ');
  if (/ConnectionInterceptedError|blocked by gater/.test(said)) return notPaired(addr);
  if (/dial self/i.test(said)) return new VssError('USAGE', `${addr} is this device's own address: give the other device's`, { cause: err });
  if (/does not match|InvalidPeerIdError|UnexpectedPeer/i.test(said)) return new VssError('PEER', `another device than the one named answers at ${addr}`, { cause: err });
  return new VssError('UNAVAILABLE', `no device answered at ${addr} (${e.message.slice(0, 200)}): is its daemon running, and can this device reach that address?`, { cause: err });
}
