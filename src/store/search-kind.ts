// A search row's content kind: this device's content's, else a paired device's (null: neither has it now).

/**
 * A content some still here has as its Live Photo movie (`live_photo_video/original`, a reference
 * to the movie's own entry): a part of that photo, not a second result (issue 45).
 */
export const LIVE_MOVIE = (uuid: string) => `EXISTS (SELECT 1 FROM content_identities lc JOIN entries le ON le.content_id = lc.id
  JOIN sidecars ls ON ls.source_entry_id = le.id WHERE lc.uuid = ${uuid} AND ls.kind = 'live_photo_video' AND ls.status = 'ready')`;

/** A content's kind, or null: gone from the library, or a Live Photo's movie (LIVE_MOVIE) — every list of results leaves a null out. */
export const KIND_OF = `CASE WHEN ${LIVE_MOVIE('d.content_uuid')} THEN NULL
  ELSE coalesce((SELECT kind FROM content_identities WHERE uuid = d.content_uuid), (SELECT kind FROM peer_contents WHERE content_uuid = d.content_uuid LIMIT 1)) END`;
