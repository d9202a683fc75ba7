import { memo } from 'react';
import { bytes, dateTime } from './format.js';
import type { JobRow } from './types.js';

/** How far a job is, from its state; a running job that moves bytes (a copy) says its fraction, any other shows a moving bar. */
const PROGRESS: Readonly<Record<string, number>> = { queued: 0, paused: 0, running: 0, completed: 100, failed: 100, cancelled: 100 };
const RETRYABLE = new Set(['failed', 'cancelled']);
const CANCELLABLE = new Set(['queued', 'running', 'paused']);

/** The job's content by its file name; its uuid while the name is being looked up, or when no copy is left. */
function ContentLink({ uuid, name }: { uuid: string; name: string | null | undefined }) {
  const href = `#/content/${uuid}`;
  if (name) return <a className="job-content job-name" href={href} title={name}>{name}</a>;
  return <a className="job-content job-uuid" href={href} aria-label={`content ${uuid.slice(0, 8)}`} aria-busy={name === undefined}>{uuid.slice(0, 8)}</a>;
}

/** One job on a line: what it does, on which content, its state as a progress bar, and Retry or Cancel where the job allows it. */
export const JobItem = memo(function JobItem({ job, onAct }: { job: JobRow; onAct: (id: number, action: 'retry' | 'cancel') => void }) {
  const measured = job.status === 'running' && job.bytes > 0 && job.done_bytes > 0;
  const value = measured ? Math.min(100, Math.round((job.done_bytes / job.bytes) * 100)) : PROGRESS[job.status] ?? 0;
  return (
    <li className={`job job-${job.status}`}>
      <div className="job-what">
        <span className="job-kind">{job.kind}</span>
        {job.content_uuid && <span className="muted" aria-hidden="true">·</span>}
        {job.content_uuid && <ContentLink uuid={job.content_uuid} name={job.name} />}
        <span className="muted job-id">#{job.id}</span>
      </div>
      <div className="job-state">
        <span className={`status status-${job.status}`}>{job.status}</span>
        <div
          className={`bar${job.status === 'running' && !measured ? ' indeterminate' : ''}`}
          role="progressbar"
          aria-label={`Job ${job.id} (${job.kind})`}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={value}
          aria-valuetext={measured ? `${bytes(job.done_bytes)} of ${bytes(job.bytes)}` : job.status}
        >
          <span className="bar-fill" style={{ width: `${value}%` }} />
        </div>
      </div>
      <span className="muted job-when" title={`attempt ${job.attempts}${job.max_attempts ? ` of ${job.max_attempts}` : ''}`}>{dateTime(job.updated_at)}</span>
      <span className="job-actions">
        {/* Only what this job allows: a finished job shows no greyed buttons. */}
        {RETRYABLE.has(job.status) && <button type="button" onClick={() => onAct(job.id, 'retry')}>Retry</button>}
        {CANCELLABLE.has(job.status) && <button type="button" onClick={() => onAct(job.id, 'cancel')}>Cancel</button>}
      </span>
      {(job.error || job.note) && <p className={`job-note ${job.error ? 'job-error' : 'muted'}`}>{job.error ?? job.note}</p>}
    </li>
  );
});
