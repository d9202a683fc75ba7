/** Near-duplicates (issue 45): groups of contents whose pictures match though their bytes differ. */

/** One content of a group, as `vss similar --json` shows it side by side with the others. */
export interface SimilarContent {
  content_uuid: string;
  /** Its files: this device's absolute paths, then other devices' `DEVICE:/LOCATION/PATH`. */
  paths: string[];
  /** Upright pixels, when its metadata says. */
  width: number | null;
  height: number | null;
  size: number;
  /** The format as people name it: JPEG, HEIC, PNG, NEF… */
  format: string;
  mime: string;
  /** Bits per pixel of the file: a measure of how much it was compressed (a re-save at lower quality has fewer). */
  bits_per_pixel: number | null;
}

export interface SimilarGroup {
  /** The same members give the same id. */
  group_id: string;
  contents: SimilarContent[];
  /** The one to keep (most pixels, a camera's own format, most metadata, largest file). */
  keep: string;
}

/** What keeping one of a group did. */
export interface SimilarKeepResult {
  kept: string;
  /** Its file's name (what `similar keep` says it kept); null where no device names it now. */
  kept_name: string | null;
  /** The contents whose files went to the trash, and their tags, ratings, albums merged onto the one kept. */
  trashed: string[];
  /** Files moved to the trash. */
  files: number;
  /** What was merged onto the kept content. */
  merged: { tags: string[]; albums: number; rating: number; favorite: boolean };
}
