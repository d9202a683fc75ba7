import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Locker, Upload } from '@tus/utils';
import { Blake3Hasher } from '@napi-rs/blake-hash';
import { open } from 'node:fs/promises';

/** What a PATCH needs of the upload routes: the upload, whether the caller owns it, and its landing. */
export interface PatchHost {
  locker: Locker;
  /** The upload ID (undefined: none), when its sender is the request's party. */
  upload(req: IncomingMessage, id: string): Promise<Upload | undefined>;
  /** Where its bytes are. */
  path(id: string): string;
  /** Its bytes are all in (BLAKE3: theirs as they were written, when one hasher saw them all): land it; the answer's status and JSON body. */
  finished(id: string, blake3: string | undefined): Promise<{ status: number; body: string }>;
  /** Its bytes cannot be trusted (a flush failed): remove it, so its sender sends it whole again. */
  failed(id: string): Promise<void>;
  /** Whether it is past its time (tus answers 410 for it). */
  expired(upload: Upload): boolean;
  /** Bytes the disk holding uploads takes now, and the answer's words when it takes no more (it is full). */
  room(): { bytes: number; full(kept: number): string };
}

/** The disk holding the uploads has no room for this PATCH's next bytes. */
class DiskFull extends Error {}

/**
 * The BLAKE3 of each upload's bytes so far, kept as they are written (an upload's own hasher, and
 * how far it has hashed): its landing need not read them again. One that missed a byte (a PATCH
 * cut, a restart: the hasher is in memory) is dropped, and the landing hashes the file instead.
 */
const hashers = new Map<string, { hasher: Blake3Hasher; at: number }>();
/** Hashers kept at most (each a few kB): past it, the oldest goes (its upload is hashed at landing). */
const MAX_HASHERS = 256;

function hasherAt(id: string, offset: number): Blake3Hasher | undefined {
  const kept = hashers.get(id);
  if (kept && kept.at === offset) return kept.hasher;
  hashers.delete(id);
  if (offset !== 0) return undefined;
  const hasher = new Blake3Hasher();
  if (hashers.size >= MAX_HASHERS) hashers.delete(hashers.keys().next().value!);
  hashers.set(id, { hasher, at: 0 });
  return hasher;
}

/** Uploads a flush of failed: their bytes may not be on the disk, whatever a later fsync says. */
const failedFlush = new Set<string>();

/** Each upload's flush under way: started after a PATCH, so the landing's own fsync finds little left (as the landing of a copy flushes as it goes). */
const flushing = new Map<string, Promise<void>>();

function flushSoon(id: string, path: string): void {
  const before = flushing.get(id) ?? Promise.resolve();
  const next = before.then(async () => {
    const fh = await open(path, 'r').catch(() => undefined);
    // Landed and removed meanwhile: nothing of it is left to flush.
    if (!fh) return;
    try {
      await fh.datasync();
    } catch {
      // Linux tells a write-back error to one fsync only: this one keeps it for the landing.
      failedFlush.add(id);
    } finally {
      await fh.close();
    }
  });
  flushing.set(id, next);
  void next.finally(() => { if (flushing.get(id) === next) flushing.delete(id); });
}

const TUS_VERSION = '1.0.0';
/** A write's codes for a full disk (or a full quota). */
const DISK_FULL = new Set(['ENOSPC', 'EDQUOT']);

/**
 * tus's PATCH (the protocol's core: append the body at Upload-Offset), served by the daemon
 * itself rather than by @tus/server, which reads a body through web streams (Node's request made a
 * web stream by srvx, then a Node stream again): a third of the rate of a plain PUT on the same
 * link (`bench:phone`). The rest of tus (create, HEAD, DELETE, OPTIONS) stays @tus/server's, with
 * the same locker and store: a PATCH holds the upload's lock, checks the offset it names is the
 * one on disk (409 otherwise), never takes a byte past the declared length (413), keeps what came
 * before a cut (the next PATCH goes on from there), and lands the upload with its last byte.
 */
export async function servePatch(host: PatchHost, id: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const answer = (status: number, body = '', headers: Record<string, string> = {}) => {
    if (res.headersSent) return;
    res.writeHead(status, { 'tus-resumable': TUS_VERSION, 'cache-control': 'no-store', ...(body ? { 'content-type': headers['content-type'] ?? 'text/plain; charset=utf-8' } : {}), ...headers });
    res.end(body);
  };
  if (req.headers['tus-resumable'] !== TUS_VERSION) return answer(412, 'Tus-Resumable 1.0.0 is required\n');
  if (req.headers['content-type'] !== 'application/offset+octet-stream') return answer(415, 'a PATCH carries application/offset+octet-stream\n');
  const offsetHeader = req.headers['upload-offset'];
  const offset = typeof offsetHeader === 'string' && /^\d{1,16}$/.test(offsetHeader) ? Number(offsetHeader) : NaN;
  if (!Number.isSafeInteger(offset)) return answer(400, 'Upload-Offset must be a whole number\n');

  const abort = new AbortController();
  const lock = host.locker.newLock(id);
  // Another request holding the lock is asked to let go (a PATCH left by a cut connection): this one waits for it.
  await lock.lock(abort.signal, () => abort.abort());
  let finishing: { size: number; blake3: string | undefined } | undefined;
  try {
    const upload = await host.upload(req, id);
    if (!upload) return answer(404, 'The file for this url was not found\n');
    if (upload.size === undefined) return answer(400, 'an upload declares its length when it is made\n');
    if (host.expired(upload)) return answer(410, 'The upload has expired: send the file again\n');
    if (offset !== upload.offset) return answer(409, `Upload-Offset is ${upload.offset}, not ${offset}\n`, { 'upload-offset': String(upload.offset) });
    const room = upload.size - offset;
    const declared = req.headers['content-length'] !== undefined ? Number(req.headers['content-length']) : undefined;
    if (declared !== undefined && (!Number.isSafeInteger(declared) || declared > room)) return answer(413, `at most ${room} bytes are left of this upload\n`);
    let took = 0;
    // Room is held for bytes as they arrive, never for what an upload declared: this PATCH takes what the disk can take now.
    const disk = host.room();
    // Taken out while this PATCH writes; put back only if it saw every byte that reached the disk.
    const hasher = hasherAt(id, offset);
    hashers.delete(id);
    const bounded = new Transform({
      transform(chunk: Buffer, _enc, done: TransformCallback) {
        took += chunk.length;
        if (took > room) return done(new RangeError(`more than the ${room} bytes left`));
        if (took > disk.bytes) return done(new DiskFull());
        hasher?.update(chunk);
        done(null, chunk);
      },
    });
    const sink = createWriteStream(host.path(id), { flags: 'r+', start: offset });
    let cut: unknown;
    let sinkFailed: NodeJS.ErrnoException | undefined;
    sink.once('error', (err) => { sinkFailed = err; });
    try {
      await pipeline(req, bounded, sink, { signal: abort.signal });
    } catch (err) {
      // A cut connection, one that sent too much, a write that failed: the bytes written so far stay, and count.
      cut = err;
    }
    // A write still in flight when the pipeline gave up ends first: the size read next is every byte this PATCH will ever write.
    if (!sink.closed) await new Promise<void>((resolve) => { sink.once('close', () => resolve()); sink.destroy(); });
    const now = Math.min(upload.size, (await stat(host.path(id)).catch(() => ({ size: -1 }))).size);
    if (now < 0) return answer(404, 'The file for this url was not found\n');
    if (hasher && cut === undefined && now === offset + took) hashers.set(id, { hasher, at: now });
    const at = { 'upload-offset': String(now) };
    if (cut instanceof RangeError) return answer(413, `at most ${room} bytes were left of this upload\n`, at);
    // Another request asked for the upload (its sender again, after a cut): this one lets go; sent again, it goes on.
    if (cut !== undefined && abort.signal.aborted) return answer(423, 'another request took this upload over: send again from its offset\n', at);
    // The disk is full (the room left for uploads taken, or the kernel said so): the bytes kept count, the rest waits for room.
    if (cut instanceof DiskFull || (sinkFailed && DISK_FULL.has(sinkFailed.code ?? ''))) return answer(507, `${disk.full(now)}\n`, at);
    if (cut !== undefined && sinkFailed) return answer(500, 'the bytes could not be written here: try again\n', at);
    if (cut !== undefined) return answer(400, 'the request ended before its body\n', at);
    if (now < upload.size) {
      flushSoon(id, host.path(id));
      return answer(204, '', at);
    }
    await flushing.get(id);
    const whole = hashers.get(id);
    hashers.delete(id);
    finishing = { size: now, blake3: whole?.at === upload.size ? whole.hasher.digest('hex') : undefined };
  } finally {
    // Let go before landing: a HEAD meanwhile is answered (its offset is the whole), not kept waiting, and a PATCH now has no room.
    await lock.unlock();
  }
  // A flush of its bytes failed (the disk said so once, and will not say it again to the landing's own fsync): not landed.
  if (failedFlush.delete(id)) {
    await host.failed(id);
    return answer(500, 'the disk could not keep this upload\'s bytes: send the file again\n');
  }
  const landed = await host.finished(id, finishing.blake3);
  return answer(landed.status, landed.body, { 'upload-offset': String(finishing.size), 'content-type': landed.status === 200 ? 'application/json' : 'text/plain; charset=utf-8' });
}
