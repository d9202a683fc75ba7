import { Worker } from 'node:worker_threads';
import { VssError } from '../../core/errors.js';

const WORKER_URL = new URL('./seal-worker.js', import.meta.url);
/** How long the worker is kept with no upload to seal (its start costs about 60 ms of CPU here). */
const IDLE_MS = 30_000;

/** What the main thread tells the sealing worker. */
export type SealRequest =
  | { kind: 'open'; id: number; head: Uint8Array; payloadKey: Uint8Array; size: number; partSize: number }
  | { kind: 'plain'; id: number; plain: Uint8Array }
  | { kind: 'close'; id: number };
/** What it answers: the parts a piece of plaintext completed, or why it could not. */
export type SealReply = { id: number; parts: Uint8Array[] } | { id: number; error: string };

interface Stream {
  onParts(parts: Buffer[]): void;
  onError(err: Error): void;
}

/**
 * The one sealing worker of this process, shared by the uploads under way (each a stream of its
 * own, by id). Started at the first upload, it holds the event loop only while an upload is open
 * (an aborted upload closes its stream: `SealedStream.close`), and ends after IDLE_MS with none.
 * A worker that fails fails the uploads it was sealing; the next upload starts another.
 */
class SealThread {
  private worker: Worker | undefined;
  private readonly streams = new Map<number, Stream>();
  private nextId = 1;
  private idle: NodeJS.Timeout | undefined;

  open(head: Buffer, payloadKey: Buffer, size: number, partSize: number, stream: Stream): SealedStream {
    const w = this.started();
    const id = this.nextId++;
    this.streams.set(id, stream);
    clearTimeout(this.idle);
    w.ref();
    w.postMessage({ kind: 'open', id, head, payloadKey, size, partSize } satisfies SealRequest);
    let closed = false;
    return {
      push: (plain) => {
        if (closed) return;
        // A buffer of its own is moved to the worker; a slice of a pool (a small read) is copied.
        const own = plain.byteOffset === 0 && plain.byteLength === plain.buffer.byteLength;
        w.postMessage({ kind: 'plain', id, plain } satisfies SealRequest, own ? [plain.buffer as ArrayBuffer] : []);
      },
      close: () => {
        if (closed) return;
        closed = true;
        this.streams.delete(id);
        if (this.worker === w) w.postMessage({ kind: 'close', id } satisfies SealRequest);
        this.release();
      },
    };
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(WORKER_URL);
    w.on('message', (m: SealReply) => {
      const s = this.streams.get(m.id);
      if (!s) return;
      if ('error' in m) s.onError(new VssError('IO', `sealing an upload: ${m.error}`));
      else s.onParts(m.parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength)));
    });
    const fail = (err: Error) => {
      if (this.worker !== w) return;
      this.worker = undefined;
      const open = [...this.streams.values()];
      this.streams.clear();
      for (const s of open) s.onError(err);
      this.release();
    };
    w.on('error', (err) => fail(new VssError('IO', `the sealing worker failed: ${err.message}`, { cause: err })));
    w.on('exit', (code) => fail(new VssError('IO', `the sealing worker exited (code ${code})`)));
    return (this.worker = w);
  }

  /** No upload open: the worker no longer holds the event loop, and ends unless one comes. */
  private release(): void {
    if (this.streams.size > 0 || !this.worker) return;
    const w = this.worker;
    w.unref();
    clearTimeout(this.idle);
    this.idle = setTimeout(() => {
      if (this.worker !== w || this.streams.size > 0) return;
      this.worker = undefined;
      void w.terminate();
    }, IDLE_MS).unref();
  }
}

/** One upload's stream to the sealing worker. */
export interface SealedStream {
  /** The file's next plaintext (moved to the worker when it is a buffer of its own: not to be used after). */
  push(plain: Buffer): void;
  /** Done with it (finished, failed or aborted): the worker drops its sealer. */
  close(): void;
}

let thread: SealThread | undefined;

/** A stream of the process's sealing worker, sealing a file as `PartSealer` does (same arguments), its parts given to STREAM. */
export function openSealing(head: Buffer, payloadKey: Buffer, size: number, partSize: number, stream: Stream): SealedStream {
  return (thread ??= new SealThread()).open(head, payloadKey, size, partSize, stream);
}
