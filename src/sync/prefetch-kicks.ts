import type { EventBus } from '../core/events.js';
import type { Prefetch } from './prefetch.js';

/**
 * Prefetch looks again whenever what it may fetch grew: a peer said what it has (availability), or
 * a peer's contents arrived (its library rows: prefetch fetches only for contents this library
 * knows). The two feeds are pulled side by side, in either order: after pairing, a device whose
 * contents came in after its availability had its thumbnails wait for prefetch's next round
 * (60 s) when only the first kicked. Returns the function that stops listening.
 */
export function kickPrefetchOnPeerChanges(events: EventBus, prefetch: Pick<Prefetch, 'kick'>): () => void {
  const offs = [
    events.on('availability:changed', () => prefetch.kick()),
    events.on('library:peer-rows', () => prefetch.kick()),
  ];
  return () => {
    for (const off of offs) off();
  };
}
