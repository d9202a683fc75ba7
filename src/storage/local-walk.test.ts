import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocationWalker, walkLocation, type LocalWalkOptions } from './local-walk.js';
import type { DirListing, WalkedListing } from './port.js';
import { WalkWorker, hybridWalk } from './threaded-walk.js';
import { listingDigest, walkedHere } from './walk-wire.js';
import { tempDir } from '../../test/helpers.js';

describe('walkLocation', () => {
  const tmp = tempDir();
  const root = join(tmp.path, 'root');
  after(() => tmp.cleanup());
  mkdirSync(join(root, 'a', 'b'), { recursive: true });
  mkdirSync(join(root, 'node_modules', 'x'), { recursive: true });
  mkdirSync(join(root, 'Lib.sdlibrary'), { recursive: true });
  writeFileSync(join(root, 'a', 'b', 'deep.txt'), 'deep');
  writeFileSync(join(root, 'top.txt'), 'top');
  writeFileSync(Buffer.concat([Buffer.from(join(root, 'a') + '/'), Buffer.from([0x78, 0xff])]), 'undecodable');
  symlinkSync('..', join(root, 'a', 'up'));
  execFileSync('mkfifo', [join(root, 'fifo')]);
  const opts = { rootAbs: root, ignoreRules: ['node_modules'], exclude: [join(root, 'Lib.sdlibrary')] };

  const flatten = (listings: DirListing[]) =>
    listings.flatMap((l) => l.entries.map((e) => [l.rel === '' ? e.name : `${l.rel}/${e.name}`, 'skip' in e ? `skip: ${e.skip}` : e.kind]));

  it('lists parents before children, skips ignored and excluded folders, never follows links', () => {
    const listings = [...walkLocation(opts)];
    const order = listings.map((l) => l.rel);
    assert.ok(order.indexOf('a') < order.indexOf('a/b'));
    const seen = Object.fromEntries(flatten(listings));
    assert.equal(seen['a/b/deep.txt'], 'file');
    assert.equal(seen['a/up'], 'symlink');
    assert.equal(seen['node_modules'], undefined);
    assert.equal(seen['Lib.sdlibrary'], undefined);
    assert.match(seen['fifo']!, /^skip: not a regular file/);
    assert.match(seen['a/x\uFFFD']!, /^skip: name is not valid UTF-8/);
    assert.equal(order.filter((r) => r.startsWith('a/up')).length, 0, 'the symlink to .. is not walked');
  });

  async function inWorker(o: LocalWalkOptions): Promise<WalkedListing[]> {
    const w = new WalkWorker();
    const out: WalkedListing[] = [];
    try {
      w.start(o);
      for (let b = await w.take(); b; b = await w.take()) out.push(...b);
    } finally {
      await w.close();
    }
    return out;
  }
  const inline = (unchanged?: Map<string, string>) => [...walkLocation(opts)].map((l) => walkedHere(l, unchanged));

  it('gives the same listings from a worker thread as inline, each with its digest', async () => {
    const threaded = await inWorker(opts);
    assert.deepEqual(threaded, inline());
    const a = threaded.find((l) => l.rel === 'a') as DirListing;
    assert.equal(a.digest, listingDigest(a.entries));
  });

  it('carries on a walk begun inline in a worker thread, with nothing lost or repeated', async () => {
    const walker = new LocationWalker(opts);
    const listings: WalkedListing[] = [walkedHere(walker.next()!, undefined), walkedHere(walker.next()!, undefined)];
    listings.push(...await inWorker({ ...opts, start: walker.stack }));
    assert.deepEqual(listings, inline());
  });

  it('sends a folder whose digest the caller holds as unchanged, and still walks beneath it', async () => {
    const first = inline();
    const a = first.find((l) => l.rel === 'a') as DirListing;
    const unchanged = new Map([['a', a.digest!], ['a/b', 'not its digest']]);
    const again = await inWorker({ ...opts, unchanged });
    const a2 = again.find((l) => l.rel === 'a')!;
    assert.ok('unchanged' in a2);
    // a holds: b (folder), up (symlink), x\xff (skipped); its files, folders and bytes are summed
    assert.deepEqual(a2.unchanged, { entries: 3, files: 0, dirs: 1, bytes: 0 });
    const b = again.find((l) => l.rel === 'a/b')!;
    assert.ok(!('unchanged' in b), 'a digest that does not match sends the listing');
    assert.deepEqual(again.filter((l) => l.rel !== 'a'), first.filter((l) => l.rel !== 'a'));
  });

  it('reports an unreadable root as an error listing', () => {
    const listings = [...walkLocation({ ...opts, rootAbs: join(tmp.path, 'missing') })];
    assert.equal(listings.length, 1);
    assert.match(listings[0]!.error!, /cannot be read/);
  });
});

describe('hybridWalk', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());
  // Past the inline part (5000 entries), in many folders, so the rest is dealt out to the workers.
  const root = join(tmp.path, 'many');
  for (let d = 0; d < 40; d++) {
    for (let s = 0; s < 3; s++) {
      const dir = join(root, `d${d}`, `s${s}`);
      mkdirSync(dir, { recursive: true });
      for (let f = 0; f < 60; f++) writeFileSync(join(dir, `f${f}`), '');
    }
  }
  const opts = { rootAbs: root, ignoreRules: [], exclude: [] };

  const inlineDigests = () => new Map(inlineAll(opts).map((l) => [l.rel, (l as DirListing).digest!]));
  const cases: Array<[string, boolean, (() => Map<string, string>) | undefined]> = [
    ['all here', false, undefined], ['handed to a worker', true, undefined], ['shared with a worker (a rescan)', true, inlineDigests],
  ];
  for (const [label, threaded, unchanged] of cases) {
    it(`gives every folder once, parents before children: ${label}`, async () => {
      const u = unchanged?.();
      const got: WalkedListing[] = [];
      for await (const batch of hybridWalk({ ...opts, ...(u ? { unchanged: u } : {}), expectLarge: threaded }, threaded)) got.push(...batch);
      const rels = got.map((l) => l.rel);
      assert.equal(new Set(rels).size, rels.length, 'no folder twice');
      assert.equal(rels.length, 1 + 40 + 120);
      for (const [i, rel] of rels.entries()) {
        if (rel === '') continue;
        const parent = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
        assert.ok(rels.indexOf(parent) < i, `${parent} before ${rel}`);
      }
      if (u) {
        assert.ok(got.every((l) => 'unchanged' in l), 'every folder as it was');
        assert.equal(got.reduce((n, l) => n + ('unchanged' in l ? l.unchanged.files : 0), 0), 40 * 3 * 60);
      } else {
        const byRel = (ls: WalkedListing[]) => Object.fromEntries(ls.map((l) => [l.rel, l]));
        assert.deepEqual(byRel(got), byRel(inlineAll(opts)));
      }
    });
  }
});

function inlineAll(opts: LocalWalkOptions): WalkedListing[] {
  return [...walkLocation(opts)].map((l) => walkedHere(l, undefined));
}
