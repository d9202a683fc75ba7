/**
 * A read rate kept over a scrub: bytes are let through at BYTESPERSEC on average, measured from
 * when the pace began (a file read fast after a pause does not go over, a long pause is not saved
 * up beyond one second's worth). 0 or Infinity: no limit.
 */
export class ReadPace {
  private start: number;
  private allowed: number;

  constructor(private readonly bytesPerSec: number, private readonly now: () => number = () => performance.now()) {
    this.start = now();
    this.allowed = 0;
  }

  get limited(): boolean {
    return this.bytesPerSec > 0 && Number.isFinite(this.bytesPerSec);
  }

  /** How long to wait (ms) after N more bytes were read, to stay at the rate. */
  delayAfter(n: number): number {
    if (!this.limited) return 0;
    const t = this.now();
    // A credit of at most one second: a scrub that waited for a file does not then burst.
    const floor = (t - this.start) * this.bytesPerSec / 1000 - this.bytesPerSec;
    if (this.allowed < floor) this.allowed = floor;
    this.allowed += n;
    const due = this.start + (this.allowed / this.bytesPerSec) * 1000;
    return Math.max(0, due - t);
  }

  /** Wait as long as N more bytes require; undefined when no wait is needed (no promise made per read). */
  take(n: number, signal?: AbortSignal): Promise<void> | undefined {
    const ms = this.delayAfter(n);
    if (ms < 1) return undefined;
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => { clearTimeout(timer); reject(signal!.reason); };
      const timer = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
