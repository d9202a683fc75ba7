/**
 * Two libp2p streams joined end to end in memory: each is an `AbstractStream` of @libp2p/utils (the
 * base of every muxed stream libp2p hands out: its read and write buffers, its close, half-close,
 * reset and abort, its pause and drain), and what one end sends reaches the other in the next
 * microtask, in order. A muxer over an in-memory connection (`streamPair`) does the same through
 * a frame encoder and a queue that wait for a timer at every hop: a few milliseconds a message,
 * which the safety model paid hundreds of times a second. The far end pausing its reads is the
 * back-pressure: the sender is told to wait for a drain until it resumes.
 */
// js-libp2p 3's streams call Promise.withResolvers, which Node 20 lacks: without it every read of a
// stream here fails, and no device of the world hears another (what the daemon's node loads first).
import '../../src/sync/net/polyfill.js';
import type { AbortOptions } from '@libp2p/interface';
import { defaultLogger } from '@libp2p/logger';
import { AbstractStream, type SendResult } from '@libp2p/utils';
import type { Uint8ArrayList } from 'uint8arraylist';

class LoopStream extends AbstractStream {
  far: LoopStream | undefined;
  /** The far end paused its reads: what is sent waits for its resume. */
  private held = false;

  sendData(data: Uint8ArrayList): SendResult {
    const bytes = data.subarray();
    const far = this.far!;
    queueMicrotask(() => far.onData(bytes));
    return { sentBytes: bytes.byteLength, canSendMore: !this.held };
  }

  sendReset(): void {
    const far = this.far!;
    queueMicrotask(() => far.onRemoteReset());
  }

  sendPause(): void {
    this.far!.held = true;
  }

  sendResume(): void {
    const far = this.far!;
    far.held = false;
    queueMicrotask(() => far.onMuxerDrain());
  }

  async sendCloseWrite(options?: AbortOptions): Promise<void> {
    const far = this.far!;
    queueMicrotask(() => far.onRemoteCloseWrite());
    options?.signal?.throwIfAborted();
  }

  async sendCloseRead(options?: AbortOptions): Promise<void> {
    const far = this.far!;
    queueMicrotask(() => far.onRemoteCloseRead());
    options?.signal?.throwIfAborted();
  }
}

let made = 0;

/** A stream pair: [the opener's end, the far end]. */
export function loopStreams(): [AbstractStream, AbstractStream] {
  const id = String(made++);
  const log = defaultLogger().forComponent(`vss:safety:stream:${id}`);
  const a = new LoopStream({ id, log, direction: 'outbound' });
  const b = new LoopStream({ id, log, direction: 'inbound' });
  a.far = b;
  b.far = a;
  return [a, b];
}
