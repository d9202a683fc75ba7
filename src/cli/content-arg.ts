import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * What the user typed for a content, as the library reads it: a uuid or a `DEVICE:/LOCATION/PATH`
 * address as typed; a file that exists here as its absolute path (the daemon's working directory
 * is not ours).
 */
export function contentRef(ref: string): string {
  if (UUID.test(ref)) return ref;
  if (existsSync(ref)) return resolve(ref);
  return ref;
}
