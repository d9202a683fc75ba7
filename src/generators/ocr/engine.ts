/**
 * The process's tesseract.js workers, shared by every OCR job: one reads text (LSTM engine), one
 * detects page orientation (OSD, which needs tesseract's legacy engine and osd.traineddata).
 * Each is created lazily, both are used by one page at a time, recreated after an abort or a
 * crash, closed by `closeOcrEngine()` (or after a minute without work). tesseract.js runs its
 * WASM engine in its own worker thread, so the event loop stays free while a page is read.
 *
 * Offline: the language data is read from the installed @tesseract.js-data packages (`langPath`
 * is a local folder, so tesseract.js reads it with fs and never fetches), `cacheMethod: 'none'`
 * keeps it from writing `<lang>.traineddata` into the working directory, and the WASM core is
 * `require`d from the tesseract.js-core package.
 */
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { OEM, Page, Worker as TesseractWorker } from 'tesseract.js';
import { abortReason } from '../tools/run-tool.js';
import { GeneratorError } from '../types.js';
import type { BBox, TextBlock } from '../pdf/text-lines.js';
import type { LanguageData } from './languages.js';

/** 8-bit grayscale pixels, row by row. */
export interface GrayImage {
  gray: Buffer;
  width: number;
  height: number;
}

export interface OcrPageResult {
  /** The page's text as tesseract lays it out (lines, blank lines between paragraphs). */
  text: string;
  /** Mean word confidence, 0–1. */
  confidence: number;
  /** One block per line of text, bbox in pixels of the image read. */
  blocks: TextBlock[];
  /** Words found, and those read with a confidence of at least 0.7 (the orientation check's score). */
  words: number;
  goodWords: number;
}

export interface RecognizeOptions {
  langs: readonly LanguageData[];
  signal: AbortSignal;
  /** Resolution of the image, if known (tesseract's size heuristics use it). */
  dpi?: number;
}

const require = createRequire(import.meta.url);
export const TESSERACT_VERSION = (require('tesseract.js/package.json') as { version: string }).version;
let tesseractLoaded: typeof import('tesseract.js') | undefined;
/** tesseract.js, loaded with the first page read: the generators come with every daemon and most read none. */
const tesseract = (): typeof import('tesseract.js') => (tesseractLoaded ??= require('tesseract.js') as typeof import('tesseract.js'));

/** Terminate the idle engine after this long, to give its memory back. */
const IDLE_MS = 60_000;

interface Engine {
  worker: TesseractWorker;
  key: string;
  /** The node Worker under tesseract.js (not in its types): ref'd only while a page is read. */
  thread: { ref(): void; unref(): void; on(event: 'error' | 'exit', fn: (arg: unknown) => void): void } | undefined;
  /** Settles when the thread dies on its own (crash, out of memory). */
  died: Promise<never>;
}

let engine: Promise<Engine> | undefined;
/** The orientation detector: a second worker, as it needs the legacy engine and the osd data. */
let osdEngine: Promise<Engine> | undefined;
let idleTimer: NodeJS.Timeout | undefined;
const lock = new (class {
  private busy = false;
  private waiters: Array<() => void> = [];

  /** Wait for the engine; an abort while waiting leaves the queue. */
  acquire(signal: AbortSignal): Promise<() => void> {
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal.removeEventListener('abort', onAbort);
        this.busy = true;
        resolve(() => this.release());
      };
      const onAbort = () => {
        this.waiters = this.waiters.filter((w) => w !== grant);
        reject(stopped(signal));
      };
      if (signal.aborted) return reject(stopped(signal));
      if (!this.busy) return grant();
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(grant);
    });
  }

  private release(): void {
    this.busy = false;
    this.waiters.shift()?.();
  }
})();

function stopped(signal: AbortSignal): GeneratorError {
  return new GeneratorError(`OCR stopped: ${abortReason(signal)}`, { permanent: true });
}

/** Read the text of one grayscale image. Pages of all jobs of the process take turns. */
export async function recognize(image: GrayImage, options: RecognizeOptions): Promise<OcrPageResult> {
  const release = await lock.acquire(options.signal);
  clearTimeout(idleTimer);
  try {
    return await recognizeLocked(image, options);
  } finally {
    release();
    idleTimer = setTimeout(() => void closeOcrEngine(), IDLE_MS);
    idleTimer.unref();
  }
}

async function recognizeLocked(image: GrayImage, options: RecognizeOptions): Promise<OcrPageResult> {
  const key = options.langs.map((l) => `${l.code}@${l.dir}`).join('+');
  if (engine) {
    const current = await engine.catch(() => undefined);
    if (current?.key !== key) await closeEngine('text');
  }
  engine ??= startEngine(options.langs.map((l) => l.code), langPathFor(options.langs), tesseract().OEM.LSTM_ONLY, key);
  return await onEngine(engine, 'text', options.signal, async (e, race) => {
    // The API's default layout mode is "one uniform block", which reads columns across; 3 is
    // the tesseract command line's default: find the blocks and columns of the page.
    // An unknown resolution (0) lets tesseract estimate it from the text size; its notes about
    // that go to debug_file, not to this process's stderr.
    await race(e.worker.setParameters({ tessedit_pageseg_mode: tesseract().PSM.AUTO, user_defined_dpi: String(dpiFor(options.dpi)), debug_file: '/dev/null' }));
    const result = await race(e.worker.recognize(toPgm(image), {}, { text: true, blocks: true }));
    return pageResult(result.data);
  });
}

/**
 * Run FN on the engine, racing its promises against an abort and the engine's death. An aborted
 * or failed engine is in an unknown state (maybe still busy with this page): it is dropped.
 */
async function onEngine<T>(
  which: Promise<Engine>, name: EngineName, signal: AbortSignal,
  fn: (e: Engine, race: <R>(p: Promise<R>) => Promise<R>) => Promise<T>,
): Promise<T> {
  let abortListener: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    abortListener = () => reject(stopped(signal));
    if (signal.aborted) abortListener();
    else signal.addEventListener('abort', abortListener, { once: true });
  });
  let e: Engine | undefined;
  try {
    e = await Promise.race([which, aborted]);
    e.thread?.ref();
    const died = e.died;
    return await fn(e, (p) => Promise.race([p, aborted, died]));
  } catch (err) {
    if ((name === 'text' ? engine : osdEngine) === which) await closeEngine(name);
    if (err instanceof GeneratorError) throw err;
    throw new GeneratorError(`tesseract failed: ${err instanceof Error ? err.message : String(err)}`, { permanent: true, cause: err });
  } finally {
    if (abortListener) signal.removeEventListener('abort', abortListener);
    e?.thread?.unref();
  }
}

/** tesseract.js reads every language from one `langPath`; languages from several packages get a folder of links. */
function langPathFor(langs: readonly LanguageData[]): string | { links: readonly LanguageData[] } {
  const dirs = [...new Set(langs.map((l) => l.dir))];
  return dirs.length > 1 ? { links: langs } : dirs[0]!;
}

async function startEngine(codes: string[], where: string | { links: readonly LanguageData[] }, oem: OEM, key: string): Promise<Engine> {
  // Links to the files of several packages are needed only while the worker loads them.
  let linkDir: string | undefined;
  let langPath: string;
  if (typeof where === 'string') langPath = where;
  else {
    linkDir = mkdtempSync(join(tmpdir(), 'vss-ocr-langs-'));
    for (const l of where.links) symlinkSync(join(l.dir, `${l.code}.traineddata.gz`), join(linkDir, `${l.code}.traineddata.gz`));
    langPath = linkDir;
  }
  try {
    const worker = await tesseract().createWorker(codes, oem, {
      langPath,
      gzip: true,
      cacheMethod: 'none',
      // Orientation detection needs the legacy engine (the larger WASM core); reading uses LSTM only.
      ...(oem === tesseract().OEM.TESSERACT_ONLY ? { legacyCore: true, legacyLang: true } : {}),
      // Without a handler tesseract.js rethrows a worker's rejection inside its message listener,
      // which would be an uncaught exception in this process; the promise carries it instead.
      errorHandler: () => undefined,
      logger: () => undefined,
    });
    const thread = (worker as unknown as { worker?: Engine['thread'] }).worker;
    const died = new Promise<never>((_, reject) => {
      thread?.on('error', (err) => reject(new GeneratorError(`tesseract crashed: ${err instanceof Error ? err.message : String(err)}`, { permanent: true, cause: err })));
      thread?.on('exit', (code) => reject(new GeneratorError(`tesseract exited (code ${String(code)})`, { permanent: true })));
    });
    died.catch(() => undefined);
    thread?.unref();
    return { worker, key, thread, died };
  } catch (err) {
    throw new GeneratorError(`the OCR engine could not start: ${err instanceof Error ? err.message : String(err)}`, { permanent: false, cause: err });
  } finally {
    if (linkDir) rmSync(linkDir, { recursive: true, force: true });
  }
}

/** Where tesseract's orientation data is (npm package @tesseract.js-data/osd), or undefined when it is not installed. */
export function osdDataDir(): string | undefined {
  try {
    const dir = join(dirname(require.resolve('@tesseract.js-data/osd/package.json')), '4.0.0');
    return existsSync(join(dir, 'osd.traineddata.gz')) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** Which way up a page is, by tesseract's orientation and script detection. */
export interface OrientationGuess {
  /** Clockwise degrees that turn the page upright. */
  rotation: 0 | 90 | 180 | 270;
  /** tesseract's orientation confidence: how much better the best orientation scored than the next. */
  confidence: number;
}

/**
 * tesseract's own orientation detection (OSD) on IMAGE, or undefined when the page has too few
 * characters to tell (or the OSD data is not installed). Pages of all jobs take turns, as for reading.
 */
export async function detectOrientation(image: GrayImage, signal: AbortSignal): Promise<OrientationGuess | undefined> {
  const dir = osdDataDir();
  if (!dir) return undefined;
  const release = await lock.acquire(signal);
  clearTimeout(idleTimer);
  try {
    osdEngine ??= startEngine(['osd'], dir, tesseract().OEM.TESSERACT_ONLY, `osd@${dir}`);
    return await onEngine(osdEngine, 'osd', signal, async (e, race) => {
      await race(e.worker.setParameters({ user_defined_dpi: '300', debug_file: '/dev/null' }));
      const { data } = await race(e.worker.detect(toPgm(image)));
      const deg = data.orientation_degrees;
      if (deg !== 0 && deg !== 90 && deg !== 180 && deg !== 270) return undefined;
      return { rotation: deg, confidence: data.orientation_confidence ?? 0 };
    });
  } finally {
    release();
    idleTimer = setTimeout(() => void closeOcrEngine(), IDLE_MS);
    idleTimer.unref();
  }
}

type EngineName = 'text' | 'osd';

async function closeEngine(name: EngineName): Promise<void> {
  const current = name === 'text' ? engine : osdEngine;
  if (name === 'text') engine = undefined;
  else osdEngine = undefined;
  if (!current) return;
  const e = await current.catch(() => undefined);
  if (e) await e.worker.terminate().catch(() => undefined);
}

/** Terminate the shared OCR workers (at shutdown; the next OCR starts new ones). */
export async function closeOcrEngine(): Promise<void> {
  clearTimeout(idleTimer);
  await Promise.all([closeEngine('text'), closeEngine('osd')]);
}

/** tesseract takes 70–2400 dpi; 0 (unset) makes it estimate the resolution from the text. */
function dpiFor(dpi: number | undefined): number {
  return dpi !== undefined && Number.isFinite(dpi) && dpi >= 70 && dpi <= 2400 ? Math.round(dpi) : 0;
}

/** PGM: a 15-byte header on the raw pixels, so leptonica reads the image without any decoding. */
export function toPgm(image: GrayImage): Buffer {
  if (image.gray.length !== image.width * image.height) throw new Error(`gray image is ${image.gray.length} bytes, not ${image.width}×${image.height}`);
  return Buffer.concat([Buffer.from(`P5\n${image.width} ${image.height}\n255\n`, 'latin1'), image.gray]);
}

function pageResult(page: Page): OcrPageResult {
  const blocks: TextBlock[] = [];
  let words = 0;
  let goodWords = 0;
  for (const block of page.blocks ?? []) {
    for (const para of block.paragraphs) {
      for (const line of para.lines) {
        for (const w of line.words) {
          if (w.text.trim() === '') continue;
          words++;
          if (w.confidence >= 70) goodWords++;
        }
        const text = line.text.replace(/\s+/g, ' ').trim();
        if (text === '') continue;
        const b = line.bbox;
        blocks.push({ text, bbox: [b.x0, b.y0, b.x1, b.y1] as BBox, confidence: round3(line.confidence / 100) });
      }
    }
  }
  return { text: page.text.replace(/[ \t]+\n/g, '\n').trim(), confidence: round3(page.confidence / 100), blocks, words, goodWords };
}

export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
