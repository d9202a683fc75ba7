import { Decoder } from '@msgpack/msgpack';
import type { Stream } from '@libp2p/interface';
import type { Uint8ArrayList } from 'uint8arraylist';
import { MessageChannel } from '../net/message-channel.js';
import { checkFields, isRecord, PeerMessageError, type FieldsValue } from './fields.js';
import { PEER_MESSAGES, PROTOCOLS, protocolVersion, type MessageName, type MessageOf, type ProtocolName } from './table.js';

type Row<N extends MessageName> = (typeof PEER_MESSAGES)[N];
type Tag<N extends MessageName> = { -readonly [K in keyof Row<N>['tag']]: Row<N>['tag'][K] };

/** A message as read: its tag fields and its checked fields (a newer peer's other fields left out). */
export type MessageIn<N extends MessageName> = Tag<N> & FieldsValue<Row<N>['fields'], 'in'>;
/** A message's fields as written (its tag is added by `send`). */
export type MessageOut<N extends MessageName> = FieldsValue<Row<N>['fields'], 'out'>;
/** One of the messages a step of an exchange may get. */
export type Received<N extends MessageName> = { [K in N]: { name: K; body: MessageIn<K> } }[N];

/** A message of a kind this device does not know: a newer peer's. */
export class UnknownPeerMessage extends PeerMessageError {
  constructor(readonly protocol: ProtocolName, readonly kind: string) {
    super(`${PROTOCOLS[protocol].id} message of unknown kind ${JSON.stringify(kind).slice(0, 60)} (this device speaks version ${PROTOCOLS[protocol].version})`);
    this.name = 'UnknownPeerMessage';
  }
}

/** Unknown kinds skipped in a row while waiting for an answer, at most: a peer that sends only those is broken. */
const MAX_SKIPPED = 16;

const decoders = new Map<ProtocolName, Decoder>();
function decoderOf(protocol: ProtocolName): Decoder {
  let d = decoders.get(protocol);
  if (!d) decoders.set(protocol, (d = new Decoder({ ...PROTOCOLS[protocol].decoder, maxExtLength: 64 })));
  return d;
}

/** A frame of PROTOCOL decoded with its bounded decoder (a PEER error when it does not decode). */
export function decodeFrame(protocol: ProtocolName, frame: Uint8Array): unknown {
  try {
    return decoderOf(protocol).decode(frame);
  } catch (err) {
    throw new PeerMessageError(`peer sent a message that does not decode: ${(err as Error).message}`);
  }
}

/**
 * Check a decoded message of PROTOCOL against the rows it may be now (EXPECTED): the row whose tag
 * it carries, within that row's bound (FRAMEBYTES, when known), every field of the row checked and
 * anything else left out. A kind this device does not know is an UnknownPeerMessage; a known kind
 * that is not expected now, or a malformed message, a PeerMessageError.
 */
export function readMessage<N extends MessageName>(protocol: ProtocolName, raw: unknown, expected: readonly N[], frameBytes?: number): Received<N> {
  const p = PROTOCOLS[protocol];
  if (!isRecord(raw)) throw new PeerMessageError(`${protocol} message is not a typed object`);
  const name = expected.find((n) => matches(raw, PEER_MESSAGES[n].tag));
  if (name === undefined) {
    const tag = raw[p.tagKey];
    const known = (Object.keys(PEER_MESSAGES) as MessageName[]).find((n) => PEER_MESSAGES[n].protocol === protocol && (PEER_MESSAGES[n].tag as Readonly<Record<string, unknown>>)[p.tagKey] === tag);
    if (known === undefined && typeof tag === 'string') throw new UnknownPeerMessage(protocol, tag);
    // An error is always welcome: the step is named by what it waits for.
    const waited = expected.filter((n) => !n.endsWith('.error'));
    throw new PeerMessageError(`expected a ${(waited.length > 0 ? waited : expected).map(shortName).join(' or ')} message, got ${JSON.stringify(tag ?? null).slice(0, 40)}`);
  }
  const row = PEER_MESSAGES[name];
  if (frameBytes !== undefined && frameBytes > row.maxBytes) throw new PeerMessageError(`${shortName(name)} message of ${frameBytes} bytes is above its bound of ${row.maxBytes}`);
  const body = { ...row.tag, ...checkFields(raw, row.fields, shortName(name)) };
  return { name, body } as Received<N>;
}

/** NAME's message as it goes on the wire: its tag and BODY. */
export function messageOf<N extends MessageName>(name: N, body: MessageOut<N>): Record<string, unknown> {
  return { ...PEER_MESSAGES[name].tag, ...(body as object) };
}

function matches(raw: Record<string, unknown>, tag: Readonly<Record<string, string | boolean>>): boolean {
  for (const [k, v] of Object.entries(tag)) if (raw[k] !== v) return false;
  return true;
}

/** 'availability.pull' → 'pull'. */
function shortName(name: MessageName): string {
  return name.slice(name.indexOf('.') + 1);
}

/**
 * One stream of one protocol, its messages typed by the table: `send` writes a row's message,
 * `receive` reads one of the rows a step expects. Raw bytes (file bodies) go between messages.
 */
export class PeerChannel<P extends ProtocolName> {
  private readonly ch: MessageChannel;

  /** The version of the protocol both ends speak on this stream: the one of the id it was negotiated under. */
  readonly version: number;

  constructor(stream: Stream, readonly protocol: P) {
    this.ch = new MessageChannel(stream, PROTOCOLS[protocol].maxMessageBytes);
    this.version = protocolVersion(protocol, stream.protocol);
  }

  get stream(): Stream {
    return this.ch.stream;
  }

  async send<N extends MessageOf<P>>(name: N, body: MessageOut<N>, signal?: AbortSignal): Promise<void> {
    await this.ch.send(messageOf(name, body), signal);
  }

  /**
   * The next message, which must be one of EXPECTED. UNKNOWN says what to do with a kind this
   * device does not know: `refuse` (a request: the caller answers that it is not served) or
   * `skip` (waiting for an answer: a newer peer's extra message is passed over).
   */
  async receive<N extends MessageOf<P>>(expected: readonly N[], opts: { signal?: AbortSignal; unknown?: 'refuse' | 'skip' } = {}): Promise<Received<N>> {
    for (let skipped = 0; ; skipped++) {
      const frame = await this.ch.receiveFrame(opts.signal);
      try {
        return readMessage(this.protocol, decodeFrame(this.protocol, frame), expected, frame.byteLength);
      } catch (err) {
        if (!(err instanceof UnknownPeerMessage) || opts.unknown !== 'skip' || skipped >= MAX_SKIPPED) throw err;
      }
    }
  }

  writeBytes(data: Uint8Array | Uint8ArrayList, signal?: AbortSignal): Promise<void> {
    return this.ch.writeBytes(data, signal);
  }

  readBytes(max: number, signal?: AbortSignal): Promise<Uint8ArrayList | null> {
    return this.ch.readBytes(max, signal);
  }

  close(): Promise<void> {
    return this.ch.close();
  }
}

/** SIGNAL, or MS passing without an answer, whichever comes first: how long one step of an exchange waits. */
export function answerWithin(ms: number, signal?: AbortSignal): AbortSignal {
  const wait = AbortSignal.timeout(ms);
  return signal ? AbortSignal.any([signal, wait]) : wait;
}
