/**
 * The app's hash routes, one table: what each looks like, how it is read and how it is written.
 * `#/[?device=local|ID]`, `#/content/UUID[?q=words]`, `#/search?q=words`, `#/jobs`, `#/locations`, `#/devices`.
 */

export type Route =
  | { view: 'library'; device?: string }
  | { view: 'content'; uuid: string; q: string }
  | { view: 'search'; q: string }
  | { view: 'jobs' }
  | { view: 'locations' }
  | { view: 'devices' }
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
    return device === 'local' || UUID.test(device) ? { view: 'library', device: device.toLowerCase() } : { view: 'library' };
  }
  const [head, arg] = parts;
  if (head === 'content' && arg !== undefined && parts.length === 2 && UUID.test(arg)) return { view: 'content', uuid: arg.toLowerCase(), q };
  if (parts.length === 1) {
    if (head === 'search') return { view: 'search', q };
    if (head === 'jobs' || head === 'locations' || head === 'devices') return { view: head };
  }
  return { view: 'missing', hash: raw };
}

/** The hash of ROUTE (with its leading "#"). */
export function href(route: Route): string {
  switch (route.view) {
    case 'library': return route.device ? `#/?device=${encodeURIComponent(route.device)}` : '#/';
    case 'content': return `#/content/${route.uuid}${route.q ? `?q=${encodeURIComponent(route.q)}` : ''}`;
    case 'search': return `#/search${route.q ? `?q=${encodeURIComponent(route.q)}` : ''}`;
    case 'missing': return `#${route.hash}`;
    default: return `#/${route.view}`;
  }
}

/** The main navigation: label and route of each link, in order. */
export const NAV: ReadonlyArray<{ label: string; route: Route }> = [
  { label: 'Library', route: { view: 'library' } },
  { label: 'Jobs', route: { view: 'jobs' } },
  { label: 'Locations', route: { view: 'locations' } },
  { label: 'Devices', route: { view: 'devices' } },
];

/** Where Escape goes from a route when there is no history inside the app to go back through. */
export function parentOf(route: Route): Route | null {
  switch (route.view) {
    case 'library': return null;
    case 'content': return route.q ? { view: 'search', q: route.q } : { view: 'library' };
    default: return { view: 'library' };
  }
}
