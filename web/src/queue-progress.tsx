import { count } from './format.js';
import type { JobsProgress } from './types.js';

/** The queue as a whole, since it last left idle: done of all, and how fast, from `jobs:progress` events. */
export function QueueProgress({ progress }: { progress: JobsProgress | null }) {
  if (!progress) return <p className="muted queue">The queue's progress shows here while jobs run.</p>;
  const done = progress.completed + progress.failed + progress.cancelled;
  const all = done + progress.queued + progress.running;
  const value = all === 0 ? 100 : Math.round((done / all) * 100);
  const eta = progress.etaMs !== null && progress.etaMs > 0 ? ` · about ${Math.max(1, Math.round(progress.etaMs / 1000))} s left` : '';
  return (
    <section className="queue card" aria-label="Queue">
      <p>
        {all === 0 || (progress.queued === 0 && progress.running === 0) ? 'Idle' : `${count(progress.running)} running, ${count(progress.queued)} queued`}
        <span className="muted"> · {count(progress.completed)} done{progress.failed ? `, ${count(progress.failed)} failed` : ''}{progress.rate > 0 ? ` · ${progress.rate.toFixed(1)}/s` : ''}{eta}</span>
      </p>
      <div className="bar" role="progressbar" aria-label="Queue" aria-valuemin={0} aria-valuemax={100} aria-valuenow={value}>
        <span className="bar-fill" style={{ width: `${value}%` }} />
      </div>
    </section>
  );
}
