import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { goBack, navigate } from './navigation.js';
import type { Route } from './routes.js';

const DEBOUNCE_MS = 150;

/**
 * The search box of the header: results as you type (the search route follows the box after a
 * short pause; typing replaces the history entry instead of adding one per letter), Enter at once,
 * Escape clears and goes back.
 */
export function SearchBox({ route }: { route: Route }) {
  const routeQ = route.view === 'search' || route.view === 'content' ? route.q : '';
  const [value, setValue] = useState(routeQ);
  const input = useRef<HTMLInputElement>(null);
  const timer = useRef<number | undefined>(undefined);

  // The box shows the route's query when the route changes from elsewhere (a link, Back), not while typing.
  useEffect(() => {
    if (document.activeElement !== input.current) setValue(routeQ);
  }, [routeQ]);
  useEffect(() => () => window.clearTimeout(timer.current), []);

  const go = (q: string, replace: boolean) => {
    window.clearTimeout(timer.current);
    navigate({ view: 'search', q: q.trim() }, { replace });
  };

  const onChange = (q: string) => {
    setValue(q);
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => go(q, route.view === 'search'), DEBOUNCE_MS);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      go(value, route.view === 'search');
    } else if (e.key === 'ArrowDown') {
      // From the box straight to the first result, not through the navigation.
      const first = document.querySelector<HTMLElement>('ul[aria-label="Search results"] a');
      if (first) {
        e.preventDefault();
        first.focus();
      }
    } else if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      window.clearTimeout(timer.current);
      setValue('');
      if (route.view === 'search') goBack();
      input.current?.blur();
    }
  };

  return (
    <form className="search" role="search" onSubmit={(e) => e.preventDefault()}>
      <input
        ref={input}
        type="search"
        aria-label="Search"
        placeholder="Search names, text, speech…"
        autoComplete="off"
        spellCheck={false}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={onKeyDown}
      />
    </form>
  );
}
