import type { Db } from '../db/connection.js';
import { statementCache, type Prepared } from './statements.js';

/** A `library_keys` row (migration 049): a bucket key of the library, its secret (32 bytes) and when it was made. */
export interface LibraryKeyRecord {
  id: string;
  secret: Buffer;
  made_at: number;
  /** The stamp of the shared-data operation that made it (`bucket_key`): how a copy of the whole state carries it again. */
  hlc: string;
}

/** The library's bucket keys: one in practice (the first made is the library's), kept as rows so a key received from a member joins the others. Written only by the shared-data operation `bucket_key` (tags/shared-op.ts). */
export class LibraryKeyStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  /** K kept; one kept already under its id is left as it is (its secret is the same: the id is derived from it). */
  add(k: LibraryKeyRecord): void {
    this.sql<[string, Buffer, number, string]>('INSERT INTO library_keys (id, secret, made_at, hlc) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO NOTHING').run(k.id, k.secret, k.made_at, k.hlc);
  }

  byId(id: string): LibraryKeyRecord | undefined {
    return this.sql<[string], LibraryKeyRecord>('SELECT * FROM library_keys WHERE id = ?').get(id);
  }

  /** The library's key: the first made (ties: the lower id, so every device with the same rows picks the same). */
  first(): LibraryKeyRecord | undefined {
    return this.sql<[], LibraryKeyRecord>('SELECT * FROM library_keys ORDER BY made_at, id LIMIT 1').get();
  }

  all(): LibraryKeyRecord[] {
    return this.sql<[], LibraryKeyRecord>('SELECT * FROM library_keys ORDER BY made_at, id').all();
  }
}
