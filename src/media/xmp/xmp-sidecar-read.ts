/**
 * What an XMP sidecar file says about a photo's rating, colour label and keywords, as digiKam,
 * darktable, Lightroom/Bridge and exiftool write them. Read by a real XML parser (saxes: strict,
 * namespace-aware, non-validating, streaming), the house style of xmp-motion.ts.
 *
 * What counts: the properties of XMP_PROPERTIES on the top-level rdf:Description blocks (any number
 * of them, as exiftool writes one per namespace) of the root x:xmpmeta/rdf:RDF, or of a root
 * rdf:RDF; written as attributes of rdf:Description or as elements (an array as rdf:Bag/Seq/Alt
 * items, or, tolerated, a single text value). Everything else (darktable:history, crs:*, xmpMM:*,
 * unknown namespaces) is skipped unread.
 *
 * Hostile files: the text is bounded before parsing (MAX_XMP_SIDECAR_BYTES); a DOCTYPE is refused
 * at once (no tool writes one, and entities are where billion-laughs and external-entity attacks
 * live; saxes never expands them anyway); nesting is bounded (MAX_XMP_DEPTH); so is the number of
 * keyword items. A refusal is a value with a reason, never a throw, and parsing is linear in the
 * text, so nothing hangs.
 */
import { createRequire } from 'node:module';
import type { SaxesTagNS } from 'saxes';
import { RDF_NS, XMPMETA_NS, XMP_PROPERTIES, XMP_PROPERTY_KEYS, ownedProperty, type XmpPropertyKey } from './xmp-properties.js';

const require = createRequire(import.meta.url);
let saxesLoaded: typeof import('saxes') | undefined;
/** saxes, loaded with the first packet read: every daemon reaches this module and most read none. */
const saxes = (): typeof import('saxes') => (saxesLoaded ??= require('saxes') as typeof import('saxes'));

/**
 * 8 MiB. Real sidecars are small: digiKam and exiftool write a few KiB, darktable tens of KiB with
 * a long history, Lightroom hundreds of KiB at most with many brushed local corrections. The bound
 * keeps a 100 MB file (or a runaway writer's) from being parsed at all, and keeps the DOM the writer
 * builds (about 10× the text) within a few tens of MiB. Callers reading a file should check its size
 * against this before reading it.
 */
export const MAX_XMP_SIDECAR_BYTES = 8 * 1024 * 1024;
/** Real XMP nests about 10 levels (x:xmpmeta/rdf:RDF/rdf:Description/property/rdf:Seq/rdf:li/struct…). */
export const MAX_XMP_DEPTH = 64;
/** Keyword items of all the keyword properties together; real photos carry tens. */
export const MAX_XMP_KEYWORD_ITEMS = 10_000;
/** At most this many notes about values that were skipped. */
const MAX_IGNORED_NOTES = 20;

export interface XmpRating {
  /** The number as written. */
  value: number;
  /** An integer from -1 (rejected) to 5: what Lightroom, darktable and digiKam write. */
  inRange: boolean;
}

export interface XmpSidecarMeta {
  /** xmp:Rating, when present and a number. */
  rating?: XmpRating;
  /** xmp:Label as written ("Red", "Yellow", "Green", "Blue", "Purple" or the user's text), trimmed. */
  label?: string;
  /** dc:subject items, trimmed, deduplicated, in file order. */
  keywords: string[];
  /**
   * Paths from lr:hierarchicalSubject (split at '|') and digiKam:TagsList (split at '/'), parts
   * trimmed, empty parts dropped, deduplicated, in file order. A digiKam path and a Lightroom path
   * that read the same joined with '/' are one path, and Lightroom's split wins (a part may contain
   * a '/' there: "Music|AC/DC").
   */
  hierarchical: string[][];
  /**
   * darktable's own tags (darktable|format|cr2, darktable|changed, …), kept out of HIERARCHICAL, and
   * out of KEYWORDS with the parts darktable spells them in (darktable, format, cr2). They are its
   * bookkeeping, not the user's keywords; the writer keeps them in the file.
   */
  bookkeeping: string[][];
  /** Values that were present but skipped (a rating that is not a number, a structured item), for a log line. */
  ignored: string[];
}

/** META: what the file says as vss uses it; RAW: its owned properties' items as written (what a three-way merge keeps as its base). */
export type XmpRead = { ok: true; meta: XmpSidecarMeta; raw: XmpRawValues } | { ok: false; reason: string };

/** Every owned property's values in file order, before any interpretation: what the writer compares against. */
export type XmpRawValues = Record<XmpPropertyKey, string[]>;

/** One item of a hierarchical keyword property, in file order across both properties. */
export interface XmpPathItem {
  key: 'lrHierarchy' | 'digikamTags';
  text: string;
}

export type XmpRawRead =
  | { ok: true; raw: XmpRawValues; paths: XmpPathItem[]; ignored: string[] }
  | { ok: false; reason: string };

/**
 * What an XMP sidecar's text says, or why it was not read (a reason to follow "XMP sidecar X not
 * read: "). Never throws for bad input.
 */
export function readXmpSidecar(text: string): XmpRead {
  const read = readXmpRaw(text);
  if (!read.ok) return read;
  return { ok: true, meta: interpret(read.raw, read.paths, read.ignored), raw: read.raw };
}

/**
 * What RAW says as readXmpSidecar interprets a file (a base kept of a file's items, read again):
 * the same keywords and paths, Lightroom's paths taken before digiKam's.
 */
export function interpretXmpRaw(raw: XmpRawValues): XmpSidecarMeta {
  const paths: XmpPathItem[] = [
    ...raw.lrHierarchy.map((text) => ({ key: 'lrHierarchy' as const, text })),
    ...raw.digikamTags.map((text) => ({ key: 'digikamTags' as const, text })),
  ];
  return interpret(raw, paths, []);
}

/** The owned properties' raw values (trimmed text, in file order), or why the text was refused. */
export function readXmpRaw(text: string): XmpRawRead {
  if (text.length > MAX_XMP_SIDECAR_BYTES) {
    return { ok: false, reason: `${mib(text.length)} long, over the ${mib(MAX_XMP_SIDECAR_BYTES)} an XMP sidecar may be` };
  }
  const raw = emptyRaw();
  const paths: XmpPathItem[] = [];
  const ignored: string[] = [];
  const note = (what: string) => {
    if (ignored.length < MAX_IGNORED_NOTES) ignored.push(what);
  };
  let items = 0;
  const add = (key: XmpPropertyKey, value: string) => {
    const v = value.trim();
    if (v === '') return;
    if (XMP_PROPERTIES[key].shape === 'array' && ++items > MAX_XMP_KEYWORD_ITEMS) {
      throw new Refusal(`more than ${MAX_XMP_KEYWORD_ITEMS} keyword items`);
    }
    raw[key].push(v);
    if (key === 'lrHierarchy' || key === 'digikamTags') paths.push({ key, text: v });
  };

  const parser = new (saxes().SaxesParser)({ xmlns: true });
  let depth = 0;
  /** Depth of the rdf:RDF whose Descriptions count (1 at the root, 2 inside x:xmpmeta), once found. */
  let rdfDepth = -1;
  let rdfSeen = false;
  let inDescription = false;
  /** The owned property element being read, at depth rdfDepth + 2; IN_ARRAY once its rdf:Bag/Seq/Alt opened. */
  let prop: { key: XmpPropertyKey; text: string; children: number; inArray: boolean } | undefined;
  /** The rdf:li being read inside PROP's container. */
  let item: { text: string; children: number } | undefined;

  parser.on('doctype', () => {
    throw new Refusal('a DOCTYPE (entity declarations), which no photo tool writes');
  });
  parser.on('opentag', (tag: SaxesTagNS) => {
    depth++;
    if (depth > MAX_XMP_DEPTH) throw new Refusal(`elements nested deeper than ${MAX_XMP_DEPTH} levels`);
    if (depth === 1) {
      const isMeta = tag.uri === XMPMETA_NS && (tag.local === 'xmpmeta' || tag.local === 'xapmeta');
      const isRdf = tag.uri === RDF_NS && tag.local === 'RDF';
      if (!isMeta && !isRdf) throw new Refusal(`root element <${tag.name}>, not x:xmpmeta or rdf:RDF`);
      if (isRdf) {
        rdfDepth = 1;
        rdfSeen = true;
      }
      return;
    }
    if (rdfDepth < 0) {
      // The first rdf:RDF under x:xmpmeta only, as the writer picks it.
      if (!rdfSeen && depth === 2 && tag.uri === RDF_NS && tag.local === 'RDF') {
        rdfDepth = 2;
        rdfSeen = true;
      }
      return;
    }
    const rel = depth - rdfDepth;
    if (rel === 1) {
      inDescription = tag.uri === RDF_NS && tag.local === 'Description';
      if (!inDescription) return;
      for (const a of Object.values(tag.attributes)) {
        const key = ownedProperty(a.uri, a.local);
        if (key) add(key, a.value);
      }
    } else if (rel === 2) {
      const key = inDescription ? ownedProperty(tag.uri, tag.local) : undefined;
      if (key) prop = { key, text: '', children: 0, inArray: false };
    } else if (prop) {
      if (rel === 3) {
        prop.children++;
        prop.inArray = prop.children === 1 && tag.uri === RDF_NS && (tag.local === 'Bag' || tag.local === 'Seq' || tag.local === 'Alt');
        if (!prop.inArray) note(`${XMP_PROPERTIES[prop.key].local}: a structured value (<${tag.name}>) skipped`);
      } else if (rel === 4) {
        if (prop.inArray && tag.uri === RDF_NS && tag.local === 'li') item = { text: '', children: 0 };
      } else if (rel === 5 && item) item.children++;
    }
  });
  const onText = (t: string) => {
    if (item) item.text += t;
    else if (prop && depth - rdfDepth === 2) prop.text += t;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', () => {
    const rel = rdfDepth < 0 ? -1 : depth - rdfDepth;
    if (rel === 4 && item && prop) {
      if (item.children === 0) add(prop.key, item.text);
      else note(`${XMP_PROPERTIES[prop.key].local}: a structured item skipped`);
      item = undefined;
    } else if (rel === 2 && prop) {
      if (prop.children === 0) add(prop.key, prop.text);
      prop = undefined;
    } else if (rel === 1) inDescription = false;
    if (depth === rdfDepth) rdfDepth = -1;
    depth--;
  });
  parser.on('error', (err) => {
    throw err;
  });
  try {
    parser.write(text).close();
  } catch (err) {
    if (err instanceof Refusal) return { ok: false, reason: err.message };
    const detail = err instanceof Error ? err.message.replace(/\.$/, '') : String(err);
    return { ok: false, reason: `not well-formed XML (${detail})` };
  }
  return { ok: true, raw, paths, ignored };
}

/** The owned properties' values as vss uses them. */
function interpret(raw: XmpRawValues, paths: readonly XmpPathItem[], ignored: string[]): XmpSidecarMeta {
  const book = bookkeepingItems(raw);
  const bookSubject = new Set(book.subject);
  const userPaths = paths.filter((p) => !isBookkeepingPath(splitPath(p.text, XMP_PROPERTIES[p.key].separator)));
  const meta: XmpSidecarMeta = {
    keywords: unique(raw.subject.filter((k) => !bookSubject.has(k))),
    hierarchical: mergePaths(userPaths),
    bookkeeping: mergePaths(paths.filter((p) => !userPaths.includes(p))),
    ignored,
  };
  const rating = raw.rating[0];
  if (rating !== undefined) {
    const value = /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(rating) ? Number(rating) : NaN;
    if (Number.isFinite(value)) meta.rating = { value, inRange: Number.isInteger(value) && value >= -1 && value <= 5 };
    else if (ignored.length < MAX_IGNORED_NOTES) ignored.push(`Rating: "${rating.slice(0, 40)}" is not a number`);
  }
  if (raw.label[0] !== undefined) meta.label = raw.label[0];
  return meta;
}

/** The root of darktable's own tag tree. */
const BOOKKEEPING_ROOT = 'darktable';

function isBookkeepingPath(parts: readonly string[]): boolean {
  return parts[0] === BOOKKEEPING_ROOT;
}

/**
 * The items of each keyword property that are darktable's bookkeeping: whole paths under
 * "darktable", and the flat keywords that are "darktable|…" or a part of such a path and of no
 * other path (old darktable wrote every part of every tag into dc:subject). The reader leaves them
 * out; the writer keeps them.
 */
export function bookkeepingItems(raw: XmpRawValues): { subject: string[]; lrHierarchy: string[]; digikamTags: string[] } {
  const bookParts = new Set<string>();
  const userParts = new Set<string>();
  const pathItems = (key: 'lrHierarchy' | 'digikamTags') =>
    raw[key].filter((text) => {
      const parts = splitPath(text, XMP_PROPERTIES[key].separator);
      const book = isBookkeepingPath(parts);
      for (const part of parts) (book ? bookParts : userParts).add(part);
      return book;
    });
  const lrHierarchy = pathItems('lrHierarchy');
  const digikamTags = pathItems('digikamTags');
  const subject = raw.subject.filter(
    (k) => k.startsWith(`${BOOKKEEPING_ROOT}|`) || (bookParts.has(k) && !userParts.has(k)),
  );
  return { subject, lrHierarchy, digikamTags };
}

/**
 * Lightroom's and digiKam's paths as one list in file order. Both usually hold the same paths; two
 * that read the same joined with '/' are one, split as Lightroom split it (its separator leaves a
 * '/' inside a part alone).
 */
function mergePaths(paths: readonly XmpPathItem[]): string[][] {
  const lrParts = new Map<string, string[]>();
  for (const p of paths) {
    if (p.key !== 'lrHierarchy') continue;
    const parts = splitPath(p.text, XMP_PROPERTIES.lrHierarchy.separator);
    const joined = parts.join('/');
    if (parts.length > 0 && !lrParts.has(joined)) lrParts.set(joined, parts);
  }
  const out: string[][] = [];
  const seen = new Set<string>();
  for (const p of paths) {
    const parts = splitPath(p.text, XMP_PROPERTIES[p.key].separator);
    const joined = parts.join('/');
    if (parts.length === 0 || seen.has(joined)) continue;
    seen.add(joined);
    out.push(lrParts.get(joined) ?? parts);
  }
  return out;
}

export function splitPath(text: string, separator: string): string[] {
  return text.split(separator).map((p) => p.trim()).filter((p) => p !== '');
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function emptyRaw(): XmpRawValues {
  const raw = {} as XmpRawValues;
  for (const key of XMP_PROPERTY_KEYS) raw[key] = [];
  return raw;
}

function mib(chars: number): string {
  const m = chars / (1024 * 1024);
  return `${m >= 10 ? m.toFixed(0) : m.toFixed(1)} MiB`;
}

/** A refusal raised from inside a parser callback, told apart from the parser's own errors. */
class Refusal extends Error {}
