/**
 * The text of an XMP sidecar carrying vss's rating, label and keywords, written over the existing
 * file's DOM (@xmldom/xmldom) so that everything vss does not own stays: every other element,
 * attribute, comment, namespace declaration, the XML declaration and the <?xpacket?> wrapper.
 *
 * What changes, and how little:
 * - a file that already says what vss would write comes back unchanged, byte for byte (so writing
 *   twice gives the same text, and an export can skip unchanged files);
 * - otherwise only the owned properties whose values differ are touched, and in a keyword list only
 *   the items that differ: an item that goes is removed where it stands, a new one is added after
 *   the others, the rest stay as they are (another tool's one-level path, its own spelling); a
 *   scalar written as an
 *   attribute of rdf:Description (Exiv2's compact form: digiKam, darktable, Lightroom) keeps that
 *   form and place, only its value changes; an element is replaced where it stands; duplicates in
 *   other rdf:Description blocks are removed; a new property goes, as an element, into the
 *   Description that already uses its namespace (exiftool writes one per namespace), else the first;
 *   new elements copy the file's indentation;
 * - the DOM serializer rewrites what the DOM does not keep: each start tag's attributes go on one
 *   line, separated by one space, in double quotes (Exiv2 puts one per line; exiftool quotes with ');
 *   the values and their order are kept, character for character: line ends are not normalized
 *   (xmldom's default turns U+2028, U+0085 and a lone CR into LF, in every tool's values), and new
 *   lines use the file's own line end.
 * Hierarchical keywords go both into lr:hierarchicalSubject ('|', read by Lightroom and darktable)
 * and digiKam:TagsList ('/', what digiKam reads first). darktable's own tags (darktable|format|cr2,
 * see bookkeepingItems) are not vss's: they stay in the file, first.
 *
 * A file the reader refuses is never rewritten: writeXmpSidecar throws, so the caller cannot
 * replace a file it could not read. The text produced is read back before it is returned.
 */
import { DOMParser, XMLSerializer, type Attr, type Document, type Element, type Node } from '@xmldom/xmldom';
import { VssError } from '../../core/errors.js';
import { RDF_NS, XMLNS_NS, XMP_PROPERTIES, XMP_PROPERTY_KEYS, type XmpPropertyKey } from './xmp-properties.js';
import { bookkeepingItems, readXmpRaw, type XmpRawValues } from './xmp-sidecar-read.js';

export interface XmpSidecarWrite {
  /** undefined: left as the file has it; null: removed; a number: set (an integer from -1, rejected, to 5). */
  rating?: number | null;
  /** undefined: left as the file has it; null or '': removed; text: set (trimmed). */
  label?: string | null;
  /** dc:subject, trimmed, deduplicated; empty: removed. */
  keywords: string[];
  /**
   * Paths (['Places', 'Croatia', 'Dubrovnik']) for lr:hierarchicalSubject and digiKam:TagsList;
   * empty: both removed. A path with a part containing '|' goes to digiKam only, one with a part
   * containing '/' to Lightroom only; a part containing both cannot be written (a USAGE error).
   */
  hierarchical: string[][];
  /**
   * The exact items these keyword properties should end with, as the file spells them (vss's
   * export decides which of the file's items stay: xmpExportMeta); when given, they replace what
   * KEYWORDS and HIERARCHICAL make of that property.
   */
  items?: Partial<Record<KeywordKey, string[]>>;
}

type KeywordKey = 'subject' | 'lrHierarchy' | 'digikamTags';

/** A new sidecar: what exiftool, digiKam and darktable all read (the packet wrapper is optional for them). */
const NEW_SIDECAR = `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="vss">
 <rdf:RDF xmlns:rdf="${RDF_NS}">
  <rdf:Description rdf:about=""/>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>
`;

/** The owned properties' values the file should end with; undefined: left as they are. */
type Desired = Partial<Record<XmpPropertyKey, string[]>>;

/**
 * The XMP text to write: EXISTING (the sidecar's current text; undefined for a new file) with vss's
 * META. Throws VssError IO when EXISTING cannot be read (see readXmpSidecar), USAGE when META holds
 * a value XMP cannot carry.
 */
export function writeXmpSidecar(existing: string | undefined, meta: XmpSidecarWrite): string {
  let desired = desiredValues(meta);
  if (existing !== undefined) {
    const read = readXmpRaw(existing);
    if (!read.ok) throw new VssError('IO', `XMP sidecar not rewritten, it cannot be read: ${read.reason}`);
    desired = keepBookkeeping(desired, bookkeepingItems(read.raw));
    if (alreadySays(read.raw, desired)) return existing;
  }
  const text = existing ?? NEW_SIDECAR;
  const bom = text.startsWith('\uFEFF') ? '\uFEFF' : '';
  const doc = parse(bom ? text.slice(1) : text);
  const eol = /\r\n/.test(text) ? '\r\n' : '\n';
  const description = descriptions(doc, eol);
  for (const key of XMP_PROPERTY_KEYS) {
    const values = desired[key];
    if (values !== undefined) setProperty(doc, description, key, values, eol);
  }
  let out = new XMLSerializer().serializeToString(doc);
  // The DOM keeps no text after the last node.
  // (trimEnd, not /\s*$/: that regex is quadratic in a packet's padding.)
  out = bom + out.trimEnd() + text.slice(text.trimEnd().length);
  const check = readXmpRaw(out);
  if (!check.ok || !alreadySays(check.raw, desired)) {
    throw new VssError('IO', `XMP sidecar not rewritten: the text made does not read back as written (${check.ok ? 'values differ' : check.reason})`);
  }
  return out;
}

function desiredValues(meta: XmpSidecarWrite): Desired {
  const desired: Desired = {};
  if (meta.rating !== undefined) {
    const r = meta.rating;
    if (r !== null && !(Number.isInteger(r) && r >= -1 && r <= 5)) {
      throw new VssError('USAGE', `an XMP rating is an integer from -1 (rejected) to 5, not ${r}`);
    }
    desired.rating = r === null ? [] : [String(r)];
  }
  if (meta.label !== undefined) {
    const label = meta.label?.trim() ?? '';
    desired.label = label === '' ? [] : [label];
  }
  desired.subject = unique(meta.keywords.map((k) => k.trim()).filter((k) => k !== ''));
  const lr: string[] = [];
  const digikam: string[] = [];
  const seen = new Set<string>();
  for (const path of meta.hierarchical) {
    const parts = path.map((p) => p.trim()).filter((p) => p !== '');
    if (parts.length === 0) continue;
    const key = parts.join('/');
    if (seen.has(key)) continue;
    seen.add(key);
    const forLr = parts.every((p) => !p.includes('|'));
    const forDigikam = parts.every((p) => !p.includes('/'));
    if (!forLr && !forDigikam) {
      throw new VssError('USAGE', `the keyword path ${JSON.stringify(parts)} has a part with both '|' and '/', which neither Lightroom's nor digiKam's form can hold`);
    }
    if (forLr) lr.push(parts.join('|'));
    if (forDigikam) digikam.push(key);
  }
  desired.lrHierarchy = lr;
  desired.digikamTags = digikam;
  for (const [key, items] of Object.entries(meta.items ?? {}) as Array<[KeywordKey, string[]]>) {
    desired[key] = items.map((v) => v.trim()).filter((v) => v !== '');
  }
  return desired;
}

/** darktable's own tags stay first in each keyword property, as the file has them. */
function keepBookkeeping(desired: Desired, book: ReturnType<typeof bookkeepingItems>): Desired {
  const out = { ...desired };
  for (const key of ['subject', 'lrHierarchy', 'digikamTags'] as const) {
    const kept = book[key];
    if (kept.length > 0) out[key] = unique([...kept, ...(desired[key] ?? [])]);
  }
  return out;
}

/** Whether the file's values are the desired ones: a scalar as it is, a keyword list as the same items in any order. */
function alreadySays(raw: XmpRawValues, desired: Desired): boolean {
  return XMP_PROPERTY_KEYS.every((key) => {
    const want = desired[key];
    if (want === undefined) return true;
    return XMP_PROPERTIES[key].shape === 'array' ? sameItems(raw[key], want) : sameList(raw[key], want);
  });
}

function parse(text: string): Document {
  try {
    return new DOMParser({
      locator: false,
      onError: (level, message) => {
        if (level !== 'warning') throw new Error(message);
      },
      // Every character as the file has it: other tools' values are not vss's to change.
      normalizeLineEndings: (t: string) => t,
    }).parseFromString(text, 'text/xml');
  } catch (err) {
    throw new VssError('IO', `XMP sidecar not rewritten, the XML parser refused it: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/** The top-level rdf:Description blocks (the reader's rule), at least one: made when there is none. */
function descriptions(doc: Document, eol: string): Element[] {
  const root = doc.documentElement;
  if (!root) throw new VssError('IO', 'XMP sidecar not rewritten: it has no root element');
  let rdf = isRdf(root, 'RDF') ? root : childElements(root).find((el) => isRdf(el, 'RDF'));
  if (!rdf) {
    rdf = doc.createElementNS(RDF_NS, qualify(prefixFor(root, RDF_NS, 'rdf'), 'RDF'));
    appendChild(root, rdf, eol);
  }
  const found = childElements(rdf).filter((el) => isRdf(el, 'Description'));
  if (found.length > 0) return found;
  const description = doc.createElementNS(RDF_NS, qualify(prefixFor(rdf, RDF_NS, 'rdf'), 'Description'));
  description.setAttributeNS(RDF_NS, qualify(prefixFor(rdf, RDF_NS, 'rdf'), 'about'), '');
  appendChild(rdf, description, eol);
  return [description];
}

type Occurrence = { description: Element; attr: Attr } | { description: Element; element: Element };

/** Makes KEY read VALUES (none: absent) in the file, touching as little as it can. */
function setProperty(doc: Document, all: readonly Element[], key: XmpPropertyKey, values: readonly string[], eol: string): void {
  const p = XMP_PROPERTIES[key];
  const found: Occurrence[] = [];
  for (const description of all) {
    const attr = description.getAttributeNodeNS(p.ns, p.local);
    if (attr) found.push({ description, attr });
    for (const element of childElements(description)) {
      if (element.namespaceURI === p.ns && element.localName === p.local) found.push({ description, element });
    }
  }
  const [first, ...rest] = found;
  if (first && rest.length === 0 && 'element' in first && p.shape === 'array' && values.length > 0 && editItems(doc, first.element, values, eol)) return;
  for (const o of rest) remove(o);
  if (values.length === 0) {
    if (first) remove(first);
    return;
  }
  if (first && 'attr' in first && p.shape === 'scalar') {
    first.attr.value = values[0]!;
    return;
  }
  if (first && 'element' in first) {
    first.description.replaceChild(propertyElement(doc, first.description, key, values, eol), first.element);
    return;
  }
  // No element yet (or an array tolerated as a single attribute): a new element.
  if (first) remove(first);
  const host = first?.description ?? all.find((d) => usesNamespace(d, p.ns)) ?? all[0]!;
  appendChild(host, propertyElement(doc, host, key, values, eol), eol);
}

/**
 * Makes the array ELEMENT (one rdf:Bag/Seq/Alt of items) hold VALUES by removing the items that are
 * not among them and adding the missing ones after the rest: an item that stays is not touched.
 * False when ELEMENT has another shape (the caller writes it anew).
 */
function editItems(doc: Document, element: Element, values: readonly string[], eol: string): boolean {
  const children = childElements(element);
  const container = children[0];
  if (children.length !== 1 || !container || container.namespaceURI !== RDF_NS || !['Bag', 'Seq', 'Alt'].includes(container.localName ?? '')) return false;
  const left = new Map<string, number>();
  for (const v of values) left.set(v, (left.get(v) ?? 0) + 1);
  for (const item of childElements(container)) {
    // Not an item the reader counts (a structure, an empty one): not vss's.
    if (!isRdf(item, 'li') || childElements(item).length > 0) continue;
    const text = (item.textContent ?? '').trim();
    if (text === '') continue;
    const n = left.get(text) ?? 0;
    if (n > 0) left.set(text, n - 1);
    else remove({ description: container, element: item });
  }
  const rdf = prefixFor(container, RDF_NS, 'rdf');
  for (const v of values) {
    const n = left.get(v) ?? 0;
    if (n === 0) continue;
    left.set(v, n - 1);
    const item = doc.createElementNS(RDF_NS, qualify(rdf, 'li'));
    item.appendChild(doc.createTextNode(v));
    appendChild(container, item, eol);
  }
  return true;
}

/** The element <prefix:Local>value</prefix:Local>, or with an rdf:Bag/Seq of items, indented as HOST's children are. */
function propertyElement(doc: Document, host: Element, key: XmpPropertyKey, values: readonly string[], eol: string): Element {
  const p = XMP_PROPERTIES[key];
  const element = doc.createElementNS(p.ns, qualify(prefixFor(host, p.ns, p.prefix), p.local));
  if (p.shape === 'scalar') {
    element.appendChild(doc.createTextNode(values[0]!));
    return element;
  }
  const rdf = prefixFor(host, RDF_NS, 'rdf');
  const { child, step } = layout(host);
  const line = (depth: number) => (child === null ? null : doc.createTextNode(`${eol}${child}${step.repeat(depth)}`));
  const container = doc.createElementNS(RDF_NS, qualify(rdf, p.container));
  for (const value of values) {
    const item = doc.createElementNS(RDF_NS, qualify(rdf, 'li'));
    item.appendChild(doc.createTextNode(value));
    appendNodes(container, line(2), item);
  }
  appendNodes(container, line(1));
  appendNodes(element, line(1), container, line(0));
  return element;
}

/**
 * How HOST's children are indented: CHILD, the indent of a child's line (null: the file puts no
 * line breaks between elements), and STEP, one more level.
 */
function layout(host: Element): { child: string | null; step: string } {
  const own = indentBefore(host);
  const parentIndent = host.parentNode ? indentBefore(host.parentNode) : undefined;
  const firstChild = childElements(host)[0];
  const existing = firstChild ? indentBefore(firstChild) : undefined;
  const deeper = (outer: string | undefined, inner: string | undefined) =>
    outer !== undefined && inner !== undefined && inner.length > outer.length && inner.startsWith(outer) ? inner.slice(outer.length) : undefined;
  const step = deeper(own, existing) ?? deeper(parentIndent, own) ?? ' ';
  if (existing !== undefined) return { child: existing, step };
  if (firstChild || own === undefined) return { child: null, step };
  return { child: own + step, step };
}

/** The whitespace that starts NODE's line, when a line break precedes it. */
function indentBefore(node: Node): string | undefined {
  const prev = node.previousSibling;
  if (!prev || prev.nodeType !== TEXT_NODE) return undefined;
  const text = prev.nodeValue ?? '';
  const nl = text.lastIndexOf('\n');
  if (nl < 0) return undefined;
  const indent = text.slice(nl + 1);
  return /^[ \t]*$/.test(indent) ? indent : undefined;
}

/** Adds CHILD as PARENT's last element, on its own line (ended with EOL) when the file uses lines. */
function appendChild(parent: Element, child: Element, eol: string): void {
  const { child: indent } = layout(parent);
  const last = parent.lastChild;
  const closing = last && last.nodeType === TEXT_NODE && /^\s*$/.test(last.nodeValue ?? '') ? last : null;
  const doc = parent.ownerDocument!;
  if (indent === null) {
    parent.insertBefore(child, closing);
    return;
  }
  parent.insertBefore(doc.createTextNode(`${eol}${indent}`), closing);
  parent.insertBefore(child, closing);
  if (!closing) parent.appendChild(doc.createTextNode(`${eol}${indentBefore(parent) ?? ''}`));
}

function remove(o: Occurrence): void {
  if ('attr' in o) {
    o.description.removeAttributeNode(o.attr);
    return;
  }
  const prev = o.element.previousSibling;
  if (prev && prev.nodeType === TEXT_NODE && /^\s*$/.test(prev.nodeValue ?? '')) o.description.removeChild(prev);
  o.description.removeChild(o.element);
}

/** The prefix bound to NS where EL stands ('' for the default namespace), declared on EL as PREFERRED (or PREFERRED1, …) when there is none. */
function prefixFor(el: Element, ns: string, preferred: string): string {
  const bound = el.lookupPrefix(ns);
  if (bound) return bound;
  if (el.lookupNamespaceURI(null) === ns) return '';
  let prefix = preferred;
  for (let n = 1; el.lookupNamespaceURI(prefix) !== null; n++) prefix = `${preferred}${n}`;
  el.setAttributeNS(XMLNS_NS, `xmlns:${prefix}`, ns);
  return prefix;
}

function qualify(prefix: string, local: string): string {
  return prefix === '' ? local : `${prefix}:${local}`;
}

/** Whether DESCRIPTION declares NS or has a property in it. */
function usesNamespace(description: Element, ns: string): boolean {
  for (const a of Array.from(description.attributes)) {
    if (a.namespaceURI === ns || (a.namespaceURI === XMLNS_NS && a.value === ns)) return true;
  }
  return childElements(description).some((el) => el.namespaceURI === ns);
}

function isRdf(el: Element, local: string): boolean {
  return el.namespaceURI === RDF_NS && el.localName === local;
}

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;

function childElements(parent: Node): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) if (n.nodeType === ELEMENT_NODE) out.push(n as Element);
  return out;
}

function appendNodes(parent: Element, ...nodes: Array<Node | null>): void {
  for (const n of nodes) if (n) parent.appendChild(n);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function sameItems(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && sameList([...a].sort(), [...b].sort());
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
