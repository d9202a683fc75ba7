import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, FIXTURES_SKIP, json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';

interface Result { content_uuid: string; source: string; snippet: string; paths: string[] }
interface Detail { metadata: { place?: { city?: string; region?: string; country?: string; cc?: string }; gps?: { lat: number; lon: number }; camera?: { make?: string; model?: string; lens?: string }; exposure?: { f?: number; time?: string; iso?: number; mm?: number } } }

/**
 * Places (issue 32) through the CLI over real photos with GPS (the fixtures, copied to a temp
 * folder at test time): a deep scan gives each its place, camera and exposure; "Arezzo" finds the
 * photo taken there by its place; `place:` finds only by place, with other filters; a photo
 * without GPS has no place.
 */
describe('places of photos, found by name', { skip: FIXTURES_SKIP }, () => {
  const tmp = tempDir('vss-places-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const photos = join(tmp.path, 'photos');
  const cli = async <T>(args: string[]): Promise<T> => {
    const r = await runCli([...args, '--json'], env);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return json<T>(r);
  };
  after(() => tmp.cleanup());

  before(async () => {
    mkdirSync(photos);
    copyFileSync(join(FIXTURES, 'exif', 'gps', 'DSCN0010.jpg'), join(photos, 'DSCN0010.jpg'));
    copyFileSync(join(FIXTURES, 'exif', 'heic', 'IMG_5195.HEIC'), join(photos, 'IMG_5195.HEIC'));
    copyFileSync(join(FIXTURES, 'exif', 'Canon_40D.jpg'), join(photos, 'Canon_40D.jpg'));
    assert.equal((await runCli(['library', 'create', 'Home', '--path', join(tmp.path, 'libs')], env)).code, 0);
    const r = await runCli(['location', 'add', photos, '--name', 'Photos', '--mode', 'deep'], env);
    assert.equal(r.code, 0, r.stderr);
  });

  it('finds a photo by the town it was taken in, in words and with place:', async () => {
    const words = await cli<Result[]>(['search', 'Arezzo']);
    assert.deepEqual(words.map((r) => [r.paths[0]!.split('/').pop(), r.source, r.snippet]), [['DSCN0010.jpg', 'place', '[Arezzo], Tuscany, Italy']]);
    const byPlace = await cli<Result[]>(['search', 'place:Missouri']);
    assert.deepEqual(byPlace.map((r) => r.paths[0]!.split('/').pop()), ['IMG_5195.HEIC']);
    assert.deepEqual(await cli<Result[]>(['search', 'place:Missouri', 'kind:video']), []);
    assert.deepEqual(await cli<Result[]>(['search', 'place:"Blue Springs"', 'date:2020..']).then((r) => r.length), 1);
    assert.deepEqual(await cli<Result[]>(['search', 'place:Canon']), [], 'a camera is not a place');
  });

  it('lists the places by country and town', async () => {
    const places = await cli<Array<{ country: string; cc: string; count: number; cities: Array<{ city: string; region: string | null; count: number }> }>>(['places']);
    assert.deepEqual(places.map((c) => [c.country, c.cc, c.count, c.cities.map((t) => `${t.city}/${t.region}/${t.count}`)]).sort(), [
      ['Italy', 'IT', 1, ['Arezzo/Tuscany/1']], ['United States', 'US', 1, ['Blue Springs/Missouri/1']],
    ]);
  });

  it('keeps the place, coordinates, camera and exposure with the photo, and no place without GPS', async () => {
    const [tuscany] = await cli<Result[]>(['search', 'Arezzo']);
    const d = await cli<Detail>(['content', 'show', tuscany!.content_uuid]);
    assert.deepEqual(d.metadata.place, { country: 'Italy', cc: 'IT', city: 'Arezzo', region: 'Tuscany' });
    assert.ok(Math.abs(d.metadata.gps!.lat - 43.467448) < 1e-5 && Math.abs(d.metadata.gps!.lon - 11.885127) < 1e-5);
    assert.deepEqual(d.metadata.camera, { make: 'NIKON', model: 'COOLPIX P6000' });
    assert.deepEqual(d.metadata.exposure, { f: 5.9, time: '1/75', iso: 64, mm: 24 });
    const [canon] = await cli<Result[]>(['search', 'Canon_40D']);
    const c = await cli<Detail>(['content', 'show', canon!.content_uuid]);
    assert.equal(c.metadata.place, undefined);
    assert.equal(c.metadata.camera?.model, 'Canon EOS 40D');
  });
});
