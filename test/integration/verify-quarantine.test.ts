import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { Vss, addLocation, scanLocation, iterateContents, SidecarManager, convertReferences, sidecarAddress, type Library } from '../internals.js';
import { tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { entryAt } from '../support/entries.js';
import { Stores } from '../../src/store/stores.js';

const MB = 1_000_000;

/** Every file under DIR, relative to it. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();
}

/**
 * The data-loss report of issue 8: converted Live Photo movies of 28–31 MB, judged corrupt by a
 * threaded `reconcile --verify` and deleted. Verify must agree with the bytes, and even a truly
 * corrupt converted movie — which vss cannot make again — is set aside, never deleted.
 */
describe('reconcile --verify keeps converted movies', () => {
  const tmp = tempDir();
  const tree = join(tmp.path, 'phone');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_VERIFY_THREADS: '2' };
  let libPath = '';
  const movies: Array<{ still: string; bytes: Buffer }> = [];
  let thumbOf = '';

  before(async () => {
    mkdirSync(tree);
    for (const [i, size] of [28 * MB + 17, 29 * MB + 3, 31 * MB - 11].entries()) {
      await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 40 * i, g: 90, b: 200 } } }).jpeg().toFile(join(tree, `IMG_000${i}.JPG`));
      const bytes = randomBytes(size);
      writeFileSync(join(tree, `IMG_000${i}.MOV`), bytes);
      movies.push({ still: `IMG_000${i}.JPG`, bytes });
    }
    const vss = new Vss({ dataDir: env.VSS_DATA_DIR });
    const lib: Library = vss.createLibrary('Phone', tmp.path);
    try {
      libPath = lib.root;
      await scanLocation(lib, addLocation(lib, tree, { mode: 'content' }).id);
      const m = new SidecarManager(lib);
      const uuidOf = new Map<string, string>();
      for (const c of iterateContents(lib)) uuidOf.set(c.paths[0]!.slice(tree.length + 1), c.content_uuid);
      for (const mv of movies) {
        const movName = mv.still.replace('.JPG', '.MOV');
        const entry = entryAt(lib, movName)!;
        m.createReferenceSidecar({
          contentUuid: uuidOf.get(mv.still)!, kind: 'live_photo_video', variant: 'original', format: 'mov',
          sourceEntryId: entry.id, size: mv.bytes.length, checksum: blake3(mv.bytes).toString('hex'),
        });
      }
      const converted = await convertReferences(lib, {});
      assert.equal(converted.converted, 3);
      thumbOf = uuidOf.get(movies[0]!.still)!;
      m.writeGenerated(sidecarAddress(thumbOf, 'thumb', 'grid@1x'), Buffer.from('a generated thumbnail'), 'test@1');
    } finally {
      lib.close();
    }
  });
  after(() => tmp.cleanup());

  const moviePath = (i: number) => {
    const sidecars = filesUnder(join(libPath, 'sidecars')).filter((f) => f.endsWith('original.mov'));
    return join(libPath, 'sidecars', sidecars.find((f) => readFileSync(join(libPath, 'sidecars', f)).length === movies[i]!.bytes.length)!);
  };

  it('finds intact converted movies intact when hashing in worker threads', async () => {
    const r = await runCli(['sidecars', 'reconcile', '--verify', '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { recorded: 0, missing: 0, orphans_removed: 0, temp_removed: 0, corrupt: 0, quarantined: 0 });
    for (const [i, mv] of movies.entries()) assert.ok(readFileSync(moviePath(i)).equals(mv.bytes), `movie ${i} is where it was, unchanged`);
  });

  it('moves a corrupt converted movie to quarantine/, deletes only a corrupt generated sidecar', async () => {
    const p = moviePath(1);
    const damaged = readFileSync(p);
    damaged[damaged.length >> 1] = damaged[damaged.length >> 1]! ^ 0x10;
    writeFileSync(p, damaged);
    const thumbPath = join(libPath, 'sidecars', filesUnder(join(libPath, 'sidecars')).find((f) => f.endsWith('grid@1x.webp'))!);
    writeFileSync(thumbPath, 'a generated thumbnail, damaged');

    const r = await runCli(['sidecars', 'reconcile', '--verify', '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { recorded: 0, missing: 0, orphans_removed: 0, temp_removed: 0, corrupt: 2, quarantined: 1 });
    assert.match(r.stderr, /original\.mov: .*corrupt.*moved to .*quarantine/);

    assert.ok(!existsSync(p), 'the damaged movie left its managed path');
    const q = filesUnder(join(libPath, 'quarantine'));
    assert.equal(q.length, 1);
    assert.match(q[0]!, /live_photos\/original\.\d{8}T\d{6}Z\.mov$/);
    assert.ok(readFileSync(join(libPath, 'quarantine', q[0]!)).equals(damaged), 'the bytes are kept as they were');
    assert.ok(!existsSync(thumbPath), 'a generated sidecar is deleted, to be made again');

    const list = await runCli(['sidecars', 'list', '--json'], env);
    const rows = JSON.parse(list.stdout) as Array<{ kind: string; status: string; source: string; error: string | null; content_uuid: string }>;
    const movieRows = rows.filter((s) => s.kind === 'live_photo_video');
    assert.equal(movieRows.filter((s) => s.status === 'ready').length, 2);
    const lost = movieRows.find((s) => s.status === 'missing')!;
    assert.match(lost.error ?? '', /quarantine/);
    const asked = await runCli(['sidecars', 'path', lost.content_uuid, 'live_photo_video', 'original'], env);
    assert.equal(asked.code, 1);
    assert.match(asked.stderr, /its file is gone: .*moved to .*quarantine/, 'the answer says where the movie went');
    assert.equal(rows.find((s) => s.kind === 'thumb')!.status, 'pending');

    const again = await runCli(['sidecars', 'reconcile', '--verify', '--json'], env);
    assert.deepEqual(JSON.parse(again.stdout), { recorded: 0, missing: 0, orphans_removed: 0, temp_removed: 0, corrupt: 0, quarantined: 0 });
  });

  it('keeps a converted movie while its still is away, ready again when the still comes back', async () => {
    const still = join(tree, movies[2]!.still);
    const stillBytes = readFileSync(still);
    rmSync(still);
    assert.equal((await runCli(['location', 'rescan', '1', '--json'], env)).code, 0);
    const r = await runCli(['sidecars', 'reconcile', '--verify', '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { recorded: 0, missing: 0, orphans_removed: 0, temp_removed: 0, corrupt: 0, quarantined: 0 });
    assert.ok(readFileSync(moviePath(2)).equals(movies[2]!.bytes), 'the only copy of the movie stays where it is');

    writeFileSync(still, stillBytes);
    assert.equal((await runCli(['location', 'rescan', '1', '--json'], env)).code, 0);
    const list = await runCli(['sidecars', 'list', '--kind', 'live_photo_video', '--json'], env);
    const rows = JSON.parse(list.stdout) as Array<{ status: string; size: number }>;
    assert.equal(rows.find((s) => s.size === movies[2]!.bytes.length)!.status, 'ready');
  });

  it('sets aside, never deletes, a converted movie whose content is gone from the library', async () => {
    const db = new Database(join(libPath, 'database.db'));
    try {
      // Crafted on purpose (through the stores): the library keeps a content while a converted
      // sidecar is its only copy; here its files and the content go anyway, behind its back.
      const store = new Stores(db, 'another-process');
      const row = store.sidecars.page({ kind: 'live_photo_video' }, 0, 100).find((s) => s.size === movies[0]!.bytes.length)!;
      store.transaction(() => {
        for (const e of store.entries.fileEntriesOfContent(row.content_uuid)) assert.ok(store.entries.delete(e.id));
        store.contents.delete(store.contents.byUuid(row.content_uuid)!.id);
      });
      assert.equal(store.contents.byUuid(row.content_uuid), undefined);
    } finally {
      db.close();
    }
    const r = await runCli(['sidecars', 'reconcile', '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { quarantined: number }).quarantined, 1);
    const kept = filesUnder(join(libPath, 'quarantine')).map((f) => readFileSync(join(libPath, 'quarantine', f)));
    assert.ok(kept.some((b) => b.equals(movies[0]!.bytes)), 'the only copy of the movie is kept');
  });
});
