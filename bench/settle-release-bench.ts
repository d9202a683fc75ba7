/**
 * `node dist/bench/settle-release-bench.js [--files N] [--contents M] [--runs R]`
 *
 * What the watcher's two safeguards cost, in a real library:
 * - settling: identifying all N files (default 20k) of a content location again with the settle
 *   rule on (nothing recent: every file passes it), against the same scan without the rule — the
 *   anchor; and the latency a photo dropped into a watched location of N files sees, settling
 *   (default 1000 ms) against settling off (0 ms) — the anchor;
 * - releasing: one sweep over M contents (default 200k) that all still have entries (the usual
 *   sweep: nothing to do), against the single DELETE the sweep used to be — the anchor; then M/2
 *   contents released with a pending sidecar and a queued job each, with the heap growth.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Installation as Vss } from '../src/library/installation.js';
import type { Library } from '../src/library/library.js';
import { addLocation, scanLocation } from '../src/locations/locations.js';
import { watchLocations } from '../src/locations/watch/watch-locations.js';
import { releaseOrphanContents } from '../src/indexer/release-orphans.js';
import { defaultGeneratorSettings } from '../src/jobs/settings.js';
import { benchArgs, collectGarbage, freshDir, kilo, mb, median, ratio, rmrf, runMain, secs, timeAsync, timeSync } from './util.js';

const FIXTURE_PHOTO = join(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures', 'exif', 'Canon_40D.jpg');

async function main(): Promise<void> {
  const o = benchArgs('settle-release-bench [--files N] [--contents M] [--runs R]', {
    files: { default: 20_000, min: 100 }, contents: { default: 200_000, min: 1000 }, runs: { default: 5, min: 1 },
  }, []);
  console.log(`vss settle/release benchmark: node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`);
  const dir = freshDir(tmpdir(), 'vss-settle-bench-');
  try {
    await settling(dir, o.files, o.runs);
    releasing(dir, o.contents);
  } finally {
    rmrf(dir);
  }
}

async function settling(dir: string, n: number, runs: number): Promise<void> {
  const tree = join(dir, 'tree');
  for (let d = 0; d < n / 100; d++) {
    mkdirSync(join(tree, `d${d}`), { recursive: true });
    for (let f = 0; f < 100; f++) writeFileSync(join(tree, `d${d}`, `f${f}.txt`), `file ${d}/${f}`);
  }
  const lib = new Vss({ dataDir: join(dir, 'data') }).createLibrary('S', dir);
  try {
    const loc = addLocation(lib, tree, { mode: 'content' }).id;
    await scanLocation(lib, loc);
    await new Promise((r) => setTimeout(r, 1100)); // every file quiet for the rule
    const settle = { quietMs: 1000, onUnsettled: () => { throw new Error('a quiet file was left unidentified'); } };
    const plain: number[] = [];
    const ruled: number[] = [];
    for (let r = 0; r < runs; r++) {
      for (const withRule of [false, true]) {
        lib.db.prepare('UPDATE entries SET content_id = NULL WHERE location_id = ?').run(loc);
        const t = await timeAsync(() => scanLocation(lib, loc, undefined, withRule ? { settle } : {}));
        if (t.value.hashed !== n) throw new Error(`identified ${t.value.hashed} of ${n}`);
        (withRule ? ruled : plain).push(t.s);
      }
    }
    console.log(`  identify ${kilo(n)} files again: with the settle rule ${secs(median(ruled))}; without ${secs(median(plain))} (${ratio(median(ruled) / median(plain))})`);

    const latency = async (settleMs: number): Promise<number> => {
      const watching = await watchLocations(lib, { generation: () => defaultGeneratorSettings(lib), settleMs });
      try {
        await watching.idle();
        const times: number[] = [];
        for (let r = 0; r < runs; r++) {
          const rel = `d0/dropped-${settleMs}-${r}.jpg`;
          const t0 = Date.now();
          copyFileSync(FIXTURE_PHOTO, join(tree, ...rel.split('/')));
          const found = lib.db.prepare('SELECT content_id FROM entries WHERE location_id = ? AND rel_path = ?');
          while ((found.get(loc, rel) as { content_id: number | null } | undefined)?.content_id == null) {
            if (Date.now() - t0 > 15_000) throw new Error('a dropped photo was not indexed within 15 s');
            await new Promise((res) => setTimeout(res, 10));
          }
          times.push((Date.now() - t0) / 1000);
          await watching.idle();
        }
        return median(times);
      } finally {
        await watching.close();
      }
    };
    const off = await latency(0);
    const on = await latency(1000);
    console.log(`  a photo dropped into a watched location of ${kilo(n)} files, indexed after: settling 1 s ${secs(on)}; settling off ${secs(off)} (${ratio(on / off)})`);
  } finally {
    lib.close();
  }
}

function releasing(dir: string, m: number): void {
  const tree = join(dir, 'empty');
  mkdirSync(tree, { recursive: true });
  const lib = new Vss({ dataDir: join(dir, 'data-r') }).createLibrary('R', dir);
  try {
    const loc = addLocation(lib, tree, { mode: 'content' }).id;
    fill(lib, loc, m);
    const anchor = timeSync(() => lib.db.transaction(() => {
      const n = lib.db.prepare(
        `DELETE FROM content_identities WHERE NOT EXISTS (SELECT 1 FROM entries e WHERE e.content_id = content_identities.id)
         AND NOT EXISTS (SELECT 1 FROM sidecars s WHERE s.content_uuid = content_identities.uuid AND s.source = 'converted' AND s.status = 'ready')`,
      ).run().changes;
      if (n !== 0) throw new Error('orphans before any were made');
    })());
    const idle = timeSync(() => releaseOrphanContents(lib));
    if (idle.value.contents !== 0) throw new Error('released contents that still have entries');
    console.log(`  sweep over ${kilo(m)} contents, none orphaned: ${secs(idle.s)}; the single DELETE it replaces ${secs(anchor.s)} (${ratio(idle.s / anchor.s)})`);

    lib.db.prepare("DELETE FROM entries WHERE location_id = ? AND parent_id IS NOT NULL AND name LIKE 'h%'").run(loc);
    collectGarbage();
    const heap0 = process.memoryUsage().heapUsed;
    let peak = heap0;
    let seen = 0;
    // Sampled while the release runs (it is synchronous: its events are the only way in).
    const off = lib.events.on('sidecar:changed', () => { if (++seen % 1000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed); });
    const released = timeSync(() => releaseOrphanContents(lib));
    off();
    if (released.value.contents !== m / 2 || released.value.jobs !== m / 2) throw new Error(`released ${JSON.stringify(released.value)}`);
    console.log(`  release ${kilo(m / 2)} contents (a pending sidecar and a queued job each): ${secs(released.s)}, ${kilo(m / 2 / released.s)}/s; heap grew at most ${mb(Math.max(0, peak - heap0))}`);
  } finally {
    lib.close();
  }
}

/** M contents, each with one entry in the location, one pending thumbnail and one queued job; every other entry named h… (to delete). */
function fill(lib: Library, loc: number, m: number): void {
  const db = lib.db;
  const root = (db.prepare('SELECT id FROM entries WHERE location_id = ? AND parent_id IS NULL').get(loc) as { id: number }).id;
  const uuid = (i: number) => `00000000-0000-5000-8000-${String(i).padStart(12, '0')}`;
  const content = db.prepare("INSERT INTO content_identities (uuid, cas_id, cas_version, kind, mime, size, created_at) VALUES (?, ?, 2, 'image', 'image/jpeg', 1, 0)");
  const entry = db.prepare("INSERT INTO entries (location_id, parent_id, name, rel_path, kind, size, inode, mtime_ms, content_id, created_at, updated_at) VALUES (?, ?, ?, ?, 'file', 1, ?, 0, ?, 0, 0)");
  const sidecar = db.prepare("INSERT INTO sidecars (uuid, content_uuid, kind, variant, format, rel_path, status, source, created_at, updated_at) VALUES (?, ?, 'thumb', 'grid@1x', 'webp', ?, 'pending', 'generated', 0, 0)");
  const job = db.prepare("INSERT INTO jobs (kind, content_uuid, priority, status, max_attempts, created_at, updated_at) VALUES ('thumb', ?, 10, 'queued', 3, 0, 0)");
  db.transaction(() => {
    for (let i = 1; i <= m; i++) {
      const id = Number(content.run(uuid(i), `cas${i}`).lastInsertRowid);
      const name = `${i % 2 === 0 ? 'h' : 'k'}${i}.jpg`;
      entry.run(loc, root, name, name, i, id);
      sidecar.run(`s-${i}`, uuid(i), `x/${i}`);
      job.run(uuid(i));
    }
  })();
}

runMain(import.meta.url, main);
