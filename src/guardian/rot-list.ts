import { UsageError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import type { GuardianRotView } from '../wire/guardian.js';
import { DEFAULT_AT_RISK, MAX_AT_RISK } from './redundancy.js';

/** The rotten files of this device (`guardian list --rot`), oldest found first, LIMIT of them. */
export function rotList(lib: Library, opts: { limit?: number } = {}): GuardianRotView[] {
  const limit = opts.limit ?? DEFAULT_AT_RISK;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AT_RISK) throw new UsageError(`--limit is a whole number from 1 to ${MAX_AT_RISK}, got ${String(limit)}`);
  return lib.store.rot.list(limit).map((r) => ({
    content_uuid: r.content_uuid, size: r.size, location_id: r.location_id, path: join(r.location_path, r.rel_path),
    expected: r.expected, found: r.found, found_at: r.found_at,
  }));
}

function join(root: string, rel: string): string {
  return root.endsWith('/') ? `${root}${rel}` : `${root}/${rel}`;
}
