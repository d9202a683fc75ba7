/**
 * `node dist/bench/confine-bench.js [--files N] [--runs R]`
 *
 * What the path checks cost the indexer's hot path: every file identification reads is first
 * checked (its relative path by syntax, its folder's real path once per folder). The anchor is
 * the read itself (open with O_NOFOLLOW, read, close) of the same small files by a plain path.
 */
import { closeSync, constants, mkdirSync, openSync, readSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfinedRoot } from '../src/library/confine.js';
import { benchArgs, freshDir, median, rmrf } from './util.js';

const args = benchArgs('confine-bench [--files N] [--runs R]', { files: { default: 50_000, min: 1000 }, runs: { default: 3, min: 1 } }, []);
const root = freshDir(tmpdir(), 'vss-confine-bench-');
const rels: string[] = [];
for (let i = 0; i < args.files; i++) {
  const dir = `d${i % 500}`;
  if (i < 500) mkdirSync(join(root, dir));
  rels.push(`${dir}/f${i}.txt`);
  writeFileSync(join(root, dir, `f${i}.txt`), 'x'.repeat(200));
}

const buf = Buffer.alloc(4096);
const read = (path: string) => {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  readSync(fd, buf, 0, buf.length, 0);
  closeSync(fd);
};
const time = (fn: () => void) => {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
};

const plain: number[] = [];
const confined: number[] = [];
for (let r = 0; r < args.runs; r++) {
  plain.push(time(() => { for (const rel of rels) read(root + '/' + rel); }));
  const checked = new ConfinedRoot(root, 'the location');
  confined.push(time(() => { for (const rel of rels) read(checked.inFolder(rel)); }));
}
const p = median(plain);
const c = median(confined);
console.log(`${args.files} files in 500 folders, median of ${args.runs}:`);
console.log(`  anchor, open+read+close by plain path: ${p.toFixed(3)} s (${((p / args.files) * 1e6).toFixed(1)} µs per file)`);
console.log(`  the same with the path checked first:  ${c.toFixed(3)} s = ${(c / p).toFixed(2)}× the anchor (+${(((c - p) / args.files) * 1e6).toFixed(1)} µs per file)`);
rmrf(root);
