import { sep } from 'node:path';
import type { FileOpParams, FileOpResult } from '../../../files/file-op.js';
import { metaOf } from '../../../files/kept-meta.js';
import { isFileItem } from '../../../files/plan.js';
import type { FileOpItemRecord } from '../../../store/file-op-items.js';

/** What a file operation OP did, from its rows once all ended (a copy or move here, to a device or into a bucket). */
export function fileOpResult(p: Pick<FileOpParams, 'op' | 'outside_library' | 'trash'>, items: readonly FileOpItemRecord[], xattrsNotKept?: string): FileOpResult {
  // The top of each tree: a folder's files and subfolders are not listed one by one.
  const tops = items.filter((i) => (i.kind === 'dir' && i.dst !== null) || (i.kind === 'delete' && i.size < 0)).map((i) => i.src);
  const nested = (i: FileOpItemRecord) => tops.some((f) => f !== i.src && i.src.startsWith(f + sep));
  const paths = items.filter((i) => i.state === 'done' && !(i.kind === 'dir' && i.dst === null) && !nested(i)).map((i) => i.final ?? i.src).slice(0, 100);
  // Files are counted as files, folders apart (a move's removal of its source folders is neither).
  const isFolder = (i: FileOpItemRecord) => (i.kind === 'dir' && i.dst !== null) || (i.kind === 'delete' && i.size < 0) || (i.kind === 'rename' && metaOf(i.meta).folder === true);
  const files = items.filter(isFileItem);
  const skipped = files.filter((i) => i.state === 'skipped');
  // A folder a delete kept (it still holds something) is named after the files: not counted as deleted, nor as a skipped file.
  const keptFolders = items.filter((i) => isFolder(i) && i.state === 'skipped');
  const notKept = files.filter((i) => i.state === 'done' && i.note !== null);
  return {
    op: p.op,
    items: files.length,
    done: files.filter((i) => i.state === 'done').length,
    skipped: skipped.length,
    folders: items.filter((i) => isFolder(i) && i.state === 'done').length,
    bytes: items.reduce((n, i) => n + (i.state === 'done' ? Math.max(0, i.size) : 0), 0),
    paths,
    skipped_items: [...skipped, ...keptFolders].slice(0, 100).map((i) => ({ path: i.src, reason: i.note ?? 'skipped' })),
    not_kept: notKept.slice(0, 100).map((i) => ({ path: i.final ?? i.dst ?? i.src, what: i.note! })),
    ...(xattrsNotKept ? { xattrs_not_kept: xattrsNotKept } : {}),
    outside_library: p.outside_library,
    ...(p.op === 'delete' && p.trash === true ? { trash: true } : {}),
  };
}

/** N WHATs, in words ("1 file", "2 files"). */
export function summaryCount(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

/** The job's note: files counted as files (folders apart), and what was skipped, by name, with why. */
export function summaryOf(r: FileOpResult): string {
  const folders = r.folders > 0 ? ` (${summaryCount(r.folders, 'folder')})` : '';
  const some = <T>(list: readonly T[], total: number, say: (x: T) => string) => [...list.slice(0, 3).map(say), ...(total > 3 ? [`and ${total - 3} more`] : [])].join('; ');
  const skipped = r.skipped_items.length > 0 ? ` (${some(r.skipped_items, Math.max(r.skipped, r.skipped_items.length), (s) => `${s.path}: ${s.reason}`)})` : '';
  const notKept = r.not_kept.length > 0 ? `; not all kept: ${some(r.not_kept, r.not_kept.length, (n) => `${n.path}: ${n.what}`)}` : '';
  const xattrs = r.xattrs_not_kept ? `; xattrs not kept: ${r.xattrs_not_kept}` : '';
  return `${r.op}: ${summaryCount(r.done, 'file')} done${folders}, ${r.skipped} skipped${skipped}${notKept}${xattrs}`;
}
