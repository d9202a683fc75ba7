/**
 * The decoder side of `extractPdfText`: runs inside a `runInChild` process (extract-text.ts).
 */
import type { TextContent } from 'pdfjs-dist/types/src/display/api.js';
import { GeneratorError } from '../types.js';
import { openPdf, pdfError } from './open-pdf.js';
import { pageTrouble, takePdfWarnings } from './read-trouble.js';
import { textItemsToLines, type FontMetrics, type PdfTextItem, type TextBlock } from './text-lines.js';

export interface ExtractThreadArg {
  path: string;
  maxPages: number;
  /** Refuse a larger file before reading it (pdfjs holds the whole file). */
  maxBytes: number;
}

export interface PdfTextPage {
  /** The page's lines joined by newlines. */
  text: string;
  /** One block per line of text, bbox in points (1/72 in) from the top-left of the displayed page. */
  blocks: TextBlock[];
  /** Displayed page size in points, after /Rotate. */
  width: number;
  height: number;
  /** The first thing pdfjs skipped while reading the page's text, when it read the rest. */
  problem?: string;
}

export interface PdfTextResult {
  pageCount: number;
  pages: PdfTextPage[];
}

export async function extractTextInThread(arg: ExtractThreadArg): Promise<PdfTextResult> {
  const doc = await openPdf(arg.path, arg.maxBytes);
  try {
    const pages: PdfTextPage[] = [];
    const last = Math.min(doc.numPages, Math.max(0, arg.maxPages));
    for (let i = 1; i <= last; i++) {
      takePdfWarnings();
      const page = await doc.getPage(i);
      const viewport = page.getViewport({ scale: 1 });
      const content: TextContent = await page.getTextContent();
      const trouble = pageTrouble(takePdfWarnings());
      if (trouble.fatal) throw new GeneratorError(`page ${i} could not be read: ${trouble.fatal}`, { permanent: true, path: arg.path });
      const items = content.items.filter((it): it is PdfTextItem & (typeof content.items)[number] => 'str' in it);
      const fonts: Record<string, FontMetrics | undefined> = content.styles;
      const blocks = textItemsToLines(items, fonts, (x, y) => viewport.convertToViewportPoint(x, y) as [number, number]);
      pages.push({ text: blocks.map((b) => b.text).join('\n'), blocks, width: viewport.width, height: viewport.height, ...(trouble.problem === undefined ? {} : { problem: trouble.problem }) });
      page.cleanup();
    }
    return { pageCount: doc.numPages, pages };
  } catch (err) {
    throw pdfError(err, arg.path);
  } finally {
    await doc.destroy();
  }
}
