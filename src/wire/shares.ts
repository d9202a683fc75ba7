/** An album shared by a link (issue 61), as `vss shares list` and the web app show it. */
export interface ShareItem {
  share_id: string;
  /** The album's name when it was shared, and its id. */
  album: string;
  album_id: string;
  created_at: string;
  expires_at: string;
  /** live, or ended: expired, revoked. */
  state: 'live' | 'expired' | 'revoked';
  download: boolean;
  upload: boolean;
  password: boolean;
  /** Browsers that opened it, and when the last of them was last seen. */
  browsers: number;
  last_opened: string | null;
}

/** A share just made: the link (shown once: vss keeps only its digest), where it opens, and until when. */
export interface ShareMade {
  share_id: string;
  /** The link to send: the best address it opens at. */
  url: string;
  /** Every address it opens at, best first (the home network's, this machine's, the relay box's). */
  urls: string[];
  expires_at: string;
  /** A password made for it (`--password` without one given): told once, here. */
  password?: string;
}

/** One photo or video of a shared album, as its guest sees it: no name, no path, no device. */
export interface SharedAlbumItem {
  content_uuid: string;
  kind: string;
  mime: string;
  /** The capture day (YYYY-MM-DD), or null. */
  day: string | null;
  width: number | null;
  height: number | null;
  duration_s: number | null;
  /** The ready grid thumbnail's checksum, or null when there is none yet. */
  thumb_checksum: string | null;
}

/** What a guest of a share is shown (`GET /api/share`). */
export interface SharedAlbumView {
  share_id: string;
  title: string;
  /** Who shared it, as they said (null: not said). */
  by: string | null;
  expires_at: string;
  download: boolean;
  upload: boolean;
  /** Newest first; undated last. */
  items: SharedAlbumItem[];
}
