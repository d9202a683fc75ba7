/**
 * One run at a time per key (a pull from one device): a run asked for while one is under way
 * makes that one go again once it ends, instead of running beside it; a run answering true asks
 * for another itself. Nothing starts once `stop` was called.
 */
export class SerialRuns {
  private readonly running = new Map<string, { again: boolean }>();
  private stopped = false;

  async run(key: string, once: () => Promise<boolean>): Promise<void> {
    const under = this.running.get(key);
    if (under) {
      under.again = true;
      return;
    }
    const state = { again: false };
    this.running.set(key, state);
    try {
      do {
        state.again = false;
        if (this.stopped) return;
        if (await once()) state.again = true;
      } while (state.again && !this.stopped);
    } finally {
      this.running.delete(key);
    }
  }

  /** Whether a run of KEY is under way. */
  isRunning(key: string): boolean {
    return this.running.has(key);
  }

  stop(): void {
    this.stopped = true;
  }
}
