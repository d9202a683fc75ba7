import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { VssError } from '../../core/errors.js';

/**
 * One object of an encrypted bucket (issue 60): an age v1 file (age-encryption.org/v1), so the
 * standard tool reads it back without vss (`age -d -i KEY`). Its header (one X25519 stanza to the
 * library's bucket key) is made and opened by the age library; its payload, age's STREAM of 64 KiB
 * chunks under ChaCha20-Poly1305 (nonce: an 11-byte big-endian counter and a last-chunk flag), is
 * sealed and opened here a chunk at a time with Node's native cipher, so a range is read and
 * authenticated without the rest and a large file never sits whole in memory.
 */

/** Plaintext bytes of one chunk (age's STREAM). */
export const CHUNK = 64 * 1024;
const TAG = 16;
/** A whole chunk as stored: its bytes and its tag. */
export const SEALED_CHUNK = CHUNK + TAG;
/** The textual header of one X25519 stanza (always 168 bytes: fixed-length base64 of fixed-length values), then the payload's 16-byte nonce. */
const HEADER = 168;
const NONCE = 16;
/** Bytes before the first chunk. */
export const HEAD = HEADER + NONCE;

/** The keys of a library's encrypted buckets, all derived from its one secret (the recovery phrase's entropy). */
export interface BucketKeys {
  /** The age X25519 identity's 32 bytes (`ageIdentity` writes it as `age -d -i` takes it). */
  x25519: Buffer;
  /** The keyed names: HMAC of a name under this key. */
  names: Buffer;
  /** The sealed metadata's key. */
  meta: Buffer;
}

/** A bucket object is not what vss sealed: tampered with, damaged, or not of this key. It is no copy. */
export class SealBroken extends VssError {
  constructor(key: string, what: string) {
    super('IO', `${key}: ${what}; it does not authenticate under this library's bucket key (tampered with, damaged, or another key's)`, { path: key });
    this.name = 'SealBroken';
  }
}

function derive(secret: Uint8Array, what: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'vss-bucket-key-v1', what, 32));
}

/** The keys of SECRET (32 bytes). */
export function bucketKeys(secret: Uint8Array): BucketKeys {
  if (secret.length !== 32) throw new VssError('USAGE', `a bucket key is 32 bytes, not ${secret.length}`);
  return {
    x25519: derive(secret, 'age X25519 identity'),
    names: derive(secret, 'object names'),
    meta: derive(secret, 'object metadata'),
  };
}

/*
 * The age library and its bech32 are loaded when an encrypted bucket is first used, not with every
 * daemon's start (they bring @noble's post-quantum and hash modules: test/integration/light-start).
 */
const age = () => import('age-encryption');

/** `AGE-SECRET-KEY-1…` of KEYS: what `age -d -i` takes. */
export async function ageIdentity(keys: BucketKeys): Promise<string> {
  const { bech32 } = await import('@scure/base');
  return bech32.encode('AGE-SECRET-KEY-', bech32.toWords(keys.x25519), false).toUpperCase();
}

/** The name REL (a path under the bucket's prefix) takes in the bucket: keyed, so nothing of the name shows, the same on every device with the key. */
export function sealedName(keys: BucketKeys, rel: string): string {
  return `${createHmac('sha256', keys.names).update(rel, 'utf8').digest('hex').slice(0, 40)}.age`;
}

/** How many bytes a file of PLAIN bytes takes sealed. */
export function sealedSize(plain: number): number {
  return HEAD + plain + TAG * Math.max(1, Math.ceil(plain / CHUNK));
}

/** The plaintext size of an object of SEALED bytes, or undefined where no sealed file has that size. */
export function plainSize(sealed: number): number | undefined {
  const payload = sealed - HEAD;
  if (payload < TAG) return undefined;
  const whole = Math.floor(payload / SEALED_CHUNK);
  const rest = payload % SEALED_CHUNK;
  if (rest > 0 && rest <= TAG && !(whole === 0 && rest === TAG)) return undefined;
  return payload - TAG * (whole + (rest > 0 ? 1 : 0));
}

/** The chunk count of a file of PLAIN bytes (an empty file has one, empty). */
export function chunkCount(plain: number): number {
  return Math.max(1, Math.ceil(plain / CHUNK));
}

const recipients = new Map<string, Promise<string>>();

/**
 * A new object's first HEAD bytes (its age header and the payload's nonce) and its payload key.
 * The age library makes the header; a second recipient that adds no stanza is how its file key is
 * had (the library exposes no other way), to derive the payload key as age does.
 */
export async function newHead(keys: BucketKeys): Promise<{ head: Buffer; payloadKey: Buffer }> {
  const [{ Encrypter, identityToRecipient }, identity] = await Promise.all([age(), ageIdentity(keys)]);
  let recipient = recipients.get(identity);
  if (!recipient) recipients.set(identity, (recipient = identityToRecipient(identity)));
  const e = new Encrypter();
  e.addRecipient(await recipient);
  let fileKey: Uint8Array | undefined;
  e.addRecipient({ wrapFileKey: async (k: Uint8Array) => { fileKey = k; return []; } });
  const empty = await e.encrypt(new Uint8Array(0));
  const head = Buffer.from(empty.subarray(0, empty.length - TAG));
  if (head.length !== HEAD || fileKey === undefined) throw new VssError('IO', `the age library made a header of ${head.length} bytes, not ${HEAD}: this vss does not know its format`);
  return { head, payloadKey: payloadKeyOf(fileKey, head.subarray(HEADER)) };
}

/** The payload key of an object whose first HEAD bytes are HEAD: its header authenticated (its MAC) under KEYS, else SealBroken. */
export async function openHead(keys: BucketKeys, key: string, head: Uint8Array): Promise<Buffer> {
  if (head.length !== HEAD) throw new SealBroken(key, `its header is ${head.length} bytes, not ${HEAD}`);
  const [{ Decrypter }, identity] = await Promise.all([age(), ageIdentity(keys)]);
  const d = new Decrypter();
  d.addIdentity(identity);
  let fileKey: Uint8Array;
  try {
    fileKey = await d.decryptHeader(head.subarray(0, HEADER));
  } catch (err) {
    throw new SealBroken(key, `its age header does not open (${(err as Error).message})`);
  }
  return payloadKeyOf(fileKey, head.subarray(HEADER));
}

function payloadKeyOf(fileKey: Uint8Array, nonce: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', fileKey, nonce, 'payload', 32));
}

function nonceOf(index: number, last: boolean): Buffer {
  const n = Buffer.alloc(12);
  n.writeUIntBE(index, 5, 6);
  n[11] = last ? 1 : 0;
  return n;
}

/** Chunk INDEX of a payload sealed (LAST: the file's final chunk). */
export function sealChunk(payloadKey: Buffer, index: number, last: boolean, plain: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(plain.length + TAG);
  sealChunkInto(payloadKey, index, last, plain, out, 0);
  return out;
}

/**
 * Chunk INDEX sealed into OUT at AT (its bytes, then its tag: PLAIN's length + 16 bytes), that
 * length returned. An upload's part is made this way, chunk after chunk in place: the cipher's
 * output copied once, not joined per chunk and again per part (half the CPU of sealing, measured).
 */
export function sealChunkInto(payloadKey: Buffer, index: number, last: boolean, plain: Uint8Array, out: Buffer, at: number): number {
  const c = createCipheriv('chacha20-poly1305', payloadKey, nonceOf(index, last), { authTagLength: TAG });
  const body = c.update(plain);
  body.copy(out, at);
  c.final();
  c.getAuthTag().copy(out, at + body.length);
  return body.length + TAG;
}

/** Chunk INDEX opened and authenticated, else SealBroken (KEY names the object). */
export function openChunk(payloadKey: Buffer, index: number, last: boolean, sealed: Uint8Array, key: string): Buffer {
  if (sealed.length < TAG || sealed.length > SEALED_CHUNK || (!last && sealed.length !== SEALED_CHUNK)) throw new SealBroken(key, `its chunk ${index} is ${sealed.length} bytes`);
  const d = createDecipheriv('chacha20-poly1305', payloadKey, nonceOf(index, last), { authTagLength: TAG });
  d.setAuthTag(sealed.subarray(sealed.length - TAG));
  try {
    return Buffer.concat([d.update(sealed.subarray(0, sealed.length - TAG)), d.final()]);
  } catch {
    throw new SealBroken(key, `its chunk ${index} fails its tag`);
  }
}

/** What vss keeps in an object's metadata, sealed: one field, bound to the object's key (metadata moved to another object does not open). */
export function sealMeta(keys: BucketKeys, key: string, meta: Readonly<Record<string, string>>): string {
  const nonce = randomBytes(12);
  const c = createCipheriv('chacha20-poly1305', keys.meta, nonce, { authTagLength: TAG });
  const json = Buffer.from(JSON.stringify(meta), 'utf8');
  c.setAAD(Buffer.from(key, 'utf8'), { plaintextLength: json.length });
  return Buffer.concat([nonce, c.update(json), c.final(), c.getAuthTag()]).toString('base64url');
}

/** SEALED (from `sealMeta` for KEY) opened, or undefined where it does not authenticate. */
export function openMeta(keys: BucketKeys, key: string, sealed: string | undefined): Record<string, string> | undefined {
  if (sealed === undefined || sealed.length > 4096) return undefined;
  const raw = Buffer.from(sealed, 'base64url');
  if (raw.length < 12 + TAG) return undefined;
  const d = createDecipheriv('chacha20-poly1305', keys.meta, raw.subarray(0, 12), { authTagLength: TAG });
  d.setAAD(Buffer.from(key, 'utf8'), { plaintextLength: raw.length - 12 - TAG });
  d.setAuthTag(raw.subarray(raw.length - TAG));
  try {
    const json = Buffer.concat([d.update(raw.subarray(12, raw.length - TAG)), d.final()]).toString('utf8');
    const o = JSON.parse(json) as unknown;
    if (o === null || typeof o !== 'object' || Array.isArray(o)) return undefined;
    return Object.fromEntries(Object.entries(o).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
  } catch {
    return undefined;
  }
}
