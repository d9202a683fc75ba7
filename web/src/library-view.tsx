import { useEffect, useRef, useSyncExternalStore } from 'react';
import { AlbumHeader } from './album-header.js';
import { DeviceFilter } from './device-filter.js';
import { count } from './format.js';
import { GridFilters } from './grid-filters.js';
import { apiFilter, narrowed } from './grid-kinds.js';
import { selectionOf } from './grid-selection.js';
import { gridStore } from './grid-store.js';
import { LibraryGrid } from './library-grid.js';
import { useLibrary } from './library-context.js';
import { Page } from './page.js';
import { PersonHeader } from './person-header.js';
import { SelectionBar } from './selection-bar.js';
import type { GridFilter, SidecarChange } from './types.js';
import { useLiveEvent, useReconnect } from './use-live-event.js';

/** How often the devices' online state is asked again while other devices' contents are shown (no event says it). */
const DEVICES_POLL_MS = 10_000;

/**
 * `#/[?device=…][&tag=…&fav=1&rating=N&hidden=1&album=…&kinds=…]`: the photos and videos of the
 * library on every device (or on DEVICE only; narrowed by FILTER; other kinds when it says so),
 * newest first, grouped by day. Hidden contents only when the filter asks for them.
 */
export function LibraryView({ device = null, filter = {} }: { device?: string | null; filter?: GridFilter }) {
  const lib = useLibrary();
  const store = gridStore(lib.id, device, apiFilter(filter));
  useSyncExternalStore(store.subscribe, store.getVersion);
  const main = useRef<HTMLElement>(null);
  // Read once; when shown again, read the days again (the library may have changed meanwhile) and keep the pages if nothing moved.
  useEffect(() => {
    if (store.days) store.refresh();
    else void store.loadDays();
  }, [store]);
  // A scan going on or finished, or a location gone, changes what the grid holds: the store reads it
  // again at most every 2 s, however many events come. A new grid thumbnail re-reads the pages showing it.
  const refresh = (e: { library_id: string }) => { if (e.library_id === lib.id) store.refresh(); };
  useLiveEvent('index:progress', refresh);
  useLiveEvent('index:done', refresh);
  useLiveEvent('locations:changed', refresh);
  // A paired device's rows were pulled (DESIGN §15): its contents came, moved or went.
  useLiveEvent('library:peer-rows', refresh);
  // Tags or user metadata changed, here or on a paired device (DESIGN §15): the order names the
  // shared data's version, so the days come back as another order and the pages shown are read again.
  useLiveEvent('shared:changed', refresh);
  // Who is in which photo moved (the people pass ran, here or after a device's names came).
  useLiveEvent('people:changed', (e) => { if (filter.person && e.library_id === lib.id) store.refresh(); });
  const shared = (store.days?.devices.length ?? 0) > 1;
  useEffect(() => {
    if (!shared) return;
    const timer = setInterval(() => store.refresh(false), DEVICES_POLL_MS);
    return () => clearInterval(timer);
  }, [shared, store]);
  useLiveEvent('sidecar:changed', (e) => {
    const c = e.payload as SidecarChange;
    if (e.library_id === lib.id && c.kind === 'thumb' && c.variant === 'grid@1x') store.thumbChanged(c.contentUuid);
  });
  // What happened while the stream was down is not sent.
  useReconnect(() => store.refresh());

  const days = store.days;
  return (
    <Page label="Library" className="grid-page" mainRef={main} takeFocus={!store.restoreFocus}>
      <h1 className="visually-hidden">Library{days ? `, ${count(days.total)} items` : ''}</h1>
      {filter.person && <PersonHeader libId={lib.id} person={filter.person} filter={filter} />}
      {filter.album && <AlbumHeader libId={lib.id} album={filter.album} filter={filter} />}
      <div className="grid-bar">
        {days && days.devices.length > 1 && <DeviceFilter devices={days.devices} device={device} total={days.total} filter={filter} />}
        <GridFilters libId={lib.id} device={device} filter={filter} />
      </div>
      <SelectionBar libId={lib.id} selection={selectionOf(store)} reload={() => store.refresh()} showsHidden={filter.hidden === true} withStacks={(u) => store.withStacks(u)} />
      {days === null ? (
        store.daysError !== null ? <p className="empty">{store.daysError}</p> : <p className="muted pad" aria-busy="true">Loading…</p>
      ) : days.total === 0 && narrowed(filter) ? (
        <section className="empty"><p>Nothing matches these filters.</p></section>
      ) : days.total === 0 && filter.kinds !== undefined ? (
        <section className="empty"><p>No content of these kinds.</p></section>
      ) : days.total === 0 && device !== null ? (
        <section className="empty"><p>No content on this device yet.</p></section>
      ) : days.total === 0 ? (
        <section className="empty">
          <h2>No photos or videos here yet</h2>
          <p>Other files (documents, audio, the rest) are under “Other files” above. Add a folder on the <a href="#/locations">Locations</a> page, and its files appear here as they are indexed.</p>
        </section>
      ) : (
        <LibraryGrid store={store} days={days} libId={lib.id} scrollRef={main} />
      )}
    </Page>
  );
}
