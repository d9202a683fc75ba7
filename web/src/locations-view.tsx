import { useCallback, useEffect, useState } from 'react';
import { api, get, streamed } from './api.js';
import { API } from './api-paths.js';
import { AddLocationForm } from './add-location-form.js';
import { DeviceLocationsItem } from './device-locations.js';
import { reportError } from './errors.js';
import { LocationItem } from './location-item.js';
import { useMay } from './may.js';
import { scanSummary } from './index-progress.js';
import { useLibrary } from './library-context.js';
import { Page } from './page.js';
import { useLiveEvent, useReconnect } from './use-live-event.js';
import { useLoad } from './use-load.js';
import type { DeviceLocations, IndexProgress, IndexResult, LocationInfo } from './types.js';

/** The other devices' folders are asked again this often: no event says a device connected or went away. */
const OTHERS_POLL_MS = 10_000;

/**
 * `#/locations`: the folders the library indexes on this device (each with its drive, free space,
 * and why it is offline when it is); add one, rescan, pause, resume or remove it. Scans show their
 * progress, whether started here (the streamed answer) or by the daemon's watcher (events). Below,
 * every other device's folders under its name, as that device last said.
 */
export function LocationsView() {
  const lib = useLibrary();
  const may = useMay();
  const [list, reload, update] = useLoad((signal) => get<LocationInfo[]>(API.locations(lib.id), signal), [lib.id]);
  const [others, reloadOthers] = useLoad((signal) => get<DeviceLocations[]>(API.locationsOfOtherDevices(lib.id), signal), [lib.id]);
  const [scans, setScans] = useState<ReadonlyMap<number, IndexProgress>>(new Map());
  const [done, setDone] = useState<ReadonlyMap<number, string>>(new Map());

  const setScan = useCallback((id: number, p: IndexProgress | null) => setScans((m) => {
    const next = new Map(m);
    if (p) next.set(id, p); else next.delete(id);
    return next;
  }), []);

  useLiveEvent('index:progress', (e) => {
    if (e.library_id !== lib.id) return;
    const p = e.payload as IndexProgress;
    setScan(p.locationId, p);
  });
  useLiveEvent('index:done', (e) => {
    if (e.library_id !== lib.id) return;
    setScan((e.payload as { locationId: number }).locationId, null);
    reload();
  });
  useLiveEvent('locations:changed', (e) => { if (e.library_id === lib.id) reload(); });
  useLiveEvent('library:peer-rows', (e) => { if (e.library_id === lib.id) reloadOthers(); });
  useReconnect(reload);
  useReconnect(reloadOthers);
  useEffect(() => {
    const timer = setInterval(reloadOthers, OTHERS_POLL_MS);
    return () => clearInterval(timer);
  }, [reloadOthers]);

  const rescan = useCallback(async (loc: LocationInfo) => {
    setDone((m) => new Map(m).set(loc.id, ''));
    try {
      const result = await streamed<IndexResult>(API.locationAct(lib.id, loc.id, 'rescan'), {}, (name, payload) => {
        if (name === 'index:progress') setScan(loc.id, payload as IndexProgress);
      });
      setDone((m) => new Map(m).set(loc.id, scanSummary(result)));
    } catch (err) {
      reportError(err);
      setDone((m) => { const n = new Map(m); n.delete(loc.id); return n; });
    } finally {
      setScan(loc.id, null);
      reload();
    }
  }, [lib.id, reload, setScan]);

  const pause = useCallback(async (loc: LocationInfo, action: 'pause' | 'resume') => {
    try {
      const row = await api<LocationInfo | null>('POST', API.locationAct(lib.id, loc.id, action));
      if (row && typeof row === 'object' && 'id' in row) update((l) => l.map((x) => (x.id === row.id ? { ...x, ...row } : x)));
      else reload();
    } catch (err) {
      reportError(err);
    }
  }, [lib.id, reload, update]);

  const remove = useCallback(async (loc: LocationInfo) => {
    try {
      await api('DELETE', API.location(lib.id, loc.id));
      update((l) => l.filter((x) => x.id !== loc.id));
    } catch (err) {
      reportError(err);
    }
  }, [lib.id, update]);

  return (
    <Page label="Locations">
      <h1>Locations</h1>
      {may('locationsAdd') && <AddLocationForm libId={lib.id} onAdded={reload} />}
      <section aria-label="Locations of this library" className="locations">
        <h2>Folders</h2>
        {list.state === 'loading' && <p className="muted" aria-busy="true">Loading…</p>}
        {list.state === 'error' && <p>{list.message}</p>}
        {list.state === 'ready' && (list.value.length === 0 ? <p className="muted">{may('locationsAdd') ? 'No folders yet: add one above.' : 'No folders yet: they are added on the computer.'}</p> : (
          <ul className="location-list">
            {list.value.map((loc) => (
              <LocationItem key={loc.id} loc={loc} scan={scans.get(loc.id) ?? null} done={done.get(loc.id) ?? null} onRescan={rescan} onPause={pause} onRemove={remove} />
            ))}
          </ul>
        ))}
      </section>
      <section aria-label="Locations of other devices" className="locations">
        <h2>On other devices</h2>
        {others.state === 'loading' && <p className="muted" aria-busy="true">Loading…</p>}
        {others.state === 'error' && <p>{others.message}</p>}
        {others.state === 'ready' && (others.value.length === 0 ? <p className="muted">No other device shares this library yet: pair one on the Devices page.</p> : (
          <ul className="device-list">
            {others.value.map((d) => <DeviceLocationsItem key={d.device_id} device={d} />)}
          </ul>
        ))}
      </section>
    </Page>
  );
}
