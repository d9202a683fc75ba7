/*
 * The names any landing takes (a file received from a paired device, a phone's upload): a base
 * name a filesystem holds, and a folder outside vss's own bookkeeping.
 */

/** Characters a name may have as it travels (a peer's message, an upload's metadata). */
export const NAME_MAX_CHARS = 255;

/** A file name most filesystems take: NAME_MAX bytes of UTF-8. */
const NAME_MAX_BYTES = 255;
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Why NAME, as a sender offers it (a paired device, a browser's upload), cannot be a file's name
 * where it lands; undefined when it can. Only a base name is taken: a separator or a dot-dot would let it write outside its folder,
 * and a name starting `.vss-` would stand for vss's own bookkeeping.
 */
export function landingNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'an empty file name';
  if (name.length > NAME_MAX_CHARS || Buffer.byteLength(name, 'utf8') > NAME_MAX_BYTES) return `a file name longer than ${NAME_MAX_BYTES} bytes`;
  if (name === '.' || name === '..') return `the file name ${JSON.stringify(name)}`;
  if (name.includes('/') || name.includes('\\')) return `a file name with a path separator (${JSON.stringify(name.slice(0, 80))})`;
  if (CONTROL.test(name)) return 'a file name with a control character';
  if (isBookkeeping(name)) return `a file name vss keeps for itself (${JSON.stringify(name.slice(0, 80))})`;
  return undefined;
}

/**
 * Why DIR, the folder of a location a `place` names ('/'-separated, '' for the location itself),
 * cannot take a peer's files; undefined when it can. A part named as vss's own bookkeeping
 * (`.vss-drop/` with the journals and partials of every send, a copy's `.vss-partial-*`, any
 * `.vss-*` the indexer skips as vss's) would put files beside that bookkeeping, where no listing,
 * search or Guardian count sees them, or over it. Whether DIR stays inside the location is the
 * location's own check (`ConfinedRoot.path`).
 */
export function landingDirProblem(dir: string): string | undefined {
  if (dir === '') return undefined;
  const part = dir.split('/').find(isBookkeeping);
  if (part !== undefined) return `the folder ${JSON.stringify(dir.slice(0, 120))} is in vss's own bookkeeping (${JSON.stringify(part.slice(0, 80))}): files go elsewhere in the location`;
  return undefined;
}

/**
 * A name vss keeps for itself: `.vss-` and anything after (the indexer's leftover rule `.vss-*`,
 * matched as it matches: whatever the case, as a case-insensitive disk finds `.VSS-DROP` to be
 * `.vss-drop`).
 */
function isBookkeeping(name: string): boolean {
  return name.toLowerCase().startsWith('.vss-');
}

/** A full BLAKE3 as it travels: 64 lowercase hex digits. */
export const BLAKE3_HEX = /^[0-9a-f]{64}$/;
