import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { FACE_SAMPLES_SKIP, faceSamplesDir } from '../support/face-photos.js';
import { json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';

interface Face { face_id: string; box: { x: number; y: number; w: number; h: number }; score: number; person_id: string | null }

/** How much tighter than the model's own box each head is cropped: no margin at all, a little of the face cut. */
const TIGHT = 0.9;

/**
 * Tight portraits (issue 45): a head cropped to its face with no margin (an ID photo) has its face
 * found, once, while the group photo it was cut from keeps its three faces. Real faces: the three
 * of face-api's sample1 (a real group photo shipped in the npm package; /work/shared/fixtures has
 * no photo with a face), found by the CLI in the whole photo, then cropped with sharp.
 */
describe('faces on tight portraits (real CLI, real model)', { skip: FACE_SAMPLES_SKIP }, () => {
  const tmp = tempDir('vss-faces-tight-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_NO_DAEMON: '1' };
  const dir = join(tmp.path, 'photos');
  const tight: string[] = [];
  after(() => tmp.cleanup());
  const ok = async <T>(args: string[]): Promise<T> => {
    const r = await runCli([...args, '--json'], env);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return json<T>(r);
  };
  const facesOf = (file: string) => ok<Face[]>(['faces', 'list', file]);
  const group = join(dir, 'group.jpg');

  before(async () => {
    mkdirSync(dir, { recursive: true });
    await sharp(join(faceSamplesDir()!, 'sample1.jpg')).toFile(group);
    assert.equal((await runCli(['library', 'create', 'Home'], env)).code, 0);
    assert.equal((await runCli(['location', 'add', dir, '--mode', 'deep', '--generate', 'faces'], env)).code, 0);
    assert.equal((await runCli(['jobs', 'run', '--until-idle'], env)).code, 0);
    const { width = 0, height = 0 } = await sharp(group).metadata();
    for (const [i, f] of (await facesOf(group)).entries()) {
      const w = f.box.w * width * TIGHT;
      const h = f.box.h * height * TIGHT;
      const left = Math.round((f.box.x + f.box.w / 2) * width - w / 2);
      const top = Math.round((f.box.y + f.box.h / 2) * height - h / 2);
      const file = join(dir, `head-${i}.jpg`);
      await sharp(group).extract({ left, top, width: Math.round(w), height: Math.round(h) }).jpeg({ quality: 90 }).toFile(file);
      tight.push(file);
    }
    assert.equal((await runCli(['location', 'rescan', dir], env)).code, 0);
    assert.equal((await runCli(['jobs', 'run', '--until-idle'], env)).code, 0);
  });

  it('finds the one face of each head cropped with no margin, its box within the picture', async () => {
    assert.equal(tight.length, 3, 'sample1 has three faces');
    for (const file of tight) {
      const faces = await facesOf(file);
      assert.equal(faces.length, 1, `${file}: ${JSON.stringify(faces)}`);
      const { box } = faces[0]!;
      for (const v of [box.x, box.y, box.x + box.w, box.y + box.h]) assert.ok(v >= 0 && v <= 1, JSON.stringify(box));
      assert.ok(box.w * box.h > 0.5, `the face fills most of the picture: ${JSON.stringify(box)}`);
    }
  });

  it('keeps the group photo\'s three faces, one per head', async () => {
    assert.equal((await facesOf(group)).length, 3);
  });
});
