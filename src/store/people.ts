import type { Db } from '../db/connection.js';
import { statementCache, type Prepared } from './statements.js';

/** A `people` row (migration 029): each field with the stamp of the operation that set it ('' before any did). */
export interface PersonRecord {
  person_id: string;
  anchor: string;
  anchor_hlc: string;
  name: string | null;
  name_hlc: string;
  hidden: 0 | 1;
  hidden_hlc: string;
  merged_into: string | null;
  merged_hlc: string;
}

/** What one operation says of a person (a field it leaves out is not touched). */
export interface PersonFields {
  anchor?: string;
  name?: string | null;
  hidden?: boolean;
  merged_into?: string | null;
}

/** A `face_corrections` row: a face put with a person (`person` their id) or with nobody (''); null: back to the clustering. */
export interface FaceCorrectionRecord {
  face_id: string;
  person: string | null;
  hlc: string;
}

/**
 * The `people` and `face_corrections` tables: shared data, merged field by field (the newer stamp
 * wins), as tags are (store/tags.ts).
 */
export class PeopleStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  /** Merge what one operation stamped HLC says of person ID. */
  apply(id: string, hlc: string, f: PersonFields): void {
    const at = (present: boolean) => (present ? hlc : '');
    this.sql<[string, string, string, string | null, string, number, string, string | null, string]>(
      `INSERT INTO people (person_id, anchor, anchor_hlc, name, name_hlc, hidden, hidden_hlc, merged_into, merged_hlc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(person_id) DO UPDATE SET
         anchor = CASE WHEN excluded.anchor_hlc > people.anchor_hlc THEN excluded.anchor ELSE people.anchor END,
         anchor_hlc = max(people.anchor_hlc, excluded.anchor_hlc),
         name = CASE WHEN excluded.name_hlc > people.name_hlc THEN excluded.name ELSE people.name END,
         name_hlc = max(people.name_hlc, excluded.name_hlc),
         hidden = CASE WHEN excluded.hidden_hlc > people.hidden_hlc THEN excluded.hidden ELSE people.hidden END,
         hidden_hlc = max(people.hidden_hlc, excluded.hidden_hlc),
         merged_into = CASE WHEN excluded.merged_hlc > people.merged_hlc THEN excluded.merged_into ELSE people.merged_into END,
         merged_hlc = max(people.merged_hlc, excluded.merged_hlc)`,
    ).run(
      id, f.anchor ?? '', at(f.anchor !== undefined), f.name ?? null, at(f.name !== undefined),
      f.hidden ? 1 : 0, at(f.hidden !== undefined), f.merged_into ?? null, at(f.merged_into !== undefined),
    );
  }

  /** Merge a correction of face FACEID stamped HLC (the newer stamp wins). */
  applyCorrection(faceId: string, hlc: string, person: string | null): void {
    this.sql<[string, string | null, string]>(
      `INSERT INTO face_corrections (face_id, person, hlc) VALUES (?, ?, ?)
       ON CONFLICT(face_id) DO UPDATE SET person = excluded.person, hlc = excluded.hlc WHERE excluded.hlc > face_corrections.hlc`,
    ).run(faceId, person, hlc);
  }

  get(personId: string): PersonRecord | undefined {
    return this.sql<[string], PersonRecord>('SELECT * FROM people WHERE person_id = ?').get(personId);
  }

  all(): PersonRecord[] {
    return this.sql<[], PersonRecord>('SELECT * FROM people ORDER BY person_id').all();
  }

  /** Every person named NAME (any case), merged or not (people/names.ts keeps those who are still themselves). */
  named(name: string): PersonRecord[] {
    return this.sql<[string], PersonRecord>('SELECT * FROM people WHERE name = ? COLLATE NOCASE ORDER BY person_id').all(name);
  }

  corrections(): FaceCorrectionRecord[] {
    return this.sql<[], FaceCorrectionRecord>('SELECT * FROM face_corrections ORDER BY face_id').all();
  }

  correctionOf(faceId: string): FaceCorrectionRecord | undefined {
    return this.sql<[string], FaceCorrectionRecord>('SELECT * FROM face_corrections WHERE face_id = ?').get(faceId);
  }
}
