import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Installation } from '../library/installation.js';
import { SpaceReserve } from './space-reserve.js';
import { tempDir } from '../../test/helpers.js';

const RESERVE = 4 * 1024 * 1024;

describe('the space reserve', () => {
  const tmp = tempDir();
  const lib = new Installation({ dataDir: join(tmp.path, 'data') }).createLibrary('L', tmp.path);
  after(() => {
    lib.close();
    tmp.cleanup();
  });
  const path = join(lib.layout.scratchDir, 'space-reserve');

  it('is written whole, kept as it is at the next start, and written again when it is not whole', () => {
    new SpaceReserve(lib).hold();
    const first = statSync(path);
    assert.equal(first.size, RESERVE);
    assert.ok(first.blocks * 512 >= RESERVE, 'its bytes are on the disk');

    // The next start (a new runner): the reserve the last one left already holds the space.
    new SpaceReserve(lib).hold();
    assert.equal(statSync(path).ino, first.ino, 'the whole reserve was kept, not written again');

    // Cut short, or sparse (the same size, no blocks): not a reserve that holds the space.
    truncateSync(path, RESERVE / 2);
    new SpaceReserve(lib).hold();
    const rewritten = statSync(path);
    assert.notEqual(rewritten.ino, first.ino);
    assert.ok(rewritten.size === RESERVE && rewritten.blocks * 512 >= RESERVE);
    writeFileSync(path, '');
    truncateSync(path, RESERVE);
    new SpaceReserve(lib).hold();
    assert.ok(statSync(path).blocks * 512 >= RESERVE, 'a sparse file is written again');
  });

  it('given back, it is made again at the next hold', () => {
    const reserve = new SpaceReserve(lib);
    reserve.hold();
    assert.equal(reserve.release(), true);
    assert.throws(() => statSync(path), /ENOENT/);
    mkdirSync(lib.layout.scratchDir, { recursive: true });
    new SpaceReserve(lib).hold();
    assert.equal(statSync(path).size, RESERVE);
  });
});
