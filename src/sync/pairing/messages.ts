import { VssError } from '../../core/errors.js';
import { UUID_RE } from '../../sidecars/address.js';
import { PROTOCOLS } from '../net/protocols.js';

/**
 * Every message of the pairing protocol (`PROTOCOLS.pair`, version 1), in the order they go:
 * one row each, every field typed and bounded, checked on decode. A frame is bounded before it is
 * read by `PROTOCOLS.pair.maxMessageBytes` (MessageChannel); these bound what is inside it.
 */
export const PAIR_VERSION = 1;
export const PAIR_MAX_MESSAGE_BYTES = PROTOCOLS.pair.maxMessageBytes;

type Field =
  | { type: 'bytes'; len: number }
  | { type: 'text'; max: number }
  | { type: 'uuid' }
  | { type: 'pem' }
  | { type: 'version' }
  | { type: 'enum'; values: readonly string[] }
  | { type: 'object'; fields: Record<string, Field> };

const bytes = (len: number) => ({ type: 'bytes', len }) as const;
const text = (max: number) => ({ type: 'text', max }) as const;
const uuid = { type: 'uuid' } as const;

/** Why a host turned an attempt away; the joiner decides from it whether to try another device. */
export const PAIR_ERRORS = [
  'no_code', // this device has no pairing code open: try another device
  'no_session', // it has a code open, but not this one: try another device (counts as a failure there)
  'expired',
  'used',
  'burned',
  'cancelled',
  'proof', // the proof of the code or the device signature did not verify
  'identity', // announced key is not the connection's key
  'protocol', // a message out of order, malformed or too large
] as const;
export type PairErrorCode = (typeof PAIR_ERRORS)[number];

export const PAIR_MESSAGES = {
  /** J→I: which session, and the joiner's nonce. */
  hello: { v: { type: 'version' }, session_id: bytes(16), nonce_j: bytes(32) },
  /** I→J: the initiator proves the code over both keys and nonces, and challenges the joiner. */
  challenge: { nonce_i: bytes(32), challenge: bytes(32), mac_i: bytes(32) },
  /** J→I: the joiner proves the code and signs the transcript (with the challenge) with its device key. */
  proof: { mac_j: bytes(32), sig: bytes(64) },
  /** I→J, only after both proofs: who the initiator is and the library to join. */
  host_device: {
    device_uuid: uuid,
    name: text(200),
    public_key: { type: 'pem' },
    library: { type: 'object', fields: { id: uuid, name: text(200) } },
  },
  /** J→I: who the joiner is. */
  joiner_device: { device_uuid: uuid, name: text(200), public_key: { type: 'pem' } },
  /** I→J: the initiator has recorded the joiner; the joiner records the initiator. */
  done: {},
  /** Either way, then the stream ends. */
  error: { code: { type: 'enum', values: PAIR_ERRORS }, message: text(500) },
} as const satisfies Record<string, Record<string, Field>>;

export type PairMessageName = keyof typeof PAIR_MESSAGES;

type FieldValue<F> = F extends { type: 'bytes' }
  ? Uint8Array
  : F extends { type: 'version' }
    ? number
    : F extends { type: 'enum' }
      ? PairErrorCode
      : F extends { type: 'object'; fields: infer S }
        ? { [K in keyof S]: FieldValue<S[K]> }
        : string;

export type PairMessage<N extends PairMessageName> = { t: N } & {
  -readonly [K in keyof (typeof PAIR_MESSAGES)[N]]: FieldValue<(typeof PAIR_MESSAGES)[N][K]>;
};

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
  const text = message.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, 500) || code;
  return { t: 'error', code, message: text };
}

export function pairMessage<N extends PairMessageName>(t: N, body: Omit<PairMessage<N>, 't'>): PairMessage<N> {
  return { t, ...body } as PairMessage<N>;
}

/**
 * Check a decoded message: it must be `expected` (an `error` from the peer becomes a PairRefusal),
 * carry exactly the fields of its row, each of the right type and size.
 */
export function checkPairMessage<N extends PairMessageName>(raw: unknown, expected: N): PairMessage<N> {
  if (!isRecord(raw) || typeof raw.t !== 'string') throw new PairProtocolError('pairing message is not a typed object');
  if (raw.t === 'error' && expected !== 'error') {
    const err = checkFields(raw, PAIR_MESSAGES.error, 'error') as unknown as PairMessage<'error'>;
    throw new PairRefusal(err.code, err.message);
  }
  if (raw.t !== expected) throw new PairProtocolError(`expected a ${expected} message, got ${JSON.stringify(raw.t).slice(0, 40)}`);
  return checkFields(raw, PAIR_MESSAGES[expected], expected) as unknown as PairMessage<N>;
}

function checkFields(raw: Record<string, unknown>, spec: Record<string, Field>, where: string, top = true): Record<string, unknown> {
  const allowed = new Set([...(top ? ['t'] : []), ...Object.keys(spec)]);
  const extra = Object.keys(raw).find((key) => !allowed.has(key));
  if (extra !== undefined) throw new PairProtocolError(`${where}: unexpected field ${JSON.stringify(extra).slice(0, 40)}`);
  const out: Record<string, unknown> = top ? { t: raw.t } : {};
  for (const [name, field] of Object.entries(spec)) out[name] = checkField(raw[name], field, `${where}.${name}`);
  return out;
}

const PEM_RE = /^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]{40,200}-----END PUBLIC KEY-----\n?$/;

function checkField(value: unknown, field: Field, where: string): unknown {
  switch (field.type) {
    case 'bytes':
      if (!(value instanceof Uint8Array) || value.length !== field.len) throw new PairProtocolError(`${where}: expected ${field.len} bytes`);
      return value;
    case 'text':
      if (typeof value !== 'string' || value.length === 0 || value.length > field.max || /[\u0000-\u001f\u007f]/.test(value)) {
        throw new PairProtocolError(`${where}: expected a printable text of 1–${field.max} characters`);
      }
      return value;
    case 'uuid':
      if (typeof value !== 'string' || !UUID_RE.test(value.toLowerCase())) throw new PairProtocolError(`${where}: expected a uuid`);
      return value.toLowerCase();
    case 'pem':
      if (typeof value !== 'string' || !PEM_RE.test(value)) throw new PairProtocolError(`${where}: expected a public key (SPKI PEM)`);
      return value;
    case 'version':
      if (value !== PAIR_VERSION) throw new PairProtocolError(`${where}: pairing protocol version ${String(value).slice(0, 20)} is not ${PAIR_VERSION}`);
      return value;
    case 'enum':
      if (typeof value !== 'string' || !field.values.includes(value)) throw new PairProtocolError(`${where}: unknown value`);
      return value;
    case 'object':
      if (!isRecord(value)) throw new PairProtocolError(`${where}: expected an object`);
      return checkFields(value, field.fields, where, false);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}
