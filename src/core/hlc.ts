/**
 * Hybrid logical clock stamps (DESIGN §15, shared data): `{ms}-{counter}-{device}`, with the
 * milliseconds and counter zero-padded so stamps sort as text in the order they happened (as far
 * as any device could tell), and the device id breaking ties. The newest stamp wins per field.
 */
const MS_DIGITS = 13;
const COUNTER_DIGITS = 6;
const MAX_COUNTER = 10 ** COUNTER_DIGITS - 1;
const STAMP_RE = /^(\d{13})-(\d{6})-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
/** A stamp further ahead of this device's clock than this does not pull the clock along (a peer's clock gone wild). */
export const MAX_DRIFT_MS = 24 * 3600_000;

export interface Stamp {
  ms: number;
  counter: number;
  device: string;
}

export function formatStamp(s: Stamp): string {
  return `${String(s.ms).padStart(MS_DIGITS, '0')}-${String(s.counter).padStart(COUNTER_DIGITS, '0')}-${s.device}`;
}

/** TEXT as a stamp, or undefined when it is not one (a peer's message is checked with this). */
export function parseStamp(text: string): Stamp | undefined {
  const m = STAMP_RE.exec(text);
  if (!m) return undefined;
  return { ms: Number(m[1]), counter: Number(m[2]), device: m[3]! };
}

/**
 * One device's clock. `tick` gives a stamp newer than every stamp this clock gave or saw;
 * `observe` takes in a peer's stamp, so this device's next change sorts after it even when its
 * wall clock is behind (within MAX_DRIFT_MS).
 */
export class HybridClock {
  private ms: number;
  private counter: number;

  constructor(private readonly device: string, last?: string, private readonly wall: () => number = Date.now) {
    const s = last === undefined ? undefined : parseStamp(last);
    this.ms = s?.ms ?? 0;
    this.counter = s?.counter ?? 0;
  }

  /** The newest stamp this clock gave or saw. */
  get last(): string {
    return formatStamp({ ms: this.ms, counter: this.counter, device: this.device });
  }

  tick(): string {
    const now = this.wall();
    if (now > this.ms) {
      this.ms = now;
      this.counter = 0;
    } else if (this.counter < MAX_COUNTER) {
      this.counter++;
    } else {
      this.ms++;
      this.counter = 0;
    }
    return this.last;
  }

  observe(stamp: string): void {
    const s = parseStamp(stamp);
    if (!s || s.ms > this.wall() + MAX_DRIFT_MS) return;
    if (s.ms > this.ms || (s.ms === this.ms && s.counter > this.counter)) {
      this.ms = s.ms;
      this.counter = s.counter;
    }
  }
}
