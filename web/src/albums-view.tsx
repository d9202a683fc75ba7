import { useState, type FormEvent, type ReactNode } from 'react';
import { act } from './act.js';
import { get } from './api.js';
import { API } from './api-paths.js';
import { counted } from './format.js';
import { useLibrary } from './library-context.js';
import { useMay } from './may.js';
import { Page } from './page.js';
import type { AlbumView } from './types.js';
import { useLiveEvent, useReconnect } from './use-live-event.js';
import { useLoad } from './use-load.js';

/**
 * `#/albums`: the library's albums (issue 32) as cards, each with its cover, name and count, the
 * nested ones under their parent; a smart album shows its saved search. Make an album (in another,
 * or at the top) or a smart album from a search; rename or delete one. An album opens as the grid
 * with `album=ID`. Albums are shared data: changes from other devices show as they come.
 */
export function AlbumsView() {
  const lib = useLibrary();
  const may = useMay();
  const [albums, reload] = useLoad((signal) => get<AlbumView[]>(API.albums(lib.id), signal), [lib.id]);
  useLiveEvent('shared:changed', (e) => { if (e.library_id === lib.id) reload(); });
  useReconnect(reload);
  const all = albums.state === 'ready' ? albums.value : [];
  const byParent = new Map<string | null, AlbumView[]>();
  for (const a of all) {
    // An album whose parent is not listed (removed elsewhere) shows at the top.
    const parent = a.parent !== null && all.some((p) => p.album_id === a.parent) ? a.parent : null;
    byParent.set(parent, [...(byParent.get(parent) ?? []), a]);
  }
  for (const list of byParent.values()) list.sort((a, b) => a.name.localeCompare(b.name));
  const tree = (parent: string | null, depth: number): ReactNode => {
    const list = byParent.get(parent);
    if (!list || depth > 32) return null;
    return (
      <ul className={depth === 0 ? 'album-grid' : 'album-grid nested'} aria-label={depth === 0 ? 'Albums' : undefined}>
        {list.map((a) => (
          <AlbumCard key={a.album_id} album={a} libId={lib.id} reload={reload}>
            {tree(a.album_id, depth + 1)}
          </AlbumCard>
        ))}
      </ul>
    );
  };
  return (
    <Page label="Albums">
      <h1>Albums</h1>
      {may('albumsCreate') && <NewAlbum libId={lib.id} albums={all} reload={reload} />}
      {albums.state === 'loading' && <p className="muted" aria-busy="true">Loading…</p>}
      {albums.state === 'error' && <p>{albums.message}</p>}
      {albums.state === 'ready' && all.length === 0 && (
        <section className="empty">
          <p>No albums yet. Select photos in the library and choose Add to album, or make a smart album from a search (above, or <code>vss album create NAME --query "place:Tuscany"</code>).</p>
        </section>
      )}
      {all.length > 0 && tree(null, 0)}
    </Page>
  );
}

/** The form that makes an album: a name, where it sits, and for a smart album its search. */
function NewAlbum({ libId, albums, reload }: { libId: string; albums: readonly AlbumView[]; reload: () => void }) {
  const [name, setName] = useState('');
  const [parent, setParent] = useState('');
  const [smart, setSmart] = useState(false);
  const [query, setQuery] = useState('');
  const ready = name.trim() !== '' && (!smart || query.trim() !== '');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!ready) return;
    const body = { name: name.trim(), ...(parent ? { parent } : {}), ...(smart ? { query: query.trim() } : {}) };
    if (await act('albumsCreate', API.albumsCreate(libId), body, reload)) {
      setName('');
      setQuery('');
    }
  };
  return (
    <form className="inline-form album-new" onSubmit={(e) => { void submit(e); }} aria-label="New album">
      <label className="inline-field">
        <span>New album</span>
        <input type="text" value={name} maxLength={200} placeholder="Name" onChange={(e) => setName(e.currentTarget.value)} />
      </label>
      <label className="inline-field">
        <span className="muted small">In</span>
        <select aria-label="Parent album" value={parent} onChange={(e) => setParent(e.currentTarget.value)}>
          <option value="">(top)</option>
          {albums.filter((a) => a.query === null).map((a) => <option key={a.album_id} value={a.album_id}>{a.path.join(' › ')}</option>)}
        </select>
      </label>
      <label className="check"><input type="checkbox" checked={smart} onChange={(e) => setSmart(e.currentTarget.checked)} /> Smart (a saved search)</label>
      {smart && (
        <label className="inline-field">
          <span className="visually-hidden">Search</span>
          <input type="search" aria-label="Search of the smart album" value={query} maxLength={500} placeholder={'place:"Tuscany" date:2024'} onChange={(e) => setQuery(e.currentTarget.value)} />
        </label>
      )}
      <button type="submit" className="primary" disabled={!ready}>{smart ? 'Make smart album' : 'Make album'}</button>
    </form>
  );
}

function AlbumCard({ album, libId, reload, children }: { album: AlbumView; libId: string; reload: () => void; children: ReactNode }) {
  const [editing, setEditing] = useState<'rename' | 'delete' | null>(null);
  const [name, setName] = useState(album.name);
  const close = () => setEditing(null);
  const shown = album.path.join(' › ') || album.name;
  const may = useMay();
  const open = `#/?album=${encodeURIComponent(album.album_id)}`;
  const rename = () => act('albumsChange', API.album(libId, album.album_id), { name: name.trim() }, reload);
  const remove = () => act('albumsDelete', API.album(libId, album.album_id), undefined, reload);
  return (
    <li className={`album-card${album.query !== null ? ' smart' : ''}`} data-album={album.album_id}>
      <a className="album-open" href={open} aria-label={`${shown}: ${counted(album.count, 'item')}`}>
        {album.cover
          ? <img className="album-cover" alt="" loading="lazy" src={API.sidecar(libId, album.cover, 'thumb', 'grid@1x')} />
          : <span className="album-cover empty-cover" aria-hidden="true" />}
        <span className="album-name">{album.name}</span>
      </a>
      <span className="muted small album-count">{counted(album.count, 'item')}{album.same_name ? ' · same name as another' : ''}</span>
      {album.query !== null && <span className="album-query small" title="Smart album: its search">Smart: <code>{album.query}</code></span>}
      <span className="album-actions">
        {may('albumsChange') && <button type="button" className="quiet" aria-label={`Rename ${shown}`} onClick={() => { setName(album.name); setEditing(editing === 'rename' ? null : 'rename'); }}>Rename</button>}
        {may('albumsDelete') && <button type="button" className="quiet danger" aria-label={`Delete ${shown}`} onClick={() => setEditing(editing === 'delete' ? null : 'delete')}>Delete</button>}
      </span>
      {editing === 'rename' && (
        <form className="inline-form" onSubmit={(e) => { e.preventDefault(); void rename().then((ok) => ok && close()); }}>
          <label className="inline-field">
            <span>New name</span>
            <input type="text" autoFocus value={name} maxLength={200} onChange={(e) => setName(e.currentTarget.value)} onKeyDown={(e) => { if (e.key === 'Escape') close(); }} />
          </label>
          <button type="submit" className="primary" disabled={name.trim() === '' || name.trim() === album.name}>Save name</button>
          <button type="button" onClick={close}>Cancel</button>
        </form>
      )}
      {editing === 'delete' && (
        <div className="confirm" role="alertdialog" aria-label={`Delete ${shown}?`}>
          <p>Delete the album {shown}? The photos themselves stay{children ? '; the albums in it move up' : ''}.</p>
          <div className="actions">
            <button type="button" className="primary danger" autoFocus onClick={() => { void remove().then(close); }}>Delete album</button>
            <button type="button" onClick={close}>Cancel</button>
          </div>
        </div>
      )}
      {children}
    </li>
  );
}
