/**
 * `vss location rescan --force` reads every file again, even one whose size, time and inode say
 * it is unchanged (a file rewritten in place by a tool that keeps its time, bit rot): its content
 * identity is what its bytes are now. Through the core API, the command line and the daemon.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';
import { LibraryApi } from '../../src/api/index.js';
import { Vss, addLocation, contentUuidFor, scanLocation } from '../internals.js';
import sharp from 'sharp';
import { MEDIA_METADATA_VERSION, parseMetadata, serializeMetadata } from '../../src/media/media-metadata.js';
import { json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { contentUuidAt, entryAt } from '../support/entries.js';

const WHEN = new Date('2021-06-01T12:00:00Z');

/** A tree of three files with whole-second times, so a rewrite can put a file's time back exactly. */
function makeTree(dir: string): string {
  const tree = join(dir, 'tree');
  mkdirSync(tree, { recursive: true });
  for (const name of ['a.txt', 'b.txt', 'c.txt']) {
    writeFileSync(join(tree, name), `bytes of ${name}`);
    utimesSync(join(tree, name), WHEN, WHEN);
  }
  return tree;
}

/** Rewrite a.txt in place: other bytes, same size, same inode, same time (only its ctime tells). */
function rewriteUnseen(tree: string): string {
  const bytes = Buffer.from('BYTES OF a.txt');
  writeFileSync(join(tree, 'a.txt'), bytes);
  utimesSync(join(tree, 'a.txt'), WHEN, WHEN);
  return contentUuidFor(blake3(bytes).toString('hex'));
}

describe('location rescan --force', () => {
  const tmp = tempDir('vss-force-');
  after(() => tmp.cleanup());

  it('hashes every file again and follows bytes that changed unseen', async () => {
    const tree = makeTree(join(tmp.path, 'api'));
    const lib = new Vss({ dataDir: join(tmp.path, 'api', 'data') }).createLibrary('Force', join(tmp.path, 'api'));
    try {
      const api = new LibraryApi(lib, { dataDir: join(tmp.path, 'api', 'data'), access: 'write' });
      const loc = addLocation(lib, tree, { mode: 'content' }).id;
      assert.equal((await scanLocation(lib, loc)).hashed, 3);
      const before = contentUuidAt(lib, 'a.txt', loc)!;
      const now = rewriteUnseen(tree);

      // What no listing can see (rot, a clock set back, a row from before ctimes were kept): here
      // the row forgets its ctime, so a plain rescan has only size, time and inode to go by.
      const row = lib.store.entries.byId(entryAt(lib, 'a.txt', loc)!.id)!;
      lib.store.transaction(() => lib.store.entries.update(row.id, { ...row, inode: row.inode!, mtime_ms: row.mtime_ms!, ctime_ms: null }, false));
      const plain = await api.locations.rescan(loc);
      assert.equal(plain.hashed, 0, 'a plain rescan trusts size, time and inode (its ctime not known)');
      assert.equal(contentUuidAt(lib, 'a.txt', loc), before);

      const forced = await api.locations.rescan(loc, { force: true });
      assert.equal(forced.hashed, 3, 'every file is read again');
      assert.equal(contentUuidAt(lib, 'a.txt', loc), now, 'the file is what its bytes are now');
      assert.equal(lib.store.contents.byUuid(before), undefined, 'the content nothing holds any more is released');
      assert.equal(forced.contents, 3);
      assert.equal((await api.locations.rescan(loc)).hashed, 0, 'and the next plain rescan has nothing to read');
    } finally {
      lib.close();
    }
  });

  it('in deep mode reads media metadata again, mending what an older version could not read', async () => {
    const dir = join(tmp.path, 'deep');
    const tree = join(dir, 'tree');
    mkdirSync(tree, { recursive: true });
    writeFileSync(join(tree, 'photo.jpg'), await sharp({ create: { width: 40, height: 30, channels: 3, background: '#123456' } }).jpeg().toBuffer());
    const lib = new Vss({ dataDir: join(dir, 'data') }).createLibrary('Deep', dir);
    try {
      const loc = addLocation(lib, tree, { mode: 'deep', generation: 'none' }).id;
      await scanLocation(lib, loc);
      const content = lib.store.contents.byUuid(contentUuidAt(lib, 'photo.jpg', loc)!)!;
      const read = () => parseMetadata(lib.store.contents.byId(content.id)!.media_metadata!);
      assert.equal(read()?.width, 40);
      // What a version that could not read the file stored for good.
      lib.store.contents.setMediaMetadata(content.id, serializeMetadata({ v: MEDIA_METADATA_VERSION, error: 'ExifTool cannot read it' }), true);
      await scanLocation(lib, loc);
      assert.equal(read()?.error, 'ExifTool cannot read it', 'a plain rescan does not read it again');
      await scanLocation(lib, loc, undefined, { force: true });
      assert.deepEqual({ width: read()?.width, height: read()?.height, error: read()?.error }, { width: 40, height: 30, error: undefined });
    } finally {
      lib.close();
    }
  });

  for (const viaDaemon of [false, true]) {
    it(`is a flag of the command line${viaDaemon ? ', through the daemon' : ''}`, async () => {
      const dir = join(tmp.path, viaDaemon ? 'daemon' : 'cli');
      const tree = makeTree(dir);
      const env = { VSS_DATA_DIR: join(dir, 'data'), VSS_NO_DAEMON: undefined };
      json(await runCli(['library', 'create', 'F', '--path', dir, '--json'], env));
      json(await runCli(['location', 'add', tree, '--json'], env));
      let started = false;
      try {
        if (viaDaemon) {
          const r = await runCli(['daemon', 'start'], env);
          assert.equal(r.code, 0, r.stderr);
          started = true;
        }
        rewriteUnseen(tree);
        // Its ctime tells a plain rescan (or the daemon's watcher, before it); --force reads every file all the same.
        const plain = json<{ hashed: number }>(await runCli(['location', 'rescan', '1', '--json'], env)).hashed;
        assert.ok(viaDaemon ? plain <= 1 : plain === 1, `a plain rescan hashed ${plain}`);
        const forced = json<{ hashed: number; files: number }>(await runCli(['location', 'rescan', '1', '--force', '--json'], env));
        assert.deepEqual({ hashed: forced.hashed, files: forced.files }, { hashed: 3, files: 3 });
      } finally {
        if (started) await runCli(['daemon', 'stop'], env);
      }
    });
  }
});
