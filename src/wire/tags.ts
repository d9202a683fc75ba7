/**
 * Tags and user metadata as the API answers them (DESIGN §11, §16: `vss tag list`, `vss meta
 * show`): read by the app in web/ as they are. Types only.
 */

export interface TagView {
  uuid: string;
  name: string;
  /** `#rrggbb`, or null for none. */
  color: string | null;
  parent_uuid: string | null;
  /** The names from the top of the tree down to this tag (`['Places', 'Croatia', 'Dubrovnik']`). */
  path: string[];
  /** Contents carrying this tag (not counting its descendants). */
  contents: number;
  /** Contents carrying this tag or any tag beneath it, each once: what `tag:NAME` finds. */
  contents_total: number;
  /** Another tag has the same name (two devices made it at once): `vss tag merge` makes them one. */
  same_name: boolean;
}

export interface UserMetaView {
  /** The content it is kept under; for a folder (issue 59), its object's uuid. */
  content_uuid: string;
  /** A folder, or a file outside every location: where it is (issue 59). */
  object?: { uuid: string; kind: 'folder' | 'file'; path: string; device: string };
  favorite: boolean;
  hidden: boolean;
  /** 0 (none) to 5. */
  rating: number;
  note: string | null;
  /** The names of the tags it carries, sorted. */
  tags: string[];
}
