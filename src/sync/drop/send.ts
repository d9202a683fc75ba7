import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Stream } from '@libp2p/interface';
import { VssError } from '../../core/errors.js';
import { answerWithin, PeerChannel } from '../messages/channel.js';
import { REASON_CHARS } from '../messages/table.js';
import type { OfferedItem } from './journal.js';

/*
 * /vss/drop, the sending side: offer the files, send each one's bytes after what the receiver
 * has already, then `end`; the receiver answers `saved` for each file as it places it, and `done`.
 */

const CHUNK = 1024 * 1024;
/** No progress for this long ends a send (the receiver stalled or went away); the next attempt resumes. */
const STALL_MS = 30_000;

/** One file to send: where it is here, and what the offer says of it. */
export interface DropItem extends OfferedItem {
  path: string;
}

/** The receiver refused the send (or one file of it), with its reason. */
export class DropRefused extends VssError {
  constructor(readonly reason: string, readonly retry: boolean, readonly index?: number) {
    super('PEER', `refused by the receiving device: ${reason.slice(0, REASON_CHARS)}`);
    this.name = 'DropRefused';
  }
}

export interface DropSent {
  /** Each item's name in the receiver's inbox. */
  saved: string[];
  /** Bytes that crossed the network in this attempt (a resumed send: only the rest). */
  bytesSent: number;
  /** Bytes the receiver had already when this attempt began. */
  resumedFrom: number;
}

/**
 * Send ITEMS as send TRANSFER over STREAM (a /vss/drop stream to the receiver). ONBYTES hears of
 * the bytes as they go (first the bytes the receiver had already, at once). Throws DropRefused
 * when the receiver says no, VssError UNAVAILABLE when the link stalled or broke (the receiver
 * keeps what came: the next attempt resumes).
 */
export async function sendDrop(stream: Stream, transfer: string, items: readonly DropItem[], opts: { signal?: AbortSignal; onBytes?: (n: number) => void } = {}): Promise<DropSent> {
  const ch = new PeerChannel(stream, 'drop');
  const ac = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, ac.signal]) : ac.signal;
  try {
    const total = items.reduce((n, it) => n + it.size, 0);
    const offered = items.map(({ name, size, blake3, mode, mtime_ms }) => ({ name, size, blake3, ...(mode !== undefined ? { mode } : {}), ...(mtime_ms !== undefined ? { mtime_ms } : {}) }));
    await ch.send('drop.offer', { transfer, total, items: offered }, signal);
    const head = await receiveOrUnavailable(ch, ['drop.accept', 'drop.refused'], answerWithin(STALL_MS, signal));
    if (head.name === 'drop.refused') throw new DropRefused(head.body.reason, head.body.retry === true, head.body.index);
    const offsets = head.body.offsets;
    if (offsets.length !== items.length || offsets.some((o, i) => o > items[i]!.size)) throw new VssError('PEER', 'the receiving device answered offsets that are not of the files offered');
    const resumedFrom = offsets.reduce((a, b) => a + b, 0);
    opts.onBytes?.(resumedFrom);

    // The receiver's answers come while the bytes go: a refusal stops the writing at once.
    const saved: string[] = new Array<string>(items.length);
    let refusal: DropRefused | undefined;
    const answers = (async () => {
      for (let n = 0; ; ) {
        const m = await receiveOrUnavailable(ch, ['drop.saved', 'drop.refused', 'drop.done'], signal);
        if (m.name === 'drop.refused') {
          refusal = new DropRefused(m.body.reason, m.body.retry === true, m.body.index);
          ac.abort(refusal);
          throw refusal;
        }
        if (m.name === 'drop.done') {
          if (n !== items.length) throw new VssError('PEER', `the receiving device said done after ${n} of ${items.length} files`);
          return;
        }
        if (m.body.index >= items.length || saved[m.body.index] !== undefined) throw new VssError('PEER', 'the receiving device confirmed a file that was not offered');
        saved[m.body.index] = m.body.name;
        n++;
      }
    })();
    answers.catch(() => undefined);

    let bytesSent = 0;
    // A write waiting for the stream to drain keeps a listener on the signal it is given until that
    // aborts (p-event): each gets a fresh stall timeout, and a cancel or refusal aborts the stream itself.
    const abortStream = () => stream.abort(signal.reason instanceof Error ? signal.reason : new Error('send stopped'));
    signal.addEventListener('abort', abortStream, { once: true });
    try {
      for (const [i, it] of items.entries()) {
        let left = it.size - offsets[i]!;
        if (left === 0) continue;
        // Never through a symlink put at its place since it was checked.
        const fh = await open(it.path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
        // The next chunk is read while this one is written: the read's round trip to the thread
        // pool no longer stands between two writes.
        const readAt = (at: number, n: number): Promise<Buffer> => {
          // A fresh buffer each time: the stream holds it until the bytes are out.
          const buf = Buffer.allocUnsafe(n);
          const read = fh.read(buf, 0, n, at).then(({ bytesRead }) => buf.subarray(0, bytesRead));
          // Seen as handled while a write is awaited: its failure is thrown when its turn comes.
          read.catch(() => undefined);
          return read;
        };
        let next: Promise<Buffer> | undefined;
        try {
          let at = offsets[i]!;
          next = readAt(at, Math.min(CHUNK, left));
          while (next) {
            const chunk = await next;
            next = undefined;
            if (chunk.byteLength === 0) break;
            at += chunk.byteLength;
            left -= chunk.byteLength;
            if (left > 0) next = readAt(at, Math.min(CHUNK, left));
            await ch.writeBytes(chunk, AbortSignal.timeout(STALL_MS));
            bytesSent += chunk.byteLength;
            opts.onBytes?.(chunk.byteLength);
          }
        } finally {
          // A read still going when a write failed ends before its file is closed.
          await next?.catch(() => undefined);
          await fh.close();
        }
        if (left !== 0) throw new VssError('IO', `${it.path} changed while it was sent (${left} bytes fewer than when it was offered): send it again`, { path: it.path });
      }
      await ch.send('drop.end', {}, signal);
    } catch (err) {
      signal.removeEventListener('abort', abortStream);
      // A receiver that refuses closes the stream: the write may fail before its reason is read.
      if (!refusal) await Promise.race([answers.catch(() => undefined), new Promise((r) => setTimeout(r, 1_000).unref())]);
      if (refusal) throw refusal;
      if (err instanceof VssError) throw err;
      if (opts.signal?.aborted) throw err;
      throw new VssError('UNAVAILABLE', `the link to the receiving device broke after ${bytesSent} bytes (${(err as Error).message})`, { cause: err });
    }
    signal.removeEventListener('abort', abortStream);
    // The last file is checked and put in place after `end`: its bytes are all there, so this is quick.
    const ends = new Promise<never>((_, reject) => {
      const t = setTimeout(() => reject(new VssError('UNAVAILABLE', 'the receiving device did not confirm the files')), 2 * STALL_MS);
      void answers.finally(() => clearTimeout(t)).catch(() => undefined);
    });
    await Promise.race([answers, ends]);
    return { saved, bytesSent, resumedFrom };
  } finally {
    await ch.close();
  }
}

/** Tell the receiver that send TRANSFER was cancelled: its partial files go. Bounded; a failure is only logged by the caller. */
export async function cancelDrop(stream: Stream, transfer: string): Promise<void> {
  const ch = new PeerChannel(stream, 'drop');
  try {
    await ch.send('drop.cancel', { transfer }, AbortSignal.timeout(5_000));
    const m = await ch.receive(['drop.done', 'drop.refused'], { signal: AbortSignal.timeout(5_000), unknown: 'skip' });
    if (m.name === 'drop.refused') throw new DropRefused(m.body.reason, false);
  } finally {
    await ch.close();
  }
}

/** A message, where a stream that ends or stalls is the link's failure (UNAVAILABLE: worth another attempt), not the peer's fault. */
async function receiveOrUnavailable<N extends Parameters<PeerChannel<'drop'>['receive']>[0][number]>(ch: PeerChannel<'drop'>, expected: readonly N[], signal: AbortSignal) {
  try {
    return await ch.receive(expected, { signal, unknown: 'skip' });
  } catch (err) {
    if (signal.aborted && signal.reason instanceof DropRefused) throw signal.reason;
    if (err instanceof VssError && err.code === 'PEER' && !/stream closed|aborted|timed? ?out|reset|EOF/i.test(err.message)) throw err;
    throw new VssError('UNAVAILABLE', `the receiving device stopped answering (${(err as Error).message})`, { cause: err });
  }
}
