import { useEffect, useRef, useState } from 'react';
import { operationUrl, type OperationName } from '../../src/api/remote/operations.js';
import { api, ApiError, get } from './api.js';
import { API } from './api-paths.js';
import { reportError } from './errors.js';
import { bytes, clock } from './format.js';
import { useLibrary } from './library-context.js';
import { onLiveEvent } from './live-events.js';
import { SEND_CHUNK as CHUNK } from './send-bounds.js';
import type { AnyDeviceItem, JobChange, JobProgress, JobRow, PairedDeviceItem } from './types.js';

/** Where one send job stands, from its events. */
interface JobState {
  jobId: number;
  status: string;
  done: number;
  total: number;
  rate: number;
  etaMs: number | null;
  error: string | null;
}

/** Where a send stands: its jobs (one per CHUNK of contents), read together; how many picked had no file here (left out). */
interface SendState {
  jobs: JobState[];
  leftOut: number;
}

const ENDED = new Set(['completed', 'failed', 'cancelled']);

/** Whether a session that may call what MAY says may send: it lists the paired devices and queues the send (this machine's user alone, today). */
export function maySend(may: (op: OperationName) => boolean): boolean {
  return may('devicesList') && may('filesSendQueue');
}

/**
 * Send CONTENTS to a paired device (Spacedrop, issue 21): pick the device, send (a `files-send`
 * job of the daemon per CHUNK, from this device's copies), and follow the jobs' progress with their
 * rate and ETA. The content detail sends its content; the grid's selection bar what is picked.
 * It needs the daemon's P2P node, which `vss ui` runs.
 */
export function SendToDevice({ contents }: { contents: readonly string[] }) {
  const lib = useLibrary();
  const [devices, setDevices] = useState<PairedDeviceItem[] | null>(null);
  const [to, setTo] = useState('');
  const [send, setSend] = useState<SendState | null>(null);

  useEffect(() => {
    const ac = new AbortController();
    get<AnyDeviceItem[]>(API.devices(), ac.signal).then((all) => {
      // Files go to devices running vss; a paired browser has no inbox.
      const l = all.filter((d): d is PairedDeviceItem => d.kind === 'device');
      const mine = l.filter((d) => d.libraries.includes(lib.id) || d.libraries.length > 0);
      setDevices(mine);
      setTo((t) => t || (mine.find((d) => d.online) ?? mine[0])?.id || '');
    }, (err: unknown) => { if (!ac.signal.aborted) reportError(err); });
    return () => ac.abort();
  }, [lib.id]);

  const following = send !== null;
  useEffect(() => {
    if (!following) return;
    const change = (id: number, f: (j: JobState) => JobState) => setSend((s) => (s && s.jobs.some((j) => j.jobId === id) ? { ...s, jobs: s.jobs.map((j) => (j.jobId === id ? f(j) : j)) } : s));
    const offProgress = onLiveEvent('job:progress', (e) => {
      const p = e.payload as JobProgress;
      change(p.id, (j) => ({ ...j, status: 'running', done: p.doneBytes, total: p.totalBytes, rate: p.rate, etaMs: p.etaMs }));
    });
    const offJob = onLiveEvent('jobs:job', (e) => {
      const c = e.payload as JobChange;
      change(c.id, (j) => ({ ...j, status: c.status, error: c.error ?? null, ...(c.status === 'completed' ? { done: j.total } : {}) }));
    });
    return () => { offProgress(); offJob(); };
  }, [following]);

  // A cancel while chunks are still being queued stops the queueing too.
  const stopped = useRef(false);
  const start = async () => {
    stopped.current = false;
    setSend({ jobs: [], leftOut: 0 });
    let queuedAny = false;
    try {
      for (let at = 0; at < contents.length && !stopped.current; at += CHUNK) {
        const chunk = contents.slice(at, at + CHUNK);
        let job: JobRow;
        try {
          job = await api<JobRow>('POST', operationUrl('filesSendQueue', { lib: lib.id }), { refs: chunk, to });
        } catch (err) {
          // A chunk of contents none of which has a file here: left out, and the next chunk goes on.
          if (!(err instanceof ApiError && err.code === 'UNAVAILABLE')) throw err;
          setSend((s) => (s ? { ...s, leftOut: s.leftOut + chunk.length } : s));
          continue;
        }
        queuedAny = true;
        if (stopped.current) await api('POST', API.jobAct(lib.id, job.id, 'cancel'));
        const queued: JobState = { jobId: job.id, status: job.status, done: 0, total: job.bytes, rate: 0, etaMs: null, error: null };
        const leftOut = notHereIn(job.params);
        setSend((s) => ({ jobs: [...(s?.jobs ?? []), queued], leftOut: (s?.leftOut ?? 0) + leftOut }));
      }
      if (!queuedAny) {
        setSend(null);
        reportError(new Error(`none of the ${contents.length === 1 ? 'picked item has' : `${contents.length} picked items has`} a file on this device now: send from the device that holds them`));
      }
    } catch (err) {
      // What was queued before the failure goes on (and is followed); nothing queued: pick again.
      setSend((s) => (s && s.jobs.length > 0 ? s : null));
      reportError(err);
    }
  };
  const cancel = async () => {
    if (!send) return;
    stopped.current = true;
    try {
      for (const j of send.jobs) if (!ENDED.has(j.status)) await api('POST', API.jobAct(lib.id, j.jobId, 'cancel'));
    } catch (err) {
      reportError(err);
    }
  };

  if (devices === null) return <p className="muted" aria-busy="true">Loading devices…</p>;
  if (devices.length === 0) return <p className="muted">Pair a device to send this to it (Devices).</p>;
  const all = send === null ? null : together(send.jobs);
  const busy = send !== null && (send.jobs.length === 0 || (all !== null && !ENDED.has(all.status)));
  const value = all === null ? 0 : all.status === 'completed' ? 100 : all.total > 0 ? Math.min(100, Math.round((all.done / all.total) * 100)) : 0;
  return (
    <section className="send-to-device" aria-label="Send to a device">
      <label>
        Send to{' '}
        <select value={to} onChange={(e) => setTo(e.target.value)} disabled={busy}>
          {devices.map((d) => <option key={d.id} value={d.id}>{d.name}{d.online ? '' : ' (offline)'}</option>)}
        </select>
      </label>{' '}
      {busy
        ? <button type="button" onClick={() => void cancel()}>Cancel</button>
        : <button type="button" onClick={() => void start()} disabled={to === ''}>Send</button>}
      {all && send && (
        <div className="job-state">
          <span className={`status status-${all.status}`}>{all.status}</span>
          <div
            className="bar"
            role="progressbar"
            aria-label={`Sending (${send.jobs.length === 1 ? 'job' : 'jobs'} ${send.jobs.map((j) => j.jobId).join(', ')})`}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={value}
            aria-valuetext={all.status === 'running' ? `${bytes(all.done)} of ${bytes(all.total)}` : all.status}
          >
            <span className="bar-fill" style={{ width: `${value}%` }} />
          </div>
          {all.status === 'running' && all.rate > 0 && (
            <span className="muted">{bytes(all.rate)}/s{all.etaMs !== null ? `, ${clock(Math.round(all.etaMs / 1000))} left` : ''}</span>
          )}
          {all.error && <p className="job-note job-error">{all.error}</p>}
          {send.leftOut > 0 && <p className="job-note">{send.leftOut} picked {send.leftOut === 1 ? 'item has' : 'items have'} no file on this device now: left out (send {send.leftOut === 1 ? 'it' : 'them'} from the device that holds {send.leftOut === 1 ? 'it' : 'them'}).</p>}
        </div>
      )}
    </section>
  );
}

/** How many contents a queued send's PARAMS say were left out (no file here when it was queued). */
function notHereIn(params: string | null): number {
  try {
    const p = JSON.parse(params ?? '{}') as { not_here?: unknown };
    return Array.isArray(p.not_here) ? p.not_here.length : 0;
  } catch {
    return 0;
  }
}

/**
 * The jobs of one send read as one: failed or cancelled when any is (its error shown), completed
 * when all are, running while any runs, else queued (one finished, the next not started); bytes and rates summed, the longest wait.
 */
function together(jobs: readonly JobState[]): Omit<JobState, 'jobId'> | null {
  if (jobs.length === 0) return null;
  const worst = jobs.find((j) => j.status === 'failed') ?? jobs.find((j) => j.status === 'cancelled');
  const status = worst?.status ?? (jobs.every((j) => j.status === 'completed') ? 'completed' : jobs.some((j) => j.status === 'running') ? 'running' : 'queued');
  const etas = jobs.map((j) => j.etaMs).filter((e): e is number => e !== null);
  return {
    status,
    done: jobs.reduce((n, j) => n + j.done, 0),
    total: jobs.reduce((n, j) => n + j.total, 0),
    rate: jobs.reduce((n, j) => n + (j.status === 'running' ? j.rate : 0), 0),
    etaMs: etas.length > 0 ? Math.max(...etas) : null,
    error: worst?.error ?? null,
  };
}
