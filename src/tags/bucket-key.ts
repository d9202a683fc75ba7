import type { Library } from '../library/library.js';
import type { LibraryKeyRecord } from '../store/library-keys.js';
import { keyIdOf, newSecret } from '../volumes/bucket-keys.js';
import { SharedData } from './shared-data.js';

/**
 * The library's bucket key (issue 60): the first one kept, or (MAKE) one made now as shared data
 * (the operation `bucket_key`), so every member of the library receives it over the link it syncs
 * by and can read and write the encrypted buckets. `made`: made by this call, its recovery phrase
 * to be shown once by the caller.
 */
export function libraryBucketKey(lib: Library, make: boolean): { key: LibraryKeyRecord; made: boolean } | undefined {
  const had = lib.store.libraryKeys.first();
  if (had || !make) return had && { key: had, made: false };
  const secret = newSecret();
  const id = keyIdOf(secret);
  new SharedData(lib).commit([{ record: 'bucket_key', id, set: { secret: secret.toString('hex') } }]);
  return { key: lib.store.libraryKeys.byId(id)!, made: true };
}
