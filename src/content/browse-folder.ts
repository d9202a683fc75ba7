import { extname, resolve } from 'node:path';
import mime from 'mime-types';
import { describeFsError, VssError } from '../core/errors.js';
import { ConfinedRoot, isInside, PathRefusedError } from '../library/confine.js';
import type { LocalDisk } from '../storage/local-disk.js';
import type { NodeFacts } from '../storage/port.js';
import { storageAt } from '../storage/storages.js';
import { realPathOf } from '../storage/local-tree.js';
import { detectType } from './detect-type.js';
import { identifyFileSoon } from './identify-file.js';
import { HEAD_BYTES, SMALL_FILE_BYTES } from './hash-file.js';
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
  /** A folder (by its real path) the one browsed must really lie in: a peer's listing of a browsable root (issue 59), no symlink leading out. */
  within?: string;
  /** Kinds by first bytes alone, no file read whole (a peer's listing: its asker learns no content id, and a listing costs a head a file). */
  sniffOnly?: boolean;
}

export const BROWSE_LIMIT_DEFAULT = 10_000;
export const BROWSE_LIMIT_MAX = 100_000;
/** Files identified at once (reads in flight): a USB stick answers many small reads better than one. */
const IN_FLIGHT = 8;
/** Why a name that is not there (any more) is listed without its facts: as the file system says it. */
const VANISHED = describeFsError(Object.assign(new Error('not there'), { code: 'ENOENT' }));

/**
 * A folder's entries as vss sees them, without adding it as a location (seed 003 `index browse`):
 * name, type, size, time, and for small files (or every file, asked) the content's kind and
 * identity. Reads only: nothing is written anywhere. A file that cannot be read is listed with
 * its reason; the listing goes on.
 */
export async function browseFolder(path: string, opts: BrowseFolderOptions): Promise<{ path: string; entries: FolderEntry[]; truncated: boolean }> {
  const root = resolve(path);
  if (opts.within !== undefined) {
    let real: string | undefined;
    try {
      real = realPathOf(root);
    } catch (err) {
      throw new VssError('NOT_FOUND', `cannot browse: ${describeFsError(err)}`, { path: root, cause: err });
    }
    if (real === undefined) throw new VssError('NOT_FOUND', `cannot browse: ${VANISHED}`, { path: root });
    if (!isInside(opts.within, real)) throw new PathRefusedError(root, `leads out of ${opts.within} (through a symlink)`);
  }
  const limit = Math.min(BROWSE_LIMIT_MAX, Math.max(1, Math.floor(opts.limit ?? BROWSE_LIMIT_DEFAULT)));
  // The folder named is trusted as named; nothing beneath it is reached through a symlink.
  const disk = storageAt(new ConfinedRoot(root, 'the folder browsed'));
  let st;
  try {
    st = await disk.stat('');
  } catch (err) {
    throw new VssError('NOT_FOUND', `cannot browse: ${describeFsError(err)}`, { path: root, cause: err });
  }
  if (!st) throw new VssError('NOT_FOUND', `cannot browse: ${VANISHED}`, { path: root });
  if (st.kind !== 'dir') throw new VssError('USAGE', 'not a folder', { path: root });

  const entries: FolderEntry[] = [];
  let truncated = false;
  const folders = [''];
  while (folders.length > 0 && !truncated) {
    const dir = folders.shift()!;
    let names: string[];
    try {
      names = await disk.names(dir);
    } catch (err) {
      if (dir === '') throw new VssError('NOT_FOUND', `cannot list: ${describeFsError(err)}`, { path: root, cause: err });
      entries.push({ ...blank(dir, 'dir'), error: describeFsError(err) });
      continue;
    }
    names.sort();
    for (const name of names) {
      if (entries.length >= limit) { truncated = true; break; }
      const rel = dir === '' ? name : `${dir}/${name}`;
      const entry = await describe(disk, rel);
      entries.push(entry);
      if (opts.recursive && entry.type === 'dir' && entry.error === undefined) folders.push(rel);
    }
  }
  await identifyAll(disk, entries, opts);
  return { path: root, entries, truncated };
}

/** What is at REL now (never followed), or why it cannot be looked at. */
async function factsAt(disk: LocalDisk, rel: string): Promise<NodeFacts | { error: string }> {
  try {
    return (await disk.stat(rel)) ?? { error: VANISHED };
  } catch (err) {
    return { error: describeFsError(err) };
  }
}

function blank(path: string, type: FolderEntry['type']): FolderEntry {
  return { name: path.slice(path.lastIndexOf('/') + 1), path, type, size: 0, modified: null, kind: null, mime: null, content_uuid: null, cas_id: null };
}

async function describe(disk: LocalDisk, rel: string): Promise<FolderEntry> {
  const s = await factsAt(disk, rel);
  if ('error' in s) return { ...blank(rel, 'other'), error: s.error }; // vanished or unreadable since the listing
  const type: FolderEntry['type'] = s.kind;
  const out = { ...blank(rel, type), size: type === 'file' ? s.size : 0, modified: new Date(s.mtimeMs).toISOString() };
  if (type === 'file') {
    const byName = mime.lookup(extname(rel)) || null;
    out.mime = byName;
    out.kind = byName ? kindForMime(byName) : 'unknown';
  }
  return out;
}

/**
 * Hash and sniff the files asked for, IN_FLIGHT at a time; a failure is that entry's reason. The
 * rest (large files, unless asked) are not read whole: their kind is told by their first bytes (a
 * RAW file's name alone says nothing to the MIME tables, and a 3.5 MB NEF read "unknown").
 */
async function identifyAll(disk: LocalDisk, entries: FolderEntry[], opts: BrowseFolderOptions): Promise<void> {
  const todo = entries.filter((e) => e.type === 'file' && e.error === undefined);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < todo.length) {
      const e = todo[next++]!;
      if (opts.sniffOnly || (!opts.content && e.size > SMALL_FILE_BYTES)) {
        await sniff(disk, e);
        continue;
      }
      const st = await factsAt(disk, e.path);
      if ('error' in st) { e.error = st.error; continue; }
      // Read by its local path: identification reads a local file at once, in this thread.
      const out = await identifyFileSoon({ id: 0, abs: disk.localPath(e.path), name: e.path, size: st.size, mtimeMs: st.mtimeMs, inode: st.inode }, opts.hashThresholdBytes);
      if (!out.ok) { e.error = out.reason; continue; }
      e.kind = out.kind;
      e.mime = out.mime;
      e.cas_id = out.casId;
      e.content_uuid = out.contentUuid;
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, todo.length) }, worker));
}

/** E's kind and MIME from its first bytes and its name (its content id needs every byte: left unknown). */
async function sniff(disk: LocalDisk, e: FolderEntry): Promise<void> {
  let head: Buffer;
  try {
    const reader = await disk.openRead(e.path);
    try {
      head = Buffer.alloc(Math.min(HEAD_BYTES, reader.facts.size));
      head = head.subarray(0, await reader.read(head, 0, head.length, 0));
    } finally {
      await reader.close();
    }
  } catch (err) {
    e.error = describeFsError(err);
    return;
  }
  const type = await detectType(e.path, head);
  e.kind = type.kind;
  e.mime = type.mime;
}
