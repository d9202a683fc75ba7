/**
 * What the UI bench runs inside the page (serialized by Playwright, so each function stands alone:
 * no closure over this module). This project compiles without the DOM lib, hence the `any`s.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const document: any;
declare const performance: any;
declare const requestAnimationFrame: any;
declare const setTimeout: any;
declare const innerHeight: number;

export interface PaintTimes {
  /** The first grid cell (a link to a content) on screen: ms from navigation start. */
  firstCell: number | null;
  /** The first thumbnail decoded and on screen. */
  firstThumb: number | null;
  /** The browser's first contentful paint. */
  fcp: number | null;
  /** Performance marks the app set itself, by name. */
  marks: Record<string, number>;
}

/**
 * Installed before the page's own scripts (addInitScript): every frame, is a grid cell on screen,
 * and a decoded thumbnail? Each time is taken after the frame that shows it (a task queued from
 * requestAnimationFrame runs after that frame's paint).
 */
export function installPaintProbe(): void {
  const out = { firstCell: null as number | null, firstThumb: null as number | null, fcp: null as number | null };
  window.__uiBench = out;
  const onScreen = (el: any) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight;
  };
  const frame = () => {
    const grid = document.querySelector('main[aria-label="Library"]');
    const cell = out.firstCell === null && grid ? [...grid.querySelectorAll('a[href^="#/content/"]')].find(onScreen) : null;
    const thumb = out.firstThumb === null && grid
      ? [...grid.querySelectorAll('img')].find((img: any) => img.complete && img.naturalWidth > 0 && onScreen(img)) : null;
    if (cell) setTimeout(() => { if (out.firstCell === null) out.firstCell = performance.now(); }, 0);
    if (thumb) setTimeout(() => { if (out.firstThumb === null) out.firstThumb = performance.now(); }, 0);
    if (out.firstThumb === null || out.firstCell === null) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  new window.PerformanceObserver((list: any) => {
    for (const e of list.getEntries()) if (e.name === 'first-contentful-paint') out.fcp = e.startTime;
  }).observe({ type: 'paint', buffered: true });
}

export function readPaintTimes(): PaintTimes {
  const marks: Record<string, number> = {};
  for (const m of performance.getEntriesByType('mark')) marks[m.name] = m.startTime;
  return { ...window.__uiBench, marks };
}

export interface ScrollFrames {
  /** Time between successive frames (requestAnimationFrame timestamps), ms. */
  deltas: number[];
  scrolledPx: number;
  /** The most grid images in the DOM at once (a virtualized grid keeps this near a screenful). */
  maxImages: number;
  scroller: string;
  /** Frames over 50 ms as the browser saw them (Long Animation Frames): their length and longest script. */
  longFrames: Array<{ ms: number; script: string }>;
}

/**
 * Scroll the page's scrolling element (the document, or the largest scrollable element) down by
 * STEP_SCREENS of its height each frame for SCREENS screens, one step per requestAnimationFrame,
 * and record every frame's delta. With SCREENS = 0, the frames of FRAMES idle frames (the anchor
 * cadence of a page that does nothing).
 */
export async function scrollFrames(args: { screens: number; stepScreens: number; frames: number }): Promise<ScrollFrames> {
  const candidates = [document.scrollingElement, ...document.querySelectorAll('*')].filter((el: any) => {
    if (!el || el.scrollHeight <= el.clientHeight + 1) return false;
    if (el === document.scrollingElement) return true;
    const o = window.getComputedStyle(el).overflowY;
    return o === 'auto' || o === 'scroll';
  });
  const el = candidates.sort((a: any, b: any) => b.scrollHeight - a.scrollHeight)[0] ?? document.scrollingElement;
  const height = el === document.scrollingElement ? innerHeight : el.clientHeight;
  const target = Math.min(el.scrollHeight - height, args.screens * height);
  const step = Math.max(1, Math.round(height * args.stepScreens));
  const deltas: number[] = [];
  let maxImages = 0;
  let last: number | null = null;
  let frames = 0;
  const start = el.scrollTop;
  const longFrames: Array<{ ms: number; script: string }> = [];
  const loaf = new window.PerformanceObserver((list: any) => {
    for (const e of list.getEntries()) {
      const top = [...(e.scripts ?? [])].sort((a: any, b: any) => b.duration - a.duration)[0];
      longFrames.push({ ms: Math.round(e.duration), script: top ? `${top.invoker} ${Math.round(top.duration)} ms` : 'no script (style, layout, paint)' });
    }
  });
  loaf.observe({ type: 'long-animation-frame' });
  await new Promise<void>((resolve) => {
    const frame = (t: number) => {
      if (last !== null) deltas.push(t - last);
      last = t;
      frames++;
      maxImages = Math.max(maxImages, document.querySelectorAll('main img').length);
      const done = args.screens === 0 ? frames > args.frames : el.scrollTop - start >= target || frames > 100_000;
      if (done) return resolve();
      if (args.screens > 0) el.scrollTop += step;
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
  loaf.disconnect();
  const name = el === document.scrollingElement ? 'document' : `${el.tagName.toLowerCase()}${el.getAttribute('aria-label') ? `[aria-label="${el.getAttribute('aria-label')}"]` : ''}`;
  return { deltas, scrolledPx: el.scrollTop - start, maxImages, scroller: name, longFrames };
}

export interface ScrubJump {
  label: string;
  /** From the press to the frame after which every thumbnail on screen is decoded, ms (null: not within the bound). */
  ms: number | null;
  /** Frame deltas from the press to that frame. */
  deltas: number[];
}

/**
 * Press each year of the grid's scrubber in turn (newest last, so every press jumps far) and time
 * each until the grid has moved and every thumbnail on screen is decoded: what a person waits for
 * after asking for a year. With JUMPS instead (the anchor page, which has no scrubber), the
 * scrolling element is set to each of that many evenly spread places, farthest first. Bounded:
 * LIMIT_MS a jump.
 */
export async function scrubberJumps(args: { limitMs: number; jumps?: number }): Promise<ScrubJump[]> {
  const grid = () => document.querySelector('main[aria-label="Library"]');
  const scroller = [document.scrollingElement, ...document.querySelectorAll('*')].filter((el: any) => {
    if (!el || el.scrollHeight <= el.clientHeight + 1) return false;
    if (el === document.scrollingElement) return true;
    const o = window.getComputedStyle(el).overflowY;
    return o === 'auto' || o === 'scroll';
  }).sort((a: any, b: any) => b.scrollHeight - a.scrollHeight)[0] ?? document.scrollingElement;
  const presses: Array<{ label: string; go: () => void }> = args.jumps === undefined
    ? [...document.querySelectorAll('nav[aria-label="Years and months"] button.scrub-year')].reverse()
      .map((b: any) => ({ label: b.textContent ?? '?', go: () => b.click() }))
    : Array.from({ length: args.jumps }, (_, k) => {
      const at = k % 2 === 0 ? 1 - k / (2 * args.jumps!) : k / (2 * args.jumps!);
      return { label: `${Math.round(at * 100)} %`, go: () => { scroller.scrollTop = Math.round(at * (scroller.scrollHeight - scroller.clientHeight)); } };
    });
  const onScreen = (el: any) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight;
  };
  const key = () => [...(grid()?.querySelectorAll('a[href^="#/content/"]') ?? [])].filter(onScreen).map((a: any) => a.getAttribute('href')).slice(0, 3).join(' ');
  const out: ScrubJump[] = [];
  for (const press of presses) {
    const before = key();
    const deltas: number[] = [];
    const t0 = performance.now();
    press.go();
    const ms = await new Promise<number | null>((resolve) => {
      let last = t0;
      const frame = (t: number) => {
        deltas.push(t - last);
        last = t;
        const shown = key();
        const imgs = [...(grid()?.querySelectorAll('img') ?? [])].filter(onScreen);
        if (shown !== '' && shown !== before && imgs.length > 0 && imgs.every((i: any) => i.complete && i.naturalWidth > 0)) {
          setTimeout(() => resolve(performance.now() - t0), 0);
          return;
        }
        if (t - t0 > args.limitMs) return resolve(null);
        requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    });
    out.push({ label: press.label, ms, deltas });
    await new Promise((r) => setTimeout(r, 300));
  }
  return out;
}
