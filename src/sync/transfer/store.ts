import type { Library } from '../../library/library.js';

/** A library's transfers: ready sidecars served by address, fetched ones verified and recorded. */
export class TransferStore {
  constructor(private readonly lib: Library) {}
}
