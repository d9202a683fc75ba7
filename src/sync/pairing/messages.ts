import { VssError } from '../../core/errors.js';
import { PeerMessageError } from '../messages/fields.js';
import { decodeFrame, readMessage, type MessageIn } from '../messages/channel.js';
import { PEER_MESSAGES, PROTOCOLS, REASON_CHARS } from '../messages/table.js';
import type { MessageChannel } from '../net/message-channel.js';

/**
 * The pairing protocol's messages (`PROTOCOLS.pair`), as the host and the joiner use them. They
 * are rows of the peer-message table (src/sync/messages/table.ts), which types and bounds them;
 * here they are read in pairing's terms: an `error` from the peer is a PairRefusal with its
 * reason, anything malformed a PairProtocolError.
 */
export const PAIR_VERSION = PROTOCOLS.pair.version;
export const PAIR_MAX_MESSAGE_BYTES = PROTOCOLS.pair.maxMessageBytes;

/** Why a host turned an attempt away; the joiner decides from it whether to try another device. */
export const PAIR_ERRORS = PEER_MESSAGES['pair.error'].fields.code.values;
//   no_code: this device has no pairing code open: try another device
//   no_session: it has a code open, but not this one: try another device (counts as a failure there)
//   expired, used, burned, cancelled: the code's fate
//   proof: the proof of the code or the device signature did not verify
//   identity: announced key is not the connection's key
//   protocol: a message out of order, malformed or too large
export type PairErrorCode = (typeof PAIR_ERRORS)[number];

type PairRow = Extract<keyof typeof PEER_MESSAGES, `pair.${string}`>;
export type PairMessageName = PairRow extends `pair.${infer N}` ? N : never;
export type PairMessage<N extends PairMessageName> = MessageIn<`pair.${N}`>;

/** A message the peer sent that breaks the protocol (not an error it reported). */
export class PairProtocolError extends VssError {
  constructor(message: string) {
    super('PEER', message);
    this.name = 'PairProtocolError';
  }
}

/** An error the peer reported with an `error` message. */
export class PairRefusal extends VssError {
  constructor(readonly reason: PairErrorCode, message: string) {
    super('PAIRING', message);
    this.name = 'PairRefusal';
  }
}

/** An `error` message whose text always passes the checks (one line, bounded), whatever error it came from. */
export function pairError(code: PairErrorCode, message: string): PairMessage<'error'> {
  const text = message.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, REASON_CHARS) || code;
  return { t: 'error', code, message: text };
}

export function pairMessage<N extends PairMessageName>(t: N, body: Omit<PairMessage<N>, 't'>): PairMessage<N> {
  return { t, ...body } as PairMessage<N>;
}

/**
 * Check a decoded message: it must be `expected` (an `error` from the peer becomes a PairRefusal),
 * its fields each of the right type and size; fields its row does not list are left out.
 */
export function checkPairMessage<N extends PairMessageName>(raw: unknown, expected: N, frameBytes?: number): PairMessage<N> {
  const wanted = `pair.${expected}` as `pair.${N}`;
  let got;
  try {
    got = readMessage('pair', raw, expected === 'error' ? [wanted] : [wanted, 'pair.error'], frameBytes);
  } catch (err) {
    if (err instanceof PeerMessageError) throw new PairProtocolError(err.message.replace(/^pair message/, 'pairing message'));
    throw err;
  }
  if (got.name === 'pair.error' && expected !== 'error') {
    const e = got.body as PairMessage<'error'>;
    throw new PairRefusal(e.code, e.message);
  }
  return got.body as PairMessage<N>;
}

/** The next pairing message off CH, decoded within the protocol's bounds and checked (see checkPairMessage). */
export async function receivePairMessage<N extends PairMessageName>(ch: MessageChannel, expected: N, signal?: AbortSignal): Promise<PairMessage<N>> {
  const frame = await ch.receiveFrame(signal);
  let raw: unknown;
  try {
    raw = decodeFrame('pair', frame);
  } catch (err) {
    throw new PairProtocolError((err as Error).message);
  }
  return checkPairMessage(raw, expected, frame.byteLength);
}
