import { contentReader, type ContentFilter, type ContentListItem } from '../content/list-contents.js';
import { originalFile, type OriginalFileAnswer } from '../content/original-file.js';
import { streamKeyed } from '../core/paging.js';
import type { Library } from '../library/library.js';
import { pageKeyed, type Page, type PageRequest } from './pages.js';
import { CONTENT_KINDS } from '../content/kinds.js';
import { oneOf } from './checks.js';

export type { ContentFilter, ContentListItem, OriginalFileAnswer };

/** Unique contents and the paths of their copies on this device (`vss content list`). */
export class ContentApi {
  constructor(private readonly lib: Library) {}

  /** Every matching content, read a page at a time. */
  iterate(filter: ContentFilter = {}): Iterable<ContentListItem> {
    return streamKeyed(contentReader(this.lib, checked(filter)));
  }

  list(filter: ContentFilter & PageRequest = {}): Page<ContentListItem> {
    return pageKeyed(contentReader(this.lib, checked(filter)), filter);
  }

  /**
   * A copy of this content on this device to read (the daemon serves it): in a location added
   * here, through no symlink, unchanged since it was identified; else why there is none.
   */
  original(contentUuid: string): OriginalFileAnswer {
    return originalFile(this.lib, contentUuid);
  }
}

/** FILTER, when its kind is one of the content kinds. */
function checked<F extends ContentFilter>(filter: F): F {
  if (filter.kind !== undefined) oneOf(CONTENT_KINDS, filter.kind, 'kind');
  return filter;
}
