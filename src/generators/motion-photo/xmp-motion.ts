/**
 * What an XMP packet says about a motion photo's movie, read by a real XML parser (saxes:
 * strict, namespace-aware, non-validating). Properties count only in Google's photo namespaces
 * (`http://ns.google.com/photos/…`, whatever prefix the writer chose), written as attributes or as
 * simple elements, never inside comments or CDATA.
 *
 * Hostile packets: the packet is at most one JPEG segment (< 64 KiB) so its size is bounded
 * before parsing; saxes never expands entities a DOCTYPE declares (no billion laughs), and a
 * packet with a DOCTYPE at all is refused, as no camera writes one; a packet that is not
 * well-formed XML is refused with the parser's line, column and reason.
 */
import { createRequire } from 'node:module';
import type { SaxesTagNS } from 'saxes';

const require = createRequire(import.meta.url);
let saxesLoaded: typeof import('saxes') | undefined;
/** saxes, loaded with the first packet read: every daemon reaches this module and most read none. */
const saxes = (): typeof import('saxes') => (saxesLoaded ??= require('saxes') as typeof import('saxes'));

const GOOGLE_PHOTOS_NS = 'http://ns.google.com/photos/';
const RDF_NS = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';

/** One entry of `Container:Directory`, in file order. */
export interface DirectoryItem {
  semantic?: string;
  length?: string;
  padding?: string;
}

export interface XmpMotion {
  /** Camera:MotionPhoto ("1" on, "0" turned off by the user). */
  motionPhoto?: string;
  /** GCamera:MicroVideo ("1") and GCamera:MicroVideoOffset (bytes from the movie's start to the end of the file). */
  microVideo?: string;
  microVideoOffset?: string;
  /** Container:Directory's items, when the packet has one. */
  directory?: DirectoryItem[];
}

export type XmpRead = { ok: true; motion: XmpMotion } | { ok: false; reason: string };

const CAMERA_PROPS = new Set(['MotionPhoto', 'MicroVideo', 'MicroVideoOffset']);
const ITEM_PROPS = new Set(['Semantic', 'Length', 'Padding']);

/** The motion-photo properties of XMP, or why the packet cannot be read. */
export function readXmpMotion(xmp: string): XmpRead {
  // Writers pad the packet with whitespace (XMP's own rule) and some with NUL bytes.
  const text = xmp.replace(/[\s\0]+$/, '');
  const motion: XmpMotion = {};
  const parser = new (saxes().SaxesParser)({ xmlns: true, position: true });
  /** Open elements: in Google's namespaces, the text of a simple property element. */
  const stack: Array<{ google: boolean; local: string; text: string; children: number; isItem: boolean }> = [];
  let directoryDepth = -1;
  let seqDepth = -1;
  let item: DirectoryItem | undefined;
  let refusal: string | undefined;

  const setCamera = (local: string, value: string) => {
    const v = value.trim();
    if (local === 'MotionPhoto') motion.motionPhoto ??= v;
    else if (local === 'MicroVideo') motion.microVideo ??= v;
    else if (local === 'MicroVideoOffset') motion.microVideoOffset ??= v;
  };
  const setProperty = (local: string, value: string) => {
    if (item && ITEM_PROPS.has(local)) {
      const key = local.toLowerCase() as keyof DirectoryItem;
      item[key] ??= value.trim();
    } else if (CAMERA_PROPS.has(local)) setCamera(local, value);
  };

  parser.on('doctype', () => {
    refusal = 'its XMP packet carries a DOCTYPE (entity declarations), which no camera writes; it is not read';
    throw new Error(refusal);
  });
  parser.on('opentag', (tag: SaxesTagNS) => {
    const parent = stack[stack.length - 1];
    if (parent) parent.children++;
    const google = tag.uri.startsWith(GOOGLE_PHOTOS_NS);
    const depth = stack.length;
    // The first Container:Directory only: a second one (an edit tool's leftover) never counts.
    if (google && tag.local === 'Directory' && directoryDepth < 0 && motion.directory === undefined) {
      directoryDepth = depth;
      motion.directory = [];
    } else if (directoryDepth >= 0 && seqDepth < 0 && tag.uri === RDF_NS && (tag.local === 'Seq' || tag.local === 'Bag')) {
      seqDepth = depth;
    }
    const isItem = seqDepth >= 0 && depth === seqDepth + 1 && tag.uri === RDF_NS && tag.local === 'li';
    if (isItem) {
      item = {};
      motion.directory!.push(item);
    }
    for (const a of Object.values(tag.attributes)) if (a.uri.startsWith(GOOGLE_PHOTOS_NS)) setProperty(a.local, a.value);
    stack.push({ google, local: tag.local, text: '', children: 0, isItem });
  });
  parser.on('text', (t) => {
    const top = stack[stack.length - 1];
    if (top?.google) top.text += t;
  });
  parser.on('closetag', () => {
    const el = stack.pop();
    if (!el) return;
    if (el.google && el.children === 0 && el.text.trim() !== '') setProperty(el.local, el.text);
    if (el.isItem) item = undefined;
    if (stack.length === seqDepth) seqDepth = -1;
    if (stack.length === directoryDepth) directoryDepth = -2;
  });
  parser.on('error', (err) => {
    throw err;
  });
  try {
    parser.write(text).close();
  } catch (err) {
    if (refusal) return { ok: false, reason: refusal };
    return { ok: false, reason: `its XMP packet is not well-formed XML (${err instanceof Error ? err.message.replace(/\.$/, '') : String(err)})` };
  }
  return { ok: true, motion };
}
