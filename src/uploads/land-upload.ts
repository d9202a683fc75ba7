import { constants, createReadStream } from 'node:fs';
import { chmod, link, open, rm, stat, unlink, utimes } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { VssError } from '../core/errors.js';
import { blake3File } from '../core/file-blake3.js';
import { freeNameIn } from '../core/free-name.js';
import { fsyncDirAsync, fsyncFileAsync } from '../core/fs-atomic.js';
import { Landing, partialIn, placeLanded, verifyLanded } from '../core/landing.js';
import { mediaByMagic } from '../content/detect-type.js';
import { HEAD_BYTES } from '../content/hash-file.js';
import { placeInLibrary } from '../files/places.js';
import type { Library } from '../library/library.js';
import { sameBytesThere } from '../storage/already-there.js';
import { indexLanded } from '../files/reindex.js';
import { landingDirProblem } from '../files/landing-names.js';
import { checkLanding } from '../files/destination.js';
import type { UploadMeta } from './upload-meta.js';
import { uploadMonth } from './upload-month.js';

/** An upload whose bytes may not be kept (not what the browser hashed, not a photo or a video): its bytes are removed. */
export class UploadRefused extends VssError {
  constructor(path: string, reason: string) {
    super('USAGE', `the upload ${path} was refused: ${reason}`, { path });
    this.name = 'UploadRefused';
  }
}

export interface UploadLanded {
  /** Where the file is now, inside a location. */
  path: string;
  /** The same bytes were there already under its name (or one beside it): nothing new was written. */
  already: boolean;
}

/** A landed file's mode: readable by all, as a file the user copied in would be. */
const LANDED_MODE = 0o644;
const TRIES = 5;

/**
 * Land a finished upload (its bytes whole in FILE, outside every location) in DIR/YYYY/MM/NAME
 * (DIR a folder inside a location of LIB): its bytes checked against the BLAKE3 the browser
 * computed (WRITTEN: their BLAKE3 as they were written, else read now) and its type against a photo's or a video's, the month from its capture time, its
 * modification time kept; a name taken by other bytes is renamed apart (`NAME (2).EXT`), one
 * holding the same bytes already is the answer (an upload sent again after its answer was lost
 * lands once). The file appears under its name whole (a hard link on the same drive, else a copy
 * verified again through the landing), flushed, and is indexed at once: it counts as a copy from
 * then on. Linked, FILE's own name is gone before the index reads the landed file (FILE moved
 * into place); else (copied, there already, refused) FILE is the caller's to remove.
 */
export async function landUpload(lib: Library, file: string, meta: UploadMeta, dir: string, written?: string): Promise<UploadLanded> {
  const place = placeInLibrary(lib, dir, 'the uploads folder');
  const bookkeeping = landingDirProblem(place.rel);
  if (bookkeeping) throw new VssError('PATH_REFUSED', `the uploads folder ${dir}: ${bookkeeping}`, { path: dir });

  // Hashed as they were written (the daemon's PATCH), as a landing hashes what it writes; else read again now.
  const got = written !== undefined ? { checksum: written, size: (await stat(file)).size } : await blake3File(file);
  if (got.checksum !== meta.blake3) throw new UploadRefused(meta.name, `its bytes hash to ${got.checksum.slice(0, 16)}…, not the ${meta.blake3.slice(0, 16)}… the browser computed`);
  const head = Buffer.alloc(Math.min(HEAD_BYTES, got.size));
  const fh = await open(file, constants.O_RDONLY);
  try {
    await fh.read(head, 0, head.length, 0);
  } finally {
    await fh.close();
  }
  // By its bytes, never its name: a zip, an XML page or an Office file named `.jpg` is not a photo.
  const type = await mediaByMagic(head);
  if (!type) throw new UploadRefused(meta.name, 'its bytes are not a photo or a video');

  const month = await uploadMonth(file, type.kind === 'video' ? 'video' : 'image', meta.modifiedMs);
  const target = join(dir, ...month.split('/'));
  // As every landing looks before it writes (files/destination.ts): never under a mount point its drive left.
  checkLanding(lib, dir);
  await place.root.makeFolderAsync(target);
  // One landing at a time in a folder: two uploads of the same bytes finishing together must not both find the name free of them.
  const final = await inTurn(target, async () => {
    const there = await sameBytesThere(target, meta.name, got.size, meta.blake3);
    if (there !== undefined) return { path: join(target, there), already: true };
    await chmod(file, LANDED_MODE);
    await utimes(file, new Date(), new Date(meta.modifiedMs));
    return { path: await linkInto(file, target, meta, got.size), already: false };
  });
  if (!final.already) await indexLanded(lib, place.locationId, place.root.root, [{ path: final.path, blake3: meta.blake3 }]);
  return final;
}

/** The landings under way, by folder: each waits for the one before it. */
const turns = new Map<string, Promise<unknown>>();

function inTurn<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const next = (turns.get(dir) ?? Promise.resolve()).catch(() => undefined).then(fn);
  turns.set(dir, next);
  void next.finally(() => { if (turns.get(dir) === next) turns.delete(dir); }).catch(() => undefined);
  return next;
}

/**
 * FILE put at a free name for META.name in TARGET: a hard link (the name appears with every byte,
 * or not at all; taken at once or tried beside it) and FILE's own name removed, else (another
 * drive, a filesystem without links) a copy through the landing, hashed as it is written and
 * checked again. The link's other name goes here, before the index records the landed file: its
 * unlink later would change the file's ctime (one link fewer), and the Guardian would read the
 * upload as touched since it was indexed, never a copy until a rescan.
 */
async function linkInto(file: string, target: string, meta: UploadMeta, size: number): Promise<string> {
  await fsyncFileAsync(file);
  for (let i = 0; i < TRIES; i++) {
    const final = freeNameIn(target, meta.name);
    try {
      await link(file, final);
      await fsyncDirAsync(target);
      await unlink(file);
      return final;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      if (code === 'EXDEV' || code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') return copyInto(file, target, meta, size);
      throw err;
    }
  }
  throw new VssError('IO', `no free name for ${meta.name} in ${target}`, { path: target });
}

async function copyInto(file: string, target: string, meta: UploadMeta, size: number): Promise<string> {
  const partial = partialIn(target, `upload-${meta.blake3.slice(0, 16)}`);
  const landing = await Landing.open(partial, { hash: true });
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) await landing.write([chunk as Buffer]);
  } catch (err) {
    await landing.close();
    await rm(partial, { force: true });
    throw err;
  }
  const landed = await landing.finish();
  const wrong = await verifyLanded(landed, { size, blake3: meta.blake3 });
  if (wrong !== undefined) throw new VssError('IO', `the copy of ${meta.name} into ${target} is ${wrong}`, { path: dirname(partial) });
  return placeLanded(partial, { dir: target, name: meta.name, conflict: 'keep-both', kept: { mode: LANDED_MODE, mtimeMs: meta.modifiedMs } });
}
