/**
 * Albums as the API answers them (issue 32: `vss album list|show`): read by the app in web/ as
 * they are. Types only.
 */

export interface AlbumView {
  album_id: string;
  name: string;
  /** The album it sits in, or null at the top. */
  parent: string | null;
  /** The names from the top of the tree down to this album. */
  path: string[];
  /** A smart album's saved search (its contents follow the library); null: the contents put in it. */
  query: string | null;
  /** The content shown for it: the one chosen, else the first of its contents; null when it has none. */
  cover: string | null;
  /** How many contents it holds now (a smart album's: how many its search finds, at most `AlbumView.count_cap`). */
  count: number;
  /** Another album has the same name (two devices made it at once). */
  same_name: boolean;
}

/** An album with its contents (`vss album show`). */
export interface AlbumShown extends AlbumView {
  /** Its contents by uuid (a smart album's: what its search finds now). */
  contents: string[];
  /** Each content's file name (what `album show` prints); null where no device names it now. */
  names: Record<string, string | null>;
}
