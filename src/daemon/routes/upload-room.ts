import { diskSpace } from '../../core/disk-space.js';
import { formatBytes } from '../../core/format.js';

/**
 * Free space uploads leave on the disk holding them (for the library's database, the device's
 * files, whatever else the user writes there): 512 MiB, or a tenth of a disk smaller than 5 GiB.
 */
const KEEP_FREE = 512 * 1024 * 1024;

/** What the disk holding the uploads can take for them now. */
export interface UploadRoom {
  /** Free on the disk. */
  free: number;
  /** Of it, kept free whatever is sent. */
  kept: number;
  /** What uploads may still write: the bytes they have sent are off the free space already. */
  bytes: number;
}

/**
 * The room the disk holding DIR has for uploads now. Room is held for bytes as they arrive, never
 * for what an upload declared when it was made: a browser declaring large uploads it never sends
 * takes nothing from the others (one did, with 187 empty uploads, to every browser's cost).
 */
export function uploadRoom(dir: string): UploadRoom {
  const { freeBytes, totalBytes } = diskSpace(dir);
  const kept = Math.min(KEEP_FREE, Math.floor(totalBytes / 10));
  return { free: freeBytes, kept, bytes: Math.max(0, freeBytes - kept) };
}

/** Why an upload of SIZE bytes cannot be made in ROOM (in words that name no path), or undefined when it fits now. */
export function noRoomFor(size: number, room: UploadRoom): string | undefined {
  if (size <= room.bytes) return undefined;
  return `no room for this upload of ${formatBytes(size)}: the disk that holds uploads here has ${formatBytes(room.free)} free and keeps ${formatBytes(room.kept)} of it free. Make room on it, or send a smaller file`;
}

/** What a PATCH that met a full disk says (ROOM as it began; KEPT: the upload's bytes on the disk now, all kept). */
export function diskFullWords(room: UploadRoom, kept: number): string {
  return `the disk that holds uploads here is full (${formatBytes(room.free)} free when this request began, ${formatBytes(room.kept)} of it kept free): the ${formatBytes(kept)} of this upload that arrived are kept. Make room on it, then send the rest`;
}
