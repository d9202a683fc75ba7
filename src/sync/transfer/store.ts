import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { lstat, open, readdir, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Uint8ArrayList } from 'uint8arraylist';
import type { Library } from '../../library/library.js';
import { VssError } from '../../core/errors.js';
import { tempPathFor } from '../../core/fs-atomic.js';
import { sidecarAbsPath, sidecarAddress, type SidecarAddress } from '../../sidecars/address.js';
import { SidecarManager, type SidecarInfo } from '../../sidecars/manager.js';
import type { TransferCounts } from '../../store/peer-sync.js';
import { TransferLieError } from './errors.js';
import { placeMany } from '../../core/fs-atomic.js';
import { Landing, verifyLanded } from '../../core/landing.js';

/** What the receiver expects of a sidecar, from the availability entry of the device it asks. */
export interface Expected {
  size: number;
  checksum: string;
  format: string;
}

/** A peer's entry that can be fetched from: has = 1 and not suspect at this checksum. */
export interface SourceEntry extends Expected {
  deviceUuid: string;
}

/** A ready sidecar of this library, opened for a peer: what it is and its bytes from an offset on. */
export interface ServedSidecar extends Expected {
  /** The file's bytes from OFFSET to the recorded size, in chunks; throws when the file is shorter. */
  read(offset: number): AsyncGenerator<Uint8Array>;
}

/**
 * Received bytes, pulled by the receiver: up to MAX bytes as soon as some have arrived, null at
 * the end. The receiver never asks for more than the announced size.
 */
export interface ByteSource {
  read(max: number): Promise<Uint8Array | Uint8ArrayList | null>;
}

/** Bytes received and verified under a temp name beside their final path (fsynced): not yet in place, not recorded. */
export interface StagedFile {
  /** The address with the format of the bytes. */
  readonly address: SidecarAddress;
  readonly expected: Expected;
  readonly temp: string;
  readonly final: string;
  /** Bytes that came from the peer (the size less a resumed partial). */
  readonly bytes: number;
  readonly from?: string;
}

export type Committed = { ok: true; info: SidecarInfo } | { ok: false; error: Error };

export interface ReceiveOptions {
  /** Bytes already in the resumable partial (from `resumeOffset`): the body starts there. */
  offset?: number;
  /** The device the bytes come from: its peer_sync counters are kept. */
  from?: string;
}

/** Above this a transfer is resumable: its partial is kept under a name tied to its checksum. */
export const RESUMABLE_ABOVE = 4 * 1024 * 1024;
const PART_SUFFIX = '.part';
/** A partial left this long untouched is given up. */
const PARTIAL_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;
const CHUNK = 256 * 1024;
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** A library's transfers: ready sidecars served by address, fetched ones verified and recorded. */
export class TransferStore {
  private readonly sidecars: SidecarManager;

  constructor(private readonly lib: Library) {
    this.sidecars = new SidecarManager(lib);
  }

  get libraryId(): string {
    return this.lib.config.id;
  }

  /** This device's uuid: its own availability rows are never a source. */
  get deviceUuid(): string {
    return this.lib.device.uuid;
  }

  /** The path of ADDRESS's ready file on this device, or null. */
  localReady(address: SidecarAddress): string | null {
    const info = this.sidecars.get(address);
    return info?.status === 'ready' && info.path ? info.path : null;
  }

  /**
   * A ready sidecar of this library, for a peer: the managed file (path built from the address)
   * or a reference's entry. Anything else, including a row that names no file vss may touch, is
   * refused as unavailable.
   */
  openForPeer(address: SidecarAddress): ServedSidecar {
    const info = this.sidecars.get(address);
    if (!info || info.status !== 'ready') throw new VssError('UNAVAILABLE', `${describe(address)} is not ready on this device`);
    if (!info.path || info.size === null || !info.checksum) throw new VssError('UNAVAILABLE', `${describe(address)} has no file this device may serve`);
    const path = info.path;
    const size = info.size;
    const checksum = info.checksum;
    if (size <= CHUNK) {
      // A small file (a thumbnail) is read whole here, as the checksummer reads it: one open rather
      // than a stat and then an open, and a file gone, cut short or not a plain file behind vss's
      // back is refused before a header promises its bytes.
      let bytes: Uint8Array;
      try {
        bytes = readSmall(path, 0, size);
      } catch (err) {
        throw new VssError('UNAVAILABLE', `${describe(address)} is recorded ready but its file is gone, shorter or not a plain file`, { path, cause: err });
      }
      return { size, checksum, format: info.format, read: async function* (offset) { yield bytes.subarray(offset); } };
    }
    // A file gone or cut short behind vss's back is refused here, before a header promises its bytes.
    let onDisk;
    try {
      onDisk = statSync(path);
    } catch {
      onDisk = undefined;
    }
    if (!onDisk?.isFile() || onDisk.size < size) throw new VssError('UNAVAILABLE', `${describe(address)} is recorded ready but its file is gone or shorter`, { path });
    return {
      size, checksum, format: info.format,
      read: (offset) => readRange(path, offset, size),
    };
  }

  /** Where a resumable transfer of ADDRESS left off: the length of its partial, 0 when none. */
  resumeOffset(address: SidecarAddress, expected: Expected): number {
    if (expected.size <= RESUMABLE_ABOVE) return 0;
    const temp = this.resumePath(address, expected);
    try {
      const size = statSync(temp).size;
      return size < expected.size ? size : 0;
    } catch {
      return 0;
    }
  }

  /**
   * Receive ADDRESS's bytes: streamed to a temp file beside the final path, hashed on the way,
   * never more than `expected.size`; then fsync, verify, rename, fsync the folder, and record it
   * ready and fetched. Wrong bytes: the temp is deleted and a TransferLieError thrown. Nothing
   * unverified is recorded, and a file already ready here is never replaced (ALREADY_EXISTS).
   * A resumable transfer that breaks off keeps its partial for the next source.
   */
  async receive(address: SidecarAddress, expected: Expected, bytes: ByteSource, opts: ReceiveOptions = {}): Promise<SidecarInfo> {
    const [done] = await this.commit([await this.stage(address, expected, bytes, opts)]);
    if (!done!.ok) throw done!.error;
    return done!.info;
  }

  /**
   * The first half of `receive`: the bytes streamed to a temp file beside the final path, hashed
   * on the way, fsynced and verified; not yet in place, not recorded. `commit` puts many in place
   * at once. Throws as `receive` does (a lie deletes the temp).
   */
  async stage(address: SidecarAddress, expected: Expected, bytes: ByteSource, opts: ReceiveOptions = {}): Promise<StagedFile> {
    const target = sidecarAddress(address.contentUuid, address.kind, address.variant, expected.format);
    const resumable = expected.size > RESUMABLE_ABOVE;
    // A large file is not fetched for nothing; a small one's bytes are here already, and `commit`
    // checks again just before its rename (a generator may make it meanwhile anyway).
    if (resumable && this.localReady(target)) throw new VssError('ALREADY_EXISTS', `${describe(target)} is already ready on this device`);
    const final = sidecarAbsPath(this.lib.root, target);
    await this.lib.roots.library.makeFolderAsync(dirname(final));
    const temp = resumable ? this.resumePath(target, expected) : tempPathFor(final);
    if (resumable) await this.lib.roots.library.makeFolderAsync(dirname(temp));
    const offset = opts.offset ?? 0;
    if (offset > 0 && (!resumable || this.resumeOffset(target, expected) !== offset)) {
      throw new VssError('USAGE', `no partial of ${offset} bytes to resume ${describe(target)} from`, { path: temp });
    }
    let land: Landing | undefined;
    try {
      // A small file's writes are synchronous (page cache, microseconds) and only its fsyncs go to
      // the thread pool, so many finish side by side; a large file's writes overlap the network.
      // Opened on the thread pool: making a file waits on the filesystem's journal, which the
      // other files' fsyncs keep busy; the event loop meanwhile serves the stream.
      land = await Landing.open(temp, { hash: true, mode: 0o644, syncWrites: !resumable, ...(offset > 0 ? { resumeOf: expected.size } : {}) });
      if (land.offset !== offset) throw new VssError('IO', `the partial holds ${land.offset} bytes, not the ${offset} to resume from`, { path: temp });
      let got = offset;
      while (got < expected.size) {
        const chunk = await bytes.read(expected.size - got);
        if (chunk === null) throw new VssError('PEER', `the peer's body ended after ${got} of ${expected.size} bytes of ${describe(target)}`);
        if (chunk.byteLength > expected.size - got) throw new TransferLieError('size', target, `the peer sent more than the ${expected.size} bytes announced`, offset > 0);
        // All the chunk's parts in one write (the network hands them over as many small frames).
        await land.write([...parts(chunk)]);
        got += chunk.byteLength;
      }
      const wrong = await verifyLanded(await land.finish(), { size: expected.size, blake3: expected.checksum });
      if (wrong !== undefined) throw new TransferLieError('checksum', target, `received bytes are not those announced (${wrong})`, offset > 0);
    } catch (err) {
      await land?.close();
      // A broken-off large transfer keeps its (unverified) partial under its checksum's name for
      // the next source; wrong bytes, or a small file, leave nothing behind.
      if (!(resumable && !(err instanceof TransferLieError))) await unlink(temp).catch(() => undefined);
      throw err;
    }
    return { address: target, expected, temp, final, bytes: expected.size - offset, from: opts.from };
  }

  /**
   * The second half of `receive`, for many staged files at once: each renamed into place (unless
   * its sidecar became ready here meanwhile: that file stays, ALREADY_EXISTS), then every folder
   * they went into fsynced (side by side, once per folder), and only then all recorded ready and
   * fetched in one transaction. Nothing is recorded before its bytes and its rename are durable.
   * One answer per file, in order; never throws.
   */
  async commit(staged: readonly StagedFile[]): Promise<Committed[]> {
    const results: Committed[] = new Array(staged.length);
    // Checked again just before its rename, after the awaits: a generator may have made it meanwhile; that file stays.
    const answers = await placeMany(staged, (s) => {
      if (this.localReady(s.address)) throw new VssError('ALREADY_EXISTS', `${describe(s.address)} became ready on this device during the transfer`);
    });
    const placed: number[] = [];
    answers.forEach((a, i) => (a.ok ? placed.push(i) : (results[i] = { ok: false, error: a.error })));
    if (placed.length === 0) return results;
    const counts = new Map<string, { bytes: number; files: number }>();
    for (const i of placed) {
      const s = staged[i]!;
      if (!s.from) continue;
      const c = counts.get(s.from) ?? { bytes: 0, files: 0 };
      c.bytes += s.bytes;
      c.files += 1;
      counts.set(s.from, c);
    }
    try {
      const infos = this.sidecars.recordMany(
        placed.map((i) => {
          const { address, expected } = staged[i]!;
          return { address, fields: { status: 'ready', source: 'fetched', size: expected.size, checksum: expected.checksum, sourceEntryId: null, error: null } };
        }),
        () => { for (const [device, c] of counts) this.count(device, c); },
      );
      placed.forEach((i, k) => (results[i] = { ok: true, info: infos[k]! }));
    } catch (err) {
      for (const i of placed) results[i] = { ok: false, error: asError(err) };
    }
    return results;
  }

  /** Other devices' usable entries for ADDRESS: has = 1, size and checksum known, not suspect at that checksum. */
  sources(address: Pick<SidecarAddress, 'contentUuid' | 'kind' | 'variant' | 'format'>): SourceEntry[] {
    return this.lib.store.availability.sources(address.contentUuid, address.kind, address.variant)
      .map((r) => ({ deviceUuid: r.device_uuid, size: r.size, checksum: r.checksum, format: r.format ?? address.format }));
  }

  /** A peer's entry lied (its bytes did not match what it announced): skipped while its checksum is unchanged. */
  markSuspect(deviceUuid: string, address: Pick<SidecarAddress, 'contentUuid' | 'kind' | 'variant'>, checksum: string | null, reason: string): void {
    this.lib.store.transaction(() => {
      this.lib.store.availabilitySuspects.mark({ content_uuid: address.contentUuid, kind: address.kind, variant: address.variant, device_uuid: deviceUuid, checksum, reason, at: Date.now() });
      this.count(deviceUuid, { failures: 1 });
    });
  }

  /** A transfer from DEVICEUUID that failed without a lie (stream broke, stalled, refused). */
  countFailure(deviceUuid: string): void {
    this.count(deviceUuid, { failures: 1 });
  }

  private count(deviceUuid: string, c: TransferCounts): void {
    this.lib.store.peerSync.count(deviceUuid, c);
  }

  /**
   * Partials no transfer has touched for PARTIAL_MAX_AGE_MS (their source gone for good, the
   * sidecar had elsewhere) are deleted; run when the library is linked. Returns how many went.
   */
  async sweepPartials(now = Date.now()): Promise<number> {
    const dir = this.lib.layout.transfersDir;
    let names: string[];
    try {
      this.lib.roots.library.checkFolder(dir);
      names = await readdir(dir);
    } catch {
      return 0; // none yet, or not a folder vss may touch
    }
    let gone = 0;
    for (const name of names) {
      if (!name.endsWith(PART_SUFFIX)) continue;
      const path = join(dir, name);
      try {
        const st = await lstat(path);
        if (st.isFile() && now - st.mtimeMs > PARTIAL_MAX_AGE_MS) {
          await unlink(path);
          gone++;
        }
      } catch {
        // in use or gone: the next sweep looks again
      }
    }
    return gone;
  }

  /**
   * The partial of a resumable transfer: in the library's transfers folder (outside sidecars/,
   * which reconcile sweeps of temporary files, so it survives a restart), named after the address
   * and the bytes it will hold. Its prefix is resumed as it is on disk: a crash of the process
   * keeps every byte written; what a power cut lost fails the final BLAKE3 check, and the file is
   * then fetched again from the start (TransferLieError `resumed`).
   */
  private resumePath(address: SidecarAddress, expected: Expected): string {
    return join(this.lib.layout.transfersDir, `${address.contentUuid}.${address.kind}.${address.variant}.${expected.format}.${expected.checksum.slice(0, 32)}${PART_SUFFIX}`);
  }
}

export function describe(a: Pick<SidecarAddress, 'contentUuid' | 'kind' | 'variant'>): string {
  return `${a.kind}/${a.variant} of ${a.contentUuid}`;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

function parts(chunk: Uint8Array | Uint8ArrayList): Iterable<Uint8Array> {
  return chunk instanceof Uint8Array ? [chunk] : chunk;
}

function readSmall(path: string, offset: number, size: number): Uint8Array {
  const fd = openSync(path, READ_FLAGS);
  try {
    if (!fstatSync(fd).isFile()) throw new VssError('IO', 'not a regular file', { path });
    const buf = Buffer.allocUnsafe(size - offset);
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, offset + got);
      if (n === 0) throw new VssError('IO', `file ends at ${offset + got} bytes, ${size} recorded`, { path });
      got += n;
    }
    return buf;
  } finally {
    closeSync(fd);
  }
}

/** Bytes OFFSET..SIZE of a file, never following a symlink; a file shorter than SIZE is an error. */
async function* readRange(path: string, offset: number, size: number): AsyncGenerator<Uint8Array> {
  if (size - offset <= CHUNK) {
    // Most sidecars (thumbnails): one synchronous read, as the checksummer does; an async round
    // trip per file would cost more than the read.
    yield readSmall(path, offset, size);
    return;
  }
  const fh = await open(path, READ_FLAGS);
  try {
    if (!(await fh.stat()).isFile()) throw new VssError('IO', 'not a regular file', { path });
    let at = offset;
    while (at < size) {
      // A fresh buffer per chunk: the stream may still hold the previous one.
      const buf = Buffer.allocUnsafe(Math.min(CHUNK, size - at));
      const { bytesRead } = await fh.read(buf, 0, buf.length, at);
      if (bytesRead === 0) throw new VssError('IO', `file ends at ${at} bytes, ${size} recorded`, { path });
      at += bytesRead;
      yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}
