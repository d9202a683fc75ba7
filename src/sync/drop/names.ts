import { DROP_NAME_CHARS } from '../messages/table.js';

/** A file name most filesystems take: NAME_MAX bytes of UTF-8. */
const NAME_MAX_BYTES = 255;
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Why NAME, as a sender offers it, cannot be a file's name in the inbox; undefined when it can.
 * Only a base name is taken: a separator or a dot-dot would let a peer write outside the inbox,
 * and a name starting `.vss-` would stand for the inbox's own bookkeeping.
 */
export function dropNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'an empty file name';
  if (name.length > DROP_NAME_CHARS || Buffer.byteLength(name, 'utf8') > NAME_MAX_BYTES) return `a file name longer than ${NAME_MAX_BYTES} bytes`;
  if (name === '.' || name === '..') return `the file name ${JSON.stringify(name)}`;
  if (name.includes('/') || name.includes('\\')) return `a file name with a path separator (${JSON.stringify(name.slice(0, 80))})`;
  if (CONTROL.test(name)) return 'a file name with a control character';
  if (name.startsWith('.vss-')) return `a file name vss keeps for itself (${JSON.stringify(name.slice(0, 80))})`;
  return undefined;
}

/** A full BLAKE3 as it travels: 64 lowercase hex digits. */
export const BLAKE3_HEX = /^[0-9a-f]{64}$/;
