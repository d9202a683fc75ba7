import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { addLocation, scanLocation } from '../../locations/locations.js';
import { loopStreams } from '../../../test/safety/loop-stream.js';
import { tempDir } from '../../../test/helpers.js';
import { members as devices, pullDirect, rowsOf, writeText as write, type Member as Dev } from '../../../test/support/library-members.js';
import { pullFeed, serveFeed } from '../feeds/engine.js';
import { libraryFeed, librarySink } from './exchange.js';
import { forwardChanges } from './forward-changes.js';
import { type HeadOut, type PageOut } from './owner-changes.js';
import { PeerLibrary } from './peer-library.js';

/*
 * A forwarding member B that lies (DESIGN §15 "Trust"): B serves C pages of A's rows it made up
 * from what A signed — an older copy replayed, a folder's parts relabelled, folders left out — and
 * C must not end with rows A does not have.
 */




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

  // A's head does not list its folders: a member can leave one out. It can never make C lose or
  // change rows: a copy passed on sweeps folder by folder (a folder left out keeps what C had of it),
  // an older listing never replaces a newer one, and C's next pull from A itself goes from the last
  // seq taken from A, so whatever was held back comes then.
  it('a folder left out of a full copy keeps what C had of it; the next pull from A brings what was held back', async () => {
    const kept = rowsOf(C.lib, a);
    const now = snapshot(B, A);
    await pullForged(C, A, B, now.head, without(now.pages, '2024/trip'));
    assert.deepEqual(rowsOf(C.lib, a), kept, 'nothing of C\'s copy lost');
    const [E] = devices(join(tmp.path, 'e3'), ['e'], A.lib.config.id) as [Dev];
    try {
      await pullForged(E, A, B, now.head, without(now.pages, '2024/trip'));
      assert.ok(!rowsOf(E.lib, a).some((l) => l.includes('b2.txt')), 'E holds an older copy, short of the folder');
      const got = await pullDirect(E, A);
      assert.equal(got.full, true, 'E never pulled from A itself: a full copy');
      assert.deepEqual(rowsOf(E.lib, a), rowsOf(C.lib, a));
    } finally {
      E.lib.close();
    }
  });

  it('an older listing of a folder passed on never replaces a newer one here', async () => {
    const kept = rowsOf(C.lib, a);
    const now = snapshot(B, A);
    const stale = old.pages.flatMap((p) => p.folders).find((f) => f.path === '2024')!;
    const current = now.pages.flatMap((p) => p.folders).find((f) => f.path === '2024')!;
    assert.ok(stale.seq < current.seq);
    const staleContents = old.pages.flatMap((p) => p.contents);
    const pages = now.pages.map((p) => ({ folders: p.folders.map((f) => (f.path === '2024' ? stale : f)), contents: [...p.contents, ...staleContents] }));
    await assert.rejects(pullForged(C, A, B, now.head, pages), /older than/);
    assert.deepEqual(rowsOf(C.lib, a), kept);
  });

  it('a changed folder left out of a delta: the next pull from A brings it', async () => {
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
      await pullForged(E, A, B, delta.head, without(delta.pages, '2024/trip'));
      assert.ok(rowsOf(E.lib, a).some((l) => l.includes('f.txt')) && !rowsOf(E.lib, a).some((l) => l.includes('e.txt')));
      const got = await pullDirect(E, A);
      assert.equal(got.full, false);
      await pullDirect(C, A);
      assert.deepEqual(rowsOf(E.lib, a), rowsOf(C.lib, a));
    } finally {
      E.lib.close();
    }
  });
});
