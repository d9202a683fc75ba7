/**
 * What a file operation keeps of an item's source beside its bytes, as the plan saw it (the copy
 * itself, on a local disk, is src/storage/local-copy.ts).
 */

/** What the plan saw of an item's source before the operation touched it (`file_op_items.meta`). */
export interface ItemMeta {
  /** A folder's times and mode (ms since the epoch), kept for its copy once its contents are in. */
  atimeMs?: number;
  mtimeMs?: number;
  mode?: number;
  /** A second name of a hard-linked file: the item holding the first name in this operation. */
  link?: number;
  /** A rename of a whole folder (counted as a folder, not a file). */
  folder?: true;
  /**
   * A file or folder whose name is not valid UTF-8 (its item's path shows it: local-tree's
   * shownName, and names nothing): left where it is, and named in the result as skipped.
   */
  unnamed?: 'file' | 'dir';
  /** A file bound for another device: its time when planned (a move resumed after its source went is offered by it). */
  mtime_ms?: number;
  /** A file vss made for a transfer (a library snapshot): the BLAKE3 its offer carries. */
  blake3?: string;
}

export function metaJson(m: ItemMeta): string | null {
  return Object.keys(m).length === 0 ? null : JSON.stringify(m);
}

export function metaOf(json: string | null): ItemMeta {
  if (json === null || json.length > 1000) return {};
  try {
    const o = JSON.parse(json) as Record<string, unknown>;
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
    const m: ItemMeta = {};
    if (num(o.atimeMs) !== undefined) m.atimeMs = num(o.atimeMs)!;
    if (num(o.mtimeMs) !== undefined) m.mtimeMs = num(o.mtimeMs)!;
    if (num(o.mode) !== undefined) m.mode = num(o.mode)!;
    if (Number.isInteger(o.link) && (o.link as number) >= 0) m.link = o.link as number;
    if (o.folder === true) m.folder = true;
    if (o.unnamed === 'file' || o.unnamed === 'dir') m.unnamed = o.unnamed;
    if (Number.isSafeInteger(o.mtime_ms)) m.mtime_ms = o.mtime_ms as number;
    if (typeof o.blake3 === 'string' && /^[0-9a-f]{64}$/.test(o.blake3)) m.blake3 = o.blake3;
    return m;
  } catch {
    return {};
  }
}

/** A folder's times and mode as the plan saw them. */
export function folderMeta(st: { atimeMs: number; mtimeMs: number; mode: number }): ItemMeta {
  return { atimeMs: st.atimeMs, mtimeMs: st.mtimeMs, mode: st.mode & 0o7777 };
}

