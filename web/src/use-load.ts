import { useCallback, useEffect, useState } from 'react';
import { reportError } from './errors.js';

export type Loaded<T> =
  | { state: 'loading' }
  | { state: 'error'; message: string }
  | { state: 'ready'; value: T };

/**
 * Load with LOAD while the component is shown, again when DEPS change or `reload` is called; the
 * request of a view left or of old DEPS is aborted. A failure is shown in the view and in the error region.
 */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[]): [Loaded<T>, () => void, (update: (v: T) => T) => void] {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  const [round, setRound] = useState(0);
  useEffect(() => {
    const abort = new AbortController();
    load(abort.signal).then(
      (value) => { if (!abort.signal.aborted) setLoaded({ state: 'ready', value }); },
      (err: unknown) => {
        if (abort.signal.aborted) return;
        reportError(err);
        setLoaded({ state: 'error', message: err instanceof Error ? err.message : String(err) });
      },
    );
    return () => abort.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  const update = useCallback((f: (v: T) => T) => setLoaded((l) => (l.state === 'ready' ? { state: 'ready', value: f(l.value) } : l)), []);
  return [loaded, reload, update];
}
