import { useEffect, useRef, useState, type RefObject } from 'react';

/** How far apart two fingers must move (as a ratio of where they began) for one more or one fewer column. */
const PINCH_STEP = 1.3;
/** A finger held this long on a photo, without moving, starts selecting. */
const LONG_PRESS_MS = 500;
const STILL_PX = 10;
/** Columns a pinch may add or take away from what the width gives. */
const MIN_DELTA = -4;
const MAX_DELTA = 6;
const KEY = 'vss-grid-columns';

/**
 * The grid's own gestures on a touch screen (issue 44): two fingers pinched apart show fewer,
 * larger photos, pinched together more (the change is kept for the next visit); a finger held
 * on a photo picks it, starting a selection, and the tap that would have opened it does not.
 * The browser's own pinch-zoom is off over the grid (`touch-action: pan-y`), scrolling is not.
 */
export function useGridGestures(box: RefObject<HTMLElement | null>, onLongPress: (index: number) => void): { columnsDelta: number; swallowClick: () => boolean } {
  const [delta, setDelta] = useState(() => clamp(Number(localStorage.getItem(KEY) ?? 0)));
  const swallow = useRef(false);
  const press = useRef(onLongPress);
  press.current = onLongPress;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const touches = new Map<number, { x: number; y: number }>();
    let base = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let start: { x: number; y: number } | undefined;
    const cancelPress = () => { clearTimeout(timer); timer = undefined; };
    const spread = () => {
      const [a, b] = [...touches.values()];
      return a && b ? Math.hypot(a.x - b.x, a.y - b.y) : 0;
    };
    const down = (e: PointerEvent) => {
      if (e.pointerType !== 'touch') return;
      touches.set(e.pointerId, { x: e.clientX, y: e.clientY });
      if (touches.size === 2) {
        cancelPress();
        base = spread();
        return;
      }
      const tile = (e.target as HTMLElement).closest<HTMLElement>('[data-i]');
      if (!tile || touches.size !== 1) return;
      start = { x: e.clientX, y: e.clientY };
      timer = setTimeout(() => {
        timer = undefined;
        swallow.current = true;
        navigator.vibrate?.(10);
        press.current(Number(tile.dataset.i));
      }, LONG_PRESS_MS);
    };
    const move = (e: PointerEvent) => {
      if (!touches.has(e.pointerId)) return;
      touches.set(e.pointerId, { x: e.clientX, y: e.clientY });
      if (start && Math.hypot(e.clientX - start.x, e.clientY - start.y) > STILL_PX) cancelPress();
      if (touches.size !== 2 || base === 0) return;
      const ratio = spread() / base;
      if (ratio >= PINCH_STEP || ratio <= 1 / PINCH_STEP) {
        setDelta((d) => {
          const next = clamp(d + (ratio > 1 ? -1 : 1));
          localStorage.setItem(KEY, String(next));
          return next;
        });
        base = spread();
      }
    };
    const up = (e: PointerEvent) => {
      touches.delete(e.pointerId);
      if (touches.size < 2) base = 0;
      if (touches.size === 0) { cancelPress(); start = undefined; }
    };
    el.addEventListener('pointerdown', down);
    el.addEventListener('pointermove', move);
    el.addEventListener('pointerup', up);
    el.addEventListener('pointercancel', up);
    // A long press must not open the page's own menu over the photo.
    const menu = (e: Event) => { if (swallow.current || timer !== undefined) e.preventDefault(); };
    el.addEventListener('contextmenu', menu);
    return () => {
      cancelPress();
      el.removeEventListener('pointerdown', down);
      el.removeEventListener('pointermove', move);
      el.removeEventListener('pointerup', up);
      el.removeEventListener('pointercancel', up);
      el.removeEventListener('contextmenu', menu);
    };
  }, [box]);

  return {
    columnsDelta: delta,
    /** Whether the click now is the end of a long press (then it opens nothing). */
    swallowClick: () => {
      const was = swallow.current;
      swallow.current = false;
      return was;
    },
  };
}

function clamp(n: number): number {
  return Number.isInteger(n) ? Math.min(MAX_DELTA, Math.max(MIN_DELTA, n)) : 0;
}
