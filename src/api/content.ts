import type { BucketOriginal } from '../content/bucket-original.js';
import { libraryContentReader } from '../browse/library-view.js';
import type { ContentKind } from '../content/kinds.js';
import { originalFile, type OriginalFileAnswer } from '../content/original-file.js';
import { streamTextKeyed } from '../core/paging.js';
import type { Library } from '../library/library.js';
import type { LibraryContentItem } from '../wire/library-view.js';
import { pageTextKeyed, type Page, type PageRequest } from './pages.js';
import { CONTENT_KINDS } from '../content/kinds.js';
import { oneOf } from './checks.js';

export type { OriginalFileAnswer };
export type ContentListItem = LibraryContentItem;

export interface ContentFilter {
  kind?: ContentKind;
  /** Only copies in this location of this device. */
  locationId?: number;
  /** Only one device's contents (its name or id, or 'local'); absent: the whole library, every device. */
  device?: string;
}

/**
 * Unique contents of the whole library (DESIGN §15), each with its copies on every device and the
 * paths of this device's (`vss content list`). ONLINE: the paired devices connected now.
 */
export class ContentApi {
  constructor(private readonly lib: Library, private readonly online: () => ReadonlySet<string> = () => new Set()) {}

  /** Every matching content, read a page at a time. */
  iterate(filter: ContentFilter = {}): Iterable<ContentListItem> {
    return streamTextKeyed(libraryContentReader(this.lib, checked(filter), this.online()));
  }

  list(filter: ContentFilter & PageRequest = {}): Page<ContentListItem> {
    return pageTextKeyed(libraryContentReader(this.lib, checked(filter), this.online()), filter);
  }

  /**
   * A copy of this content on this device to read (the daemon serves it): in a location added
   * here, through no symlink, unchanged since it was identified; else why there is none.
   */
  original(contentUuid: string): OriginalFileAnswer {
    return originalFile(this.lib, contentUuid);
  }

  /** A content no file here holds, as a bucket location of this device holds it (the daemon streams its ranges); undefined where none does. */
  async bucketOriginal(contentUuid: string): Promise<BucketOriginal | undefined> {
    const { bucketOriginal } = await import('../content/bucket-original.js');
    return bucketOriginal(this.lib, contentUuid);
  }
}

/** FILTER, when its kind is one of the content kinds. */
function checked<F extends ContentFilter>(filter: F): F {
  if (filter.kind !== undefined) oneOf(CONTENT_KINDS, filter.kind, 'kind');
  return filter;
}
