import { useState, type RefObject } from 'react';
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
    const faces = findSidecar(detail.sidecars, 'faces', ['default']);
    if (!faces) {
      return (
        <figure className="media">
          <video ref={(el) => { playerRef.current = el; }} className="player" controls preload="metadata" aria-label="Video" poster={posterUrl} src={src} />
        </figure>
      );
    }
    return <VideoWithFaces detail={detail} libId={libId} src={src} posterUrl={posterUrl} playerRef={playerRef} />;
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

/**
 * A video whose poster frame has faces: the faces are boxed and named over the poster, as over a
 * photo, while the poster shows (before it plays: later frames have their faces elsewhere). The
 * player sits in a frame of the video's own proportions, so boxes placed in fractions fall on the
 * faces, and the boxes let the player's controls take the clicks around them.
 */
function VideoWithFaces({ detail, libId, src, posterUrl, playerRef }: {
  detail: ContentDetail;
  libId: string;
  src: string;
  posterUrl: string;
  playerRef: RefObject<HTMLMediaElement | null>;
}) {
  const [started, setStarted] = useState(false);
  return (
    <figure className="media">
      <div className="frame frame-video">
        <video
          ref={(el) => { playerRef.current = el; }}
          className="player"
          controls
          preload="metadata"
          aria-label="Video"
          poster={posterUrl}
          src={src}
          {...(detail.width && detail.height ? { width: detail.width, height: detail.height } : {})}
          onPlay={() => setStarted(true)}
          onEmptied={() => setStarted(false)}
        />
        {!started && <FaceBoxes libId={libId} uuid={detail.content_uuid} />}
      </div>
      <figcaption className="media-tools muted">Faces are boxed on the poster frame, and hidden while the video plays</figcaption>
    </figure>
  );
}
