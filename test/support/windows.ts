/**
 * A finder of any 32-byte window of NEEDLES in a buffer, at any offset of either (what "no
 * plaintext in the bucket" means for an encrypted bucket's tests): every such window holds one of
 * a needle's 16-byte blocks at a multiple of 16, so those blocks are looked for at every offset of
 * the buffer, indexed by their first four bytes and then compared whole. Needles under 32 bytes
 * have no window.
 */
export function windowFinder(needles: readonly Buffer[]): (hay: Buffer) => boolean {
  const blocks = new Map<number, Array<[Buffer, number]>>();
  for (const needle of needles) {
    for (let o = 0; needle.length >= 32 && o + 16 <= needle.length; o += 16) {
      const k = needle.readUInt32LE(o);
      const had = blocks.get(k);
      if (had) had.push([needle, o]);
      else blocks.set(k, [[needle, o]]);
    }
  }
  return (hay) => {
    for (let j = 0; j + 16 <= hay.length; j++) {
      const at = blocks.get(hay.readUInt32LE(j));
      if (at?.some(([n, o]) => hay.compare(n, o, o + 16, j, j + 16) === 0)) return true;
    }
    return false;
  };
}
