/**
 * `node dist/bench/guard-bench.js [--contents N] [--size BYTES] [--runs R] [--keep]` (npm run bench:guardian)
 *
 * What the guard's evidence check costs per content deleted here (issue 42: < 5 ms). A library of N
 * contents (default 2,000 of 64 KiB), each a file on drive A and one on drive B. The drop of drive
 * A's files is weighed as a delete's job weighs it (`weighDrop`: each copy here looked at, the files
 * marked going), under two policies:
 *   - 1 copy: each content is left with exactly its policy, so the remaining file on B is hashed
 *     again before A's goes (the last good copy here, REHASH_MAX_BYTES);
 *   - 1 copy with a third file of each on drive C: a spare copy stays, nothing is hashed.
 * Anchor, in the same script: unlinking N files of that size (what the delete does anyway).
 */
import { mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { blake3 } from '@napi-rs/blake-hash';
import { weighDrop } from '../src/guardian/guard.js';
import { setPolicy } from '../src/guardian/policy.js';
import { contentUuidFor } from '../src/content/identity.js';
import { Installation } from '../src/library/installation.js';
import type { EntryFacts } from '../src/store/entries.js';
import { Summary, benchArgs, freshDir, median, ratio, rmrf, runMain, secs, timeAsync, timeSync } from './util.js';

const TARGET_MS = 5;

async function main(): Promise<void> {
  const o = benchArgs('guard-bench [--contents N] [--size BYTES] [--runs R] [--keep]', {
    contents: { default: 2_000, min: 10 }, size: { default: 64 * 1024, min: 16 }, runs: { default: 5, min: 1 },
  }, ['keep']);
  const workDir = freshDir(tmpdir(), 'vss-guard-bench-');
  const summary = new Summary();
  try {
    const lib = new Installation({ dataDir: join(workDir, 'data') }).createLibrary('Guard', workDir, { makeCurrent: false });
    const { store } = lib;
    const vol = (fp: string) => store.volumes.seen(lib.deviceId, { fingerprint: fp, mount_point: `/mnt/${fp}`, fs: 'ext4', capacity: 1, free: 1, removable: 1, read_only: 0 }).id;
    const drives = { a: vol('A'), b: vol('B'), c: vol('C') };
    const loc: Record<string, number> = {};
    for (const [name, d] of [['a', drives.a], ['b', drives.b], ['spare', drives.c]] as const) {
      const path = join(workDir, name);
      mkdirSync(path);
      loc[name] = store.locations.insert({ uuid: `00000000-0000-4000-a000-00000000000${Object.keys(loc).length + 1}`, device_id: lib.deviceId, name, path, kind: 'disk', index_mode: 'content', ignore_rules: '[]', generation: null }, 0);
      store.entries.insertRoot(loc[name]!, name, statSync(path).ino, 0, 0);
      store.locations.setVolume(loc[name]!, d, name);
    }
    const put = (l: string, name: string, bytes: Buffer) => {
      const abs = join(workDir, l, name);
      writeFileSync(abs, bytes);
      const st = statSync(abs);
      const hash = blake3(bytes).toString('hex');
      const uuid = contentUuidFor(hash);
      store.contents.upsert({ uuid, cas_id: hash, cas_version: 1, kind: 'unknown', mime: 'application/octet-stream', size: bytes.length }, 0);
      const facts: EntryFacts = { parent_id: store.entries.rootOf(loc[l]!)!, name, rel_path: name, kind: 'file', size: st.size, inode: st.ino, mtime_ms: st.mtimeMs, link_target: null };
      const entry = store.entries.insert(loc[l]!, facts, 0);
      store.entries.linkContents([{ file: { ...facts, id: entry }, uuid, verified: true }], 0);
    };
    const fill = timeSync(() => store.transaction(() => {
      for (let i = 0; i < o.contents; i++) {
        const bytes = randomBytes(o.size);
        put('a', `f${i}`, bytes);
        put('b', `f${i}`, bytes);
      }
    }));
    summary.add({ what: `write and index ${o.contents} contents of ${o.size} B on two drives`, value: secs(fill.s), ratio: '', target: '', ok: null });
    const leaving = Array.from({ length: o.contents }, (_, i) => ({ locationId: loc.a!, rel: `f${i}`, path: join(workDir, 'a', `f${i}`) }));
    const weigh = async () => {
      const hold = await weighDrop(lib, leaving);
      await hold.release();
      if (hold.below.length !== 0) throw new Error(`the guard refused ${hold.below.length} contents: ${hold.below[0]?.uncounted?.join('; ') ?? ''}`);
    };

    setPolicy(lib, { copies: 1 });
    const edge: number[] = [];
    for (let r = 0; r < o.runs; r++) edge.push((await timeAsync(weigh)).s);

    // A third copy of each, on drive C: a spare is left, so nothing is hashed again.
    const spare: number[] = [];
    store.transaction(() => {
      for (let i = 0; i < o.contents; i++) put('spare', `f${i}`, readFileSync(join(workDir, 'a', `f${i}`)));
    });
    for (let r = 0; r < o.runs; r++) spare.push((await timeAsync(weigh)).s);

    // The anchor: what the delete does anyway, N files unlinked (written again between runs).
    const unlinks: number[] = [];
    const scratch = join(workDir, 'scratch');
    mkdirSync(scratch);
    const blob = randomBytes(o.size);
    for (let r = 0; r < o.runs; r++) {
      for (let i = 0; i < o.contents; i++) writeFileSync(join(scratch, `f${i}`), blob);
      unlinks.push(timeSync(() => { for (let i = 0; i < o.contents; i++) unlinkSync(join(scratch, `f${i}`)); }).s);
    }
    const per = (s: number) => (s * 1000) / o.contents;
    const e = median(edge);
    const sp = median(spare);
    const u = median(unlinks);
    summary.add({ what: `weigh a delete, each content at its policy's edge (the copy left hashed again): per content`, value: `${per(e).toFixed(3)} ms`, ratio: ratio(e / u), target: `< ${TARGET_MS} ms`, ok: per(e) < TARGET_MS });
    summary.add({ what: `weigh a delete, a spare copy of each left (looked at, not hashed): per content`, value: `${per(sp).toFixed(3)} ms`, ratio: ratio(sp / u), target: `< ${TARGET_MS} ms`, ok: per(sp) < TARGET_MS });
    summary.add({ what: `  anchor: unlink one file of ${o.size} B`, value: `${per(u).toFixed(3)} ms`, ratio: '1', target: '', ok: null });
    lib.close();
    console.log(`guard-bench: ${o.contents} contents of ${o.size} B, ${o.runs} runs, medians`);
    summary.print();
  } finally {
    if (o.keep) console.log(`kept ${workDir}`);
    else rmrf(workDir);
  }
}

runMain(import.meta.url, main);
