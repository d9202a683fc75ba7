/**
 * The whole library across devices as the CLI and the daemon answer it (DESIGN §15): contents with
 * their copies on every device, and folders of any device. Types only: the web app reads this file.
 */

/** One copy of a content, on this device or a paired one. */
export interface ContentCopyItem {
  device_id: string;
  /** The device's name as it last named itself. */
  device: string;
  /** Where the file is on that device (this device: absolute, readable here; another: as its owner shows it). */
  path: string;
  /** Another device's copy as an address, `DEVICE:/location/relative/path` (null for this device's). */
  address: string | null;
  /** That device is connected now (this device always). */
  online: boolean;
}

/** `vss content list --json`: a content of the whole library. */
export interface LibraryContentItem {
  content_uuid: string;
  cas_id: string;
  kind: string;
  mime: string;
  size: number;
  /** This device's copies, absolute (as `content list` always gave). */
  paths: string[];
  /** Every copy on every device. */
  copies: ContentCopyItem[];
}

/** `vss ls --json`: one entry of a folder on any device (a location, when a device's locations are listed). */
export interface LsItem {
  name: string;
  kind: 'file' | 'dir' | 'symlink';
  size: number;
  /** When it last changed (ms), as its device last said; null where not known (a location's own folder). */
  modified: number | null;
  content_uuid: string | null;
  /** Its content's kind (image, video, document…), where known. */
  content_kind: string | null;
  device: string;
  device_id: string;
  online: boolean;
  /** This device's own entries only: where it is here (what a file operation names); absent on another device's. */
  path?: string;
}
