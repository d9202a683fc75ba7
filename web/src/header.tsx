import { SearchBox } from './search-box.js';
import { mayRead } from './may.js';
import { href, NAV, type Route } from './routes.js';
import type { LibraryRef } from './types.js';
import { useMe } from './me-context.js';
import { UploadButton } from './upload-button.js';

/** The header of every view: the library's name, the search box, the main navigation, and Upload. */
export function Header({ route, library }: { route: Route; library: LibraryRef | null }) {
  const me = useMe();
  // A browser that may only upload sees nothing of the library: no search, no pages.
  const seesLibrary = me.browser === null || me.browser.may.view;
  const section = route.view === 'content' || route.view === 'search' || route.view === 'missing' ? null : route.view;
  return (
    <header className="app-header">
      {/* Not a link: "Library" in the navigation is the way home, and one link per name keeps it findable. */}
      {/* A browser that may only upload is told no library's name nor path (the daemon blinds them): none is shown. */}
      <p className="brand" title={seesLibrary ? library?.path : undefined}>
        <span className="brand-mark" aria-hidden="true">vss</span>
        <span className="brand-name">{seesLibrary ? library?.name ?? '' : ''}</span>
      </p>
      {seesLibrary && <SearchBox route={route} />}
      {seesLibrary && <nav aria-label="Main">
        <ul>
          {NAV.filter((item) => mayRead(me, item.route.view)).map((item) => (
            <li key={item.label}>
              <a href={href(item.route)} aria-current={section === item.route.view ? 'page' : undefined}>{item.label}</a>
            </li>
          ))}
        </ul>
      </nav>}
      {/* In the header, not in the grid's bar: on a phone that bar scrolls sideways, and Upload must be on the first screen. */}
      {seesLibrary && <UploadButton />}
    </header>
  );
}
