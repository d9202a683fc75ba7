import { useEffect, useState } from 'react';
import { operationUrl } from '../../src/api/remote/operations.js';
import { api, get } from './api.js';
import { API } from './api-paths.js';
import { reportError } from './errors.js';
import { bytes, clock } from './format.js';
import { useLibrary } from './library-context.js';
import { onLiveEvent } from './live-events.js';
import type { JobChange, JobProgress, JobRow, PairedDeviceItem } from './types.js';

/** Where a send stands, from its job's events. */
interface SendState {
  jobId: number;
  status: string;
  done: number;
  total: number;
  rate: number;
  etaMs: number | null;
  error: string | null;
}

const ENDED = new Set(['completed', 'failed', 'cancelled']);

/**
 * Send this content to a paired device (Spacedrop, issue 21): pick the device, send (a `files-send`
 * job of the daemon, from this device's copy), and follow the job's progress with its rate and ETA.
 * Meant for the content detail (the lead places it); it needs the daemon's P2P node, which `vss ui` runs.
 */
export function SendToDevice({ contentUuid }: { contentUuid: string }) {
  const lib = useLibrary();
  const [devices, setDevices] = useState<PairedDeviceItem[] | null>(null);
  const [to, setTo] = useState('');
  const [send, setSend] = useState<SendState | null>(null);

  useEffect(() => {
    const ac = new AbortController();
    get<PairedDeviceItem[]>(API.devices(), ac.signal).then((l) => {
      const mine = l.filter((d) => d.libraries.includes(lib.id) || d.libraries.length > 0);
      setDevices(mine);
      setTo((t) => t || (mine.find((d) => d.online) ?? mine[0])?.id || '');
    }, (err: unknown) => { if (!ac.signal.aborted) reportError(err); });
    return () => ac.abort();
  }, [lib.id]);

  const jobId = send?.jobId;
  useEffect(() => {
    if (jobId === undefined) return;
    const offProgress = onLiveEvent('job:progress', (e) => {
      const p = e.payload as JobProgress;
      if (p.id !== jobId) return;
      setSend((s) => (s && s.jobId === jobId ? { ...s, status: 'running', done: p.doneBytes, total: p.totalBytes, rate: p.rate, etaMs: p.etaMs } : s));
    });
    const offJob = onLiveEvent('jobs:job', (e) => {
      const j = e.payload as JobChange;
      if (j.id !== jobId) return;
      setSend((s) => (s && s.jobId === jobId ? { ...s, status: j.status, error: j.error ?? null, ...(j.status === 'completed' ? { done: s.total } : {}) } : s));
    });
    return () => { offProgress(); offJob(); };
  }, [jobId]);

  const start = async () => {
    try {
      const job = await api<JobRow>('POST', operationUrl('filesSendQueue', { lib: lib.id }), { refs: [contentUuid], to });
      setSend({ jobId: job.id, status: job.status, done: 0, total: job.bytes, rate: 0, etaMs: null, error: null });
    } catch (err) {
      reportError(err);
    }
  };
  const cancel = async () => {
    if (!send) return;
    try {
      await api('POST', API.jobAct(lib.id, send.jobId, 'cancel'));
    } catch (err) {
      reportError(err);
    }
  };

  if (devices === null) return <p className="muted" aria-busy="true">Loading devices…</p>;
  if (devices.length === 0) return <p className="muted">Pair a device to send this to it (Devices).</p>;
  const busy = send !== null && !ENDED.has(send.status);
  const value = send === null ? 0 : send.status === 'completed' ? 100 : send.total > 0 ? Math.min(100, Math.round((send.done / send.total) * 100)) : 0;
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
      {send && (
        <div className="job-state">
          <span className={`status status-${send.status}`}>{send.status}</span>
          <div
            className="bar"
            role="progressbar"
            aria-label={`Sending (job ${send.jobId})`}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={value}
            aria-valuetext={send.status === 'running' ? `${bytes(send.done)} of ${bytes(send.total)}` : send.status}
          >
            <span className="bar-fill" style={{ width: `${value}%` }} />
          </div>
          {send.status === 'running' && send.rate > 0 && (
            <span className="muted">{bytes(send.rate)}/s{send.etaMs !== null ? `, ${clock(Math.round(send.etaMs / 1000))} left` : ''}</span>
          )}
          {send.error && <p className="job-note job-error">{send.error}</p>}
        </div>
      )}
    </section>
  );
}
