import type { Logger } from 'pino';
import type { DropProgress, FileReceived } from '../../core/events.js';
import type { RemoteDevice } from '../peer-link.js';
import type { OfferedItem } from './journal.js';

/*
 * What a receive of /vss/drop (receive.ts) lands into and asks of its host: the place of an offer
 * (the inbox, or a folder of one of this device's locations) with its last looks, its index and
 * its Guardian, and what the daemon gives the receiving side.
 */

/**
 * Where the files of one offer land: the inbox, or (version 3's `place`) a folder of one of this
 * device's locations.
 */
export interface DropPlace {
  /** The folder whose `.vss-drop/` keeps the journal and the partials: on the filesystem of DIR, so a file placed is a rename. */
  stateRoot: string;
  /** The folder the files land in. */
  dir: string;
  /** How a refusal names it to the sender: `inbox`, `location Photos`. */
  what: string;
  /** A name taken in DIR: another name, the file replaced, or (`skip`) the file not sent at all. */
  conflict: 'keep-both' | 'replace' | 'skip';
  /** Whether the journal stays once every file is in, so an offer made again (a sender killed before it heard `done`) is answered from it rather than landed twice. */
  keepJournal: boolean;
  /**
   * Whether a file of the same bytes already under the name offered stands for the file (keep-both):
   * a location's folder, where a copy is what counts (a protect or copy made again lands nothing
   * twice, as a local copy leaves the same file there). The inbox lands what is sent.
   */
  sameBytesCount?: boolean;
  /** The last look before anything is written or placed in DIR (files/destination.ts `checkLanding`); throws why not. */
  check?(): void;
  /** Told of the files placed (verified and flushed) once the offer is done: the index of DIR hears of them before `done` goes. */
  landed?(files: readonly LandedFile[]): Promise<void>;
  /**
   * This device's own Guardian over what ITEMS (those still to land) would replace (conflict
   * `replace`), asked before the offer is accepted (place-guard.ts). Absent: nothing is weighed.
   */
  weigh?(items: readonly OfferedItem[]): Promise<PlaceGuard>;
}

/** What a place gives up, weighed by this device's Guardian: held until its files are placed. */
export interface PlaceGuard {
  /** Why the place may not replace what it would (sent as the refusal; RETRY: it may work later); absent: it may. */
  refusal?: { reason: string; retry: boolean };
  /** Whether what the weighing leaned on (other devices' locks on their copies) still holds: asked before files are placed. */
  holds(): boolean;
  release(): Promise<void>;
}

/** A file a place took: where it is now, and the BLAKE3 it was verified against. */
export interface LandedFile {
  path: string;
  blake3: string;
}

/** What a `place` asks: folder DIR of location LOCATION (uuid) of LIBRARY, and its conflict policy. */
export interface PlaceRequest {
  library: string;
  location: string;
  dir: string;
  onConflict: string;
  /** The sender's --force (version 3's `force`): past the receiver's Guardian, where the receiver lets peers force it. */
  force?: boolean;
}

export interface DropHost {
  /** The inbox folder now (the device's setting). */
  inbox(): string;
  /**
   * The place REQ names for REMOTE, checked (a location of this device in a library REMOTE
   * shares, DIR inside it) and its folder made; a VssError says why not (sent as the refusal;
   * UNAVAILABLE: it may work later, its drive away). Absent: places are refused.
   */
  place?(remote: RemoteDevice, req: PlaceRequest): Promise<DropPlace>;
  /** Whether DEVICEUUID is paired with this device now (it may have been unpaired since the connection opened). */
  isPaired(deviceUuid: string): boolean;
  log: Logger;
  onProgress?(p: DropProgress): void;
  onReceived?(f: FileReceived): void;
}
