import { extname } from 'node:path';

/**
 * Camera RAW formats vss knows: what the bytes are called by extension (cameras write them in
 * either case) and the MIME each gets. Most are TIFF inside, so magic bytes alone often say only
 * "TIFF": the extension names the maker's format then. CR3 is ISO-BMFF; RAF has its own header;
 * CRW (Canon's cameras before 2004) is CIFF, known by its own header (`rawMimeByMagic`).
 */
export const RAW_FORMATS = {
  dng: 'image/x-adobe-dng',
  gpr: 'image/x-adobe-dng', // GoPro's GPR is a DNG variant
  cr2: 'image/x-canon-cr2',
  cr3: 'image/x-canon-cr3',
  crw: 'image/x-canon-crw',
  nef: 'image/x-nikon-nef',
  nrw: 'image/x-nikon-nef',
  arw: 'image/x-sony-arw',
  raf: 'image/x-fujifilm-raf',
  orf: 'image/x-olympus-orf',
  rw2: 'image/x-panasonic-rw2',
  pef: 'image/x-pentax-pef',
  srw: 'image/x-samsung-srw',
} as const satisfies Record<string, `image/x-${string}`>;

export const RAW_MIMES: ReadonlySet<string> = new Set(Object.values(RAW_FORMATS));

/** The RAW MIME for NAME's extension (any case), or undefined when it names no RAW format. */
export function rawMimeForName(name: string): string | undefined {
  const ext = extname(name).slice(1).toLowerCase();
  return Object.hasOwn(RAW_FORMATS, ext) ? RAW_FORMATS[ext as keyof typeof RAW_FORMATS] : undefined;
}

/**
 * The RAW MIME HEAD's own bytes say, where no other reader tells it: Canon's CIFF (a CRW), a byte
 * order (`II` or `MM`), the header's length, then `HEAPCCDR`. Undefined for anything else.
 */
export function rawMimeByMagic(head: Buffer): string | undefined {
  if (head.length < 14) return undefined;
  const order = head.toString('latin1', 0, 2);
  if ((order === 'II' || order === 'MM') && head.toString('latin1', 6, 14) === 'HEAPCCDR') return RAW_FORMATS.crw;
  return undefined;
}

export function isRawMime(mime: string): boolean {
  return RAW_MIMES.has(mime.toLowerCase());
}
