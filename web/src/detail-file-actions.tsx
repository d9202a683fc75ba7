import { useState } from 'react';
import { OPERATIONS } from '../../src/api/remote/operations.js';
import { ApiError } from './api.js';
import { useFileDestination } from './file-destination.js';
import { fileOpCall, type FileOpOutcome } from './file-op-call.js';
import { bytes } from './format.js';
import type { DetailPath } from './types.js';

type State =
  | { step: 'idle' }
  | { step: 'running'; what: string; done: number; total: number }
  | { step: 'done'; message: string }
  | { step: 'confirm-delete' }
  /** The delete would leave the content below its Guardian policy (its last copy: `last`): a second, explicit confirm. */
  | { step: 'below-policy'; message: string; last: boolean }
  | { step: 'error'; message: string };

/**
 * A content's file on this device, acted on (DESIGN §17): copied or moved to a folder of a
 * location (picked, plus a sub-folder typed), or deleted into the trash (a confirm first; a delete the
 * Guardian refuses, the last copy in the library or one that leaves the content below its policy,
 * is named and needs a second, explicit confirm). Each action is a
 * job of the daemon, verified; its progress shows here. CHANGED: read the detail again.
 */
export function DetailFileActions({ libId, paths, changed }: { libId: string; paths: DetailPath[]; changed: () => void }) {
  const [which, setWhich] = useState(0);
  const [state, setState] = useState<State>({ step: 'idle' });
  const busy = state.step === 'running';
  const dest = useFileDestination(libId, busy);
  if (paths.length === 0) return null;
  const file = paths[Math.min(which, paths.length - 1)]!;

  const run = async (op: 'filesCopy' | 'filesMove' | 'filesDelete', body: unknown, what: string): Promise<FileOpOutcome | undefined> => {
    setState({ step: 'running', what, done: 0, total: 0 });
    try {
      return await fileOpCall(libId, op, body, { progress: (done, total) => setState({ step: 'running', what, done, total }) });
    } catch (err) {
      // The Guardian's refusal (code POLICY): a delete may be confirmed again; a move's refusal is shown.
      if (err instanceof ApiError && err.code === 'POLICY' && op === 'filesDelete') setState({ step: 'below-policy', message: err.message, last: /the last copy in the library/.test(err.message) });
      else setState({ step: 'error', message: err instanceof Error ? err.message : String(err) });
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

  const remove = async (force: boolean) => {
    const out = await run('filesDelete', { paths: [file.path], force }, 'Deleting');
    if (out) setState({ step: 'done', message: `Deleted ${file.path}` });
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
      {dest.field}
      <div className="file-buttons">
        <button type="button" onClick={() => { void transfer(false); }} disabled={busy || dest.to === null}>Copy</button>
        <button type="button" onClick={() => { void transfer(true); }} disabled={busy || dest.to === null}>Move</button>
        <button type="button" className="danger" onClick={() => setState({ step: 'confirm-delete' })} disabled={busy}>Delete…</button>
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
          <button type="button" className="danger" onClick={() => { void remove(false); }}>Delete</button>{' '}
          <button type="button" onClick={() => setState({ step: 'idle' })}>Keep it</button>
        </div>
      )}
      {state.step === 'below-policy' && (
        <div role="alertdialog" aria-label={state.last ? 'Last copy' : 'Below policy'} className="small">
          <p className="error">{state.message}</p>
          <button type="button" className="danger" onClick={() => { void remove(true); }}>{state.last ? 'Delete the last copy' : 'Delete anyway'}</button>{' '}
          <button type="button" onClick={() => setState({ step: 'idle' })}>Keep it</button>
        </div>
      )}
    </section>
  );
}

/** The operations this panel calls are POSTs of the daemon's table (checked here, so a change there breaks the build, not the panel). */
const posts: ReadonlyArray<'POST'> = [OPERATIONS.filesCopy.method, OPERATIONS.filesMove.method, OPERATIONS.filesDelete.method];
void posts;
