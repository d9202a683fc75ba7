import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FACE_SAMPLES_SKIP, makeFacePhotos, type FacePhotos } from '../support/face-photos.js';
import { json, tempDir, until } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { pairDaemons } from '../sync-peers.js';

interface Person { person_id: string; name: string | null; faces: number; contents: number; hidden: boolean }
interface Face { face_id: string; person_id: string | null }

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0'];

/**
 * Faces found once, people named once, known everywhere (issue 31's "done when"), between two real
 * daemons over loopback: the laptop (A) holds the photos and makes their faces; the desktop (B)
 * holds none, fetches the faces sidecars instead of making them, and comes to the same people
 * with the same ids; a name given on the desktop shows on the laptop, a merge on the laptop on the
 * desktop, and `person:` finds the photos on both.
 */
describe('people across two devices (real daemons, real model)', { skip: FACE_SAMPLES_SKIP }, () => {
  const tmp = tempDir('vss-faces-x-');
  const device = (d: string): Record<string, string> => ({ VSS_DATA_DIR: join(tmp.path, d) });
  const [A, B] = [device('a'), device('b')];
  let photos: FacePhotos;
  after(async () => {
    await Promise.all([A, B].map((e) => runCli(['daemon', 'stop'], e)));
    tmp.cleanup();
  });
  const ok = async <T>(env: Record<string, string>, args: string[]): Promise<T> => {
    const r = await runCli([...args, '--json'], env);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return json<T>(r);
  };
  const people = (env: Record<string, string>) => ok<Person[]>(env, ['people', 'list']);
  const found = async (env: Record<string, string>, q: string) => (await ok<unknown[]>(env, ['search', q])).length;

  before(async () => {
    photos = await makeFacePhotos(join(tmp.path, 'photos-a'));
    mkdirSync(join(tmp.path, 'photos-b'));
    assert.equal((await runCli(['library', 'create', 'Home', '--path', join(tmp.path, 'libs')], A)).code, 0);
    for (const env of [A, B]) assert.equal((await runCli(['daemon', 'start', ...LOOPBACK], env)).code, 0);
    await pairDaemons(A, B);
    const b = await runCli(['location', 'add', join(tmp.path, 'photos-b'), '--name', 'Photos', '--mode', 'content'], B);
    assert.equal(b.code, 0, b.stderr);
    const a = await runCli(['location', 'add', join(tmp.path, 'photos-a'), '--name', 'Photos', '--mode', 'deep', '--generate', 'faces'], A);
    assert.equal(a.code, 0, a.stderr);
  });

  it('the laptop finds the people; the desktop comes to the same people from the fetched faces, making none', async () => {
    const onA = await until('two people on the laptop', 180_000, async () => {
      const p = await people(A);
      return p.length === 2 && p.every((x) => x.faces === 4) ? p : undefined;
    }, 500);
    const onB = await until('the same people on the desktop', 60_000, async () => {
      const p = await people(B);
      return p.length === 2 && p.every((x) => x.faces === 4) ? p : undefined;
    }, 500);
    assert.deepEqual(onB.map((p) => p.person_id).sort(), onA.map((p) => p.person_id).sort(), 'the same ids, derived alike from the same faces');
    assert.deepEqual(await ok<unknown[]>(B, ['jobs', 'list', '--kind', 'faces']), [], 'the desktop made no faces: it fetched them');
  });

  it('a name given on the desktop shows on the laptop; person: finds the photos on both', async () => {
    const [closeUp] = await ok<Face[]>(A, ['faces', 'list', photos.first[3]!]);
    await ok(B, ['people', 'name', closeUp!.person_id!, 'Ana']);
    await until('the name on the laptop', 20_000, async () => ((await people(A)).some((p) => p.person_id === closeUp!.person_id && p.name === 'Ana') ? true : undefined), 200);
    assert.equal(await found(A, 'person:Ana'), 4);
    assert.equal(await found(B, 'person:Ana'), 4, 'the desktop finds the laptop\'s photos of Ana');
  });

  it('a merge on the laptop is a merge on the desktop', async () => {
    const other = (await people(A)).find((p) => p.name === null)!;
    await ok(A, ['people', 'merge', 'Ana', other.person_id]);
    await until('one person on the desktop', 20_000, async () => {
      const p = await people(B);
      return p.length === 1 && p[0]!.name === 'Ana' && p[0]!.faces === 8 ? true : undefined;
    }, 200);
    assert.equal(await found(B, 'person:Ana'), 5);
  });
});
