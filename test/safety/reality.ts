/**
 * What the world holds, read from the disks and the bucket's store, never from vss's index: every
 * file under a location's folder (vss's own bookkeeping, `.vss-*`, left out: a partial or a
 * damaged file kept aside is no copy a person would restore from) and every object in the bucket,
 * each with the BLAKE3 of its bytes.
 */
import { readdirSync, readFileSync, type Dirent } from 'node:fs';
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

/** Every file under ROOT (recursively), `.vss-*` names skipped, labelled LABEL/rel. */
export function filesUnder(root: string, label: string): Held[] {
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
        const bytes = readFileSync(p);
        out.push({ where: `${label}/${relative(root, p)}`, path: p, hash: hashOf(bytes), size: bytes.length });
      }
    }
  };
  walk(root);
  return out;
}

const OBJECT = '._S3rver_object';
const META = '._S3rver_metadata.json';

/** Every object s3rver keeps under DIR (its bucket folder), read from its store. */
export function objectsUnder(dir: string): Held[] {
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
        const bytes = readFileSync(p);
        const base = p.slice(0, -OBJECT.length);
        let claims: string | undefined;
        try {
          const meta = JSON.parse(readFileSync(base + META, 'utf8')) as Record<string, string>;
          claims = meta['x-amz-meta-vss-blake3'];
        } catch {
          // no metadata: claims nothing
        }
        out.push({ where: `bucket/${relative(dir, base)}`, path: p, hash: hashOf(bytes), size: bytes.length, ...(claims !== undefined ? { claims } : {}) });
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
