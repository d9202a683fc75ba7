import type { Destination } from '../../core/address.js';
import { UsageError } from '../../core/errors.js';

/**
 * Every way vss moves verified bytes from one storage to another (issue 43, "one transfer"), one
 * row each: what the user asked, from where to where, the job kind that does it, and how the
 * bytes go. A copy or move is routed by this table for its destination's kind
 * (ops/file-op-request.ts), its dry run by the same row; get, send, protect and repair name their
 * row. A new kind of storage is its rows here and its job kind's module in this folder
 * (registered in ops/registry.ts): no adapter changes. Names only, so the router loads nothing of
 * the ways it does not take.
 */
export interface TransferWay {
  asked: 'copy' | 'move' | 'get' | 'send' | 'protect' | 'repair';
  /** The storage the bytes leave. */
  from: 'here' | 'here or a paired device';
  /** The storage they land in: a destination's kind as addresses tell it (core/address.ts), a paired device's inbox, or where a policy lacks copies. */
  to: Destination['kind'] | 'inbox' | 'policy';
  /** The job kind that does it (its module in this folder), or why there is none. */
  kind: string | { refused: string };
  how: string;
}

export const TRANSFER_WAYS = [
  {
    asked: 'copy', from: 'here', to: 'here', kind: 'files-copy',
    how: 'read once and written beside its target, hashed as it goes (holes kept), verified by BLAKE3 and landed (files/file-op-job.ts, storage/local-verified-copy.ts)',
  },
  {
    asked: 'move', from: 'here', to: 'here', kind: 'files-move',
    how: 'a rename within one filesystem, else a copy verified and flushed before the source goes (files/file-op-job.ts)',
  },
  {
    asked: 'copy', from: 'here', to: 'device', kind: 'files-copy-to-device',
    how: 'a stream to the paired device over /vss/drop (place), verified and flushed there (ops/transfer/to-device-run.ts, a protect\'s too)',
  },
  {
    asked: 'move', from: 'here', to: 'device', kind: 'files-move-to-device',
    how: 'as the copy, each source removed here once the device confirms its copy',
  },
  {
    asked: 'copy', from: 'here', to: 'bucket', kind: 'files-copy-to-bucket',
    how: 'a multipart upload hashed as it is read, checked against the content\'s BLAKE3 and read back (ops/bucket-uploads.ts)',
  },
  {
    asked: 'move', from: 'here', to: 'bucket', kind: { refused: 'a move into a bucket is not built: copy (vss files copy … s3://…), then delete' },
    how: '—',
  },
  {
    asked: 'get', from: 'here or a paired device', to: 'here', kind: 'content-get',
    how: 'a content\'s original into a folder: copied from this device, else a ranged stream from an online paired device that holds it, verified (sync/library/get-original-job.ts)',
  },
  {
    asked: 'send', from: 'here', to: 'inbox', kind: 'files-send',
    how: 'files pushed to a paired device\'s inbox over /vss/drop, verified there by BLAKE3, resumed after a cut (sync/drop/send-job.ts)',
  },
  {
    asked: 'protect', from: 'here', to: 'policy', kind: 'guardian-protect',
    how: 'the copies a policy lacks, onto a drive here, a paired device\'s folder or a bucket, by the copy ways above (guardian/protect.ts plans them)',
  },
  {
    asked: 'repair', from: 'here or a paired device', to: 'here', kind: 'guardian-repair',
    how: 'a rotten file replaced by a verified copy of its content from this device, else a paired device\'s (guardian/repair.ts)',
  },
] as const satisfies readonly TransferWay[];

type Way = (typeof TRANSFER_WAYS)[number];
type KindOf<A extends Way['asked'], K extends Way['to']> = Exclude<Extract<Way, { asked: A; to: K }>['kind'], { refused: string }>;

/** The job kind that does ASKED to a destination of kind TO; refused, with the row's reason, where there is none. */
export function wayTo<A extends 'copy' | 'move', K extends Destination['kind']>(asked: A, to: K): KindOf<A, K> {
  const way = TRANSFER_WAYS.find((row) => row.asked === asked && row.to === to);
  if (!way) throw new Error(`no transfer way to ${asked} to a ${to}`);
  if (typeof way.kind !== 'string') throw new UsageError(way.kind.refused);
  return way.kind as KindOf<A, K>;
}
