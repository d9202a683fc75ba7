import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';
import { Installation } from '../library/installation.js';
import type { Library } from '../library/library.js';
import { addLocation, scanLocation } from '../locations/locations.js';
import { tempDir } from '../../test/helpers.js';
import { contentUuidAt, entryAt } from '../../test/support/entries.js';
import { CAS_SAMPLED, contentUuidFor } from '../content/identity.js';
import type { KnownBytes } from './identification.js';

/**
 * IndexOptions.landed (landed.ts): the rows of files a copy placed are written from its facts,
 * and what a listing must decide is left to one — a name indexed already, a folder the copy did
 * not make, a name the indexer ignores (real library, real files).
 */
describe('rows written from what a copy placed', () => {
  const tmp = tempDir('vss-landed-');
  const tree = join(tmp.path, 'tree');
  let lib: Library;
  let loc = 0;
  const known = (rel: string): { rel: string; known: Required<KnownBytes> } => {
    const abs = join(tree, rel);
    const st = statSync(abs);
    return { rel, known: { blake3: blake3(Buffer.from(rel)).toString('hex'), size: st.size, mtimeMs: st.mtimeMs, inode: st.ino, ctimeMs: st.ctimeMs } };
  };
  const write = (rel: string) => {
    mkdirSync(join(tree, rel, '..'), { recursive: true });
    writeFileSync(join(tree, rel), rel);
  };
  const landed = async (files: string[], made: string[], only: string[] = []) => {
    await scanLocation(lib, loc, undefined, { only: only.map((rel) => ({ rel, subtree: false })), removeOrphans: false, landed: { files: files.map(known), madeFolders: new Set(made) } });
  };

  before(async () => {
    mkdirSync(tree, { recursive: true });
    write('source/a.txt');
    lib = new Installation({ dataDir: join(tmp.path, 'data') }).createLibrary('L', tmp.path);
    loc = addLocation(lib, tree, { mode: 'content' }).id;
    await scanLocation(lib, loc);
  });
  after(() => { lib.close(); tmp.cleanup(); });

  it('writes a made folder and its files, each linked to the content the library knows without a read', async () => {
    // As long as source/a.txt, other bytes: were it read, it would be a content of its own.
    mkdirSync(join(tree, 'made/sub'), { recursive: true });
    writeFileSync(join(tree, 'made/sub/a.txt'), 'x'.repeat('source/a.txt'.length));
    write('made/sub/new.txt');
    const a = known('made/sub/a.txt');
    a.known.blake3 = blake3(Buffer.from('source/a.txt')).toString('hex');
    await scanLocation(lib, loc, undefined, { only: [], removeOrphans: false, landed: { files: [a, known('made/sub/new.txt')], madeFolders: new Set(['made', 'made/sub']) } });
    assert.equal(entryAt(lib, 'made/sub')?.kind, 'dir');
    assert.equal(entryAt(lib, 'made/sub/a.txt')?.inode, statSync(join(tree, 'made/sub/a.txt')).ino);
    assert.equal(contentUuidAt(lib, 'made/sub/a.txt'), contentUuidAt(lib, 'source/a.txt'), 'linked by the BLAKE3 the copy verified');
    // A content the library does not know yet: read by identification, as before.
    assert.ok(contentUuidAt(lib, 'made/sub/new.txt'));
  });

  it('links a file only to a content identified whole by the very BLAKE3 the copy verified (a sampled identity is no proof)', async () => {
    mkdirSync(join(tree, 'made3'), { recursive: true });
    writeFileSync(join(tree, 'made3/whole.txt'), 'source/a.txt');
    writeFileSync(join(tree, 'made3/sampled.txt'), 'bytes of its own');
    const claimed = blake3(Buffer.from('a content known only by samples')).toString('hex');
    const planted = contentUuidFor(claimed);
    lib.store.contents.insert({ uuid: planted, cas_id: claimed, cas_version: CAS_SAMPLED, kind: 'text', mime: 'text/plain', size: 16, media_metadata: null, created_at: Date.now() });
    const whole = known('made3/whole.txt');
    whole.known.blake3 = blake3(Buffer.from('source/a.txt')).toString('hex');
    const sampled = known('made3/sampled.txt');
    sampled.known.blake3 = claimed;
    await scanLocation(lib, loc, undefined, { only: [], removeOrphans: false, landed: { files: [whole, sampled], madeFolders: new Set(['made3']) } });
    assert.equal(contentUuidAt(lib, 'made3/whole.txt'), contentUuidAt(lib, 'source/a.txt'));
    const read = contentUuidAt(lib, 'made3/sampled.txt');
    assert.ok(read, 'identified by a read');
    assert.notEqual(read, planted, 'not linked to the sampled content its claimed BLAKE3 names');
  });

  it('leaves to a listing a folder the copy did not make (what else it holds is indexed too)', async () => {
    write('found/mine.txt');
    write('found/theirs.txt');
    await landed(['found/mine.txt'], []);
    assert.ok(entryAt(lib, 'found/mine.txt'));
    assert.ok(entryAt(lib, 'found/theirs.txt'), 'the folder was listed, not taken as holding only the copy');
  });

  it('leaves to a listing a name indexed already, and writes no name the indexer ignores', async () => {
    write('made2/x.txt');
    await landed(['made2/x.txt'], ['made2']);
    writeFileSync(join(tree, 'made2/x.txt'), 'replaced, longer than before');
    write('made2/.DS_Store');
    await landed(['made2/x.txt', 'made2/.DS_Store'], []);
    assert.equal(entryAt(lib, 'made2/x.txt')?.size, 'replaced, longer than before'.length);
    assert.equal(entryAt(lib, 'made2/.DS_Store'), undefined);
  });
});
