/** A growable bitset of entry ids: which rows a scan has confirmed. 1M ids cost 125 KB. */
export class SeenSet {
  private bits = new Uint32Array(1024);
  /** How many distinct ids are in the set. */
  size = 0;

  add(id: number): void {
    const word = id >>> 5;
    if (word >= this.bits.length) {
      let len = this.bits.length;
      while (len <= word) len *= 2;
      const grown = new Uint32Array(len);
      grown.set(this.bits);
      this.bits = grown;
    }
    const mask = 1 << (id & 31);
    if ((this.bits[word]! & mask) === 0) {
      this.bits[word]! |= mask;
      this.size++;
    }
  }

  has(id: number): boolean {
    const word = id >>> 5;
    return word < this.bits.length && (this.bits[word]! & (1 << (id & 31))) !== 0;
  }
}
