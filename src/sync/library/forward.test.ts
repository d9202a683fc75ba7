import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Installation } from '../../library/installation.js';
import type { Library } from '../../library/library.js';
import { addLocation, scanLocation } from '../../locations/locations.js';
import '../net/polyfill.js';
import { loopStreams } from '../../../test/safety/loop-stream.js';
import { seedOwnerRows } from '../../../test/support/owner-rows.js';
import { tempDir } from '../../../test/helpers.js';
import { pullFeed } from '../feeds/engine.js';
import { serveFeeds } from '../feeds/registry.js';
import type { RemoteDevice } from '../peer-link.js';
import { librarySink, pullLibrary, type LibraryPullResult } from './exchange.js';
import { PeerLibrary } from './peer-library.js';
import { rowSignerOf } from '../net/device-key.js';

/*
 * A member's rows passed on by another (issue 46 item 2, DESIGN §15 "Trust"): A's rows reach C
 * through B, as A signed them; C takes nothing B changed, and what C holds is what A has.
 */

interface Dev {
  lib: Library;
  dataDir: string;
  remote: RemoteDevice;
}

function devices(root: string, names: string[], libraryId?: string): Dev[] {
  let id = libraryId;
  return names.map((name) => {
    const dataDir = join(root, name, 'data');
    const vss = new Installation({ dataDir });
    let lib = vss.createLibrary('Shared', join(root, name));
    if (id === undefined) id = lib.config.id;
    else {
      const cfg = join(lib.root, 'library.json');
      lib.close();
      writeFileSync(cfg, JSON.stringify({ ...JSON.parse(readFileSync(cfg, 'utf8')), id }));
      lib = vss.openLibrary(lib.root);
    }
    const remote: RemoteDevice = { deviceUuid: lib.device.uuid, peerId: `peer-${name}`, name, libraryIds: [id], publicKey: lib.device.publicKey };
    return { lib, dataDir, remote };
  });
}

/** A stream to FROM's feed as ASKER opens it: FROM's own handler, signing with its key (SIGNED false: as an older vss, unsigned). */
function feedOf(from: Dev, asker: Dev, signed = true) {
  const [mine, theirs] = loopStreams();
  void serveFeeds(theirs, asker.remote, (id) => (id === from.lib.config.id ? from.lib : undefined), signed ? { signer: rowSignerOf(from.dataDir) } : {}).catch(() => undefined);
  return mine;
}

/** ASKER pulls OWNER's own rows from it. */
function pullDirect(asker: Dev, owner: Dev, signed = true): Promise<LibraryPullResult> {
  return pullLibrary(feedOf(owner, asker, signed), new PeerLibrary(asker.lib), owner.remote, asker.lib.config.id);
}

/** ASKER pulls OWNER's rows as VIA holds them. */
function pullThrough(asker: Dev, owner: Dev, via: Dev) {
  return pullFeed(feedOf(via, asker), 'library', asker.lib.config.id, librarySink(new PeerLibrary(asker.lib), owner.remote, undefined, via.remote), via.remote, { owner: owner.remote.deviceUuid });
}

/** Everything LIB holds of OWNER's rows, as lines (locations, every entry with its content's facts). */
function rowsOf(lib: Library, owner: string): string[] {
  const out: string[] = [];
  for (const l of lib.store.peerLocations.ofDevice(owner)) out.push(`loc ${l.location_id} ${l.name} ${l.path} ${l.files}`);
  const folders = (lib.db.prepare('SELECT location_id, path, folder_id, seq FROM peer_folders WHERE device_uuid = ? ORDER BY location_id, path').all(owner) as Array<Record<string, unknown>>);
  for (const f of folders) out.push(`folder ${f.location_id} ${String(f.path)} ${f.folder_id} ${f.seq}`);
  const rows = lib.db.prepare(`SELECT e.location_id, e.dir_path, e.name, e.kind, e.size, e.mtime_ms, c.content_uuid, c.cas_id, c.mime, c.size AS csize, c.media_metadata
    FROM peer_entries e LEFT JOIN peer_contents c ON c.id = e.content_id WHERE e.device_uuid = ? ORDER BY e.location_id, e.dir_path, e.name`).all(owner) as Array<Record<string, unknown>>;
  for (const r of rows) out.push(Object.values(r).join(' '));
  return out;
}

function write(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

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
