import { createRequire } from 'node:module';
import { open, type FileHandle } from 'node:fs/promises';
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { Blake3Hasher } from '@napi-rs/blake-hash';
import { errnoCode, VssError } from '../../core/errors.js';
import { keyOf, type BucketSpec } from './bucket-url.js';
import { bucketUrl } from '../../core/address.js';

// vss pins its SDK (docs/decisions.md): the SDK's warning about its releases after January 2027 is not for its users.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

type Sdk = typeof import('@aws-sdk/client-s3');
let sdkLoading: Promise<Sdk> | undefined;
/**
 * The SDK, loaded with the first request to a bucket: a quarter of a second of CPU that every
 * process reaching the job kinds (a daemon, `jobs run`) would pay at start, most of them with no
 * bucket to talk to. Required, not imported: the CLI's bundle runs from V8's code cache, which
 * loses a dynamic import on Node 20.
 */
const sdk = (): Promise<Sdk> => (sdkLoading ??= Promise.resolve().then(() => createRequire(import.meta.url)('@aws-sdk/client-s3') as Sdk));

/** Objects up to this size go in one PUT; larger ones in parts of this size (S3's least part is 5 MiB). */
export const PART_SIZE = 8 * 1024 * 1024;
/** Parts of one object under way at once. */
const PARTS_IN_FLIGHT = 3;
/** What one request may take before the bucket counts as unreachable now. */
const REQUEST_TIMEOUT_MS = 60_000;
const PROBE_TIMEOUT_MS = 5_000;
/** The most a ranged read returns (a read-back's samples are far smaller). */
const MAX_RANGE = 64 * 1024 * 1024;
/** S3 allows 10,000 parts: files past this size are refused rather than cut short. */
const MAX_OBJECT = PART_SIZE * 10_000;

/** What vss writes in each object's user metadata (`x-amz-meta-*`): what it is and what its bytes hash to. */
export interface ObjectMeta {
  'vss-content': string;
  'vss-blake3': string;
  'vss-mtime-ms': string;
}

/**
 * A multipart upload under way, kept by the caller as it grows (so a kill -9 resumes it rather
 * than starting over): its id and the parts the server confirmed. Kept here, not asked of the
 * server: not every S3-compatible service lists an upload's parts.
 */
export interface UploadState {
  uploadId: string;
  parts: Array<{ n: number; etag: string }>;
}

export interface UploadOptions {
  size: number;
  meta: ObjectMeta;
  /**
   * The BLAKE3 the file's bytes must hash to. Checked once every byte is read and before the
   * object is made (before the one PUT is sent, before a multipart upload is completed): bytes
   * that hash otherwise throw SourceFault and nothing stays in the bucket.
   */
  expect?: string;
  /** An upload an earlier attempt began (its parts stay on the server until it completes or is aborted). */
  resume?: UploadState;
  /** Told of a multipart upload's state when it starts and as each part is confirmed (the caller keeps it to resume by). */
  onState?: (s: UploadState) => void;
  onBytes?: (n: number) => void;
  signal?: AbortSignal;
}

/** One page of a listing (`S3Bucket.listPage`). */
export interface ListedPage {
  objects: Array<{ key: string; size: number; mtimeMs: number }>;
  /** Common prefixes, each ending in '/'. */
  folders: string[];
  next?: string;
}

/** One page of a listing of every key under a prefix, in key order (`S3Bucket.listKeys`). */
export interface KeysPage {
  objects: Array<{ key: string; size: number; etag: string | null }>;
  /** More keys come after the last one. */
  more: boolean;
}

/** What a HEAD found at a key. */
export interface HeadFound {
  size: number;
  mtimeMs: number;
  /** Its ETag, quotes taken off (null where the service gives none). */
  etag: string | null;
  meta: Partial<ObjectMeta>;
}

/** What an upload put: the BLAKE3 of every byte it read and sent (the parts resumed included, read again here). */
export interface Uploaded {
  blake3: string;
  size: number;
}

/** A read-back: the object as the bucket keeps it is the file (its ETag then), or what differs. */
export type ReadBack = { ok: true; etag: string | null } | { ok: false; wrong: string };

/**
 * The file an upload reads is at fault, not the bucket: it is gone, it changed (ended early), it
 * cannot be read, or its bytes do not hash to what they must (`not-its-bytes`: rot, or an edit
 * that kept its size). Nothing of the upload stays in the bucket (a multipart upload begun or
 * resumed is aborted). A job goes on with its other files.
 */
export class SourceFault extends VssError {
  constructor(readonly fault: 'gone' | 'changed' | 'unreadable' | 'not-its-bytes', path: string, message: string, readonly found?: string, cause?: unknown) {
    super('IO', message, { path, ...(cause !== undefined ? { cause } : {}) });
    this.name = 'SourceFault';
  }
}

/**
 * One bucket of S3-compatible object storage (AWS S3, Backblaze B2, Cloudflare R2, Garage, MinIO…):
 * the requests vss makes of it, their errors said plainly. Credentials come from the SDK's
 * standard chain (environment, shared config and credentials files, profiles) and are never
 * kept by vss. Keys are the bucket's prefix and a '/'-separated path.
 */
export class S3Bucket {
  private readonly config: S3ClientConfig;
  private client: Promise<{ s3: S3Client; c: Sdk }> | undefined;
  private closed = false;
  readonly url: string;

  constructor(readonly spec: BucketSpec) {
    const config: S3ClientConfig = {
      forcePathStyle: spec.pathStyle,
      // Checksums only where a request needs one: most S3-compatible services refuse the streamed
      // (aws-chunked) checksums the SDK adds by default; vss checks its own BLAKE3 and reads back.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 2,
      ...(spec.endpoint !== null ? { endpoint: spec.endpoint } : {}),
      region: spec.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    };
    this.config = config;
    this.url = bucketUrl(spec);
  }

  close(): void {
    this.closed = true;
    void this.client?.then(({ s3 }) => s3.destroy(), () => undefined);
  }

  /** Run FN with this bucket's client (made at the first request) and the SDK's commands. */
  private async call<T>(fn: (s3: S3Client, c: Sdk) => Promise<T>): Promise<T> {
    this.client ??= sdk().then((c) => ({ s3: new c.S3Client(this.config), c }));
    const { s3, c } = await this.client;
    // Closed while the SDK loaded: the client made meanwhile is let go as close() lets one go.
    if (this.closed) s3.destroy();
    return fn(s3, c);
  }

  /** The key of REL under this bucket's prefix. */
  key(rel: string): string {
    return keyOf(this.spec, rel);
  }

  /** Whether keys hide their folders (an encrypted bucket's are keyed names, all at the prefix): a folder's listing then says nothing of a name. */
  get flat(): boolean {
    return false;
  }

  /** The bytes an upload of a file of SIZE bytes read by FILE sends to KEY: the file's own (an encrypted bucket seals them). */
  protected async bodyOf(_key: string, file: FileReader, size: number): Promise<UploadBody> {
    return { size, next: (n) => file.next(n) };
  }

  /** The metadata an object at KEY is made with, for vss's META (an encrypted bucket seals it). */
  protected metaOut(_key: string, meta: ObjectMeta): Record<string, string> {
    return { ...meta };
  }

  /** Whether the bucket answers now (and these credentials may use it): undefined when it does, else why not. */
  async probe(signal?: AbortSignal): Promise<string | undefined> {
    try {
      await this.call((s3, c) => s3.send(new c.HeadBucketCommand({ Bucket: this.spec.bucket }), { abortSignal: within(PROBE_TIMEOUT_MS, signal) }));
      return undefined;
    } catch (err) {
      if (signal?.aborted) throw err;
      return this.failure(err, 'be reached').message;
    }
  }

  /** The object at KEY: its size, its time, its ETag and vss's metadata, or undefined where there is none. */
  async head(key: string, signal?: AbortSignal): Promise<HeadFound | undefined> {
    try {
      const r = await this.call((s3, c) => s3.send(new c.HeadObjectCommand({ Bucket: this.spec.bucket, Key: key }), { abortSignal: within(REQUEST_TIMEOUT_MS, signal) }));
      return { size: r.ContentLength ?? 0, mtimeMs: r.LastModified?.getTime() ?? 0, etag: etagOf(r.ETag), meta: (r.Metadata ?? {}) as Partial<ObjectMeta> };
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw this.failure(err, `read ${key}`);
    }
  }

  /**
   * One page of what lies directly under PREFIX (a key ending in '/', or '' for the whole bucket):
   * its objects and its "folders" (common prefixes), at most 1000 of both; NEXT carries on.
   */
  async listPage(prefix: string, next?: string, signal?: AbortSignal): Promise<ListedPage> {
    try {
      const r = await this.call((s3, c) => s3.send(new c.ListObjectsV2Command({
        Bucket: this.spec.bucket, Prefix: prefix, Delimiter: '/', MaxKeys: 1000, ...(next ? { ContinuationToken: next } : {}),
      }), { abortSignal: within(REQUEST_TIMEOUT_MS, signal) }));
      return {
        objects: (r.Contents ?? []).flatMap((o) => (o.Key === undefined ? [] : [{ key: o.Key, size: o.Size ?? 0, mtimeMs: o.LastModified?.getTime() ?? 0 }])),
        folders: (r.CommonPrefixes ?? []).flatMap((p) => (p.Prefix === undefined ? [] : [p.Prefix])),
        ...(r.IsTruncated && r.NextContinuationToken ? { next: r.NextContinuationToken } : {}),
      };
    } catch (err) {
      throw this.failure(err, `list ${prefix || 'its root'}`);
    }
  }

  /**
   * Every key under PREFIX (a key ending in '/', or '' for the whole bucket), at any depth, after
   * AFTER ('' from the first), in the bucket's key order (bytewise), at most MAX (up to 1000) of
   * them, each with its size and ETag: one ListObjectsV2 request. The next page starts after the
   * last key given (`StartAfter`, kept by the caller: a continuation token may expire between runs).
   */
  async listKeys(prefix: string, after: string, max: number, signal?: AbortSignal): Promise<KeysPage> {
    try {
      const r = await this.call((s3, c) => s3.send(new c.ListObjectsV2Command({
        Bucket: this.spec.bucket, Prefix: prefix, MaxKeys: Math.max(1, Math.min(1000, max)), ...(after !== '' ? { StartAfter: after } : {}),
      }), { abortSignal: within(REQUEST_TIMEOUT_MS, signal) }));
      const objects = (r.Contents ?? []).flatMap((o) => (o.Key === undefined ? [] : [{ key: o.Key, size: o.Size ?? 0, etag: etagOf(o.ETag) }]));
      return { objects, more: r.IsTruncated === true && objects.length > 0 };
    } catch (err) {
      throw this.failure(err, `list ${prefix || 'its root'}`);
    }
  }

  /** Delete the object at KEY (one that is not there is no error). */
  async remove(key: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.call((s3, c) => s3.send(new c.DeleteObjectCommand({ Bucket: this.spec.bucket, Key: key }), { abortSignal: within(REQUEST_TIMEOUT_MS, signal) }));
    } catch (err) {
      if (isMissing(err)) return;
      throw this.failure(err, `delete ${key}`);
    }
  }

  /** Bytes START to END (exclusive) of the object at KEY. */
  async readRange(key: string, start: number, end: number, signal?: AbortSignal): Promise<Buffer> {
    if (end <= start) return Buffer.alloc(0);
    if (end - start > MAX_RANGE) throw new VssError('USAGE', `a ranged read of ${end - start} bytes is more than ${MAX_RANGE}`);
    try {
      const r = await this.call((s3, c) => s3.send(new c.GetObjectCommand({ Bucket: this.spec.bucket, Key: key, Range: `bytes=${start}-${end - 1}` }), { abortSignal: within(REQUEST_TIMEOUT_MS, signal) }));
      const bytes = Buffer.from(await r.Body!.transformToByteArray());
      if (bytes.length !== end - start) throw new VssError('IO', `${this.url}: ${key} gave ${bytes.length} bytes for a range of ${end - start}`);
      return bytes;
    } catch (err) {
      if (err instanceof VssError) throw err;
      throw this.failure(err, `read ${key}`);
    }
  }

  /** The object at KEY from byte FROM on, as a stream of chunks (a repair's download; the caller bounds and checks what comes). */
  async *read(key: string, signal?: AbortSignal, from = 0): AsyncGenerator<Uint8Array> {
    let body: AsyncIterable<Uint8Array>;
    try {
      const r = await this.call((s3, c) => s3.send(new c.GetObjectCommand({ Bucket: this.spec.bucket, Key: key, ...(from > 0 ? { Range: `bytes=${from}-` } : {}) }), { abortSignal: signal }));
      body = r.Body as unknown as AsyncIterable<Uint8Array>;
    } catch (err) {
      throw this.failure(err, `read ${key}`);
    }
    try {
      for await (const chunk of body) yield chunk;
    } catch (err) {
      throw this.failure(err, `read ${key}`);
    }
  }

  /**
   * The file at PATH uploaded to KEY, hashed (BLAKE3) as it is read: in one PUT up to PART_SIZE,
   * else a multipart upload of PART_SIZE parts, a few at a time. With RESUME, the parts the server
   * holds already are not sent again (they are read and hashed here again); a resumed upload the
   * server no longer knows starts over. With EXPECT, bytes that hash otherwise make no object. The
   * object is complete when this returns. A fault of the file (gone, cut short, unreadable, not its
   * bytes) throws SourceFault, any multipart upload of it aborted.
   */
  async upload(key: string, path: string, opts: UploadOptions): Promise<Uploaded> {
    if (opts.size > MAX_OBJECT) throw new VssError('USAGE', `${path} is larger than a bucket object of ${PART_SIZE * 10_000} bytes in parts of ${PART_SIZE}`, { path });
    const fh = await open(path, 'r').catch((err: unknown) => { throw sourceFault(path, err); });
    let startOver = false;
    let opened: UploadBody | undefined;
    try {
      const hasher = new Blake3Hasher();
      const file = fileReader(fh, path, opts.size, hasher);
      const body = (opened = await this.bodyOf(key, file, opts.size));
      /** The bytes read must be what EXPECT says, before any object is made of them. */
      const checked = (): string => {
        const blake3 = hasher.digest('hex');
        if (opts.expect !== undefined && blake3 !== opts.expect) {
          throw new SourceFault('not-its-bytes', path, `${path}: its bytes hash to ${blake3.slice(0, 16)}…, not ${opts.expect.slice(0, 16)}…`, blake3);
        }
        return blake3;
      };
      const meta = this.metaOut(key, opts.meta);
      const sent = (n: number) => opts.onBytes?.(Math.round((n * opts.size) / Math.max(1, body.size)));
      if (body.size <= PART_SIZE) {
        const bytes = await body.next(body.size);
        const blake3 = checked();
        try {
          await this.call((s3, c) => s3.send(new c.PutObjectCommand({ Bucket: this.spec.bucket, Key: key, Body: bytes, ContentLength: bytes.length, Metadata: meta }), { abortSignal: within(REQUEST_TIMEOUT_MS, opts.signal) }));
        } catch (err) {
          throw this.failure(err, `write ${key}`);
        }
        sent(bytes.length);
        return { blake3, size: opts.size };
      }
      const parts = Math.ceil(body.size / PART_SIZE);
      const done = new Map<number, string>((opts.resume?.parts ?? []).filter((p) => p.n >= 1 && p.n <= parts).map((p) => [p.n, p.etag]));
      let uploadId = opts.resume?.uploadId;
      if (uploadId === undefined) {
        done.clear();
        try {
          const r = await this.call((s3, c) => s3.send(new c.CreateMultipartUploadCommand({ Bucket: this.spec.bucket, Key: key, Metadata: meta }), { abortSignal: within(REQUEST_TIMEOUT_MS, opts.signal) }));
          uploadId = r.UploadId!;
        } catch (err) {
          throw this.failure(err, `write ${key}`);
        }
      }
      const id = uploadId;
      const state = () => ({ uploadId: id, parts: [...done.entries()].map(([n, etag]) => ({ n, etag })) });
      opts.onState?.(state());
      // Parts are hashed in order as they are read; the upload of each goes on while the next is read.
      const inFlight = new Set<Promise<void>>();
      let failed: VssError | undefined;
      let blake3: string;
      try {
        for (let n = 1; n <= parts && failed === undefined; n++) {
          opts.signal?.throwIfAborted();
          const at = (n - 1) * PART_SIZE;
          const bytes = await body.next(Math.min(PART_SIZE, body.size - at));
          if (done.has(n)) {
            sent(bytes.length);
            continue;
          }
          const part = this.call((s3, c) => s3.send(new c.UploadPartCommand({ Bucket: this.spec.bucket, Key: key, UploadId: id, PartNumber: n, Body: bytes, ContentLength: bytes.length }), { abortSignal: within(REQUEST_TIMEOUT_MS, opts.signal) }))
            .then((r) => { done.set(n, r.ETag!); opts.onState?.(state()); sent(bytes.length); }, (err: unknown) => { failed ??= this.failure(err, `write ${key}`); })
            .finally(() => inFlight.delete(part));
          inFlight.add(part);
          if (inFlight.size >= PARTS_IN_FLIGHT) await Promise.race(inFlight);
        }
        await Promise.all(inFlight);
        if (failed) throw failed;
        blake3 = checked();
      } catch (err) {
        // The file is at fault: its parts are of no use (a resumed upload of it would complete with them), so the upload goes.
        if (err instanceof SourceFault) {
          await Promise.allSettled(inFlight);
          await this.abortUpload(key, id);
        }
        throw err;
      }
      try {
        await this.call((s3, c) => s3.send(new c.CompleteMultipartUploadCommand({
          Bucket: this.spec.bucket, Key: key, UploadId: id,
          MultipartUpload: { Parts: [...done.entries()].sort((a, b) => a[0] - b[0]).map(([PartNumber, ETag]) => ({ PartNumber, ETag })) },
        }), { abortSignal: within(REQUEST_TIMEOUT_MS, opts.signal) }));
      } catch (err) {
        // The upload resumed was dropped by the server meanwhile (expired, aborted): once more, from the start.
        if (opts.resume && (isMissing(err) || (err as { name?: string }).name === 'InvalidPart')) startOver = true;
        else throw this.failure(err, `write ${key}`);
      }
      if (!startOver) return { blake3, size: opts.size };
    } finally {
      opened?.close?.();
      await fh.close();
    }
    return this.upload(key, path, { ...opts, resume: undefined });
  }

  /**
   * Whether the object at KEY is the file at PATH as uploaded (SIZE bytes hashing to BLAKE3): its
   * size and vss's metadata as the server keeps them, then READBACK ranges read back and compared
   * byte for byte with the file (its head, its tail, and ranges spread between, each at most 64
   * KiB). Its ETag when it is (what later looks compare with), else what differs.
   */
  async readBack(key: string, path: string, size: number, blake3: string, signal?: AbortSignal): Promise<ReadBack> {
    const head = await this.head(key, signal);
    if (!head) return { ok: false, wrong: `${key} is not in the bucket` };
    if (head.size !== size) return { ok: false, wrong: `${key} holds ${head.size} bytes, not ${size}` };
    if (head.meta['vss-blake3'] !== blake3) return { ok: false, wrong: `${key} says its BLAKE3 is ${String(head.meta['vss-blake3']).slice(0, 16)}…, not ${blake3.slice(0, 16)}…` };
    const fh = await open(path, 'r').catch((err: unknown) => { throw sourceFault(path, err); });
    try {
      for (const [start, end] of readBackRanges(size)) {
        const there = await this.readRange(key, start, end, signal);
        const here = Buffer.allocUnsafe(end - start);
        const { bytesRead } = await fh.read(here, 0, end - start, start).catch((err: unknown) => { throw sourceFault(path, err); });
        if (bytesRead !== end - start || !here.equals(there)) return { ok: false, wrong: `${key}: bytes ${start}–${end} read back differ from the file's` };
      }
    } finally {
      await fh.close();
    }
    return { ok: true, etag: head.etag };
  }

  /** Give up the multipart upload ID of KEY: the server drops its parts. Never throws (a bucket away keeps them until its own rules expire them). */
  async abortUpload(key: string, uploadId: string): Promise<void> {
    await this.call((s3, c) => s3.send(new c.AbortMultipartUploadCommand({ Bucket: this.spec.bucket, Key: key, UploadId: uploadId }), { abortSignal: AbortSignal.timeout(PROBE_TIMEOUT_MS) })).catch(() => undefined);
  }

  /** ERR from the SDK as a VssError that says why this bucket could not WHAT. */
  private failure(err: unknown, what: string): VssError {
    if (err instanceof VssError) return err;
    const e = err as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    const status = e.$metadata?.httpStatusCode;
    const name = e.name ?? e.code ?? '';
    const said = (e.message ?? String(err)).slice(0, 200);
    if (name === 'CredentialsProviderError' || /credential/i.test(said) && status === undefined) {
      return new VssError('USAGE', `${this.url} cannot ${what}: no credentials for it (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE; vss keeps none)`, { cause: err });
    }
    if (name === 'NoSuchBucket' || (status === 404 && what === 'be reached')) return new VssError('NOT_FOUND', `${this.url}: no such bucket`, { cause: err });
    if (name === 'AccessDenied' || name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch' || status === 403) {
      return new VssError('USAGE', `${this.url} cannot ${what}: the credentials are refused (${name || status})`, { cause: err });
    }
    if (name === 'AbortError' || name === 'TimeoutError' || status === undefined || status >= 500) {
      return new VssError('UNAVAILABLE', `${this.url} cannot ${what} now: ${said || name}`, { cause: err });
    }
    return new VssError('IO', `${this.url} cannot ${what}: ${said || name} (HTTP ${status})`, { cause: err });
  }
}

/** A read-back's sample: at most this many bytes a range. */
const READ_BACK = 64 * 1024;

/** The ranges a read-back compares: the head, the tail, and two spread between (each part's seam, for one of parts). */
export function readBackRanges(size: number): Array<[number, number]> {
  if (size <= 4 * READ_BACK) return size === 0 ? [] : [[0, size]];
  const starts = [0, Math.floor(size / 3), Math.floor((2 * size) / 3), size - READ_BACK];
  // A seam between two parts, where a part mixed up would show.
  if (size > PART_SIZE) starts.splice(1, 0, PART_SIZE - READ_BACK / 2);
  return [...new Set(starts)].sort((a, b) => a - b).map((s) => [s, Math.min(size, s + READ_BACK)]);
}

/** An ETag as the bucket gives it (`"…"`, or `W/"…"`), quotes taken off: how vss keeps and compares it. */
export function etagOf(raw: string | undefined): string | null {
  if (raw === undefined || raw === '') return null;
  return raw.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}

/** A file read in order, each byte hashed as it is read (what an upload checks against the BLAKE3 it expects). */
export interface FileReader {
  /** The next N bytes; fewer than N left: the file changed while it was read (SourceFault). */
  next(n: number): Promise<Buffer>;
}

/** What an upload sends, read in order: SIZE bytes in all. */
export interface UploadBody {
  size: number;
  next(n: number): Promise<Buffer>;
  /** Let go of what it holds (an encrypted bucket's sealing stream): called once the upload is done with it, whatever happened. */
  close?(): void;
}

/** The file open as FH (at PATH, SIZE bytes) read in order from its start, hashed into HASHER. */
function fileReader(fh: FileHandle, path: string, size: number, hasher: Blake3Hasher): FileReader {
  let at = 0;
  return {
    async next(n) {
      const buf = Buffer.allocUnsafe(n);
      let got = 0;
      while (got < n) {
        const { bytesRead } = await fh.read(buf, got, n - got, at + got).catch((err: unknown) => { throw sourceFault(path, err); });
        if (bytesRead === 0) throw new SourceFault('changed', path, `${path} ended at ${at + got} bytes, not ${size}: it changed while it was uploaded`);
        got += bytesRead;
      }
      at += n;
      hasher.update(buf);
      return buf;
    },
  };
}

/** A file system error reading PATH for an upload, as the file's fault. */
function sourceFault(path: string, err: unknown): SourceFault {
  if (err instanceof SourceFault) return err;
  const code = errnoCode(err);
  if (code === 'ENOENT' || code === 'ENOTDIR') return new SourceFault('gone', path, `${path} is gone (moved or deleted since it was planned)`, undefined, err);
  return new SourceFault('unreadable', path, `${path} cannot be read: ${(err as Error).message}`, undefined, err);
}

function isMissing(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NotFound' || e.name === 'NoSuchKey' || e.name === 'NoSuchUpload' || e.$metadata?.httpStatusCode === 404;
}

/** SIGNAL, or a timeout of MS, whichever comes first. */
function within(ms: number, signal?: AbortSignal): AbortSignal {
  return signal ? AbortSignal.any([signal, AbortSignal.timeout(ms)]) : AbortSignal.timeout(ms);
}
