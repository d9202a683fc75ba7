import { bytes, count } from './format.js';
import type { IndexPhase, IndexProgress, IndexResult } from './types.js';

const PHASES: Readonly<Record<IndexPhase, string>> = {
  discovery: 'Finding files', cleanup: 'Clearing what went away', aggregation: 'Adding up folders',
  content: 'Identifying contents', media: 'Reading media metadata', queue: 'Planning thumbnails and text',
};

/** A scan under way: its phase, what it found, and how far the phase is when it knows its total. */
export function IndexProgressBar({ progress, label }: { progress: IndexProgress; label: string }) {
  const known = progress.total !== undefined && progress.total > 0 && progress.done !== undefined;
  const value = known ? Math.round((progress.done! / progress.total!) * 100) : 0;
  return (
    <div className="scan">
      <p className="muted">
        {PHASES[progress.phase]} · {count(progress.files)} files, {bytes(progress.bytes)}
        {known ? ` · ${count(progress.done!)} of ${count(progress.total!)}` : ''}
      </p>
      <div
        className={`bar${known ? '' : ' indeterminate'}`}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        {...(known ? { 'aria-valuenow': value } : { 'aria-valuetext': PHASES[progress.phase] })}
      >
        <span className="bar-fill" style={{ width: `${value}%` }} />
      </div>
    </div>
  );
}

/** A finished scan in a few words. */
export function scanSummary(r: IndexResult): string {
  return `${count(r.files)} files, ${count(r.contents)} contents, in ${(r.duration_ms / 1000).toFixed(1)} s`;
}
