import type { FileOpResult } from '../../files/file-op.js';
import { transferOp, type TransferInput } from '../file-ops.js';
import type { DurableOp } from '../op.js';

/** `vss files copy` (DESIGN §17): the job kind `files-copy`, run by the file operations' one run (src/files/file-op-job.ts). */
export const filesCopy: DurableOp<TransferInput, FileOpResult | null> = transferOp('copy');
