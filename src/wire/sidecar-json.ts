/**
 * The JSON sidecars the app reads through the file route (`…/sidecars/{uuid}/ocr/default`,
 * `…/transcript/default`): their shapes as the generators write them. Types only: the app's type
 * check reads this file.
 */

/** Clockwise degrees applied to the image before reading. */
export type Rotation = 0 | 90 | 180 | 270;

export type BBox = [x0: number, y0: number, x1: number, y1: number];

export interface TextBlock {
  text: string;
  /** [x0, y0, x1, y1], origin top-left of the page as displayed. */
  bbox: BBox;
  /** 0–1; text-layer text is exact, so 1. */
  confidence: number;
}

/** One page of `ocr/default.json`. */
export interface OcrJsonPage {
  /** 1-based page number in the file. */
  page: number;
  /** Where the text came from: the PDF's own text layer, or tesseract on the rendered page / image. */
  source: 'text-layer' | 'ocr';
  text: string;
  /** 0–1: mean word confidence for OCR, 1 for a text layer. */
  confidence: number;
  /** Clockwise degrees the page was turned before reading (a scan lying on its side: 90). */
  rotation: Rotation;
  /** Size of the page as read (after `rotation`), in `unit`. */
  width: number;
  height: number;
  /** 'pt' (1/72 in) for PDF pages, 'px' (pixels of the oriented image file) for images. */
  unit: 'pt' | 'px';
  /** One block per line: bbox [x0, y0, x1, y1] from the top-left of the page as read, in `unit`. */
  blocks: TextBlock[];
}

/** `ocr/default.json`. */
export interface OcrJson {
  /** Every page's text, pages separated by a blank line. */
  text: string;
  /** tesseract language(s), '+'-joined as tesseract writes them: "eng", "eng+deu". */
  lang: string;
  /** 0–1, the pages' confidences weighted by their text length (0 when there is no text). */
  confidence: number;
  /** What read the text: tesseract.js with its model, and pdfjs-dist where a text layer was used. */
  engine: string;
  /** Pages in the file, pages read, and why not all were (page limit, time limit). */
  pageCount: number;
  pagesRead: number;
  truncated: boolean;
  truncatedReason?: string;
  pages: OcrJsonPage[];
}

/** `transcript/default.json`. */
export interface TranscriptJson {
  language: string;
  text: string;
  segments: Array<{ start: number; end: number; text: string }>;
  model: string;
  engine: string;
  /** Seconds of audio transcribed. */
  duration: number;
  /** Set when the audio was longer than MAX_AUDIO_SECONDS: the transcript stops here. */
  truncated_at?: number;
}

/** A face's place in its picture: fractions of the upright image, from its top-left corner. */
export interface FaceBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** One face of `faces/default.json`. */
export interface FaceJson {
  box: FaceBox;
  /** The detector's confidence, 0–1. */
  score: number;
  /** The 68 landmarks, x then y of each, as fractions of the upright image. */
  landmarks: number[];
  /** The recogniser's 128-d descriptor: two faces of one person are close (Euclidean). */
  embedding: number[];
  /** Whether the face is good enough to be clustered into people (too small, blurred or doubtful: kept, not clustered). */
  quality: { ok: boolean; sharpness: number; reason?: string };
}

/** `faces/default.json`: the faces in a picture (a video's poster frame), in the order of their crops in `face@1x`. */
export interface FacesJson {
  version: 1;
  /** The model that found them: face-api@VERSION with its nets. */
  model: string;
  /** The upright picture the model was given, px (boxes are fractions of it). */
  width: number;
  height: number;
  /** Each crop's edge in `faces/face@1x.webp` (crops side by side, in the order of `faces`). */
  crop: number;
  faces: FaceJson[];
}
