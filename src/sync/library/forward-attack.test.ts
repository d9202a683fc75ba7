import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Installation } from '../../library/installation.js';
import type { Library } from '../../library/library.js';
import { addLocation, scanLocation } from '../../locations/locations.js';
import '../net/polyfill.js';
import { loopStreams } from '../../../test/safety/loop-stream.js';
import { tempDir } from '../../../test/helpers.js';
import { pullFeed, serveFeed } from '../feeds/engine.js';
import { serveFeeds } from '../feeds/registry.js';
import type { RemoteDevice } from '../peer-link.js';
import { libraryFeed, librarySink, pullLibrary } from './exchange.js';
import { forwardChanges } from './forward-changes.js';
import { ownerChanges, type HeadOut, type PageOut } from './owner-changes.js';
import { seedOwnerRows } from '../../../test/support/owner-rows.js';
import { PeerLibrary } from './peer-library.js';
import { rowSignerOf } from '../net/device-key.js';

/*
 * A forwarding member B that lies (DESIGN §15 "Trust"): B serves C pages of A's rows it made up
 * from what A signed — an older copy replayed, a folder's parts relabelled, folders left out — and
 * C must not end with rows A does not have.
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

function pullDirect(asker: Dev, owner: Dev) {
  const [mine, theirs] = loopStreams();
  void serveFeeds(theirs, asker.remote, (id) => (id === owner.lib.config.id ? owner.lib : undefined), { signer: rowSignerOf(owner.dataDir) }).catch(() => undefined);
  return pullLibrary(mine, new PeerLibrary(asker.lib), owner.remote, asker.lib.config.id);
}

/** What B honestly passes on of OWNER's rows for ASK, every page read now. */
function snapshot(B: Dev, owner: Dev, ask: { epoch: string | null; seq: number } = { epoch: null, seq: 0 }): { head: HeadOut; pages: PageOut[] } {
  const { head, pages } = forwardChanges(B.lib, owner.remote.deviceUuid, ask);
  return { head: structuredClone(head), pages: [...pages()].map((p) => structuredClone(p)) };
}

/** ASKER pulls OWNER's rows through a B that answers with HEAD and PAGES, whatever was asked. */
function pullForged(asker: Dev, owner: Dev, via: Dev, head: HeadOut, pages: PageOut[]) {
  const [mine, theirs] = loopStreams();
  void serveFeed(theirs, asker.remote, {
    feed: (name) => (name === 'library' ? libraryFeed : undefined),
    source: () => ({
      changesSince: () => { throw new Error('not asked'); },
      forwarded: () => ({
        head,
        *pages() {
          for (const page of pages) yield { page, items: page.folders.reduce((n, f) => n + f.entries.length, 0) };
        },
        toSeq: () => head.to_seq,
      }),
    }) as never,
  }).catch(() => undefined);
  return pullFeed(mine, 'library', asker.lib.config.id, librarySink(new PeerLibrary(asker.lib), owner.remote, undefined, via.remote), via.remote, { owner: owner.remote.deviceUuid });
}

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

/** PAGES with the folder at PATH left out (and the contents only it held). */
function without(pages: PageOut[], path: string): PageOut[] {
  return pages.map((p) => {
    const folders = p.folders.filter((f) => f.path !== path);
    const held = new Set(folders.flatMap((f) => f.entries.map((e) => e[4])));
    return { folders, contents: p.contents.filter((c) => held.has(c[0])) };
  });
}

describe('a forwarding member that lies about another\'s rows (issue 46 item 2, DESIGN §15 "Trust")', () => {
  let tmp: ReturnType<typeof tempDir>;
  let A: Dev, B: Dev, C: Dev;
  let tree: string;
  let locationId: number;
  let old: { head: HeadOut; pages: PageOut[] };
  let a: string;

  before(async () => {
    tmp = tempDir('vss-forward-attack-');
    [A, B, C] = devices(tmp.path, ['a', 'b', 'c']) as [Dev, Dev, Dev];
    a = A.remote.deviceUuid;
    tree = join(tmp.path, 'photos');
    write(join(tree, 'a.txt'), 'alpha');
    write(join(tree, '2024', 'trip', 'b.txt'), 'bravo');
    write(join(tree, '2024', 'trip', 'b2.txt'), 'bravo two');
    write(join(tree, '2024', 'c.txt'), 'charlie');
    write(join(tree, 'old', 'x', 'y.txt'), 'yankee');
    locationId = addLocation(A.lib, tree, { mode: 'content', name: 'Photos' }).id;
    await scanLocation(A.lib, locationId);
    await pullDirect(B, A);
    // What B held of A then: B keeps it, to replay later.
    old = snapshot(B, A);
    write(join(tree, '2024', 'd.txt'), 'delta');
    rmSync(join(tree, 'old'), { recursive: true });
    await scanLocation(A.lib, locationId);
    await pullDirect(B, A);
    await pullDirect(C, A);
  });
  after(() => {
    for (const d of [A, B, C]) d.lib.close();
    tmp.cleanup();
  });

  it('an older copy of A\'s rows replayed (all signed by A, then) is refused: C does not go back', async () => {
    const kept = rowsOf(C.lib, a);
    assert.ok(kept.some((l) => l.includes('d.txt')));
    await assert.rejects(pullForged(C, A, B, old.head, old.pages), /older|behind|not newer/);
    assert.deepEqual(rowsOf(C.lib, a), kept);
  });

  it('a folder\'s last part relabelled with another number or id is refused', async () => {
    const [E] = devices(join(tmp.path, 'e1'), ['e'], A.lib.config.id) as [Dev];
    try {
      const now = snapshot(B, A);
      const page = now.pages[0]!;
      const i = page.folders.findIndex((f) => f.path === '2024/trip');
      const f = page.folders[i]!;
      assert.equal(f.entries.length, 2);
      const first = { ...f, whole: false, entries: f.entries.slice(0, 1), ...(f.verified ? { verified: f.verified.slice(0, 1) } : {}), sig: undefined };
      const last = { ...f, entries: f.entries.slice(1), ...(f.verified ? { verified: f.verified.slice(1) } : {}), seq: 1, id: f.id + 1000 };
      delete (first as { sig?: unknown }).sig;
      const pages = [{ folders: [...page.folders.slice(0, i), first], contents: page.contents }, { folders: [last, ...page.folders.slice(i + 1)], contents: page.contents }];
      await assert.rejects(pullForged(E, A, B, now.head, pages), /number|id/);
      const got = E.lib.db.prepare("SELECT folder_id, seq FROM peer_folders WHERE device_uuid = ? AND path = '2024/trip'").get(a) as { folder_id: number; seq: number } | undefined;
      assert.ok(got === undefined || (got.folder_id === f.id && got.seq === f.seq), `stored ${JSON.stringify(got)}; A signed ${f.id} ${f.seq}`);
    } finally {
      E.lib.close();
    }
  });

  it('a folder moved to another path or location, or a location A did not announce, is refused', async () => {
    const [E] = devices(join(tmp.path, 'e2'), ['e'], A.lib.config.id) as [Dev];
    try {
      const now = snapshot(B, A);
      const moved = now.pages.map((p) => ({ ...p, folders: p.folders.map((f) => (f.path === '2024/trip' ? { ...f, path: '2025/trip' } : f)) }));
      await assert.rejects(pullForged(E, A, B, now.head, moved), /not as its owner signed it/);
      const elsewhere = now.pages.map((p) => ({ ...p, folders: p.folders.map((f) => (f.path === '2024/trip' ? { ...f, location: f.location + 1 } : f)) }));
      await assert.rejects(pullForged(E, A, B, now.head, elsewhere), /did not announce/);
      assert.deepEqual(rowsOf(E.lib, a).filter((l) => !l.startsWith('loc ')), []);
    } finally {
      E.lib.close();
    }
  });

  // Known gap (reported): A's head does not say which folders it has, so a folder left out of a
  // full copy through B cannot be told from one A does not have.
  it('a folder left out of a full copy is refused', { todo: 'the signed head commits to no folder set' }, async () => {
    const [E] = devices(join(tmp.path, 'e3'), ['e'], A.lib.config.id) as [Dev];
    try {
      const now = snapshot(B, A);
      await assert.rejects(pullForged(E, A, B, now.head, without(now.pages, '2024/trip')));
    } finally {
      E.lib.close();
    }
  });

  it('a changed folder left out of a delta is refused', { todo: 'the signed head commits to no folder set' }, async () => {
    const [E] = devices(join(tmp.path, 'e4'), ['e'], A.lib.config.id) as [Dev];
    try {
      await pullDirect(E, A);
      write(join(tree, '2024', 'trip', 'e.txt'), 'echo');
      write(join(tree, 'f.txt'), 'foxtrot');
      await scanLocation(A.lib, locationId);
      await pullDirect(B, A);
      const ask = new PeerLibrary(E.lib).askFor(a);
      const delta = snapshot(B, A, { epoch: ask.epoch, seq: ask.seq });
      assert.equal(delta.head.full, false);
      try {
        await assert.rejects(pullForged(E, A, B, delta.head, without(delta.pages, '2024/trip')));
      } finally {
        await pullDirect(C, A);
      }
    } finally {
      E.lib.close();
    }
  });
});

describe('an honest member whose copy of another\'s rows went past its head', () => {
  it('is not passed on while a folder is numbered past the head (A renumbered it while B\'s full copy ran), and is once B pulled again', async () => {
    const tmp = tempDir('vss-forward-past-');
    const [o, m, n] = devices(tmp.path, ['o', 'm', 'n']) as [Dev, Dev, Dev];
    try {
      const loc = seedOwnerRows(o.lib, 6000, 20);
      // m's full copy of o's rows, o changing folder d299 (read in a later query of folders) after the first page went.
      const ask = { epoch: null, seq: 0 };
      const { head, pages } = ownerChanges(o.lib, ask, { signer: rowSignerOf(o.dataDir) });
      const pull = librarySink(new PeerLibrary(m.lib), o.remote).begin(head as never, ask);
      let count = 0;
      let items = 0;
      for (const page of pages()) {
        items += pull.apply(structuredClone(page) as never);
        if (++count === 1) {
          const last = (o.lib.db.prepare("SELECT id FROM entries WHERE rel_path = 'd299'").get() as { id: number }).id;
          o.lib.store.entries.insertMany(loc, [{ parent_id: last, name: 'late.txt', rel_path: 'd299/late.txt', kind: 'file', size: 1, inode: 99_999_999, mtime_ms: Date.now(), link_target: null }]);
        }
      }
      assert.ok(count >= 3, `${count} pages`);
      pull.end({ t: 'end', pages: count, items, to_seq: head.to_seq } as never);
      pull.close?.();
      const past = m.lib.db.prepare("SELECT seq FROM peer_folders WHERE device_uuid = ? AND path = 'd299'").pluck().get(o.remote.deviceUuid) as number;
      assert.ok(past > head.to_seq, `d299 at ${past}, head at ${head.to_seq}`);
      assert.deepEqual(new PeerLibrary(m.lib).held(n.remote.deviceUuid), []);
      // m's next pull brings d299 again, as of a head past it: passed on whole, exactly o's rows.
      await pullDirect(m, o);
      assert.equal(new PeerLibrary(m.lib).held(n.remote.deviceUuid).length, 1);
      const [mine, theirs] = loopStreams();
      void serveFeeds(theirs, n.remote, (id) => (id === m.lib.config.id ? m.lib : undefined), { signer: rowSignerOf(m.dataDir) }).catch(() => undefined);
      await pullFeed(mine, 'library', n.lib.config.id, librarySink(new PeerLibrary(n.lib), o.remote, undefined, m.remote), m.remote, { owner: o.remote.deviceUuid });
      assert.deepEqual(rowsOf(n.lib, o.remote.deviceUuid), rowsOf(m.lib, o.remote.deviceUuid));
      assert.ok(rowsOf(n.lib, o.remote.deviceUuid).some((l) => l.includes('late.txt')));
    } finally {
      for (const d of [o, m, n]) d.lib.close();
      tmp.cleanup();
    }
  });
});

describe('a folder\'s signature when the owner\'s pull was cut off inside it and resumed', () => {
  it('covers the part sent before the cut, in the database\'s order (UTF-8, not UTF-16): the folder is passed on whole', async () => {
    const tmp = tempDir('vss-forward-resumed-');
    const [o, m, n] = devices(tmp.path, ['o', 'm', 'n']) as [Dev, Dev, Dev];
    try {
      const loc = seedOwnerRows(o.lib, 0);
      const rootId = o.lib.db.prepare('SELECT id FROM entries WHERE location_id = ? AND parent_id IS NULL').pluck().get(loc) as number;
      const now = Date.now();
      const [dir] = o.lib.store.entries.insertMany(loc, [{ parent_id: rootId, name: 'u', rel_path: 'u', kind: 'dir', size: 0, inode: 5, mtime_ms: now, link_target: null }]);
      // '\uFFFD…' sorts before '😀…' in UTF-8 (the database), after it in UTF-16 (JavaScript).
      const names = Array.from({ length: 6000 }, (_, i) => `${i % 2 === 0 ? '\uFFFD' : '😀'}${String(i).padStart(5, '0')}`);
      o.lib.store.entries.insertMany(loc, names.map((name, i) => ({ parent_id: dir!, name, rel_path: `u/${name}`, kind: 'file' as const, size: i, inode: 10 + i, mtime_ms: now, link_target: null })));
      // m's full copy cut off after its first page, inside folder u.
      const ask = { epoch: null, seq: 0 };
      const { head, pages } = ownerChanges(o.lib, ask, { signer: rowSignerOf(o.dataDir) });
      const pull = librarySink(new PeerLibrary(m.lib), o.remote).begin(head as never, ask);
      const first = pages().next().value as PageOut;
      assert.ok(first.folders.some((f) => f.path === 'u' && !f.whole));
      pull.apply(structuredClone(first) as never);
      pull.acked?.();
      pull.close?.();
      const cut = new PeerLibrary(m.lib).askFor(o.remote.deviceUuid).resume;
      assert.ok(cut && cut.afterName.startsWith('😀'), JSON.stringify(cut));
      const resumed = await pullDirect(m, o);
      assert.equal(resumed.resumed, true);
      assert.equal(new PeerLibrary(m.lib).held(n.remote.deviceUuid).length, 1);
      const [mine, theirs] = loopStreams();
      void serveFeeds(theirs, n.remote, (id) => (id === m.lib.config.id ? m.lib : undefined), { signer: rowSignerOf(m.dataDir) }).catch(() => undefined);
      await pullFeed(mine, 'library', n.lib.config.id, librarySink(new PeerLibrary(n.lib), o.remote, undefined, m.remote), m.remote, { owner: o.remote.deviceUuid });
      assert.deepEqual(rowsOf(n.lib, o.remote.deviceUuid), rowsOf(m.lib, o.remote.deviceUuid));
      assert.equal(rowsOf(n.lib, o.remote.deviceUuid).filter((l) => l.startsWith('1 u ')).length, 6000);
    } finally {
      for (const d of [o, m, n]) d.lib.close();
      tmp.cleanup();
    }
  });
});

describe('an owner\'s empty folder, never numbered', () => {
  it('comes through another member in a full copy', async () => {
    const tmp = tempDir('vss-forward-unnumbered-');
    const [o, m, n] = devices(tmp.path, ['o', 'm', 'n']) as [Dev, Dev, Dev];
    try {
      const root = join(tmp.path, 'tree');
      mkdirSync(join(root, 'empty'), { recursive: true });
      write(join(root, 'a.txt'), 'alpha');
      await scanLocation(o.lib, addLocation(o.lib, root, { mode: 'content', name: 'Tree' }).id);
      await pullDirect(m, o);
      const owner = o.remote.deviceUuid;
      assert.equal(m.lib.db.prepare("SELECT seq FROM peer_folders WHERE device_uuid = ? AND path = 'empty'").pluck().get(owner), 0);
      const [mine, theirs] = loopStreams();
      void serveFeeds(theirs, n.remote, (id) => (id === m.lib.config.id ? m.lib : undefined), { signer: rowSignerOf(m.dataDir) }).catch(() => undefined);
      const got = await pullFeed(mine, 'library', n.lib.config.id, librarySink(new PeerLibrary(n.lib), o.remote, undefined, m.remote), m.remote, { owner });
      assert.equal(got.full, true);
      assert.deepEqual(rowsOf(n.lib, owner), rowsOf(m.lib, owner));
    } finally {
      for (const d of [o, m, n]) d.lib.close();
      tmp.cleanup();
    }
  });
});
