import type { FileOpResult } from '../../files/file-op.js';
import { transferOp, type TransferInput } from '../file-ops.js';
import type { DurableOp } from '../op.js';

/** `vss files move` (DESIGN §17): the job kind `files-move`, run by the file operations' one run (src/files/file-op-job.ts). */
export const filesMove: DurableOp<TransferInput, FileOpResult | null> = transferOp('move');
