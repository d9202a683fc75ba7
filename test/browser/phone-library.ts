import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ExifTool } from 'exiftool-vendored';
import sharp from 'sharp';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { FIXTURES } from '../helpers.js';
import { startUiLibrary, type UiLibrary } from './ui-library.js';

// Inside page.evaluate the page's globals exist; this project compiles without the DOM lib.
declare const requestAnimationFrame: (fn: () => void) => number;
declare const navigator: object;

/** A folder's name with no space to wrap at, wider than a Similar card (issue 58: the path ran over the next card). */
export const LONG_FOLDER = 'Exported_from_Lightroom_Classic_2019_Dolomites_Seceda_ridgeline_final_selection';
/** The JPEG of the RAW+JPEG pair (one tile, "RAW+JPEG" on it). */
export const PAIR_JPEG = 'DSC_0001.JPG';
/** Distinct small photos besides: enough items for a viewer's counter of two digits ("13 / 18"). */
const NOISE = 12;

/**
 * The first hour's library (issue 58 item 3), a real daemon over real files: a Live Photo, a
 * video, a photo, a RAW with the JPEG its camera wrote beside it (a stack), the Live Photo's still
 * re-saved smaller deep in a folder of a long name (a Similar pair), and a dozen small photos.
 * Its thumbnails and fingerprints are made up front.
 */
export function startPhoneLibrary(prefix: string): Promise<UiLibrary> {
  return startUiLibrary(prefix, {
    only: ['livePhoto', 'livePhotoMovie', 'video', 'photo'],
    generate: 'thumb,phash',
    prepare: async (tree) => {
      const deep = join(tree, LONG_FOLDER, 'Day 3 - sunrise over the ridge');
      mkdirSync(deep, { recursive: true });
      await sharp(join(tree, 'train.jpg')).rotate().resize(1600).jpeg({ quality: 55 }).toFile(join(deep, 'train-resaved-for-the-family-album.jpg'));
      // A RAW and the JPEG its camera wrote beside it (as test/support/stack-shoot.ts makes them): its embedded JPEG, with its capture time.
      const raw = join(tree, 'DSC_0001.NEF');
      copyFileSync(join(FIXTURES, 'raw/nikon-d7100.NEF'), raw);
      const et = new ExifTool({ maxProcs: 1 });
      try {
        await et.extractBinaryTag('JpgFromRaw', raw, join(tree, PAIR_JPEG));
        await et.write(join(tree, PAIR_JPEG), {} as never, { writeArgs: ['-overwrite_original', '-TagsFromFile', raw, '-DateTimeOriginal', '-Make', '-Model'] });
      } finally {
        await et.end();
      }
      for (let i = 0; i < NOISE; i++) {
        await sharp(randomBytes(160 * 120 * 3), { raw: { width: 160, height: 120, channels: 3 } }).jpeg().toFile(join(tree, `noise-${String(i).padStart(2, '0')}.jpg`));
      }
    },
  });
}

/** A phone's browser: 390×844, touch, a mobile viewport. */
export async function phoneContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  context.setDefaultTimeout(20_000);
  // A phone's browser shares (the Web Share API; a desktop Linux Chromium has none): the viewer's toolbar is as full as on a phone.
  await context.addInitScript(() => {
    if (!('share' in navigator)) Object.defineProperty(navigator, 'share', { value: async () => undefined });
  });
  return context;
}

/** A finger on PAGE (CDP touch events, each move in a frame of its own, as a finger's are). */
type Point = { x: number; y: number };
export async function fingerOn(context: BrowserContext, page: Page): Promise<{ drag: (from: Point, to: Point, steps?: number) => Promise<void>; hold: (at: Point, until: () => Promise<unknown>) => Promise<void> }> {
  const cdp = await context.newCDPSession(page);
  const frame = () => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(undefined))));
  return {
    /** A finger held still at AT until UNTIL resolves (a long press), then lifted. */
    hold: async (at, until) => {
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [at] });
      try {
        await until();
      } finally {
        await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
      }
    },
    drag: async (from, to, steps = 12) => {
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [from] });
      for (let i = 1; i <= steps; i++) {
        await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: from.x + ((to.x - from.x) * i) / steps, y: from.y + ((to.y - from.y) * i) / steps }] });
        await frame();
      }
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    },
  };
}

/**
 * What went wrong on PAGE while a test used it: the daemon's refusals (403) of what the page
 * asked, and errors thrown in the page. Listened to from now on.
 */
export function watchRefusals(page: Page): { refused: string[]; thrown: string[] } {
  const seen = { refused: [] as string[], thrown: [] as string[] };
  page.on('response', (r) => { if (r.status() === 403) seen.refused.push(`${r.request().method()} ${new URL(r.url()).pathname}`); });
  page.on('pageerror', (err) => seen.thrown.push(String(err)));
  return seen;
}
