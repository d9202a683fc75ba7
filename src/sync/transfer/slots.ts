import { PRIORITY_RANK, type FetchPriority } from './rate-limiter.js';

/**
 * How many fetch streams run at once. A user's request never waits for a slot: it runs beside
 * whatever jobs and prefetch hold; among those, a job's turn comes before a prefetch's.
 */
export class Slots {
  private busy = 0;
  private readonly waiting: { rank: number; go(): void }[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(priority: FetchPriority, work: () => Promise<T>): Promise<T> {
    if (priority !== 'user') await this.acquire(PRIORITY_RANK[priority]);
    try {
      return await work();
    } finally {
      if (priority !== 'user') this.release();
    }
  }

  private acquire(rank: number): Promise<void> {
    if (this.busy < this.limit) {
      this.busy++;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const at = this.waiting.findIndex((w) => w.rank > rank);
      this.waiting.splice(at < 0 ? this.waiting.length : at, 0, { rank, go: resolve });
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next.go();
    else this.busy--;
  }
}
