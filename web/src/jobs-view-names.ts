/**
 * Names for the jobs that arrived live: a `jobs:job` event carries no name, so the jobs still
 * without one are looked up together, by one read of the job list from the first of them
 * (`after`, no filter: new jobs are the newest), at most one request at once and at most one
 * every LOOKUP_MS however many events come (RETRY_MS after a failure). A job the read covers but
 * does not hold (pruned meanwhile) gets null, so no job is asked for twice.
 */
import { useEffect, useRef } from 'react';
import { get, isAbort } from './api.js';
import { API } from './api-paths.js';
import { reportError } from './errors.js';
import type { JobRow, Page } from './types.js';

const LOOKUP_MS = 500;
const RETRY_MS = 5000;
/** The daemon's largest page. */
const LOOKUP_LIMIT = 1000;

type TakeNames = (names: ReadonlyMap<number, string | null>) => void;

interface Lookup {
  libId: string;
  items: readonly JobRow[];
  take: TakeNames;
  busy: boolean;
  /** No read starts before this time. */
  notBefore: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  abort: AbortController;
}

/** Look up the names ITEMS lack, a batch at a time; TAKE gets the names found, by job id. */
export function useJobNames(libId: string, items: readonly JobRow[] | null, take: TakeNames): void {
  const ref = useRef<Lookup | null>(null);
  ref.current ??= { libId, items: [], take, busy: false, notBefore: 0, timer: undefined, abort: new AbortController() };
  const lookup = ref.current;
  lookup.libId = libId;
  lookup.items = items ?? [];
  lookup.take = take;
  const first = items ? firstUnnamed(items) : undefined;
  useEffect(() => {
    lookup.abort = new AbortController();
    return () => {
      lookup.abort.abort();
      clearTimeout(lookup.timer);
      lookup.timer = undefined;
      lookup.busy = false;
    };
  }, [lookup, libId]);
  useEffect(() => {
    if (first !== undefined) schedule(lookup);
  }, [lookup, libId, first]);
}

function schedule(l: Lookup): void {
  if (l.busy || l.timer !== undefined) return;
  l.timer = setTimeout(() => {
    l.timer = undefined;
    // The list as it is now: names taken since the read was planned are not asked for again.
    // Only the jobs unnamed when it is sent can be said to be missing from its answer: one created
    // after the daemon read its list (its event may come before the answer) is asked for next time.
    const asked = unnamed(l.items);
    if (asked.length === 0) return;
    const first = Math.min(...asked);
    l.busy = true;
    l.notBefore = Date.now() + LOOKUP_MS;
    const signal = l.abort.signal;
    get<Page<JobRow>>(API.jobs(l.libId, { after: String(first - 1), limit: LOOKUP_LIMIT }), signal).then(
      (page) => l.take(namesFound(asked, page)),
      (err: unknown) => {
        if (isAbort(err)) return;
        l.notBefore = Date.now() + RETRY_MS;
        reportError(err);
      },
    ).finally(() => {
      if (signal.aborted) return;
      l.busy = false;
      // More may have come meanwhile (or the list is not drawn with the names yet: the timer reads it again then).
      if (firstUnnamed(l.items) !== undefined) schedule(l);
    });
  }, Math.max(0, l.notBefore - Date.now()));
}

/**
 * The names a read of the jobs from the least of ASKED gave: those it holds, and null for the jobs
 * asked for that it covers but does not hold (pruned meanwhile). It covers up to its last job, or
 * every job asked for when it was the last page (not more: a job created after the daemon read
 * its list is not in it, and is asked for next time).
 */
export function namesFound(asked: readonly number[], page: Page<JobRow>): Map<number, string | null> {
  const names = new Map<number, string | null>(page.items.map((j) => [j.id, j.name ?? null]));
  const upTo = page.next === null ? Math.max(...asked) : (page.items.at(-1)?.id ?? -Infinity);
  for (const id of asked) if (id <= upTo && !names.has(id)) names.set(id, null);
  return names;
}

/** The ids of the jobs with a content and no name yet. */
function unnamed(items: readonly JobRow[]): number[] {
  const ids: number[] = [];
  for (const j of items) if (j.content_uuid !== null && j.name === undefined) ids.push(j.id);
  return ids;
}

/** The smallest id of a job with a content and no name yet. */
function firstUnnamed(items: readonly JobRow[]): number | undefined {
  const ids = unnamed(items);
  return ids.length > 0 ? Math.min(...ids) : undefined;
}

/** ITEMS with the NAMES found. */
export function withNames(items: JobRow[], names: ReadonlyMap<number, string | null>): JobRow[] {
  return items.map((j) => (j.name === undefined && names.has(j.id) ? { ...j, name: names.get(j.id) ?? null } : j));
}
