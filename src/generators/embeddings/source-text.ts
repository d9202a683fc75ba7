import { open } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { ContentKind } from '../../content/kinds.js';
import { ocrGenerator } from '../ocr/ocr-generator.js';
import { probeMedia } from '../tools/ffmpeg.js';
import { transcriptGenerator } from '../transcript/transcript-generator.js';
import type { Generator, GeneratorContext } from '../types.js';
import { GeneratorError } from '../types.js';

/**
 * The text an embedding is made from: a text file's own words, an image's or PDF's OCR text, an
 * audio or video file's transcript. Embeddings come after OCR and transcripts (DESIGN §7), so a
 * text that is not made yet means "wait", and a content whose OCR found nothing means "skip".
 */

const require = createRequire(import.meta.url);
let htmlparser2: typeof import('htmlparser2') | undefined;
/** htmlparser2, loaded with the first HTML page read: the generators come with every daemon and most read none. */
const html2 = (): typeof import('htmlparser2') => (htmlparser2 ??= require('htmlparser2') as typeof import('htmlparser2'));

/** Bytes of a text file that are read: enough for any note or article, bounded for a 2 GB log. */
export const MAX_TEXT_BYTES = 1024 * 1024;

export type TextSource = 'file' | 'ocr' | 'transcript';

export type SourceText = { text: string; source: TextSource[] } | { wait: string } | { skip: string };

/** The sidecars whose text is embedded, and what makes them. */
const TEXT_SIDECARS: ReadonlyArray<{ kind: 'ocr' | 'transcript'; maker: Generator }> = [
  { kind: 'ocr', maker: ocrGenerator },
  { kind: 'transcript', maker: transcriptGenerator },
];

/**
 * Where the text of a content of this kind and type comes from: the file itself for text, else
 * the OCR or transcript sidecar — only where that generator accepts the content, or the
 * embedding would wait for a text that is never made (an office file, an SVG). No I/O.
 */
export function textSourceOf(kind: ContentKind, mime: string): TextSource | undefined {
  if (kind === 'text') return 'file';
  return TEXT_SIDECARS.find((s) => s.maker.accepts({ kind, mime }, 'default'))?.kind;
}

export function hasTextSource(kind: ContentKind, mime: string): boolean {
  return textSourceOf(kind, mime) !== undefined;
}

export async function sourceText(ctx: GeneratorContext): Promise<SourceText> {
  const { kind, path, mime } = ctx.source;
  const from = textSourceOf(kind, mime);
  if (from === 'file') {
    const text = await readTextFile(path, mime);
    return text === undefined ? { skip: 'not a text file (binary content)' } : nonEmpty(text, 'file');
  }
  if (from === undefined) return { skip: `no text is read from a ${kind} file (${mime})` };
  return await fromSidecar(ctx, TEXT_SIDECARS.find((s) => s.kind === from)!);
}

async function fromSidecar(ctx: GeneratorContext, { kind, maker }: (typeof TEXT_SIDECARS)[number]): Promise<SourceText> {
  const bytes = ctx.readSidecar(kind, 'default');
  if (!bytes) {
    // Its generator said there is none (a recording without speech): nothing to wait for.
    const never = ctx.notApplicable(kind, 'default');
    if (never !== undefined) return { skip: `no ${kind === 'ocr' ? 'OCR text' : kind}: ${never}` };
    // No OCR engine or speech model on this device: the text will not come, so do not wait for it.
    // Installing one queues the work again.
    const available = maker.availability(ctx.settings);
    if (!available.ok) return { skip: `no ${kind} can be made here: ${available.reason}` };
    // A silent video never gets a transcript (its generator skips it), so waiting would never end.
    if (kind === 'transcript' && !(await hasAudio(ctx))) return { skip: 'no audio track, so no transcript' };
    return { wait: `waiting for ${kind === 'ocr' ? 'OCR' : 'the transcript'}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    // A broken sidecar is re-made by reconcile --verify; embedding it as text would be wrong.
    throw new GeneratorError(`the ${kind} sidecar of ${ctx.source.path} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`, { permanent: false, path: ctx.source.path });
  }
  return nonEmpty(textOfSidecar(json), kind);
}

/** Whether the media has an audio stream; true when ffprobe cannot tell (the transcript job will say why). */
async function hasAudio(ctx: GeneratorContext): Promise<boolean> {
  try {
    const probe = await probeMedia(ctx.source.path, ctx.signal, 20_000);
    return probe.streams.some((s) => s.codec_type === 'audio');
  } catch {
    return true;
  }
}

/**
 * The text of an OCR or transcript sidecar: its "text", else the text of its segments (a
 * transcript) or pages (an OCR of a document), joined by lines.
 */
export function textOfSidecar(json: unknown): string {
  if (typeof json !== 'object' || json === null) return '';
  const o = json as Record<string, unknown>;
  if (typeof o.text === 'string' && o.text.trim()) return o.text;
  for (const key of ['segments', 'pages']) {
    const list = o[key];
    if (Array.isArray(list)) {
      const parts = list.map((item) => (typeof item === 'object' && item !== null && typeof (item as { text?: unknown }).text === 'string' ? (item as { text: string }).text : ''));
      const joined = parts.filter((p) => p.trim()).join('\n');
      if (joined) return joined;
    }
  }
  return '';
}

function nonEmpty(text: string, source: TextSource): SourceText {
  return /[\p{L}\p{N}]/u.test(text) ? { text, source: [source] } : { skip: 'no text' };
}

/**
 * The first MAX_TEXT_BYTES of a text file as a string, or undefined when the bytes are not text
 * (a NUL byte, or mostly undecodable). UTF-8 by default, UTF-16 by its byte-order mark, and
 * Windows-1252 for old 8-bit files that are not valid UTF-8.
 */
export async function readTextFile(path: string, mime: string): Promise<string | undefined> {
  let buf = Buffer.alloc(MAX_TEXT_BYTES);
  try {
    const fh = await open(path, 'r');
    try {
      const { bytesRead } = await fh.read(buf, 0, MAX_TEXT_BYTES, 0);
      buf = buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch (err) {
    // Not permanent: the file may be back (a disk remounted) when the job is tried again.
    throw new GeneratorError(`cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`, { permanent: false, path, cause: err });
  }
  let text: string;
  if (buf[0] === 0xff && buf[1] === 0xfe) text = new TextDecoder('utf-16le').decode(buf);
  else if (buf[0] === 0xfe && buf[1] === 0xff) text = new TextDecoder('utf-16be').decode(buf);
  else {
    if (buf.includes(0)) return undefined;
    text = new TextDecoder('utf-8').decode(buf);
    const bad = countOf(text, '\uFFFD');
    // A few bad bytes (or one cut at the 1 MiB border) are noise; many mean another encoding.
    if (bad > 16 && bad > text.length / 100) text = new TextDecoder('windows-1252').decode(buf);
  }
  if (mime === 'text/html' || mime === 'application/xhtml+xml') text = htmlToText(text);
  return text;
}

/** Elements whose content is never shown as text (code, styling, inert templates, no-script fallbacks). */
const HIDDEN_ELEMENTS = new Set(['script', 'style', 'template', 'noscript']);
/** Elements that start a new line when shown; other tags (b, a, span…) join their text without a gap. */
const BLOCK_ELEMENTS = new Set([
  'address', 'article', 'aside', 'blockquote', 'br', 'caption', 'dd', 'details', 'div', 'dl', 'dt', 'figcaption', 'figure',
  'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'li', 'main', 'nav', 'ol', 'p', 'pre', 'section',
  'summary', 'table', 'title', 'tr', 'ul',
]);
/** Cells of a row stay on one line, apart. */
const CELL_ELEMENTS = new Set(['td', 'th']);

/**
 * The words of an HTML page as a reader sees them: htmlparser2 (a streaming, forgiving parser,
 * linear in its input) decodes every entity (`&eacute;`, `&#233;`, `&#x4e2d;`), drops scripts,
 * styles and templates, and block elements end lines. No DOM is built; at most MAX_TEXT_BYTES
 * characters are read, so a huge page costs a bounded time.
 */
export function htmlToText(html: string): string {
  const parts: string[] = [];
  let hidden = 0;
  const parser = new (html2().Parser)({
    onopentagname(name) {
      if (HIDDEN_ELEMENTS.has(name)) hidden++;
      else if (BLOCK_ELEMENTS.has(name)) parts.push('\n');
      else if (CELL_ELEMENTS.has(name)) parts.push(' ');
    },
    onclosetag(name) {
      if (HIDDEN_ELEMENTS.has(name)) hidden = Math.max(0, hidden - 1);
      else if (BLOCK_ELEMENTS.has(name)) parts.push('\n');
    },
    ontext(text) {
      if (hidden === 0) parts.push(text);
    },
  }, { decodeEntities: true, lowerCaseTags: true });
  parser.end(html.length > MAX_TEXT_BYTES ? html.slice(0, MAX_TEXT_BYTES) : html);
  return parts.join('')
    .replace(/[^\S\n]+/g, ' ')
    .replace(/ ?\n[\n ]*/g, '\n')
    .trim();
}

function countOf(s: string, ch: string): number {
  let n = 0;
  for (let i = s.indexOf(ch); i !== -1; i = s.indexOf(ch, i + 1)) n++;
  return n;
}
