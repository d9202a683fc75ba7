import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDatabase } from '../db/connection.js';
import { migrate } from '../db/migrations.js';
import { tempDir } from '../../test/helpers.js';
import { ContentKindCursor, SidecarRowCursor } from './reconcile-cursors.js';

describe('reconcile cursors', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());
  const path = join(tmp.path, 'db.sqlite');
  const db = openDatabase(path);
  migrate(db, path);
  after(() => db.close());
  // Seven contents, inserted out of order, with 1–3 rows each: pages of 2 split groups.
  const uuids = [5, 1, 6, 0, 3, 2, 4].map((i) => `${String(i).repeat(8)}-0000-5000-8000-000000000000`);
  const ins = db.prepare("INSERT INTO sidecars (uuid, content_uuid, kind, variant, format, rel_path, status, source, created_at, updated_at) VALUES (?, ?, 'thumb', ?, 'webp', 'r', 'pending', 'generated', 0, 0)");
  const insC = db.prepare("INSERT INTO content_identities (uuid, cas_id, cas_version, kind, mime, size, created_at) VALUES (?, ?, 1, ?, 'x/y', 1, 0)");
  uuids.forEach((u, n) => {
    for (const v of ['grid@2x', 'grid@1x', 'icon@1x'].slice(0, 1 + (n % 3))) ins.run(`${u}|${v}`, u, v);
    if (n % 2 === 0) insC.run(u, u, `kind-${u[0]}`);
  });
  const sorted = [...uuids].sort();

  it('yields every row once, grouped by content in uuid order, across page boundaries', () => {
    for (const pageSize of [1, 2, 3, 1000]) {
      const c = new SidecarRowCursor(db, pageSize);
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
    const c = new SidecarRowCursor(db, 2);
    let rows = 0;
    for (let u = c.peekContent(); u !== undefined; u = c.peekContent()) {
      const group = c.nextGroup();
      rows += group.length;
      // What reconcile does: record a row of the content it is on.
      db.prepare("INSERT OR IGNORE INTO sidecars (uuid, content_uuid, kind, variant, format, rel_path, status, source, created_at, updated_at) VALUES (?, ?, 'thumb', 'detail@2x', 'webp', 'r', 'ready', 'generated', 0, 0)")
        .run(`${u}|new`, u);
    }
    assert.equal(rows, 13);
    db.prepare("DELETE FROM sidecars WHERE variant = 'detail@2x'").run();
  });

  it('finds content kinds for ascending uuids, dense or sparse, and says when one is unknown', () => {
    for (const pageSize of [1, 2, 1000]) {
      const c = new ContentKindCursor(db, pageSize);
      for (const u of sorted) {
        const known = uuids.indexOf(u) % 2 === 0;
        assert.equal(c.kindOf(u), known ? `kind-${u[0]}` : undefined, `${u} page ${pageSize}`);
      }
      const sparse = new ContentKindCursor(db, pageSize);
      assert.equal(sparse.kindOf(sorted[6]!), `kind-6`);
      assert.equal(sparse.kindOf('ffffffff-0000-5000-8000-000000000000'), undefined);
      assert.equal(sparse.kindOf(sorted[0]!), undefined, 'asked out of order: seeks back, 0 is unknown');
      assert.equal(sparse.kindOf(sorted[3]!), 'kind-3');
    }
  });
});
