/**
 * One run at a time per key (a pull from one device): a run asked for while one is under way
 * makes that one go again once it ends, instead of running beside it, and its caller waits for
 * that (a "pull now" answered before the pull it asked for had run would say done too early); a
 * run answering true asks for another itself. Nothing starts once `stop` was called.
 */
export class SerialRuns {
  private readonly running = new Map<string, { again: boolean; done: Promise<void> }>();
  private stopped = false;

  run(key: string, once: () => Promise<boolean>): Promise<void> {
    const under = this.running.get(key);
    if (under) {
      under.again = true;
      return under.done;
    }
    const state = { again: false, done: Promise.resolve() };
    state.done = (async () => {
      try {
        do {
          state.again = false;
          if (this.stopped) return;
          if (await once()) state.again = true;
        } while (state.again && !this.stopped);
      } finally {
        this.running.delete(key);
      }
    })();
    this.running.set(key, state);
    return state.done;
  }

  /** Whether a run of KEY is under way. */
  isRunning(key: string): boolean {
    return this.running.has(key);
  }

  stop(): void {
    this.stopped = true;
  }
}
