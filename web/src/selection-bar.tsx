import { useState, useSyncExternalStore, type KeyboardEvent } from 'react';
import type { OperationName } from '../../src/api/remote/operations.js';
import { act } from './act.js';
import { useAlbums } from './albums-data.js';
import { API } from './api-paths.js';
import { counted } from './format.js';
import type { GridSelection } from './grid-selection.js';
import { SelectionFileActions, type FileAction } from './selection-file-actions.js';
import { useMay } from './may.js';
import { maySend, SendToDevice } from './send-to-device.js';
import { TagPicker } from './tag-picker.js';
import { useTags } from './tags-data.js';
import { STARS, starsLabel } from './user-meta-controls.js';

/** Contents sent in one call: well inside the daemon's bounds (a list of 100k, a 1 MiB body: 10k uuids are about 400 KB). */
const CHUNK = 10_000;

/**
 * While anything is picked in the grid (issue 32): how many, and what can be done to all of them
 * at once: favourite or not, a rating, a tag, an album, hidden. Each is one call with every picked
 * content (in chunks past CHUNK), then the grid is read again (RELOAD). What was picked stays
 * picked, except after Hide: those leave the grid. Their files are copied, moved or deleted
 * (planned, asked for, run as jobs: selection-file-actions.tsx) or sent to a paired device (the
 * detail's SendToDevice, given every picked content).
 */
export function SelectionBar({ libId, selection, reload, showsHidden, withStacks = (u) => u, albums = () => true }: {
  libId: string; selection: GridSelection; reload: () => void; showsHidden: boolean;
  /** The picked contents with every photo of the stacks among them: a file operation takes a stack whole (issue 45). */
  withStacks?: (uuids: string[]) => string[];
  /** Whether the picks may go in an album (the explorer's folders may not: an album holds photos). */
  albums?: (picked: string[]) => boolean;
}) {
  useSyncExternalStore(selection.subscribe, selection.getVersion);
  const may = useMay();
  const [open, setOpen] = useState<'tag' | 'album' | 'send' | FileAction | null>(null);
  const [busy, setBusy] = useState(false);
  if (selection.size === 0) return null;

  const bulk = async (op: OperationName, path: string, body: (contents: string[]) => object, after?: () => void) => {
    const all = selection.uuids();
    setBusy(true);
    try {
      for (let at = 0; at < all.length; at += CHUNK) {
        // The grid is read again once, after the last call (or the first that failed).
        const last = at + CHUNK >= all.length;
        const ok = await act(op, path, body(all.slice(at, at + CHUNK)), last ? reload : () => {});
        if (!ok) {
          if (!last) reload();
          return;
        }
      }
      after?.();
    } finally {
      setBusy(false);
    }
  };
  const meta = (change: { favorite?: boolean; rating?: number; hidden?: boolean }, after?: () => void) =>
    bulk('metaSet', API.metaSet(libId), (contents) => ({ contents, ...change }), after);
  const tag = (name: string) => bulk('tagsAdd', API.tagsAdd(libId), (contents) => ({ tag: name, contents }), () => setOpen(null));
  const album = (name: string) => bulk('albumsAdd', API.albumsAdd(libId), (contents) => ({ album: name, contents }), () => setOpen(null));

  return (
    <div className="selection-bar" role="toolbar" aria-label="Selected items" aria-busy={busy}>
      <span className="selection-count" aria-live="polite">{counted(selection.size, 'item')} selected</span>
      {may('metaSet') && <>
        <button type="button" disabled={busy} onClick={() => void meta({ favorite: true })}>Favourite</button>
        <button type="button" disabled={busy} onClick={() => void meta({ favorite: false })}>Unfavourite</button>
        <label className="inline-field">
          <span className="muted">Rate</span>
          <select aria-label="Rate selected" value="" disabled={busy} onChange={(e) => { if (e.currentTarget.value !== '') void meta({ rating: Number(e.currentTarget.value) }); }}>
            <option value="">…</option>
            <option value="0">No rating</option>
            {STARS.map((n) => <option key={n} value={String(n)}>{starsLabel(n)}</option>)}
          </select>
        </label>
      </>}
      {may('tagsAdd') && <button type="button" aria-expanded={open === 'tag'} disabled={busy} onClick={() => setOpen(open === 'tag' ? null : 'tag')}>Tag…</button>}
      {may('albumsAdd') && albums(selection.uuids()) && <button type="button" aria-expanded={open === 'album'} disabled={busy} onClick={() => setOpen(open === 'album' ? null : 'album')}>Add to album…</button>}
      {may('metaSet') && <button type="button" disabled={busy} onClick={() => void meta({ hidden: true }, showsHidden ? undefined : () => selection.clear())}>Hide</button>}
      {fileActions(may).map((a) => (
        <button key={a} type="button" className={a === 'delete' ? 'danger' : ''} aria-expanded={open === a} disabled={busy} onClick={() => setOpen(open === a ? null : a)}>{FILE_BUTTONS[a]}</button>
      ))}
      <button type="button" onClick={() => selection.clear()}>Clear selection</button>
      {open === 'tag' && <TagField libId={libId} onTag={(name) => void tag(name)} />}
      {open === 'album' && <AlbumField libId={libId} onAlbum={(name) => void album(name)} close={() => setOpen(null)} />}
      {(open === 'copy' || open === 'move' || open === 'delete') && (
        <SelectionFileActions key={open} libId={libId} action={open} contents={() => withStacks(selection.uuids())} close={() => setOpen(null)} changed={reload} />
      )}
      {open === 'send' && <div className="selection-files"><SendToDevice contents={withStacks(selection.uuids())} /></div>}
    </div>
  );
}

const FILE_BUTTONS = { copy: 'Copy to…', move: 'Move to…', send: 'Send to…', delete: 'Delete…' } as const;
/** The operation each file button runs (its plan first, filesPreview, for copy, move and delete). */
const FILE_OPS = { copy: 'filesCopy', move: 'filesMove', delete: 'filesDelete' } as const satisfies Record<FileAction, OperationName>;

/** Which of the file buttons a session that may call what MAY says is offered. */
function fileActions(may: (op: OperationName) => boolean): Array<FileAction | 'send'> {
  return (['copy', 'move', 'send', 'delete'] as const).filter((a) => (a === 'send' ? maySend(may) : may('filesPreview') && may(FILE_OPS[a])));
}

/** Whether anything can be done to picked items in this session: else nothing is picked (no boxes to tick, no long press). */
export function mayActOnSelection(may: (op: OperationName) => boolean): boolean {
  return may('metaSet') || may('tagsAdd') || may('albumsAdd') || fileActions(may).length > 0;
}

/** The tag to put on the picked contents: one of the library's, or a new name (Enter). */
function TagField({ libId, onTag }: { libId: string; onTag: (tag: string) => void }) {
  const [tags] = useTags(libId);
  return <TagPicker tags={tags.state === 'ready' ? tags.value : []} carried={new Set()} label="Tag selected" onPick={(p) => onTag('create' in p ? p.create : p.uuid)} />;
}

/** The album to put the picked contents in: typed (a new name makes it) or picked from the albums contents can be put in. */
function AlbumField({ libId, onAlbum, close }: { libId: string; onAlbum: (album: string) => void; close: () => void }) {
  const albums = useAlbums(libId);
  const [name, setName] = useState('');
  const own = albums.state === 'ready' ? albums.value.filter((a) => a.query === null) : [];
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter' && name.trim() !== '') {
      e.preventDefault();
      onAlbum(name.trim());
    } else if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      close();
    }
  };
  return (
    <span className="album-field">
      <input type="text" autoFocus list="album-names" aria-label="Album name" placeholder="Album name…" maxLength={200} value={name} onChange={(e) => setName(e.currentTarget.value)} onKeyDown={onKeyDown} />
      <datalist id="album-names">{own.map((a) => <option key={a.album_id} value={a.name} />)}</datalist>
      <button type="button" disabled={name.trim() === ''} onClick={() => onAlbum(name.trim())}>Add</button>
    </span>
  );
}
