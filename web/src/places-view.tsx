import { get } from './api.js';
import { API } from './api-paths.js';
import { counted } from './format.js';
import { useLibrary } from './library-context.js';
import { Page } from './page.js';
import { PlacesMap } from './places-map.js';
import { href } from './routes.js';
import type { PlaceCountry } from './types.js';
import { useReconnect } from './use-live-event.js';
import { useLoad } from './use-load.js';

/** The search for the photos taken in PLACE (a town or a country). */
const placeSearch = (place: string) => href({ view: 'search', q: `place:"${place.replace(/"/g, '')}"` });

/**
 * `#/places`: where the photos were taken (from their GPS, issue 32): countries, most photos
 * first, each with its towns and their counts. A town or a country opens the search `place:"…"`.
 */
export function PlacesView() {
  const lib = useLibrary();
  const [places, reload] = useLoad((signal) => get<PlaceCountry[]>(API.places(lib.id), signal), [lib.id]);
  useReconnect(reload);
  const countries = places.state === 'ready' ? [...places.value].sort((a, b) => b.count - a.count || a.country.localeCompare(b.country)) : [];
  return (
    <Page label="Places">
      <h1>Places</h1>
      {places.state === 'loading' && <p className="muted" aria-busy="true">Loading…</p>}
      {places.state === 'error' && <p>{places.message}</p>}
      {places.state === 'ready' && countries.length === 0 && (
        <section className="empty">
          <p>No places yet. Photos get a place from their GPS when their folder is indexed in deep mode: add one on the <a href="#/locations">Locations</a> page (or <code>vss location add DIR --mode deep</code>).</p>
        </section>
      )}
      {countries.length > 0 && <PlacesMap countries={countries} onOpen={(place) => { location.hash = placeSearch(place); }} />}
      {countries.length > 0 && (
        <ul className="places" aria-label="Countries">
          {countries.map((c) => (
            <li key={c.country} className="place-country">
              <h2>
                <a href={placeSearch(c.country)}>{c.country}</a> <span className="muted small">{counted(c.count, 'photo')}</span>
              </h2>
              <ul className="place-towns" aria-label={`Towns in ${c.country}`}>
                {[...c.cities].sort((a, b) => b.count - a.count || a.city.localeCompare(b.city)).map((t) => (
                  <li key={`${t.city}|${t.region ?? ''}`}>
                    <a href={placeSearch(t.city)}>{t.city}</a>
                    {t.region && <span className="muted small"> · {t.region}</span>}
                    <span className="muted small"> {counted(t.count, 'photo')}</span>
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      )}
    </Page>
  );
}
