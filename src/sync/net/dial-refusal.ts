import { VssError } from '../../core/errors.js';
import { protocolIds, type ProtocolName } from '../messages/table.js';
import type { AnsweredKeys } from './answered-keys.js';
import { PeerRefused } from './peer-errors.js';

// Why a dial, or a stream's opening, failed: the refusal it was (a key that answered and hung up,
// a relay that would not carry this device, a protocol not served to it), told apart from a peer
// that is only not there, so a user is told what to do (pair, or wait).

const HUNG_UP = 'it hung up on this device as the connection opened: it lets in only the devices it is paired with (and others while a pairing code is open there)';

/**
 * A dial of TARGET (a multiaddr, or a peer id) begun at SINCE that failed, as the refusal it was:
 * the key asked for answered (its Noise handshake completed) and the connection closed as it was
 * set up, or the relay of a circuit address answered and hung up, or said it may not carry this
 * device there. Undefined: no key answered (an address that does not answer, a timeout), or it
 * failed otherwise.
 */
export function dialRefusal(err: unknown, target: string, answered: AnsweredKeys, since: number): PeerRefused | undefined {
  const { peer, relay } = partsOf(target);
  const closed = closedAsItOpened(err);
  const who = peer ?? answered.lastSince(since);
  if (closed && who !== undefined && answered.answeredSince(who, since)) return new PeerRefused('not-paired', HUNG_UP, err, who);
  if (relay !== undefined && (deniedByRelay(err) || (closed && answered.answeredSince(relay, since)))) {
    return new PeerRefused('relay', 'the relay it was dialled through hung up on this device, or the device did there: through a relay it lets in only the devices it is paired with (and others while a pairing code is open there)', err, peer);
  }
  return undefined;
}

/** The device TARGET names (its last /p2p/), and for a circuit address the relay's. */
function partsOf(target: string): { peer?: string; relay?: string } {
  if (!target.startsWith('/')) return { peer: target };
  const parts = target.split('/');
  const ids = parts.flatMap((p, i) => (parts[i - 1] === 'p2p' ? [p] : []));
  const circuit = parts.indexOf('p2p-circuit');
  if (circuit < 0) return ids.length > 0 ? { peer: ids.at(-1)! } : {};
  const before = parts.slice(0, circuit);
  const relay = before[before.length - 2] === 'p2p' ? before.at(-1) : undefined;
  const after = parts.slice(circuit + 1);
  const peer = after[after.length - 2] === 'p2p' ? after.at(-1) : undefined;
  return { ...(peer !== undefined ? { peer } : {}), ...(relay !== undefined ? { relay } : {}) };
}

/** Whether ERR (or one of the errors it gathers) is a connection or stream closing under a dial, not a refusal to connect. */
function closedAsItOpened(err: unknown): boolean {
  return errorsIn(err).some((e) => ['UnexpectedEOFError', 'ConnectionClosedError', 'StreamResetError', 'StreamStateError'].includes(e.name) || /stream closed|connection (was )?closed/i.test(e.message));
}

/** A relay's answer that it may not carry this circuit (circuit relay v2's PERMISSION_DENIED: its gate said no). */
function deniedByRelay(err: unknown): boolean {
  return errorsIn(err).some((e) => /status PERMISSION_DENIED/.test(e.message));
}

function errorsIn(err: unknown): Error[] {
  const out: Error[] = [];
  const walk = (e: unknown, depth: number): void => {
    if (!(e instanceof Error) || depth > 4) return;
    out.push(e);
    if (e instanceof AggregateError) for (const x of e.errors as unknown[]) walk(x, depth + 1);
    walk((e as { cause?: unknown }).cause, depth + 1);
  };
  walk(err, 0);
  return out;
}

/** What a failure to open a stream of NAME means, as a typed error (libp2p may reject with a bare event). */
export function openFailure(err: unknown, name: ProtocolName, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted) return err;
  const e = err as { name?: unknown; message?: unknown; type?: unknown } | undefined;
  // The dial went through, the peer's key answered (Noise checks it is the peer asked for), and it closed the connection at once.
  if (e?.name === 'ConnectionClosedError' && /during opening/.test(String(e.message))) {
    return new PeerRefused('not-paired', HUNG_UP, err);
  }
  if (e?.name === 'UnsupportedProtocolError') return new PeerRefused('protocol', `it does not serve ${protocolIds(name).join(' or ')} to this device (it is not paired with it, or runs a vss without it)`, err);
  if (err instanceof Error) return err;
  // A stream that closed while it was negotiated (its connection going down) rejects with an event.
  return new VssError('UNAVAILABLE', `the stream closed as it opened (${typeof e?.type === 'string' ? e.type : String(err)})`, { cause: err });
}
