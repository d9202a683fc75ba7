import { sep } from 'node:path';
import { absolutePathProblem } from '../library/confine.js';
import { VssError } from '../core/errors.js';
import type { JobRow } from '../jobs/states.js';
import { paramsJson } from '../jobs/wait-for-job.js';
import type { Anchor } from './volume-reach.js';
import type { GuardianBelowPolicy } from '../wire/guardian.js';
import type { FileOpItemRecord } from '../store/file-op-items.js';
import { metaOf } from './kept-meta.js';
import { isFileItem } from './plan.js';
import { DEFAULT_ON_CONFLICT, isOnConflict, ON_CONFLICT, type OnConflict } from './on-conflict.js';

export type FileOp = 'copy' | 'move' | 'delete';

export { ON_CONFLICT, DEFAULT_ON_CONFLICT, isOnConflict, type OnConflict };

/** A file operation job's `params`: what the user asked for (the items are in `file_op_items`). */
export interface FileOpParams {
  op: FileOp;
  /** The destination as the user named it (copy, move). */
  dst?: string;
  on_conflict: OnConflict;
  /** The destination is outside every location of this device (allowed for copy and move; not indexed). */
  outside_library: boolean;
  /** The folders whose drives must be there before the job touches them (see volume-reach.ts). */
  anchors: Anchor[];
  /** The folders of sources this machine's user named outside every location (issue 59): each source is read only beneath its own. */
  sources_outside?: string[];
  /** Asked with --force: the Guardian is not asked again when it runs. */
  forced?: boolean;
  /** Asked with --force: the contents it leaves below their policy (at most 50), named again in its result. */
  forced_below?: GuardianBelowPolicy[];
  /** Asked to keep what the guard refuses (`keepRefused`): the contents left out (at most 50), named again in its result. */
  kept_below?: GuardianBelowPolicy[];
  /** A delete into the trash: the contents it leaves below their policy, or with no copy anywhere (at most 50), named again in its result. */
  left_below?: GuardianBelowPolicy[];
  /** A delete's files go to the trash (files/trash-bin.ts) rather than for good (`--permanent`; a job queued before the trash: for good). */
  trash?: boolean;
  /** A delete's files let go for this content, kept in their place (`similar keep`): none of them is deleted whole (trash `alone`). */
  kept_instead?: string;
}

/** What a file operation did (the job's `result`). */
export interface FileOpResult {
  op: FileOp;
  /** Files (and symlinks, FIFOs…) of the operation: folders are counted apart. */
  items: number;
  done: number;
  skipped: number;
  /** Folders made (or moved whole, or deleted). */
  folders: number;
  bytes: number;
  /** Where the top-level items ended up (at most 100). */
  paths: string[];
  /** What was skipped, by source path, and why (at most 100). */
  skipped_items: Array<{ path: string; reason: string }>;
  /** Files copied whose metadata was not all kept (at most 100), and what was not. */
  not_kept: Array<{ path: string; what: string }>;
  /** Why no extended attributes were kept at all (python3 missing), when so. */
  xattrs_not_kept?: string;
  outside_library: boolean;
  /** A delete's files went to the trash (restorable for 30 days), not for good. */
  trash?: boolean;
  /**
   * The contents it left below their policy (the guard's words, at most 50): forced, or a delete
   * into the trash (never refused for copy counts: the trash keeps them, and the Guardian weighs
   * them when it is emptied); `nowhere_else` on those no other copy of is known anywhere.
   */
  below_policy?: GuardianBelowPolicy[];
  /** Asked to keep what the guard refuses: the contents it left out, and why (at most 50). */
  kept_below?: GuardianBelowPolicy[];
}

/** A file operation as its caller sees it: the job, and once it has ended, its result. */
export interface FileOpOutcome {
  job: JobRow;
  result: FileOpResult | null;
}

/** `params` longer than this are not ours. */
export const MAX_PARAMS_CHARS = 64 * 1024;

/** The job kind of `vss files copy|move|delete` (DESIGN §17): one job per command. */
export function kindOf<O extends FileOp>(op: O): `files-${O}` {
  return `files-${op}`;
}

export function paramsOf(job: JobRow): FileOpParams {
  const o = paramsJson(job, MAX_PARAMS_CHARS) as Partial<FileOpParams> | undefined;
  const anchorsOk = Array.isArray(o?.anchors) && o.anchors.every((a) => typeof a?.path === 'string' && typeof a?.dev === 'number' && (a.fingerprint === undefined || typeof a.fingerprint === 'string') && (a.mount === undefined || typeof a.mount === 'string'));
  if (!o || (o.op !== 'copy' && o.op !== 'move' && o.op !== 'delete') || !isOnConflict(o.on_conflict) || !anchorsOk || (o.dst !== undefined && typeof o.dst !== 'string')) {
    throw new VssError('USAGE', `job ${job.id} does not say what to do with its files`);
  }
  // A job queued before `forced` was written says it by its forced_below alone.
  const forced = o.forced === true || Array.isArray(o.forced_below);
  return {
    op: o.op, on_conflict: o.on_conflict, outside_library: o.outside_library === true, anchors: o.anchors!, ...(o.dst !== undefined ? { dst: o.dst } : {}), ...(forced ? { forced: true } : {}),
    // A delete queued before the trash says nothing of it: for good, as it was asked then.
    ...(o.op === 'delete' && o.trash === true ? { trash: true } : {}),
    ...(o.op === 'delete' && typeof o.kept_instead === 'string' ? { kept_instead: o.kept_instead } : {}),
    // Only absolute folders: a source is read beneath one of them alone (here-target.ts sourceRoot).
    ...(o.op !== 'delete' && Array.isArray(o.sources_outside) ? { sources_outside: o.sources_outside.filter((d): d is string => typeof d === 'string' && absolutePathProblem(d) === undefined) } : {}),
  };
}

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
