import { memo } from 'react';
import { dateTime } from './format.js';
import type { JobRow } from './types.js';

/** How far a job is, from its state: the queue tells no fraction within one job. */
const PROGRESS: Readonly<Record<string, number>> = { queued: 0, paused: 0, running: 0, completed: 100, failed: 100, cancelled: 100 };
const RETRYABLE = new Set(['failed', 'cancelled']);
const CANCELLABLE = new Set(['queued', 'running', 'paused']);

/** One job: what it does, on which content, its state as a progress bar, and Retry / Cancel. */
export const JobItem = memo(function JobItem({ job, onAct }: { job: JobRow; onAct: (id: number, action: 'retry' | 'cancel') => void }) {
  const value = PROGRESS[job.status] ?? 0;
  return (
    <li className={`job job-${job.status}`}>
      <div className="job-head">
        <span className="job-kind">{job.kind}</span>
        {job.content_uuid && <a className="job-content" href={`#/content/${job.content_uuid}`}>{job.content_uuid.slice(0, 8)}</a>}
        <span className={`status status-${job.status}`}>{job.status}</span>
        <span className="muted job-id">#{job.id}</span>
      </div>
      <div
        className={`bar${job.status === 'running' ? ' indeterminate' : ''}`}
        role="progressbar"
        aria-label={`Job ${job.id} (${job.kind})`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={value}
        aria-valuetext={job.status}
      >
        <span className="bar-fill" style={{ width: `${value}%` }} />
      </div>
      {(job.error || job.note) && <p className={job.error ? 'job-error' : 'muted'}>{job.error ?? job.note}</p>}
      <div className="job-foot">
        <span className="muted">{job.attempts > 0 ? `attempt ${job.attempts}${job.max_attempts ? ` of ${job.max_attempts}` : ''} · ` : ''}updated {dateTime(job.updated_at)}</span>
        <span className="actions">
          <button type="button" onClick={() => onAct(job.id, 'retry')} disabled={!RETRYABLE.has(job.status)}>Retry</button>
          <button type="button" onClick={() => onAct(job.id, 'cancel')} disabled={!CANCELLABLE.has(job.status)}>Cancel</button>
        </span>
      </div>
    </li>
  );
});
