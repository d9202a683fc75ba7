import type { Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { Stream } from '@libp2p/interface';
import { Blake3Hasher } from '@napi-rs/blake-hash';
import { VssError } from '../../core/errors.js';
import { blake3Of } from '../../core/file-blake3.js';
import { PathRefusedError } from '../../library/confine.js';
import { NotTheCheckedFile, openInside, type FileIdentity } from '../../storage/confined-open.js';
import { answerWithin, PeerChannel } from '../messages/channel.js';
import { DROP_REFUSAL_CHARS } from '../messages/table.js';
import type { OfferedItem } from './journal.js';
import type { PlaceRequest } from './drop-place.js';
import { STALL_MS } from './stall.js';

/*
 * /vss/drop, the sending side: offer the files, send each one's bytes after what the receiver
 * has already, then `end`; the receiver answers `saved` for each file as it places it, and `done`.
 * A file offered without its BLAKE3 (version 2) is hashed as its bytes are read to be sent, and
 * the hash (`sum`) follows them: the file is read once. A receiver of version 1 gets the hashes
 * in the offer, the files hashed first.
 */

const CHUNK = 1024 * 1024;

/**
 * One file to send: where it is here and the folder it was checked to lie in (its location), which
 * file the check found, and what the offer says of it (without BLAKE3: the send hashes it). It is
 * opened inside ROOT by storage/confined-open.ts: a folder on its way swapped for a symlink since
 * the check, or another file at its place, stops the send as a file changed while sent.
 */
export interface DropItem extends OfferedItem {
  path: string;
  root: string;
  checked?: FileIdentity;
}

/** The receiver refused the send (or one file of it), with its reason. */
export class DropRefused extends VssError {
  constructor(readonly reason: string, readonly retry: boolean, readonly index?: number) {
    super('PEER', `refused by the receiving device: ${reason.slice(0, DROP_REFUSAL_CHARS)}`);
    this.name = 'DropRefused';
  }
}

export interface DropSent {
  /** Each item's name in the receiver's inbox (or the place's folder). */
  saved: string[];
  /** The items the receiver did not write, their name taken there and the place's policy `skip`. */
  skipped: Set<number>;
  /** Bytes that crossed the network in this attempt (a resumed send: only the rest). */
  bytesSent: number;
  /** Bytes the receiver had already when this attempt began. */
  resumedFrom: number;
}

export interface SendOptions {
  signal?: AbortSignal;
  onBytes?: (n: number) => void;
  /**
   * Another /vss/drop stream to the receiver. A receiver of version 1 waits STALL_MS at most for
   * the offer, which must hold every BLAKE3: with REOPEN, the stream is closed while the files are
   * hashed and the offer goes on a fresh one (a large send hashes for longer than that).
   */
  reopen?: () => Promise<Stream>;
  /** Into this folder of one of the receiver's locations instead of its inbox (version 3's `place`); FORCE: the user said --force. */
  into?: PlaceRequest & { force?: boolean };
  /** Told of each item as the receiver confirms it verified and flushed (a move removes its source then). */
  onSaved?: (index: number, name: string, skipped: boolean) => void | Promise<void>;
}

/**
 * Send FILES as send TRANSFER over STREAM (a /vss/drop stream to the receiver). ONBYTES hears of
 * the bytes as they go (first the bytes the receiver had already, at once). Throws DropRefused
 * when the receiver says no, VssError UNAVAILABLE when the link stalled or broke (the receiver
 * keeps what came: the next attempt resumes).
 */
export async function sendDrop(stream: Stream, transfer: string, files: readonly DropItem[], opts: SendOptions = {}): Promise<DropSent> {
  let ch = new PeerChannel(stream, 'drop');
  const ac = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, ac.signal]) : ac.signal;
  try {
    let items = files;
    if (opts.into && ch.version < 3) throw new DropRefused('it runs a vss too old to take files into a location (update it)', false);
    if (ch.version < 2 && files.some((it) => it.blake3 === undefined)) {
      if (opts.reopen) await ch.close();
      items = await hashedFirst(files, signal);
      if (opts.reopen) {
        stream = await opts.reopen();
        ch = new PeerChannel(stream, 'drop');
      }
    }
    const total = items.reduce((n, it) => n + it.size, 0);
    const offered = items.map(({ name, size, blake3, mode, mtime_ms }) => ({ name, size, ...(blake3 !== undefined ? { blake3 } : {}), ...(mode !== undefined ? { mode } : {}), ...(mtime_ms !== undefined ? { mtime_ms } : {}) }));
    try {
      if (opts.into) {
        const { library, location, dir, onConflict, force } = opts.into;
        await ch.send('drop.place', { transfer, total, library, location, dir, on_conflict: onConflict, ...(force === true ? { force } : {}), items: offered }, signal);
      } else {
        await ch.send('drop.offer', { transfer, total, items: offered }, signal);
      }
    } catch (err) {
      // A stream of a connection going down ("Cannot write to a stream that is closed"): the link's failure, tried again.
      if (opts.signal?.aborted) throw err;
      throw new VssError('UNAVAILABLE', `the link to the receiving device broke as the offer went (${(err as Error).message})`, { cause: err });
    }
    const head = await receiveOrUnavailable(ch, ['drop.accept', 'drop.refused'], answerWithin(STALL_MS, signal));
    if (head.name === 'drop.refused') throw new DropRefused(head.body.reason, head.body.retry === true, head.body.index);
    const offsets = head.body.offsets;
    if (offsets.length !== items.length || offsets.some((o, i) => o > items[i]!.size)) throw new VssError('PEER', 'the receiving device answered offsets that are not of the files offered');
    const placed = new Set(head.body.placed ?? []);
    if ([...placed].some((i) => i >= items.length || offsets[i] !== items[i]!.size)) throw new VssError('PEER', 'the receiving device answered files placed that are not of the files offered');
    const resumedFrom = offsets.reduce((a, b) => a + b, 0);
    opts.onBytes?.(resumedFrom);

    // The receiver's answers come while the bytes go: a refusal stops the writing at once.
    const saved: string[] = new Array<string>(items.length);
    const skipped = new Set<number>();
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
        if (m.body.skipped === true) skipped.add(m.body.index);
        await opts.onSaved?.(m.body.index, m.body.name, m.body.skipped === true);
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
        // A file offered without its BLAKE3 is hashed whole (what the receiver has included) unless it is placed there already.
        const hasher = it.blake3 === undefined && !placed.has(i) ? new Blake3Hasher() : undefined;
        if (left === 0 && !hasher) continue;
        // The file checked, through no symlink anywhere on its path: never another file's bytes.
        const fh = await openChecked(it);
        // The next chunk is read while this one is written: the read's round trip to the thread
        // pool no longer stands between two writes.
        const readAt = (at: number, n: number): Promise<Buffer> => {
          // A fresh buffer each time: the stream holds it until the bytes are out.
          const buf = Buffer.allocUnsafe(n);
          // A read that fails is this file's fault, not the link's: the send fails saying so, not tried again.
          const read = fh.read(buf, 0, n, at).then(({ bytesRead }) => buf.subarray(0, bytesRead), (err: unknown) => { throw unreadable(it, err); });
          // Seen as handled while a write is awaited: its failure is thrown when its turn comes.
          read.catch(() => undefined);
          return read;
        };
        let next: Promise<Buffer> | undefined;
        try {
          // The hash covers what was read as it was sent: a file written meanwhile would be hashed torn, so a change stops it.
          const was = hasher ? await fh.stat() : undefined;
          if (was && (was.size !== it.size || (it.mtime_ms !== undefined && Math.floor(was.mtimeMs) !== it.mtime_ms))) throw changedWhileSent(it);
          if (hasher) await hashHead(fh, offsets[i]!, hasher, it);
          let at = offsets[i]!;
          if (left > 0) next = readAt(at, Math.min(CHUNK, left));
          while (next) {
            const chunk = await next;
            next = undefined;
            if (chunk.byteLength === 0) break;
            at += chunk.byteLength;
            left -= chunk.byteLength;
            if (left > 0) next = readAt(at, Math.min(CHUNK, left));
            const wrote = ch.writeBytes(chunk, AbortSignal.timeout(STALL_MS));
            // Hashed while the chunk goes out: the stream waits on the receiver more than on this thread.
            hasher?.update(chunk);
            await wrote;
            bytesSent += chunk.byteLength;
            opts.onBytes?.(chunk.byteLength);
          }
          if (was && left === 0 && changedSince(was, await fh.stat())) throw changedWhileSent(it);
        } finally {
          // A read still going when a write failed ends before its file is closed.
          await next?.catch(() => undefined);
          await fh.close();
        }
        if (left !== 0) throw new VssError('IO', `${it.path} changed while it was sent (${left} bytes fewer than when it was offered): send it again`, { path: it.path });
        if (hasher) await ch.send('drop.sum', { index: i, blake3: hasher.digest('hex') }, AbortSignal.timeout(STALL_MS));
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
    return { saved, skipped, bytesSent, resumedFrom };
  } finally {
    await ch.close();
  }
}

/** ITEMS with each one's BLAKE3, those without it hashed now (for a receiver of version 1, which takes them in the offer). */
async function hashedFirst(items: readonly DropItem[], signal: AbortSignal): Promise<DropItem[]> {
  const out: DropItem[] = [];
  for (const it of items) {
    signal.throwIfAborted();
    if (it.blake3 !== undefined) {
      out.push(it);
      continue;
    }
    const fh = await openChecked(it);
    let h: { checksum: string; size: number };
    try {
      h = await blake3Of(fh, { signal });
    } catch (err) {
      throw unreadable(it, err);
    } finally {
      await fh.close();
    }
    if (h.size !== it.size) throw changedWhileSent(it);
    out.push({ ...it, blake3: h.checksum });
  }
  return out;
}

/** Hash the first N bytes of FH (IT's file) into HASHER: what the receiver has of it already, for a resumed send's `sum`. */
async function hashHead(fh: FileHandle, n: number, hasher: Blake3Hasher, it: DropItem): Promise<void> {
  const buf = Buffer.allocUnsafe(Math.min(CHUNK, n));
  for (let at = 0; at < n;) {
    const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, n - at), at).catch((err: unknown) => { throw unreadable(it, err); });
    if (bytesRead === 0) throw changedWhileSent(it);
    hasher.update(buf.subarray(0, bytesRead));
    at += bytesRead;
  }
}

/** Whether a file's facts AFTER say it was written since BEFORE (its size, its time, or its inode's change time moved). */
function changedSince(before: Pick<Stats, 'size' | 'mtimeMs' | 'ctimeMs'>, after: Pick<Stats, 'size' | 'mtimeMs' | 'ctimeMs'>): boolean {
  return before.size !== after.size || before.mtimeMs !== after.mtimeMs || before.ctimeMs !== after.ctimeMs;
}

/** IT's file opened to be read: the file its check found, inside its folder (a changed one fails as changed while sent). */
async function openChecked(it: DropItem): Promise<FileHandle> {
  try {
    return (await openInside(it.root, it.path, it.checked)).fh;
  } catch (err) {
    if (err instanceof NotTheCheckedFile) throw changedWhileSent(it, err.why);
    // A symlink at its name now: not the file that was offered either.
    if (err instanceof PathRefusedError && /symlink/.test(err.message)) throw changedWhileSent(it, err.message);
    throw unreadable(it, err);
  }
}

function unreadable(it: DropItem, err: unknown): VssError {
  return new VssError('IO', `${it.path} cannot be read to send: ${(err as Error).message}`, { path: it.path, cause: err });
}

function changedWhileSent(it: DropItem, why?: string): VssError {
  return new VssError('IO', `${it.path} changed while it was sent${why !== undefined ? ` (${why.slice(0, 200)})` : ''}: send it again`, { path: it.path });
}

/** Tell the receiver that send TRANSFER (into INTO's location, if so) was cancelled: its partial files go. Bounded; a failure is only logged by the caller. */
export async function cancelDrop(stream: Stream, transfer: string, into?: Pick<PlaceRequest, 'library' | 'location'>): Promise<void> {
  const ch = new PeerChannel(stream, 'drop');
  try {
    await ch.send('drop.cancel', { transfer, ...(into ? { library: into.library, location: into.location } : {}) }, AbortSignal.timeout(5_000));
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
