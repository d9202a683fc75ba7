/**
 * The one table of the XMP properties vss reads from and writes back to sidecar files: every fact
 * about a property in one row (namespace URI, name, shape, the prefix a new declaration gets, the
 * separator of a hierarchical path). The reader and the writer both derive from it, so they can
 * never disagree on what vss owns.
 *
 * Namespaces are matched by URI, never by prefix: a writer may bind any prefix to them.
 */

export const RDF_NS = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
export const XMPMETA_NS = 'adobe:ns:meta/';
export const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

export const XMP_PROPERTIES = {
  /** -1 rejected (Lightroom, darktable), 0 unrated, 1–5 stars. */
  rating: { ns: 'http://ns.adobe.com/xap/1.0/', local: 'Rating', prefix: 'xmp', shape: 'scalar' },
  /** A colour label's name as Lightroom and Bridge write it ("Red", "Yellow", …, or the user's own text). */
  label: { ns: 'http://ns.adobe.com/xap/1.0/', local: 'Label', prefix: 'xmp', shape: 'scalar' },
  /** Flat keywords: an unordered array. */
  subject: { ns: 'http://purl.org/dc/elements/1.1/', local: 'subject', prefix: 'dc', shape: 'array', container: 'Bag' },
  /** Lightroom's hierarchical keywords ("Places|Croatia|Dubrovnik"); darktable reads and writes these too. */
  lrHierarchy: {
    ns: 'http://ns.adobe.com/lightroom/1.0/', local: 'hierarchicalSubject', prefix: 'lr', shape: 'array', container: 'Bag', separator: '|',
  },
  /** digiKam's own tag paths ("Places/Croatia/Dubrovnik"), read by digiKam before any other keyword property. */
  digikamTags: {
    ns: 'http://www.digikam.org/ns/1.0/', local: 'TagsList', prefix: 'digiKam', shape: 'array', container: 'Seq', separator: '/',
  },
} as const satisfies Record<string, XmpProperty>;

export interface XmpProperty {
  ns: string;
  local: string;
  /** The prefix a declaration added by vss gets (the one every tool writes). */
  prefix: string;
  /** scalar: one text value; array: an rdf:Bag or rdf:Seq of text items. */
  shape: 'scalar' | 'array';
  /** The container vss writes an array in (as the property's own tool writes it). */
  container?: 'Bag' | 'Seq';
  /** For a hierarchical keyword property: what separates the path's parts in one item. */
  separator?: string;
}

export type XmpPropertyKey = keyof typeof XMP_PROPERTIES;
export const XMP_PROPERTY_KEYS = Object.keys(XMP_PROPERTIES) as XmpPropertyKey[];

/** The owned property an element or attribute (namespace URI and local name) is, if any. */
export function ownedProperty(ns: string, local: string): XmpPropertyKey | undefined {
  for (const key of XMP_PROPERTY_KEYS) {
    const p = XMP_PROPERTIES[key];
    if (p.ns === ns && p.local === local) return key;
  }
  return undefined;
}
