/** How much a new measurement moves a peer's average. */
const ALPHA = 0.3;

interface PeerMeasure {
  /** Bytes per second of bodies, EWMA. */
  throughput: number;
  /** Milliseconds from opening a stream to its first header, EWMA. */
  latencyMs: number;
  /** Failures since the last success: each doubles the peer's estimate. */
  failStreak: number;
}

/**
 * Measured speed of each peer, kept in memory: the fetcher picks the source that would deliver
 * a file soonest. A peer never measured is estimated at zero, so it is tried and then known.
 */
export class PeerStats {
  private readonly byDevice = new Map<string, PeerMeasure>();

  /** Estimated milliseconds for DEVICE to deliver SIZE bytes. */
  estimateMs(device: string, size: number): number {
    const m = this.byDevice.get(device);
    if (!m) return 0;
    const transferMs = m.throughput > 0 ? (size / m.throughput) * 1000 : 0;
    return (Math.max(m.latencyMs, 0) + transferMs) * 2 ** Math.min(m.failStreak, 10) + m.failStreak;
  }

  latency(device: string, ms: number): void {
    const m = this.entry(device);
    m.latencyMs = m.latencyMs < 0 ? ms : m.latencyMs + ALPHA * (ms - m.latencyMs);
  }

  /** A finished transfer of BYTES bodies in MS (after the first header). */
  success(device: string, bytes: number, ms: number): void {
    const m = this.entry(device);
    m.failStreak = 0;
    if (bytes <= 0) return;
    const rate = bytes / Math.max(ms, 1) * 1000;
    m.throughput = m.throughput < 0 ? rate : m.throughput + ALPHA * (rate - m.throughput);
  }

  failure(device: string): void {
    this.entry(device).failStreak++;
  }

  /** What is known of a device (for status and tests), or undefined. */
  of(device: string): Readonly<PeerMeasure> | undefined {
    return this.byDevice.get(device);
  }

  private entry(device: string): PeerMeasure {
    let m = this.byDevice.get(device);
    if (!m) {
      m = { throughput: -1, latencyMs: -1, failStreak: 0 };
      this.byDevice.set(device, m);
    }
    return m;
  }
}
