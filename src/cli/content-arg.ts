import { existsSync } from 'node:fs';
import { isAbsolute, resolve, sep } from 'node:path';
import { isDeviceAddress } from '../core/address.js';
import { VssError } from '../core/errors.js';
import { mayBeShortId } from '../core/short-id.js';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * What the user typed for a content, as the library reads it (browse/content-ref.ts). A file that
 * exists here goes as its absolute path, whatever else its name could be read as: the daemon's
 * working directory is not ours, so only this process can resolve a name or a relative path. A
 * uuid, the start of one (as lists show it), `DEVICE:/LOCATION/PATH` and an absolute path go as
 * typed; so does a bare file name that is no file here (`IMG_0412.jpg`): the library looks for it
 * by name on every device. A relative path that is no file here is refused here, naming the path
 * looked up: sent on, the library would read `Photos/a.jpg` as the location Photos and answer about that.
 */
export function contentRef(ref: string): string {
  if (UUID.test(ref)) return ref;
  if (existsSync(ref)) return resolve(ref);
  if (isAbsolute(ref) || isDeviceAddress(ref) || mayBeShortId(ref)) return ref;
  if (ref !== '' && !ref.includes('/') && !ref.includes(sep)) return ref;
  throw new VssError('NOT_FOUND', `no file ${resolve(ref)}: a relative path is looked up from the current folder. `
    + 'Give the path of a file in a location, a file\'s name alone (looked for anywhere in the library), DEVICE:/LOCATION/PATH or a content id', { path: resolve(ref) });
}
