import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { FACE_SAMPLES_SKIP, faceSamplesDir } from '../support/face-photos.js';
import { tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';

interface Face { face_id: string; person_id: string | null }
interface Person { person_id: string; name: string | null; faces: number; hidden: boolean }

/**
 * The ids `faces list` and `people list` print (their first 8 characters) name the face or person
 * in every face and people command, through the daemon too (issue 58): its API took a face by
 * its whole uuid only, so `vss faces assign 1a2b3c4d Ana` worked without a daemon and was refused
 * ("face must be a UUID") with one. One real group photo: face-api's sample1, three faces.
 */
describe('short face and person ids through the daemon (real CLI, real model)', { skip: FACE_SAMPLES_SKIP }, () => {
  const tmp = tempDir('vss-faces-short-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_NO_DAEMON: undefined, VSS_INSTANCE: undefined };
  const dir = join(tmp.path, 'photos');
  const photo = join(dir, 'group.jpg');
  const ok = async (...args: string[]): Promise<string> => {
    const r = await runCli(args, env);
    assert.equal(r.code, 0, `vss ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  /** The first word of each line: the short ids a text list shows. */
  const firstWords = (text: string) => text.trim().split('\n').map((l) => l.split(/\s+/)[0]!);

  before(async () => {
    mkdirSync(dir, { recursive: true });
    await sharp(join(faceSamplesDir()!, 'sample1.jpg')).toFile(photo);
    await ok('library', 'create', 'Home');
    // The faces made in this process, then the daemon started: every command after goes through its API.
    await runCli(['location', 'add', dir, '--mode', 'deep', '--generate', 'faces'], { ...env, VSS_NO_DAEMON: '1' });
    assert.equal((await runCli(['jobs', 'run', '--until-idle'], { ...env, VSS_NO_DAEMON: '1' })).code, 0);
    await ok('daemon', 'start');
  });
  after(async () => {
    await runCli(['daemon', 'stop'], env);
    tmp.cleanup();
  });

  it('faces assign, people name, faces, hide, show, split and merge take the ids the lists print', async () => {
    const shortFaces = firstWords(await ok('faces', 'list', photo));
    const faces = JSON.parse(await ok('faces', 'list', photo, '--json')) as Face[];
    assert.equal(faces.length, 3, 'three faces in the group photo');
    assert.deepEqual(shortFaces, faces.map((f) => f.face_id.slice(0, 8)), 'the text list shows each face by its first 8 characters');
    const [a, b, c] = shortFaces as [string, string, string];

    // A name nobody has makes a person of the face; the face named by its short id.
    await ok('faces', 'assign', a, 'Ana');
    await ok('faces', 'assign', b, 'Ben');
    const listed = await ok('people', 'list');
    const ids = new Map(listed.trim().split('\n').map((l) => [l.split(/\s+/)[1]!, l.split(/\s+/)[0]!]));
    const ana = ids.get('Ana')!;
    const ben = ids.get('Ben')!;
    assert.equal(ana.length, 8, listed);

    // A face given to a person by the start of their id (not a new person of that name).
    await ok('faces', 'assign', c, ana);
    assert.match(await ok('people', 'faces', ana), new RegExp(`^${c}`, 'm'));
    await ok('people', 'name', ana, 'Anna');
    await ok('people', 'hide', ben);
    await ok('people', 'show', ben);
    await ok('people', 'split', ana, c);
    await ok('people', 'merge', ana, ben);

    const now = JSON.parse(await ok('people', 'list', '--json')) as Person[];
    const anna = now.find((p) => p.name === 'Anna');
    assert.ok(anna && anna.person_id.startsWith(ana), JSON.stringify(now));
    assert.equal(anna.faces, 2, 'Ben merged into Anna; the face split out is a person of its own');
    assert.ok(!now.some((p) => p.name === ana), 'no person was named by an id start');
  });
});
