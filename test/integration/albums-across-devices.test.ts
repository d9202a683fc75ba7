import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { json, tempDir, until } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { pairDaemons } from '../sync-peers.js';

interface Album { album_id: string; name: string; parent: string | null; path: string[]; query: string | null; cover: string | null; count: number; same_name: boolean }
interface Shown extends Album { contents: string[] }

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0'];

/**
 * Albums (issue 32) between two real daemons over loopback: an album made and filled on the
 * laptop shows on the desktop with the same contents (the desktop's own copies and the laptop's);
 * a smart album follows the library on both, a new matching file found on either; nested albums,
 * `album:` in search, a smart album refused where a manual one is asked, and a bad album op refused.
 */
describe('albums across two devices', () => {
  const tmp = tempDir('vss-albums-x-');
  const device = (d: string): Record<string, string> => ({ VSS_DATA_DIR: join(tmp.path, d) });
  const [A, B] = [device('a'), device('b')];
  const photosA = join(tmp.path, 'photos-a');
  const photosB = join(tmp.path, 'photos-b');
  after(async () => {
    await Promise.all([A, B].map((e) => runCli(['daemon', 'stop'], e)));
    tmp.cleanup();
  });
  const ok = async <T>(env: Record<string, string>, args: string[]): Promise<T> => {
    const r = await runCli([...args, '--json'], env);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return json<T>(r);
  };
  const uuidOf = async (env: Record<string, string>, name: string): Promise<string> => {
    const all = await ok<Array<{ content_uuid: string; paths?: string[]; snippet: string }>>(env, ['search', `"${name}"`]);
    assert.equal(all.length, 1, `one content named ${name}`);
    return all[0]!.content_uuid;
  };

  before(async () => {
    mkdirSync(photosA);
    mkdirSync(photosB);
    writeFileSync(join(photosA, 'harbour-boat.txt'), 'a boat in the harbour');
    writeFileSync(join(photosA, 'harbour-walls.txt'), 'the city walls');
    writeFileSync(join(photosA, 'kitchen.txt'), 'dinner at home');
    writeFileSync(join(photosB, 'harbour-sunset.txt'), 'sunset over the harbour');
    writeFileSync(join(photosB, 'boat-copy.txt'), 'a boat in the harbour'); // the same content as the laptop's boat
    assert.equal((await runCli(['library', 'create', 'Home', '--path', join(tmp.path, 'libs')], A)).code, 0);
    for (const env of [A, B]) assert.equal((await runCli(['daemon', 'start', ...LOOPBACK], env)).code, 0);
    await pairDaemons(A, B);
    for (const [env, dir] of [[A, photosA], [B, photosB]] as const) {
      const r = await runCli(['location', 'add', dir, '--name', 'Photos', '--mode', 'content'], env);
      assert.equal(r.code, 0, r.stderr);
    }
  });

  it('an album made and filled on the laptop shows on the desktop, nested, and is searched with album:', async () => {
    const boat = await uuidOf(A, 'harbour-boat');
    const walls = await uuidOf(A, 'harbour-walls');
    const made = await ok<{ album: Album; changed: number; created: boolean }>(A, ['album', 'add', 'Dubrovnik', join(photosA, 'harbour-boat.txt'), walls]);
    assert.equal(made.created, true);
    assert.equal(made.changed, 2);
    assert.equal(made.album.count, 2);
    const sub = await ok<Album>(A, ['album', 'create', 'Old town', '--parent', 'Dubrovnik']);
    assert.deepEqual(sub.path, ['Dubrovnik', 'Old town']);
    const kitchen = await uuidOf(A, 'kitchen');
    await ok(A, ['album', 'add', 'Old town', kitchen]);
    // The last change, and one the desktop cannot show before it comes: an album with no cover
    // chosen shows its first content by uuid, so the cover set is the other one. Changes arrive
    // in the order they were made: with it there, the sub-album is there too.
    const cover = [boat, walls].sort()[1]!;
    await ok(A, ['album', 'set', 'Dubrovnik', '--cover', cover]);

    const there = await until('the album on the desktop', 20_000, async () => {
      const s = await runCli(['album', 'show', 'Dubrovnik', '--json'], B);
      if (s.code !== 0) return undefined;
      const shown = json<Shown>(s);
      return shown.cover === cover && shown.contents.length === 2 ? shown : undefined;
    }, 200);
    assert.equal(there.album_id, made.album.album_id, 'the same album, by its id');
    assert.deepEqual(there.contents, [boat, walls].sort());
    const listed = await ok<Album[]>(B, ['album', 'list']);
    assert.deepEqual(listed.map((a) => a.path.join('/')).sort(), ['Dubrovnik', 'Dubrovnik/Old town']);

    // album: takes the albums within it; the desktop finds its own copy of the boat among them.
    // The search index follows the library by itself: the album's rows and the desktop's own file reach it in their time.
    const want = [boat, walls, kitchen].sort();
    const found = await until('album:Dubrovnik finding all three on the desktop', 20_000, async () => {
      const r = await ok<Array<{ content_uuid: string; paths: string[] }>>(B, ['search', 'album:Dubrovnik']);
      return JSON.stringify(r.map((x) => x.content_uuid).sort()) === JSON.stringify(want) ? r : undefined;
    }, 200);
    assert.deepEqual(found.map((r) => r.content_uuid).sort(), want);
    assert.ok(found.find((r) => r.content_uuid === boat)!.paths.some((p) => p.endsWith('boat-copy.txt')), 'the desktop\'s own copy of the boat');
    const withWords = await ok<Array<{ content_uuid: string }>>(B, ['search', 'album:Dubrovnik', 'walls']);
    assert.deepEqual(withWords.map((r) => r.content_uuid), [walls]);

    // Taken out on the desktop: gone on the laptop.
    await ok(B, ['album', 'remove', 'Dubrovnik', boat]);
    await until('the removal on the laptop', 20_000, async () => ((await ok<Shown>(A, ['album', 'show', 'Dubrovnik'])).contents.length === 1 ? true : undefined), 200);
  });

  it('a smart album follows the library on both devices: a new matching file on either joins it', async () => {
    const smart = await ok<Album>(A, ['album', 'create', 'Harbour', '--query', 'harbour kind:text']);
    assert.equal(smart.query, 'harbour kind:text');
    const count = async (env: Record<string, string>) => (await ok<Shown>(env, ['album', 'show', 'Harbour'])).contents.length;
    // The laptop's two harbour files, the desktop's sunset (and the boat's copy, the same content as the laptop's boat).
    await until('the smart album on the desktop', 20_000, async () => ((await runCli(['album', 'show', 'Harbour', '--json'], B)).code === 0 && (await count(B)) === 3 ? true : undefined), 200);
    assert.equal(await count(A), 3);
    writeFileSync(join(photosB, 'harbour-night.txt'), 'the harbour at night');
    for (const env of [B, A]) await until('the new harbour file in the smart album', 30_000, async () => ((await count(env)) === 4 ? true : undefined), 250);
    const put = await runCli(['album', 'add', 'Harbour', join(photosB, 'harbour-night.txt')], B);
    assert.equal(put.code, 2, 'nothing is put in a smart album');
    assert.match(put.stderr, /smart album: what it holds is what its search finds/);
    // album: with a smart album is its search, joined to the rest of the query.
    const nested = await ok<Array<{ content_uuid: string }>>(A, ['search', 'album:Harbour', 'sunset']);
    assert.equal(nested.length, 1);
  });

  it('refuses what cannot be an album and a smart album that names itself', async () => {
    const self = await runCli(['album', 'set', 'Harbour', '--query', 'album:Harbour'], A);
    assert.equal(self.code, 2);
    assert.match(self.stderr, /names itself/);
    const bad = await runCli(['album', 'create', ' spaced '], A);
    assert.equal(bad.code, 2);
    const loop = await runCli(['album', 'set', 'Dubrovnik', '--parent', 'Old town'], A);
    assert.equal(loop.code, 2);
    assert.match(loop.stderr, /cannot be within itself/);
    const date = await runCli(['search', 'date:2024-13'], A);
    assert.equal(date.code, 2);
    const gone = await ok<Album>(A, ['album', 'delete', 'Dubrovnik']);
    assert.equal(gone.name, 'Dubrovnik');
    await until('the album gone on the desktop, its sub-album at the top', 20_000, async () => {
      const all = await ok<Album[]>(B, ['album', 'list']);
      return all.some((a) => a.name === 'Old town' && a.parent === null) && !all.some((a) => a.name === 'Dubrovnik') ? true : undefined;
    }, 200);
  });
});
