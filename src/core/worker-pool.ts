import { Worker, parentPort } from 'node:worker_threads';

/** A request as it crosses to a worker, and the answer as it comes back: matched by id, never by order. */
interface Envelope<T> {
  id: number;
  body: T;
}
type Reply<T> = { id: number; ok: true; body: T } | { id: number; ok: false; message: string };

interface Slot<Res> {
  worker: Worker;
  waiting: Map<number, { resolve: (r: Res) => void; reject: (e: Error) => void }>;
}

/**
 * A fixed set of worker threads running one module (which answers through `serveRequests`),
 * each request going to the least busy one. Answers are matched to requests by id: a worker that
 * finished a later request first can never hand its answer to an earlier one. A worker that dies
 * fails whatever it still owed.
 */
export class WorkerPool<Req, Res> {
  private readonly slots: Array<Slot<Res>>;
  private nextId = 1;

  constructor(workerUrl: URL, threads: number, name: string) {
    this.slots = Array.from({ length: threads }, () => {
      const slot: Slot<Res> = { worker: new Worker(workerUrl), waiting: new Map() };
      slot.worker.on('message', (reply: Reply<Res>) => {
        const w = slot.waiting.get(reply.id);
        if (!w) return;
        slot.waiting.delete(reply.id);
        if (reply.ok) w.resolve(reply.body);
        else w.reject(new Error(`${name} worker: ${reply.message}`));
      });
      const fail = (err: Error) => {
        for (const w of slot.waiting.values()) w.reject(err);
        slot.waiting.clear();
      };
      slot.worker.on('error', fail);
      slot.worker.on('exit', (code) => fail(new Error(`${name} worker exited with code ${code}`)));
      return slot;
    });
  }

  get threads(): number {
    return this.slots.length;
  }

  run(request: Req): Promise<Res> {
    const slot = this.slots.reduce((a, b) => (b.waiting.size < a.waiting.size ? b : a));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      slot.waiting.set(id, { resolve, reject });
      const envelope: Envelope<Req> = { id, body: request };
      slot.worker.postMessage(envelope);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}

/**
 * The worker side of a WorkerPool: HANDLE each request, one at a time in arrival order (handlers
 * may keep per-thread buffers, which two interleaved requests would overwrite), answering by id.
 */
export function serveRequests<Req, Res>(handle: (request: Req) => Promise<Res> | Res): void {
  const port = parentPort;
  if (!port) throw new Error('serveRequests runs only in a worker thread');
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (msg: Envelope<Req>) => {
    queue = queue.then(async () => {
      let reply: Reply<Res>;
      try {
        reply = { id: msg.id, ok: true, body: await handle(msg.body) };
      } catch (err) {
        reply = { id: msg.id, ok: false, message: err instanceof Error ? err.message : String(err) };
      }
      port.postMessage(reply);
    });
  });
}
