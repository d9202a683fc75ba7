import { join } from 'node:path';
import { kindCaps } from '../storage/storages.js';
import { UsageError, VssError } from '../core/errors.js';
import { contentUuidFor } from '../content/identity.js';
import { placeInLibrary } from '../files/places.js';
import type { Library } from '../library/library.js';
import type { UploadLanded } from '../uploads/land-upload.js';
import type { UploadMeta } from '../uploads/upload-meta.js';

export type { UploadLanded };

/** Content ids one "already have it?" asks about at most (a browser asks a long camera roll in several). */
export const MAX_CHECKED = 10_000;
const CAS_ID = /^[0-9a-f]{64}$/;

/**
 * Uploads from a browser (issue 44): which contents the library holds already, on any device,
 * so a phone sends only what is new; and a finished upload landed in a folder of a location.
 */
export class UploadsApi {
  constructor(private readonly lib: Library) {}

  /** Of CASIDS (content ids as the browser computed them, DESIGN §1), those a file holds anywhere in the library; and the library's hash threshold they are computed under. */
  check(casIds: unknown): { have: string[]; hash_threshold: number } {
    if (!Array.isArray(casIds) || casIds.length > MAX_CHECKED) throw new UsageError(`cas_ids is a list of at most ${MAX_CHECKED} content ids`);
    const byUuid = new Map<string, string>();
    for (const id of casIds) {
      if (typeof id !== 'string' || !CAS_ID.test(id)) throw new UsageError('a content id is 64 lowercase hex digits');
      byUuid.set(contentUuidFor(id), id);
    }
    const held = this.lib.store.contents.heldAnywhere([...byUuid.keys()]);
    // The threshold a browser computes content ids under (it asks with no ids first).
    return { have: [...held].map((uuid) => byUuid.get(uuid)!), hash_threshold: this.lib.config.settings.hashThresholdBytes };
  }

  /** Land the finished upload FILE (outside every location) in DIR/YYYY/MM/NAME: src/uploads/land-upload.ts (WRITTEN: the BLAKE3 its bytes were hashed to as they were written, if they were). */
  async land(file: string, meta: UploadMeta, dir: string, written?: string): Promise<UploadLanded> {
    // Loaded when an upload lands, not with every library a command opens (type detection, ExifTool, the drop's checks).
    const { landUpload } = await import('../uploads/land-upload.js');
    return landUpload(this.lib, file, meta, this.folder(dir), written);
  }

  /** DIR checked as an uploads folder: absolute, inside a location added on this device, outside the library folder. */
  folder(dir: string): string {
    placeInLibrary(this.lib, dir, 'the uploads folder');
    return dir;
  }

  /** Where a browser's uploads go unless told: `Uploads/NAME` in this device's first location. */
  defaultFolder(name: string): string {
    const loc = this.lib.store.locations.ofDevice(this.lib.deviceId).find((l) => typeof l.path === 'string' && kindCaps(l.kind).writable);
    if (!loc) throw new VssError('NOT_FOUND', 'this device has no location to put uploads in: add one (vss location add DIR), or give --uploads-to DIR');
    return join(loc.path, 'Uploads', name.replace(/[/\\\u0000-\u001f]/g, '-').replace(/^\.+/, '') || 'Browser');
  }
}
