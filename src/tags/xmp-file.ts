import { constants, type BigIntStats } from 'node:fs';
import { open } from 'node:fs/promises';
import { describeFsError } from '../core/errors.js';
import { MAX_XMP_SIDECAR_BYTES } from '../media/xmp/xmp-sidecar-read.js';

/** An XMP file as read: its bytes, their text, and the file's identity and times then. */
export interface XmpFileRead {
  bytes: Buffer;
  text: string;
  stat: BigIntStats;
}

/**
 * The bytes and text of the XMP file at PATH (not through a symlink), at most
 * MAX_XMP_SIDECAR_BYTES; or why not. Text that is not UTF-8 is refused, never decoded leniently:
 * a U+FFFD made from another tool's Latin-1 byte would be written back over it (as a UTF-16 file
 * would be misread), so such a file is neither read nor ever rewritten.
 */
export async function readXmpFile(path: string): Promise<{ ok: true; value: XmpFileRead } | { ok: false; reason: string }> {
  let fh;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    const stat = await fh.stat({ bigint: true });
    if (!stat.isFile()) return { ok: false, reason: 'not a regular file' };
    if (stat.size > BigInt(MAX_XMP_SIDECAR_BYTES)) return { ok: false, reason: `${stat.size} bytes, more than the ${MAX_XMP_SIDECAR_BYTES} an XMP file may have` };
    const buf = Buffer.alloc(Number(stat.size));
    let off = 0;
    while (off < buf.length) {
      const { bytesRead } = await fh.read(buf, off, buf.length - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    const bytes = buf.subarray(0, off);
    const text = decodeXmpText(bytes);
    if (!text.ok) return text;
    return { ok: true, value: { bytes, text: text.value, stat } };
  } catch (err) {
    return { ok: false, reason: describeFsError(err) };
  } finally {
    await fh?.close();
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** BYTES as UTF-8 text (a byte-order mark kept, so it is written back), or why they are not. */
export function decodeXmpText(bytes: Buffer): { ok: true; value: string } | { ok: false; reason: string } {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return { ok: false, reason: 'UTF-16 text: vss reads and rewrites UTF-8 XMP only, so it is left as it is' };
  }
  try {
    return { ok: true, value: UTF8.decode(bytes) };
  } catch {
    const at = firstInvalidUtf8(bytes);
    return { ok: false, reason: `not valid UTF-8 (byte 0x${bytes[at]?.toString(16).padStart(2, '0') ?? '??'} at offset ${at}): vss reads and rewrites UTF-8 XMP only, so it is left as it is` };
  }
}

/** The offset of the first byte of BYTES that does not start or continue a UTF-8 character (for the reason given). */
function firstInvalidUtf8(bytes: Buffer): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    const len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (len === 0) return i;
    for (let k = 1; k < len; k++) if (i + k >= bytes.length || (bytes[i + k]! & 0xc0) !== 0x80) return i;
    i += len;
  }
  return bytes.length;
}
