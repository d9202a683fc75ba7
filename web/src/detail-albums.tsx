import { useState, type FormEvent } from 'react';
import { act } from './act.js';
import { useAlbums } from './albums-data.js';
import { API } from './api-paths.js';

/**
 * A content's albums on its page (the viewer's info, issue 44): the plain albums holding it, and
 * one to put it in (picked, or a new name that makes it).
 */
export function DetailAlbums({ libId, uuid }: { libId: string; uuid: string }) {
  const albums = useAlbums(libId);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const own = albums.state === 'ready' ? albums.value.filter((a) => a.query === null) : [];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const album = name.trim();
    if (album === '') return;
    setBusy(true);
    void act('albumsAdd', API.albumsAdd(libId), { album, contents: [uuid] }, () => setBusy(false)).then((ok) => { if (ok) setName(''); });
  };
  return (
    <section className="card" aria-labelledby={`albums-${uuid}`}>
      <h2 id={`albums-${uuid}`}>Albums</h2>
      <form className="album-add" onSubmit={submit}>
        <input type="text" list={`album-names-${uuid}`} aria-label="Add to album" placeholder="Add to album…" maxLength={200} value={name} disabled={busy} onChange={(e) => setName(e.currentTarget.value)} />
        <datalist id={`album-names-${uuid}`}>{own.map((a) => <option key={a.album_id} value={a.name} />)}</datalist>
        <button type="submit" disabled={busy || name.trim() === ''}>Add</button>
      </form>
    </section>
  );
}
