/**
 * `node dist/bench/stacks-bench.js [--photos N] [--runs R]` (npm run bench:stacks)
 *
 * Stacks (issue 45) over a synthetic deep location of N JPEG photos (default 100k, 1,000 to a
 * folder, a capture time each two seconds apart), one in five with its camera's RAW beside it
 * (same base name, same second) and one in fifty the first of a burst of three frames a third of
 * a second apart from one camera — rows as a deep scan leaves them, written through the stores:
 *  - the first look of `findStacks` at every folder (what a scan after an upgrade does), against
 *    the anchor of reading the same rows and parsing their metadata (what it cannot do without);
 *  - a scan that changed nothing (only changed folders are looked at);
 *  - a grid page of 200 tiles through BrowseApi with the stacks (covers only, each with its
 *    members): warm, after a tag changed (the order's filters read again), and after a stack
 *    changed (the stacks read again too), against the anchor of the same page from an order
 *    with no stacks (GridOrderCache and readGridPage without them).
 * Everything found is checked: as many stacks as were laid out, of the right kinds.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';
import { BrowseApi } from '../src/api/browse.js';
import { GridOrderCache } from '../src/browse/grid-order.js';
import { readGridPage } from '../src/browse/grid-page.js';
import { contentUuidFor } from '../src/content/identity.js';
import { Installation } from '../src/library/installation.js';
import { addLocation } from '../src/locations/locations.js';
import { MEDIA_READER_REVISION, parseMetadata } from '../src/media/media-metadata.js';
import { StackBook } from '../src/stacks/stack-book.js';
import { findStacks } from '../src/stacks/find-stacks.js';
import { SharedData } from '../src/tags/shared-data.js';
import { mkdirSync } from 'node:fs';
import type { Library } from '../src/library/library.js';
import { Summary, benchArgs, freshDir, median, ratio, rmrf, runMain, secs, timeSync } from './util.js';

const PER_FOLDER = 1000;
const TX_ROWS = 20_000;

function fill(lib: Library, locationId: number, photos: number): { pairs: number; bursts: number } {
  const { entries, contents } = lib.store;
  const root = entries.rootOf(locationId)!;
  const now = Date.now();
  let folder = root;
  let folderName = '';
  let pairs = 0;
  let bursts = 0;
  const add = (name: string, mime: string, meta: object, i: number, tag: string) => {
    const casId = blake3(Buffer.from(`stacks bench ${tag} ${i}`)).toString('hex');
    const cid = contents.upsert({ uuid: contentUuidFor(casId), cas_id: casId, cas_version: 1, kind: 'image', mime, size: 1000 + (i % 997) }, now);
    contents.setMediaMetadata(cid, JSON.stringify({ v: 1, r: MEDIA_READER_REVISION, ...meta, width: 6000, height: 4000 }));
    const file = { parent_id: folder, name, rel_path: `${folderName}/${name}`, kind: 'file' as const, size: 1000, inode: i * 2 + (tag === 'raw' ? 1 : 0) + 1, mtime_ms: now, link_target: null };
    entries.linkContent({ ...file, id: entries.insert(locationId, file, now) }, cid, now);
  };
  for (let start = 0; start < photos; start += TX_ROWS) {
    lib.store.transaction(() => {
      for (let i = start; i < Math.min(photos, start + TX_ROWS); i++) {
        if (i % PER_FOLDER === 0) {
          folderName = `d${i / PER_FOLDER}`;
          folder = entries.insert(locationId, { parent_id: root, name: folderName, rel_path: folderName, kind: 'dir', size: 0, inode: 0, mtime_ms: now, link_target: null }, now);
        }
        // A burst's frames a third of a second apart, else two seconds between photos.
        // Frames 2, 3 and 4 of each fifty: none of them with a RAW beside it (one in five is, from the second).
        const k = i % 50;
        const inBurst = k >= 2 && k <= 4;
        if (k === 2) bursts++;
        const ms = 1_600_000_000_000 + i * 2000 + (inBurst ? (k - 2) * 333 - (k - 2) * 2000 : 0);
        const at = new Date(ms).toISOString().replace('Z', '');
        const camera = { make: 'NIKON CORPORATION', model: 'NIKON D7100' };
        add(`DSC_${i}.JPG`, 'image/jpeg', { captured_at: inBurst ? at : at.replace(/\.\d+$/, ''), captured_ms: ms, captured_zone: 'unknown', camera }, i, 'jpeg');
        if (i % 5 === 1) {
          add(`DSC_${i}.NEF`, 'image/x-nikon-nef', { captured_at: at.replace(/\.\d+$/, ''), captured_ms: ms, captured_zone: 'unknown', camera }, i, 'raw');
          pairs++;
        }
      }
    });
  }
  return { pairs, bursts };
}

async function main(): Promise<void> {
  const o = benchArgs('stacks-bench [--photos N] [--runs R] [--keep]', { photos: { default: 100_000, min: 1_000 }, runs: { default: 7, min: 3 } }, ['keep']);
  const workDir = freshDir(tmpdir(), 'vss-stacks-');
  const summary = new Summary();
  try {
    const lib = new Installation({ dataDir: join(workDir, 'data') }).createLibrary('Stacks', workDir, { makeCurrent: false });
    mkdirSync(join(workDir, 'photos'));
    const loc = addLocation(lib, join(workDir, 'photos'), { mode: 'deep' });
    const made = timeSync(() => fill(lib, loc.id, o.photos));
    console.log(`${o.photos} photos, ${made.value.pairs} with a RAW beside them, ${made.value.bursts} bursts of 3, written in ${secs(made.s)}`);

    // The anchor: the same rows read and their metadata parsed, folder by folder.
    const anchor: number[] = [];
    for (let r = 0; r < o.runs; r++) {
      anchor.push(timeSync(() => {
        let n = 0;
        for (const f of lib.store.entries.folderIdsChangedSince(loc.id, null)) for (const row of lib.store.entries.imagesIn(f)) if (parseMetadata(row.media_metadata)) n++;
        return n;
      }).s);
    }
    const first = timeSync(() => findStacks(lib, loc.id));
    const stacks = new StackBook(lib).list();
    const want = made.value.pairs + made.value.bursts;
    const kinds = { pair: stacks.filter((s) => s.kind === 'raw+jpeg').length, burst: stacks.filter((s) => s.kind === 'burst').length };
    if (kinds.pair !== made.value.pairs || kinds.burst !== made.value.bursts) throw new Error(`found ${JSON.stringify(kinds)} stacks, laid out ${made.value.pairs} pairs and ${made.value.bursts} bursts`);
    console.log(`findStacks, first look: ${secs(first.s)} for ${want} stacks (anchor ${secs(median(anchor))})`);
    summary.add({ what: `findStacks, first look at ${o.photos / PER_FOLDER} folders (${want} stacks made)`, value: secs(first.s), ratio: ratio(first.s / median(anchor)), target: 'vs reading the rows', ok: null });
    const seq = lib.store.syncMeta.seq();
    const again = timeSync(() => findStacks(lib, loc.id, seq));
    summary.add({ what: 'findStacks, a scan that changed nothing', value: secs(again.s), ratio: '', target: '', ok: null });

    // The grid: a page with the stacks, against the same page from an order that knows none.
    const browse = new BrowseApi(lib, { dataDir: join(workDir, 'data'), access: 'write' });
    const plain = new GridOrderCache(lib.store.browse);
    const plainPage = () => readGridPage(lib.store.browse, plain.current(), 0, 200, lib.device.uuid, () => new Map());
    const days = browse.days();
    if (days.total !== o.photos + made.value.pairs - want - made.value.bursts) {
      throw new Error(`the grid shows ${days.total} items, expected ${o.photos + made.value.pairs - want - made.value.bursts}`);
    }
    const page = browse.page(0, 200);
    if (!page.items.some((it) => it.stack)) throw new Error('no stack on the first page');
    // A change of shared data: a tag (the order's filters are read again), or a stack (the stacks too).
    const shared = new SharedData(lib);
    const afterTag: number[] = [];
    const afterStack: number[] = [];
    for (let r = 0; r < o.runs; r++) {
      shared.commit([{ record: 'tag', id: `00000000-0000-4000-8000-${String(r + 1).padStart(12, '0')}`, set: { name: `t${r}`, color: null, parent: null } }]);
      afterTag.push(timeSync(() => browse.page(0, 200)).s);
      shared.commit([{ record: 'stack', id: `00000000-0000-4000-8000-${String(r + 1).padStart(12, '0')}`, set: { deleted: true } }]);
      afterStack.push(timeSync(() => browse.page(0, 200)).s);
    }
    const warm: number[] = [];
    const bare: number[] = [];
    plainPage();
    for (let r = 0; r < o.runs; r++) {
      warm.push(timeSync(() => browse.page(0, 200)).s);
      bare.push(timeSync(plainPage).s);
    }
    summary.add({ what: `grid page of 200 with ${want} stacks, warm`, value: secs(median(warm)), ratio: ratio(median(warm) / median(bare)), target: 'vs no stacks', ok: null });
    summary.add({ what: 'grid page of 200 after a tag changed (filters read again)', value: secs(median(afterTag)), ratio: ratio(median(afterTag) / median(bare)), target: 'vs no stacks', ok: null });
    summary.add({ what: 'grid page of 200 after a stack changed (stacks read again)', value: secs(median(afterStack)), ratio: ratio(median(afterStack) / median(bare)), target: 'vs no stacks', ok: null });
    summary.print();
    lib.close();
  } finally {
    if (!process.argv.includes('--keep')) rmrf(workDir);
  }
}

runMain(import.meta.url, main);
