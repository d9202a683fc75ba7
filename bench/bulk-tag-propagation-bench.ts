/**
 * `node dist/bench/bulk-tag-propagation-bench.js [--photos N]` (npm run bench:bulk-tag)
 *
 * Issue 32: a bulk tag of N selected photos (default 10,000) made on one device (A) reaching its
 * paired device (B), two real daemons on loopback. A indexes N small files, B pairs; then
 * `vss tag add Trip UUID…` on A (through A's daemon, as the web UI's bulk action calls it), and B's
 * database is read until it holds all N taggings. Anchor: the same tag call answered on A
 * (what the user waits for before the grid shows it); the ratio says what reaching B adds.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { cli, cliJson, device, libraryDb, pair, startDaemon, stopDaemon, waitFor } from './library-daemons.js';
import { Summary, benchArgs, freshDir, ratio, rmrf, runMain, secs } from './util.js';

async function main(): Promise<void> {
  const o = benchArgs('bulk-tag-propagation-bench [--photos N] [--keep]', { photos: { default: 10_000, min: 100 } }, ['keep']);
  const work = freshDir(tmpdir(), 'vss-bulktag-');
  const a = device('A', join(work, 'a'));
  const b = device('B', join(work, 'b'));
  const summary = new Summary();
  try {
    const photos = join(work, 'photos');
    for (let i = 0; i < o.photos; i++) {
      const dir = join(photos, `d${Math.floor(i / 1000)}`);
      if (i % 1000 === 0) mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `IMG_${i}.jpg.txt`), `photo ${i}\n`);
    }
    const made = await cli(a, ['library', 'create', 'Home', '--path', join(work, 'libs')]);
    if (made.code !== 0) throw new Error(made.stderr);
    await startDaemon(a);
    await startDaemon(b);
    await pair(a, b);
    const added = await cli(a, ['location', 'add', photos, '--name', 'Photos', '--mode', 'content'], 600_000);
    if (added.code !== 0) throw new Error(added.stderr);
    const uuids = (await cliJson<Array<{ content_uuid: string }>>(a, ['content', 'list', '--device', 'local'])).map((c) => c.content_uuid);
    if (uuids.length !== o.photos) throw new Error(`A holds ${uuids.length} of ${o.photos} contents`);
    const dbB = await waitFor('B\'s library', 60_000, async () => libraryDb(b).catch(() => undefined));
    const started = performance.now();
    const tagged = await cli(a, ['tag', 'add', 'Trip', ...uuids]);
    const onA = (performance.now() - started) / 1000;
    if (tagged.code !== 0) throw new Error(tagged.stderr);
    await waitFor('every tagging on B', 60_000, () => {
      const db = new Database(dbB, { readonly: true, fileMustExist: true });
      try {
        // Raw on purpose: the bench reads B's database as it is, without going through B's daemon.
        const n = db.prepare("SELECT count(*) FROM metadata_tag m JOIN tags t ON t.uuid = m.tag_uuid WHERE t.name = 'Trip' AND m.present = 1").pluck().get() as number;
        return n === o.photos ? true : undefined;
      } catch {
        return undefined;
      } finally {
        db.close();
      }
    }, 50);
    const onB = (performance.now() - started) / 1000;
    summary.add({ what: `tag ${o.photos} photos on A (vss tag add through A's daemon)`, value: secs(onA), ratio: '', target: '< 2 s', ok: onA < 2 });
    summary.add({ what: `… all ${o.photos} taggings on B (from the same start)`, value: secs(onB), ratio: ratio(onB / onA), target: '< 5 s', ok: onB < 5 });
    summary.print();
  } finally {
    await stopDaemon(a);
    await stopDaemon(b);
    if (!o.keep) rmrf(work);
  }
}

runMain(import.meta.url, main);
