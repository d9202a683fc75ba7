import { useMemo, useRef } from 'react';
import { get } from './api.js';
import { API } from './api-paths.js';
import { DetailMedia } from './detail-media.js';
import { DetailUserPanel } from './detail-user.js';
import { DetailAlbums } from './detail-albums.js';
import { StackStrip } from './stack-strip.js';
import { useMay } from './may.js';
import { DetailFileActions } from './detail-file-actions.js';
import { SendToDevice } from './send-to-device.js';
import { settle } from './meta-store.js';
import { useLiveEvent, useReconnect } from './use-live-event.js';
import { MetadataList } from './metadata-list.js';
import { OcrText } from './ocr-text.js';
import { Page } from './page.js';
import { queryTerms } from './query-terms.js';
import { SidecarsTable } from './sidecars-table.js';
import { findSidecar, obtainable, sidecarUrl } from './sidecar-files.js';
import { Transcript } from './transcript.js';
import { gridStore } from './grid-store.js';
import { gridSource, openViewer } from './viewer.js';
import type { GridItem } from './types.js';
import { useLibrary } from './library-context.js';
import { useLoad } from './use-load.js';
import type { ContentDetail, OcrJson, TranscriptJson } from './types.js';
import type { OperationName } from '../../src/api/remote/operations.js';
import { maySend } from './send-to-device.js';
import { goBack } from './navigation.js';

/**
 * `#/content/UUID[?q=…]`: one content. The image (or the video, or the recording), its text
 * with the boxes where it was read (those matching Q marked), its transcript, its metadata, and
 * which devices hold which of its sidecars.
 */
export function DetailView({ uuid, q }: { uuid: string; q: string }) {
  const lib = useLibrary();
  const may = useMay();
  const [detail, reload] = useLoad(async (signal) => {
    const sentAt = Date.now();
    const d = await get<ContentDetail>(API.detail(lib.id, uuid), signal);
    // The favourite and rating just set here are in it when it was asked for after the daemon took them.
    settle([uuid], sentAt);
    return d;
  }, [lib.id, uuid]);
  // Its tags or marks changed, here, in another tab or on a paired device (DESIGN §15).
  useLiveEvent('shared:changed', (e) => { if (e.library_id === lib.id) reload(); });
  useReconnect(reload);
  const value = detail.state === 'ready' ? detail.value : null;
  const ocr = value ? findSidecar(value.sidecars, 'ocr', ['default']) : undefined;
  const transcript = value ? findSidecar(value.sidecars, 'transcript', ['default']) : undefined;
  const [ocrJson] = useLoad(async (signal) => (obtainable(ocr) ? get<OcrJson>(sidecarUrl(lib.id, uuid, ocr), signal) : null), [ocr?.checksum, ocr?.status]);
  const [transcriptJson] = useLoad(async (signal) => (obtainable(transcript) ? get<TranscriptJson>(sidecarUrl(lib.id, uuid, transcript), signal) : null), [transcript?.checksum, transcript?.status]);
  const player = useRef<HTMLMediaElement | null>(null);
  // The same array while Q is the same: marking a long text is done once, not at every render.
  const terms = useMemo(() => queryTerms(q), [q]);

  if (!value) {
    return (
      <Page label="Details">
        <BackLink />
        {detail.state === 'error' ? <><h1>Not available</h1><p>{detail.message}</p></> : <p className="muted" aria-busy="true">Loading…</p>}
      </Page>
    );
  }
  const pages = ocrJson.state === 'ready' ? ocrJson.value?.pages ?? [] : [];
  return (
    <Page label="Details" title={value.name} className="detail-page">
      <div className="back-row">
        <button type="button" className="back quiet" onClick={goBack}><span aria-hidden="true">← </span>Back</button>
        {(value.kind === 'image' || value.kind === 'video') && (
          <button type="button" className="quiet" onClick={() => viewFullScreen(lib.id, value, may)}>Full screen</button>
        )}
      </div>
      <h1 className="detail-title">{value.name}</h1>
      <div className="detail">
        <div className="detail-main">
          <DetailMedia detail={value} libId={lib.id} ocrPage={pages[0] ?? null} terms={terms} playerRef={player} />
          {transcriptJson.state === 'ready' && transcriptJson.value && <Transcript segments={transcriptJson.value.segments} playerRef={player} terms={terms} />}
          {pages.length > 0 && textWorthShowing(value) && <OcrText pages={pages} terms={terms} />}
        </div>
        <aside className="detail-side">
          {value.stack && <StackStrip libId={lib.id} uuid={value.content_uuid} stack={value.stack} mayChange={may('stackSetCover') && may('stackUnstack')} changed={reload} />}
          <DetailUserPanel libId={lib.id} uuid={value.content_uuid} user={value.user} changed={reload} />
          {may('albumsAdd') && <DetailAlbums libId={lib.id} uuid={value.content_uuid} />}
          <MetadataList detail={value} />
          <DetailFileActions libId={lib.id} paths={value.paths} changed={reload} />
          {value.paths.length > 0 && maySend(may) && <SendToDevice contents={[value.content_uuid]} />}
        </aside>
        <div className="detail-wide">
          <SidecarsTable sidecars={value.sidecars} />
        </div>
      </div>
    </Page>
  );
}

/**
 * The viewer from a content's page: over the library's grid when the grid holds it (swipe on to
 * its neighbours), else over this content alone.
 */
function viewFullScreen(libId: string, d: ContentDetail, may: (op: OperationName) => boolean): void {
  const store = gridStore(libId);
  const at = store.find(d.content_uuid);
  if (at) return openViewer(libId, gridSource(store), at.index, may);
  const item = {
    content_uuid: d.content_uuid, name: d.name, kind: d.kind, mime: d.mime, width: d.width, height: d.height,
    thumb_checksum: null, local: d.paths.length > 0, favorite: d.user.favorite, rating: d.user.rating, hidden: d.user.hidden,
  } as unknown as GridItem;
  openViewer(libId, { count: () => 1, item: () => item, load: async () => undefined }, 0, may);
}

function BackLink() {
  return <div className="back-row"><button type="button" className="back quiet" onClick={goBack}><span aria-hidden="true">← </span>Back</button></div>;
}

/** Words an ordinary photo's read text needs before it is shown (fewer are what tesseract makes of leaves and rails). */
const PHOTO_TEXT_WORDS = 4;

/** Whether the text read from DETAIL is more than noise: a document's, a scan's, or a photo's with a few confident words. */
function textWorthShowing(detail: { kind: string; text_words: number | null }): boolean {
  return detail.kind !== 'image' || (detail.text_words ?? 0) >= PHOTO_TEXT_WORDS;
}
