import type { FileTypeParser } from 'file-type';
import mime from 'mime-types';
import { extname } from 'node:path';
import { fasterParser } from './file-type-checks.js';
import { rawMimeByMagic, rawMimeForName } from './raw-formats.js';
import { kindForMime, type ContentKind } from './kinds.js';

export interface DetectedType {
  mime: string;
  kind: ContentKind;
}

const OCTET = 'application/octet-stream';
/**
 * file-type, loaded at the first head a JPEG's first bytes do not settle: every daemon reaches
 * this module (the indexer, uploads) and file-type's modules are a tenth of a second of CPU at
 * its start, for nothing when no file is indexed. Its parser compares without allocating (file-type-checks.ts).
 */
let fileType: Promise<{ FileTypeParser: typeof FileTypeParser; supportedMimeTypes: ReadonlySet<string> }> | undefined;
const loadFileType = () => (fileType ??= import('file-type').then((m) => ({ FileTypeParser: fasterParser(m.FileTypeParser), supportedMimeTypes: m.supportedMimeTypes as ReadonlySet<string> })));

/**
 * Parsers not parsing now, kept (fileTypeFromBuffer would build a new one for every file). A
 * parser keeps the bytes it is reading on itself (its buffer and tokenizer) across its awaits: two
 * heads parsed at once by one parser read each other's, and a file took the type of the one typed
 * beside it (a folder's listing, uploads, the indexer finishing a page's identities). So each
 * parse takes a parser of its own, and gives it back. As many as were ever parsing at once.
 */
const idleParsers: FileTypeParser[] = [];

/** file-type's answer for HEAD, from a parser no other parse is using. */
async function magicOf(head: Uint8Array): Promise<{ mime: string } | undefined> {
  const { FileTypeParser: Parser } = await loadFileType();
  const parser = idleParsers.pop() ?? new Parser();
  try {
    return await parser.fromBuffer(head);
  } finally {
    idleParsers.push(parser);
  }
}

/** Source code whose extension the MIME database gets wrong or lacks (.ts is MPEG-TS there). */
const CODE_EXT: Record<string, string> = {
  ts: 'text/x-typescript', tsx: 'text/x-typescript', mts: 'text/x-typescript', cts: 'text/x-typescript',
  js: 'text/x-javascript', mjs: 'text/x-javascript', cjs: 'text/x-javascript', jsx: 'text/x-javascript',
  py: 'text/x-python', rs: 'text/x-rust', go: 'text/x-go', c: 'text/x-c', h: 'text/x-c', cc: 'text/x-c++',
  cpp: 'text/x-c++', hpp: 'text/x-c++', java: 'text/x-java', kt: 'text/x-kotlin', swift: 'text/x-swift',
  rb: 'text/x-ruby', php: 'text/x-php', sh: 'text/x-shellscript', bash: 'text/x-shellscript', sql: 'text/x-sql',
  cs: 'text/x-csharp', lua: 'text/x-lua', pl: 'text/x-perl', scala: 'text/x-scala', zig: 'text/x-zig',
};

/** Containers whose magic says less than a matching extension does (a .docx is a zip, an .svg is XML). */
const GENERIC_MAGIC = new Set(['application/zip', 'application/xml', 'application/x-cfb', 'text/plain']);

/**
 * Decide MIME and kind from magic bytes first and the extension second. A name that claims a
 * format with a known signature (say .jpg) whose bytes lack it is not believed: such a file is
 * mislabelled or corrupt, and later stages must not treat it as that format.
 */
export async function detectType(name: string, head: Buffer): Promise<DetectedType> {
  return detectTypeSoon(name, head) ?? parsedType(name, head);
}

/**
 * `detectType`'s answer through file-type's parse, for a head its first bytes do not settle
 * (`detectTypeSoon`); exported so `detect-type.test.ts` holds the answers given at once to it.
 */
export async function parsedType(name: string, head: Buffer): Promise<DetectedType> {
  // A RAW whose header file-type does not read (Canon's CRW, Minolta's MRW, Sigma's X3F).
  const rawByMagic = rawMimeByMagic(head);
  if (rawByMagic) return typed(rawByMagic);
  const ext = extOf(name);
  const extMime = mimeOfExt(ext);
  const { supportedMimeTypes } = await loadFileType();
  const magic = await magicOf(head);

  // Most camera RAW formats are TIFF inside: magic says "TIFF", the extension names the maker's format.
  const raw = rawMimeForName(name);
  if (magic) {
    if (raw && magic.mime === 'image/tiff') return typed(raw);
    if (extMime && GENERIC_MAGIC.has(magic.mime) && extMime !== magic.mime) return typed(extMime);
    return typed(magic.mime);
  }
  // file-type follows a TIFF's directory offset, which may point past the head we read (it sits at
  // the end of some scanners' files): the header alone is signature enough for a TIFF.
  if (isTiffHeader(head)) return typed(raw ?? (extMime && extMime.startsWith('image/') ? extMime : 'image/tiff'));
  const code = CODE_EXT[ext];
  if (code && looksLikeText(head)) return typed(code);
  if (extMime && !supportedMimeTypes.has(extMime)) {
    // Formats with no signature (text, CSV, SVG, ...): the extension is all there is, but
    // a text format must at least look like text.
    if (!extMime.startsWith('text/') || looksLikeText(head)) return typed(extMime);
  }
  if (looksLikeText(head)) return typed('text/plain');
  return { mime: OCTET, kind: 'unknown' };
}

/**
 * The answer `detectType` gives, without its asynchronous parse, for the heads whose answer is
 * certain from their first bytes: an empty file, and a JPEG (most of a photo library). file-type
 * checks only other first bytes before JPEG's FF D8 FF, so it answers JPEG (JPEG-LS when the
 * fourth byte is F7) whatever follows; `detect-type.test.ts` holds it to that. Undefined: ask
 * `detectType`.
 */
export function detectTypeNow(head: Buffer): DetectedType | undefined {
  // An empty file is nothing yet, whatever its name says.
  if (head.length === 0) return { mime: 'inode/x-empty', kind: 'unknown' };
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return typed(head[3] === 0xf7 ? 'image/jls' : 'image/jpeg');
  return undefined;
}

/**
 * `detectType`'s answer without its asynchronous parse where the first bytes make it certain:
 * those `detectTypeNow` settles, and a head with PNG's signature, whose chunks are walked here as
 * file-type's parser walks them (the parse costs ~40 µs a head, the walk a few hundred ns: a
 * tenth of the bench's files are PNGs). Undefined: ask `detectType`.
 */
export function detectTypeSoon(name: string, head: Buffer): DetectedType | undefined {
  const now = detectTypeNow(head);
  if (now || !startsWith(head, PNG_SIGNATURE)) return now;
  const png = pngMagic(head);
  if (png !== null) return typed(png);
  // file-type finds nothing: then a name whose type file-type knows (or a text type, which these
  // bytes are not) leaves the head unknown, as `parsedType` goes on to find; any other name is
  // left to it (a type file-type does not know is believed from the name alone there).
  const extMime = mimeOfExt(extOf(name));
  if (extMime === undefined || extMime.startsWith('text/') || extMime === 'image/png' || extMime === 'image/apng') return { mime: OCTET, kind: 'unknown' };
  return undefined;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** file-type's bound on the chunks it walks before it calls a PNG a PNG. */
const PNG_CHUNKS_WALKED = 512;

/**
 * file-type's answer (21.x, `core.js`) for HEAD, which starts with PNG's signature, reached as its
 * parser reaches it on a head of this length: 'image/apng' when an acTL chunk comes before the
 * first IDAT, 'image/png' at that IDAT, at a chunk longer than the head, or when the walk reaches
 * the head's end, and null (no type: nothing else of file-type looks at such a head) when the
 * first chunk is no 13-byte image header (nor Apple's CgBI), a length is negative, or a chunk's
 * header is cut by the head's end. `detect-type.test.ts` holds each case to file-type's parse.
 */
function pngMagic(head: Buffer): string | null {
  const end = head.length;
  let at = PNG_SIGNATURE.length;
  let imageHeader = false;
  for (let chunks = 1; chunks <= PNG_CHUNKS_WALKED; chunks++) {
    if (at + 8 > end) return null;
    const length = head.readInt32BE(at);
    const type = head.toString('latin1', at + 4, at + 8);
    at += 8;
    if (length < 0) return null;
    if (type === 'IHDR') {
      if (length !== 13) return null;
      imageHeader = true;
    }
    if (type === 'IDAT') return 'image/png';
    if (type === 'acTL') return 'image/apng';
    if (!imageHeader && type !== 'CgBI') return null;
    // The parser refuses to skip more than the whole head (and calls it a PNG), and a skip past
    // its end stops there.
    if (length + 4 > end) return 'image/png';
    at = Math.min(at + length + 4, end);
    if (at + 8 >= end) return 'image/png';
  }
  return 'image/png';
}

function startsWith(head: Buffer, bytes: readonly number[]): boolean {
  if (head.length < bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (head[i] !== bytes[i]) return false;
  return true;
}

function extOf(name: string): string {
  return extname(name).slice(1).toLowerCase();
}

/** The MIME type the name's extension EXT says (undefined: none, or no extension). */
function mimeOfExt(ext: string): string | undefined {
  return ext ? mime.lookup(ext) || undefined : undefined;
}

/**
 * The photo or video HEAD's own bytes say it is (magic only: never the name, which a sender
 * chooses), or undefined: what an upload from a browser must be (a zip, an XML or an Office file
 * named `.jpg` is not). A TIFF header counts as an image (most camera RAW files are TIFF inside),
 * and so do the RAW headers file-type does not know (CRW, MRW, X3F).
 */
export async function mediaByMagic(head: Buffer): Promise<DetectedType | undefined> {
  const rawByMagic = rawMimeByMagic(head);
  if (rawByMagic) return typed(rawByMagic);
  const known = detectTypeNow(head);
  const magic = known ?? (await magicOf(head).then((m) => (m ? typed(m.mime) : undefined)));
  if (magic && (magic.kind === 'image' || magic.kind === 'video')) return magic;
  if (isTiffHeader(head)) return typed('image/tiff');
  return undefined;
}

function isTiffHeader(head: Buffer): boolean {
  if (head.length < 8) return false;
  return (head[0] === 0x49 && head[1] === 0x49 && head[2] === 0x2a && head[3] === 0x00) || (head[0] === 0x4d && head[1] === 0x4d && head[2] === 0x00 && head[3] === 0x2a);
}

function typed(m: string): DetectedType {
  return { mime: m, kind: kindForMime(m) };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Text if it has no NUL byte and decodes as UTF-8 (ignoring a sequence cut at the end). */
export function looksLikeText(head: Buffer): boolean {
  if (head.length === 0) return false;
  if (head.includes(0)) return false;
  try {
    utf8.decode(trimPartialUtf8(head));
    return true;
  } catch {
    return false;
  }
}

function trimPartialUtf8(buf: Buffer): Buffer {
  // Drop up to 3 trailing bytes of a multi-byte sequence cut by the head's end.
  let end = buf.length;
  for (let i = 1; i <= 3 && end - i >= 0; i++) {
    const b = buf[end - i]!;
    if ((b & 0xc0) === 0x80) continue; // continuation byte
    if (b >= 0xc0) end -= i; // lead byte of a possibly cut sequence
    break;
  }
  return buf.subarray(0, end);
}
