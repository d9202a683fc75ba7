import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { addLocation, scanLocation } from '../../locations/locations.js';
import { seedOwnerRows } from '../../../test/support/owner-rows.js';
import { tempDir } from '../../../test/helpers.js';
import { feedOf, members as devices, pullDirect, pullThrough, rowsOf, writeText as write, type Member as Dev } from '../../../test/support/library-members.js';
import { pullLibrary } from './exchange.js';
import { PeerLibrary } from './peer-library.js';

/*
 * A member's rows passed on by another (issue 46 item 2, DESIGN §15 "Trust"): A's rows reach C
 * through B, as A signed them; C takes nothing B changed, and what C holds is what A has.
 */








describe('device-owned rows passed on between members, signed by their owner (issue 46 item 2)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let A: Dev, B: Dev, C: Dev, D: Dev;
  let tree: string;
  let locationId: number;

  before(async () => {
    tmp = tempDir('vss-forward-');
    [A, B, C, D] = devices(tmp.path, ['a', 'b', 'c', 'd']) as [Dev, Dev, Dev, Dev];
    tree = join(tmp.path, 'photos');
    write(join(tree, 'a.txt'), 'alpha');
    write(join(tree, '2024', 'trip', 'b.txt'), 'bravo');
    write(join(tree, '2024', 'c.txt'), 'charlie');
    write(join(tree, 'old', 'x', 'y.txt'), 'yankee');
    locationId = addLocation(A.lib, tree, { mode: 'content', name: 'Photos' }).id;
    await scanLocation(A.lib, locationId);
  });
  after(() => {
    for (const d of [A, B, C, D]) d.lib.close();
    tmp.cleanup();
  });

  it('B holds A\'s rows whole and signed once its pull ends, and says so in its head to others, never to A', async () => {
    await pullDirect(B, A);
    const a = A.remote.deviceUuid;
    const held = new PeerLibrary(B.lib).held(C.remote.deviceUuid);
    assert.deepEqual(held.map((h) => h.device), [a]);
    assert.deepEqual(new PeerLibrary(B.lib).held(a), []);
    const got = await pullDirect(C, B);
    assert.deepEqual(got.held.map((h) => h.device), [a]);
    assert.equal(got.held[0]!.seq, A.lib.store.entries.lastFolderSeq());
  });

  it('C takes A\'s rows through B: exactly what A\'s own pull gives', async () => {
    const got = await pullThrough(C, A, B);
    assert.equal(got.full, true);
    assert.ok(got.entries >= 8, `${got.entries} entries`);
    await pullDirect(D, A);
    assert.deepEqual(rowsOf(C.lib, A.remote.deviceUuid), rowsOf(D.lib, A.remote.deviceUuid));
    assert.ok(rowsOf(C.lib, A.remote.deviceUuid).some((l) => l.includes('trip b.txt file 5')));
  });

  it('a change on A reaches C through B as a delta: an added file, a removed folder, a renamed one', async () => {
    write(join(tree, '2024', 'trip', 'new.txt'), 'november');
    rmSync(join(tree, 'old'), { recursive: true });
    renameSync(join(tree, '2024', 'trip'), join(tree, '2024', 'voyage'));
    await scanLocation(A.lib, locationId);
    await pullDirect(B, A);
    const before = new PeerLibrary(C.lib).state(A.remote.deviceUuid)!.seq;
    const got = await pullThrough(C, A, B);
    assert.equal(got.full, false);
    assert.ok(got.toSeq > before);
    await pullDirect(D, A);
    assert.deepEqual(rowsOf(C.lib, A.remote.deviceUuid), rowsOf(D.lib, A.remote.deviceUuid));
    assert.ok(!rowsOf(C.lib, A.remote.deviceUuid).some((l) => l.includes('y.txt')));
    assert.ok(rowsOf(C.lib, A.remote.deviceUuid).some((l) => l.includes('2024/voyage new.txt')));
    assert.ok(!rowsOf(C.lib, A.remote.deviceUuid).some((l) => l.includes('trip')));
  });

  it('a row B changed, a file B left out or a head B changed is refused, and nothing of it is taken', async () => {
    const a = A.remote.deviceUuid;
    const kept = rowsOf(C.lib, a);
    // E is a member with nothing of A's: a full copy through B.
    const E = devices(join(tmp.path, 'e'), ['e'], A.lib.config.id)[0]!;
    try {
      const tamper = (sql: string, undo: string) => async (what: RegExp) => {
        B.lib.db.prepare(sql).run(a);
        try {
          await assert.rejects(pullThrough(E, A, B), what);
        } finally {
          B.lib.db.prepare(undo).run(a);
        }
        // The head was A's own (its locations are taken); not a folder or a row.
        assert.deepEqual(rowsOf(E.lib, a).filter((l) => !l.startsWith('loc ')), []);
        assert.deepEqual(rowsOf(C.lib, a), kept);
      };
      await tamper("UPDATE peer_entries SET size = size + 1 WHERE device_uuid = ? AND name = 'c.txt'", "UPDATE peer_entries SET size = size - 1 WHERE device_uuid = ? AND name = 'c.txt'")(/not as its owner signed it/);
      await tamper("UPDATE peer_contents SET mime = 'text/html' WHERE device_uuid = ? AND size = 7", "UPDATE peer_contents SET mime = 'text/plain' WHERE device_uuid = ? AND size = 7")(/not as its owner signed it/);
      await tamper("UPDATE peer_heads SET head = replace(head, 'Photos', 'Fotos') WHERE device_uuid = ?", "UPDATE peer_heads SET head = replace(head, 'Fotos', 'Photos') WHERE device_uuid = ?")(/did not sign/);
      // A folder left out: the owner's signature on its parent names it, and the rest of it is not there.
      const gone = B.lib.db.prepare("SELECT * FROM peer_entries WHERE device_uuid = ? AND name = 'new.txt'").get(a) as Record<string, unknown>;
      B.lib.db.prepare("DELETE FROM peer_entries WHERE device_uuid = ? AND name = 'new.txt'").run(a);
      await assert.rejects(pullThrough(E, A, B), /not as its owner signed it/);
      B.lib.db.prepare(`INSERT INTO peer_entries (${Object.keys(gone).join(', ')}) VALUES (${Object.keys(gone).map(() => '?').join(', ')})`).run(...Object.values(gone) as never[]);
      assert.deepEqual(rowsOf(E.lib, a).filter((l) => !l.startsWith('loc ')), []);
      // Untouched again: E takes the whole copy.
      await pullThrough(E, A, B);
      assert.deepEqual(rowsOf(E.lib, a), rowsOf(D.lib, a));
    } finally {
      E.lib.close();
    }
  });

  it('rows of an owner that does not sign (an older vss) are not passed on', async () => {
    const [o, m] = devices(join(tmp.path, 'old'), ['o', 'm']) as [Dev, Dev];
    try {
      seedOwnerRows(o.lib, 20, 10);
      await pullDirect(m, o, false);
      assert.deepEqual(new PeerLibrary(m.lib).held(C.remote.deviceUuid), []);
    } finally {
      o.lib.close();
      m.lib.close();
    }
  });

  it('a pull from the owner cut off inside a folder and resumed there still carries the whole folder\'s signature', async () => {
    const [o, m, n] = devices(join(tmp.path, 'cut'), ['o', 'm', 'n']) as [Dev, Dev, Dev];
    try {
      seedOwnerRows(o.lib, 5000, 2500);
      const cut = pullLibrary(feedOf(o, m), new PeerLibrary(m.lib), o.remote, m.lib.config.id, {
        // The first page taken (kept: a cut-off pull keeps whole pages), then the stream ends.
        onPage: (pages) => {
          if (pages >= 1) throw new Error('cut off');
        },
      });
      await assert.rejects(cut, /cut off/);
      const pending = new PeerLibrary(m.lib).state(o.remote.deviceUuid)!.pending!;
      assert.notEqual(pending.afterName, '', 'the cut fell inside a folder');
      const resumed = await pullDirect(m, o);
      assert.equal(resumed.resumed, true);
      await pullThrough(n, o, m);
      assert.deepEqual(rowsOf(n.lib, o.remote.deviceUuid), rowsOf(m.lib, o.remote.deviceUuid));
      assert.equal(rowsOf(n.lib, o.remote.deviceUuid).length, 1 + 3 + 5002);
    } finally {
      o.lib.close();
      m.lib.close();
      n.lib.close();
    }
  });

  it('a folder larger than a page comes through whole, its parts held until its signature is checked', async () => {
    const [o, m, n] = devices(join(tmp.path, 'big'), ['o', 'm', 'n']) as [Dev, Dev, Dev];
    try {
      seedOwnerRows(o.lib, 5000, 2500);
      const direct = await pullDirect(m, o);
      assert.ok(direct.pages >= 3, `${direct.pages} pages`);
      const through = await pullThrough(n, o, m);
      assert.equal(through.entries, direct.entries);
      assert.deepEqual(rowsOf(n.lib, o.remote.deviceUuid), rowsOf(m.lib, o.remote.deviceUuid));
    } finally {
      o.lib.close();
      m.lib.close();
      n.lib.close();
    }
  });
});
