import { livePhotoFinder } from '../livephoto/link-live-photos.js';
import type { Finder } from '../sidecars/finder.js';
import type { FoundKind } from '../sidecars/kinds.js';
import { xmpFinder } from '../tags/xmp-import.js';

/**
 * The finder of every kind whose spec (`sidecars/kinds/`) says the indexer finds it beside the
 * originals: a kind with none, or a finder of another kind in its place, does not compile. A new
 * finder is one line here. In the order a deep scan runs them.
 */
export const FINDERS: { readonly [K in FoundKind]: Finder<K> } = {
  live_photo_video: livePhotoFinder,
  // Ratings and keywords other photo tools keep beside the originals become tags and metadata (DESIGN §16).
  xmp: xmpFinder,
};
