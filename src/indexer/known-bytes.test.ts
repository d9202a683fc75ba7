import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';
import { Installation } from '../library/installation.js';
import type { Library } from '../library/library.js';
import { addLocation, scanLocation } from '../locations/locations.js';
import { tempDir } from '../../test/helpers.js';
import { contentUuidAt } from '../../test/support/entries.js';
import type { KnownBytes } from './identification.js';
import { contentUuidFor } from '../content/identity.js';

/**
 * IndexOptions.known: a file whose bytes a verified copy just hashed is linked without being read,
 * but only while it is as the copy left it and only to a content the library knows (real library,
 * real files). Each case proves it by a file whose bytes say otherwise.
 */
describe('identification of files a verified copy hashed', () => {
  const tmp = tempDir('vss-known-');
  const tree = join(tmp.path, 'tree');
  let lib: Library;
  let loc = 0;
  const original = Buffer.from('the bytes the copy verified\n');
  const known = (path: string, hash: string): Map<string, KnownBytes> => {
    const st = statSync(path);
    return new Map([[path, { blake3: hash, size: st.size, mtimeMs: st.mtimeMs, inode: st.ino, ctimeMs: st.ctimeMs }]]);
  };

  before(async () => {
    mkdirSync(tree, { recursive: true });
    writeFileSync(join(tree, 'source.txt'), original);
    lib = new Installation({ dataDir: join(tmp.path, 'data') }).createLibrary('K', tmp.path);
    loc = addLocation(lib, tree, { mode: 'content' }).id;
    await scanLocation(lib, loc);
  });
  after(() => { lib.close(); tmp.cleanup(); });

  it('links an unchanged file to the known content without reading it', async () => {
    // Same size, other bytes: were the file read, it would be a content of its own.
    const copy = join(tree, 'copy.txt');
    writeFileSync(copy, Buffer.from('other bytes, just as long.\n'.padEnd(original.length, '!')));
    await scanLocation(lib, loc, undefined, { only: [{ rel: '', subtree: false }], known: known(copy, blake3(original).toString('hex')) });
    assert.equal(contentUuidAt(lib, 'copy.txt'), contentUuidAt(lib, 'source.txt'));
  });

  it('reads a file changed since (its time or size differs), and one whose content the library does not know', async () => {
    const changed = join(tree, 'changed.txt');
    writeFileSync(changed, 'changed after the copy\n');
    const stale = known(changed, blake3(original).toString('hex'));
    const k = stale.get(changed)!;
    stale.set(changed, { ...k, mtimeMs: k.mtimeMs - 1000 });
    const unknown = join(tree, 'unknown.txt');
    writeFileSync(unknown, 'no content of the library\n');
    const guessed = known(unknown, blake3(Buffer.from('something never indexed')).toString('hex'));
    await scanLocation(lib, loc, undefined, { only: [{ rel: '', subtree: false }], known: new Map([...stale, ...guessed]) });
    assert.notEqual(contentUuidAt(lib, 'changed.txt'), contentUuidAt(lib, 'source.txt'));
    assert.equal(contentUuidAt(lib, 'unknown.txt'), contentUuidFor(blake3(Buffer.from('no content of the library\n')).toString('hex')), 'identified by its own bytes');
  });

  it('reads a file whose bytes changed since the copy left it, its size and time put back (its ctime tells)', async () => {
    const edited = join(tree, 'edited.txt');
    writeFileSync(edited, original);
    // Whole seconds, which utimes sets back exactly.
    utimesSync(edited, 1_700_000_000, 1_700_000_000);
    const left = known(edited, blake3(original).toString('hex'));
    await new Promise((r) => setTimeout(r, 20));
    const st = statSync(edited);
    writeFileSync(edited, Buffer.from('edited by another tool!!!!!\n'.padEnd(original.length, '?')));
    utimesSync(edited, 1_700_000_000, 1_700_000_000);
    const now = statSync(edited);
    assert.deepEqual([now.size, now.mtimeMs, now.ino], [st.size, st.mtimeMs, st.ino]);
    await scanLocation(lib, loc, undefined, { only: [{ rel: '', subtree: false }], known: left });
    assert.notEqual(contentUuidAt(lib, 'edited.txt'), contentUuidAt(lib, 'source.txt'), 'read, not taken for the bytes the copy verified');
  });
});
