import type { FileOpResult } from '../../files/file-op.js';
import { toDeviceOp, type ToDeviceInput } from '../file-ops-to-device.js';
import type { DurableOp } from '../op.js';

/** `vss files move SRC… DEVICE:/LOCATION/PATH` (issue 30, item 3): the job kind `files-move-to-device` (src/ops/file-ops-to-device.ts). */
export const filesMoveToDevice: DurableOp<ToDeviceInput, FileOpResult> = toDeviceOp('move');
