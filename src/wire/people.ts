/**
 * Faces and people as the API answers them (issue 31: `vss faces list`, `vss people list`): the
 * `--json` shapes are a contract; read by the app in web/ as they are. Types only.
 */
import type { FaceBox } from './sidecar-json.js';

export interface FaceView {
  face_id: string;
  /** Fractions of the upright picture, from its top-left corner. */
  box: FaceBox;
  /** The detector's confidence, 0–1. */
  score: number;
  /** Who the face is now, or null: nobody yet (or below the quality floor, or put with nobody). */
  person_id: string | null;
}

export interface PersonView {
  person_id: string;
  /** null: not named yet. */
  name: string | null;
  faces: number;
  contents: number;
  hidden: boolean;
}

/** A person with a face to show for them (the People page). */
export interface PersonCardView extends PersonView {
  /** The face shown for them: the clearest of theirs, its content and its place among the content's crops. */
  cover: { face_id: string; content_uuid: string; index: number } | null;
}

/** A face of a person with where it is (a person's page). */
export interface PersonFaceView extends FaceView {
  content_uuid: string;
  /** Its place among the content's crops (`faces/face@1x`). */
  index: number;
}

/** The faces that are nobody yet (`vss people list` and the People page say so rather than "nobody"). */
export interface UnsortedFacesView {
  faces: number;
  contents: number;
  /** The clearest of them, to show and name. */
  sample: PersonFaceView[];
}
