import type { RefObject } from 'react';
import { API } from './api-paths.js';
import { DetailImage } from './detail-image.js';
import { FaceBoxes } from './face-boxes.js';
import { findSidecar, sidecarUrl } from './sidecar-files.js';
import type { ContentDetail, OcrJsonPage } from './types.js';

/**
 * What a content looks like in its detail view: a video's proxy (480p, seekable) with the
 * detail thumbnail as its poster, a recording's player, else the detail image (with its Live
 * Photo and its text boxes). PLAYER_REF gets the player the transcript seeks.
 */
export function DetailMedia({ detail, libId, ocrPage, terms, playerRef }: {
  detail: ContentDetail;
  libId: string;
  ocrPage: OcrJsonPage | null;
  terms: readonly string[];
  playerRef: RefObject<HTMLMediaElement | null>;
}) {
  const uuid = detail.content_uuid;
  const poster = findSidecar(detail.sidecars, 'thumb', ['detail@1x']);
  const posterUrl = API.sidecar(libId, uuid, 'thumb', 'detail@1x', poster?.checksum);
  if (detail.kind === 'video') {
    const proxy = findSidecar(detail.sidecars, 'proxy', ['quick']);
    // Without a proxy (none planned, or it failed) the original may still play in the browser.
    const src = proxy && proxy.status !== 'failed' ? sidecarUrl(libId, uuid, proxy) : API.original(libId, uuid);
    return (
      <figure className="media">
        <video ref={(el) => { playerRef.current = el; }} className="player" controls preload="metadata" aria-label="Video" poster={posterUrl} src={src} />
      </figure>
    );
  }
  if (detail.kind === 'audio') {
    return (
      <figure className="media media-audio">
        <audio ref={(el) => { playerRef.current = el; }} controls preload="metadata" aria-label="Audio" src={API.original(libId, uuid)} />
      </figure>
    );
  }
  const live = findSidecar(detail.sidecars, 'live_photo_video', ['original', 'embedded']);
  return (
    <DetailImage
      name={detail.name}
      src={posterUrl}
      noPicture={detail.no_picture}
      width={detail.width}
      height={detail.height}
      liveSrc={live && live.status !== 'failed' ? sidecarUrl(libId, uuid, live) : null}
      ocrPage={ocrPage}
      terms={terms}
      faces={findSidecar(detail.sidecars, 'faces', ['default']) ? <FaceBoxes libId={libId} uuid={uuid} /> : null}
    />
  );
}
