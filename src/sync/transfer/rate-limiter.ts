import { VssError } from '../../core/errors.js';

export type FetchPriority = 'user' | 'job' | 'prefetch';
export const PRIORITY_RANK: Record<FetchPriority, number> = { user: 0, job: 1, prefetch: 2 };

interface Waiter {
  bytes: number;
  rank: number;
  resolve(): void;
  reject(err: Error): void;
}

/**
 * A token bucket in bytes per second, shared by every transfer of a fetcher. Waiters are served
 * by priority, so a user's bytes pass before a prefetch's. Null: unlimited.
 */
export class RateLimiter {
  private tokens = 0;
  private last = Date.now();
  private readonly queue: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private rate: number | null) {
    this.tokens = this.burst();
  }

  setRate(rate: number | null): void {
    if (rate !== null && !(Number.isFinite(rate) && rate > 0)) throw new VssError('USAGE', `bandwidth must be a positive number of bytes per second or null, not ${rate}`);
    this.rate = rate;
    this.tokens = Math.min(this.tokens, this.burst());
    this.pump();
  }

  /** Wait until BYTES may pass. Bytes already received are taken in debt: the next waiter pays. */
  take(bytes: number, priority: FetchPriority, signal?: AbortSignal): Promise<void> {
    if (this.rate === null && this.queue.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.queue.indexOf(w);
        if (i >= 0) this.queue.splice(i, 1);
        reject(signal!.reason instanceof Error ? signal!.reason : new VssError('PEER', 'aborted'));
      };
      const w: Waiter = {
        bytes, rank: PRIORITY_RANK[priority],
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      const at = this.queue.findIndex((q) => q.rank > w.rank);
      this.queue.splice(at < 0 ? this.queue.length : at, 0, w);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pump();
    });
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const w of this.queue.splice(0)) w.reject(new VssError('PEER', 'the fetcher was closed'));
  }

  private burst(): number {
    return this.rate === null ? Infinity : Math.max(this.rate / 10, 16 * 1024);
  }

  private pump(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const now = Date.now();
    if (this.rate !== null) this.tokens = Math.min(this.burst(), this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    while (this.queue.length > 0 && (this.rate === null || this.tokens > 0)) {
      const w = this.queue.shift()!;
      if (this.rate !== null) this.tokens -= w.bytes;
      w.resolve();
    }
    if (this.queue.length > 0 && this.rate !== null) {
      const waitMs = Math.max(1, Math.ceil(((1 - this.tokens) / this.rate) * 1000));
      this.timer = setTimeout(() => this.pump(), waitMs);
    }
  }
}
