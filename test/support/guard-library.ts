/**
 * A library for the guard's tests (src/guardian/guard.test.ts, permanent-read.test.ts): this
 * device with three locations on two drives, files written and indexed as a scan would, without
 * a scan (each content's id the BLAKE3 of its bytes; no ctime kept, so a bit flipped with the
 * mtime put back is rot as a disk makes it: bytes changed, everything the index compares kept).
 */
import { mkdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';
import { Installation } from '../../src/library/installation.js';
import type { Library } from '../../src/library/library.js';
import type { EntryFacts } from '../../src/store/entries.js';

/** How a test's file is made: SIZE, its bytes then zeros up to it, the zeros a hole (a large file that costs no write); SAMPLEDID, its content identified by samples (this id), not hashed whole. */
export interface FileOpts {
  size?: number;
  sampledId?: string;
}

/** A library of this device with three locations on two drives (pics and more on A, backup on B), files written and indexed as they are. */
export function makeLibrary(root: string, name: string): { lib: Library; loc: Record<string, number>; file: (l: string, rel: string, bytes: Buffer, opts?: FileOpts) => void; at: (l: string, rel: string, to?: number | null) => { locationId: number; rel: string; path: string; to?: number | null } } {
  const lib = new Installation({ dataDir: join(root, name, 'data') }).createLibrary('G', join(root, name));
  const { store } = lib;
  const now = Date.now();
  const drive = (fingerprint: string) => store.volumes.seen(lib.deviceId, { fingerprint, mount_point: `/mnt/${name}-${fingerprint}`, fs: 'ext4', capacity: 1, free: 1, removable: 1, read_only: 0 }, now).id;
  const drives = { A: drive('A'), B: drive('B') };
  const loc: Record<string, number> = {};
  let n = 0;
  for (const [l, d] of [['pics', drives.A], ['more', drives.A], ['backup', drives.B]] as const) {
    const path = join(root, name, l);
    mkdirSync(path, { recursive: true });
    loc[l] = store.locations.insert({ uuid: `00000000-0000-4000-a000-${name.padStart(8, '0').slice(-8)}000${++n}`, device_id: lib.deviceId, name: l, path, kind: 'disk', index_mode: 'content', ignore_rules: '[]', generation: null }, 0);
    store.entries.insertRoot(loc[l]!, l, statSync(path).ino, 0, 0);
    store.locations.setVolume(loc[l]!, d, l);
    store.locations.setOnline(loc[l]!, true);
  }
  /**
   * BYTES at REL of location L, written and indexed as the indexer would (its content the BLAKE3 of
   * its bytes), or as OPTS say.
   */
  const file = (l: string, rel: string, bytes: Buffer, opts: FileOpts = {}) => {
    const size = opts.size ?? bytes.length;
    const abs = join(root, name, l, rel);
    writeFileSync(abs, bytes);
    if (size > bytes.length) truncateSync(abs, size);
    const whole = size > bytes.length ? Buffer.concat([bytes, Buffer.alloc(size - bytes.length)]) : bytes;
    const st = statSync(abs);
    const hash = opts.sampledId ?? blake3(whole).toString('hex');
    const uuid = opts.sampledId !== undefined ? contentOf(Buffer.from(opts.sampledId)) : contentOf(whole);
    store.contents.upsert({ uuid, cas_id: hash, cas_version: opts.sampledId !== undefined ? 2 : 1, kind: 'unknown', mime: 'application/octet-stream', size }, 0);
    const facts: EntryFacts = { parent_id: store.entries.rootOf(loc[l]!)!, name: rel, rel_path: rel, kind: 'file', size: st.size, inode: st.ino, mtime_ms: st.mtimeMs, link_target: null };
    const entry = store.entries.insert(loc[l]!, facts, 0);
    store.entries.linkContents([{ file: { ...facts, id: entry }, uuid, verified: true }], now);
  };
  const at = (l: string, rel: string, to?: number | null) => ({ locationId: loc[l]!, rel, path: join(root, name, l, rel), ...(to !== undefined ? { to } : {}) });
  return { lib, loc, file, at };
}

/** The content id the tests give BYTES: a uuid from their hash, the same on every device. */
export const contentOf = (bytes: Buffer) => {
  const h = blake3(bytes).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};
