import { VssError } from '../../core/errors.js';
import { keyOf, type BucketSpec } from './bucket-url.js';
import { CHUNK, HEAD, SEALED_CHUNK, SealBroken, chunkCount, newHead, openChunk, openHead, openMeta, plainSize, sealMeta, sealedName, sealedSize, type BucketKeys } from './age-object.js';
import { sealedBody } from './sealed-body.js';
import { PART_SIZE, S3Bucket, type FileReader, type HeadFound, type KeysPage, type ListedPage, type ObjectMeta, type UploadBody, type Uploaded, type UploadOptions } from './s3-bucket.js';

/** The one field of an encrypted bucket's object metadata: vss's metadata, sealed (age-object.ts `sealMeta`). */
const SEALED_META = 'vss-sealed';
/** Objects whose header was opened, kept for the ranges that follow (a viewer's seeks). */
const MAX_OPENED = 64;

/** Bytes as they came, in pieces, taken from the front N at a time (a piece is copied once, when what is taken spans pieces). */
class ByteQueue {
  private pieces: Buffer[] = [];
  length = 0;

  push(piece: Uint8Array): void {
    if (piece.length === 0) return;
    this.pieces.push(Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.length));
    this.length += piece.length;
  }

  /** The first N bytes (at most what is held), taken out. */
  take(n: number): Buffer {
    n = Math.min(n, this.length);
    this.length -= n;
    const first = this.pieces[0];
    if (first && first.length >= n) {
      if (first.length === n) this.pieces.shift();
      else this.pieces[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const p = this.pieces[0]!;
      const k = Math.min(p.length, n - at);
      p.copy(out, at, 0, k);
      at += k;
      if (k === p.length) this.pieces.shift();
      else this.pieces[0] = p.subarray(k);
    }
    return out;
  }
}

/**
 * An encrypted bucket (issue 60): the same requests as a plain one (`S3Bucket`), every byte vss
 * writes sealed on its way out and every byte it reads opened and authenticated on its way in, so
 * each path through a bucket (protect, the read-back, the HEAD and listing checks, a repair, a
 * content got, a viewer's range) passes here and nowhere else. What the callers see is the
 * plaintext: its sizes, its ranges, vss's metadata; what the service stores is age files under
 * keyed names, their metadata one sealed field. A chunk that does not authenticate throws
 * SealBroken: never a byte of it is given.
 */
export class SealedBucket extends S3Bucket {
  private readonly opened = new Map<string, Promise<Buffer>>();

  constructor(spec: BucketSpec, private readonly keys: BucketKeys) {
    super(spec);
  }

  override key(rel: string): string {
    return keyOf(this.spec, sealedName(this.keys, rel));
  }

  override get flat(): boolean {
    return true;
  }

  override async head(key: string, signal?: AbortSignal): Promise<HeadFound | undefined> {
    const h = await super.head(key, signal);
    if (!h) return undefined;
    // A size no sealed file has, or metadata that does not open, is what it is: an object that is not the one vss put there.
    return { ...h, size: plainSize(h.size) ?? -1, meta: (openMeta(this.keys, key, h.meta[SEALED_META as keyof ObjectMeta]) ?? {}) as Partial<ObjectMeta> };
  }

  override async listPage(prefix: string, next?: string, signal?: AbortSignal): Promise<ListedPage> {
    const page = await super.listPage(prefix, next, signal);
    return { ...page, objects: page.objects.map((o) => ({ ...o, size: plainSize(o.size) ?? -1 })) };
  }

  override async listKeys(prefix: string, after: string, max: number, signal?: AbortSignal): Promise<KeysPage> {
    const page = await super.listKeys(prefix, after, max, signal);
    return { ...page, objects: page.objects.map((o) => ({ ...o, size: plainSize(o.size) ?? -1 })) };
  }

  /** Plaintext bytes START to END (exclusive) of the object at KEY: only the chunks that hold them are read, each authenticated. */
  override async readRange(key: string, start: number, end: number, signal?: AbortSignal): Promise<Buffer> {
    if (end <= start) return Buffer.alloc(0);
    const { size, payloadKey } = await this.open(key, signal);
    if (end > size) throw new VssError('IO', `${this.url}: ${key} holds ${size} bytes, not the ${end} a range asked`);
    const first = Math.floor(start / CHUNK);
    const last = Math.floor((end - 1) / CHUNK);
    const final = chunkCount(size) - 1;
    const from = HEAD + first * SEALED_CHUNK;
    const raw = await super.readRange(key, from, Math.min(sealedSize(size), HEAD + (last + 1) * SEALED_CHUNK), signal);
    const out: Buffer[] = [];
    for (let i = first; i <= last; i++) {
      const at = (i - first) * SEALED_CHUNK;
      out.push(openChunk(payloadKey, i, i === final, raw.subarray(at, Math.min(raw.length, at + SEALED_CHUNK)), key));
    }
    const plain = Buffer.concat(out);
    return plain.subarray(start - first * CHUNK, end - first * CHUNK);
  }

  /**
   * The plaintext of the object at KEY from byte FROM on, opened a chunk at a time as it streams
   * (a chunk is given only once it authenticated; the last must carry age's last-chunk flag, so an
   * object cut short at a chunk's end does not pass). Memory: a chunk and what the stream holds.
   */
  override async *read(key: string, signal?: AbortSignal, from = 0): AsyncGenerator<Uint8Array> {
    let payloadKey: Buffer | undefined;
    let index = 0;
    let skip = 0;
    if (from > 0) {
      ({ payloadKey } = await this.open(key, signal));
      index = Math.floor(from / CHUNK);
      skip = from - index * CHUNK;
    }
    // What came and is not opened yet, as the pieces the stream gave (joined only a chunk at a time: a piece is often far smaller than a chunk).
    const queue = new ByteQueue();
    for await (const piece of super.read(key, signal, payloadKey ? HEAD + index * SEALED_CHUNK : 0)) {
      queue.push(piece);
      if (!payloadKey) {
        if (queue.length < HEAD) continue;
        payloadKey = await openHead(this.keys, key, queue.take(HEAD));
      }
      // A whole chunk is opened only when more follows it: the one at the end is the last, flagged so.
      while (queue.length > SEALED_CHUNK) {
        const plain = openChunk(payloadKey, index++, false, queue.take(SEALED_CHUNK), key);
        yield skip > 0 ? plain.subarray(skip) : plain;
        skip = 0;
      }
    }
    const pending = queue.take(queue.length);
    if (!payloadKey) throw new SealBroken(key, `it holds ${pending.length} bytes, less than an age header`);
    const plain = openChunk(payloadKey, index, true, pending, key);
    if (plain.length === 0 && index > 0) throw new SealBroken(key, 'its last chunk is empty');
    yield skip > 0 ? plain.subarray(skip) : plain;
  }

  /**
   * An upload of the file, sealed as it is read. Never resumed: the parts an attempt cut off sent
   * were sealed under a file key that attempt alone had (kept nowhere: a key kept with the
   * upload's state would be a key in the clear), so such an upload is given up and made again.
   */
  override async upload(key: string, path: string, opts: UploadOptions): Promise<Uploaded> {
    if (opts.resume) await this.abortUpload(key, opts.resume.uploadId);
    const { resume: _, ...fresh } = opts;
    return super.upload(key, path, fresh);
  }

  protected override async bodyOf(_key: string, file: FileReader, size: number): Promise<UploadBody> {
    const { head, payloadKey } = await newHead(this.keys);
    return sealedBody(head, payloadKey, file, size, PART_SIZE);
  }

  protected override metaOut(key: string, meta: ObjectMeta): Record<string, string> {
    return { [SEALED_META]: sealMeta(this.keys, key, { ...meta }) };
  }

  /** The object at KEY: its plaintext size (a HEAD) and its payload key (its header read and authenticated), kept for the next ranges. */
  private async open(key: string, signal?: AbortSignal): Promise<{ size: number; payloadKey: Buffer }> {
    const h = await super.head(key, signal);
    if (!h) throw new VssError('NOT_FOUND', `${this.url}: ${key} is not in the bucket`);
    const size = plainSize(h.size);
    if (size === undefined) throw new SealBroken(key, `it holds ${h.size} bytes, a size no sealed file has`);
    const cached = `${key}\n${h.etag ?? h.size}`;
    let payloadKey = this.opened.get(cached);
    if (!payloadKey) {
      if (this.opened.size >= MAX_OPENED) this.opened.delete(this.opened.keys().next().value!);
      payloadKey = super.readRange(key, 0, HEAD, signal).then((head) => openHead(this.keys, key, head));
      this.opened.set(cached, payloadKey);
      payloadKey.catch(() => this.opened.delete(cached));
    }
    return { size, payloadKey: await payloadKey };
  }
}
