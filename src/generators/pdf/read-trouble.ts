/**
 * What went wrong while pdfjs read a page. pdfjs reads a damaged PDF as far as it can: an error in
 * a page's content, a form or an image is logged as a warning ("getOperatorList - ignoring
 * XObject: …") and the rest of the page is drawn. Right for a glitch; wrong for a page that could
 * not be read at all, which would come out as a blank thumbnail and an OCR "ready" with no text.
 * So its warnings are listened to (it logs them with console.log: this runs only in a decoder
 * process of its own, see run-in-child.ts) and sorted per page:
 *
 * - fatal: a form XObject that draws itself or forms nested without end (guarded-worker.ts
 *   refuses them; a stack overflow says the same where the guard is not in place), or a decode
 *   past the memory cap (a decompression bomb). The page could not be read: the call fails with
 *   the reason.
 * - a problem: anything else it skipped. The page is kept as far as it was read; the caller
 *   decides whether what is left is worth anything (OCR fails a page with a problem and no text).
 */
import { decoderMemoryMb } from '../tools/decoder-memory.js';
import { FORM_CYCLE, FORM_TOO_DEEP } from './guarded-worker.js';

let listening = false;
let heard: string[] = [];

/** Start collecting pdfjs's warnings (console.log in this process is pdfjs's alone from now on). */
export function listenToPdfWarnings(): void {
  if (listening) return;
  listening = true;
  console.log = (...args: unknown[]) => {
    const line = args.map(String).join(' ');
    if (line.startsWith('Warning: ') && heard.length < 1000) heard.push(line.slice('Warning: '.length));
  };
}

/** The warnings heard since the last call. */
export function takePdfWarnings(): string[] {
  const out = heard;
  heard = [];
  return out;
}

export interface PageTrouble {
  /** The page could not be read: the reason. */
  fatal?: string;
  /** The first thing pdfjs skipped on the page, when it went on. */
  problem?: string;
}

/** Warnings about the page's own content (not a font's glyph or an annotation's look). */
const CONTENT_SKIPPED = /^(getOperatorList|getTextContent|getContentStream) - ignoring ([^:"]*?)(?: \([^)]*\))?: "(.*)"\.?$/;
/** A stream whose data pdfjs could not decode at all (it reads it as empty): content, image or font. */
const STREAM_UNREADABLE = /^Invalid stream: "(.*)"$/;

/** Sort WARNINGS heard while one page was read. */
export function pageTrouble(warnings: readonly string[]): PageTrouble {
  let problem: string | undefined;
  for (const w of warnings) {
    const invalid = STREAM_UNREADABLE.exec(w);
    if (invalid) problem ??= `a stream could not be decoded: ${invalid[1]}`;
    const m = CONTENT_SKIPPED.exec(w);
    if (!m) continue;
    const what = m[2]!;
    const reason = m[3]!;
    const fatal = fatalReason(reason, what.startsWith('XObject'));
    if (fatal) return { fatal };
    problem ??= reason;
  }
  return problem === undefined ? {} : { problem };
}

/**
 * The reason for an error that means the page can never be read, else undefined. A stack that
 * overflows while drawing a form is a form that draws itself, directly or through others: no real
 * PDF nests forms thousands deep.
 */
export function fatalReason(message: string, inForm = false): string | undefined {
  const cycle = new RegExp(`form XObject (.*) ${FORM_CYCLE}`).exec(message);
  if (cycle) return `a form XObject draws itself (object ${cycle[1]})`;
  if (message.includes(FORM_TOO_DEEP)) return message.replace(/^\w*Error: /, '');
  if (/Maximum call stack size exceeded/.test(message)) {
    return inForm ? 'a form XObject draws itself (its drawing never ends)' : 'its content nests without end';
  }
  if (/Array buffer allocation failed|Invalid typed array length|Invalid array length|out of memory/i.test(message)) {
    const mb = decoderMemoryMb();
    return `it needs more memory than a decoder may use${mb === undefined ? '' : ` (${mb} MiB)`}`;
  }
  return undefined;
}
