import { Upload, type DetailedError } from 'tus-js-client';
import { portableIds, type RangeRead } from '../../src/content/content-id-portable.js';
import { api, ApiError } from './api.js';
import { API } from './api-paths.js';
import { Subscribable } from './subscribable.js';

/** One file the user picked, and how far it got. */
export interface UploadItem {
  key: number;
  file: File;
  state: 'waiting' | 'hashing' | 'checking' | 'have' | 'queued' | 'sending' | 'landing' | 'done' | 'failed';
  /** Bytes hashed, or sent (by state). */
  done: number;
  /** Where it landed (done), or why not (failed). */
  note: string | null;
  cas_id?: string;
  blake3?: string;
}

/** What the daemon answers the "already have it?" check with. */
interface Check {
  have: string[];
  hash_threshold: number;
}

/** Asked together in one check (the daemon takes up to 10,000). */
const CHECK_BATCH = 500;
/**
 * A PATCH carries this much: few enough requests that each one's cost is small beside its bytes
 * (8 MiB cost a third of the rate, `bench:phone`), few enough bytes that a slow link (1 MB/s)
 * stays near the daemon's 30 s for a whole request. One cut short is not lost: the bytes that came
 * are kept, and the next PATCH goes on from them.
 */
const CHUNK_BYTES = 32 * 1024 * 1024;
/** Waits between tries after a cut (a daemon restarting, a network switching): about five minutes in all, then the item waits for "Retry". */
const RETRY_DELAYS = [0, 500, 1000, 2000, 3000, 5000, 5000, 10_000, 10_000, 15_000, 20_000, 30_000, 30_000, 30_000, 30_000, 30_000, 30_000];

/**
 * The phone's uploads (issue 44): each file picked is hashed here (its content id and full
 * BLAKE3, content-id-portable.ts), the daemon is asked which contents the library holds already
 * on any device (those are not sent: "already in your library"), and the rest go by tus
 * (tus-js-client), resumable from the bytes the daemon has after a cut, a reload (the upload's
 * address is kept in localStorage under its BLAKE3) or a restart of the daemon. The daemon
 * verifies and lands each one; its answer says where.
 */
export class UploadQueue extends Subscribable {
  readonly items: UploadItem[] = [];
  private nextKey = 1;
  private running = false;
  private threshold: number | undefined;

  add(files: readonly File[]): void {
    for (const file of files) this.items.push({ key: this.nextKey++, file, state: 'waiting', done: 0, note: null });
    this.changed();
    void this.run();
  }

  /** Try the failed ones again. */
  retry(): void {
    for (const it of this.items) if (it.state === 'failed') Object.assign(it, { state: 'waiting', done: 0, note: null });
    this.changed();
    void this.run();
  }

  /** Forget the finished ones (done, already there, failed), keeping those under way. */
  clearFinished(): void {
    for (let i = this.items.length - 1; i >= 0; i--) if (['done', 'have', 'failed'].includes(this.items[i]!.state)) this.items.splice(i, 1);
    this.changed();
  }

  get totals(): { files: number; finished: number; bytes: number; sent: number; have: number; failed: number } {
    let bytes = 0, sent = 0, finished = 0, have = 0, failed = 0;
    for (const it of this.items) {
      if (it.state === 'have') { have++; finished++; continue; }
      bytes += it.file.size;
      if (it.state === 'done' || it.state === 'landing') sent += it.file.size;
      else if (it.state === 'sending') sent += it.done;
      if (it.state === 'done') finished++;
      if (it.state === 'failed') { failed++; finished++; }
    }
    return { files: this.items.length, finished, bytes, sent, have, failed };
  }

  get busy(): boolean {
    return this.items.some((it) => !['done', 'have', 'failed'].includes(it.state));
  }

  private set(it: UploadItem, patch: Partial<UploadItem>): void {
    Object.assign(it, patch);
    this.changed();
  }

  /** Hash, check and send, one file at a time, until nothing waits. */
  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (;;) {
        const batch = this.items.filter((it) => it.state === 'waiting').slice(0, CHECK_BATCH);
        if (batch.length === 0) break;
        this.threshold ??= (await api<Check>('POST', API.uploadsCheck(), { cas_ids: [] })).hash_threshold;
        for (const it of batch) {
          this.set(it, { state: 'hashing', done: 0 });
          try {
            const ids = await portableIds(fileReader(it.file), it.file.size, this.threshold, (done) => this.progress(it, done));
            this.set(it, { ...ids, state: 'checking' });
          } catch (err) {
            this.set(it, { state: 'failed', note: `could not be read: ${(err as Error).message}` });
          }
        }
        const asking = batch.filter((it) => it.state === 'checking');
        if (asking.length > 0) {
          const { have } = await api<Check>('POST', API.uploadsCheck(), { cas_ids: [...new Set(asking.map((it) => it.cas_id!))] });
          const held = new Set(have);
          for (const it of asking) this.set(it, held.has(it.cas_id!) ? { state: 'have', note: 'already in your library' } : { state: 'queued', done: 0 });
        }
        for (const it of asking) {
          if (it.state !== 'queued') continue;
          this.set(it, { state: 'sending' });
          await this.send(it);
        }
      }
    } catch (err) {
      for (const it of this.items) if (['waiting', 'hashing', 'checking'].includes(it.state)) this.set(it, { state: 'failed', note: (err as Error).message });
    } finally {
      this.running = false;
    }
  }

  /** Progress is drawn at most every 1% (a long file would redraw the list thousands of times). */
  private progress(it: UploadItem, done: number): void {
    const step = Math.max(1, Math.floor(it.file.size / 100));
    if (done === it.file.size || Math.floor(done / step) !== Math.floor(it.done / step)) this.set(it, { done });
    else it.done = done;
  }

  private send(it: UploadItem): Promise<void> {
    return new Promise((resolve) => {
      const upload = new Upload(it.file, {
        endpoint: API.uploadsTus(),
        chunkSize: CHUNK_BYTES,
        retryDelays: RETRY_DELAYS,
        headers: { 'X-VSS-UI': '1' },
        metadata: { filename: it.file.name, filetype: it.file.type, blake3: it.blake3!, modified: String(it.file.lastModified) },
        // The same bytes resume the same upload, whatever the file is called or however it was picked again.
        fingerprint: async () => `vss-upload-${it.blake3}`,
        storeFingerprintForResuming: true,
        removeFingerprintOnSuccess: true,
        onShouldRetry: (err: DetailedError) => {
          const status = err.originalResponse?.getStatus() ?? 0;
          // Refused for what it is (not allowed, too large, bytes that are not what was hashed): trying again changes nothing.
          return ![400, 403, 413, 415, 422].includes(status);
        },
        onProgress: (sent) => this.progress(it, sent),
        onSuccess: () => {
          this.set(it, { state: 'landing', done: it.file.size });
          void this.landed(it, upload.url).finally(resolve);
        },
        onError: (err) => {
          const status = (err as DetailedError).originalResponse?.getStatus();
          const body = (err as DetailedError).originalResponse?.getBody()?.trim();
          this.set(it, { state: 'failed', note: status === 0 || status === undefined ? 'the daemon could not be reached: Retry when it is back' : body || err.message });
          resolve();
        },
      });
      void upload.findPreviousUploads().then((previous) => {
        if (previous[0]) upload.resumeFromPreviousUpload(previous[0]);
        upload.start();
      });
    });
  }

  /** Where the daemon put IT (its last PATCH landed it; asking again is answered the same). */
  private async landed(it: UploadItem, url: string | null): Promise<void> {
    const id = url?.split('/').pop() ?? '';
    try {
      const r = await api<{ path: string; already: boolean }>('POST', API.uploadsFinish(), { id });
      this.set(it, { state: 'done', note: `${r.already ? 'there already, ' : ''}in ${folderOf(r.path)}` });
    } catch (err) {
      // Landed and answered already before a cut: the library has it now, or the upload is lost and is sent again.
      if (err instanceof ApiError && err.status === 404) {
        const { have } = await api<Check>('POST', API.uploadsCheck(), { cas_ids: [it.cas_id!] }).catch(() => ({ have: [] as string[] }));
        if (have.length > 0) return this.set(it, { state: 'done', note: 'in your library' });
      }
      this.set(it, { state: 'failed', note: (err as Error).message });
    }
  }
}

/** The last two folders of PATH (its YYYY/MM): where it went, short enough for a phone's row. */
function folderOf(path: string): string {
  return path.split('/').slice(-3, -1).join('/');
}

function fileReader(file: File): RangeRead {
  return async (start, length) => new Uint8Array(await file.slice(start, start + length).arrayBuffer());
}

/** The one queue of this page: uploads go on while the user browses. */
export const uploads = new UploadQueue();
