import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Installation } from '../../library/installation.js';
import type { Library } from '../../library/library.js';
import { addLocation, scanLocation } from '../../locations/locations.js';
import { tempDir } from '../../../test/helpers.js';
import { contentUuidAt } from '../../../test/support/entries.js';
import { planSend } from './sources.js';

/**
 * planSend over a real library: picked contents are told apart by their bytes, so two cameras'
 * IMG_0001.JPG go under names of their own; files named by path keep the old refusal, since the
 * receiver would lose which folder each came from.
 */
describe('a send planned from picked contents', () => {
  const tmp = tempDir('vss-plan-send-');
  const tree = join(tmp.path, 'tree');
  let lib: Library;

  before(async () => {
    for (const cam of ['cam-a', 'cam-b']) {
      mkdirSync(join(tree, cam), { recursive: true });
      writeFileSync(join(tree, cam, 'IMG_0001.JPG'), `photo from ${cam}\n`);
    }
    lib = new Installation({ dataDir: join(tmp.path, 'data') }).createLibrary('P', tmp.path);
    await scanLocation(lib, addLocation(lib, tree, { mode: 'content' }).id);
  });
  after(() => { lib.close(); tmp.cleanup(); });

  it('renames same-named contents apart', () => {
    const a = contentUuidAt(lib, 'cam-a/IMG_0001.JPG')!;
    const b = contentUuidAt(lib, 'cam-b/IMG_0001.JPG')!;
    const { items } = planSend(lib, [a, b]);
    assert.deepEqual(items.map((i) => [i.path, i.name]), [
      [join(tree, 'cam-a', 'IMG_0001.JPG'), 'IMG_0001.JPG'],
      [join(tree, 'cam-b', 'IMG_0001.JPG'), 'IMG_0001 (2).JPG'],
    ]);
  });

  it('keeps a file named by path under its own name, and refuses two paths of one name', () => {
    const b = contentUuidAt(lib, 'cam-b/IMG_0001.JPG')!;
    const { items } = planSend(lib, [b, join(tree, 'cam-a', 'IMG_0001.JPG')]);
    assert.deepEqual(items.map((i) => i.name), ['IMG_0001 (2).JPG', 'IMG_0001.JPG']);
    assert.throws(() => planSend(lib, [join(tree, 'cam-a', 'IMG_0001.JPG'), join(tree, 'cam-b', 'IMG_0001.JPG')]), /have the same name/);
  });

  it('leaves out a content with no file here and names it, and refuses when nothing is left', () => {
    const a = contentUuidAt(lib, 'cam-a/IMG_0001.JPG')!;
    const elsewhere = '0b1e9a52-7c55-4f0e-9d8e-3c8a1d2f4e60';
    const plan = planSend(lib, [a, elsewhere]);
    assert.deepEqual([plan.items.map((i) => i.name), plan.not_here], [['IMG_0001.JPG'], [elsewhere]]);
    assert.throws(() => planSend(lib, [elsewhere]), /cannot be sent from this device: no such content in this library/);
  });

  it('sends a file named twice (by its path and by its content) once, under its own name', () => {
    const a = contentUuidAt(lib, 'cam-a/IMG_0001.JPG')!;
    const { items } = planSend(lib, [join(tree, 'cam-a', 'IMG_0001.JPG'), a.toUpperCase(), a]);
    assert.deepEqual(items.map((i) => [i.path, i.name]), [[join(tree, 'cam-a', 'IMG_0001.JPG'), 'IMG_0001.JPG']]);
  });
});
