import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FIXTURES, FIXTURES_SKIP, json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';

interface Hit { content_uuid: string; kind: string; paths: string[] }

/**
 * A Live Photo is one photo in search results and in Places (issue 45): its movie, a reference sidecar of the
 * still (`live_photo_video/original`) and a content of its own, is never a second result — not by
 * its name, nor by the place both were taken. The real Apple pair of the fixtures, copied into the
 * test's folder.
 */
describe('a Live Photo\'s movie is not a second result (real fixtures, real CLI)', { skip: FIXTURES_SKIP }, () => {
  const tmp = tempDir('vss-live-results-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_NO_DAEMON: '1' };
  const tree = join(tmp.path, 'tree');
  after(() => tmp.cleanup());
  const search = async (q: string) => json<Hit[]>(await runCli(['search', q, '--json'], env));

  before(async () => {
    mkdirSync(tree, { recursive: true });
    for (const f of ['train.jpg', 'train.mov']) copyFileSync(join(FIXTURES, 'livephoto', 'apple-iphone6s', f), join(tree, f));
    assert.equal((await runCli(['library', 'create', 'L'], env)).code, 0);
    const added = json<{ live_photos: number }>(await runCli(['location', 'add', tree, '--mode', 'deep', '--generate', 'none', '--json'], env));
    assert.equal(added.live_photos, 1);
    assert.equal((await runCli(['jobs', 'run', '--until-idle'], env)).code, 0);
  });

  it('finds the still alone by the name both share, and by their place', async () => {
    const byName = await search('train');
    assert.deepEqual(byName.map((h) => [h.kind, h.paths.map((p) => p.endsWith('train.jpg'))]), [['image', [true]]], JSON.stringify(byName));
    const byPlace = await search('place:Hardingstone');
    assert.deepEqual(byPlace.map((h) => h.kind), ['image'], JSON.stringify(byPlace));
    assert.deepEqual(await search('train kind:video'), []);
  });

  it('counts the Live Photo once in Places', async () => {
    const places = json<Array<{ country: string; count: number; cities: Array<{ city: string; count: number }> }>>(await runCli(['places', '--json'], env));
    assert.deepEqual(places.map((p) => [p.count, p.cities.map((c) => [c.city, c.count])]), [[1, [['Hardingstone', 1]]]], JSON.stringify(places));
  });
});
