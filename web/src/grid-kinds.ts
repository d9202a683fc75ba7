/**
 * Which kinds of content the grid shows (issue 32: a photo-first grid). The address keeps the
 * choice (`kinds=`): absent, photos and videos; `all`, everything; else a list of content kinds,
 * as the grid API takes it. The content kinds are the daemon's one table (src/content/kinds.ts).
 */
import { CONTENT_KINDS } from '../../src/content/kinds.js';
import type { GridFilter } from './types.js';

const PHOTOS: readonly string[] = ['image', 'video'];
export const EVERYTHING = 'all';
/** Documents, audio and every other kind: what the photo grid leaves out. */
export const OTHER_KINDS = CONTENT_KINDS.filter((k) => !PHOTOS.includes(k)).join(',');

/** The choices offered, each with the route's value (undefined: the default). */
export const KIND_CHOICES: ReadonlyArray<{ label: string; kinds: string | undefined }> = [
  { label: 'Photos and videos', kinds: undefined },
  { label: 'Other files', kinds: OTHER_KINDS },
  { label: 'Everything', kinds: EVERYTHING },
];

/** The filter the grid API is asked with: the route's, with its kind choice made explicit. */
export function apiFilter(filter: GridFilter): GridFilter {
  const { kinds, ...rest } = filter;
  if (kinds === EVERYTHING) return rest;
  return { ...rest, kinds: kinds ?? PHOTOS.join(',') };
}

/** Whether the route's filter narrows anything but the kinds. */
export function narrowed(filter: GridFilter): boolean {
  return Object.keys(filter).some((k) => k !== 'kinds');
}
