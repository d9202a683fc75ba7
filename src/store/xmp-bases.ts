import type { Db } from '../db/connection.js';
import { statementCache, type Prepared } from './statements.js';

/** A property of an XMP sidecar as the table names it (migration 033): the keys of XMP_PROPERTIES. */
export type XmpBaseProperty = 'rating' | 'label' | 'subject' | 'lrHierarchy' | 'digikamTags';

/** One XMP file's base: each property's raw items when vss last read or wrote the file. */
export type XmpBase = Record<XmpBaseProperty, string[]>;

/** The file a base is of, and the content it was read for. */
export interface XmpBaseKey {
  location_id: number;
  rel_path: string;
  content_uuid: string;
}

const PROPERTIES: readonly XmpBaseProperty[] = ['rating', 'label', 'subject', 'lrHierarchy', 'digikamTags'];

/** The `xmp_bases` table: what an XMP sidecar said, per property, when vss last read or wrote it. */
export class XmpBaseStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  /** The base of KEY's file, or undefined where it has none for every property (never read or written since migration 033). */
  get(key: XmpBaseKey): XmpBase | undefined {
    const rows = this.sql<[number, string, string], { property: XmpBaseProperty; items: string }>(
      'SELECT property, items FROM xmp_bases WHERE location_id = ? AND rel_path = ? AND content_uuid = ?',
    ).all(key.location_id, key.rel_path, key.content_uuid);
    if (rows.length < PROPERTIES.length) return undefined;
    const base = {} as XmpBase;
    for (const r of rows) base[r.property] = JSON.parse(r.items) as string[];
    return base;
  }

  /** Record BASE as KEY's file's base, every property at once. */
  put(key: XmpBaseKey, base: XmpBase): void {
    const st = this.sql<[number, string, string, string, string]>(
      `INSERT INTO xmp_bases (location_id, rel_path, content_uuid, property, items) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(location_id, rel_path, content_uuid, property) DO UPDATE SET items = excluded.items`,
    );
    for (const p of PROPERTIES) st.run(key.location_id, key.rel_path, key.content_uuid, p, JSON.stringify(base[p]));
  }
}
