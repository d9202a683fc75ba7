import type { Library } from '../library/library.js';
import type { ContentRecord } from '../store/contents.js';
import { CAS_WHOLE } from './identity.js';

/**
 * The BLAKE3 (hex) of the whole of a content's bytes, where this library knows it: its cas id
 * when it was hashed whole, else one a verified read recorded; null for a sampled content never
 * read whole. What a copy of it must hash to before it counts as one.
 */
export function wholeBlake3Of(lib: Library, content: Pick<ContentRecord, 'id' | 'cas_id' | 'cas_version'>): string | null {
  return content.cas_version === CAS_WHOLE ? content.cas_id : (lib.store.contents.blake3Of(content.id) ?? null);
}
