import { useState } from 'react';
import { operationUrl } from '../../src/api/remote/operations.js';
import type { GuardianBelowPolicy } from '../../src/wire/guardian.js';
import type { OpPreview } from '../../src/wire/preview.js';
import { api } from './api.js';
import { useFileDestination } from './file-destination.js';
import { fileOpCall, type FileOpName } from './file-op-call.js';
import { baseName, bytes, counted } from './format.js';

export type FileAction = 'copy' | 'move' | 'delete';

/** Contents in one call: as the selection bar's other actions (well inside the daemon's bounds). */
const CHUNK = 10_000;

/** The plan of the whole pick, its chunks' previews added up. */
interface Planned {
  files: number;
  bytes: number;
  conflicts: number;
  /** Bytes to write against the free space where they go (null: a delete writes none). */
  needed: number;
  free: number | null;
  /** Contents the Guardian would not let go (kept, while the rest goes on). */
  refused: GuardianBelowPolicy[];
  notHere: number;
  /** Contents a copy or move leaves alone: a file of each is in the folder already. */
  alreadyThere: number;
}

type Step =
  | { step: 'pick' }
  | { step: 'planning' }
  | { step: 'confirm'; plan: Planned; parts: string[][]; to: string | null; label: string }
  | { step: 'running'; jobs: number[]; done: number; total: number; part: number; parts: number }
  | { step: 'done'; message: string; jobs: number[]; refused: GuardianBelowPolicy[]; skipped: Array<{ path: string; reason: string }> }
  | { step: 'error'; message: string };

const VERB = { copy: ['Copy', 'Copying', 'Copied'], move: ['Move', 'Moving', 'Moved'], delete: ['Delete', 'Deleting', 'Deleted'] } as const;
const OP: Record<FileAction, FileOpName> = { copy: 'filesCopy', move: 'filesMove', delete: 'filesDelete' };

/**
 * The picked contents' files on this device, acted on at once (issue 32): copied into a folder
 * of a location (one file of each content), moved there (one file of each, not the Guardian's
 * backups), or deleted into the trash (all of its files here). Every action is planned first (the
 * daemon's preview: files, bytes, names taken, what the Guardian refuses, what has no file here)
 * and asked for, then run as file-operation jobs, one per CHUNK of contents, followed to their
 * end. A delete is never refused for copy counts (DESIGN §21: the trash loses nothing): what then
 * exists nowhere else, or falls below its policy, is said before and after. CONTENTS reads the
 * pick when a plan is asked for, and that plan's pick is the one run; CHANGED: the grid reads again.
 */
export function SelectionFileActions({ libId, action, contents, close, changed, preset }: {
  libId: string; action: FileAction; contents: () => string[]; close: () => void; changed: () => void;
  /** Where to, already chosen (the explorer's drop onto a folder): no field to pick it. */
  preset?: { to: string; label: string };
}) {
  const [state, setState] = useState<Step>({ step: 'pick' });
  const busy = state.step === 'planning' || state.step === 'running';
  const picked = useFileDestination(libId, busy);
  const dest = preset ? { field: <p className="small">To <strong>{preset.label}</strong></p>, to: preset.to, label: preset.label } : picked;
  const [verb, doing, did] = VERB[action];
  // The pick as planned is the pick run: one picked while the plan is shown waits for the next plan.
  const chunks = () => {
    const all = contents();
    const out: string[][] = [];
    for (let at = 0; at < all.length; at += CHUNK) out.push(all.slice(at, at + CHUNK));
    return out;
  };

  const plan = async () => {
    const to = action === 'delete' ? null : dest.to;
    if (action !== 'delete' && to === null) return;
    setState({ step: 'planning' });
    try {
      const sum: Planned = { files: 0, bytes: 0, conflicts: 0, needed: 0, free: null, refused: [], notHere: 0, alreadyThere: 0 };
      const parts = chunks();
      for (const srcs of parts) {
        // The plan is asked with the flags the run will carry.
        const p = await api<OpPreview>('POST', operationUrl('filesPreview', { lib: libId }), { op: action, srcs, ...(to !== null ? { to, into: true } : {}) });
        sum.files += p.files;
        sum.bytes += p.bytes;
        sum.conflicts += p.conflict_count;
        sum.needed += p.needed_bytes;
        sum.free = p.free_bytes;
        sum.refused.push(...p.below_policy);
        sum.notHere += p.not_here?.length ?? 0;
        sum.alreadyThere += p.already_there?.length ?? 0;
      }
      setState({ step: 'confirm', plan: sum, parts, to, label: dest.label });
    } catch (err) {
      setState({ step: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  };

  const run = async (parts: string[][], to: string | null) => {
    const jobs: number[] = [];
    const refused: GuardianBelowPolicy[] = [];
    const skipped: Array<{ path: string; reason: string }> = [];
    let files = 0;
    setState({ step: 'running', jobs, done: 0, total: 0, part: 1, parts: parts.length });
    try {
      for (const [i, srcs] of parts.entries()) {
        const body = action === 'delete' ? { paths: srcs } : { srcs, to, into: true };
        const out = await fileOpCall(libId, OP[action], body, {
          queued: (id) => { jobs.push(id); setState({ step: 'running', jobs: [...jobs], done: 0, total: 0, part: i + 1, parts: parts.length }); },
          progress: (done, total) => setState({ step: 'running', jobs: [...jobs], done, total, part: i + 1, parts: parts.length }),
        });
        if (!jobs.includes(out.job.id)) jobs.push(out.job.id);
        files += out.result?.done ?? 0;
        refused.push(...(action === 'delete' ? out.result?.below_policy ?? [] : out.result?.kept_below ?? []));
        skipped.push(...(out.result?.skipped_items ?? []));
      }
      const where = to !== null ? ` into ${to}` : ' into the trash';
      setState({ step: 'done', message: `${did} ${counted(files, 'file')}${where}`, jobs, refused, skipped });
    } catch (err) {
      setState({ step: 'error', message: `${err instanceof Error ? err.message : String(err)}${jobs.length > 0 ? ` (jobs ${jobs.join(', ')} ran before it: see Jobs)` : ''}` });
    } finally {
      changed();
    }
  };

  return (
    <section className="selection-files" aria-label={`${verb} selected`}>
      {action !== 'delete' && (state.step === 'pick' || state.step === 'planning') && dest.field}
      {(state.step === 'pick' || state.step === 'planning') && (
        <p className="small">
          {action === 'copy' && 'One file of each picked item on this device is copied; one already in the folder is left as it is. '}
          {action === 'move' && 'One file of each picked item on this device is moved there (never the Guardian\'s own backups); one already in the folder stays. '}
          {action === 'delete' && 'Every file of each picked item on this device goes to the trash (restorable for 30 days). '}
          <button type="button" disabled={busy || (action !== 'delete' && dest.to === null)} onClick={() => void plan()}>{state.step === 'planning' ? 'Planning…' : `${verb}…`}</button>{' '}
          <button type="button" onClick={close}>Cancel</button>
        </p>
      )}
      {state.step === 'confirm' && <Confirm action={action} picked={state.parts.reduce((n, c) => n + c.length, 0)} plan={state.plan} label={state.label} onRun={() => void run(state.parts, state.to)} onCancel={close} />}
      {state.step === 'running' && (
        <div role="status" aria-live="polite" className="small">
          {doing}{state.parts > 1 ? ` (part ${state.part} of ${state.parts})` : ''}…{' '}
          {state.jobs.length > 0 && `job ${state.jobs.join(', ')} (on the Jobs page too) `}
          <progress aria-label={`${doing} progress`} max={Math.max(state.total, 1)} value={state.done} />
          {state.total > 0 && ` ${bytes(state.done)} of ${bytes(state.total)}`}
        </div>
      )}
      {state.step === 'done' && (
        <div className="small">
          <p role="status">{state.message} (job {state.jobs.join(', ')})</p>
          {action === 'delete' ? <LeftInTrash below={state.refused} /> : <Refused refused={state.refused} title="Kept: the Guardian refused to delete" />}
          {state.skipped.length > 0 && (
            <ul aria-label="Skipped">{state.skipped.map((s) => <li key={s.path}>{s.path}: {s.reason}</li>)}</ul>
          )}
          <button type="button" onClick={close}>Close</button>
        </div>
      )}
      {state.step === 'error' && (
        <div className="small">
          <p role="alert" className="error">{state.message}</p>
          <button type="button" onClick={close}>Close</button>
        </div>
      )}
    </section>
  );
}

/** The plan, asked for: what goes where, what the Guardian keeps and why, what has no file here. */
function Confirm({ action, picked, plan, label, onRun, onCancel }: { action: FileAction; picked: number; plan: Planned; label: string; onRun: () => void; onCancel: () => void }) {
  const [verb] = VERB[action];
  const what = `${counted(plan.files, 'file')} (${bytes(plan.bytes)})`;
  const fits = plan.free === null || plan.needed <= plan.free;
  // A delete is never refused: what goes is the picked items not away from this device.
  const goes = action === 'delete' ? picked - plan.notHere : plan.files;
  return (
    <div role="alertdialog" aria-label={`Confirm ${action}`} className="small">
      <p>
        {action === 'delete' ? `Move ${what} of the picked items to the trash? They can be restored for 30 days.` : `${verb} ${what} into ${label}?`}
        {plan.conflicts > 0 && ` ${counted(plan.conflicts, 'name')} taken there: both are kept (the new one renamed).`}
      </p>
      {!fits && <p className="error">It needs {bytes(plan.needed)}; {bytes(plan.free)} is free there.</p>}
      {action === 'delete' ? <LeftInTrash below={plan.refused} /> : <Refused refused={plan.refused} title="The Guardian refuses this" />}
      {plan.alreadyThere > 0 && <p className="muted">{counted(plan.alreadyThere, 'picked item')} {plan.alreadyThere === 1 ? 'is' : 'are'} in {label} already: left as {plan.alreadyThere === 1 ? 'it is' : 'they are'}.</p>}
      {plan.notHere > 0 && <p className="muted">{counted(plan.notHere, 'picked item')} {plan.notHere === 1 ? 'has' : 'have'} no file on this device now: left out.</p>}
      {goes > 0 && fits && (action === 'delete' || plan.refused.length === 0)
        ? <button type="button" className={action === 'delete' ? 'danger' : ''} onClick={onRun}>{action === 'delete' ? `Delete ${counted(plan.files, 'file')}` : verb}</button>
        : <span className="muted">Nothing can be {action === 'delete' ? 'deleted' : action === 'copy' ? 'copied' : 'moved'}. </span>}{' '}
      <button type="button" onClick={onCancel}>{goes > 0 ? 'Cancel' : 'Close'}</button>
    </div>
  );
}

/**
 * What a delete into the trash leaves there alone (no other copy known anywhere: gone after 30
 * days, or when the trash is emptied) or below its policy (kept in the trash until that is met
 * again): said, not refused.
 */
function LeftInTrash({ below }: { below: readonly GuardianBelowPolicy[] }) {
  const alone = below.filter((b) => b.nowhere_else);
  const rest = below.filter((b) => !b.nowhere_else);
  return (
    <>
      {alone.length > 0 && (
        <div className="left-alone">
          <p>{counted(alone.length, 'item')} {alone.length === 1 ? 'exists' : 'exist'} nowhere else: {alone.length === 1 ? 'it stays' : 'they stay'} in the trash for 30 days, then {alone.length === 1 ? 'is' : 'are'} gone.</p>
          <ul aria-label="Nowhere else">{alone.slice(0, 20).map((b) => <li key={b.content_uuid}>{baseName(b.path)}</li>)}</ul>
        </div>
      )}
      {rest.length > 0 && (
        <div className="left-alone">
          <p>{counted(rest.length, 'item')} {rest.length === 1 ? 'falls' : 'fall'} below {rest.length === 1 ? 'its' : 'their'} Guardian policy: the trash keeps {rest.length === 1 ? 'it' : 'them'} until that is met again.</p>
          <ul aria-label="Below policy">{rest.slice(0, 20).map((b) => <li key={b.content_uuid || b.path}>{baseName(b.path)}: {why(b)}</li>)}</ul>
        </div>
      )}
    </>
  );
}

/** Contents the Guardian will not let go, each with why. */
function Refused({ refused, title }: { refused: readonly GuardianBelowPolicy[]; title: string }) {
  if (refused.length === 0) return null;
  return (
    <div className="refused">
      <p className="error">{title}: {counted(refused.length, 'item')}</p>
      <ul aria-label="Refused by the Guardian">{refused.map((b) => <li key={b.content_uuid}>{baseName(b.path)}: {why(b)}</li>)}</ul>
    </div>
  );
}

/** The Guardian's reason in words (as src/guardian/guard.ts describeBelow says it). */
function why(b: GuardianBelowPolicy): string {
  if (b.changed !== undefined) return b.changed;
  const uncounted = b.uncounted && b.uncounted.length > 0 ? ` (not counted: ${b.uncounted.join('; ')})` : '';
  if (b.of === 'copies' && b.have === 0) return `${b.not_counted === 0 ? 'the last copy in the library' : 'the last copy that can be confirmed now'}${uncounted}`;
  const one = b.have === 1;
  const noun = b.of === 'devices' ? (one ? 'device' : 'devices') : `${one ? 'copy' : 'copies'}${b.of === 'offsite' ? ' off this device' : ''}`;
  return `${b.have} ${noun} would be left, its policy asks ${b.policy}${uncounted}`;
}
