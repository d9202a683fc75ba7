import { count } from './format.js';
import type { JobsProgress } from './types.js';

/** The queue as a whole, since it last left idle: done of all, and how fast, from `jobs:progress` events. */
export function QueueProgress({ progress }: { progress: JobsProgress | null }) {
  const done = progress ? progress.completed + progress.failed + progress.cancelled : 0;
  const all = progress ? done + progress.queued + progress.running : 0;
  // Nothing known yet, or an idle queue: an empty bar rather than a full one that suggests work was done just now.
  const value = all === 0 ? 0 : Math.round((done / all) * 100);
  const idle = !progress || (progress.queued === 0 && progress.running === 0);
  const eta = progress?.etaMs ? ` · about ${Math.max(1, Math.round(progress.etaMs / 1000))} s left` : '';
  return (
    <section className="queue card" aria-label="Queue">
      <p>
        {idle ? 'Idle' : `${count(progress.running)} running, ${count(progress.queued)} queued`}
        {progress && all > 0 && (
          <span className="muted"> · {count(progress.completed)} done{progress.failed ? `, ${count(progress.failed)} failed` : ''}{progress.rate > 0 ? ` · ${progress.rate.toFixed(1)}/s` : ''}{eta}</span>
        )}
        {!progress && <span className="muted"> · progress shows here as jobs run</span>}
      </p>
      <div className="bar" role="progressbar" aria-label="Queue" aria-valuemin={0} aria-valuemax={100} aria-valuenow={value} aria-valuetext={idle ? 'idle' : `${value}%`}>
        <span className="bar-fill" style={{ width: `${value}%` }} />
      </div>
    </section>
  );
}
