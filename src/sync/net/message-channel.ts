import { decode, encode } from '@msgpack/msgpack';
import { byteStream, type ByteStream } from '@libp2p/utils';
import { Uint8ArrayList } from 'uint8arraylist';
import type { Stream } from '@libp2p/interface';
import { VssError } from '../../core/errors.js';

/**
 * Bytes a channel holds unread before it pauses the stream. Above it the peer is told to stop
 * (yamux stops granting window) until the reader catches up: a body streamed to disk keeps
 * memory flat however fast the peer sends.
 */
const PAUSE_ABOVE = 4 * 1024 * 1024;
const RESUME_BELOW = 1024 * 1024;
/** What may still arrive after a pause (the window already granted): beyond it the stream is aborted. */
const HARD_LIMIT = 64 * 1024 * 1024;

/**
 * Length-prefixed MessagePack messages over one stream, each bounded: a frame above `maxBytes`
 * is refused by the decoder before it is buffered. Raw bytes (file bodies) can be read and
 * written between messages on the same stream: messages and bodies share one read buffer (two
 * readers on one stream would each get a copy of every byte).
 */
export class MessageChannel {
  // byteStream keeps its read buffer on the object without typing it; its size drives the pause.
  private readonly bytes: ByteStream<Stream> & { readonly readBuffer: Uint8ArrayList };
  private readonly maxLengthBytes: number;

  constructor(readonly stream: Stream, readonly maxBytes: number) {
    this.bytes = byteStream(stream, { maxBufferSize: HARD_LIMIT + maxBytes }) as MessageChannel['bytes'];
    this.maxLengthBytes = varintLength(maxBytes);
    // While paused, what the peer had already been granted lands in the stream's own buffer.
    stream.maxReadBufferLength = Math.max(stream.maxReadBufferLength, HARD_LIMIT);
    // Paused a moment later, never inside the dispatch: a message dispatched by `resume()` comes
    // before resume tells yamux to grant window again, which would undo a pause made here.
    stream.addEventListener('message', () => queueMicrotask(() => {
      if (this.bytes.readBuffer.byteLength > PAUSE_ABOVE && stream.readStatus === 'readable') stream.pause();
    }));
  }

  async send(message: unknown, signal?: AbortSignal): Promise<void> {
    const body = encode(message);
    await this.bytes.write(new Uint8ArrayList(encodeVarint(body.byteLength), body), { signal });
  }

  /** The next message, or an error that says the peer broke the protocol. */
  async receive(signal?: AbortSignal): Promise<unknown> {
    const frame = await this.receiveFrame(signal);
    try {
      return decode(frame);
    } catch (err) {
      throw new VssError('PEER', `peer sent a message that does not decode: ${(err as Error).message}`, { cause: err });
    }
  }

  /** The next message's bytes, undecoded (the peer-message table decodes them with its protocol's bounds). */
  async receiveFrame(signal?: AbortSignal): Promise<Uint8Array> {
    try {
      return (await this.readFrame(signal)).subarray();
    } catch (err) {
      throw new VssError('PEER', `peer sent no valid message: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Raw bytes to the peer (a body between messages), waiting while the stream is full. */
  async writeBytes(data: Uint8Array | Uint8ArrayList, signal?: AbortSignal): Promise<void> {
    await this.bytes.write(data, { signal });
  }

  /**
   * Up to MAX raw bytes as soon as at least one has arrived; null when the peer closed its side.
   * Never more than asked for: what follows stays buffered for the next read or message.
   */
  async readBytes(max: number, signal?: AbortSignal): Promise<Uint8ArrayList | null> {
    // Bytes already buffered would answer at once, however long ago the reader was stopped.
    signal?.throwIfAborted();
    if (max <= 0) return new Uint8ArrayList();
    const buffered = this.bytes.readBuffer.byteLength;
    let out: Uint8ArrayList | null;
    if (buffered > 0) {
      out = await this.bytes.read({ bytes: Math.min(buffered, max), signal });
    } else {
      try {
        out = await this.bytes.read({ bytes: 1, signal });
      } catch (err) {
        if ((err as Error).name === 'UnexpectedEOFError') return null;
        throw err;
      }
      const more = Math.min(this.bytes.readBuffer.byteLength, max - 1);
      if (out && more > 0) out.append(await this.bytes.read({ bytes: more, signal }));
    }
    this.maybeResume();
    return out;
  }

  async close(): Promise<void> {
    await this.stream.close().catch(() => undefined);
  }

  private async readFrame(signal?: AbortSignal): Promise<Uint8ArrayList> {
    let length = 0;
    for (let i = 0; ; i++) {
      if (i >= this.maxLengthBytes) throw new Error(`message length prefix longer than ${this.maxLengthBytes} bytes`);
      const b = await this.bytes.read({ bytes: 1, signal });
      if (b === null) throw new Error('stream closed');
      const byte = b.get(0);
      length += (byte & 0x7f) * 2 ** (7 * i);
      if ((byte & 0x80) === 0) break;
    }
    if (length > this.maxBytes) throw new Error(`message of ${length} bytes is above the bound of ${this.maxBytes}`);
    const frame = length === 0 ? new Uint8ArrayList() : await this.bytes.read({ bytes: length, signal });
    this.maybeResume();
    return frame;
  }

  private maybeResume(): void {
    if (this.stream.readStatus === 'paused' && this.bytes.readBuffer.byteLength < RESUME_BELOW) this.stream.resume();
  }
}

function encodeVarint(n: number): Uint8Array {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return Uint8Array.from(out);
}

function varintLength(n: number): number {
  return encodeVarint(n).byteLength;
}
