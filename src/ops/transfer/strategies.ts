import type { Destination } from '../../core/address.js';
import { UsageError } from '../../core/errors.js';

/**
 * How verified bytes travel, one row per (source, destination) storage (issue 43, "one
 * transfer"): the job kind that does a copy and a move that way, and how. A copy or move is
 * routed here by its destination (ops/file-op-request.ts) whatever adapter asked; its dry run
 * takes the same row. A new kind of storage is a row here and its job kind's module under this
 * folder (registered in ops/registry.ts): no adapter changes. Light on purpose: names only, so
 * the router loads nothing of the strategies it does not take.
 */
export interface TransferStrategy {
  from: 'here';
  to: Destination['kind'];
  /** The job kind of a copy this way. */
  copy: string;
  /** The job kind of a move this way, or why there is none. */
  move: string | { refused: string };
  /** How the bytes go, for the docs and the architecture test. */
  how: string;
}

export const TRANSFER_STRATEGIES = [
  {
    from: 'here', to: 'here', copy: 'files-copy', move: 'files-move',
    how: 'a rename within one filesystem, else the kernel\'s copy (copy_file_range), verified by BLAKE3 and flushed before a move removes its source (files/file-op-job.ts)',
  },
  {
    from: 'here', to: 'device', copy: 'files-copy-to-device', move: 'files-move-to-device',
    how: 'a stream to the paired device over /vss/drop (place), verified and flushed there before a move removes its source here (sync/drop/place-job.ts)',
  },
  {
    from: 'here', to: 'bucket', copy: 'files-copy-to-bucket', move: { refused: 'a move into a bucket is not built: copy (vss files copy … s3://…), then delete' },
    how: 'a multipart upload hashed as it is read, checked against the content\'s BLAKE3 and read back (ops/bucket-uploads.ts)',
  },
] as const satisfies readonly TransferStrategy[];

type Row = (typeof TRANSFER_STRATEGIES)[number];

/** The strategy from here to a destination of kind TO (its job kinds as literal names). */
export function strategyTo<K extends Destination['kind']>(to: K): Extract<Row, { to: K }> {
  const s = TRANSFER_STRATEGIES.find((row): row is Extract<Row, { to: K }> => row.to === to);
  if (!s) throw new Error(`no transfer strategy to a ${to}`);
  return s;
}

/** The job kind that does VERB by strategy S, or its refusal. */
export function kindOf<S extends Row>(s: S, verb: 'copy' | 'move'): S['copy'] | Exclude<S['move'], { refused: string }> {
  const kind = verb === 'copy' ? s.copy : s.move;
  if (typeof kind !== 'string') throw new UsageError(kind.refused);
  return kind as S['copy'] | Exclude<S['move'], { refused: string }>;
}
