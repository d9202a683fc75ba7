import type { Db } from '../db/connection.js';
import { statementCache, type Prepared } from './statements.js';

/** A `user_metadata` row (DESIGN §16): one content's favourite, hidden, rating and note, each with its stamp. */
export interface UserMetadataRecord {
  content_uuid: string;
  favorite: 0 | 1;
  favorite_hlc: string;
  hidden: 0 | 1;
  hidden_hlc: string;
  rating: number;
  rating_hlc: string;
  note: string | null;
  note_hlc: string;
}

/** What one operation says of a content's metadata (a field it leaves out is not touched). */
export interface UserMetadataFields {
  favorite?: boolean;
  hidden?: boolean;
  rating?: number;
  note?: string | null;
}

/** The `user_metadata` table: shared data, merged field by field (the newer stamp wins, migration 017). */
export class UserMetadataStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  /** Merge what one operation stamped HLC says of CONTENTUUID. */
  apply(contentUuid: string, hlc: string, f: UserMetadataFields): void {
    const at = (present: boolean) => (present ? hlc : '');
    this.sql<[string, number, string, number, string, number, string, string | null, string]>(
      `INSERT INTO user_metadata (content_uuid, favorite, favorite_hlc, hidden, hidden_hlc, rating, rating_hlc, note, note_hlc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(content_uuid) DO UPDATE SET
         favorite = CASE WHEN excluded.favorite_hlc > user_metadata.favorite_hlc THEN excluded.favorite ELSE user_metadata.favorite END,
         favorite_hlc = max(user_metadata.favorite_hlc, excluded.favorite_hlc),
         hidden = CASE WHEN excluded.hidden_hlc > user_metadata.hidden_hlc THEN excluded.hidden ELSE user_metadata.hidden END,
         hidden_hlc = max(user_metadata.hidden_hlc, excluded.hidden_hlc),
         rating = CASE WHEN excluded.rating_hlc > user_metadata.rating_hlc THEN excluded.rating ELSE user_metadata.rating END,
         rating_hlc = max(user_metadata.rating_hlc, excluded.rating_hlc),
         note = CASE WHEN excluded.note_hlc > user_metadata.note_hlc THEN excluded.note ELSE user_metadata.note END,
         note_hlc = max(user_metadata.note_hlc, excluded.note_hlc)`,
    ).run(
      contentUuid, f.favorite ? 1 : 0, at(f.favorite !== undefined), f.hidden ? 1 : 0, at(f.hidden !== undefined),
      f.rating ?? 0, at(f.rating !== undefined), f.note ?? null, at(f.note !== undefined),
    );
  }

  get(contentUuid: string): UserMetadataRecord | undefined {
    return this.sql<[string], UserMetadataRecord>('SELECT * FROM user_metadata WHERE content_uuid = ?').get(contentUuid);
  }

  all(): UserMetadataRecord[] {
    return this.sql<[], UserMetadataRecord>('SELECT * FROM user_metadata ORDER BY content_uuid').all();
  }
}
