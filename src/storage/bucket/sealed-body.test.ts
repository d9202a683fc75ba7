import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createCipheriv, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { Decrypter } from 'age-encryption';
import { tempDir } from '../../../test/helpers.js';
import { CHUNK, ageIdentity, bucketKeys, newHead, sealedSize } from './age-object.js';
import { PartSealer } from './part-sealer.js';
import { sealedBody } from './sealed-body.js';
import type { FileReader } from './s3-bucket.js';

/** The age payload of PLAIN as the format says it, chunk by chunk (independent of the code under test). */
function reference(head: Buffer, payloadKey: Buffer, plain: Buffer): Buffer {
  const chunks = Math.max(1, Math.ceil(plain.length / CHUNK));
  const out = [head];
  for (let i = 0; i < chunks; i++) {
    const nonce = Buffer.alloc(12);
    nonce.writeUIntBE(i, 5, 6);
    nonce[11] = i === chunks - 1 ? 1 : 0;
    const c = createCipheriv('chacha20-poly1305', payloadKey, nonce, { authTagLength: 16 });
    out.push(c.update(plain.subarray(i * CHUNK, (i + 1) * CHUNK)), c.final(), c.getAuthTag());
  }
  return Buffer.concat(out);
}

/** A file's reader over BYTES (each read a buffer of its own, as a file's are; small ones a pool's slice). */
function readerOf(bytes: Buffer, fail?: Error): FileReader {
  let at = 0;
  return {
    async next(n) {
      if (fail && at + n > bytes.length / 2) throw fail;
      const b = Buffer.from(bytes.subarray(at, at + n));
      at += n;
      return b;
    },
  };
}

/** Every part of BODY, asked as `S3Bucket.upload` asks: PART bytes at a time, the last what is left. */
async function partsOf(body: ReturnType<typeof sealedBody>, part: number): Promise<Buffer[]> {
  const parts: Buffer[] = [];
  try {
    for (let at = 0; at < body.size; at += part) parts.push(await body.next(Math.min(part, body.size - at)));
  } finally {
    body.close?.();
  }
  return parts;
}

const keys = bucketKeys(randomBytes(32));
/** Sizes at the edges: empty, one byte, a chunk and either side, several chunks. */
const size = fc.oneof(
  fc.constantFrom(0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 5 * CHUNK + 17),
  fc.integer({ min: 0, max: 7 * CHUNK }),
);
/** Parts far smaller than S3's, so chunks straddle them (a part holds the header's 184 bytes and more). */
const part = fc.integer({ min: 200, max: 3 * CHUNK });

describe('an encrypted upload sealed part by part', () => {
  it('the parts are the age file as the format makes it, cut where the upload asks: inline and in the worker alike', { timeout: 120_000 }, async () => {
    const { head, payloadKey } = await newHead(keys);
    await fc.assert(fc.asyncProperty(size, part, async (n, p) => {
      const plain = randomBytes(n);
      const want = reference(head, payloadKey, plain);
      assert.equal(want.length, sealedSize(n));
      for (const threaded of [false, true]) {
        const parts = await partsOf(sealedBody(head, payloadKey, readerOf(plain), n, p, threaded), p);
        assert.ok(Buffer.concat(parts).equals(want), `${n} bytes in parts of ${p}, ${threaded ? 'worker' : 'inline'}`);
        assert.ok(parts.every((x, i) => x.length === (i < parts.length - 1 ? p : want.length - p * (parts.length - 1))));
      }
    }), { numRuns: 40 });
  });

  it('reads back with the age library: the header made by it, the payload by the sealer', async () => {
    const { head, payloadKey } = await newHead(keys);
    const plain = randomBytes(2 * CHUNK + 5);
    const sealer = new PartSealer(head, payloadKey, plain.length, 1 << 20);
    const parts = [...sealer.push(plain.subarray(0, CHUNK)), ...sealer.push(plain.subarray(CHUNK))];
    const d = new Decrypter();
    d.addIdentity(await ageIdentity(keys));
    assert.ok(Buffer.from(await d.decrypt(Buffer.concat(parts))).equals(plain));
    assert.throws(() => sealer.push(Buffer.alloc(1)), /more than/);
  });

  it("the file's fault reaches the upload as it was thrown, from the worker's body too", async () => {
    const { head, payloadKey } = await newHead(keys);
    const fault = new Error('the file changed');
    const n = 6 * CHUNK;
    for (const threaded of [false, true]) {
      await assert.rejects(partsOf(sealedBody(head, payloadKey, readerOf(randomBytes(n), fault), n, CHUNK, threaded), CHUNK), (err) => err === fault);
    }
  });

  it('an upload closed mid-way leaves no worker holding the process: it exits on its own', { timeout: 60_000 }, () => {
    const script = `
      const { sealedBody } = await import(${JSON.stringify(new URL('./sealed-body.js', import.meta.url).href)});
      const { bucketKeys, newHead } = await import(${JSON.stringify(new URL('./age-object.js', import.meta.url).href)});
      const { head, payloadKey } = await newHead(bucketKeys(Buffer.alloc(32, 7)));
      const n = 64 << 20;
      const body = sealedBody(head, payloadKey, { next: async (k) => Buffer.alloc(k) }, n, 8 << 20, true);
      await body.next(8 << 20);
      body.close();
      console.log('closed');`;
    const tmp = tempDir('vss-sealed-body-');
    const file = join(tmp.path, 'upload.mjs');
    writeFileSync(file, script);
    const started = Date.now();
    const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 20_000 });
    tmp.cleanup();
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'closed');
    assert.ok(Date.now() - started < 15_000, 'it did not wait out the worker');
  });
});
