/**
 * What the web UI browses (the UI contract's grid and detail): the shapes the daemon answers
 * with, read by the app in web/ as they are. Types only: the app's type check reads this file.
 */

import type { ContentSafety } from './guardian.js';
import type { DetailStack } from './stacks.js';

/** One day of the grid: its contents are a run of the order. Undated contents are one run, `day: null`, last. */
export interface GridDay {
  day: string | null;
  count: number;
}

export interface GridDays {
  total: number;
  /** The order's identity (it moves when the library changed and the order was read again). */
  version: number;
  days: GridDay[];
  /**
   * The devices whose contents the library holds (DESIGN §15): this one first, then each paired
   * device that sent its rows, with whether it is connected now. Tiles name their devices by id.
   */
  devices: GridDevice[];
  /** The device filter this order is of: null for every device, `local`, or a device id. */
  device: string | null;
}

/**
 * What else narrows the grid (DESIGN §16): a tag (its uuid or name; the tag and every tag beneath
 * it), favourites only, a least rating; hidden contents stay out unless `hidden` asks for them too.
 */
export interface GridFilter {
  tag?: string;
  favorite?: boolean;
  /** 1 to 5: contents rated at least this. */
  rating?: number;
  /** Show the hidden contents too. */
  hidden?: boolean;
  /** A person's id: only the contents they are in (issue 31). */
  person?: string;
  /** An album's id: only its contents (a smart album's: what its search finds now), issue 32. */
  album?: string;
  /** Only contents of these kinds, comma-separated (`image,video`: the photo grid's default; issue 32). */
  kinds?: string;
  /** Only the contents short of their Guardian policy (issue 58; the first 10,000, as `guardian list --at-risk` has them). */
  risk?: boolean;
}

/** A device of the library as the grid shows it. */
export interface GridDevice {
  device_id: string;
  name: string;
  /** This device. */
  local: boolean;
  /** Connected now (this device always is). */
  online: boolean;
}

/** One tile of the grid (the UI contract's item). */
export interface GridItem {
  content_uuid: string;
  name: string;
  kind: string;
  mime: string;
  /** The capture day (YYYY-MM-DD on the camera's clock), or null for an undated content. */
  day: string | null;
  captured_at: string | null;
  width: number | null;
  height: number | null;
  duration_s: number | null;
  live_photo: boolean;
  /** The ready grid thumbnail's checksum (the `v` that makes its URL immutable), or null when there is none yet. */
  thumb_checksum: string | null;
  /** Whether a thumbnail can be made for its kind at all (audio, text… have none: nothing to ask for). */
  has_thumb: boolean;
  /** Whether this device has a copy of it. */
  local: boolean;
  /** The devices with a copy of it, by id (GridDays.devices names them): this device first when it has one. */
  devices: string[];
  /** Its copies as the Guardian counts them (one a drive, or a paired device's location): 1, it exists once. */
  copies: number;
  /** User metadata (DESIGN §16), shared by every device of the library. */
  favorite: boolean;
  /** 0 (none) to 5. */
  rating: number;
  /** Hidden: in the grid only when the filter asks for hidden contents too. */
  hidden: boolean;
  /** The stack it is the cover of (issue 45): its other members are not tiles of their own. */
  stack?: GridStack;
}

/** A stack as its cover's tile carries it: a file operation on the tile takes every member. */
export interface GridStack {
  stack_id: string;
  kind: 'raw+jpeg' | 'burst';
  count: number;
  members: string[];
}

export interface GridPage {
  total: number;
  /** The order this page is a slice of (GridOrder.version). */
  version: number;
  items: GridItem[];
}

/** Where a content has a copy (one per entry, in the order they were found). */
export interface DetailPath {
  location_id: number;
  location_name: string;
  /** The copy's absolute path on the device of its location. */
  path: string;
}

export interface DetailDevice {
  device_id: string;
  name: string;
  /** This device. */
  local: boolean;
}

export interface DetailSidecar {
  kind: string;
  variant: string;
  format: string | null;
  /** This device's record of it (pending, generating, ready, failed, missing), or `remote`: only other devices have it. */
  status: string;
  checksum: string | null;
  size: number | null;
  /** The devices that have it ready. */
  devices: DetailDevice[];
}

/** A copy of a content on any device of the library (DESIGN §15). */
export interface DetailCopy {
  device_id: string;
  device: string;
  /** `DEVICE:/location/relative/path`. */
  address: string;
  /** This device. */
  local: boolean;
  /** The device is connected now (this device always is). */
  online: boolean;
}

/** The detail view of one content (the UI contract's detail). */
export interface ContentDetail {
  content_uuid: string;
  name: string;
  kind: string;
  mime: string;
  size: number;
  captured_at: string | null;
  width: number | null;
  height: number | null;
  duration_s: number | null;
  /** This device's copies. */
  paths: DetailPath[];
  /** Every copy on every device of the library, this device's first. */
  copies: DetailCopy[];
  /** This device has a copy (else it is known from a paired device's rows). */
  local: boolean;
  /** The media metadata as read from the file ({} when none was read). */
  metadata: Partial<MediaMetadata>;
  sidecars: DetailSidecar[];
  /** Its user metadata and tags (DESIGN §16), shared by every device of the library. */
  user: DetailUser;
  /** Its copies against its policy (the Guardian's count); null where it cannot be judged. */
  safety: ContentSafety | null;
  /**
   * Words in the text read from it that search indexes (OCR lines read confidently, a PDF's text
   * layer); null when no text was read. An ordinary photo with only a word or two read is noise:
   * the detail view shows its text only past a few words.
   */
  text_words: number | null;
  /**
   * Why it has no picture, when its maker said it never will (a RAW file with no preview in it,
   * a video file with no video stream); null otherwise.
   */
  no_picture: string | null;
  /** The stack it is in (issue 45), with its members; null when it is in none. */
  stack: DetailStack | null;
}

/** A tag a content carries, as its detail shows it. */
export interface DetailTag {
  uuid: string;
  name: string;
  /** `#rrggbb`, or null for none. */
  color: string | null;
  /** The names from the top of the tree down to it. */
  path: string[];
}

export interface DetailUser {
  favorite: boolean;
  hidden: boolean;
  /** 0 (none) to 5. */
  rating: number;
  note: string | null;
  /** By path. */
  tags: DetailTag[];
}

/**
 * What vss keeps of a photo's or video's embedded metadata, stored as JSON in
 * `content_identities.media_metadata`. Small on purpose: capture time, dimensions and the
 * identifiers that tie a Live Photo's still to its movie. Metadata is a property of the bytes,
 * so it is read once per content, whatever device or location holds a copy.
 */
export interface MediaMetadata {
  /** Shape version of this JSON (MEDIA_METADATA_VERSION); a reader that cannot parse a version treats the row as unread. */
  v: 1;
  /** When the shot was taken, ISO 8601; with an offset when the file or its context says one. */
  captured_at?: string;
  /** The same instant in epoch ms. Without a known zone: the wall-clock time read as UTC. */
  captured_ms?: number;
  /** How sure the zone of `captured_ms` is: written in the file, inferred (GPS, video UTC rule), or unknown. */
  captured_zone?: CapturedZone;
  width?: number;
  height?: number;
  /** EXIF orientation 1–8 (images). */
  orientation?: number;
  /** Seconds (videos). */
  duration_s?: number;
  /** Apple's Live Photo pairing id: the movie's QuickTime Keys tag, or the still's MakerNote tag 0x11. */
  content_identifier?: string;
  /** The still's MakerNote tag 0x11 under its older ExifTool name, when a reader reports it so. */
  media_group_uuid?: string;
  /**
   * Images: whether the file declares a Google/Samsung motion photo (an embedded movie); absent
   * when the tags cannot tell (a Samsung trailer is invisible to ExifTool's fast read).
   */
  motion_photo?: boolean;
  /** Where it was taken (issue 32): degrees north and east (WGS 84), metres above sea level, from the file's GPS tags. */
  gps?: { lat: number; lon: number; alt?: number };
  /** The place GPS falls in, from vss's offline geocoder (GeoNames): the nearest town or city, its region and country. */
  place?: MediaPlace;
  /** The camera and lens, as the file names them. */
  camera?: { make?: string; model?: string; lens?: string };
  /** How it was exposed: f-number, exposure time (as written, "1/250"), ISO, focal length in mm. */
  exposure?: { f?: number; time?: string; iso?: number; mm?: number };
  /**
   * Camera RAW files: the JPEG previews the camera embedded (ExifTool's tag, its size in bytes),
   * largest first; empty when it embedded none. Absent for other files.
   */
  previews?: Array<{ tag: string; bytes: number }>;
  /** Apple's burst id: the frames of one burst share it (MakerNote BurstUUID). */
  burst_uuid?: string;
  /**
   * What the reader took from the file (MEDIA_READER_REVISION): a library read by an older vss
   * (before GPS, camera and exposure were kept; before RAW previews and burst ids) is read again
   * once, on its next scan.
   */
  r?: number;
  /** Set when ExifTool could not read the file at all; no other field is then present. */
  error?: string;
}

/** A photo's place: names in English as GeoNames gives them; `cc` the ISO 3166 country code. */
export interface MediaPlace {
  city?: string;
  region?: string;
  country?: string;
  cc?: string;
}

export type CapturedZone = 'explicit' | 'inferred' | 'unknown';

/** The places the library's photos were taken (issue 32): a country with its towns, each with how many contents. */
export interface PlaceCountry {
  country: string;
  cc: string | null;
  count: number;
  /** Each town with where its photos were taken on average (lat, lon: null when none said; the Places map draws them). */
  cities: Array<{ city: string; region: string | null; count: number; lat: number | null; lon: number | null }>;
}
