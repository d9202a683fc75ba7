import { useState, type ReactElement } from 'react';
import { api } from './api.js';
import { API } from './api-paths.js';
import { useLoad } from './use-load.js';

/** What the daemon says of a location (src/wire/locations.ts LocationInfo), as far as a destination needs. */
interface Location { id: number; name: string; path: string }

/**
 * Where files are copied or moved to: a location of this library (picked) and a folder inside it
 * (typed, made when missing). The detail's Files panel and the grid's bulk actions pick alike.
 * FIELD is the two inputs; TO the folder's absolute path (null while no location is known).
 */
export function useFileDestination(libId: string, disabled: boolean): { field: ReactElement; to: string | null; label: string } {
  const [locationId, setLocationId] = useState<number | null>(null);
  const [sub, setSub] = useState('');
  const [locations] = useLoad(async (signal) => (await api<Location[]>('GET', API.locations(libId), undefined, signal)), [libId]);
  const list = locations.state === 'ready' ? locations.value : [];
  const target = list.find((l) => l.id === locationId) ?? list[0];
  const folder = sub.trim().replace(/^\/+|\/+$/g, '');
  const to = target ? (folder === '' ? target.path : `${target.path}/${folder}`) : null;
  const field = (
    <div className="file-dest">
      <label className="small">To location{' '}
        <select aria-label="Destination location" value={target?.id ?? ''} onChange={(e) => setLocationId(Number(e.target.value))} disabled={disabled || list.length === 0}>
          {list.map((l) => <option key={l.id} value={l.id}>{l.name}</option>)}
        </select>
      </label>
      <label className="small">Folder{' '}
        <input aria-label="Destination folder" type="text" value={sub} placeholder="(the location itself)" onChange={(e) => setSub(e.target.value)} disabled={disabled} />
      </label>
    </div>
  );
  return { field, to, label: target ? (folder === '' ? target.name : `${target.name}/${folder}`) : '' };
}
