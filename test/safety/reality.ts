/**
 * What the world holds, read from the disks and the bucket's store, never from vss's index: every
 * file under a location's folder (vss's own bookkeeping, `.vss-*`, left out: a partial or a
 * damaged file kept aside is no copy a person would restore from) and every object in the bucket,
 * each with the BLAKE3 of its bytes.
 *
 * Read after every step, so only what a step could have changed is read again: a file's hash is
 * kept with its identity on the disk (size, mtime, ctime and inode, to the nanosecond) and used
 * while that identity holds. Every write to a file moves its ctime (an edit that sets the mtime
 * back, a bit flipped and its times put back, a rename over it: a new inode), so bytes that
 * changed are always hashed again; the walk itself (a readdir and a stat per file) is made each time.
 */
import { readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import { join, relative } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';

/** One file or object as it is now. */
export interface Held {
  /** `DEVICE/LOCATION/rel` for a file, `bucket/KEY` for an object. */
  where: string;
  path: string;
  hash: string;
  size: number;
  /** For an object: the hash its metadata says it holds (vss writes `x-amz-meta-vss-blake3`). */
  claims?: string;
}

export function hashOf(bytes: Uint8Array): string {
  return blake3(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes)).toString('hex');
}

/** A file's identity on the disk: what changes whenever its bytes may have (null: not a file now). */
function identity(path: string): string | null {
  try {
    const s = statSync(path, { bigint: true });
    return s.isFile() ? `${s.size}:${s.mtimeNs}:${s.ctimeNs}:${s.ino}` : null;
  } catch {
    return null;
  }
}

/** Hashes (and what a metadata file says) by path, each kept while the file's identity holds. */
export class Looks {
  private readonly known = new Map<string, { id: string; hash: string; size: number }>();
  private readonly claims = new Map<string, { id: string; claims: string | undefined }>();
  /** Files read (hashed) since made, and looked at in all: how much the cache saves. */
  hashed = 0;
  looked = 0;

  /** PATH's hash and size now, or undefined when it is gone (or not a file). */
  file(path: string): { hash: string; size: number } | undefined {
    this.looked++;
    const id = identity(path);
    if (id === null) {
      this.known.delete(path);
      return undefined;
    }
    const k = this.known.get(path);
    if (k && k.id === id) return k;
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch {
      return undefined;
    }
    // Identity read before the bytes: a write between the two leaves a stale identity, looked at again next time.
    const got = { id, hash: hashOf(bytes), size: bytes.length };
    this.hashed++;
    this.known.set(path, got);
    return got;
  }

  /** What the s3rver metadata file at PATH says the object holds (`x-amz-meta-vss-blake3`). */
  claimed(path: string): string | undefined {
    const id = identity(path);
    if (id === null) {
      this.claims.delete(path);
      return undefined;
    }
    const k = this.claims.get(path);
    if (k && k.id === id) return k.claims;
    let claims: string | undefined;
    try {
      claims = (JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>)['x-amz-meta-vss-blake3'];
    } catch {
      // no metadata: claims nothing
    }
    this.claims.set(path, { id, claims });
    return claims;
  }

  /** Forget PATH's hash: its bytes changed below the filesystem, its identity kept (a disk's rot). */
  forget(path: string): void {
    this.known.delete(path);
  }

  /** Forget everything (a world put back from its template). */
  clear(): void {
    this.known.clear();
    this.claims.clear();
  }
}

/** Every file under ROOT (recursively), `.vss-*` names skipped, labelled LABEL/rel. */
export function filesUnder(looks: Looks, root: string, label: string): Held[] {
  const out: Held[] = [];
  const walk = (dir: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // gone (a drive away, a folder removed)
    }
    for (const e of entries) {
      if (e.name.startsWith('.vss-')) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        const f = looks.file(p);
        if (f) out.push({ where: `${label}/${relative(root, p)}`, path: p, hash: f.hash, size: f.size });
      }
    }
  };
  walk(root);
  return out;
}

const OBJECT = '._S3rver_object';
const META = '._S3rver_metadata.json';

/** The files s3rver keeps an object's bytes and metadata in, under DIR (its bucket folder), for KEY. */
export function objectFiles(dir: string, key: string): { bytes: string; meta: string } {
  const base = join(dir, key);
  return { bytes: base + OBJECT, meta: base + META };
}

/** Every object s3rver keeps under DIR (its bucket folder), read from its store. */
export function objectsUnder(looks: Looks, dir: string): Held[] {
  const out: Held[] = [];
  const walk = (d: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(OBJECT)) {
        const f = looks.file(p);
        if (!f) continue;
        const base = p.slice(0, -OBJECT.length);
        const claims = looks.claimed(base + META);
        out.push({ where: `bucket/${relative(dir, base)}`, path: p, hash: f.hash, size: f.size, ...(claims !== undefined ? { claims } : {}) });
      }
    }
  };
  walk(dir);
  return out;
}

/** The contents (of WANTED, by hash) that have at least one good copy in HELD. */
export function goodContents(held: readonly Held[], wanted: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const h of held) if (wanted.has(h.hash)) out.add(h.hash);
  return out;
}
