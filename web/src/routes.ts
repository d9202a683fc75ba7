/**
 * The app's hash routes, one table: what each looks like, how it is read and how it is written.
 * `#/[?device=local|ID][&tag=UUID][&fav=1][&rating=N][&hidden=1]`, `#/content/UUID[?q=words]`,
 * `#/search?q=words`, `#/jobs`, `#/locations`, `#/devices`, `#/tags`, `#/guardian`, `#/people`,
 * `#/albums`, `#/places`, `#/similar`, `#/trash`, `#/files[/DEVICE[/LOCATION[/FOLDER…]]]` (the explorer, issue 59);
 * a person's photos are the grid with `person=ID`.
 */
import type { OperationName } from '../../src/api/remote/operations.js';
import type { GridFilter } from './types.js';

export type Route =
  | { view: 'library'; device?: string; filter?: GridFilter }
  | { view: 'content'; uuid: string; q: string }
  | { view: 'search'; q: string }
  | { view: 'jobs' }
  | { view: 'locations' }
  | { view: 'devices' }
  | { view: 'tags' }
  | { view: 'people' }
  | { view: 'albums' }
  | { view: 'places' }
  | { view: 'guardian' }
  | { view: 'trash' }
  | { view: 'similar' }
  /** PATH: a device's id, then a location's name and the folders beneath it (none: every device). */
  | { view: 'files'; path: string[] }
  | { view: 'missing'; hash: string };

export type View = Route['view'];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Read a location hash ("#/content/…?q=…"). */
export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/';
  const qAt = raw.indexOf('?');
  const path = qAt < 0 ? raw : raw.slice(0, qAt);
  const params = new URLSearchParams(qAt < 0 ? '' : raw.slice(qAt + 1));
  const q = params.get('q') ?? '';
  const parts = path.split('/').filter((p) => p !== '');
  if (parts.length === 0) {
    // The grid of one device's contents: this one's (`local`) or a paired one's (its id).
    const device = params.get('device') ?? '';
    const filter = gridFilterOf(params);
    return {
      view: 'library',
      ...(device === 'local' || UUID.test(device) ? { device: device.toLowerCase() } : {}),
      ...(Object.keys(filter).length > 0 ? { filter } : {}),
    };
  }
  const [head, arg] = parts;
  if (head === 'files') return { view: 'files', path: parts.slice(1).map(decodePart) };
  if (head === 'content' && arg !== undefined && parts.length === 2 && UUID.test(arg)) return { view: 'content', uuid: arg.toLowerCase(), q };
  if (parts.length === 1) {
    if (head === 'search') return { view: 'search', q };
    if (head === 'jobs' || head === 'locations' || head === 'devices' || head === 'tags' || head === 'guardian' || head === 'people' || head === 'albums' || head === 'places' || head === 'trash' || head === 'similar') return { view: head };
  }
  return { view: 'missing', hash: raw };
}

/** The hash of ROUTE (with its leading "#"). */
export function href(route: Route): string {
  switch (route.view) {
    case 'library': {
      const p = new URLSearchParams();
      if (route.device) p.set('device', route.device);
      const f = route.filter ?? {};
      if (f.tag) p.set('tag', f.tag);
      if (f.favorite) p.set('fav', '1');
      if (f.rating) p.set('rating', String(f.rating));
      if (f.hidden) p.set('hidden', '1');
      if (f.person) p.set('person', f.person);
      if (f.album) p.set('album', f.album);
      if (f.kinds) p.set('kinds', f.kinds);
      if (f.risk) p.set('risk', '1');
      // Commas need no escape in a hash: `kinds=image,video` reads as written.
      const q = p.toString().replaceAll('%2C', ',');
      return q === '' ? '#/' : `#/?${q}`;
    }
    case 'content': return `#/content/${route.uuid}${route.q ? `?q=${encodeURIComponent(route.q)}` : ''}`;
    case 'search': return `#/search${route.q ? `?q=${encodeURIComponent(route.q)}` : ''}`;
    case 'files': return `#/files${route.path.map((p) => `/${encodeURIComponent(p)}`).join('')}`;
    case 'missing': return `#${route.hash}`;
    default: return `#/${route.view}`;
  }
}

/**
 * What each view reads first: a session that may not call it (may.ts) is not offered the view
 * (its link is not in the navigation; its address says it is for the computer), so the view
 * never asks for what it would be refused.
 */
export const VIEW_READS: Readonly<Record<View, OperationName | null>> = {
  library: 'gridDays', content: 'contentDetail', search: 'search', jobs: 'jobsList', locations: 'locationsList', devices: 'devicesList',
  tags: 'tagsList', people: 'peopleList', albums: 'albumsList', places: 'placesList', guardian: 'guardianStatus', trash: 'trashList',
  similar: 'similarList', files: 'ls', missing: null,
};

/** The main navigation: label and route of each link, in order (each shown where its view may be read: VIEW_READS). */
export const NAV: ReadonlyArray<{ label: string; route: Route }> = [
  { label: 'Library', route: { view: 'library' } },
  { label: 'Files', route: { view: 'files', path: [] } },
  { label: 'Albums', route: { view: 'albums' } },
  { label: 'Places', route: { view: 'places' } },
  { label: 'People', route: { view: 'people' } },
  { label: 'Jobs', route: { view: 'jobs' } },
  { label: 'Locations', route: { view: 'locations' } },
  { label: 'Tags', route: { view: 'tags' } },
  { label: 'Devices', route: { view: 'devices' } },
  { label: 'Guardian', route: { view: 'guardian' } },
  { label: 'Similar', route: { view: 'similar' } },
  { label: 'Trash', route: { view: 'trash' } },
];

/** The grid's filter in an address's parameters (what cannot mean anything is left out). */
function gridFilterOf(params: URLSearchParams): GridFilter {
  const f: GridFilter = {};
  const tag = params.get('tag');
  if (tag && tag.length <= 200) f.tag = tag;
  if (params.get('fav') === '1') f.favorite = true;
  const rating = Number(params.get('rating'));
  if (Number.isInteger(rating) && rating >= 1 && rating <= 5) f.rating = rating;
  if (params.get('hidden') === '1') f.hidden = true;
  if (params.get('risk') === '1') f.risk = true;
  const person = params.get('person');
  if (person && UUID.test(person)) f.person = person.toLowerCase();
  const album = params.get('album');
  if (album && UUID.test(album)) f.album = album.toLowerCase();
  // The kinds shown (grid-kinds.ts says what each value means; absent: photos and videos).
  const kinds = params.get('kinds');
  if (kinds && /^[a-z]+(,[a-z]+)*$/.test(kinds) && kinds.length <= 200) f.kinds = kinds;
  return f;
}

/** Where Escape goes from a route when there is no history inside the app to go back through. */
export function parentOf(route: Route): Route | null {
  switch (route.view) {
    case 'library': return null;
    case 'content': return route.q ? { view: 'search', q: route.q } : { view: 'library' };
    default: return { view: 'library' };
  }
}

/** One part of a `#/files/…` address as written (a name that cannot be decoded is taken as it is). */
function decodePart(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}
