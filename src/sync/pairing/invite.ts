import { peerIdFromString } from '@libp2p/peer-id';
import { VssError } from '../../core/errors.js';
import { isLoopbackAddr, isRelayedAddr, parseMultiaddr } from '../net/multiaddrs.js';
import { INVITE_PREFIX, looksLikeInvite } from './invite-prefix.js';
import { parsePairingCode } from './code.js';

/**
 * An invite: a pairing code with where the device showing it can be reached (its peer id, and
 * its addresses through relays and on other networks), in one string to paste or scan, so `pair
 * join` works from any network that reaches one of them. The twelve words alone still work on a
 * LAN. An invite proves nothing by itself: the joiner dials each address expecting the invite's
 * peer id (Noise checks the key that answers), and the code's proofs bind both keys.
 */
export interface Invite {
  words: string[];
  peerId: string;
  addrs: string[];
}

/** Bounds on an invite read from outside: its length, and the addresses tried. */
export const INVITE_MAX_CHARS = 4096;
export const INVITE_MAX_ADDRS = 8;

/**
 * The invite for WORDS shown by PEERID listening at ADDRS: loopback and wildcard addresses are
 * left out unless they are all there is (one machine), direct addresses before relayed ones.
 */
export function makeInvite(words: string[], peerId: string, addrs: string[]): string {
  const own = addrs.map((a) => (a.endsWith(`/p2p/${peerId}`) ? a : `${a}/p2p/${peerId}`)).filter((a) => !/\/ip[46]\/(0\.0\.0\.0|::)\//.test(a));
  const reachable = own.filter((a) => !isLoopbackAddr(a));
  const chosen = reachable.length > 0 ? reachable : own;
  const ordered = [...chosen.filter((a) => !isRelayedAddr(a)).slice(0, INVITE_MAX_ADDRS / 2), ...chosen.filter(isRelayedAddr)].slice(0, INVITE_MAX_ADDRS);
  const body = JSON.stringify({ v: 1, w: words.join(' '), p: peerId, a: ordered });
  return INVITE_PREFIX + Buffer.from(body, 'utf8').toString('base64url');
}

/** Read an invite someone pasted: a usage error says what is wrong with it. */
export function parseInvite(text: string): Invite {
  const t = text.trim();
  if (t.length > INVITE_MAX_CHARS) throw bad(`it is ${t.length} characters long (at most ${INVITE_MAX_CHARS})`);
  if (!looksLikeInvite(t)) throw bad(`it does not start with ${INVITE_PREFIX}`);
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(t.slice(INVITE_PREFIX.length), 'base64url').toString('utf8'));
  } catch {
    throw bad('it is damaged (copy all of it, on one line)');
  }
  const o = raw as { v?: unknown; w?: unknown; p?: unknown; a?: unknown };
  if (typeof o !== 'object' || o === null || o.v !== 1) throw bad('it is not a version this vss reads (update vss on one of the devices)');
  if (typeof o.w !== 'string' || typeof o.p !== 'string' || !Array.isArray(o.a)) throw bad('it is damaged (fields missing)');
  const words = parsePairingCode(o.w).words;
  let peerId: string;
  try {
    peerId = peerIdFromString(o.p).toString();
  } catch {
    throw bad('its device id is not a peer id');
  }
  if (o.a.length === 0 || o.a.length > INVITE_MAX_ADDRS) throw bad(`it names ${o.a.length} addresses (1 to ${INVITE_MAX_ADDRS})`);
  const addrs = o.a.map((a) => {
    if (typeof a !== 'string') throw bad('an address in it is not text');
    parseMultiaddr(a, { peer: true });
    // Every address must end at the invite's device: one naming another would be dialled for nothing.
    if (!a.endsWith(`/p2p/${peerId}`)) throw bad(`the address ${a.slice(0, 120)} is not the inviting device's`);
    return a;
  });
  return { words, peerId, addrs };
}

function bad(why: string): VssError {
  return new VssError('USAGE', `not a vss invite: ${why}; \`vss pair start\` on the other device prints one`);
}
