import cliProgress from 'cli-progress';
import type { EventBus, JobsProgress } from '../core/events.js';
import { formatBytes } from './output.js';

/**
 * A live line for `jobs run` on a terminal: jobs done of all, rate, ETA, failures. On a pipe
 * (or in CI) it draws nothing.
 */
export function attachJobsReporter(events: EventBus): () => void {
  const tty = Boolean(process.stderr.isTTY) && process.env.CI !== 'true';
  if (!tty) return () => undefined;
  const bar = new cliProgress.SingleBar({
    format: 'Jobs [{bar}] {value}/{total} | {running} running | {failed} failed | {bytes} | {rate} jobs/s | ETA {eta_text}',
    stream: process.stderr, hideCursor: true, clearOnComplete: true,
  }, cliProgress.Presets.shades_classic);
  let started = false;
  const off = events.on('jobs:progress', (p: JobsProgress) => {
    const done = p.completed + p.failed + p.cancelled;
    const total = done + p.queued + p.running;
    const payload = {
      running: p.running, failed: p.failed, rate: p.rate.toFixed(1),
      bytes: formatBytes(p.doneBytes), eta_text: p.etaMs === null ? '-' : `${Math.ceil(p.etaMs / 1000)} s`,
    };
    if (!started) {
      bar.start(total, done, payload);
      started = true;
    } else {
      bar.setTotal(total);
      bar.update(done, payload);
    }
  });
  let detached = false;
  return () => {
    if (detached) return;
    detached = true;
    off();
    if (started) bar.stop();
  };
}
