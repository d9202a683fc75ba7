/*
 * The RAW table alone, with nothing of Node's: the web app's upload picker reads it too
 * (web/src/upload-button.tsx), so a format added here is offered there.
 */

/**
 * Camera RAW formats vss knows: every RAW ExifTool reads previews from (its `%fileTypeLookup`),
 * by extension (cameras write them in either case), and the MIME each gets (file-type's or
 * ExifTool's where they name one; freedesktop's where ExifTool says only `image/x-raw`). Most are
 * TIFF inside, so magic bytes alone often say only "TIFF": the extension names the maker's format
 * then. CR3 is ISO-BMFF; RAF, ORF and RW2 have headers file-type knows; CRW (CIFF), MRW and X3F
 * have their own, known here (`rawMimeByMagic`).
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
  arq: 'image/x-sony-arq', // Sony's pixel-shift composite
  sr2: 'image/x-sony-sr2',
  srf: 'image/x-sony-srf',
  raf: 'image/x-fujifilm-raf',
  orf: 'image/x-olympus-orf',
  ori: 'image/x-olympus-orf', // an ORF by another name (high-res shot)
  rw2: 'image/x-panasonic-rw2',
  raw: 'image/x-panasonic-rw', // Panasonic's and Leica's before RW2; only ever believed of TIFF bytes
  rwl: 'image/x-leica-rwl',
  pef: 'image/x-pentax-pef',
  srw: 'image/x-samsung-srw',
  '3fr': 'image/x-hasselblad-3fr',
  fff: 'image/x-hasselblad-fff',
  iiq: 'image/x-phaseone-iiq',
  mos: 'image/x-leaf-mos',
  mef: 'image/x-mamiya-mef',
  erf: 'image/x-epson-erf',
  dcr: 'image/x-kodak-dcr',
  kdc: 'image/x-kodak-kdc',
  k25: 'image/x-kodak-k25',
  mrw: 'image/x-minolta-mrw',
  x3f: 'image/x-sigma-x3f',
} as const satisfies Record<string, `image/x-${string}`>;

/** Every RAW extension, lower case (a picker's or an upload's list of what a photo may be called). */
export const RAW_EXTENSIONS: readonly string[] = Object.keys(RAW_FORMATS);
