/**
 * The current route, followed from `hashchange`, and the app's own history: how many steps back
 * stay inside the app, so Escape goes back to where the user came from and never leaves the app.
 */
import { parentOf, parseRoute, href, type Route } from './routes.js';

let current: Route = parseRoute(location.hash);
/** Hashes visited in this tab, oldest first (the last is the current one). */
const trail: string[] = [location.hash || '#/'];
const listeners = new Set<() => void>();

window.addEventListener('hashchange', () => {
  const hash = location.hash || '#/';
  if (trail.length >= 2 && trail[trail.length - 2] === hash) trail.pop();
  else if (trail.at(-1) !== hash) trail.push(hash);
  current = parseRoute(hash);
  for (const l of listeners) l();
});

export function subscribeRoute(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function currentRoute(): Route {
  return current;
}

/** Go to ROUTE; REPLACE keeps the history as it is (typing in the search box). */
export function navigate(route: Route, opts: { replace?: boolean } = {}): void {
  const target = href(route);
  if (target === (location.hash || '#/')) return;
  if (opts.replace) {
    history.replaceState(history.state, '', target);
    trail[trail.length - 1] = target;
    current = parseRoute(target);
    for (const l of listeners) l();
  } else {
    location.hash = target;
  }
}

/** Escape: back through the app's history, else up to the route's parent. */
export function goBack(): void {
  if (trail.length >= 2) history.back();
  else {
    const parent = parentOf(current);
    if (parent) navigate(parent);
  }
}
