/**
 * The viewer as a history entry (issue 58): opening it pushes one with the same address, so the
 * browser's Back (a phone's back gesture) closes the viewer and leaves the page under it as it
 * was (the address never changed: no view is drawn anew). Closed any other way (×, a swipe down,
 * Escape), its entry is taken off again, so the next Back goes where it went before the viewer.
 * Left for another page (Info), that page takes the entry's place, and Back from it returns here.
 */
export interface ViewerEntry {
  /** The viewer closed (not by Back): its entry goes, if it is still the current one. */
  closed(): void;
  /** The viewer gives way to the app's HASH (`#/content/…`), in its entry's place. */
  leave(hash: string): void;
}

let opened = 0;

/** Push the viewer's entry; CLOSE is called when Back takes it off. */
export function viewerEntry(close: () => void): ViewerEntry {
  const mark = ++opened;
  history.pushState({ vssViewer: mark }, '', location.href);
  let done = false;
  const finish = () => {
    done = true;
    window.removeEventListener('popstate', onPop);
  };
  // Back (or Forward past it) took the entry off: the viewer closes, nothing else moves.
  const onPop = () => {
    if (done) return;
    finish();
    close();
  };
  window.addEventListener('popstate', onPop);
  const closed = () => {
    if (done) return;
    finish();
    if ((history.state as { vssViewer?: unknown } | null)?.vssViewer === mark) history.back();
  };
  return {
    closed,
    leave(hash) {
      // Opened over that very page (its "Full screen"): nothing to go to, only the viewer to close.
      if (hash === location.hash) return closed();
      finish();
      // A fragment navigation that replaces the entry: `hashchange` tells the app's router (navigation.ts).
      location.replace(hash);
    },
  };
}
