import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { api, isAbort, streamed } from './api.js';
import { API } from './api-paths.js';
import { reportError } from './errors.js';
import { bytes, counted, dateTime } from './format.js';
import type { GuardianProtectPlan, GuardianStatus, JobProgress, ProtectOutcome, RepairResult, ScrubResult } from './types.js';

/** Contents not planned the panel names (the CLI's `--dry-run --json` has them all). */
const NOT_PLANNED_SHOWN = 5;

/** A streamed job's progress as the page shows it: bytes done of the total. */
interface Progress {
  done: number;
  total: number;
}

/**
 * The streamed operations of one panel: one at a time, its progress, and a stop when the page
 * goes (the daemon's job goes on: leaving stops only the waiting, as Ctrl-C does in the CLI).
 */
function useStreamed() {
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<Progress | null>(null);
  const stop = useRef<AbortController | null>(null);
  useEffect(() => () => stop.current?.abort(), []);
  const run = useCallback(async <T,>(path: string, body: unknown): Promise<T | undefined> => {
    const ac = new AbortController();
    stop.current = ac;
    setBusy(true);
    setProgress(null);
    try {
      return await streamed<T>(path, body, (name, payload) => {
        const p = payload as Partial<JobProgress> | undefined;
        if (name === 'job:progress' && typeof p?.doneBytes === 'number' && typeof p.totalBytes === 'number') setProgress({ done: p.doneBytes, total: p.totalBytes });
      }, ac.signal);
    } catch (err) {
      if (!isAbort(err)) reportError(err);
      return undefined;
    } finally {
      setBusy(false);
      setProgress(null);
    }
  }, []);
  return { busy, progress, run };
}

function ProgressLine({ p, what }: { p: Progress | null; what: string }) {
  return (
    <p className="muted" role="status" aria-busy="true">
      {what}{p && p.total > 0 ? `: ${bytes(p.done)} of ${bytes(p.total)}` : '…'}
    </p>
  );
}

/**
 * Protect (issue 30): the copies that bring the contents short of their policy up to it, planned
 * first (`--dry-run`: what would go where, what cannot and why), then run as one verified,
 * resumable job — onto drives of this device, a folder, or a paired device's folder.
 */
/** The daemon's protect again, when the box is ticked: once a day (`guardian protect --every 24`). */
const EVERY_DAY = 24;

export function ProtectPanel({ libId, schedule, onDone }: { libId: string; schedule: GuardianStatus['protect_schedule']; onDone: () => void }) {
  const [to, setTo] = useState('');
  const [daily, setDaily] = useState(false);
  const [plan, setPlan] = useState<GuardianProtectPlan | null>(null);
  const [planning, setPlanning] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  /** The files the protect left out, with why (a source gone, changed or rotten since the plan). */
  const [leftOut, setLeftOut] = useState<Array<{ path: string; reason: string }>>([]);
  const { busy, progress, run } = useStreamed();
  const target = to.trim() === '' ? {} : { to: to.trim() };
  const makePlan = useCallback(async (e: FormEvent) => {
    e.preventDefault();
    setPlanning(true);
    setDone(null);
    setLeftOut([]);
    try {
      setPlan(await api<GuardianProtectPlan>('POST', API.guardianProtectPreview(libId), target));
    } catch (err) {
      setPlan(null);
      reportError(err);
    } finally {
      setPlanning(false);
    }
  }, [libId, to]);
  const protect = useCallback(async () => {
    const out = await run<ProtectOutcome>(API.guardianProtect(libId), daily ? { ...target, every: EVERY_DAY } : target);
    if (!out) return;
    const copied = out.result?.copied;
    // What landed as its content, not what the plan meant to copy.
    const done = out.result?.protected ?? { contents: out.result?.contents ?? 0, files: copied?.done ?? 0, bytes: copied?.bytes ?? 0, not_its_content: [] };
    const left = [...(copied?.skipped_items ?? []), ...done.not_its_content];
    setDone(copied ? `Protected ${counted(done.contents, 'content')}: ${counted(done.files, 'file')}, ${bytes(done.bytes)} copied and verified${left.length > 0 ? `; ${counted(left.length, 'file')} left out` : ''}${out.job ? ` (job ${out.job.id})` : ''}.` : 'Nothing to copy: every content meets its policy, or none could be copied here.');
    setLeftOut(left);
    setPlan(null);
    onDone();
  }, [libId, to, daily, run, onDone]);
  const stopSchedule = useCallback(async () => {
    if (await run<ProtectOutcome>(API.guardianProtect(libId), { unschedule: true })) onDone();
  }, [libId, run, onDone]);
  return (
    <section aria-label="Protect">
      <h2>Protect</h2>
      {schedule && (
        <p role="note" aria-label="Protect schedule">
          The daemon protects again every {schedule.every_hours} h{schedule.to !== null ? <> onto <span className="path">{schedule.to}</span></> : ''}; last {dateTime(schedule.last_at)}.{' '}
          <button type="button" onClick={() => void stopSchedule()} disabled={busy}>Stop</button>
        </p>
      )}
      <form className="guardian-protect" aria-label="Where to copy" onSubmit={(e) => void makePlan(e)}>
        <label className="field">
          Copy onto
          <input
            value={to} onChange={(e) => { setTo(e.target.value); setPlan(null); }} disabled={busy}
            placeholder="a drive's name, a folder, or DEVICE:/LOCATION/PATH (empty: chosen drives)"
          />
        </label>
        <button type="submit" disabled={busy || planning}>Plan</button>
      </form>
      {plan && (
        <div className="guardian-plan" role="region" aria-label="The plan">
          <p>
            {plan.files === 0 ? 'Nothing to copy.' : `Would copy ${counted(plan.contents, 'content')}: ${counted(plan.files, 'file')}, ${bytes(plan.bytes)}.`}
          </p>
          {plan.targets.length > 0 && (
            <ul>
              {plan.targets.map((t) => (
                <li key={t.target}>to <span className="path">{t.target}</span>{t.drive ? ` [${t.drive}]` : ''}: {counted(t.files, 'file')}, {bytes(t.bytes)}{t.free_bytes !== null ? ` (${bytes(t.free_bytes)} free)` : ''}</li>
              ))}
            </ul>
          )}
          {plan.not_planned.length > 0 && (
            <>
              <p className="muted">Not copied: {counted(plan.not_planned.length, 'content')} short of their policy</p>
              <ul className="muted">{plan.not_planned.slice(0, NOT_PLANNED_SHOWN).map((n) => <li key={n.content_uuid}>{n.reason}</li>)}</ul>
            </>
          )}
          {plan.files > 0 && (
            <>
              <label className="check">
                <input type="checkbox" checked={daily} onChange={(e) => setDaily(e.target.checked)} disabled={busy} /> and again every day (the daemon does it)
              </label>{' '}
              <button type="button" onClick={() => void protect()} disabled={busy}>Protect now</button>
            </>
          )}
        </div>
      )}
      {busy && <ProgressLine p={progress} what="Copying" />}
      {done && <p role="status">{done}</p>}
      {done && leftOut.length > 0 && (
        <ul className="muted" aria-label="Left out">
          {leftOut.slice(0, NOT_PLANNED_SHOWN).map((s) => <li key={s.path}><span className="path">{s.path}</span>: {s.reason}</li>)}
        </ul>
      )}
    </section>
  );
}

/** Rot (issue 30): a scrub re-reads this device's originals now; what rotted is repaired from a verified copy elsewhere. */
export function RotPanel({ libId, rotten, onDone }: { libId: string; rotten: number; onDone: () => void }) {
  const [said, setSaid] = useState<string | null>(null);
  const { busy, progress, run } = useStreamed();
  const scrub = useCallback(async () => {
    setSaid(null);
    const r = await run<ScrubResult>(API.guardianScrub(libId), {});
    if (!r) return;
    setSaid(`Checked ${counted(r.files, 'file')} (${bytes(r.bytes)}): ${r.rot === 0 ? 'no rot found' : `${counted(r.rot, 'file')} rotten`}.`);
    onDone();
  }, [libId, run, onDone]);
  const repair = useCallback(async () => {
    setSaid(null);
    const r = await run<RepairResult>(API.guardianRepair(libId), {});
    if (!r) return;
    const refused = r.refused.length > 0 ? ` Not repaired: ${r.refused.map((x) => `${x.path.split(/[\\/]/).pop()} (${x.reason})`).join('; ')}.` : '';
    setSaid(`Repaired ${counted(r.repaired.length, 'file')} from verified copies; the damaged ones were kept aside.${refused}`);
    onDone();
  }, [libId, run, onDone]);
  return (
    <section aria-label="Rot">
      <h2>Rot</h2>
      <p className="muted">A scrub reads every original of this device again and finds bytes that changed while their size and time did not; it also runs by itself, monthly.</p>
      <div className="guardian-rot-actions">
        <button type="button" onClick={() => void scrub()} disabled={busy}>Check for rot now</button>
        {rotten > 0 && <button type="button" onClick={() => void repair()} disabled={busy}>Repair {counted(rotten, 'rotten file')}</button>}
      </div>
      {busy && <ProgressLine p={progress} what="Working" />}
      {said && <p role="status">{said}</p>}
    </section>
  );
}
