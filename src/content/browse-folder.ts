import { lstat, opendir } from 'node:fs/promises';
import { extname, join, relative, resolve } from 'node:path';
import mime from 'mime-types';
import { describeFsError, VssError } from '../core/errors.js';
import { identifyFileSoon } from './identify-file.js';
import { SMALL_FILE_BYTES } from './hash-file.js';
import { kindForMime } from './kinds.js';
import type { FolderEntry } from '../wire/browse-folder.js';

export type { FolderEntry };

export interface BrowseFolderOptions {
  /** Every folder beneath too (symlinks are listed, never followed). */
  recursive?: boolean;
  /** Identify every file, not only the small ones (large files cost a sampled read each). */
  content?: boolean;
  /** The most entries listed (default 10,000; at most 100,000); `truncated` says when more were left. */
  limit?: number;
  /** Files larger than this get a sampled content id (the library's setting). */
  hashThresholdBytes: number;
}

export const BROWSE_LIMIT_DEFAULT = 10_000;
export const BROWSE_LIMIT_MAX = 100_000;
/** Files identified at once (reads in flight): a USB stick answers many small reads better than one. */
const IN_FLIGHT = 8;

/**
 * A folder's entries as vss sees them, without adding it as a location (seed 003 `index browse`):
 * name, type, size, time, and for small files (or every file, asked) the content's kind and
 * identity. Reads only: nothing is written anywhere. A file that cannot be read is listed with
 * its reason; the listing goes on.
 */
export async function browseFolder(path: string, opts: BrowseFolderOptions): Promise<{ path: string; entries: FolderEntry[]; truncated: boolean }> {
  const root = resolve(path);
  const limit = Math.min(BROWSE_LIMIT_MAX, Math.max(1, Math.floor(opts.limit ?? BROWSE_LIMIT_DEFAULT)));
  let st;
  try {
    st = await lstat(root);
  } catch (err) {
    throw new VssError('NOT_FOUND', `cannot browse: ${describeFsError(err)}`, { path: root, cause: err });
  }
  if (!st.isDirectory()) throw new VssError('USAGE', 'not a folder', { path: root });

  const entries: FolderEntry[] = [];
  let truncated = false;
  const folders = [root];
  while (folders.length > 0 && !truncated) {
    const dir = folders.shift()!;
    let names: string[];
    try {
      names = [];
      for await (const d of await opendir(dir)) names.push(d.name);
    } catch (err) {
      if (dir === root) throw new VssError('NOT_FOUND', `cannot list: ${describeFsError(err)}`, { path: root, cause: err });
      entries.push({ ...blank(relative(root, dir), 'dir'), error: describeFsError(err) });
      continue;
    }
    names.sort();
    for (const name of names) {
      if (entries.length >= limit) { truncated = true; break; }
      const abs = join(dir, name);
      const entry = await describe(abs, relative(root, abs));
      entries.push(entry);
      if (opts.recursive && entry.type === 'dir' && entry.error === undefined) folders.push(abs);
    }
  }
  await identifyAll(root, entries, opts);
  return { path: root, entries, truncated };
}

function blank(path: string, type: FolderEntry['type']): FolderEntry {
  return { path, type, size: 0, modified: null, kind: null, mime: null, content_uuid: null, cas_id: null };
}

async function describe(abs: string, rel: string): Promise<FolderEntry> {
  try {
    const s = await lstat(abs);
    const type: FolderEntry['type'] = s.isDirectory() ? 'dir' : s.isFile() ? 'file' : s.isSymbolicLink() ? 'symlink' : 'other';
    const out = { ...blank(rel, type), size: type === 'file' ? s.size : 0, modified: new Date(s.mtimeMs).toISOString() };
    if (type === 'file') {
      const byName = mime.lookup(extname(abs)) || null;
      out.mime = byName;
      out.kind = byName ? kindForMime(byName) : 'unknown';
    }
    return out;
  } catch (err) {
    return { ...blank(rel, 'other'), error: describeFsError(err) }; // vanished or unreadable since the listing
  }
}

/** Hash and sniff the files asked for, IN_FLIGHT at a time; a failure is that entry's reason. */
async function identifyAll(root: string, entries: FolderEntry[], opts: BrowseFolderOptions): Promise<void> {
  const todo = entries.filter((e) => e.type === 'file' && e.error === undefined && (opts.content || e.size <= SMALL_FILE_BYTES));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < todo.length) {
      const e = todo[next++]!;
      const abs = join(root, e.path);
      let st;
      try {
        st = await lstat(abs);
      } catch (err) {
        e.error = describeFsError(err);
        continue;
      }
      const out = await identifyFileSoon({ id: 0, abs, name: e.path, size: st.size, mtimeMs: st.mtimeMs, inode: st.ino }, opts.hashThresholdBytes);
      if (!out.ok) { e.error = out.reason; continue; }
      e.kind = out.kind;
      e.mime = out.mime;
      e.cas_id = out.casId;
      e.content_uuid = out.contentUuid;
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, todo.length) }, worker));
}
