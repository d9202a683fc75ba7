import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDatabase } from '../db/connection.js';
import { migrate } from '../db/migrations.js';
import { Stores } from '../store/stores.js';
import type { SidecarWrite } from '../store/sidecars.js';
import type { ContentRecord } from '../store/contents.js';
import { tempDir } from '../../test/helpers.js';
import { ContentKindCursor, SidecarRowCursor } from './reconcile-cursors.js';

describe('reconcile cursors', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());
  const path = join(tmp.path, 'db.sqlite');
  const db = openDatabase(path);
  migrate(db, path);
  after(() => db.close());
  const store = new Stores(db, 'this-device');
  // Seven contents, inserted out of order, with 1–3 rows each: pages of 2 split groups.
  const uuids = [5, 1, 6, 0, 3, 2, 4].map((i) => `${String(i).repeat(8)}-0000-5000-8000-000000000000`);
  const row = (u: string, variant: string, status: SidecarWrite['status'] = 'pending'): SidecarWrite => ({
    uuid: `${u}|${variant}`, content_uuid: u, kind: 'thumb', variant, format: 'webp', rel_path: 'r', source_entry_id: null,
    size: status === 'ready' ? 1 : null, checksum: status === 'ready' ? 'ff' : null, status, source: 'generated', generator: null, error: null, attempts: null,
  });
  uuids.forEach((u, n) => {
    for (const v of ['grid@2x', 'grid@1x', 'icon@1x'].slice(0, 1 + (n % 3))) store.sidecars.upsert(row(u, v), 0);
    if (n % 2 === 0) store.contents.insert({ uuid: u, cas_id: u, cas_version: 1, kind: `kind-${u[0]}` as ContentRecord['kind'], mime: 'x/y', size: 1, media_metadata: null, created_at: 0 });
  });
  const sorted = [...uuids].sort();

  it('yields every row once, grouped by content in uuid order, across page boundaries', () => {
    for (const pageSize of [1, 2, 3, 1000]) {
      const c = new SidecarRowCursor(store.sidecars, pageSize);
      const seen: string[] = [];
      for (let u = c.peekContent(); u !== undefined; u = c.peekContent()) {
        const group = c.nextGroup();
        assert.ok(group.length > 0 && group.every((r) => r.content_uuid === u));
        assert.deepEqual(group.map((r) => r.variant), [...group.map((r) => r.variant)].sort(), 'variants in order');
        seen.push(u);
      }
      assert.deepEqual(seen, sorted, `page size ${pageSize}`);
      assert.deepEqual(c.nextGroup(), []);
    }
  });

  it('lets rows be written between pages without losing or repeating any', () => {
    const c = new SidecarRowCursor(store.sidecars, 2);
    let rows = 0;
    for (let u = c.peekContent(); u !== undefined; u = c.peekContent()) {
      const group = c.nextGroup();
      rows += group.length;
      // What reconcile does: record a row of the content it is on.
      store.sidecars.upsert(row(u, 'detail@2x', 'ready'), 0);
    }
    assert.equal(rows, 13);
    for (const u of uuids) store.sidecars.delete(u, 'thumb', 'detail@2x');
  });

  it('finds content kinds for ascending uuids, dense or sparse, and says when one is unknown', () => {
    for (const pageSize of [1, 2, 1000]) {
      const c = new ContentKindCursor(store.contents, pageSize);
      for (const u of sorted) {
        const known = uuids.indexOf(u) % 2 === 0;
        assert.equal(c.kindOf(u), known ? `kind-${u[0]}` : undefined, `${u} page ${pageSize}`);
      }
      const sparse = new ContentKindCursor(store.contents, pageSize);
      assert.equal(sparse.kindOf(sorted[6]!), `kind-6`);
      assert.equal(sparse.kindOf('ffffffff-0000-5000-8000-000000000000'), undefined);
      assert.equal(sparse.kindOf(sorted[0]!), undefined, 'asked out of order: seeks back, 0 is unknown');
      assert.equal(sparse.kindOf(sorted[3]!), 'kind-3');
    }
  });
});
