import { decode, encode } from '@msgpack/msgpack';
import { lpStream, type LengthPrefixedStream } from '@libp2p/utils';
import type { Stream } from '@libp2p/interface';
import { VssError } from '../../core/errors.js';

/**
 * Length-prefixed MessagePack messages over one stream, each bounded: a frame above `maxBytes`
 * is refused by the decoder before it is buffered. Raw bytes (file bodies) can be read and
 * written between messages on the same stream.
 */
export class MessageChannel {
  private readonly lp: LengthPrefixedStream<Stream>;

  constructor(readonly stream: Stream, readonly maxBytes: number) {
    this.lp = lpStream(stream, { maxDataLength: maxBytes });
  }

  async send(message: unknown, signal?: AbortSignal): Promise<void> {
    await this.lp.write(encode(message), { signal });
  }

  /** The next message, or an error that says the peer broke the protocol. */
  async receive(signal?: AbortSignal): Promise<unknown> {
    let frame;
    try {
      frame = await this.lp.read({ signal });
    } catch (err) {
      throw new VssError('PEER', `peer sent no valid message: ${(err as Error).message}`, { cause: err });
    }
    try {
      return decode(frame.subarray());
    } catch (err) {
      throw new VssError('PEER', `peer sent a message that does not decode: ${(err as Error).message}`, { cause: err });
    }
  }

  async close(): Promise<void> {
    await this.stream.close().catch(() => undefined);
  }
}
