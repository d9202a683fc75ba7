import { useState, type ReactNode } from 'react';
import { LivePhoto, useLivePhoto } from './live-photo.js';
import { OcrBoxes } from './ocr-boxes.js';
import type { OcrJsonPage } from './types.js';

/**
 * The detail image (thumb detail@1x), with what lies over it: the Live Photo movie, shown while
 * it plays, and the boxes of the text read from it. Both are placed in fractions of the image, so
 * they follow it at any size without measuring.
 */
export function DetailImage({ name, src, noPicture, width, height, liveSrc, ocrPage, terms, faces }: {
  name: string;
  src: string;
  /** Why it has no picture (a RAW file with no preview in it), when it never will. */
  noPicture: string | null;
  width: number | null;
  height: number | null;
  liveSrc: string | null;
  ocrPage: OcrJsonPage | null;
  terms: readonly string[];
  /** What marks the faces in it (face-boxes.tsx), if any. */
  faces?: ReactNode;
}) {
  const [failed, setFailed] = useState(false);
  const [showBoxes, setShowBoxes] = useState(true);
  const live = useLivePhoto();
  const hasBoxes = ocrPage !== null && ocrPage.blocks.length > 0;
  return (
    <figure className="media">
      <div className={`frame${failed ? ' no-image' : ''}`} {...(liveSrc ? live.handlers : {})}>
        <img
          alt={name}
          src={src}
          {...(width && height ? { width, height } : {})}
          decoding="async"
          onError={() => setFailed(true)}
        />
        {failed && <p className="frame-fallback">{noPicture ? `No picture: ${noPicture}` : 'No picture of this file'}</p>}
        {liveSrc && <LivePhoto src={liveSrc} control={live} />}
        {hasBoxes && showBoxes && <OcrBoxes page={ocrPage} terms={terms} />}
        {!failed && faces}
      </div>
      {(liveSrc || hasBoxes) && (
        <figcaption className="media-tools">
          {liveSrc && (
            <button type="button" {...live.buttonHandlers} aria-pressed={live.playing}>
              <span aria-hidden="true">◉ </span>Live Photo: hold to play
            </button>
          )}
          {hasBoxes && (
            <label className="check">
              <input type="checkbox" checked={showBoxes} onChange={(e) => setShowBoxes(e.target.checked)} /> Show text boxes
            </label>
          )}
        </figcaption>
      )}
    </figure>
  );
}
