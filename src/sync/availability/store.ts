import type { Library } from '../../library/library.js';

/** A library's availability: this device's changes, numbered; peers' entries, as hearsay. */
export class AvailabilityStore {
  constructor(private readonly lib: Library) {}
}
