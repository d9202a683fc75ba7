import PhotoSwipeLightbox from 'photoswipe/lightbox';
import PhotoSwipe, { type SlideData } from 'photoswipe';
import 'photoswipe/style.css';
import './viewer.css';
import { API } from './api-paths.js';
import type { GridStore } from './grid-store.js';
import { metaOverride, setUserMeta } from './meta-store.js';
import type { GridItem } from './types.js';
import type { OperationName } from '../../src/api/remote/operations.js';
import { viewerEntry, type ViewerEntry } from './viewer-history.js';

/** Images a browser draws itself: the original is shown at full zoom; others (HEIC, RAW…) at the detail thumbnail's 2048 px. */
const DRAWN = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif', 'image/bmp']);
/** Videos a browser plays as they are (most phones' H.264 MP4s). */
const PLAYED = new Set(['video/mp4', 'video/webm']);
/** The size a slide takes before its own is known (an item without dimensions). */
const GUESS = { width: 1600, height: 1200 };

/**
 * The full-screen viewer (issue 44), PhotoSwipe 5: swipe (←/→ on a keyboard) through the grid or
 * search the item came from, pinch or double-tap to zoom to the original's own pixels, a video
 * played with seeking, and a toolbar to favourite (where MAY lets this session), see its info,
 * download the original and share it. Items not yet read are read as the viewer reaches them;
 * their thumbnail shows at once. It is a history entry (viewer-history.ts): Back closes it, and
 * so does a swipe down (PhotoSwipe's own gesture, `closeOnVerticalDrag`).
 */
export function openViewer(libId: string, source: ViewerSource, index: number, may: (op: OperationName) => boolean): void {
  let entry: ViewerEntry | undefined;
  const lightbox = new PhotoSwipeLightbox({
    pswpModule: PhotoSwipe,
    dataSource: [],
    bgOpacity: 1,
    wheelToZoom: true,
    // Zoom by a double tap, to the original's pixels.
    secondaryZoomLevel: 1,
    maxZoomLevel: 4,
    loop: false,
    closeOnVerticalDrag: true,
    preload: [1, 2],
    closeTitle: 'Close', zoomTitle: 'Zoom', arrowPrevTitle: 'Previous', arrowNextTitle: 'Next',
    errorMsg: 'This picture cannot be shown',
  });
  lightbox.addFilter('numItems', () => source.count());
  lightbox.addFilter('itemData', (_data, i) => slideOf(libId, source, i));
  lightbox.on('uiRegister', () => registerButtons(lightbox, libId, source, may, (hash) => entry?.leave(hash)));
  // A larger picture that cannot be had (not made yet, its device offline): the thumbnail, rather than an error.
  lightbox.addFilter('contentErrorElement', (el, content) => {
    const thumb = typeof content.data.msrc === 'string' ? content.data.msrc : undefined;
    if (!thumb) return el;
    const img = document.createElement('img');
    img.className = 'pswp__img pswp-fallback';
    img.alt = typeof content.data.alt === 'string' ? content.data.alt : '';
    img.src = thumb;
    return img;
  });
  // A slide whose item was not read yet is drawn again once it is.
  lightbox.on('contentLoad', ({ content }) => {
    if (source.item(content.index)) return;
    void source.load(content.index).then(() => lightbox.pswp?.refreshSlideContent(content.index));
  });
  // The viewer says which content it shows (for a test, and a later look at the page).
  lightbox.on('beforeOpen', () => {
    const pswp = lightbox.pswp!;
    const mark = () => {
      const uuid = source.item(pswp.currIndex)?.content_uuid;
      if (uuid) pswp.element?.setAttribute('data-uuid', uuid);
    };
    pswp.on('change', mark);
    pswp.on('afterInit', mark);
    pswp.on('contentLoad', () => queueMicrotask(mark));
    // Gestures and keys count once it has opened.
    pswp.on('openingAnimationEnd', () => pswp.element?.setAttribute('data-open', ''));
  });
  lightbox.on('close', () => entry?.closed());
  lightbox.on('destroy', () => source.closed?.(lightbox.pswp?.currIndex ?? index));
  // Zoomed in past fitting the screen: the slide's picture becomes the original (once), its pixels at last.
  lightbox.on('zoomPanUpdate', ({ slide }) => {
    const item = source.item(slide.index);
    const img = slide.content.element;
    if (!item || item.kind === 'video' || !(img instanceof HTMLImageElement) || img.dataset.zoomed || slide.currZoomLevel <= slide.zoomLevels.fit * 1.05) return;
    img.dataset.zoomed = '1';
    const src = zoomedSrc(libId, item);
    const full = new Image();
    full.onload = () => { img.src = src; };
    full.src = src;
  });
  // The thumbnails of the next few are asked for ahead of their larger pictures: a swipe shows one at once.
  lightbox.on('change', () => {
    const at = lightbox.pswp?.currIndex ?? 0;
    for (let i = at - 1; i <= at + 3; i++) {
      const item = source.item(i);
      if (item && item.thumb_checksum) new Image().src = API.sidecar(libId, item.content_uuid, 'thumb', 'grid@1x', item.thumb_checksum);
    }
  });
  lightbox.init();
  entry = viewerEntry(() => lightbox.pswp?.close());
  lightbox.loadAndOpen(index);
}

/** What the viewer goes through: the grid's items (read a page at a time), or a fixed list. */
export interface ViewerSource {
  count(): number;
  item(index: number): GridItem | undefined;
  load(index: number): Promise<void>;
  /** Where the viewer was when it closed (the grid scrolls there). */
  closed?(index: number): void;
}

export function gridSource(store: GridStore): ViewerSource {
  return {
    count: () => store.days?.total ?? 0,
    item: (i) => store.item(i),
    load: async (i) => { await store.uuidsIn(i, i); },
    closed: (i) => { store.focused = i; },
  };
}

function slideOf(libId: string, source: ViewerSource, i: number): SlideData {
  const item = source.item(i);
  if (!item) return { html: '<div class="pswp-wait">Loading…</div>' };
  const thumb = API.sidecar(libId, item.content_uuid, 'thumb', 'grid@1x', item.thumb_checksum);
  const original = API.original(libId, item.content_uuid);
  if (item.kind === 'video') {
    // Its quick proxy (H.264, seekable) unless the browser plays the original as it is; the other when the first cannot be had.
    const proxy = API.sidecar(libId, item.content_uuid, 'proxy', 'quick', null);
    const sources = PLAYED.has(item.mime) ? [original, proxy] : [proxy, original];
    return { html: `<div class="pswp-video"><video controls playsinline preload="metadata" poster="${attr(thumb)}">${sources.map((u) => `<source src="${attr(u)}">`).join('')}</video></div>` };
  }
  const size = item.width && item.height ? { width: item.width, height: item.height } : GUESS;
  // The detail thumbnail (made ahead, 1024 px) fills the screen; zoomed in, the original's own pixels
  // where the browser draws it (zoomToOriginal), else the 2048 px one.
  const detail = API.sidecar(libId, item.content_uuid, 'thumb', 'detail@1x', null);
  return { src: detail, msrc: thumb, ...size, alt: item.name };
}

/** The picture to show once a slide is zoomed past fitting the screen. */
function zoomedSrc(libId: string, item: GridItem): string {
  return DRAWN.has(item.mime) && item.local ? API.original(libId, item.content_uuid) : API.sidecar(libId, item.content_uuid, 'thumb', 'detail@2x', null);
}

function attr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/** The toolbar's own buttons; LEAVE(hash): close the viewer for the app's page at HASH. */
function registerButtons(lightbox: PhotoSwipeLightbox, libId: string, source: ViewerSource, may: (op: OperationName) => boolean, leave: (hash: string) => void): void {
  const pswp = lightbox.pswp!;
  const current = () => source.item(pswp.currIndex);
  const open = (uuid: string) => {
    leave(`#/content/${uuid}`);
    pswp.close();
  };
  const button = (name: string, title: string, order: number, html: string, onClick: (el: HTMLElement) => void, onInit?: (el: HTMLElement) => void) => {
    pswp.ui!.registerElement({ name, title, order, isButton: true, html, onClick: (_e, el) => onClick(el), ...(onInit ? { onInit: (el) => onInit(el) } : {}) });
  };
  const favorite = (el: HTMLElement) => {
    const item = current();
    const on = item ? (metaOverride(item.content_uuid)?.favorite ?? item.favorite) : false;
    el.setAttribute('aria-pressed', String(on));
    el.textContent = on ? '♥' : '♡';
  };
  if (may('metaSet')) button('favourite', 'Favourite', 8, '♡', (el) => {
    const item = current();
    if (!item) return;
    const now = metaOverride(item.content_uuid) ?? { favorite: item.favorite, rating: item.rating, hidden: item.hidden };
    void setUserMeta(libId, item.content_uuid, now, { favorite: !now.favorite }).then(() => favorite(el));
    el.setAttribute('aria-pressed', String(!now.favorite));
    el.textContent = now.favorite ? '♡' : '♥';
  }, (el) => pswp.on('change', () => favorite(el)));
  // A Live Photo's movie plays while its button is held (its still again when let go).
  pswp.ui!.registerElement({
    name: 'live', title: 'Live Photo: hold to play', order: 7, isButton: true, html: 'LIVE',
    onInit: (el) => {
      const shown = () => { el.style.display = current()?.live_photo ? '' : 'none'; };
      pswp.on('change', shown);
      shown();
      let video: HTMLVideoElement | undefined;
      const stop = () => { video?.remove(); video = undefined; el.setAttribute('aria-pressed', 'false'); };
      const play = (e: Event) => {
        e.preventDefault();
        const item = current();
        const container = pswp.currSlide?.container;
        if (!item?.live_photo || !container || video) return;
        const v = (video = document.createElement('video'));
        v.className = 'pswp-live';
        v.muted = true;
        v.playsInline = true;
        const variants = ['original', 'embedded'];
        const next = () => { const variant = variants.shift(); if (variant) v.src = API.sidecar(libId, item.content_uuid, 'live_photo_video', variant, null); else stop(); };
        v.onerror = next;
        v.onended = stop;
        next();
        container.append(v);
        el.setAttribute('aria-pressed', 'true');
        void v.play().catch(() => undefined);
      };
      el.addEventListener('pointerdown', play);
      for (const ev of ['pointerup', 'pointerleave', 'pointercancel']) el.addEventListener(ev, stop);
      el.addEventListener('keydown', (e) => { if ((e.key === ' ' || e.key === 'Enter') && !e.repeat) play(e); });
      el.addEventListener('keyup', stop);
      pswp.on('change', stop);
    },
  });
  // A stack (issue 45) is one item here too: its count, and a press opens its page, where its photos are.
  pswp.ui!.registerElement({
    name: 'stack', title: 'A stack: open it to see its photos', order: 7, isButton: true, html: '',
    onInit: (el) => {
      const shown = () => {
        const stack = current()?.stack;
        el.style.display = stack ? '' : 'none';
        el.textContent = stack ? `▤ ${stack.count}` : '';
        el.setAttribute('aria-label', stack ? `A stack of ${stack.count}: open it to see its photos` : 'A stack');
      };
      pswp.on('change', shown);
      shown();
    },
    onClick: () => {
      const item = current();
      if (item?.stack) open(item.content_uuid);
    },
  });
  button('info', 'Info', 9, 'i', () => {
    const item = current();
    if (item) open(item.content_uuid);
  });
  button('download', 'Download the original', 10, '⤓', () => {
    const item = current();
    if (!item) return;
    const a = document.createElement('a');
    a.href = API.original(libId, item.content_uuid);
    a.download = item.name;
    a.click();
  });
  if (typeof navigator.share === 'function') {
    button('share', 'Share', 11, '⇪', () => {
      const item = current();
      if (!item) return;
      void (async () => {
        const blob = await (await fetch(API.original(libId, item.content_uuid), { credentials: 'same-origin' })).blob();
        const file = new File([blob], item.name, { type: item.mime });
        await navigator.share(navigator.canShare?.({ files: [file] }) ? { files: [file], title: item.name } : { title: item.name, url: location.href });
      })().catch(() => undefined);
    });
  }
}
