import { extname } from 'node:path';
import { RAW_FORMATS } from './raw-format-table.js';

export { RAW_EXTENSIONS, RAW_FORMATS } from './raw-format-table.js';

export const RAW_MIMES: ReadonlySet<string> = new Set(Object.values(RAW_FORMATS));

/** The RAW MIME for NAME's extension (any case), or undefined when it names no RAW format. */
export function rawMimeForName(name: string): string | undefined {
  const ext = extname(name).slice(1).toLowerCase();
  return Object.hasOwn(RAW_FORMATS, ext) ? RAW_FORMATS[ext as keyof typeof RAW_FORMATS] : undefined;
}

/**
 * The RAW MIME HEAD's own bytes say, where file-type does not tell it. Canon's CIFF (a CRW): a
 * byte order (`II` or `MM`), the header's length, then `HEAPCCDR`. Minolta's MRW: `\0MRM` (or
 * `\0MRI`), then its blocks. Sigma's X3F: `FOVb`. Undefined for anything else.
 */
export function rawMimeByMagic(head: Buffer): string | undefined {
  if (head.length < 4) return undefined;
  const four = head.toString('latin1', 0, 4);
  if (four === '\0MRM' || four === '\0MRI') return RAW_FORMATS.mrw;
  if (four === 'FOVb') return RAW_FORMATS.x3f;
  if (head.length < 14) return undefined;
  const order = head.toString('latin1', 0, 2);
  if ((order === 'II' || order === 'MM') && head.toString('latin1', 6, 14) === 'HEAPCCDR') return RAW_FORMATS.crw;
  return undefined;
}


export function isRawMime(mime: string): boolean {
  return RAW_MIMES.has(mime.toLowerCase());
}
