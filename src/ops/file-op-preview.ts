import { diskSpace } from '../core/disk-space.js';
import type { FileOp } from '../files/file-op.js';
import { metaOf } from '../files/kept-meta.js';
import { plannedFiles, type PlannedOp } from '../files/plan.js';
import { belowPolicy, type Witnesses } from '../guardian/guard.js';
import type { Library } from '../library/library.js';
import { belowOnceTrashed } from '../guardian/left-in-trash.js';
import { factsAt } from '../storage/local-tree.js';
import type { OpPreview } from '../wire/preview.js';

/** Conflicts (and a move's sources) a preview names (all are counted). */
export const MAX_CONFLICTS = 1000;

/**
 * PLAN shown, not run (`--dry-run`): its files and bytes, the names already taken at the target
 * (what `--on-conflict` would do with each is the plan's policy), the free space where it writes
 * against what it would write, and the contents it would leave below their policy. Nothing is
 * queued or logged: the plan was made by the same checks a real call makes, so what a real call
 * would refuse at once a preview refuses too.
 */
export function previewOf(lib: Library, op: FileOp, plan: PlannedOp, witnesses: Witnesses = {}): OpPreview {
  const conflicts: OpPreview['conflicts'] = [];
  let conflictCount = 0;
  let needed = 0;
  for (const it of plan.items) {
    if (it.dst === null || it.kind === 'delete') continue;
    // A copied file is written whole; a second name of a hard-linked file and a rename write nothing.
    if (it.kind === 'file' && metaOf(it.meta ?? null).link === undefined) needed += it.size;
    if ((it.kind === 'file' || it.kind === 'rename') && factsAt(it.dst) !== undefined) {
      if (conflictCount++ < MAX_CONFLICTS) conflicts.push({ source: it.src, target: it.dst });
    }
  }
  const dst = plan.params.dst;
  const trash = op === 'delete' && plan.params.trash === true;
  return {
    op,
    files: plannedFiles(plan.items),
    bytes: plan.bytes,
    on_conflict: op === 'delete' ? null : plan.params.on_conflict,
    conflicts,
    conflict_count: conflictCount,
    free_bytes: op === 'delete' || dst === undefined ? null : diskSpace(dst).freeBytes,
    needed_bytes: needed,
    // A delete into the trash is not refused for them: said, each with whether it is anywhere else.
    below_policy: trash ? belowOnceTrashed(lib, plan.leaving, witnesses) : belowPolicy(lib, plan.leaving, witnesses),
    ...(trash ? { trash: true as const } : {}),
  };
}

/**
 * The preview of an operation that only adds here or elsewhere (a content got, files sent, a copy
 * to a device or a bucket; a move there removes its sources only once their copies are confirmed):
 * nothing can fall below a policy. CONFLICTS: every name taken (the first MAX_CONFLICTS named).
 */
export function addingPreview(op: OpPreview['op'], p: Pick<OpPreview, 'files' | 'bytes' | 'on_conflict' | 'conflicts' | 'free_bytes'> & { needed_bytes?: number }): OpPreview {
  return { op, ...p, conflicts: p.conflicts.slice(0, MAX_CONFLICTS), conflict_count: p.conflicts.length, needed_bytes: p.needed_bytes ?? p.bytes, below_policy: [] };
}
