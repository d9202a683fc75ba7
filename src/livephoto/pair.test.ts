import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pairLivePhotos, splitPath, timesAgree, type MediaFile } from './pair.js';

const ID = 'E905E6C6-C747-4805-942F-9904A0281F02';
const OTHER = '11111111-2222-3333-4444-555555555555';
const T = Date.UTC(2021, 3, 10, 10, 44, 0, 814);
const exact = (ms: number) => ({ ms, exactZone: true });
const loose = (ms: number) => ({ ms, exactZone: false });

let nextId = 1;
function file(relPath: string, opts: { ids?: string[]; time?: MediaFile['time']; content?: string } = {}): MediaFile {
  const entryId = nextId++;
  return { entryId, contentUuid: opts.content ?? `content-${entryId}`, relPath, ids: opts.ids ?? [], time: opts.time };
}

/** still content → movie path, for readable assertions. */
function pairs(stills: MediaFile[], movies: MediaFile[], current?: (c: string) => number | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [content, p] of pairLivePhotos(stills, movies, current)) out[content] = p.movie.relPath;
  return out;
}

describe('pairLivePhotos', () => {
  it('pairs by identifier anywhere in the location', () => {
    const still = file('2021/photos/train.jpg', { ids: [ID], time: exact(T) });
    const movie = file('videos/clip-0001.mov', { ids: [ID], time: exact(T - 60_000) });
    const result = pairLivePhotos([still], [movie]);
    assert.equal(result.get(still.contentUuid)?.movie, movie);
    assert.equal(result.get(still.contentUuid)?.by, 'identifier', 'identifiers need no time agreement');
  });

  it('never pairs a still and a movie whose identifiers disagree, even with the same name and time', () => {
    const still = file('a/IMG_1.HEIC', { ids: [ID], time: exact(T) });
    const movie = file('a/IMG_1.MOV', { ids: [OTHER], time: exact(T) });
    assert.deepEqual(pairs([still], [movie]), {});
  });

  it('pairs by folder, stem and time when one side has no identifier', () => {
    const still = file('a/IMG_2.JPG', { time: exact(T) });
    const movie = file('a/img_2.mov', { ids: [ID], time: exact(T - 1800) });
    assert.deepEqual(pairs([still], [movie]), { [still.contentUuid]: 'a/img_2.mov' });
    const result = pairLivePhotos([still], [movie]);
    assert.equal(result.get(still.contentUuid)?.by, 'name-and-time');
  });

  it('needs the same folder for a name match', () => {
    const still = file('a/IMG_3.JPG', { time: exact(T) });
    const movie = file('b/IMG_3.MOV', { time: exact(T) });
    assert.deepEqual(pairs([still], [movie]), {});
  });

  it('keeps to the capture-time window', () => {
    const still = file('a/IMG_4.JPG', { time: exact(T) });
    assert.deepEqual(pairs([still], [file('a/IMG_4.MOV', { time: exact(T + 3000) })]), { [still.contentUuid]: 'a/IMG_4.MOV' });
    assert.deepEqual(pairs([still], [file('a/IMG_4.MOV', { time: exact(T + 3001) })]), {});
    assert.deepEqual(pairs([still], [file('a/IMG_4.MOV', { time: exact(T - 3600_000) })]), {}, 'exact zones: an hour apart is another moment');
  });

  it('requires both capture times, unless neither file has any', () => {
    const still = file('a/IMG_5.JPG', { time: exact(T) });
    assert.deepEqual(pairs([still], [file('a/IMG_5.MOV')]), {});
    const bare = file('a/IMG_6.JPG');
    assert.deepEqual(pairs([bare], [file('a/IMG_6.MOV', { time: exact(T) })]), {});
    assert.deepEqual(pairs([bare], [file('a/IMG_6.MOV')]), { [bare.contentUuid]: 'a/IMG_6.MOV' });
  });

  it('gives each still the nearest of several movies sharing its identifier', () => {
    const movies = [
      file('elsewhere/deep/clip.mov', { ids: [ID], time: exact(T) }),
      file('2021/april/other-name.mov', { ids: [ID], time: exact(T) }),
      file('2021/april/train.mov', { ids: [ID], time: exact(T) }),
      file('2021/may/train.mov', { ids: [ID], time: exact(T) }),
    ];
    const sameStem = file('2021/april/train.jpg', { ids: [ID] });
    const sameFolder = file('2021/may/renamed.jpg', { ids: [ID] });
    const nearestTree = file('2021/june/train.jpg', { ids: [ID] });
    const far = file('elsewhere/deep/x/train.jpg', { ids: [ID] });
    assert.deepEqual(pairs([sameStem, sameFolder, nearestTree, far], movies), {
      [sameStem.contentUuid]: '2021/april/train.mov',
      [sameFolder.contentUuid]: '2021/may/train.mov',
      // No movie in 2021/june: the ones under 2021/ share more folders than elsewhere/deep; then by path.
      [nearestTree.contentUuid]: '2021/april/other-name.mov',
      [far.contentUuid]: 'elsewhere/deep/clip.mov',
    });
  });

  it('records one movie per still content, from the copy that is nearest to one', () => {
    const content = 'shared-still';
    const a = file('x/IMG_7.HEIC', { ids: [ID], content });
    const b = file('y/IMG_7.HEIC', { ids: [ID], content });
    const movie = file('y/IMG_7.MOV', { ids: [ID] });
    const result = pairLivePhotos([a, b], [file('z/IMG_7.MOV', { ids: [ID] }), movie]);
    assert.equal(result.size, 1);
    assert.equal(result.get(content)?.movie, movie);
    assert.equal(result.get(content)?.still, b);
  });

  it('keeps the movie already recorded among equally near copies, so rescans do not flap', () => {
    const still = file('s/train.jpg', { ids: [ID] });
    const m1 = file('copies/1/train.mov', { ids: [ID] });
    const m2 = file('copies/2/train.mov', { ids: [ID] });
    assert.deepEqual(pairs([still], [m1, m2]), { [still.contentUuid]: 'copies/1/train.mov' });
    assert.deepEqual(pairs([still], [m1, m2], () => m2.entryId), { [still.contentUuid]: 'copies/2/train.mov' });
    // ...but a nearer movie replaces it.
    const near = file('s/train.mov', { ids: [ID] });
    assert.deepEqual(pairs([still], [m1, m2, near], () => m2.entryId), { [still.contentUuid]: 's/train.mov' });
  });

  it('prefers the closer capture time between two name matches', () => {
    const still = file('a/IMG_8.JPG', { time: exact(T) });
    assert.deepEqual(pairs([still], [file('a/IMG_8.mp4', { time: exact(T + 2500) }), file('a/IMG_8.MOV', { time: exact(T - 500) })]), {
      [still.contentUuid]: 'a/IMG_8.MOV',
    });
  });

  it('leaves a still without a movie alone', () => {
    assert.deepEqual(pairs([file('orphan/IMG_1309.HEIC', { ids: ['FCF200B0-D364-4703-B3F3-E88F0C7F6396'] })], [file('train.mov', { ids: [ID] })]), {});
  });
});

describe('timesAgree', () => {
  it('allows a whole time-zone offset only when a zone is not certain', () => {
    assert.equal(timesAgree(exact(T), exact(T + 3600_000)), false);
    assert.equal(timesAgree(loose(T), exact(T + 3600_000 + 1500)), true, 'local still against a UTC movie, one hour east');
    assert.equal(timesAgree(loose(T), exact(T - (5 * 3600_000 + 30 * 60_000))), true, 'half-hour zones exist');
    assert.equal(timesAgree(loose(T), exact(T + 3600_000 + 10_000)), false);
    assert.equal(timesAgree(loose(T), exact(T + 15 * 3600_000)), false, 'no zone is 15 hours away');
  });
});

describe('splitPath', () => {
  it('splits folder and lower-cased stem', () => {
    assert.deepEqual(splitPath('a/b/IMG_0001.HEIC'), { folder: 'a/b', stem: 'img_0001' });
    assert.deepEqual(splitPath('PXL_1.MP.jpg'), { folder: '', stem: 'pxl_1.mp' });
    assert.deepEqual(splitPath('dir/.hidden'), { folder: 'dir', stem: '.hidden' });
  });
});
