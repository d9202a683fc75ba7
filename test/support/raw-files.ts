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
