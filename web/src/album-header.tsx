import { useAlbums } from './albums-data.js';
import { counted } from './format.js';
import { href } from './routes.js';
import type { GridFilter } from './types.js';

/** Above an album's photos (the grid with `album=ID`): its name (its path in the tree), how many it holds, and the way back to the whole library. */
export function AlbumHeader({ libId, album, filter }: { libId: string; album: string; filter: GridFilter }) {
  const albums = useAlbums(libId);
  const a = albums.state === 'ready' ? albums.value.find((x) => x.album_id === album) : undefined;
  const { album: _a, ...rest } = filter;
  const name = a ? a.path.join(' / ') : albums.state === 'loading' ? 'An album' : 'An album no longer there';
  return (
    <div className="album-header">
      <h2>{name}</h2>
      {a && <span className="muted">{counted(a.count, 'item')}{a.query !== null ? ` · smart album: ${a.query}` : ''}</span>}
      <a href={href({ view: 'library', filter: rest })}>All photos</a>
    </div>
  );
}
