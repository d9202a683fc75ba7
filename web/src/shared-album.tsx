import { useEffect, useMemo, useRef, useState, useSyncExternalStore, type PointerEvent as ReactPointerEvent } from 'react';
import { get } from './api.js';
import { API } from './api-paths.js';
import { useSignedOut } from './signed-out.js';
import type { SharedAlbumItem, SharedAlbumView } from './types.js';
import { useLoad } from './use-load.js';
import { UploadButton, UploadSheet } from './upload-button.js';
import { uploads } from './upload-queue.js';

/** How far a finger goes sideways before the viewer turns to the next photo. */
const SWIPE_PX = 50;

/**
 * What a guest of a shared album sees (issue 61): the album's title, who shared it and until when,
 * its photos and videos by date, and a viewer — swipe or arrow keys to turn, double-tap or
 * double-click to zoom (and the browser's own pinch), full screen, download where the share allows
 * it. Nothing links anywhere else: the session reaches this album only.
 */
export function SharedAlbumApp() {
  const [album, reload] = useLoad((signal) => get<SharedAlbumView>(API.shareView(), signal), []);
  // The guest's own photos, once landed, are the album's: it is read again as each one lands.
  useSyncExternalStore(uploads.subscribe, uploads.getVersion);
  const landed = uploads.items.filter((i) => i.state === 'done' || i.state === 'have').length;
  useEffect(() => { if (landed > 0) reload(); }, [landed, reload]);
  const [open, setOpen] = useState<number | null>(null);
  const ended = useSignedOut();
  const days = useMemo(() => (album.state === 'ready' ? byDay(album.value.items) : []), [album]);
  if (ended || album.state === 'error') {
    return (
      <main id="main" tabIndex={-1} className="page shared-album">
        <h1>This album is no longer shared</h1>
        <p>The link expired or was ended by the person who sent it. Ask them for a new one.</p>
      </main>
    );
  }
  if (album.state === 'loading') return <main id="main" tabIndex={-1} className="page shared-album" aria-busy="true"><p className="muted">Opening the album…</p></main>;
  const a = album.value;
  return (
    <main id="main" tabIndex={-1} className="page shared-album">
      <header className="shared-head">
        <h1>{a.title}</h1>
        <p className="muted small">
          {a.by ? `Shared by ${a.by}` : 'Shared with you'} · {a.items.length} {a.items.length === 1 ? 'item' : 'items'} · until {new Date(a.expires_at).toLocaleDateString()}
        </p>
      </header>
      {a.upload && <p><UploadButton label="Add your photos" allowed /></p>}
      {a.items.length === 0 && <p className="muted">Nothing is in this album yet.</p>}
      {days.map(([day, items]) => (
        <section key={day ?? 'undated'} aria-label={day ?? 'Undated'}>
          <h2 className="shared-day">{day === null ? 'Undated' : new Date(`${day}T12:00:00`).toLocaleDateString(undefined, { dateStyle: 'long' })}</h2>
          <div className="shared-grid">
            {items.map((it) => (
              <button key={it.content_uuid} type="button" className="shared-tile" aria-label={`Open ${it.kind} ${a.items.indexOf(it) + 1}`} onClick={() => setOpen(a.items.indexOf(it))}>
                <img alt="" loading="lazy" src={API.shareThumb(it.content_uuid, 'grid@1x', it.thumb_checksum)} />
                {it.kind === 'video' && <span className="shared-badge" aria-hidden="true">▶</span>}
              </button>
            ))}
          </div>
        </section>
      ))}
      {open !== null && a.items[open] && <Viewer items={a.items} at={open} download={a.download} go={setOpen} />}
      {a.upload && <UploadSheet />}
    </main>
  );
}

/** One photo or video at a time, over the page. */
function Viewer({ items, at, download, go }: { items: SharedAlbumItem[]; at: number; download: boolean; go: (i: number | null) => void }) {
  const it = items[at]!;
  const box = useRef<HTMLDivElement>(null);
  const start = useRef<{ x: number; y: number } | null>(null);
  const [zoom, setZoom] = useState(false);
  const turn = (d: number) => {
    setZoom(false);
    go(Math.max(0, Math.min(items.length - 1, at + d)));
  };
  useEffect(() => {
    box.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'ArrowRight') turn(1);
      else if (e.key === 'ArrowLeft') turn(-1);
      else if (e.key === 'Escape' && !document.fullscreenElement) go(null);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });
  const down = (e: ReactPointerEvent) => { start.current = { x: e.clientX, y: e.clientY }; };
  const up = (e: ReactPointerEvent) => {
    const s = start.current;
    start.current = null;
    if (!s || zoom) return;
    const dx = e.clientX - s.x;
    if (Math.abs(dx) > SWIPE_PX && Math.abs(dx) > Math.abs(e.clientY - s.y)) turn(dx < 0 ? 1 : -1);
  };
  const full = () => {
    if (document.fullscreenElement) void document.exitFullscreen();
    else void box.current?.requestFullscreen?.();
  };
  return (
    <div ref={box} className="shared-viewer" role="dialog" aria-modal="true" aria-label={`${it.kind} ${at + 1} of ${items.length}`} tabIndex={-1}
      onPointerDown={down} onPointerUp={up}>
      <div className="shared-stage">
        {it.kind === 'video'
          ? <video controls playsInline poster={API.shareThumb(it.content_uuid, 'detail@1x', null)} src={download ? API.shareOriginal(it.content_uuid) : API.shareThumb(it.content_uuid, 'quick', null)} />
          : <img alt={`Photo ${at + 1}`} className={zoom ? 'zoomed' : ''} src={API.shareThumb(it.content_uuid, 'detail@1x', null)} onDoubleClick={() => setZoom((z) => !z)} draggable={false} />}
      </div>
      <div className="shared-controls">
        <button type="button" onClick={() => turn(-1)} disabled={at === 0} aria-label="Previous">‹</button>
        <span className="small">{at + 1} / {items.length}</span>
        <button type="button" onClick={() => turn(1)} disabled={at === items.length - 1} aria-label="Next">›</button>
        <button type="button" onClick={() => setZoom((z) => !z)} aria-pressed={zoom}>Zoom</button>
        <button type="button" onClick={full}>Full screen</button>
        {download && <a className="button" href={API.shareOriginal(it.content_uuid)} download>Download</a>}
        <button type="button" onClick={() => go(null)}>Close</button>
      </div>
    </div>
  );
}

/** ITEMS (newest first, undated last) grouped by their day. */
function byDay(items: readonly SharedAlbumItem[]): Array<[string | null, SharedAlbumItem[]]> {
  const out: Array<[string | null, SharedAlbumItem[]]> = [];
  for (const it of items) {
    const last = out.at(-1);
    if (last && last[0] === it.day) last[1].push(it);
    else out.push([it.day, [it]]);
  }
  return out;
}
