import { useState } from 'react';
import { OPERATIONS } from '../../src/api/remote/operations.js';
import { useFileDestination } from './file-destination.js';
import { fileOpCall, type FileOpOutcome } from './file-op-call.js';
import { bytes } from './format.js';
import { useMay } from './may.js';
import type { DetailPath } from './types.js';
import type { GuardianBelowPolicy } from '../../src/wire/guardian.js';

type State =
  | { step: 'idle' }
  | { step: 'running'; what: string; done: number; total: number }
  | { step: 'done'; message: string }
  | { step: 'confirm-delete' }
  | { step: 'error'; message: string };

/**
 * A content's file on this device, acted on (DESIGN §17): copied or moved to a folder of a
 * location (picked, plus a sub-folder typed), or deleted into the trash in two taps (Delete…,
 * Delete): never refused for copy counts (DESIGN §21: the trash loses nothing), its answer says
 * when the content now exists nowhere else or falls below its policy. Each action is a job of the
 * daemon, verified; its progress shows here. CHANGED: read the detail again.
 */
export function DetailFileActions({ libId, paths, changed }: { libId: string; paths: DetailPath[]; changed: () => void }) {
  const [which, setWhich] = useState(0);
  const [state, setState] = useState<State>({ step: 'idle' });
  const busy = state.step === 'running';
  const dest = useFileDestination(libId, busy);
  // Only what this session may do is offered (a paired browser without the files right: nothing here).
  const may = useMay();
  const [copy, move, del] = [may('filesCopy'), may('filesMove'), may('filesDelete')];
  if (!(copy || move || del)) return null;
  // Its last file here just went: what the delete said stays in view (where the content is now).
  if (paths.length === 0) return state.step === 'done' ? <section className="detail-files" aria-label="Files"><p role="status" className="small">{state.message}</p></section> : null;
  const file = paths[Math.min(which, paths.length - 1)]!;

  const run = async (op: 'filesCopy' | 'filesMove' | 'filesDelete', body: unknown, what: string): Promise<FileOpOutcome | undefined> => {
    setState({ step: 'running', what, done: 0, total: 0 });
    try {
      return await fileOpCall(libId, op, body, { progress: (done, total) => setState({ step: 'running', what, done, total }) });
    } catch (err) {
      setState({ step: 'error', message: err instanceof Error ? err.message : String(err) });
      return undefined;
    } finally {
      changed();
    }
  };

  const transfer = async (move: boolean) => {
    const to = dest.to;
    if (to === null) return;
    const out = await run(move ? 'filesMove' : 'filesCopy', { srcs: [file.path], to, into: true }, move ? 'Moving' : 'Copying');
    if (out) setState({ step: 'done', message: `${move ? 'Moved' : 'Copied'} to ${out.result?.paths[0] ?? to}${out.result?.skipped ? ` (skipped: ${out.result.skipped_items?.[0]?.reason ?? 'the name was taken'})` : ''}` });
  };

  const remove = async () => {
    const out = await run('filesDelete', { paths: [file.path] }, 'Deleting');
    if (out) setState({ step: 'done', message: `Moved ${file.path} to the trash${afterTrash(out.result?.below_policy ?? [])}` });
  };

  return (
    <section className="detail-files" aria-labelledby="files-actions">
      <h2 id="files-actions">Files</h2>
      {paths.length > 1 ? (
        <label className="small">File{' '}
          <select value={which} onChange={(e) => setWhich(Number(e.target.value))} disabled={busy}>
            {paths.map((p, i) => <option key={p.path} value={i}>{p.path}</option>)}
          </select>
        </label>
      ) : <p className="small muted file-path">{file.path}</p>}
      {(copy || move) && dest.field}
      <div className="file-buttons">
        {copy && <button type="button" onClick={() => { void transfer(false); }} disabled={busy || dest.to === null}>Copy</button>}
        {move && <button type="button" onClick={() => { void transfer(true); }} disabled={busy || dest.to === null}>Move</button>}
        {del && <button type="button" className="danger" onClick={() => setState({ step: 'confirm-delete' })} disabled={busy}>Delete…</button>}
      </div>
      {state.step === 'running' && (
        <div role="status" aria-live="polite" className="small">
          {state.what}…{' '}
          <progress aria-label={`${state.what} progress`} max={Math.max(state.total, 1)} value={state.done} />
          {state.total > 0 && ` ${bytes(state.done)} of ${bytes(state.total)}`}
        </div>
      )}
      {state.step === 'done' && <p role="status" className="small">{state.message}</p>}
      {state.step === 'error' && <p role="alert" className="small error">{state.message}</p>}
      {state.step === 'confirm-delete' && (
        <div role="alertdialog" aria-label="Confirm delete" className="small">
          <p>Move {file.path} to the trash? It can be restored for 30 days (Trash).</p>
          <button type="button" className="danger" onClick={() => { void remove(); }}>Delete</button>{' '}
          <button type="button" onClick={() => setState({ step: 'idle' })}>Keep it</button>
        </div>
      )}
    </section>
  );
}

/** What a delete into the trash left alone or below its policy, said after it (its one file's content). */
function afterTrash(below: readonly GuardianBelowPolicy[]): string {
  const b = below[0];
  if (!b) return ': it can be restored for 30 days (Trash)';
  if (b.nowhere_else) return ': it exists nowhere else — it stays in the trash for 30 days, then is gone (Trash restores it)';
  if (b.changed !== undefined) return `: ${b.changed}`;
  return `: ${b.have} ${b.have === 1 ? 'copy' : 'copies'} left where its Guardian policy asks ${b.policy} — the trash keeps it until that is met again`;
}

/** The operations this panel calls are POSTs of the daemon's table (checked here, so a change there breaks the build, not the panel). */
const posts: ReadonlyArray<'POST'> = [OPERATIONS.filesCopy.method, OPERATIONS.filesMove.method, OPERATIONS.filesDelete.method];
void posts;
