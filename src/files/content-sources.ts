import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import { factsAt } from '../storage/local-tree.js';
import { isBucketPath } from '../volumes/bucket-locations.js';

const CONTENT_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Which of a content's files on this device stand for it: one (a copy needs one source), or all of them (a move or a delete leaves none behind). */
export type ContentFiles = 'one' | 'all';

/** SOURCES as paths: the paths named, and each content's files here; NOT_HERE: the contents named that have no file on this device now. */
export interface ResolvedSources {
  paths: string[];
  not_here: string[];
}

/**
 * A file operation's sources as named (issue 32, the grid's bulk actions): an absolute path stays
 * itself; a content uuid stands for its files on this device that are there now (WHICH: one, or
 * all), in reachable locations of its disks (a bucket's objects are not files to copy, move or
 * delete here). A content with none is left out and named in NOT_HERE, so a pick across devices
 * acts on what is here; nothing named at all is an error that says why.
 */
export function resolveSources(lib: Library, sources: readonly string[], which: ContentFiles): ResolvedSources {
  const contents = sources.filter((s) => CONTENT_UUID.test(s)).map((s) => s.toLowerCase());
  if (contents.length === 0) return { paths: [...sources], not_here: [] };
  const found = new Map<string, string[]>();
  const roots = new Map<number, string | null>();
  const rootOf = (id: number): string | null => {
    if (!roots.has(id)) {
      const at = lib.store.locations.byId(id)?.path;
      let root: string | null = null;
      try {
        if (typeof at === 'string' && !isBucketPath(at)) root = lib.roots.location(id).root;
      } catch {
        // A location nobody added on this device: its files are not ours to touch.
      }
      roots.set(id, root !== null && factsAt(root)?.kind === 'dir' ? root : null);
    }
    return roots.get(id)!;
  };
  for (const f of lib.store.entries.filesOfContents(contents, lib.deviceId)) {
    const have = found.get(f.content_uuid) ?? [];
    if (which === 'one' && have.length > 0) continue;
    const root = rootOf(f.location_id);
    if (root === null) continue;
    const path = join(root, ...f.rel_path.split('/'));
    // As the index saw it, and still a file: a copy gone since the scan is not acted on.
    if (factsAt(path)?.kind !== 'file') continue;
    have.push(path);
    found.set(f.content_uuid, have);
  }
  const paths = sources.filter((s) => !CONTENT_UUID.test(s));
  const notHere: string[] = [];
  for (const c of new Set(contents)) {
    const files = found.get(c);
    if (files) paths.push(...files);
    else notHere.push(c);
  }
  if (paths.length === 0) throw new UsageError(`${contents.length === 1 ? 'the content has' : `none of the ${contents.length} contents has`} a file on this device now (on another device, or on a drive not plugged in)`);
  return { paths: [...new Set(paths)], not_here: notHere };
}
