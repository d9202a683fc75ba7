import type { FileOpResult } from '../../files/file-op.js';
import { deleteOp, type DeleteInput } from '../file-ops.js';
import type { DurableOp } from '../op.js';

/** `vss files delete` (DESIGN §17): the job kind `files-delete`, run by the file operations' one run (src/ops/transfer/run/here-target.ts). */
export const filesDelete: DurableOp<DeleteInput, FileOpResult | null> = deleteOp();
