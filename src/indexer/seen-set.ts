/** A growable bitset of ids. 1M ids cost 125 KB. */
class IdBits {
  private bits = new Uint32Array(1024);

  /** Whether ID was newly added. */
  add(id: number): boolean {
    const word = id >>> 5;
    if (word >= this.bits.length) {
      let len = this.bits.length;
      while (len <= word) len *= 2;
      const grown = new Uint32Array(len);
      grown.set(this.bits);
      this.bits = grown;
    }
    const mask = 1 << (id & 31);
    if ((this.bits[word]! & mask) !== 0) return false;
    this.bits[word]! |= mask;
    return true;
  }

  has(id: number): boolean {
    const word = id >>> 5;
    return word < this.bits.length && (this.bits[word]! & (1 << (id & 31))) !== 0;
  }
}

/**
 * Which rows a scan has confirmed: one by one, or a whole folder's at once (a folder whose listing
 * a rescan found unchanged, whose rows it never read).
 */
export class SeenSet {
  private readonly rows = new IdBits();
  private readonly folders = new IdBits();
  /** How many distinct rows are confirmed. */
  size = 0;

  add(id: number): void {
    if (this.rows.add(id)) this.size++;
  }

  /** Every one of folder DIRID's ROWS rows is confirmed (none of them confirmed one by one). */
  addFolder(dirId: number, rows: number): void {
    if (this.folders.add(dirId)) this.size += rows;
  }

  /** Whether the row ID, in the folder PARENTID (null for a location's root), is confirmed. */
  has(id: number, parentId: number | null): boolean {
    return this.rows.has(id) || (parentId !== null && this.folders.has(parentId));
  }
}
