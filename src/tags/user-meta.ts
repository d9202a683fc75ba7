import { UsageError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import type { UserMetadataFields } from '../store/user-metadata.js';
import type { UserMetaView } from '../wire/tags.js';
import { SharedData } from './shared-data.js';
import { NOTE_MAX } from './shared-op.js';

export type { UserMetaView };

/** A content's favourite, hidden, rating and note, and the tags it carries (DESIGN §16): every copy shares them. */
export function showMeta(lib: Library, contentUuid: string): UserMetaView {
  const m = lib.store.userMetadata.get(contentUuid);
  const tags = lib.store.metadataTags.tagsOf(contentUuid)
    .map((t) => lib.store.tags.get(t))
    .filter((t) => t !== undefined && t.deleted === 0 && t.name_hlc !== '')
    .map((t) => t!.name)
    .sort((a, b) => a.localeCompare(b));
  return { content_uuid: contentUuid, favorite: m?.favorite === 1, hidden: m?.hidden === 1, rating: m?.rating ?? 0, note: m?.note ?? null, tags };
}

/**
 * Set FIELDS on each of CONTENTS, one operation each; the new state of each. Every field given is
 * stamped, even one that holds that value here already: the user chose it now, and that choice
 * must beat an older one another device made while this one did not know of it.
 */
export function setMeta(lib: Library, contents: readonly string[], fields: UserMetadataFields): UserMetaView[] {
  if (fields.rating !== undefined && (!Number.isInteger(fields.rating) || fields.rating < 0 || fields.rating > 5)) throw new UsageError('a rating is 0 to 5');
  if (fields.note != null && fields.note.length > NOTE_MAX) throw new UsageError(`a note is at most ${NOTE_MAX} characters`);
  const unique = [...new Set(contents)];
  const set: UserMetadataFields = {
    ...(fields.favorite !== undefined && { favorite: fields.favorite }),
    ...(fields.hidden !== undefined && { hidden: fields.hidden }),
    ...(fields.rating !== undefined && { rating: fields.rating }),
    ...(fields.note !== undefined && { note: fields.note === '' ? null : fields.note }),
  };
  if (Object.keys(set).length > 0) new SharedData(lib).commit(unique.map((c) => ({ record: 'meta' as const, id: c, set })));
  return unique.map((c) => showMeta(lib, c));
}
