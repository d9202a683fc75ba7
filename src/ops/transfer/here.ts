import type { FileOpResult } from '../../files/file-op.js';
import { transferOp, type TransferInput } from '../file-ops.js';
import type { Way } from '../op.js';

/** A copy within this device (strategies.ts, here → here): the job kind `files-copy`, run by the file operations' one run (ops/transfer/run/). */
export const filesCopy: Way<TransferInput, FileOpResult | null> = transferOp('copy');

/** A move within this device (here → here): the job kind `files-move`. */
export const filesMove: Way<TransferInput, FileOpResult | null> = transferOp('move');
