import type { SingleBar } from 'cli-progress';
import { cliProgress } from './progress-bars.js';
import type { JobsProgress, LibraryEvents } from '../api/index.js';

/**
 * A live line for `jobs run` on a terminal: jobs done of all, what is running now, failures,
 * rate and ETA. Kept short enough for an 80-column terminal. On a pipe (or in CI) it draws nothing.
 */
export function attachJobsReporter(events: LibraryEvents): () => void {
  const tty = Boolean(process.stderr.isTTY) && process.env.CI !== 'true';
  if (!tty) return () => undefined;
  const bar = new (cliProgress().SingleBar)({
    format: 'Jobs [{bar}] {value}/{total} | {current} | {failed} failed | {rate}/s | ETA {eta_text}',
    stream: process.stderr, hideCursor: true, clearOnComplete: true, barsize: 16,
  }, cliProgress().Presets.shades_classic);
  const running = new Map<number, string>();
  let paused = false;
  let started = false;
  let last: JobsProgress | undefined;
  const draw = (p: JobsProgress) => {
    const done = p.completed + p.failed + p.cancelled;
    const total = done + p.queued + p.running;
    const kinds = [...new Set(running.values())];
    const payload = {
      current: paused ? 'paused: disk full' : kinds.length ? `running ${kinds.join(', ')}` : 'idle', failed: p.failed, rate: p.rate.toFixed(1),
      eta_text: p.etaMs === null ? '-' : `${Math.ceil(p.etaMs / 1000)} s`,
    };
    if (!started) {
      bar.start(total, done, payload);
      started = true;
    } else {
      bar.setTotal(total);
      bar.update(done, payload);
    }
  };
  const offProgress = events.on('jobs:progress', (p) => {
    last = p;
    draw(p);
  });
  const offJob = events.on('jobs:job', (j) => {
    if (j.status === 'running') running.set(j.id, j.kind);
    else running.delete(j.id);
    if (last) draw(last);
  });
  const offPaused = events.on('jobs:paused', () => {
    paused = true;
    // The pause's own message is printed as a line of its own: take the bar away first (the
    // next progress draws it anew below the message).
    if (started) bar.stop();
    started = false;
  });
  const offResumed = events.on('jobs:resumed', () => {
    paused = false;
    if (last) draw(last);
  });
  let detached = false;
  return () => {
    if (detached) return;
    detached = true;
    offProgress();
    offJob();
    offPaused();
    offResumed();
    if (started) bar.stop();
  };
}
