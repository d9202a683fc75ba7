import { AlbumsView } from './albums-view.js';
import { DetailView } from './detail-view.js';
import { DevicesView } from './devices-view.js';
import { filterKey } from './grid-store.js';
import { GuardianView } from './guardian-view.js';
import { TrashView } from './trash-view.js';
import { FilesView } from './files-view.js';
import { SimilarView } from './similar-view.js';
import { JobsView } from './jobs-view.js';
import { LibraryView } from './library-view.js';
import { LocationsView } from './locations-view.js';
import { Page } from './page.js';
import type { Route } from './routes.js';
import { SearchView } from './search-view.js';
import { TagsView } from './tags-view.js';
import { PeopleView } from './people-view.js';
import { PlacesView } from './places-view.js';
import type { GridFilter } from './types.js';
import { mayRead } from './may.js';
import { useMe } from './me-context.js';

const NO_FILTER: GridFilter = {};

/** The view of ROUTE (a view this session may not read says so, and asks nothing of the daemon). */
export function Views({ route }: { route: Route }) {
  const me = useMe();
  if (!mayRead(me, route.view)) return <NotHere />;
  switch (route.view) {
    case 'library': return <LibraryView key={`${route.device ?? ''}|${filterKey(route.filter ?? {})}`} device={route.device ?? null} filter={route.filter ?? NO_FILTER} />;
    case 'content': return <DetailView key={route.uuid} uuid={route.uuid} q={route.q} />;
    case 'search': return <SearchView q={route.q} />;
    case 'jobs': return <JobsView />;
    case 'locations': return <LocationsView />;
    case 'devices': return <DevicesView />;
    case 'tags': return <TagsView />;
    case 'people': return <PeopleView />;
    case 'albums': return <AlbumsView />;
    case 'places': return <PlacesView />;
    case 'guardian': return <GuardianView />;
    case 'trash': return <TrashView />;
    case 'files': return <FilesView key={route.path.join('/')} path={route.path} />;
    case 'similar': return <SimilarView />;
    case 'missing': return (
      <Page label="Not found">
        <h1>Nothing here</h1>
        <p>There is no page at <code>{route.hash}</code>. <a href="#/">Back to the library</a></p>
      </Page>
    );
  }
}

/** A view of this machine's (Jobs, Devices, the Guardian…) opened by address in a browser whose rights do not reach it. */
function NotHere() {
  return (
    <Page label="Not on this browser">
      <h1>On the computer only</h1>
      <p>This browser may not open this page: what it shows is done on the computer. <a href="#/">Back to the library</a></p>
    </Page>
  );
}
