/**
 * The daemon's events (Server-Sent Events on /api/events, authenticated by the session cookie),
 * over one EventSource shared by every view that listens. Past events are not replayed: a view
 * loads the current state itself and follows from there, and loads again after a reconnect
 * (`onReconnect`), since what happened while the stream was down is not sent.
 */
import { API } from './api-paths.js';
import type { StreamedEvent } from './types.js';

type Listener = (event: StreamedEvent) => void;

const byType = new Map<string, Set<Listener>>();
const reconnectListeners = new Set<() => void>();
let source: EventSource | null = null;
let wasOpen = false;

function ensureSource(): void {
  if (source) return;
  source = new EventSource(API.events(), { withCredentials: true });
  source.addEventListener('open', () => {
    if (wasOpen) for (const l of reconnectListeners) l();
    wasOpen = true;
  });
  // The daemon names each event (`event: jobs:job`), so one handler per type is added as views ask.
  for (const type of byType.keys()) source.addEventListener(type, dispatch);
}

function dispatch(e: Event): void {
  const m = e as MessageEvent<string>;
  let event: StreamedEvent;
  try {
    event = JSON.parse(m.data) as StreamedEvent;
  } catch {
    return;
  }
  for (const l of byType.get(m.type) ?? []) l(event);
}

/** Call LISTENER for each event of TYPE (e.g. "jobs:job") as it comes; returns the unsubscribe. */
export function onLiveEvent(type: string, listener: Listener): () => void {
  let set = byType.get(type);
  if (!set) {
    set = new Set();
    byType.set(type, set);
    source?.addEventListener(type, dispatch);
  }
  set.add(listener);
  ensureSource();
  return () => {
    set.delete(listener);
  };
}

/** Call LISTENER each time the stream comes back after a break. */
export function onReconnect(listener: () => void): () => void {
  reconnectListeners.add(listener);
  ensureSource();
  return () => {
    reconnectListeners.delete(listener);
  };
}
