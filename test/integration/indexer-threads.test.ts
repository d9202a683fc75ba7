import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';
import { Vss, addLocation, scanLocation, iterateContents, type Library } from '../internals.js';
import { tempDir } from '../helpers.js';

/**
 * Enough files that identification hands them to a worker thread, which gets more than one
 * batch at a time; a batch holding a file read in chunks (over 1 MiB) finishes after the
 * all-small batch sent after it. Every file must still get its own bytes' identity.
 */
describe('indexer: identification in worker threads', () => {
  const work = tempDir();
  const tree = join(work.path, 'tree');
  let vss: Vss;
  let lib: Library;

  before(async () => {
    mkdirSync(tree);
    for (let i = 0; i < 2400; i++) {
      const big = i % 200 === 7;
      writeFileSync(join(tree, `f${i}.bin`), randomBytes(big ? 3 * 1024 * 1024 + i : 64 + (i % 50)));
    }
    vss = new Vss({ dataDir: join(work.path, 'data') });
    lib = vss.createLibrary('Lib', work.path);
    await scanLocation(lib, addLocation(lib, tree, { mode: 'content' }).id);
  });
  after(() => { lib.close(); work.cleanup(); });

  it('gives every file the content id of its own bytes', () => {
    let files = 0;
    for (const c of iterateContents(lib)) {
      for (const p of c.paths) {
        files++;
        assert.equal(c.cas_id, blake3(readFileSync(p)).toString('hex'), p);
      }
    }
    assert.equal(files, 2400);
  });
});
