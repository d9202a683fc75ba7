/** The no-database anchors: walking a tree with lstat, and reading + hashing its files. */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { sep } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';
import { fdir } from 'fdir';

export interface WalkCounts {
  files: number;
  dirs: number;
  bytes: number;
}

/** readdirSync(withFileTypes) + lstatSync of every entry, depth-first: the indexer's own syscalls minus the database. */
export function handWalkLstat(root: string): WalkCounts {
  const c: WalkCounts = { files: 0, dirs: 0, bytes: 0 };
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      const p = dir + sep + d.name;
      const st = lstatSync(p);
      if (st.isDirectory()) { c.dirs++; stack.push(p); }
      else if (st.isFile()) { c.files++; c.bytes += st.size; }
    }
  }
  return c;
}

/** fdir's crawl (full paths, directories included) + lstatSync of every path it returns. */
export function fdirWalkLstat(root: string): WalkCounts {
  const c: WalkCounts = { files: 0, dirs: 0, bytes: 0 };
  const paths = new fdir().withFullPaths().withDirs().crawl(root).sync();
  for (const p of paths) {
    const st = lstatSync(p);
    if (st.isDirectory()) c.dirs++;
    else if (st.isFile()) { c.files++; c.bytes += st.size; }
  }
  c.dirs--; // fdir lists the root itself
  return c;
}

/** Every regular file under ROOT (absolute paths), for the read + hash anchor. */
export function listFiles(root: string): string[] {
  const out: string[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      const p = dir + sep + d.name;
      if (d.isDirectory()) stack.push(p);
      else if (d.isFile()) out.push(p);
    }
  }
  return out;
}

/** readFileSync + BLAKE3 of every file; returns a checksum of the digests so the work cannot be skipped. */
export function readAndHashAll(paths: readonly string[]): number {
  let x = 0;
  for (const p of paths) x ^= blake3(readFileSync(p)).readUInt32LE(0);
  return x;
}
