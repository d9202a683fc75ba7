/**
 * A big synthetic library, built straight into the database, for the memory tests and the RSS
 * benchmark: N image contents in one deep location (one copy each, 1,000 to a folder), each with a
 * ready thumb/grid@1x sidecar and a completed thumb job — what a deep scan and `jobs run` leave
 * behind, so a rescan's queueing phase finds nothing new. With `livePhotos`, every other content
 * is a Live Photo movie whose Apple identifier matches the still before it.
 *
 * No file is indexed: rows go in through the stores, a transaction per 50,000 contents. Each thumb
 * job goes the way `jobs run` takes it: queued, taken, completed (with `textPad`, at its second attempt,
 * the first having failed).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';
import { MEDIA_READER_REVISION } from '../../src/media/media-metadata.js';
import { Vss, addLocation, contentUuidFor, sidecarAddress, sidecarRelPath, sidecarUuid, type Library } from '../internals.js';

export const BIG_POLICY = 'thumb=grid@1x';
const PER_FOLDER = 1000;
const TX_ROWS = 50_000;

export interface BigLibrary {
  lib: Library;
  dataDir: string;
  locationId: number;
}

export interface BigLibraryOptions {
  contents: number;
  /** Pairs of still + movie (odd contents are movies); the movies are CAS-whole so no file is read. */
  livePhotos?: boolean;
  /** Characters added to every folder name, sidecar error and job note (each job's first attempt failed with it), so each listed item is that much longer. */
  textPad?: number;
  /** Capture times this far apart (ms), newest last, each also as a dated `captured_at` (the web UI's days); default 1 s with no `captured_at`. */
  capturedEveryMs?: number;
  /** Every Nth content a PDF document instead of a photo (the photo grid's kind filter leaves them out); default none. */
  documentEvery?: number;
}

/** Build the library under DIR (its data dir at DIR/data, the location at DIR/photos) and leave it open. */
export function buildBigLibrary(dir: string, opts: BigLibraryOptions): BigLibrary {
  const dataDir = join(dir, 'data');
  const photos = join(dir, 'photos');
  mkdirSync(photos, { recursive: true });
  const lib = new Vss({ dataDir }).createLibrary('big', join(dir, 'libraries'));
  const loc = addLocation(lib, photos, { mode: 'deep', generation: BIG_POLICY });
  const { entries, contents, sidecars, jobs } = lib.store;
  const root = entries.rootOf(loc.id)!;
  const now = Date.now();

  const pathPad = opts.textPad ? `-${'p'.repeat(opts.textPad)}` : '';
  const error = opts.textPad ? `an earlier attempt failed: ${'e'.repeat(opts.textPad)}` : null;
  let folder = root;
  let folderName = '';
  for (let start = 0; start < opts.contents; start += TX_ROWS) {
    lib.store.transaction(() => {
      for (let i = start; i < Math.min(opts.contents, start + TX_ROWS); i++) {
        const f = Math.floor(i / PER_FOLDER);
        if (i % PER_FOLDER === 0) {
          folderName = `d${f}${pathPad}`;
          folder = entries.insert(loc.id, { parent_id: root, name: folderName, rel_path: folderName, kind: 'dir', size: 0, inode: 0, mtime_ms: now, link_target: null }, now);
        }
        const casId = blake3(Buffer.from(`big library content ${i}`)).toString('hex');
        const uuid = contentUuidFor(casId);
        const movie = opts.livePhotos === true && i % 2 === 1;
        const document = !movie && opts.documentEvery !== undefined && i % opts.documentEvery === opts.documentEvery - 1;
        const size = 1000 + (i % 997);
        const pair = opts.livePhotos ? Math.floor(i / 2) : i;
        const capturedMs = 1_600_000_000_000 + pair * (opts.capturedEveryMs ?? 1000);
        const capturedAt = opts.capturedEveryMs ? { captured_at: new Date(capturedMs).toISOString().replace(/\.\d+Z$/, 'Z') } : {};
        const meta = JSON.stringify({ v: 1, r: MEDIA_READER_REVISION, ...capturedAt, captured_ms: capturedMs, captured_zone: 'explicit', width: 4032, height: 3024, content_identifier: `LIVE-${pair}`, motion_photo: false });
        const cid = contents.upsert({ uuid, cas_id: casId, cas_version: 1, kind: movie ? 'video' : document ? 'document' : 'image', mime: movie ? 'video/quicktime' : document ? 'application/pdf' : 'image/jpeg', size }, now);
        contents.setMediaMetadata(cid, meta);
        const name = movie ? `IMG_${pair}.MOV` : document ? `SCAN_${pair}.PDF` : `IMG_${pair}.JPG`;
        const file = { parent_id: folder, name, rel_path: `${folderName}/${name}`, kind: 'file' as const, size, inode: i + 1, mtime_ms: now, link_target: null };
        entries.linkContent({ ...file, id: entries.insert(loc.id, file, now) }, cid, now);
        const rel = sidecarRelPath(sidecarAddress(uuid, 'thumb', 'grid@1x'));
        sidecars.upsert({
          uuid: sidecarUuid(uuid, 'thumb', 'grid@1x'), content_uuid: uuid, kind: 'thumb', variant: 'grid@1x', format: 'webp', rel_path: rel,
          source_entry_id: null, size: 100, checksum: casId, status: 'ready', source: 'generated', generator: 'thumb@1', error, attempts: null,
        }, now);
        jobs.enqueue({ kind: 'thumb', contentUuid: uuid, priority: 10, maxAttempts: 3, bytes: size }, now);
        const job = jobs.latest('thumb', uuid)!;
        let token = job.run_token;
        jobs.markRunning(job.id, now);
        if (error !== null) {
          jobs.retryLater({ id: job.id, run_token: ++token }, error, now, now);
          jobs.markRunning(job.id, now);
        }
        jobs.complete({ id: job.id, run_token: ++token }, error, now);
      }
    });
  }
  lib.store.locations.markScanned(loc.id, 'complete', now);
  return { lib, dataDir, locationId: loc.id };
}
