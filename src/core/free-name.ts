import { lstatSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { VssError } from './errors.js';

/** The most bytes of UTF-8 a file's name may take: 255 on Linux's filesystems (ext4, btrfs, xfs) and APFS. */
export const NAME_MAX_BYTES = 255;

/**
 * Where a new file named NAME goes in DIR without replacing anything: NAME itself, else
 * `NAME (2).EXT`, `NAME (3).EXT` … (what `content get`, file operations keeping both, and a
 * received send name their files).
 */
export function freeNameIn(dir: string, name: string): string {
  // lstat, not exists: a symlink whose target is gone still holds its name.
  return join(dir, freeName(name, (n) => lstatSync(join(dir, n), { throwIfNoEntry: false }) !== undefined, dir));
}

/**
 * NAME, else `NAME (2).EXT`, `NAME (3).EXT` …: the first that TAKEN says is free (WHERE names the
 * place in an error). A name beside NAME is shortened to fit NAME_MAX_BYTES: a 255-byte name's
 * `NAME (2).EXT` could never be made (ENAMETOOLONG, however often it is tried).
 */
export function freeName(name: string, taken: (name: string) => boolean, where: string): string {
  if (!taken(name)) return name;
  const ext = extname(name);
  const stem = basename(name, ext);
  for (let i = 2; i < 10_000; i++) {
    const n = fitted(stem, ` (${i})${ext}`, where);
    if (!taken(n)) return n;
  }
  throw new VssError('IO', `no free name for ${name} in ${where}`, { path: where });
}

// Made on first use: building a Segmenter loads ICU's break data (~20 ms), which every process
// importing this module would pay though few ever shorten a name.
let graphemes: Intl.Segmenter | undefined;

/** STEM + TAIL, STEM cut at a character's end (a whole grapheme: never inside a UTF-8 sequence, nor between a letter and its accent) to fit NAME_MAX_BYTES. */
function fitted(stem: string, tail: string, where: string): string {
  const room = NAME_MAX_BYTES - Buffer.byteLength(tail);
  if (Buffer.byteLength(stem) <= room) return stem + tail;
  let kept = '';
  let bytes = 0;
  for (const { segment } of (graphemes ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' })).segment(stem)) {
    const more = Buffer.byteLength(segment);
    if (bytes + more > room) break;
    kept += segment;
    bytes += more;
  }
  // A name cut before its first character, or left ending in a space, reads as another file's.
  kept = kept.trimEnd();
  if (kept === '') throw new VssError('IO', `no name beside ${stem}${tail.replace(/^ \(\d+\)/, '')} fits in ${NAME_MAX_BYTES} bytes in ${where}`, { path: where });
  return kept + tail;
}
