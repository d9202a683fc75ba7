import { useEffect } from 'react';
import { get } from './api.js';
import { API } from './api-paths.js';
import { ErrorRegion } from './error-region.js';
import { clearErrors } from './errors.js';
import { Header } from './header.js';
import { LibraryContext } from './library-context.js';
import { goBack } from './navigation.js';
import { useLoad } from './use-load.js';
import { useRoute } from './use-route.js';
import { Views } from './views.js';
import type { LibraryRef } from './types.js';
import { MeContext, type Me } from './me-context.js';
import { SignedOutPage, useSignedOut } from './signed-out.js';
import { UploadButton, UploadSheet } from './upload-button.js';
import { SharedAlbumApp } from './shared-album.js';

/** The app: the library it shows, the header, the current view, and the errors. */
export function App() {
  const route = useRoute();
  const [library] = useLoad(async (signal) => {
    const lib = await get<LibraryRef>(API.librariesCurrent(), signal);
    performance.mark('vss:library');
    return lib;
  }, []);
  const [me] = useLoad((signal) => get<Me>(API.uiMe(), signal), []);
  const ended = useSignedOut();
  useEscapeGoesBack();
  useEffect(clearErrors, [route]);
  // A guest of a shared album: its album, and nothing of the app around it.
  if (me.state === 'ready' && me.value.share) return <div className="app"><SharedAlbumApp /></div>;
  if (ended) return <div className="app"><SignedOutPage reason={ended} /></div>;
  // Nothing is drawn, and so nothing asked of the daemon, before the app knows what this session
  // may do (may.ts): a control drawn for this machine's user would ask a paired browser's refusal.
  if (me.state === 'loading') {
    return (
      <div className="app">
        <main id="main" tabIndex={-1} className="page" aria-busy="true"><p className="muted">Opening the library…</p></main>
      </div>
    );
  }
  // Not known (the daemon unreachable: the app opened offline from its service worker): the shell, offering no more than viewing.
  const who = me.state === 'ready' ? me.value : UNKNOWN;
  return (
    <MeContext.Provider value={who}>
    <div className="app">
      <a className="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>Skip to content</a>
      <Header route={route} library={library.state === 'ready' ? library.value : null} />
      <ErrorRegion />
      {me.state === 'ready' && who.view_only && (
        <p className="view-only muted small" role="note">
          {who.browser ? `${who.browser.name}: this browser may ${mayWords(who.browser.may)}` : 'View only: this browser may look through the library'}; the rest is done on the computer.
        </p>
      )}
      {who.browser && !who.browser.may.view ? (
        <main id="main" tabIndex={-1} className="page upload-only">
          <h1>Upload photos and videos</h1>
          <p>This browser may upload photos and videos; it sees nothing else of the library. Those the library holds already, on any device, are not sent again.</p>
          <p><UploadButton /></p>
        </main>
      ) : library.state === 'ready' ? (
        <LibraryContext.Provider value={library.value}>
          <Views route={route} />
        </LibraryContext.Provider>
      ) : (
        <main id="main" tabIndex={-1} className="page" aria-busy={library.state === 'loading'}>
          {library.state === 'loading' ? <p className="muted">Opening the library…</p> : <NoLibrary message={library.message} />}
        </main>
      )}
      <UploadSheet />
    </div>
    </MeContext.Provider>
  );
}

/** Who the session is while the daemon cannot say: what any browser may, viewing. */
const UNKNOWN: Me = { view_only: true, browser: null };

function mayWords(may: Me['browser'] extends infer B ? B extends { may: infer M } ? M : never : never): string {
  const words = [may.view && 'view', may.upload && 'upload', may.organise && 'organise', may.files && 'copy, move and delete files'].filter(Boolean);
  return words.length > 1 ? `${words.slice(0, -1).join(', ')} and ${words.at(-1)}` : String(words[0] ?? 'do nothing');
}

function NoLibrary({ message }: { message: string }) {
  return (
    <section className="empty">
      <h1>No library to show</h1>
      <p>{message}</p>
    </section>
  );
}

/** Escape anywhere but in a field or a player goes back (a field's own Escape comes first). */
function useEscapeGoesBack(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
      const t = e.target as HTMLElement | null;
      if (t && (t.closest('input, textarea, select, [contenteditable="true"]') || document.fullscreenElement)) return;
      e.preventDefault();
      goBack();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
