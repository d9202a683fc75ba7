import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api, get } from './api.js';
import { API } from './api-paths.js';
import { reportError } from './errors.js';
import { JobItem } from './job-item.js';
import { useJobNames, withNames } from './jobs-view-names.js';
import { QueueProgress } from './queue-progress.js';
import { useLibrary } from './library-context.js';
import { Page } from './page.js';
import { useLiveEvent, useReconnect } from './use-live-event.js';
import { useLoad } from './use-load.js';
import { count } from './format.js';
import type { JobChange, JobProgress, JobRow, JobsProgress, JobTotals, Page as ListPage } from './types.js';

const PAGE = 200;
/** Jobs kept from live events: past it, newer jobs are left to "Show more" (the page stays light during a big scan). */
const MAX_LIVE_ROWS = 2000;
const FILTERS = ['', 'running', 'queued', 'failed', 'completed', 'cancelled', 'paused'] as const;

interface JobList {
  items: JobRow[];
  next: string | null;
}

/**
 * `#/jobs`: the job queue, followed live: each job's state from `jobs:job` events, the queue's
 * progress from `jobs:progress`. Totals of the whole queue at the top; the jobs shown, running
 * and failed first, then newest first. Jobs are read a page at a time, oldest first.
 */
export function JobsView() {
  const lib = useLibrary();
  const [status, setStatus] = useState<(typeof FILTERS)[number]>('');
  const [list, reload, update] = useLoad<JobList>((signal) => get<ListPage<JobRow>>(API.jobs(lib.id, { status, limit: PAGE }), signal), [lib.id, status]);
  const [progress, setProgress] = useState<JobsProgress | null>(null);
  const [busy, setBusy] = useState(false);
  const [totals, reloadTotals] = useLoad((signal) => get<JobTotals>(API.jobCounts(lib.id), signal), [lib.id]);
  // The totals follow the queue, read again at most once a second while jobs change.
  const totalsTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const totalsSoon = useCallback(() => {
    if (totalsTimer.current === null) totalsTimer.current = setTimeout(() => { totalsTimer.current = null; reloadTotals(); }, 1000);
  }, [reloadTotals]);
  useEffect(() => () => { if (totalsTimer.current !== null) clearTimeout(totalsTimer.current); }, []);
  const shown = useMemo(() => (list.state === 'ready' ? [...list.value.items].sort(byUrgencyThenNewest) : []), [list]);

  useLiveEvent('jobs:job', (e) => {
    if (e.library_id !== lib.id) return;
    const change = e.payload as JobChange;
    update((l) => applyChange(l, change, status));
    totalsSoon();
  });
  useLiveEvent('jobs:progress', (e) => {
    if (e.library_id === lib.id) setProgress(e.payload as JobsProgress);
  });
  // A job that moves bytes (a copy from another device) says how far it is.
  useLiveEvent('job:progress', (e) => {
    if (e.library_id !== lib.id) return;
    const p = e.payload as JobProgress;
    update((l) => {
      const at = placeOf(l.items, p.id);
      const old = l.items[at];
      if (old?.id !== p.id || old.status !== 'running') return l;
      const items = l.items.slice();
      items[at] = { ...old, done_bytes: p.doneBytes, bytes: p.totalBytes };
      return { ...l, items };
    });
  });
  useReconnect(reload);
  useReconnect(reloadTotals);
  useJobNames(lib.id, list.state === 'ready' ? list.value.items : null, (names) => update((l) => ({ ...l, items: withNames(l.items, names) })));

  const more = async () => {
    if (list.state !== 'ready' || list.value.next === null) return;
    setBusy(true);
    try {
      const page = await get<ListPage<JobRow>>(API.jobs(lib.id, { status, after: list.value.next, limit: PAGE }));
      update((l) => {
        const have = new Set(l.items.map((j) => j.id));
        return { items: [...l.items, ...page.items.filter((j) => !have.has(j.id))].sort((a, b) => a.id - b.id), next: page.next };
      });
    } catch (err) {
      reportError(err);
    } finally {
      setBusy(false);
    }
  };

  const act = useCallback(async (id: number, action: 'retry' | 'cancel') => {
    try {
      const row = await api<JobRow>('POST', API.jobAct(lib.id, id, action));
      update((l) => ({ ...l, items: l.items.map((j) => (j.id === row.id ? { ...row, name: j.name } : j)) }));
      totalsSoon();
    } catch (err) {
      reportError(err);
    }
  }, [lib.id, update, totalsSoon]);

  return (
    <Page label="Jobs">
      <div className="page-head">
        <h1>Jobs</h1>
        <label className="inline-field">
          Show
          <select value={status} onChange={(e) => setStatus(e.target.value as (typeof FILTERS)[number])}>
            {FILTERS.map((f) => <option key={f} value={f}>{f === '' ? 'all jobs' : f}</option>)}
          </select>
        </label>
      </div>
      {totals.state === 'ready' && <JobTotalsLine totals={totals.value} />}
      <QueueProgress progress={progress} />
      {list.state === 'loading' && <p className="muted" aria-busy="true">Loading…</p>}
      {list.state === 'error' && <p>{list.message}</p>}
      {list.state === 'ready' && (list.value.items.length === 0 ? <p className="muted">No jobs{status ? ` ${status}` : ''}.{status ? '' : ' Thumbnails, text from scans, transcripts and the rest are made as jobs once a folder is indexed in deep mode (the Locations page).'}</p> : (
        <>
          <ul className="jobs" aria-label="Jobs">
            {shown.map((j) => <JobItem key={j.id} job={j} onAct={act} />)}
          </ul>
          {list.value.next !== null && <button type="button" onClick={() => void more()} disabled={busy}>{busy ? 'Loading…' : 'Show more'}</button>}
        </>
      ))}
    </Page>
  );
}

/** The totals of the whole queue, by state. */
function JobTotalsLine({ totals }: { totals: JobTotals }) {
  const parts: Array<[string, number]> = [['running', totals.running], ['queued', totals.queued], ['failed', totals.failed], ['done', totals.completed]];
  if (totals.paused > 0) parts.push(['paused', totals.paused]);
  if (totals.cancelled > 0) parts.push(['cancelled', totals.cancelled]);
  return (
    <dl className="job-totals" aria-label="Job totals">
      {parts.map(([label, n]) => (
        <div key={label} className={`job-total job-total-${label}`}>
          <dt>{label}</dt>
          <dd>{count(n)}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Running jobs first, then failed ones, then the rest; newest first within each. */
const URGENCY: Readonly<Record<string, number>> = { running: 0, failed: 1 };
function byUrgencyThenNewest(a: JobRow, b: JobRow): number {
  return (URGENCY[a.status] ?? 2) - (URGENCY[b.status] ?? 2) || b.id - a.id;
}

/** A job's new state into the list: its row changed; a job the list has not seen is added when the filter takes it (even before the rest of the list is read: new work is what the user watches for). */
function applyChange(list: JobList, change: JobChange, filter: string): JobList {
  const at = placeOf(list.items, change.id);
  const now = Date.now();
  const old = list.items[at];
  if (old?.id === change.id) {
    const row: JobRow = {
      ...old,
      status: change.status,
      error: change.error !== undefined ? change.error : change.status === 'completed' ? null : old.error,
      note: change.note !== undefined ? change.note : old.note,
      attempts: change.status === 'running' && old.status !== 'running' ? old.attempts + 1 : old.attempts,
      updated_at: now,
    };
    const items = list.items.slice();
    items[at] = row;
    return { ...list, items };
  }
  if (filter !== '' && filter !== change.status) return list;
  // Enough drawn: the rest is read on demand, after the last job kept.
  if (list.items.length >= MAX_LIVE_ROWS && at === list.items.length) return list.next !== null ? list : { ...list, next: String(list.items.at(-1)!.id) };
  // The name of a job of the same content, when the list has one; else it is looked up (useJobNames).
  const sibling = change.contentUuid === null ? undefined : list.items.find((j) => j.content_uuid === change.contentUuid && j.name !== undefined);
  const row: JobRow = {
    id: change.id, kind: change.kind, content_uuid: change.contentUuid, ...(sibling ? { name: sibling.name } : {}), status: change.status, attempts: change.status === 'running' ? 1 : 0,
    max_attempts: 0, bytes: 0, error: change.error ?? null, note: change.note ?? null, created_at: now, updated_at: now, started_at: null, finished_at: null,
    params: null, result: null, done_bytes: 0, interruptions: 0,
  };
  const items = list.items.slice();
  items.splice(at, 0, row);
  return { ...list, items };
}

/** Where job ID is, or goes, in ITEMS (sorted by id). */
function placeOf(items: readonly JobRow[], id: number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (items[mid]!.id < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
