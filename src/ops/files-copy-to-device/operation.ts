import type { FileOpResult } from '../../files/file-op.js';
import { toDeviceOp, type ToDeviceInput } from '../file-ops-to-device.js';
import type { DurableOp } from '../op.js';

/** `vss files copy SRC… DEVICE:/LOCATION/PATH` (issue 30, item 3): the job kind `files-copy-to-device` (src/ops/file-ops-to-device.ts). */
export const filesCopyToDevice: DurableOp<ToDeviceInput, FileOpResult> = toDeviceOp('copy');
