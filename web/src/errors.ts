/**
 * Errors the user should see, from any view: kept here and shown by <ErrorRegion> in an
 * aria-live region, so a screen reader says them as they come.
 */
import { isAbort } from './api.js';

export interface ShownError {
  id: number;
  message: string;
}

let shown: readonly ShownError[] = [];
let nextId = 1;
const listeners = new Set<() => void>();
const MAX_SHOWN = 4;

function changed(): void {
  for (const l of listeners) l();
}

/** Show ERR's message (an aborted request is not an error: the user moved on). */
export function reportError(err: unknown): void {
  if (isAbort(err)) return;
  const message = err instanceof Error ? err.message : String(err);
  // The same message twice in a row is one problem, not two.
  if (shown.at(-1)?.message === message) return;
  shown = [...shown, { id: nextId++, message }].slice(-MAX_SHOWN);
  changed();
}

export function dismissError(id: number): void {
  shown = shown.filter((e) => e.id !== id);
  changed();
}

/** The user went elsewhere: what failed before is no longer about what they see. */
export function clearErrors(): void {
  if (shown.length === 0) return;
  shown = [];
  changed();
}

export function subscribeErrors(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function currentErrors(): readonly ShownError[] {
  return shown;
}
