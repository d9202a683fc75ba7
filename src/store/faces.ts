import type { Db } from '../db/connection.js';
import { statementCache, type Prepared, idsStarting } from './statements.js';

/** A `faces` row as the follower writes it (migration 029). */
export interface FaceRecord {
  face_id: string;
  content_uuid: string;
  idx: number;
  x: number;
  y: number;
  w: number;
  h: number;
  score: number;
  clusterable: 0 | 1;
  quality: string | null;
  /** 128 float32s. */
  descriptor: Buffer;
  person_id: string | null;
}

/** What the people pass reads of every face. */
export type ClusterFace = Pick<FaceRecord, 'face_id' | 'clusterable' | 'descriptor' | 'person_id'>;

/** A person as the faces say: how many faces and contents are theirs now. */
export interface PersonCount {
  person_id: string;
  faces: number;
  contents: number;
}

/** How many times who is in which photo may have changed in this process (the grid's person slices are versioned by it). */
let personVersion = 0;
export function facesPersonVersion(): number {
  return personVersion;
}

/**
 * The `faces` table: the faces read out of the faces sidecars here (derived, local), who each is
 * now (`person_id`, written by the people pass), and the queue of contents to read again.
 */
export class FaceStore {
  private readonly sql: Prepared;

  constructor(private readonly db: Db) {
    this.sql = statementCache(db);
  }

  /** Put FACES in place of what CONTENTUUID had (none: its sidecar went), and take it off the queue. */
  replaceContent(contentUuid: string, faces: ReadonlyArray<Omit<FaceRecord, 'person_id'>>): void {
    this.db.transaction(() => {
      const keep = new Map(this.sql<[string], { face_id: string; person_id: string | null }>('SELECT face_id, person_id FROM faces WHERE content_uuid = ?').all(contentUuid).map((r) => [r.face_id, r.person_id]));
      this.sql<[string]>('DELETE FROM faces WHERE content_uuid = ?').run(contentUuid);
      const ins = this.sql<[string, string, number, number, number, number, number, number, number, string | null, Buffer, string | null]>(
        'INSERT INTO faces (face_id, content_uuid, idx, x, y, w, h, score, clusterable, quality, descriptor, person_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      );
      // Who a face was stays until the next pass says otherwise: a search between the two still finds it.
      personVersion++;
      for (const f of faces) ins.run(f.face_id, contentUuid, f.idx, f.x, f.y, f.w, f.h, f.score, f.clusterable, f.quality, f.descriptor, keep.get(f.face_id) ?? null);
      this.sql<[string]>('DELETE FROM faces_pending WHERE content_uuid = ?').run(contentUuid);
    })();
  }

  takePending(n: number): string[] {
    return this.sql<[number], string>('SELECT content_uuid FROM faces_pending LIMIT ?').pluck().all(n);
  }

  dropPending(contentUuid: string): void {
    this.sql<[string]>('DELETE FROM faces_pending WHERE content_uuid = ?').run(contentUuid);
  }

  hasPending(): boolean {
    return this.sql<[], number>('SELECT EXISTS (SELECT 1 FROM faces_pending)').pluck().get() === 1;
  }

  /** Queue every content with a ready faces sidecar, and every content with faces (a rebuild). */
  queueAll(): void {
    this.sql(`INSERT OR IGNORE INTO faces_pending SELECT content_uuid FROM sidecars WHERE kind = 'faces' AND variant = 'default' AND status = 'ready'`).run();
    this.sql('INSERT OR IGNORE INTO faces_pending SELECT DISTINCT content_uuid FROM faces').run();
  }

  /** Whether the people pass has something new to look at; `take` clears the mark in the same breath. */
  isDirty(): boolean {
    return this.sql<[], number>('SELECT EXISTS (SELECT 1 FROM people_dirty)').pluck().get() === 1;
  }

  markDirty(): void {
    this.sql('INSERT OR IGNORE INTO people_dirty VALUES (1)').run();
  }

  clearDirty(): void {
    this.sql('DELETE FROM people_dirty').run();
  }

  /** Every face, in id order (the pass's input). */
  allForClustering(): ClusterFace[] {
    return this.sql<[], ClusterFace>('SELECT face_id, clusterable, descriptor, person_id FROM faces ORDER BY face_id').all();
  }

  /** Set who each face is (only the rows that change are written). */
  setPersons(changes: ReadonlyArray<{ face_id: string; person_id: string | null }>): void {
    if (changes.length > 0) personVersion++;
    const up = this.sql<[string | null, string]>('UPDATE faces SET person_id = ? WHERE face_id = ?');
    this.db.transaction(() => {
      for (const c of changes) up.run(c.person_id, c.face_id);
    })();
  }

  /** The first few face ids starting with START (a short id as a list shows it), in order. */
  idsStarting(start: string): string[] {
    return idsStarting(this.sql, 'faces', 'face_id', start);
  }

  get(faceId: string): FaceRecord | undefined {
    return this.sql<[string], FaceRecord>('SELECT * FROM faces WHERE face_id = ?').get(faceId);
  }

  ofContent(contentUuid: string): FaceRecord[] {
    return this.sql<[string], FaceRecord>('SELECT * FROM faces WHERE content_uuid = ? ORDER BY idx').all(contentUuid);
  }

  ofPerson(personId: string): FaceRecord[] {
    return this.sql<[string], FaceRecord>('SELECT * FROM faces WHERE person_id = ? ORDER BY content_uuid, idx').all(personId);
  }

  /** The lowest face id of PERSONID's clusterable faces: the face an automatic person's id is derived from. */
  lowestFaceOf(personId: string): string | undefined {
    return this.sql<[string], string>('SELECT min(face_id) FROM faces WHERE person_id = ? AND clusterable = 1').pluck().get(personId) ?? undefined;
  }

  /** Whether some face is PERSONID's now. */
  hasPerson(personId: string): boolean {
    return this.sql<[string], number>('SELECT EXISTS (SELECT 1 FROM faces WHERE person_id = ?)').pluck().get(personId) === 1;
  }

  /** The face to show for PERSONID: the clearest of theirs (clusterable first, then by score). */
  coverOf(personId: string): FaceRecord | undefined {
    return this.sql<[string], FaceRecord>('SELECT * FROM faces WHERE person_id = ? ORDER BY clusterable DESC, score DESC, w * h DESC, face_id LIMIT 1').get(personId);
  }

  /** Every face of FROM is INTO's now (a merge, before the next pass agrees). */
  movePerson(from: string, into: string): void {
    personVersion++;
    this.sql<[string, string]>('UPDATE faces SET person_id = ? WHERE person_id = ?').run(into, from);
  }

  /** How many faces and contents PERSONID has now. */
  countsOf(personId: string): { faces: number; contents: number } {
    return this.sql<[string], { faces: number; contents: number }>('SELECT count(*) AS faces, count(DISTINCT content_uuid) AS contents FROM faces WHERE person_id = ?').get(personId)!;
  }

  /** Every person some face is now, with their counts. */
  personCounts(): PersonCount[] {
    return this.sql<[], PersonCount>(
      'SELECT person_id, count(*) AS faces, count(DISTINCT content_uuid) AS contents FROM faces WHERE person_id IS NOT NULL GROUP BY person_id',
    ).all();
  }

  /** The contents one of PERSONIDS is in, by uuid after AFTER (`person:` search with no words). */
  contentsOfAny(personIds: readonly string[], limit: number, after = ''): string[] {
    return this.sql<[string, string, number], string>(
      `SELECT DISTINCT content_uuid FROM faces WHERE person_id IN (SELECT value FROM json_each(?)) AND content_uuid > ? ORDER BY content_uuid LIMIT ?`,
    ).pluck().all(JSON.stringify(personIds), after, limit);
  }

  /**
   * The faces that are nobody yet (in one photo only, below the quality floor, or put with
   * nobody): how many, in how many contents, and the clearest LIMIT of them to show.
   */
  unsorted(limit: number): { faces: number; contents: number; sample: FaceRecord[] } {
    const c = this.sql<[], { faces: number; contents: number }>('SELECT count(*) AS faces, count(DISTINCT content_uuid) AS contents FROM faces WHERE person_id IS NULL').get()!;
    const sample = c.faces === 0 ? [] : this.sql<[number], FaceRecord>('SELECT * FROM faces WHERE person_id IS NULL ORDER BY clusterable DESC, score DESC, face_id LIMIT ?').all(limit);
    return { ...c, sample };
  }

  count(): number {
    return this.sql<[], number>('SELECT count(*) FROM faces').pluck().get()!;
  }
}
