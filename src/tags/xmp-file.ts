import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { describeFsError } from '../core/errors.js';
import { MAX_XMP_SIDECAR_BYTES } from '../media/xmp/xmp-sidecar-read.js';

/** The bytes of the file at PATH (not through a symlink), at most MAX_XMP_SIDECAR_BYTES; or why not. */
export async function readXmpFile(path: string): Promise<{ ok: true; value: Buffer } | { ok: false; reason: string }> {
  let fh;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    const st = await fh.stat();
    if (!st.isFile()) return { ok: false, reason: 'not a regular file' };
    if (st.size > MAX_XMP_SIDECAR_BYTES) return { ok: false, reason: `${st.size} bytes, more than the ${MAX_XMP_SIDECAR_BYTES} an XMP file may have` };
    const buf = Buffer.alloc(st.size);
    let off = 0;
    while (off < buf.length) {
      const { bytesRead } = await fh.read(buf, off, buf.length - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return { ok: true, value: buf.subarray(0, off) };
  } catch (err) {
    return { ok: false, reason: describeFsError(err) };
  } finally {
    await fh?.close();
  }
}
