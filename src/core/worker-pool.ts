import { Worker } from 'node:worker_threads';

interface Slot<Res> {
  worker: Worker;
  /** Each worker answers its requests in the order they were sent. */
  waiting: Array<{ resolve: (r: Res) => void; reject: (e: Error) => void }>;
}

/**
 * A fixed set of worker threads running one module, each request going to the least busy one.
 * A worker handles its messages one at a time and answers in order, so no ids are needed; a
 * worker that dies fails whatever it still owed.
 */
export class WorkerPool<Req, Res> {
  private readonly slots: Array<Slot<Res>>;

  constructor(workerUrl: URL, threads: number, name: string) {
    this.slots = Array.from({ length: threads }, () => {
      const slot: Slot<Res> = { worker: new Worker(workerUrl), waiting: [] };
      slot.worker.on('message', (out: Res) => slot.waiting.shift()?.resolve(out));
      const fail = (err: Error) => {
        for (const w of slot.waiting.splice(0)) w.reject(err);
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
    const slot = this.slots.reduce((a, b) => (b.waiting.length < a.waiting.length ? b : a));
    return new Promise((resolve, reject) => {
      slot.waiting.push({ resolve, reject });
      slot.worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
