import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/*
 * s3rver answers a PUT (and an upload's part) once its bytes passed through, before its file
 * stream has written them: a read right after the answer — vss's read-back, the safety model's
 * look at the store — could see the object half written, as no real S3 lets anyone see. Here each
 * object is written whole to a file beside its place and renamed in (a reader sees the old bytes
 * or the new), and each part is answered once it is on disk.
 */
interface Stored { bucket: string; key: string; content: Buffer | NodeJS.ReadableStream; metadata: Record<string, string> }
interface Store {
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
  putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5: string): Promise<void>;
}
export const FilesystemStore = createRequire(import.meta.url)('s3rver/lib/stores/filesystem.js') as { new (root: string): Store & Record<string, unknown>; prototype: Store & Record<string, unknown> };
let writes = 0;

/** CONTENT written to PATH, whole (through a file beside it, renamed in when ATOMIC): its size and MD5. */
async function written(path: string, content: Buffer | NodeJS.ReadableStream, atomic: boolean): Promise<{ size: number; md5: string }> {
  await mkdir(dirname(path), { recursive: true });
  const md5 = createHash('md5');
  let size = 0;
  const to = atomic ? `${path}.vss-writing-${process.pid}-${writes++}` : path;
  const counted = new Transform({ transform(chunk: Buffer, _enc, done) { md5.update(chunk); size += chunk.length; done(null, chunk); } });
  await pipeline(Buffer.isBuffer(content) ? Readable.from([content]) : content, counted, createWriteStream(to));
  if (atomic) await rename(to, path);
  return { size, md5: md5.digest('hex') };
}

/** s3rver's store, patched (once) to write an object whole before a write is answered. */
let patched = false;
export function storeWhole(): void {
  if (patched) return;
  patched = true;
  FilesystemStore.prototype.putObject = async function (this: Store, object: Stored) {
    const { size, md5 } = await written(this.getResourcePath(object.bucket, object.key, 'object'), object.content, true);
    await this.putMetadata(object.bucket, object.key, object.metadata, md5);
    return { size, md5 };
  };
  FilesystemStore.prototype.putPart = async function (this: Store, bucket: string, uploadId: string, partNumber: number, content: NodeJS.ReadableStream) {
    const partPath = join(this.getResourcePath(bucket, undefined, 'uploads'), uploadId, String(partNumber));
    const { size, md5 } = await written(partPath, content, false);
    await writeFile(`${partPath}.md5`, md5);
    return { size, md5 };
  };
}
