import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ExifTool } from 'exiftool-vendored';
import sharp from 'sharp';
import { FIXTURES } from '../helpers.js';

/** What `makeShoot` put where: the files of each expected stack, and the photos that must stay apart. */
export interface Shoot {
  dir: string;
  pairs: Array<{ raw: string; jpeg: string }>;
  /** Each burst's frames, the one the rules pick as its cover first. */
  bursts: Array<{ how: string; frames: string[] }>;
  /** A RAW and a JPEG of one name taken 20 s apart: two photos. */
  apart: { raw: string; jpeg: string };
}

/**
 * A camera card of real RAW files from several makers and the JPEGs their cameras would write
 * beside them (issue 45's stacks), in DIR: each RAW's own embedded JPEG written out under the
 * RAW's base name with the RAW's capture time and camera (the fixtures hold no RAW+JPEG pair of
 * one shot: their RAWs are cut short of 4 MiB); bursts named as Samsung and Pixel phones name
 * them, and one camera's frames a third of a second apart; a RAW and a JPEG of one name taken
 * apart. Files of one shoot are distinct contents.
 */
export async function makeShoot(dir: string): Promise<Shoot> {
  mkdirSync(dir, { recursive: true });
  const at = (n: string) => join(dir, n);
  const et = new ExifTool({ maxProcs: 1 });
  try {
    const raws: Array<[string, string, 'JpgFromRaw' | 'PreviewImage']> = [
      ['raw/nikon-d7100.NEF', 'DSC_0001.NEF', 'JpgFromRaw'],
      ['raw/canon-eos-r6.cr3', 'IMG_0002.CR3', 'PreviewImage'],
      ['raw/canon-eos-6d.dng', 'IMG_2533.dng', 'PreviewImage'],
    ];
    const pairs: Shoot['pairs'] = [];
    for (const [src, name, tag] of raws) {
      const raw = at(name);
      const jpeg = at(name.replace(/\.[^.]+$/, '.JPG'));
      copyFileSync(join(FIXTURES, src), raw);
      await et.extractBinaryTag(tag, raw, jpeg);
      await et.write(jpeg, {} as never, { writeArgs: ['-overwrite_original', '-TagsFromFile', raw, '-DateTimeOriginal', '-Make', '-Model'] });
      pairs.push({ raw, jpeg });
    }
    // The complete DNG again with its clock 20 s on (other bytes), and a JPEG of its name as the camera wrote the first shot.
    const apart = { raw: at('IMG_9999.dng'), jpeg: at('IMG_9999.JPG') };
    copyFileSync(join(FIXTURES, 'raw/canon-eos-6d.dng'), apart.raw);
    await et.write(apart.raw, { DateTimeOriginal: '2019:06:06 07:30:11' } as never, { writeArgs: ['-overwrite_original'] });
    await sharp(pairs[2]!.jpeg).resize(800).jpeg({ quality: 80 }).toFile(apart.jpeg);
    await et.write(apart.jpeg, {} as never, { writeArgs: ['-overwrite_original', '-TagsFromFile', pairs[2]!.raw, '-DateTimeOriginal', '-Make', '-Model'] });

    // Frames: one real photo at several sizes (distinct contents), written as each phone names a burst.
    const source = join(FIXTURES, 'exif/gps/DSCN0010.jpg');
    let width = 600;
    const frame = async (name: string) => {
      await sharp(source).resize(width++).jpeg({ quality: 85 }).toFile(at(name));
      return at(name);
    };
    const samsung = [await frame('20240512_101500_001.jpg'), await frame('20240512_101500_002.jpg'), await frame('20240512_101500_003.jpg')];
    const pixel = [
      await frame('00001IMG_00001_BURST20240512101530123_COVER.jpg'),
      await frame('00000IMG_00000_BURST20240512101530123.jpg'),
      await frame('00002IMG_00002_BURST20240512101530123.jpg'),
    ];
    const timed: string[] = [];
    for (const [i, sub] of ['100', '433', '766'].entries()) {
      const f = await frame(`A7_${1000 + i}.jpg`);
      await et.write(f, { DateTimeOriginal: '2024:05:12 11:00:00', SubSecTimeOriginal: sub, Make: 'SONY', Model: 'ILCE-7M3' } as never, { writeArgs: ['-overwrite_original'] });
      timed.push(f);
    }
    // The same camera 5 s later: a photo of its own.
    const later = await frame('A7_1010.jpg');
    await et.write(later, { DateTimeOriginal: '2024:05:12 11:00:05', SubSecTimeOriginal: '100', Make: 'SONY', Model: 'ILCE-7M3' } as never, { writeArgs: ['-overwrite_original'] });
    return { dir, pairs, bursts: [{ how: 'samsung', frames: samsung }, { how: 'pixel', frames: pixel }, { how: 'one camera', frames: timed }], apart };
  } finally {
    await et.end();
  }
}
