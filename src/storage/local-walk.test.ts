import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocationWalker, walkLocation } from './local-walk.js';
import type { DirListing } from './port.js';
import { threadedWalk } from './threaded-walk.js';
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

  it('gives the same listings from the worker thread as inline', async () => {
    const threaded: DirListing[] = [];
    for await (const batch of threadedWalk(opts)) threaded.push(...batch);
    assert.deepEqual(threaded, [...walkLocation(opts)]);
  });

  it('carries on a walk begun inline in a worker thread, with nothing lost or repeated', async () => {
    const walker = new LocationWalker(opts);
    const listings: DirListing[] = [walker.next()!, walker.next()!];
    for await (const batch of threadedWalk({ ...opts, start: walker.stack })) listings.push(...batch);
    assert.deepEqual(listings, [...walkLocation(opts)]);
  });

  it('reports an unreadable root as an error listing', () => {
    const listings = [...walkLocation({ ...opts, rootAbs: join(tmp.path, 'missing') })];
    assert.equal(listings.length, 1);
    assert.match(listings[0]!.error!, /cannot be read/);
  });
});
