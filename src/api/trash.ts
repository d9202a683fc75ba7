import { listTrash, restoreFromTrash } from '../files/trash.js';
import type { OpHost } from '../ops/op.js';
import type { TrashEmptyResult, TrashItem, TrashRestoreResult } from '../wire/trash.js';

export type { TrashEmptyResult, TrashItem, TrashRestoreResult };

/**
 * The trash (issue 45): what `files delete` moved aside (on each file's own drive), restorable to
 * its path for 30 days; emptying it is the one step that cannot be undone, and the Guardian weighs
 * it as a delete.
 */
export class TrashApi {
  constructor(private readonly host: OpHost) {}

  /** What the trash holds, newest first. */
  list(): TrashItem[] {
    return listTrash(this.host.lib);
  }

  /** Put back what REFS name: trash ids, paths the files had, or folders they were in. */
  restore(refs: string[]): Promise<TrashRestoreResult> {
    return restoreFromTrash(this.host.lib, refs);
  }

  /**
   * Remove for good what the trash holds (only REFS, or only what was deleted more than
   * `olderThanDays` ago); what would lose a content's last bytes is kept, and named, unless `force`.
   */
  async empty(opts: { refs?: string[]; olderThanDays?: number; force?: boolean } = {}): Promise<TrashEmptyResult> {
    const { emptyTrash } = await import('../ops/trash-empty.js');
    return emptyTrash(this.host, opts);
  }
}
