/**
 * Lists in the core API come two ways: streamed (an iterator that reads the database a page at
 * a time) for the CLI, and paged with an opaque cursor for the daemon's HTTP handlers. Either
 * way memory is bounded by a page, not by the library.
 */
import { UsageError } from '../core/errors.js';
import type { KeyedReader, TextKeyedReader } from '../core/paging.js';
import type { Page } from '../wire/common.js';

export type { Page };

export interface PageRequest {
  /** The `next` of the previous page. */
  after?: string | null;
  /** Items per page (1–1000, default 100). */
  limit?: number;
}

export const MAX_PAGE = 1000;
const DEFAULT_PAGE = 100;

/** One page of READ after the request's cursor. */
export function pageKeyed<T>(read: KeyedReader<T>, req: PageRequest = {}): Page<T> {
  const limit = req.limit ?? DEFAULT_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new UsageError(`limit must be a whole number from 1 to ${MAX_PAGE}`);
  const after = parseCursor(req.after);
  const rows = read(after, limit + 1);
  const items = rows.slice(0, limit);
  return { items: items.map((r) => r.item), next: rows.length > limit ? String(items[items.length - 1]!.key) : null };
}

/** One page of a text-keyed READ (its cursor is the last key: a uuid or the like, checked for shape). */
export function pageTextKeyed<T>(read: TextKeyedReader<T>, req: PageRequest = {}): Page<T> {
  const limit = req.limit ?? DEFAULT_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new UsageError(`limit must be a whole number from 1 to ${MAX_PAGE}`);
  const after = req.after ?? '';
  if (!/^[0-9a-z-]{0,64}$/.test(after)) throw new UsageError(`not a page cursor: ${JSON.stringify(after).slice(0, 80)}`);
  const rows = read(after, limit + 1);
  const items = rows.slice(0, limit);
  return { items: items.map((r) => r.item), next: rows.length > limit ? items[items.length - 1]!.key : null };
}

function parseCursor(cursor: string | null | undefined): number {
  if (cursor === undefined || cursor === null || cursor === '') return 0;
  if (!/^[0-9]{1,15}$/.test(cursor)) throw new UsageError(`not a page cursor: ${JSON.stringify(cursor)}`);
  return Number(cursor);
}
