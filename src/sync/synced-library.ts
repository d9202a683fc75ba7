import type { Library } from '../library/library.js';
import type { LibraryLink } from './library-link.js';

/**
 * What sync needs of an open library: its identity, and a port through which the peer service
 * links it to the paired devices that share it. The core API's LibraryApi satisfies it; sync
 * never reaches up for the API itself.
 */
export interface SyncedLibrary {
  readonly id: string;
  readonly name: string;
  /** The library folder on this device (what a pairing reports). */
  readonly path: string;
  readonly sync: LinkPort;
}

/**
 * Where a library takes its link. The link is made from the library itself (MAKE is handed the
 * open Library, which stays its owner's), kept until `unlink`, and asked for the library's sync
 * decisions meanwhile (resolve, fetch before generate, status).
 */
export interface LinkPort {
  link(make: (lib: Library) => LibraryLink): LibraryLink;
  /** Take the link back (the library closes, or the network side stops): the one it had, if any. */
  unlink(): LibraryLink | undefined;
}

/** Who holds the libraries (the daemon): one by id, opened on demand; or a joined one, made current. */
export interface LibraryHost {
  /** The open library with this id, opened on demand when this device knows it; undefined if it does not. */
  library(id: string): SyncedLibrary | undefined;
  /** Take part in another device's library (a joiner's side of pairing): its id and name, made current. */
  joinLibrary(id: string, name: string): SyncedLibrary;
  /** The library selected as current on this device, if there is one. */
  current(): SyncedLibrary | undefined;
}
