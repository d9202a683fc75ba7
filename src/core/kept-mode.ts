/**
 * The permission bits a copy of a user's file is given, wherever it lands (a local copy, a file
 * sent from a paired device, an original fetched from one, a sidecar rewritten in place of
 * another tool's): the source's own read/write/execute bits, so a private file stays private.
 * Never setuid, setgid or sticky, which a copy must not gain from a file it did not create, and
 * never wider than the source even when the umask would allow more.
 */
export function keptMode(sourceMode: number): number {
  return sourceMode & 0o777;
}

/**
 * What a mode from another machine may give a file here: the owner's bits and everyone's read and
 * execute bits, never group or other write. A peer's file may be world-writable where it came from
 * (a FAT stick mounted `umask=000`, a crafted offer); here that would let another local user change
 * a file just received and verified.
 */
const PEER_MODE_BITS = 0o755;

/** A mode that came from outside (a peer's offer): its permission bits less group and other write, or this default when absent or not a number. */
export function modeFromPeer(mode: unknown, fallback = 0o644): number {
  return typeof mode === 'number' && Number.isInteger(mode) && mode >= 0 ? keptMode(mode) & PEER_MODE_BITS : fallback;
}
