import { get } from './api.js';
import { API } from './api-paths.js';
import type { AlbumView } from './types.js';
import { useLiveEvent, useReconnect } from './use-live-event.js';
import { useLoad, type Loaded } from './use-load.js';

/** The library's albums (issue 32), read again when shared data changes (here or on a paired device). */
export function useAlbums(libId: string): Loaded<AlbumView[]> {
  const [albums, reload] = useLoad((signal) => get<AlbumView[]>(API.albums(libId), signal), [libId]);
  useLiveEvent('shared:changed', (e) => { if (e.library_id === libId) reload(); });
  useReconnect(reload);
  return albums;
}
