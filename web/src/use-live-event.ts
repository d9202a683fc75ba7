import { useEffect, useRef } from 'react';
import { onLiveEvent, onReconnect } from './live-events.js';
import type { StreamedEvent } from './types.js';

/** Call HANDLER for each live event of TYPE while the component is shown (the latest HANDLER, no resubscribing). */
export function useLiveEvent(type: string, handler: (event: StreamedEvent) => void): void {
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => onLiveEvent(type, (e) => latest.current(e)), [type]);
}

/** Call HANDLER when the event stream reconnects (what it missed must be loaded again). */
export function useReconnect(handler: () => void): void {
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => onReconnect(() => latest.current()), []);
}
