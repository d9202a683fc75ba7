/**
 * Small camera RAW files made in a test, for the formats no fixture has: the structure a camera
 * writes (its header, its directories, a JPEG preview where ExifTool looks for one), with no
 * sensor data (vss never reads it). Each is read by ExifTool as the camera's own file.
 */

/**
 * A Canon CRW as the cameras before 2004 wrote it, small: CIFF's header (byte order, length,
 * `HEAPCCDR`, version), then the root heap holding a JPEG preview and the sensor's size, and at
 * its end the table of its records (0x2007 JpgFromRaw, 0x1810 ImageInfo: each its size and
 * offset) and where that table starts.
 */
export function crwHolding(jpeg: Buffer, width: number, height: number): Buffer {
  const header = Buffer.alloc(26);
  header.write('II', 0, 'latin1');
  header.writeUInt32LE(26, 2);
  header.write('HEAPCCDR', 6, 'latin1');
  header.writeUInt32LE(0x10002, 14);
  // ImageInfo: width, height, pixel aspect ratio, rotation, component and colour bit depths, colour.
  const info = Buffer.alloc(28);
  info.writeUInt32LE(width, 0);
  info.writeUInt32LE(height, 4);
  info.writeFloatLE(1, 8);
  info.writeUInt32LE(12, 16);
  info.writeUInt32LE(12, 20);
  info.writeUInt32LE(1, 24);
  const heap = Buffer.concat([jpeg, info]);
  const table = Buffer.alloc(2 + 2 * 10 + 4);
  table.writeUInt16LE(2, 0);
  [[0x2007, jpeg.length, 0], [0x1810, info.length, jpeg.length]].forEach(([tag, size, at], i) => {
    table.writeUInt16LE(tag!, 2 + i * 10);
    table.writeUInt32LE(size!, 4 + i * 10);
    table.writeUInt32LE(at!, 8 + i * 10);
  });
  table.writeUInt32LE(heap.length, 22);
  return Buffer.concat([header, heap, table]);
}

const SHORT = 3;
const LONG = 4;
const ASCII = 2;

/**
 * A TIFF-based RAW as Hasselblad, Kodak, Leaf, Mamiya and Phase One cameras write it: IFD0 a
 * small uncompressed RGB picture (THUMB_W × THUMB_H, what a TIFF reader shows of the file) with
 * the camera's MAKE, and in its SubIFD the full JPEG preview (0x201/0x202: ExifTool's
 * JpgFromRaw). file-type calls it a TIFF; only its extension names the maker's format.
 */
export function tiffRawHolding(jpeg: Buffer, make: string, thumbW = 160, thumbH = 120): Buffer {
  const ifd0Count = 13;
  const subCount = 3;
  const ifd0At = 8;
  const subAt = ifd0At + 2 + ifd0Count * 12 + 4;
  let free = subAt + 2 + subCount * 12 + 4;
  const place = (bytes: number): number => {
    const at = free;
    free += bytes + (bytes % 2); // TIFF's values start on a word boundary
    return at;
  };
  const makeText = Buffer.from(`${make}\0`, 'latin1');
  const modelText = Buffer.from(`${make} test\0`, 'latin1');
  const bpsAt = place(6);
  const makeAt = place(makeText.length);
  const modelAt = place(modelText.length);
  const stripBytes = thumbW * thumbH * 3;
  const stripAt = place(stripBytes);
  const jpegAt = place(jpeg.length);
  const out = Buffer.alloc(free);
  out.write('II', 0, 'latin1');
  out.writeUInt16LE(42, 2);
  out.writeUInt32LE(ifd0At, 4);
  const ifd = (at: number, entries: Array<[tag: number, type: number, count: number, value: number]>): void => {
    out.writeUInt16LE(entries.length, at);
    entries.forEach(([tag, type, count, value], i) => {
      const e = at + 2 + i * 12;
      out.writeUInt16LE(tag, e);
      out.writeUInt16LE(type, e + 2);
      out.writeUInt32LE(count, e + 4);
      if (type === SHORT && count === 1) out.writeUInt16LE(value, e + 8);
      else out.writeUInt32LE(value, e + 8); // a LONG, or the offset of what does not fit in 4 bytes
    });
    out.writeUInt32LE(0, at + 2 + entries.length * 12);
  };
  ifd(ifd0At, [
    [0x00fe, LONG, 1, 1], // a reduced-resolution picture: not the sensor's
    [0x0100, SHORT, 1, thumbW],
    [0x0101, SHORT, 1, thumbH],
    [0x0102, SHORT, 3, bpsAt],
    [0x0103, SHORT, 1, 1],
    [0x0106, SHORT, 1, 2],
    [0x010f, ASCII, makeText.length, makeAt],
    [0x0110, ASCII, modelText.length, modelAt],
    [0x0111, LONG, 1, stripAt],
    [0x0115, SHORT, 1, 3],
    [0x0116, SHORT, 1, thumbH],
    [0x0117, LONG, 1, stripBytes],
    [0x014a, LONG, 1, subAt],
  ]);
  ifd(subAt, [
    [0x0103, SHORT, 1, 6],
    [0x0201, LONG, 1, jpegAt],
    [0x0202, LONG, 1, jpeg.length],
  ]);
  for (let i = 0; i < 3; i++) out.writeUInt16LE(8, bpsAt + i * 2);
  makeText.copy(out, makeAt);
  modelText.copy(out, modelAt);
  out.fill(0x80, stripAt, stripAt + stripBytes);
  jpeg.copy(out, jpegAt);
  return out;
}
