import assert from 'node:assert/strict';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FACE_SAMPLES_SKIP, makeFacePhotos, makeHostilePictures, type FacePhotos } from '../support/face-photos.js';
import { json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';

interface Person { person_id: string; name: string | null; faces: number; contents: number; hidden: boolean }
interface Face { face_id: string; box: { x: number; y: number; w: number; h: number }; score: number; person_id: string | null }
interface Job { kind: string; status: string; error: string | null; note: string | null; name: string; content_uuid: string }

/**
 * Faces and people on one device, through the real CLI and the real model (issue 31): photos made
 * from face-api's sample group photo, two of its people in four photos each; found, clustered,
 * named, searched, merged, split, hidden and corrected. And pictures that must not harm anything.
 */
describe('faces and people (real CLI, real model)', { skip: FACE_SAMPLES_SKIP }, () => {
  const tmp = tempDir('vss-faces-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  let photos: FacePhotos;
  after(() => tmp.cleanup());
  const ok = async <T>(args: string[]): Promise<T> => {
    const r = await runCli([...args, '--json'], env);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return json<T>(r);
  };
  const people = () => ok<Person[]>(['people', 'list']);
  const facesOf = (file: string) => ok<Face[]>(['faces', 'list', file]);
  const found = async (query: string) => (await ok<Array<{ content_uuid: string; name?: string; path?: string }>>(['search', query])).length;

  before(async () => {
    photos = await makeFacePhotos(join(tmp.path, 'photos'));
    assert.equal((await runCli(['library', 'create', 'Home'], env)).code, 0);
    const add = await runCli(['location', 'add', join(tmp.path, 'photos'), '--mode', 'deep', '--generate', 'faces'], env);
    assert.equal(add.code, 0, add.stderr);
    const run = await runCli(['jobs', 'run', '--until-idle'], env);
    assert.equal(run.code, 0, run.stderr);
  });

  it('finds the two people who are in four photos each, and nobody in a picture without a face', async () => {
    const list = await people();
    assert.deepEqual(list.map((p) => [p.faces, p.contents, p.name, p.hidden]), [[4, 4, null, false], [4, 4, null, false]], JSON.stringify(list));
    for (const p of list) assert.deepEqual(Object.keys(p), ['person_id', 'name', 'faces', 'contents', 'hidden'], 'the --json shape is the contract');
    const party = await facesOf(photos.both[0]!);
    assert.equal(party.length, 3, 'three faces in the group photo');
    for (const f of party) {
      assert.deepEqual(Object.keys(f), ['face_id', 'box', 'score', 'person_id']);
      for (const v of Object.values(f.box)) assert.ok(v >= 0 && v <= 1);
    }
    assert.deepEqual(party.map((f) => f.person_id === null), [false, false, true], 'the third face is in one photo only: nobody yet');
    assert.deepEqual(await facesOf(photos.noFace), []);
    // A face is the same person in every photo it is in.
    const [firstId] = (await facesOf(photos.first[3]!)).map((f) => f.person_id);
    const [secondId] = (await facesOf(photos.second[3]!)).map((f) => f.person_id);
    assert.ok(firstId && secondId && firstId !== secondId);
    assert.equal(party[0]!.person_id, firstId);
    assert.equal(party[1]!.person_id, secondId);
  });

  it('a person named once is found by person: (two person: terms: both in the photo), combined with words', async () => {
    const [first] = (await facesOf(photos.first[3]!)).map((f) => f.person_id!);
    const [second] = (await facesOf(photos.second[3]!)).map((f) => f.person_id!);
    await ok(['people', 'name', first!, 'Ana']);
    await ok(['people', 'name', second!, 'Ben Horvat']);
    assert.equal(await found('person:Ana'), 4);
    assert.equal(await found('person:ana'), 4, 'names are found in any case');
    assert.equal(await found('person:"Ben Horvat"'), 4);
    assert.equal(await found('person:Ana person:"Ben Horvat"'), photos.both.length);
    assert.equal(await found('person:Ana close'), 1, 'words narrow it: first-close.jpg');
    assert.equal(await found('person:Nobody'), 0);
    const bad = await runCli(['search', 'person:'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /person: needs a name/);
    const names = (await people()).map((p) => p.name);
    assert.deepEqual(names, ['Ana', 'Ben Horvat']);
  });

  it('merge, split, hide, show and a face put with nobody, each as the lists say', async () => {
    const merged = await ok<Person>(['people', 'merge', 'Ana', 'Ben Horvat']);
    assert.equal(merged.name, 'Ana');
    assert.equal(merged.faces, 8);
    assert.equal(merged.contents, 5, 'the three photos with both, and one close-up of each');
    assert.equal((await people()).length, 1);
    assert.equal(await found('person:Ana'), 5);
    assert.equal(await found('person:"Ben Horvat"'), 0, 'a merged name is gone with its person');
    // The grey close-up's face taken out again, named, then put with nobody.
    const [greyFace] = await facesOf(photos.second[3]!);
    const split = await ok<Person>(['people', 'split', 'Ana', greyFace!.face_id]);
    assert.equal(split.faces, 1);
    await ok(['people', 'name', split.person_id, 'Grey']);
    assert.equal(await found('person:Grey'), 1);
    const none = await ok<Face>(['faces', 'assign', greyFace!.face_id, 'none']);
    assert.equal(none.person_id, null);
    assert.equal(await found('person:Grey'), 0);
    // A name nobody has makes a person of the face.
    const made = await ok<Face>(['faces', 'assign', greyFace!.face_id, 'Cleo']);
    assert.ok(made.person_id);
    assert.equal(await found('person:Cleo'), 1);
    const hidden = await ok<Person>(['people', 'hide', 'Cleo']);
    assert.equal(hidden.hidden, true);
    assert.ok(!(await ok<Person[]>(['people', 'list', '--no-hidden'])).some((p) => p.name === 'Cleo'));
    assert.equal((await ok<Person>(['people', 'show', 'Cleo'])).hidden, false);
    // The text list shows no uuid (36 characters nobody reads), and the short id it shows names the person.
    const text = await runCli(['people', 'list'], env);
    assert.equal(text.code, 0, text.stderr);
    assert.doesNotMatch(text.stdout, /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/, text.stdout);
    const cleoLine = text.stdout.split('\n').find((l) => l.includes('Cleo'))!;
    assert.equal(cleoLine.split('  ')[0], made.person_id!.slice(0, 8), cleoLine);
    assert.equal((await ok<Person>(['people', 'show', cleoLine.split('  ')[0]!])).person_id, made.person_id);
    // A face by the start of its id, given to a person by the start of theirs (not a new person of that name).
    const again = await ok<Face>(['faces', 'assign', greyFace!.face_id.slice(0, 8), made.person_id!.slice(0, 8)]);
    assert.equal(again.person_id, made.person_id);
    assert.ok(!(await people()).some((p) => p.name === made.person_id!.slice(0, 8)));
    const nobody = await runCli(['people', 'name', 'Zed', 'Zoe'], env);
    assert.equal(nobody.code, 1, nobody.stderr);
    assert.match(nobody.stderr, /nobody is named "Zed"/);
    const badName = await runCli(['people', 'name', 'Cleo', ' padded '], env);
    assert.equal(badName.code, 2);
  });

  it('hostile pictures are refused with a reason or handled within bounds, and the rest goes on', async () => {
    const odd = await makeHostilePictures(join(tmp.path, 'odd'));
    const add = await runCli(['location', 'add', join(tmp.path, 'odd'), '--mode', 'deep', '--generate', 'faces'], env);
    assert.equal(add.code, 0, add.stderr);
    await runCli(['jobs', 'run', '--until-idle'], env);
    const jobs = new Map((await ok<Job[]>(['jobs', 'list', '--kind', 'faces'])).map((j) => [j.name, j]));
    const job = (file: string) => jobs.get(basename(file))!;
    assert.equal(job(odd.truncated).status, 'failed');
    assert.match(job(odd.truncated).error ?? '', /could not be decoded/);
    assert.equal(job(odd.bomb).status, 'failed');
    assert.match(job(odd.bomb).error ?? '', /more than the 100 MP limit/);
    for (const f of [odd.tiny, odd.deep16, odd.cmyk, odd.crowd, odd.animated]) assert.equal(job(f).status, 'completed', `${basename(f)}: ${job(f).error}`);
    assert.deepEqual(await facesOf(odd.tiny), []);
    assert.ok((await facesOf(odd.deep16)).length >= 1, 'a 16-bit PNG is read');
    assert.ok((await facesOf(odd.cmyk)).length >= 1, 'a CMYK JPEG is read');
    assert.equal((await facesOf(odd.animated)).length, 1, 'an animation: its first frame');
    const crowd = await facesOf(odd.crowd);
    assert.ok(crowd.length >= 20 && crowd.length <= 100, `a crowd of 60 faces: ${crowd.length} found, at most 100 kept`);
    // What was there before is untouched (the crowd's cut-outs of sample1 may add Ana's faces, never take any).
    assert.ok(await found('person:Ana') >= 4);
    assert.equal(await found('person:Ana close'), 1);
  });

  it('faces made again (a newer model) keep what users said of them', async () => {
    const before = await people();
    const r = await ok<{ queued: number }>(['faces', 'remake', photos.first[3]!, photos.second[3]!]);
    assert.equal(r.queued, 2);
    assert.deepEqual(await facesOf(photos.second[3]!), [], 'gone until made again');
    assert.equal((await runCli(['jobs', 'run', '--until-idle'], env)).code, 0);
    assert.equal(await found('person:Ana close'), 1);
    assert.equal(await found('person:Cleo'), 1, 'the face put with Cleo by hand is hers again');
    assert.deepEqual((await people()).map((p) => [p.person_id, p.name, p.faces]), before.map((p) => [p.person_id, p.name, p.faces]));
  });
});
