/**
 * Opening a PDF with pdfjs-dist, offline. Only ever imported inside a `runInChild` process (see
 * render-page.ts, extract-text.ts): pdfjs parses on the thread that calls it and a hostile file
 * may loop or allocate without end, so it must run where it can be killed and where its memory is
 * capped.
 */
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { getDocument, type PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { readBounded } from '../input-limits.js';
import { loadGuardedPdfWorker } from './guarded-worker.js';
import { listenToPdfWarnings, fatalReason } from './read-trouble.js';
import { GeneratorError } from '../types.js';

const require = createRequire(import.meta.url);
/** The package's own folders: standard fonts, CMaps and WASM decoders are read from disk, never fetched. */
const PDFJS_DIR = dirname(require.resolve('pdfjs-dist/package.json'));
/** pdfjs joins these with file names by string concatenation, so they end with a separator. */
const folder = (name: string) => join(PDFJS_DIR, name) + sep;

/**
 * Biggest embedded image pdfjs will decode (pixels); a larger one is left out of the page. pdfjs
 * holds an image at full size in a canvas (4 bytes a pixel) plus its halvings while scaling it
 * down, ~5.5 bytes a pixel: 50 MP is ~275 MB, and takes a 600 dpi scan of A4 or Letter (35 MP).
 * At 100 MP one lying header cost a render thread ~900 MB (bench/malformed-bench.ts).
 */
const MAX_IMAGE_PIXELS = 50_000_000;

/** The PDF at PATH, read whole (pdfjs parses from one array) but never more than MAXBYTES. */
export async function openPdf(path: string, maxBytes: number): Promise<PDFDocumentProxy> {
  const file = readBounded(path, 'pdfMaxBytes', maxBytes);
  const data = new Uint8Array(file.buffer, file.byteOffset, file.byteLength);
  listenToPdfWarnings();
  await loadGuardedPdfWorker();
  try {
    return await getDocument({
      data,
      standardFontDataUrl: folder('standard_fonts'),
      cMapUrl: folder('cmaps'),
      cMapPacked: true,
      wasmUrl: folder('wasm'),
      // No eval of font programs, no system fonts, no @font-face: we render with the bundled data only.
      isEvalSupported: false,
      useSystemFonts: false,
      disableFontFace: true,
      maxImageSize: MAX_IMAGE_PIXELS,
      // Warnings too: they say what pdfjs skipped on a page (read-trouble.ts); nothing is printed.
      verbosity: 1,
    }).promise;
  } catch (err) {
    throw pdfError(err, path);
  }
}

/** A pdfjs failure as a permanent GeneratorError with a human reason (corrupt, encrypted, …). */
export function pdfError(err: unknown, path: string): GeneratorError {
  if (err instanceof GeneratorError) return err;
  const name = (err as { name?: string }).name;
  const message = err instanceof Error ? err.message : String(err);
  if (name === 'PasswordException') return new GeneratorError('the PDF is encrypted and needs a password', { permanent: true, path, cause: err });
  if (name === 'InvalidPDFException') return new GeneratorError(`not a valid PDF: ${message}`, { permanent: true, path, cause: err });
  const room = fatalReason(message);
  if (room) return new GeneratorError(`PDF could not be read: ${room}`, { permanent: true, path, cause: err });
  return new GeneratorError(`PDF could not be read: ${message}`, { permanent: true, path, cause: err });
}
