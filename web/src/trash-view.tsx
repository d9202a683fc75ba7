import { useState } from 'react';
import { api, get } from './api.js';
import { API } from './api-paths.js';
import { ConfirmBox } from './confirm-box.js';
import { reportError } from './errors.js';
import { baseName, bytes, counted, dateTime } from './format.js';
import { useLibrary } from './library-context.js';
import { Page } from './page.js';
import type { TrashEmptyResult, TrashItem, TrashRestoreResult } from './types.js';
import { useLoad } from './use-load.js';

/**
 * `#/trash` (issue 45): what a delete moved aside, newest first, each with where it was and until
 * when it stays; restore the ones picked (back to their paths), or empty the trash for good after
 * a confirmation (DESIGN §21: what you deleted every copy of goes; a file whose content leans on
 * other copies goes once they were read back whole and the content keeps its policy). What the
 * Guardian keeps is named with why.
 */
export function TrashView() {
  const lib = useLibrary();
  const [items, reload] = useLoad((signal) => get<TrashItem[]>(API.trash(lib.id), signal), [lib.id]);
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const [said, setSaid] = useState<string | null>(null);
  const [kept, setKept] = useState<TrashEmptyResult['kept']>([]);
  const [confirming, setConfirming] = useState(false);
  const list = items.state === 'ready' ? items.value : [];
  const toggle = (id: string) => setPicked((p) => {
    const n = new Set(p);
    if (n.has(id)) n.delete(id);
    else n.add(id);
    return n;
  });
  const restore = async (ids: string[]) => {
    try {
      const r = await api<TrashRestoreResult>('POST', API.trashRestore(lib.id), { refs: ids });
      const beside = r.restored.filter((x) => x.renamed).length;
      setSaid(`Restored ${counted(r.restored.length, 'file')}${beside > 0 ? ` (${beside} beside a newer file of the same name)` : ''}.${r.not_restored.length > 0 ? ` Not restored: ${r.not_restored.map((n) => n.reason).join('; ')}` : ''}`);
      setKept([]);
      setPicked(new Set());
    } catch (err) {
      reportError(err);
    } finally {
      reload();
    }
  };
  const empty = async () => {
    try {
      const r = await api<TrashEmptyResult>('POST', API.trashEmpty(lib.id), {});
      setSaid(`Removed ${counted(r.files, 'file')} (${bytes(r.bytes)}) for good.${r.kept.length > 0 ? ` Kept ${counted(r.kept.length, 'file')}: the Guardian refused to let them go.` : ''}`);
      setKept(r.kept);
    } catch (err) {
      reportError(err);
    } finally {
      reload();
    }
  };
  const total = list.reduce((n, t) => n + t.size, 0);
  return (
    <Page label="Trash">
      <h1>Trash</h1>
      <p className="muted">Deleted files stay here, on their own drive, for 30 days, and can be put back where they were. A file in the trash is not counted as a copy.</p>
      {items.state === 'loading' && <p className="muted" aria-busy="true">Loading…</p>}
      {items.state === 'error' && <p>{items.message}</p>}
      {said && <p role="status">{said}</p>}
      {kept.length > 0 && (
        <ul aria-label="Kept by the Guardian" className="small">
          {kept.map((k) => <li key={k.trash_id}>{k.path}: {k.reason}</li>)}
        </ul>
      )}
      {items.state === 'ready' && (list.length === 0 ? <p className="muted">The trash is empty.</p> : (
        <>
          <div className="actions">
            <button type="button" className="primary" disabled={picked.size === 0} onClick={() => void restore([...picked])}>
              Restore {picked.size > 0 ? counted(picked.size, 'file') : 'selected'}
            </button>
            <button type="button" onClick={() => void restore(list.map((t) => t.trash_id))}>Restore all</button>
            <button type="button" className="danger" onClick={() => setConfirming(true)}>Empty trash</button>
          </div>
          {confirming && (
            <ConfirmBox label="Empty the trash" action="Empty for good" busy="Emptying…" run={empty} close={() => setConfirming(false)}>
              Remove {counted(list.length, 'file')} ({bytes(total)}) for good? This cannot be undone. A photo you deleted every copy of is gone; the Guardian keeps any whose other copies cannot be read back now, and says why.
            </ConfirmBox>
          )}
          <ul className="trash-list" aria-label="In the trash">
            {list.map((t) => (
              <li key={t.trash_id}>
                <label className="check">
                  <input type="checkbox" checked={picked.has(t.trash_id)} onChange={() => toggle(t.trash_id)} />
                  <span className="name">{baseName(t.path)}</span>
                </label>
                <span className="muted small"> {t.path} · {bytes(t.size)} · deleted {dateTime(t.deleted_at)} · kept until {dateTime(t.expires_at)}</span>
                <button type="button" className="link" onClick={() => void restore([t.trash_id])} aria-label={`Restore ${baseName(t.path)}`}>Restore</button>
              </li>
            ))}
          </ul>
        </>
      ))}
    </Page>
  );
}
